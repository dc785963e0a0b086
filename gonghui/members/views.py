"""Pages of the member registry: roster and search, the 360° page, create/edit, transfer,
status, reveal, the approval queue, the union's QR code, the 会员之家 flags, import and
export; and the public pages: the three-screen join flow and the e-card verification.

Thin views: selectors read with scope, services write and audit. A member outside the user's
subtree answers 404 exactly like a missing one.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gonghui.core import hooks, jobs, throttle
from gonghui.core.errors import Conflict, InvalidInput, NotFound, ServiceError
from gonghui.core.masking import mask_birth_date, mask_id_number, mask_name, mask_phone
from gonghui.core.models import ImportJob, ImportStatus
from gonghui.core.pickers import bind_pickers
from gonghui.core.roles import can
from gonghui.core.scope import access
from gonghui.core.spreadsheets import read_rejected, read_warnings
from gonghui.core.web import (
    form_errors,
    is_htmx,
    rejected_rows_download,
    spreadsheet_download,
    staff_page,
    workbook_download,
)
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import access_org

from . import cards, exporting, importing, selectors, services
from .forms import (
    ExportFullForm,
    ImportForm,
    JoinConfirmForm,
    JoinIdentityForm,
    JoinWorkForm,
    LookupForm,
    MemberCreateForm,
    MemberForm,
    MemberHomeForm,
    MemberSearchForm,
    RejectForm,
    RevealForm,
    StatusForm,
    TransferForm,
    TransferRefuseForm,
)
from .models import JoinApplication, JoinStatus, Member, MemberHome, Status, TransferStatus
from .validation import clean_member

VIEW = "members.view"
MANAGE = "members.manage"
PAGE_SIZE = 50


# --- helpers ---------------------------------------------------------------------------------


def _member(user: Any, pk: int) -> Member:
    return selectors.access_member(user, pk)


def _manageable(user: Any, pk: int) -> Member:
    """The member, if in scope (else 404) and the user may manage their union (else 403)."""
    member = _member(user, pk)
    if not can(user, MANAGE, member.org):
        raise PermissionDenied(_("当前角色无权执行此操作"))
    return member


def accepts_joins(org: Org) -> bool:
    """Unions that take members directly (grassroots, and township/street/park/industry
    unions, which run the 会员之家 for workers whose employer has no union)."""
    return org.active and org.kind in services.MEMBER_ORG_KINDS


def _org_in_scope(user: Any, code: str) -> Org | None:
    try:
        return access_org(user, code.strip())
    except NotFound:
        return None


def masked_row(member: Member, user: Any = None) -> dict[str, Any]:
    """What a list or page shows of a member: ID number and phone masked; the birth date in
    full only to a user who may reveal the number (beside the ID's tail it narrows it)."""
    full_birth = user is not None and can(user, "pii.reveal", member.org)
    return {
        "member": member,
        "id_number": mask_id_number(member.id_number),
        "phone": mask_phone(member.phone),
        "birth_date": member.birth_date.isoformat()
        if full_birth
        else mask_birth_date(member.birth_date),
    }


# --- roster and search -----------------------------------------------------------------------


def _roster(user: Any, form: MemberSearchForm, page: int) -> dict[str, Any]:
    q, org, status = "", None, ""
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        status = form.cleaned_data["status"]
        code = form.cleaned_data["org"].strip()
        if code:
            org = _org_in_scope(user, code)
            if org is None:
                form.add_error("org", _("未找到该工会"))
                return {"rows": [], "page": 1, "has_next": False, "q": q}
    try:
        qs = selectors.member_search(user, q, org=org, status=status or None)
    except InvalidInput as exc:
        # a full number or a long tail: not searched, and not echoed back in the page
        form.add_error("q", exc.errors[0]["message"])
        form.data = {**form.data.dict(), "q": ""} if hasattr(form.data, "dict") else {}
        return {"rows": [], "page": 1, "has_next": False, "q": ""}
    # One page and one look-ahead row: no COUNT(*) over a million-row subtree.
    start = (page - 1) * PAGE_SIZE
    found = list(qs[start : start + PAGE_SIZE + 1])
    return {
        "rows": [masked_row(m, user) for m in found[:PAGE_SIZE]],
        "page": page,
        "has_next": len(found) > PAGE_SIZE,
        "q": q,
    }


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


@require_GET
@staff_page(VIEW)
def roster(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = bind_pickers(MemberSearchForm(request.GET), user)
    context = {
        "form": form,
        "result": _roster(user, form, _page_number(request)),
        "can_manage": can(user, MANAGE),
        "pending": selectors.join_applications_visible_to(user, JoinStatus.PENDING).count(),
        "export_query": request.GET.urlencode() if not form.errors else "",
        "import_url": reverse("members:import") if can(user, MANAGE) else "",
        "lookup_form": LookupForm(),
        "pending_transfers": selectors.transfer_requests_pending_count(user, "out"),
    }
    if exporting.may_see_full(user) and not form.errors:
        filters = {k: request.GET.get(k, "") for k in ("q", "org", "status")}
        context["full_form"] = ExportFullForm(initial=filters)
    if is_htmx(request):
        return render(request, "members/_results.html", context)
    return render(request, "members/roster.html", context)


def _export_filters(user: Any, form: Any) -> tuple[str, Org | None, str]:
    q = form.cleaned_data["q"].strip()
    status = form.cleaned_data["status"]
    code = form.cleaned_data["org"].strip()
    return q, access_org(user, code) if code else None, status


@staff_page(VIEW)
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered roster as XLSX or CSV. GET: masked, for everyone. POST: whole ID numbers
    and phones, for a user holding ``pii.reveal``, with a stated purpose (the export module
    audits it with the filters and the row count)."""
    if fmt not in ("xlsx", "csv"):
        raise Http404()
    user: Any = request.user
    full, purpose = False, ""
    if request.method == "POST":
        form: Any = ExportFullForm(request.POST)
        if not exporting.may_see_full(user):
            raise PermissionDenied(_("当前角色无权导出完整身份证号和手机号"))
        if not form.is_valid():
            context = {"form": form, "fmt": fmt}
            return render(request, "members/export_full.html", context, status=422)
        full, purpose = True, form.cleaned_data["purpose"]
        fmt = form.cleaned_data["fmt"]
    else:
        form = bind_pickers(MemberSearchForm(request.GET), user)
        if not form.is_valid():
            raise Http404()
    q, org, status = _export_filters(user, form)
    try:
        header, rows = exporting.audited_rows(
            user, fmt, q=q, org=org, status=status or None, full=full, purpose=purpose
        )
    except InvalidInput as exc:
        form_errors(form, exc)
        return render(request, "members/export_full.html", {"form": form, "fmt": fmt}, status=422)
    response = spreadsheet_download(
        fmt, _("会员名册"), header, rows, exporting.export_file_name(fmt)
    )
    if full:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@staff_page(VIEW)
def lookup(request: HttpRequest) -> HttpResponse:
    """A whole ID number or mobile, by POST (never in the address): audited, rate-limited,
    answered with the members the user may see."""
    user: Any = request.user
    form = LookupForm(request.POST)
    context: dict[str, Any] = {"lookup_form": form, "rows": None}
    status_code = 200
    if form.is_valid():
        try:
            found = services.member_lookup(actor=user, value=form.cleaned_data["q"])
        except services.TooManyLookups as exc:
            form.add_error(None, exc.detail)
            status_code = 429
        except InvalidInput as exc:
            form_errors(form, exc)
        else:
            context["rows"] = [masked_row(m, user) for m in found]
            context["lookup_form"] = LookupForm()  # the typed number is not echoed back
    response = render(request, "members/lookup.html", context, status=status_code)
    response["Cache-Control"] = "no-store"
    return response


# --- roster import: upload → preview → confirm → progress → rejected rows -------------------

PREVIEW_REJECTED = 50


def _job(user: Any, pk: int) -> ImportJob:
    job = access(importing.import_jobs_visible_to(user), user, pk=pk)
    if not can(user, MANAGE, job.org):
        raise PermissionDenied(_("当前角色无权执行此操作"))
    return job


def _rejected_preview(job: ImportJob) -> list[dict[str, Any]]:
    """The first rejected rows of a finished job, from its errors file: row number, name and
    reason (the ID number in that file is the clerk's own upload and is not shown here)."""
    if not job.errors_file:
        return []
    return read_rejected(job.errors_file, importing.ALIASES["name"], PREVIEW_REJECTED)


def _warned_preview(job: ImportJob) -> list[dict[str, Any]]:
    """The first warnings of a finished job (row, column, value, what was done)."""
    if not job.errors_file or not job.warned:
        return []
    return read_warnings(job.errors_file, PREVIEW_REJECTED)


@staff_page(MANAGE)
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a roster; a preview job checks it in the background (writes nothing)."""
    user: Any = request.user
    form = ImportForm(
        request.POST or None, request.FILES or None, initial={"org": _default_org_code(user)}
    )
    bind_pickers(form, user)
    if request.method == "POST" and form.is_valid():
        org = _org_in_scope(user, form.cleaned_data["org"])
        if org is None:
            form.add_error("org", _("未找到该工会"))
        else:
            upload = form.cleaned_data["file"]
            try:
                importing.check_union(org)
                received = importing.save_upload(upload)
                try:
                    job = importing.import_job_start(
                        actor=user,
                        org=org,
                        path=received.path,
                        file_name=upload.name,
                        dry_run=True,
                        keep_upload=True,  # for the confirmed run
                    )
                except BaseException:
                    received.path.unlink(missing_ok=True)
                    raise
            except ServiceError as exc:
                form_errors(form, exc)
            else:
                return redirect("members:import_job", pk=job.pk)
    jobs = importing.import_jobs_visible_to(user)[:10]
    return render(request, "members/import.html", {"form": form, "jobs": jobs})


@require_GET
@staff_page(MANAGE)
def import_template(request: HttpRequest) -> HttpResponse:
    return workbook_download(importing.template, "member-roster-template.xlsx")


@require_GET
@staff_page(MANAGE)
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's progress (polled by htmx until it finishes), then its preview or outcome."""
    job = _job(request.user, pk)
    context = {
        "job": job,
        "can_cancel": jobs.can_cancel(job),
        "can_retry": jobs.can_retry(job),
        "rejected": _rejected_preview(job) if job.finished else [],
        "warned": _warned_preview(job) if job.finished else [],
        "confirmed": ImportJob.objects.filter(
            kind="members", file_path=job.file_path, dry_run=False
        ).first()
        if job.dry_run
        else None,
    }
    if is_htmx(request):
        return render(request, "members/_import_job.html", context)
    return render(request, "members/import_job.html", context)


@require_POST
@staff_page(MANAGE)
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Run the previewed file for real (once: a second confirm goes to the first run)."""
    user: Any = request.user
    preview = _job(user, pk)
    if not preview.dry_run or preview.status != ImportStatus.DONE:
        messages.error(request, _("预览尚未完成"))
        return redirect("members:import_job", pk=preview.pk)
    done = ImportJob.objects.filter(
        kind="members", file_path=preview.file_path, dry_run=False
    ).first()
    if done is not None:
        return redirect("members:import_job", pk=done.pk)
    if preview.file_removed_at is not None or not Path(preview.file_path).exists():
        messages.error(request, _("预览用的文件已过保留期限并删除，请重新上传。"))
        return redirect("members:import_job", pk=preview.pk)
    try:
        job = importing.import_job_start(
            actor=user, org=preview.org, path=preview.file_path, file_name=preview.file_name
        )
    except ServiceError as exc:
        messages.error(request, exc.detail)
        return redirect("members:import_job", pk=preview.pk)
    return redirect("members:import_job", pk=job.pk)


@require_POST
@staff_page(MANAGE)
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a job: waiting or with a dead worker at once, running at its next progress,
    before anything is written."""
    job = _job(request.user, pk)
    try:
        jobs.job_cancel(job=job, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.detail)
    return redirect("members:import_job", pk=job.pk)


@require_POST
@staff_page(MANAGE)
def import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Run a failed or cancelled job again from its upload (rows already in are unchanged)."""
    from .tasks import import_members_job

    job = _job(request.user, pk)
    try:
        jobs.job_retry(job=job, actor=request.user, enqueue=import_members_job.enqueue)
    except ServiceError as exc:
        messages.error(request, exc.detail)
    return redirect("members:import_job", pk=job.pk)


@require_GET
@staff_page(MANAGE)
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    return rejected_rows_download(_job(request.user, pk), "roster")


@require_GET
@staff_page(VIEW)
def org_options(request: HttpRequest) -> HttpResponse:
    """<option>s of the active unions in scope matching what is typed in an org box."""
    from gonghui.orgs.selectors import org_search

    q = next((request.GET[k] for k in ("org", "to_org", "q") if request.GET.get(k)), "").strip()
    results = list(org_search(request.user, q=q, active=True)[:20]) if q else []
    return render(request, "orgs/_options.html", {"results": results})


# --- the 360° page ---------------------------------------------------------------------------


def _sections(user: Any, member: Member) -> list[dict[str, Any]]:
    out = []
    for fn in hooks.member_sections:
        section = fn(user, member)
        if section:
            out.append(section)
    return out


def _detail_context(user: Any, member: Member, revealed: dict[str, str] | None = None) -> Any:
    return {
        "member": member,
        "row": masked_row(member, user),
        "revealed": revealed,
        "history": selectors.member_history(member),
        "sections": _sections(user, member),
        "can_manage": can(user, MANAGE, member.org),
        "can_reveal": can(user, "pii.reveal", member.org),
        "card_number": cards.member_number(member),
        "reveal_form": RevealForm(),
    }


@require_GET
@staff_page(VIEW)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request.user, pk)
    return render(request, "members/detail.html", _detail_context(request.user, member))


@require_POST
@staff_page(VIEW)
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The full ID and phone, once, for this response only; the service audits it."""
    user: Any = request.user
    member = _member(user, pk)
    form = RevealForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    revealed = services.member_reveal(actor=user, member=member, reason=reason)
    if is_htmx(request):
        return render(request, "members/_revealed.html", {"revealed": revealed})
    return render(request, "members/detail.html", _detail_context(user, member, revealed))


# --- create, edit, status, transfer ----------------------------------------------------------


def _default_org_code(user: Any) -> str:
    org = user.org
    return org.code if org is not None and accepts_joins(org) else ""


@staff_page(VIEW)
def create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not can(user, MANAGE):
        raise PermissionDenied(_("当前角色无权执行此操作"))
    initial = {"org": request.GET.get("org") or _default_org_code(user)}
    form = bind_pickers(MemberCreateForm(request.POST or None, initial=initial), user)
    if request.method == "POST" and form.is_valid():
        data = form.changed_data_for_service()
        org = _org_in_scope(user, data.pop("org"))
        if org is None:
            form.add_error("org", _("未找到该工会"))
        elif not can(user, MANAGE, org):
            form.add_error("org", _("无权在该工会登记会员"))
        else:
            try:
                member = services.member_create(actor=user, org=org, data=data)
            except ServiceError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("已登记会员：%(name)s") % {"name": member.name})
                return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "title": _("登记会员")})


