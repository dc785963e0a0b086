"""Pages of hardship assistance: the archive and its applications, a file's page (the
arithmetic of its category, the household, evidence, the notice, the steps this user may take
now, the history), grants, campaigns, the 低保 table; and the worker's portal pages
(self-test, application, follow-up, evidence).

Thin views: selectors read with scope, services write and audit. A file outside the user's
scope answers 404 exactly like a missing one.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core import notices, spreadsheets, uploads
from gonghui.core.errors import Forbidden, NotFound, ServiceError
from gonghui.core.masking import mask_generic, mask_id_number, mask_name
from gonghui.core.roles import Role, can
from gonghui.core.web import form_errors, staff_page
from gonghui.orgs.models import Org

from . import selectors, services
from .forms import (
    STEP_FORMS,
    ApplyForm,
    AttachForm,
    CampaignForm,
    CheckForm,
    DibaoForm,
    DibaoImportForm,
    GrantForm,
    RecipientsImportForm,
    RevealForm,
    StaffApplyForm,
)
from .models import (
    Attachment,
    Category,
    DibaoStandard,
    Family,
    GrantStatus,
    RecipientStatus,
    Status,
)
from .workflow import WORKFLOW

VIEW, HANDLE, REVIEW, CONFIGURE = (
    "assistance.view",
    "assistance.handle",
    "assistance.review",
    "assistance.configure",
)
PAGE = 50


def _page(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


# --- the archive -----------------------------------------------------------------------------


@staff_page(VIEW)
def files(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    status = request.GET.get("status", "")[:16]
    category = request.GET.get("category", "")[:12]
    q = request.GET.get("q", "").strip()[:50]
    pending = request.GET.get("pending") == "1"
    qs = selectors.families_filtered(user, status=status, category=category, q=q, pending=pending)
    page = _page(request)
    rows = list(qs[(page - 1) * PAGE : page * PAGE])
    return render(
        request,
        "assistance/files.html",
        {
            "rows": [(f, mask_name(f.name)) for f in rows],
            "count": qs.count(),
            "page": page,
            "has_next": len(rows) == PAGE,
            "status": status,
            "category": category,
            "q": q,
            "statuses": Status.choices,
            "categories": [c for c in Category.choices if c[0]],
            "may_handle": can(user, HANDLE),
            "waiting_review": selectors.waiting_review(user).count(),
        },
    )


def _xlsx(name: str, sheet: str, header: list[str], rows: Any) -> tuple[HttpResponse, int]:
    buffer = io.BytesIO()
    count = spreadsheets.write_rows(buffer, sheet, header, rows)
    response = HttpResponse(buffer.getvalue(), content_type=spreadsheets.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"
    return response, count


@staff_page(VIEW)
def files_export(request: HttpRequest) -> HttpResponse:
    """The archive's list with its filters as XLSX, masked like the page."""
    user: Any = request.user
    filters = {
        "status": request.GET.get("status", "")[:16],
        "category": request.GET.get("category", "")[:12],
        "q": request.GET.get("q", "").strip()[:50],
    }
    qs = selectors.families_filtered(user, pending=request.GET.get("pending") == "1", **filters)
    response, count = _xlsx(
        "困难职工档案.xlsx",
        _("困难职工档案"),
        selectors.FAMILY_EXPORT_HEADER,
        selectors.family_export_rows(qs),
    )
    services.export_record(
        actor=user, object_type="family", object_id="*", org=user.org,
        label=_("困难职工档案"), rows=count, filters={k: v for k, v in filters.items() if v},
    )  # fmt: skip
    return response


@staff_page(HANDLE)
def create(request: HttpRequest) -> HttpResponse:
    form = StaffApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            family = services.family_apply(actor=request.user, data=_apply_data(form))
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已登记申请 %(no)s。") % {"no": family.number})
            return redirect("assistance:detail", family.pk)
    return render(request, "assistance/form.html", {"form": form, "title": _("登记困难职工申请")})


def _apply_data(form: Any) -> dict[str, Any]:
    data = {k: v for k, v in form.cleaned_data.items() if k != "rigid_expenses"}
    return {k: ("" if v is None else v) for k, v in data.items()}


def _apply_expenses(form: Any) -> list[dict[str, Any]]:
    amount = form.cleaned_data.get("rigid_expenses")
    return [{"kind": "illness", "amount": amount, "note": _("申请时填报")}] if amount else []


