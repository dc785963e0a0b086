"""Pages of the office: the overview, documents (draft, approval, distribution, receipts),
the chain page, incoming documents, notices, data calls and submissions, supervised tasks,
meetings with their QR check-in, and the member's notices. Thin: selectors read, services
write, every record through its ``access_*``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.errors import InvalidInput, ServiceError
from gonghui.core.roles import Role, can
from gonghui.core.web import (
    form_submitted,
    staff_page,
    stored_file_response,
    workbook_download,
)
from gonghui.orgs.models import Org

from . import forms, selectors, services, workflow
from .models import (
    CallStatus,
    ChainStep,
    DocStatus,
    DocType,
    InStatus,
    Submission,
    SubStatus,
    TaskStatus,
)

VIEW = "office.view"
PAGE_SIZE = 50
FILL_ROWS = 5


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _error(request: HttpRequest, exc: ServiceError) -> None:
    if isinstance(exc, InvalidInput):
        for err in exc.errors[:50]:
            messages.error(request, err["message"])
    else:
        messages.error(request, exc.detail)


@staff_page(VIEW)
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(
        request,
        "office/home.html",
        {
            "work": selectors.home_work(user),
            "unsigned": selectors.unsigned(user)[:10],
            "owed": selectors.open_calls(user).order_by("call__deadline")[:10],
            "tasks": selectors.due_tasks(user).order_by("due_on")[:10],
            "notices": selectors.notices_for(user)[:5],
        },
    )


# --- documents ------------------------------------------------------------------------------


@staff_page(VIEW)
def documents(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    tab = request.GET.get("tab", "received")
    if tab == "sent":
        page = _page(request, selectors.outgoing(user).order_by("-created_at", "-id"))
    else:
        tab = "received"
        page = _page(request, selectors.received(user))
    return render(
        request,
        "office/documents.html",
        {"tab": tab, "page": page, "may_draft": can(user, "office.draft")},
    )


@staff_page("office.draft")
def document_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = forms.DocumentForm(request.POST or None)

    def save(data: dict[str, Any]) -> Any:
        return services.document_create(actor=user, data=data)

    if done := form_submitted(request, form, save, _("草稿已保存，可以上传附件后送审。")):
        return done
    return render(request, "office/document_new.html", {"form": form})


def _doc_context(user: Any, doc: Any) -> dict[str, Any]:
    flow = workflow.for_type(doc.doc_type)
    here = workflow.current_state(doc.status, doc.step)
    own = user.org_id == doc.org_id
    steps = []
    if own:
        steps = [
            t
            for t in flow.allowed(here, user.role)
            if t.name not in ("distribute", "return")
            and can(user, "office.approve" if t.name != "submit" else "office.draft")
        ]
    chain = workflow.chain(doc.doc_type)
    return {
        "doc": doc,
        "state_label": flow.states.get(here, here),
        "chain": chain,
        "files": doc.files.select_related("file"),
        "steps": steps,
        "may_return": own and doc.status == DocStatus.REVIEW and can(user, "office.approve"),
        "may_edit": own and doc.status == DocStatus.DRAFT and can(user, "office.draft"),
        "may_distribute": own and doc.status == DocStatus.ISSUED and can(user, "office.approve"),
        "distribute_form": forms.DistributeForm(user),
        "reason_form": forms.ReasonForm(),
        "file_form": forms.FileForm(),
        "receipts": selectors.receipts_of(user, doc),
        "counts": selectors.receipt_counts(doc),
        "mine": selectors.own_receipt(user, doc),
        "may_sign": can(user, "office.sign"),
        "may_remind": doc.status == DocStatus.SENT and can(user, "office.approve", doc.org),
    }


@staff_page(VIEW)
def document(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    doc = selectors.access_document(user, pk)
    return render(request, "office/document.html", _doc_context(user, doc))


@staff_page("office.draft")
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    doc = selectors.access_document(user, pk)
    initial = {
        "title": doc.title,
        "urgency": doc.urgency,
        "security": doc.security,
        "body": doc.body,
    }
    form = forms.EditForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> Any:
        return services.document_update(actor=user, document=doc, data=data)

    if done := form_submitted(request, form, save, _("公文已修改。")):
        return done
    return render(request, "office/document_edit.html", {"form": form, "doc": doc})


@require_POST
@staff_page(VIEW)
def document_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    doc = selectors.access_document(user, pk)
    try:
        doc = services.document_act(
            actor=user, document=doc, action=action, data={"reason": request.POST.get("reason")}
        )
    except ServiceError as exc:
        _error(request, exc)
    else:
        if doc.status == DocStatus.ISSUED:
            messages.success(request, _("已签发，发文字号：%(no)s。") % {"no": doc.number})
        else:
            messages.success(request, _("已办理。"))
    return redirect(doc.get_absolute_url())


@require_POST
@staff_page("office.draft")
def document_attach(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    doc = selectors.access_document(user, pk)
    form = forms.FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_attach(actor=user, document=doc, upload=form.cleaned_data["file"])
        except ServiceError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("附件已上传。"))
    else:
        messages.error(request, _("请选择要上传的文件。"))
    return redirect(doc.get_absolute_url())


@require_POST
@staff_page("office.approve")
def document_distribute(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    doc = selectors.access_document(user, pk)
    form = forms.DistributeForm(user, request.POST)
    if form.is_valid():
        try:
            count = services.document_distribute(
                actor=user,
                document=doc,
                orgs=form.chosen_orgs(),
                kinds=form.cleaned_data["kinds"],
                subtree=form.cleaned_data["subtree"],
            )
        except ServiceError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("已分发给 %(n)d 个单位。") % {"n": count})
    else:
        messages.error(request, _("请选择收文单位或层级。"))
    return redirect(doc.get_absolute_url())


@require_POST
@staff_page("office.sign")
def document_sign(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    doc = selectors.access_document(user, pk)
    receipt = selectors.own_receipt(user, doc)
    if receipt is None:
        raise Http404()
    try:
        services.receipt_sign(actor=user, receipt=receipt)
    except ServiceError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("已签收，并登记为本单位收文。"))
    return redirect(doc.get_absolute_url())


@require_POST
@staff_page("office.approve")
def document_remind(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    doc = selectors.access_document(user, pk)
    try:
        count = services.receipts_remind(actor=user, document=doc)
    except ServiceError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("已催办 %(n)d 个未签收单位。") % {"n": count})
    return redirect(doc.get_absolute_url())


@require_GET
@staff_page(VIEW)
def document_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    doc = selectors.access_document(request.user, pk)
    link = doc.files.select_related("file").filter(pk=file_pk).first()
    if link is None:
        raise Http404()
    return stored_file_response(link.file, preview=request.GET.get("preview") == "1")


@staff_page("office.configure")
def chains(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = forms.ChainForm(request.POST or None)

    def save(data: dict[str, Any]) -> None:
        services.chain_set(actor=user, doc_type=data["doc_type"], labels=data["steps"].splitlines())

    if done := form_submitted(request, form, save, _("审批流程已保存。"), then="office:chains"):
        return done
    for doc_type in DocType.values:
        workflow.chain(doc_type)
    rows = [
        (label, [s.label for s in ChainStep.objects.filter(doc_type=key).order_by("position")])
        for key, label in DocType.choices
    ]
    return render(request, "office/chains.html", {"rows": rows, "form": form})


# --- incoming -------------------------------------------------------------------------------


@staff_page(VIEW)
def incoming(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    may_register = can(user, "office.draft")
    form = forms.IncomingForm(request.POST or None)

    def save(data: dict[str, Any]) -> Any:
        return services.incoming_register(actor=user, data=data)

    if done := form_submitted(request, form, save, _("收文已登记。"), allowed=may_register):
        return done
    status = request.GET.get("status", "")
    qs = selectors.incoming_for(user)
    if status in InStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "office/incoming.html",
        {
            "page": _page(request, qs),
            "form": form if may_register else None,
            "statuses": InStatus.choices,
            "status": status,
        },
    )


@staff_page(VIEW)
def incoming_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_incoming(user, pk)
    form = forms.CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.incoming_act(
                actor=user,
                item=item,
                action=request.POST.get("action", ""),
                text=form.cleaned_data["text"],
            )
        except ServiceError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("已办理。"))
        return redirect(item.get_absolute_url())
    steps = workflow.INCOMING.allowed(item.status, user.role) if user.org_id == item.org_id else []
    return render(
        request,
        "office/incoming_detail.html",
        {
            "item": item,
            "comments": item.comments.select_related("by"),
            "steps": steps,
            "form": form,
        },
    )


# --- notices --------------------------------------------------------------------------------


@staff_page(VIEW)
def notices(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    may_publish = can(user, "office.manage")
    form = forms.NoticeForm(request.POST or None)

    def save(data: dict[str, Any]) -> Any:
        return services.notice_publish(actor=user, data=data)

    if done := form_submitted(request, form, save, _("通知公告已发布。"), allowed=may_publish):
        return done
    return render(
        request,
        "office/notices.html",
        {
            "page": _page(request, selectors.notices_for(user)),
            "form": form if may_publish else None,
        },
    )


@staff_page(VIEW)
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_notice(user, pk)
    services.notice_read(user=user, notice=item)
    return render(request, "office/notice.html", {"notice": item, "reads": item.reads.count()})


@login_required
def portal_notices(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role != Role.MEMBER:
        raise Http404()
    items = list(selectors.member_notices(user)[:50])
    opened = request.GET.get("open")
    current = next((n for n in items if str(n.pk) == opened), None)
    if current is not None:
        services.notice_read(user=user, notice=current)
    return render(request, "office/portal_notices.html", {"items": items, "current": current})


# --- data calls -----------------------------------------------------------------------------


@staff_page(VIEW)
def calls(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    may_send = can(user, "office.manage")
    form = forms.CallForm(user, request.POST or None, request.FILES or None)

    def save(data: dict[str, Any]) -> Any:
        return services.call_create(
            actor=user, data=data, orgs=form.chosen_orgs(), kinds=data["kinds"]
        )

    if done := form_submitted(request, form, save, _("信息报送已发出。"), allowed=may_send):
        return done
    sent = selectors.calls_for(user).filter(org_id=user.org_id)
    return render(
        request,
        "office/calls.html",
        {
            "owed": selectors.submissions_for(user)
            .filter(org_id=user.org_id)
            .order_by("status", "call__deadline")[:50],
            "sent": selectors.with_progress(sent),
            "form": form if may_send else None,
        },
    )


@staff_page(VIEW)
def call(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_call(user, pk)
    subs = item.submissions.select_related("org").order_by("status", "org__path")
    return render(
        request,
        "office/call.html",
        {
            "call": item,
            "progress": selectors.call_progress(item),
            "subs": subs,
            "today": timezone.localdate(),
            "may_manage": can(user, "office.manage", item.org) and user.org_id == item.org_id,
            "parent_sub": Submission.objects.filter(call=item.parent, org=item.org).first()
            if item.parent_id
            else None,
        },
    )


def _template(columns: list[dict[str, Any]]) -> Any:
    from gonghui.core.spreadsheets import write_template

    header = [c["label"] + ("（必填）" if c["required"] else "") for c in columns]
    example = [
        {"int": "0", "decimal": "0.00", "date": "2020-09-19"}.get(c["type"], "") for c in columns
    ]
    return lambda buffer: write_template(buffer, header, example, sheet_name=_("填报"))


@require_GET
@staff_page(VIEW)
def call_template(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    # the caller's staff, or a target's (through its submission)
    sub = selectors.submissions_for(user).filter(call_id=pk).first()
    item = sub.call if sub is not None else selectors.access_call(user, pk)
    return workbook_download(_template(item.columns), f"call-{item.pk}-template.xlsx")


@require_GET
@staff_page(VIEW)
def call_merged(request: HttpRequest, pk: int) -> HttpResponse:
    from gonghui.core.spreadsheets import write_rows

    item = selectors.access_call(request.user, pk)
    header, rows = selectors.merged_rows(item)

    def write(buffer: Any) -> None:
        write_rows(buffer, _("汇总"), header, rows)

    return workbook_download(write, f"call-{item.pk}-merged.xlsx")


@require_POST
@staff_page("office.manage")
def call_remind(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_call(user, pk)
    try:
        count = services.submissions_remind(actor=user, call=item)
    except ServiceError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("已催报 %(n)d 个未报送单位。") % {"n": count})
    return redirect(item.get_absolute_url())


def _typed_rows(request: HttpRequest, columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for i in range(1, 201):
        keys = [f"r{i}-{c['key']}" for c in columns]
        if not any(k in request.POST for k in keys):
            break
        row = {c["key"]: request.POST.get(f"r{i}-{c['key']}", "") for c in columns}
        if any(str(v).strip() for v in row.values()):
            rows.append(row)
    return rows


@staff_page(VIEW)
def submission(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_submission(user, pk)
    call = item.call
    mine = user.org_id == item.org_id and can(user, "office.fill")
    if request.method == "POST":
        if not mine:
            raise Http404()
        action = request.POST.get("action", "")
        try:
            if action == "fill":
                n = services.submission_fill(
                    actor=user, submission=item, rows=_typed_rows(request, call.columns)
                )
                messages.success(request, _("已保存 %(n)d 行。") % {"n": n})
            elif action == "upload":
                form = forms.UploadForm(request.POST, request.FILES)
                if not form.is_valid():
                    raise InvalidInput.one("file", _("请选择要上传的文件。"))
                n = services.submission_upload(
                    actor=user, submission=item, upload=form.cleaned_data["file"]
                )
                messages.success(request, _("已导入 %(n)d 行。") % {"n": n})
            elif action == "pass":
                pass_form = forms.PassDownForm(user, request.POST)
                if not pass_form.is_valid():
                    raise InvalidInput.one("orgs", _("请选择报送单位或层级。"))
                child = services.call_pass_down(
                    actor=user,
                    submission=item,
                    orgs=pass_form.chosen_orgs(),
                    kinds=pass_form.cleaned_data["kinds"],
                    deadline=pass_form.cleaned_data.get("deadline"),
                )
                messages.success(request, _("已下发给下级单位。"))
                return redirect(child.get_absolute_url())
            elif action == "consolidate":
                n = services.submission_consolidate(actor=user, submission=item)
                messages.success(request, _("已汇总下级报送的 %(n)d 行。") % {"n": n})
            elif action == "submit":
                services.submission_submit(actor=user, submission=item)
                messages.success(request, _("已报送。"))
            else:
                raise Http404()
        except ServiceError as exc:
            _error(request, exc)
        return redirect(item.get_absolute_url())
    rows = list(item.rows.select_related("source").order_by("number"))
    children = call.children.filter(org_id=item.org_id)
    prefill = selectors.prefill(call, item.org) if mine else {}
    blank = [
        (i, [(c, prefill.get(c["key"], {}).get("value", "")) for c in call.columns])
        for i in range(1, FILL_ROWS + 1)
    ]
    return render(
        request,
        "office/submission.html",
        {
            "sub": item,
            "call": call,
            "rows": [(r, [r.data.get(c["key"]) for c in call.columns]) for r in rows],
            "mine": mine,
            "editable": mine
            and item.status == SubStatus.PENDING
            and call.status == CallStatus.OPEN,
            "prefill": prefill,
            "blank": blank,
            "upload_form": forms.UploadForm(),
            "pass_form": forms.PassDownForm(user) if can(user, "office.manage") else None,
            "children": selectors.with_progress(children),
        },
    )


# --- tasks ----------------------------------------------------------------------------------


@staff_page(VIEW)
def tasks(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    may_assign = can(user, "office.manage")
    form = forms.TaskForm(user, request.POST or None)

    def save(data: dict[str, Any]) -> Any:
        owner = Org.objects.get(code=data["owner"])
        return services.task_create(actor=user, owner=owner, data=data)

    if done := form_submitted(request, form, save, _("督办事项已交办。"), allowed=may_assign):
        return done
    status = request.GET.get("status", TaskStatus.OPEN)
    qs = selectors.tasks_for(user)
    if status in TaskStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "office/tasks.html",
        {
            "page": _page(request, qs.order_by("due_on", "id")),
            "form": form if may_assign else None,
            "status": status,
        },
    )


@staff_page(VIEW)
def task(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_task(user, pk)
    progress_form = forms.ProgressForm(
        request.POST if request.POST.get("action") == "report" else None
    )
    close_form = forms.CloseForm(
        request.POST if request.POST.get("action") == "close" else None, request.FILES or None
    )
    if request.method == "POST":
        try:
            if progress_form.is_bound and progress_form.is_valid():
                services.task_report(
                    actor=user,
                    task=item,
                    text=progress_form.cleaned_data["text"],
                    percent=progress_form.cleaned_data["percent"],
                )
                messages.success(request, _("进展已报告。"))
                return redirect(item.get_absolute_url())
            if close_form.is_bound and close_form.is_valid():
                services.task_close(
                    actor=user,
                    task=item,
                    outcome=close_form.cleaned_data["outcome"],
                    evidence=close_form.cleaned_data["evidence"],
                )
                messages.success(request, _("督办事项已办结。"))
                return redirect(item.get_absolute_url())
        except ServiceError as exc:
            _error(request, exc)
            return redirect(item.get_absolute_url())
    owner_staff = (
        user.org_id == item.owner_id and can(user, "office.fill") and item.status == TaskStatus.OPEN
    )
    return render(
        request,
        "office/task.html",
        {
            "task": item,
            "reports": item.reports.select_related("by"),
            "owner_staff": owner_staff,
            "progress_form": progress_form,
            "close_form": close_form,
        },
    )


@require_GET
@staff_page(VIEW)
def task_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_task(request.user, pk)
    if item.evidence is None:
        raise Http404()
    return stored_file_response(item.evidence, preview=request.GET.get("preview") == "1")


# --- meetings -------------------------------------------------------------------------------


@staff_page(VIEW)
def meetings(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    may_call = can(user, "office.manage")
    form = forms.MeetingForm(user, request.POST or None)

    def save(data: dict[str, Any]) -> Any:
        orgs = list(Org.objects.filter(code__in=data["orgs"]))
        return services.meeting_create(actor=user, data=data, orgs=orgs)

    if done := form_submitted(request, form, save, _("会议通知已发出。"), allowed=may_call):
        return done
    return render(
        request,
        "office/meetings.html",
        {
            "page": _page(request, selectors.meetings_for(user)),
            "plenaries": selectors.plenaries(user)[:20],
            "form": form if may_call else None,
        },
    )


@staff_page(VIEW)
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_meeting(user, pk)
    organiser = user.org_id == item.org_id and can(user, "office.manage")
    if request.method == "POST":
        try:
            if request.POST.get("action") == "signup":
                services.meeting_signup(actor=user, meeting=item)
                messages.success(request, _("已报名。"))
            elif request.POST.get("action") == "minutes" and organiser:
                form = forms.FileForm(request.POST, request.FILES)
                if not form.is_valid():
                    raise InvalidInput.one("file", _("请选择要上传的文件。"))
                services.meeting_minutes(actor=user, meeting=item, upload=form.cleaned_data["file"])
                messages.success(request, _("会议纪要已上传。"))
            else:
                raise Http404()
        except ServiceError as exc:
            _error(request, exc)
        return redirect(item.get_absolute_url())
    attendees = item.attendees.select_related("org", "user")
    return render(
        request,
        "office/meeting.html",
        {
            "meeting": item,
            "attendees": attendees if organiser or user.org.path.startswith(item.org.path) else [],
            "organiser": organiser,
            "mine": item.attendees.filter(user=user).first(),
            "checkin_url": request.build_absolute_uri(
                reverse("office:checkin", args=[item.checkin_token])
            )
            if organiser
            else "",
            "file_form": forms.FileForm(),
        },
    )


@require_GET
@staff_page(VIEW)
def meeting_qr(request: HttpRequest, pk: int) -> HttpResponse:
    from gonghui.core.qr import qr_response

    user: Any = request.user
    item = selectors.access_meeting(user, pk)
    if user.org_id != item.org_id or not can(user, "office.manage"):
        raise Http404()
    url = request.build_absolute_uri(reverse("office:checkin", args=[item.checkin_token]))
    return qr_response(url, title=item.title)


@require_GET
@staff_page(VIEW)
def meeting_minutes_file(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_meeting(request.user, pk)
    if item.minutes is None:
        raise Http404()
    return stored_file_response(item.minutes, preview=request.GET.get("preview") == "1")


@staff_page(VIEW)
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """The page the door's QR code opens: one button that checks the user in."""
    from .models import Meeting

    user: Any = request.user
    meeting = Meeting.objects.filter(checkin_token=token[:40]).first()
    if meeting is None:
        raise Http404()
    if request.method == "POST":
        try:
            services.meeting_checkin(actor=user, token=meeting.checkin_token)
        except ServiceError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("签到成功。"))
        return redirect("office:checkin", token=token)
    try:
        item = selectors.access_meeting(user, meeting.pk)
    except Exception as exc:
        raise Http404() from exc
    return render(
        request,
        "office/checkin.html",
        {"meeting": item, "mine": item.attendees.filter(user=user).first()},
    )