@staff_page(VIEW)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    member = _manageable(user, pk)
    form = MemberForm.for_member(member, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(actor=user, member=member, data=form.changed_data_for_service())
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("members:detail", pk=member.pk)
    return render(
        request, "members/form.html", {"form": form, "member": member, "title": _("编辑会员")}
    )


@staff_page(VIEW)
def status(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    member = _manageable(user, pk)
    form = StatusForm(member, request.POST or None, initial={"on": date.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.member_set_status(
                actor=user,
                member=member,
                status=form.cleaned_data["status"],
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("会籍状态已更新"))
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/status.html", {"form": form, "member": member})


@require_POST
@staff_page(VIEW)
def portal_account(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the member's portal login; the generated password is shown on this answer only."""
    user: Any = request.user
    member = _manageable(user, pk)
    try:
        account, password = services.member_portal_account(actor=user, member=member)
    except ServiceError as exc:
        messages.error(request, exc.detail)
        return redirect("members:detail", pk=member.pk)
    return render(
        request,
        "members/account_created.html",
        {"member": member, "account": account, "password": password},
    )


@staff_page(VIEW)
def transfer(request: HttpRequest) -> HttpResponse:
    """会籍接转 by the receiving union: the person's ID number and name, and the union to
    take them into. A member within the user's own scope moves at once; anyone else answers
    no more than "此人无法在本单位办理，请其申请会籍接转" and the user may then file the
    request (``apply``), which the releasing union or the member answers. Below: the
    requests the user's unions are party to, both ways."""
    user: Any = request.user
    if not can(user, MANAGE):
        raise PermissionDenied(_("当前角色无权执行此操作"))
    form = TransferForm(request.POST or None, initial={"to_org": _default_org_code(user)})
    bind_pickers(form, user)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        to_org = _org_in_scope(user, data["to_org"])
        if to_org is None:
            form.add_error("to_org", _("未找到该工会"))
        else:
            try:
                if "apply" in request.POST:
                    req = services.transfer_apply(
                        actor=user,
                        id_number=data["id_number"],
                        name=data["name"],
                        to_org=to_org,
                        note=data["note"],
                    )
                else:
                    member = services.member_transfer_in(
                        actor=user,
                        id_number=data["id_number"],
                        name=data["name"],
                        to_org=to_org,
                        note=data["note"],
                    )
            except services.TooManyLookups as exc:
                form.add_error(None, exc.detail)
                context["status"] = 429
            except Conflict as exc:
                form.add_error(None, exc.detail)
                context["may_apply"] = exc.detail == str(services.OUT_OF_SCOPE)
            except ServiceError as exc:
                form_errors(form, exc)
            else:
                if "apply" in request.POST:
                    if req.status == TransferStatus.DONE:
                        messages.success(request, _("已转入 %(org)s") % {"org": to_org.name})
                    else:
                        messages.success(request, _("已提交会籍接转申请，待原工会同意或本人确认"))
                    return redirect("members:transfer")
                messages.success(
                    request, _("%(name)s 已转入 %(org)s") % {"name": member.name, "org": to_org}
                )
                return redirect("members:detail", pk=member.pk)
    context["requests"] = [
        transfer_row(user, r) for r in selectors.transfer_requests_visible_to(user)[:200]
    ]
    context["refuse_form"] = TransferRefuseForm()
    response = render(request, "members/transfer.html", context, status=context.get("status", 200))
    response["Cache-Control"] = "no-store"
    return response


def transfer_row(user: Any, req: Any) -> dict[str, Any]:
    row = selectors.transfer_view(user, req)
    pending = req.status == TransferStatus.PENDING
    row["can_decide"] = pending and req.from_org is not None and can(user, MANAGE, req.from_org)
    row["can_cancel"] = pending and not row["can_decide"] and can(user, MANAGE, req.to_org)
    return row


@require_POST
@staff_page(VIEW)
def transfer_decide(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """The releasing union approves or refuses (with a reason); the receiving one withdraws."""
    user: Any = request.user
    req = selectors.access_transfer_request(user, pk)
    try:
        if step == "approve":
            services.transfer_approve(actor=user, request=req)
            messages.success(request, _("已同意转出"))
        elif step == "refuse":
            form = TransferRefuseForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.transfer_refuse(actor=user, request=req, reason=reason)
            messages.success(request, _("已答复不同意转出"))
        elif step == "cancel":
            services.transfer_cancel(actor=user, request=req)
            messages.success(request, _("已撤回申请"))
        else:
            raise Http404()
    except InvalidInput as exc:
        messages.error(request, exc.errors[0]["message"])
    except Conflict as exc:
        messages.error(request, exc.detail)
    return redirect("members:transfer")


# --- the approval queue ----------------------------------------------------------------------


def _application(user: Any, pk: int) -> JoinApplication:
    application = selectors.access_join_application(user, pk)
    if not can(user, MANAGE, application.org):
        raise PermissionDenied(_("当前角色无权执行此操作"))
    return application


@require_GET
@staff_page(MANAGE)
def applications(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    show = request.GET.get("status") or JoinStatus.PENDING
    if show not in JoinStatus.values:
        show = JoinStatus.PENDING
    qs = selectors.join_applications_visible_to(user, status=show)
    if show != JoinStatus.PENDING:
        qs = qs.order_by("-decided_at", "-id")
    rows = [
        {
            "app": a,
            "id_number": mask_id_number(a.id_number),
            "phone": mask_phone(a.phone),
            "standing": STANDING.get(services.join_application_standing(user, a), "")
            if a.status == JoinStatus.PENDING
            else "",
        }
        for a in qs[:200]
    ]
    return render(
        request,
        "members/applications.html",
        {
            "rows": rows,
            "show": show,
            "statuses": JoinStatus.choices,
            "reject_form": RejectForm(),
        },
    )


# What the queue tells the clerk about an applicant (never the stranger who filled the form).
STANDING = {
    "here": gettext_lazy("已是本工会会员"),
    "elsewhere": gettext_lazy("在其他工会在会：批准即提交会籍接转申请"),
    "former": gettext_lazy("曾是会员：批准即恢复会籍"),
}


@require_POST
@staff_page(MANAGE)
def application_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    application = _application(user, pk)
    try:
        member = services.join_approve(actor=user, application=application)
    except (Conflict, services.TooManyLookups) as exc:
        messages.error(request, exc.detail)
    else:
        if member.org_id == application.org_id:
            messages.success(request, _("已批准 %(name)s 入会") % {"name": application.name})
        else:
            messages.success(
                request,
                _("已批准；%(name)s 在其他工会在会，已提交会籍接转申请，待原工会同意或本人确认")
                % {"name": application.name},
            )
    return redirect("members:applications")


@require_POST
@staff_page(MANAGE)
def application_reject(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    application = _application(user, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写退回原因"))
        return redirect("members:applications")
    try:
        services.join_reject(
            actor=user, application=application, reason=form.cleaned_data["reason"]
        )
    except Conflict as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("已退回 %(name)s 的申请") % {"name": application.name})
    return redirect("members:applications")


# --- QR code and 会员之家 --------------------------------------------------------------------


def _join_url(request: HttpRequest, org: Org) -> str:
    return request.build_absolute_uri(reverse("join:start", args=[org.code]))


@require_GET
@staff_page(VIEW)
def qr(request: HttpRequest, code: str) -> HttpResponse:
    """The union's join QR code, to print and put up where workers see it."""
    org = access_org(request.user, code)
    if not accepts_joins(org):
        raise Http404()
    url = _join_url(request, org)
    svg = cards.qr_svg(url, title=_("扫码加入%(org)s") % {"org": org.name})
    if request.GET.get("download") == "svg":
        response = HttpResponse(svg, content_type="image/svg+xml")
        response["Content-Disposition"] = f'attachment; filename="join-{org.code}.svg"'
        return response
    return render(request, "members/qr.html", {"org": org, "url": url, "svg": svg})


@staff_page(VIEW)
def homes(request: HttpRequest) -> HttpResponse:
    """会员之家: employers whose workers accumulate in a home union (time to found a union
    there), the homes of the user's subtree, and — for those who manage orgs — marking a
    township, street or park union as a 会员之家."""
    user: Any = request.user
    may_set = can(user, "orgs.manage")
    form = bind_pickers(MemberHomeForm(request.POST or None), user) if may_set else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("当前角色无权执行此操作"))
        if form.is_valid():
            org = _org_in_scope(user, form.cleaned_data["org"])
            if org is None:
                form.add_error("org", _("未找到该工会"))
            else:
                try:
                    services.member_home_set(
                        actor=user,
                        org=org,
                        active=form.cleaned_data["active"],
                        threshold=form.cleaned_data["threshold"],
                    )
                except ServiceError as exc:
                    form_errors(form, exc)
                else:
                    messages.success(request, _("已保存：%(org)s") % {"org": org.name})
                    return redirect("members:homes")
    context = {
        "flags": selectors.members_home_flags(user),
        "homes": MemberHome.objects.visible_to(user).select_related("org").order_by("org__path"),
        "form": form,
    }
    return render(request, "members/homes.html", context)


# --- the public join flow (no login) ---------------------------------------------------------

JOIN_SALT = "gonghui.members.join"
# The screens carry what was typed so far in a signed field, never in a server-side session:
# the plain ID number must not land in the session table.
JOIN_MAX_AGE = 60 * 60
# applications submitted from one client address per hour (a family or a works canteen
# may share one; a script filling in made-up ID numbers may not)
JOIN_LIMIT = 20
JOIN_WINDOW = 60 * 60
IDENTITY_FIELDS = ("name", "id_number", "ethnicity")
WORK_FIELDS = ("phone", "employer_name", "worker_type", "education")


def _join_org(code: str) -> Org:
    org = Org.objects.filter(code=code).first()
    if org is None or not accepts_joins(org):
        raise Http404()
    return org


def _state(request: HttpRequest) -> dict[str, Any] | None:
    try:
        data = signing.loads(request.POST.get("state", ""), salt=JOIN_SALT, max_age=JOIN_MAX_AGE)
    except signing.BadSignature:
        return None
    return data if isinstance(data, dict) else None


def _step_errors(form: Any, data: dict[str, Any], fields: tuple[str, ...]) -> bool:
    """Run the shared member validation; put its errors for this screen's fields on the form."""
    result = clean_member(data)
    ok = True
    for err in result.errors:
        if err["field"] in fields:
            form.add_error(err["field"], err["message"])
            ok = False
    return ok


def _render_join(
    request: HttpRequest, org: Org, step: int, form: Any, state: dict[str, Any] | None = None
) -> HttpResponse:
    context: dict[str, Any] = {"org": org, "step": step, "form": form, "steps": [1, 2, 3]}
    if state is not None:
        context["state"] = signing.dumps(state, salt=JOIN_SALT, compress=True)
        context["summary"] = _summary(state)
    return render(request, "members/join.html", context)


def _summary(state: dict[str, Any]) -> list[tuple[str, str]]:
    from .models import Education, WorkerType

    rows = [
        (_("姓名"), state.get("name", "")),
        (_("身份证号"), mask_id_number(state.get("id_number", ""))),
        (_("民族"), state.get("ethnicity", "")),
    ]
    if "phone" in state:
        rows += [
            (_("手机号"), mask_phone(state.get("phone", ""))),
            (_("工作单位"), state.get("employer_name", "")),
            (_("职工类型"), str(dict(WorkerType.choices).get(state.get("worker_type", ""), ""))),
            (_("学历"), str(dict(Education.choices).get(state.get("education", ""), ""))),
        ]
    return [(k, v or "—") for k, v in rows]


def join_start(request: HttpRequest, code: str) -> HttpResponse:
    """Three screens on one address: 1 identity → 2 work and contact → 3 confirm."""
    org = _join_org(code)
    if request.method != "POST":
        return _render_join(request, org, 1, JoinIdentityForm())
    step = request.POST.get("step", "1")
    state = _state(request) if step != "1" else {}
    if state is None:
        messages.error(request, _("页面已过期，请重新填写"))
        return _render_join(request, org, 1, JoinIdentityForm())
    back = "back" in request.POST

    if step == "1":
        form = JoinIdentityForm(request.POST)
        if form.is_valid() and _step_errors(form, form.cleaned_data, IDENTITY_FIELDS):
            return _render_join(request, org, 2, JoinWorkForm(), dict(form.cleaned_data))
        return _render_join(request, org, 1, form)

    if step == "2":
        if back:
            initial = {k: state.get(k, "") for k in IDENTITY_FIELDS}
            return _render_join(request, org, 1, JoinIdentityForm(initial=initial))
        form2 = JoinWorkForm(request.POST)
        if form2.is_valid() and _step_errors(form2, {**state, **form2.cleaned_data}, WORK_FIELDS):
            state.update(form2.cleaned_data)
            return _render_join(request, org, 3, JoinConfirmForm(), state)
        return _render_join(request, org, 2, form2, state)

    if step == "3":
        if back:
            initial = {k: state.get(k, "") for k in WORK_FIELDS}
            work_state = {k: v for k, v in state.items() if k not in WORK_FIELDS}
            return _render_join(request, org, 2, JoinWorkForm(initial=initial), work_state)
        form3 = JoinConfirmForm(request.POST)
        if form3.is_valid():
            if not throttle.attempt("join", request, limit=JOIN_LIMIT, window=JOIN_WINDOW):
                messages.error(request, _("提交过于频繁，请一小时后再试"))
                response = _render_join(request, org, 3, form3, state)
                response.status_code = 429
                return response
            data = {k: state.get(k, "") for k in (*IDENTITY_FIELDS, *WORK_FIELDS)}
            try:
                services.join_apply(org=org, data=data)
            except ServiceError as exc:
                form_errors(form3, exc)
            else:
                return redirect("join:done", code=org.code)
        return _render_join(request, org, 3, form3, state)
    raise Http404()


@require_GET
def join_done(request: HttpRequest, code: str) -> HttpResponse:
    org = _join_org(code)
    return render(request, "members/join_done.html", {"org": org})


@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """What anyone scanning an e-card sees: masked name, union, status — nothing more."""
    context: dict[str, Any] = {}
    try:
        member_id = cards.card_member_id(token)
    except cards.CardTokenExpired:
        context["expired"] = True
        member_id = None
    member = (
        Member.objects.select_related("org").filter(pk=member_id).first() if member_id else None
    )
    if member is not None:
        context.update(
            name=mask_name(member.name),
            org=member.org.name,
            status=member.get_status_display(),
            good=member.status == Status.ACTIVE,
        )
    elif not context.get("expired"):
        context["invalid"] = True
    response = render(request, "members/verify.html", context)
    response["Cache-Control"] = "no-store"
    return response