def _actions(user: Any, family: Family) -> list[dict[str, Any]]:
    if user.role == Role.MEMBER:
        return []
    out = []
    for t in WORKFLOW.allowed(family.status, user.role):
        if t.name == "approve" and not services._is_above(user, family):
            continue
        if t.name in {"approve"} and not can(user, REVIEW):
            continue
        if not can(user, HANDLE, family.org) and not (
            t.name in {"approve", "send_back"} and can(user, REVIEW)
        ):
            continue
        out.append({"name": t.name, "label": _(t.label), "form": STEP_FORMS[t.name](prefix=t.name)})
    return out


def _family_context(user: Any, family: Family) -> dict[str, Any]:
    notice = notices.notice_of(family)
    reveal = selectors.may_reveal(user, family)
    own = user.role == Role.MEMBER
    return {
        "family": family,
        "masked": selectors.masked(family),
        "may_reveal": reveal,
        "income_shown": reveal or own,
        "relatives": list(family.relatives.all()),
        "expenses": list(family.expenses.all()),
        "attachments": list(family.attachments.all()),
        "events": list(family.events.select_related("actor", "org")),
        "notice": notice,
        "outcome": notices.OUTCOME_LABELS.get(notices.outcome(family), "") if notice else "",
        "grants": list(family.grants.all()) if not own else [],
        "survey_due": services.survey_due(family),
        "verify_due": services.verify_due(family),
        "step_labels": {t.name: _(t.label) for t in WORKFLOW.transitions}
        | {"apply": _("提交申请")},
    }


@staff_page(VIEW)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    family = selectors.family_detail(user, pk)
    context = _family_context(user, family)
    context.update(
        actions=_actions(user, family),
        attach_form=AttachForm() if can(user, HANDLE, family.org) else None,
        grant_form=GrantForm()
        if family.status == Status.ARCHIVED and can(user, HANDLE, family.org)
        else None,
        reveal_form=RevealForm(),
    )
    return render(request, "assistance/detail.html", context)


def _step_data(name: str, form: Any) -> dict[str, Any]:
    return {k: ("" if v is None else v) for k, v in form.cleaned_data.items()}


@require_POST
@staff_page(HANDLE)
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    family = selectors.access_family(user, pk)
    if action not in STEP_FORMS:
        raise Http404()
    form = STEP_FORMS[action](request.POST, prefix=action)
    if form.is_valid():
        d = _step_data(action, form)
        try:
            if action == "investigate":
                expenses = [
                    {"kind": k, "amount": d[k]}
                    for k in ("illness", "disability", "schooling", "job")
                    if d.get(k)
                ]
                services.family_investigate(
                    actor=user,
                    family=family,
                    data={
                        k: d[k]
                        for k in (
                            "investigation",
                            "household_size",
                            "household_income",
                            "hardship_costs",
                        )
                    },
                    expenses=expenses,
                )
            elif action == "publish":
                services.family_publish(actor=user, family=family, days=d["days"])
            elif action == "submit_review":
                services.family_submit_review(actor=user, family=family)
            elif action == "deliberate":
                services.family_deliberate(actor=user, family=family, opinion=d["note"])
            elif action == "approve":
                services.family_approve(actor=user, family=family, note=d["note"])
            elif action == "send_back":
                services.family_send_back(actor=user, family=family, reason=d["note"])
            elif action == "reject":
                services.family_reject(actor=user, family=family, reason=d["note"])
            elif action == "survey":
                services.family_survey(actor=user, family=family, note=d["note"])
            elif action == "verify":
                services.family_verify(actor=user, family=family, note=d["note"])
            else:
                services.family_exit(actor=user, family=family, kind=d["kind"], reason=d["note"])
        except Forbidden:
            raise
        except ServiceError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(
                request, _("已办理：%(step)s。") % {"step": _(WORKFLOW.get(action).label)}
            )
    else:
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("assistance:detail", pk)


@require_POST
@staff_page(VIEW)
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    family = selectors.access_family(user, pk)
    form = RevealForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    values = services.family_reveal(actor=user, family=family, reason=reason)
    context = _family_context(user, family)
    context.update(revealed=values)
    response = render(request, "assistance/revealed.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@staff_page(HANDLE)
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    family = selectors.access_family(request.user, pk)
    _attach(request, family)
    return redirect("assistance:detail", pk)


def _attach(request: HttpRequest, family: Family) -> None:
    form = AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return
    try:
        services.family_attach(
            actor=request.user,
            family=family,
            upload=form.cleaned_data["file"],
            kind=form.cleaned_data["kind"],
        )
    except Forbidden:
        raise
    except ServiceError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("材料已上传。"))


def _file_response(family: Family, file_pk: int) -> HttpResponse:
    item = Attachment.objects.filter(family=family, pk=file_pk).select_related("stored").first()
    if item is None or item.stored.purged_at is not None:
        raise Http404()
    path = Path(settings.DATA_DIR) / item.stored.path
    if not path.exists():
        raise Http404()
    response = FileResponse(path.open("rb"), as_attachment=True, filename=item.name)  # noqa: SIM115
    response["Cache-Control"] = "no-store"
    return cast(HttpResponse, response)


@staff_page(VIEW)
def attachment(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    family = selectors.access_family(request.user, pk)
    return _file_response(family, file_pk)


# --- grants ----------------------------------------------------------------------------------


@require_POST
@staff_page(HANDLE)
def grant_create(request: HttpRequest, pk: int) -> HttpResponse:
    family = selectors.access_family(request.user, pk)
    form = GrantForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            grant = services.grant_create(actor=request.user, family=family, **d)
        except Forbidden:
            raise
        except ServiceError as exc:
            messages.error(request, exc.detail)
        else:
            return redirect("assistance:grant", grant.pk)
    else:
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("assistance:detail", pk)


@staff_page(VIEW)
def grants(request: HttpRequest) -> HttpResponse:
    qs = selectors.grants_visible_to(request.user).order_by("-granted_on", "-id")
    page = _page(request)
    rows = list(qs[(page - 1) * PAGE : page * PAGE])
    return render(
        request,
        "assistance/grants.html",
        {"rows": rows, "count": qs.count(), "page": page, "has_next": len(rows) == PAGE},
    )


@staff_page(VIEW)
def grant(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_grant(user, pk)
    return render(
        request,
        "assistance/grant.html",
        {
            "grant": item,
            "may_act": can(user, HANDLE, item.org)
            and item.status in (GrantStatus.DRAFT, GrantStatus.APPROVED),
            "limit": services.approval_limit(user.org),
        },
    )


@require_POST
@staff_page(HANDLE)
def grant_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_grant(user, pk)
    try:
        if action == "approve":
            services.grant_approve(actor=user, grant=item)
        elif action == "paid":
            services.grant_paid(actor=user, grant=item)
        elif action == "pay":
            batch = services.grants_pay(actor=user, org=user.org, grants=[item])
            if batch is not None:
                return redirect("payments:detail", batch.pk)
        elif action == "refuse":
            services.grant_refuse(
                actor=user, grant=item, reason=request.POST.get("reason", "")[:200]
            )
        else:
            raise Http404()
    except ServiceError as exc:
        messages.error(request, exc.detail)
    return redirect("assistance:grant", pk)


# --- campaigns -------------------------------------------------------------------------------


@staff_page(VIEW)
def campaigns(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = CampaignForm(request.POST or None) if can(user, REVIEW) else None
    if request.method == "POST":
        if form is None:
            raise Http404()
        if form.is_valid():
            try:
                campaign = services.campaign_create(actor=user, org=user.org, **form.cleaned_data)
            except ServiceError as exc:
                form_errors(form, exc)
            else:
                return redirect("assistance:campaign", campaign.pk)
    rows = list(selectors.campaigns_visible_to(user)[:100])
    return render(request, "assistance/campaigns.html", {"rows": rows, "form": form})


@staff_page(VIEW)
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_campaign(user, pk)
    status = request.GET.get("status", "")[:10]
    qs = selectors.recipients_of(user, item, status=status)
    page = _page(request)
    rows = list(qs[(page - 1) * PAGE : page * PAGE])
    return render(
        request,
        "assistance/campaign.html",
        {
            "campaign": item,
            "summary": selectors.campaign_summary(item),
            "rows": [
                (r, mask_name(r.name), mask_id_number(r.id_number), mask_generic(r.bank_account))
                for r in rows
            ],
            "count": qs.count(),
            "page": page,
            "has_next": len(rows) == PAGE,
            "status": status,
            "statuses": RecipientStatus.choices,
            "may_act": can(user, REVIEW, item.org),
            "import_form": RecipientsImportForm(),
            "has_rejected": bool(request.session.get(_rejected_key(item.pk))),
        },
    )


@staff_page(VIEW)
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign's recipients (those the user may see, by state) as XLSX, masked."""
    user: Any = request.user
    item = selectors.access_campaign(user, pk)
    status = request.GET.get("status", "")[:10]
    response, count = _xlsx(
        f"{item.title}名单.xlsx",
        _("慰问名单"),
        selectors.RECIPIENT_EXPORT_HEADER,
        selectors.recipient_export_rows(selectors.recipients_of(user, item, status=status)),
    )
    services.export_record(
        actor=user, object_type="campaign", object_id=item.pk, org=item.org, label=item.title,
        rows=count, filters={"status": status} if status else {},
    )  # fmt: skip
    return response


@staff_page(VIEW)
def campaign_template(request: HttpRequest) -> HttpResponse:
    """The recipient sheet's template: the columns the import reads and one example row."""
    buffer = io.BytesIO()
    header, example = selectors.RECIPIENT_TEMPLATE
    spreadsheets.write_template(buffer, header, example, _("慰问名单"))
    response = HttpResponse(buffer.getvalue(), content_type=spreadsheets.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, "慰问名单模板.xlsx")
    return response


def _rejected_key(pk: int) -> str:
    return f"assistance-rejected-{pk}"


@staff_page(REVIEW)
def campaign_rejected(request: HttpRequest, pk: int) -> HttpResponse:
    """The rows of this user's last import of the campaign's list that were not imported,
    with their reasons: the same columns, so the fixed sheet imports as it is."""
    item = selectors.access_campaign(request.user, pk)
    name = str(request.session.get(_rejected_key(item.pk), ""))
    path = uploads.uploads_dir() / name
    if not name or "/" in name or not path.is_file():
        raise Http404()
    response = FileResponse(
        path.open("rb"),  # noqa: SIM115 - FileResponse closes it
        as_attachment=True,
        filename=f"{item.title}-未导入的行.xlsx",
        content_type=spreadsheets.XLSX_TYPE,
    )
    response["Cache-Control"] = "no-store"
    return cast(HttpResponse, response)


def _keep_rejected(request: HttpRequest, campaign_pk: int, result: Any) -> None:
    """Write the rejected rows as a workbook (in the uploads folder: removed with the other
    stray uploads after ``GONGHUI_UPLOAD_RETENTION_HOURS``) and remember it in the session."""
    key = _rejected_key(campaign_pk)
    old = str(request.session.pop(key, ""))
    if old and "/" not in old:
        uploads.remove(uploads.uploads_dir() / old)
    if not result.rejected:
        return
    name = f"assistance-rejected-{uuid.uuid4().hex}.xlsx"
    spreadsheets.write_errors(uploads.uploads_dir() / name, result.header, result.rejected)
    request.session[key] = name


@require_POST
@staff_page(REVIEW)
def campaign_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_campaign(user, pk)
    try:
        if action == "import":
            form = RecipientsImportForm(request.POST, request.FILES)
            if not form.is_valid():
                raise ServiceError(_("请选择名单文件。"))
            received = uploads.receive(form.cleaned_data["file"])
            try:
                result = services.recipients_import(
                    actor=user, campaign=item, path=received.path, file_name=received.name
                )
            finally:
                uploads.remove(received.path)
            messages.success(
                request,
                _(
                    "共 %(rows)d 行：新增 %(created)d，未变 %(unchanged)d，"
                    "未导入 %(rejected)d，与同类活动重复 %(conflicts)d。"
                )
                % result.as_dict(),
            )
            _keep_rejected(request, item.pk, result)
            for number, _cells, reason in result.rejected[:20]:
                messages.error(request, _("第 %(n)d 行：%(r)s") % {"n": number, "r": reason})
        elif action == "approve":
            n = services.recipients_approve(actor=user, campaign=item)
            messages.success(request, _("已审批 %(n)d 人。") % {"n": n})
        elif action == "paid":
            r = services.recipients_paid(actor=user, campaign=item)
            messages.success(request, _("已确认发放 %(paid)d 人。") % r)
        elif action == "pay":
            batch = services.campaign_pay(actor=user, campaign=item)
            if batch is None:
                messages.info(request, _("没有待生成代发批次的名单。"))
            else:
                messages.success(request, _("已生成代发批次，请审批后导出银行文件。"))
                return redirect("payments:detail", batch.pk)
        elif action == "sync":
            r = services.payments_sync(actor=user, campaign=item)
            messages.success(request, _("到账 %(paid)d 人，失败 %(failed)d 人。") % r)
        elif action == "reissue":
            n = services.recipients_reissue(actor=user, campaign=item)
            messages.success(request, _("%(n)d 人转入重新发放。") % {"n": n})
        elif action == "close":
            services.campaign_close(actor=user, campaign=item)
        else:
            raise Http404()
    except (NotFound, Forbidden):
        raise
    except ServiceError as exc:
        messages.error(request, exc.detail)
    return redirect("assistance:campaign", pk)


# --- 低保 ------------------------------------------------------------------------------------


@staff_page(VIEW)
def dibao(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = DibaoForm(request.POST or None) if can(user, CONFIGURE) else None
    if request.method == "POST":
        if form is None:
            raise Http404()
        if form.is_valid():
            try:
                services.dibao_set(actor=user, **form.cleaned_data)
            except ServiceError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("低保标准已保存。"))
                return redirect("assistance:dibao")
    rows = list(DibaoStandard.objects.order_by("region_code", "-year")[:500])
    upload = DibaoImportForm() if form is not None else None
    return render(request, "assistance/dibao.html", {"rows": rows, "form": form, "upload": upload})


@require_POST
@staff_page(CONFIGURE)
def dibao_import(request: HttpRequest) -> HttpResponse:
    form = DibaoImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择低保标准表。"))
        return redirect("assistance:dibao")
    try:
        received = uploads.receive(form.cleaned_data["file"])
        try:
            result = services.dibao_import(
                actor=request.user, path=received.path, file_name=received.name
            )
        finally:
            uploads.remove(received.path)
    except ServiceError as exc:
        messages.error(request, exc.detail)
        return redirect("assistance:dibao")
    messages.success(
        request,
        _("共 %(rows)d 行：保存 %(created)d，未变 %(unchanged)d，未导入 %(rejected)d。")
        % result.as_dict(),
    )
    for number, _cells, reason in result.rejected[:50]:
        messages.error(request, _("第 %(n)d 行：%(r)s") % {"n": number, "r": reason})
    return redirect("assistance:dibao")


# --- the worker's portal ---------------------------------------------------------------------


def _member(request: HttpRequest) -> Any:
    user: Any = request.user
    return user if user.role == Role.MEMBER else None


@login_required
def portal_home(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    if user is None:
        return redirect("home")
    return render(
        request, "assistance/portal_home.html", {"files": list(selectors.my_files(user)[:20])}
    )


def _member_org(user: Any) -> Org | None:
    from gonghui.members.models import Member

    member = Member.objects.filter(user=user).select_related("org").first()
    return member.org if member is not None else user.org


@login_required
def portal_check(request: HttpRequest) -> HttpResponse:
    """The self-test on the phone: the category it would give, with the arithmetic."""
    user = _member(request)
    if user is None:
        return redirect("home")
    form = CheckForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        org = _member_org(user)
        try:
            if org is None:
                raise ServiceError(_("您的账号未关联工会。"))
            result = services.eligibility(
                org=org, data={k: ("" if v is None else v) for k, v in form.cleaned_data.items()}
            )
        except ServiceError as exc:
            form_errors(form, exc) if hasattr(exc, "errors") else form.add_error(None, exc.detail)
    return render(request, "assistance/portal_check.html", {"form": form, "result": result})


@login_required
def portal_apply(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    if user is None:
        return redirect("home")
    initial: dict[str, Any] = {}
    from gonghui.members.models import Member

    member = Member.objects.filter(user=user).first()
    if member is not None:
        initial = {"name": member.name}
    form = ApplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            family = services.family_apply(
                actor=user, data=_apply_data(form), expenses=_apply_expenses(form)
            )
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("申请已提交，所在工会将在5个工作日内入户调查。"))
            return redirect("assistance_portal:detail", family.pk)
    return render(request, "assistance/portal_apply.html", {"form": form})


@login_required
def portal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    if user is None:
        return redirect("home")
    try:
        family = selectors.access_family(user, pk)
    except NotFound as exc:
        raise Http404() from exc
    if request.method == "POST":
        _attach(request, family)
        return redirect("assistance_portal:detail", pk)
    context = _family_context(user, family)
    context.update(attach_form=AttachForm() if family.is_pending else None)
    return render(request, "assistance/portal_detail.html", context)


@login_required
def portal_attachment(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    user = _member(request)
    if user is None:
        raise Http404()
    try:
        family = selectors.access_family(user, pk)
    except NotFound as exc:
        raise Http404() from exc
    return _file_response(family, file_pk)
