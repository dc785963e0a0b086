"""API of the member registry (``/api/v1/members``).

Reads go through ``selectors`` (a member outside the caller's scope answers 404 like a missing
one), writes through ``services`` (in scope without the right: 403; bad input: 422 naming the
field; a rule of state: 409). ID numbers and phones are masked in every answer except
``POST /{id}/reveal``, which is audited.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from pydantic import ConfigDict

from gonghui.core import jobs
from gonghui.core.api import BoundedText, InputSchema, Page, PageParams, paginate
from gonghui.core.errors import Forbidden, InvalidInput, NotFound
from gonghui.core.masking import mask_birth_date, mask_id_number, mask_phone
from gonghui.core.models import ImportJob
from gonghui.core.roles import can
from gonghui.orgs.models import Org

from . import importing, services
from .models import JoinApplication, JoinStatus, Member, TransferStatus
from .models import Status as MemberStatus
from .selectors import (
    access_join_application,
    access_member,
    access_transfer_request,
    join_applications_visible_to,
    member_history,
    member_search,
    transfer_requests_visible_to,
    transfer_view,
)

router = Router(tags=["members"])


# --- schemas ----------------------------------------------------------------------------


class MemberOut(Schema):
    id: int
    name: str
    sex: str
    id_number: str = Field(..., description="身份证号（脱敏）")
    phone: str = Field(..., description="手机号（脱敏）")
    org: str = Field(..., description="所在工会代码")
    status: str
    joined_on: datetime.date

    @staticmethod
    def resolve_id_number(obj: Member) -> str:
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_phone(obj: Member) -> str:
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_org(obj: Member) -> str:
        return obj.org.code


class MemberDetail(MemberOut):
    org_name: str
    ethnicity: str
    birth_date: str = Field(
        ..., description="出生日期 YYYY-MM-DD；无查看完整号码权限时只有年份（如 1990年）"
    )
    id_valid_until: str
    education: str
    employment: str
    skill_level: str
    employer: int | None = Field(None, description="工作单位编号")
    employer_name: str
    worker_type: str
    model_worker: str
    status_since: datetime.date
    has_account: bool = Field(..., description="是否已开通会员账号")

    @staticmethod
    def resolve_org_name(obj: Member) -> str:
        return obj.org.name

    @staticmethod
    def resolve_birth_date(obj: Member, context: Any) -> str:
        # beside the ID's last four characters a full birth date narrows the number to a
        # few candidates: only those who may reveal the number see it
        user = context["request"].user if context else None
        if can(user, "pii.reveal", obj.org):
            return obj.birth_date.isoformat()
        return mask_birth_date(obj.birth_date)

    @staticmethod
    def resolve_employer(obj: Member) -> int | None:
        return obj.employer_id

    @staticmethod
    def resolve_has_account(obj: Member) -> bool:
        return obj.user_id is not None


class MemberFilters(PageParams):
    q: str = Field(
        "",
        description="姓名前缀、拼音（wangqiang）、首字母（wq）、身份证号或手机号后4位；"
        "完整号码不能放在网址中，请用 POST /members/lookup",
    )
    org: str = Field("", description="工会代码（含下级）")
    status: MemberStatus | None = None


class MemberFields(InputSchema):
    """Values as a form or a spreadsheet gives them: codes or Chinese labels both accepted."""

    bounds = (Member,)

    model_config = ConfigDict(extra="forbid")

    sex: str | None = Field(None, description="M/F 或 男/女；以身份证号为准")
    ethnicity: str | None = None
    birth_date: datetime.date | None = Field(None, description="以身份证号为准，填写则核对")
    id_valid_until: str | None = Field(None, description="YYYY-MM-DD 或 长期")
    phone: str | None = None
    education: str | None = None
    employment: str | None = None
    skill_level: str | None = None
    employer: int | None = Field(None, description="工作单位编号")
    employer_name: str | None = None
    worker_type: str | None = None
    model_worker: str | None = None
    joined_on: datetime.date | None = None


class MemberIn(MemberFields):
    org: str = Field(..., description="所在工会代码")
    name: str
    id_number: str


class MemberPatch(MemberFields):
    name: str | None = None
    id_number: str | None = None


class TransferIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    to_org: str = Field(..., description="转入工会代码")
    on: datetime.date | None = Field(None, description="接转日期，默认今天")
    note: str = Field("", max_length=200)


class TransferInByNumber(TransferIn):
    id_number: str = Field(..., description="完整身份证号", max_length=30)
    name: str = Field(..., description="姓名（须与身份证号相符）", max_length=50)


class TransferApplyIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    id_number: str = Field(..., description="完整身份证号", max_length=30)
    name: str = Field(..., description="姓名（须与身份证号相符）", max_length=50)
    to_org: str = Field(..., description="转入工会代码")
    note: str = Field("", max_length=200)


class TransferRequestOut(Schema):
    """A request as the caller's side sees it: the releasing side sees the member and the
    receiving union; the receiving side sees the member's name masked and never the
    releasing union (``from_org`` is null for it)."""

    id: int
    side: str = Field(
        ..., description="out：本单位为原工会（待我方同意）；in：本单位申请转入；self：本人"
    )
    member: int | None = Field(None, description="会员编号（原工会可见）")
    name: str
    from_org: str | None = None
    from_org_name: str | None = None
    to_org: str
    to_org_name: str
    status: str
    status_label: str
    on: datetime.date
    due_on: datetime.date
    note: str
    reason: str
    way: str


class TransferFilters(PageParams):
    side: str = Field("", pattern="^(|in|out)$", description="in：我方申请转入；out：待我方转出")
    status: TransferStatus | None = None


class LookupIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    q: str = Field(..., description="完整的18位身份证号或11位手机号", max_length=30)
    status: MemberStatus | None = None


class ExportIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    format: str = Field("xlsx", pattern="^(xlsx|csv)$")
    q: str = Field("", max_length=50)
    org: str = Field("", max_length=30)
    status: MemberStatus | None = None
    full: bool = Field(False, description="导出完整身份证号和手机号（须有查看权限并说明用途）")
    purpose: str = Field("", max_length=300, description="导出完整号码的用途（必填）")


class StatusIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    status: MemberStatus
    on: datetime.date | None = Field(None, description="日期，默认今天")
    note: str = Field("", max_length=200)


class RevealIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=500)


class RevealOut(Schema):
    id_number: str
    phone: str


class EventOut(Schema):
    kind: str
    on: datetime.date
    org: str
    other_org: str | None
    note: str

    @staticmethod
    def resolve_org(obj: Any) -> str:
        return obj.org.code

    @staticmethod
    def resolve_other_org(obj: Any) -> str | None:
        return obj.other_org.code if obj.other_org is not None else None


class ApplicationOut(Schema):
    id: int
    org: str
    name: str
    sex: str
    id_number: str = Field(..., description="身份证号（脱敏）")
    phone: str = Field(..., description="手机号（脱敏）")
    status: str
    created_at: datetime.datetime
    reason: str
    member: int | None

    @staticmethod
    def resolve_org(obj: JoinApplication) -> str:
        return obj.org.code

    @staticmethod
    def resolve_id_number(obj: JoinApplication) -> str:
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_phone(obj: JoinApplication) -> str:
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_member(obj: JoinApplication) -> int | None:
        return obj.member_id


class ApplicationFilters(PageParams):
    status: JoinStatus | None = None


class ApproveIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    on: datetime.date | None = None


class RejectIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(..., max_length=200)


# --- helpers ----------------------------------------------------------------------------


def _data(payload: Schema) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if hasattr(value, "value"):  # an enum member
            value = value.value
        out[key] = "" if value is None and key != "employer" else value
    return out


def _union(user: Any, code: str, field: str) -> Org:
    """An org the caller can see, by code; otherwise 422 naming the field (an org outside
    the caller's scope is reported exactly as an unknown one)."""
    org = Org.objects.filter(code=(code or "").strip()).first()
    if org is None or not can(user, "orgs.view", org):
        raise InvalidInput.one(field, _("工会不存在：%(code)s") % {"code": code})
    return org


def _detail(request: HttpRequest, member_id: int) -> Member:
    return access_member(request.user, member_id)


# --- routes -----------------------------------------------------------------------------


@router.post("/lookup", response=list[MemberOut], summary="按完整身份证号或手机号查找")
def member_lookup(request: HttpRequest, payload: LookupIn) -> list[Member]:
    """A whole ID number or mobile, by POST so that it never lands in an access log. Each
    look-up is an audit row (the number masked); ``GONGHUI_LOOKUP_LIMIT`` per user within
    ``GONGHUI_LOOKUP_WINDOW_MINUTES`` (then 429). Answers only members the caller may see."""
    return services.member_lookup(
        actor=request.user,
        value=payload.q,
        status=payload.status.value if payload.status else None,
    )


@router.get("", response=Page[MemberOut], summary="会员列表与检索")
def member_list(request: HttpRequest, filters: Query[MemberFilters]) -> dict[str, Any]:
    qs = member_search(
        request.user,
        filters.q,
        org=filters.org or None,
        status=filters.status.value if filters.status else None,
    )
    return paginate(qs, filters)


@router.post("", response={201: MemberDetail}, summary="新增会员")
def member_new(request: HttpRequest, payload: MemberIn) -> Status[Member]:
    data = _data(payload)
    org = _union(request.user, data.pop("org"), "org")
    member = services.member_create(actor=request.user, org=org, data=data)
    return Status(201, _detail(request, member.pk))


class RejectedRow(Schema):
    row: int = Field(..., description="spreadsheet row number")
    reason: str


class WarnedValue(Schema):
    row: int = Field(..., description="spreadsheet row number")
    column: str = Field(..., description="the file's own column title")
    value: str
    action: str = Field(..., description="what the import did with the value")


class ImportOut(Schema):
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    warned: int = Field(..., description="rows imported with a value not used as written")
    dry_run: bool
    unknown_columns: list[str]
    rejections: list[RejectedRow] = Field(..., description="every rejected row with its reason")
    warnings: list[WarnedValue] = Field(..., description="every value not used as written")


class ImportJobOut(Schema):
    id: int
    status: str
    dry_run: bool
    org: str
    file_name: str
    total: int
    processed: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    warned: int
    message: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    heartbeat_at: datetime.datetime | None = Field(None, description="the worker's last beat")
    attempt: int = Field(0, description="how many runs this job has had")
    cancel_requested: bool = False
    can_cancel: bool = False
    can_retry: bool = False

    @staticmethod
    def resolve_org(obj: ImportJob) -> str:
        return obj.org.code

    @staticmethod
    def resolve_can_cancel(obj: ImportJob) -> bool:
        return jobs.can_cancel(obj)

    @staticmethod
    def resolve_can_retry(obj: ImportJob) -> bool:
        return jobs.can_retry(obj)


@router.post(
    "/import",
    response={200: ImportOut, 202: ImportJobOut},
    summary="导入会员名册（CSV/XLSX）",
)
def member_import(
    request: HttpRequest,
    file: File[UploadedFile],
    org: Form[BoundedText],
    dry_run: Form[bool] = False,
    background: Form[bool] = False,
) -> Any:
    """Import a roster into the union ``org``. A small file is imported now, answered with
    the counts, every rejected row (row number and reason) and every warning (a value not
    recognised: the person is imported, the value left out or kept as written, ``warned``
    counts those rows apart from ``rejected``); ``dry_run`` changes nothing.
    ``background=true`` — and any file larger than ``GONGHUI_UPLOAD_INLINE_KB``, dry run or
    not — answers 202 with a job to poll at ``/import/{job_id}``. An unusable file, or one
    past the upload limits (bytes, inflated size, rows, type), answers 422 naming ``file``."""
    union = _union(request.user, org, "org")
    received = importing.save_upload(file)
    path = received.path
    name = file.name or path.name
    if background or not received.inline:
        try:
            job = importing.import_job_start(
                actor=request.user, org=union, path=path, file_name=name, dry_run=dry_run
            )
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return Status(202, job)
    try:
        result = importing.member_import(
            actor=request.user, org=union, path=path, file_name=name, dry_run=dry_run
        )
    finally:
        path.unlink(missing_ok=True)
    return {
        **result.as_json(),
        "dry_run": dry_run,
        "unknown_columns": result.unknown_columns,
        "rejections": [{"row": row, "reason": reason} for row, _c, reason in result.rejections],
        "warnings": [
            {"row": row, "column": column, "value": value, "action": action}
            for row, column, value, action in result.warnings
        ],
    }


@router.get("/import/{job_id}", response=ImportJobOut, summary="导入任务进度")
def member_import_job(request: HttpRequest, job_id: int) -> ImportJob:
    job = importing.import_jobs_visible_to(request.user).filter(pk=job_id).first()
    if job is None:
        raise NotFound()
    return job


def _managed_job(request: HttpRequest, job_id: int) -> ImportJob:
    job = importing.import_jobs_visible_to(request.user).filter(pk=job_id).first()
    if job is None:
        raise NotFound()
    if not can(request.user, "members.manage", job.org):
        raise Forbidden(_("当前角色无权执行此操作"))
    return cast(ImportJob, job)


@router.post("/import/{job_id}/cancel", response=ImportJobOut, summary="取消导入任务")
def member_import_cancel(request: HttpRequest, job_id: int) -> ImportJob:
    """A waiting job, or one whose worker died, is cancelled at once; a running one stops at
    its next progress, before anything is written (``cancel_requested`` until then). A job
    already finished answers 409."""
    return jobs.job_cancel(job=_managed_job(request, job_id), actor=request.user)


@router.post("/import/{job_id}/retry", response=ImportJobOut, summary="重试导入任务")
def member_import_retry(request: HttpRequest, job_id: int) -> ImportJob:
    """Run a failed or cancelled job again from its upload (kept until its retention); rows
    already in the registry stay unchanged. Any other job, or one whose upload is gone,
    answers 409."""
    from .tasks import import_members_job

    return jobs.job_retry(
        job=_managed_job(request, job_id), actor=request.user, enqueue=import_members_job.enqueue
    )


@router.post("/transfer-in", response=MemberDetail, summary="会籍接转（本单位范围内一步转入）")
def member_transfer_in(request: HttpRequest, payload: TransferInByNumber) -> Member:
    """The receiving union takes a member in, in one step, by full ID number and name — only
    a member of a union within the caller's own scope. Anyone else answers 409 "此人无法在本
    单位办理，请其申请会籍接转": apply with ``POST /transfers``. Each call is an audited,
    rate-limited look-up."""
    to_org = _union(request.user, payload.to_org, "to_org")
    member = services.member_transfer_in(
        actor=request.user,
        id_number=payload.id_number,
        name=payload.name,
        to_org=to_org,
        on=payload.on,
        note=payload.note,
    )
    return _detail(request, member.pk)


@router.post("/transfers", response={201: TransferRequestOut}, summary="申请会籍接转")
def transfer_apply(request: HttpRequest, payload: TransferApplyIn) -> Status[dict[str, Any]]:
    """The receiving union applies to take in a member of a union outside its scope. The
    releasing union approves or refuses, the member confirms from the portal, or the request
    completes by itself after ``GONGHUI_TRANSFER_WORKDAYS`` working days without objection.
    A member within the caller's scope is moved at once (status ``done``)."""
    to_org = _union(request.user, payload.to_org, "to_org")
    req = services.transfer_apply(
        actor=request.user,
        id_number=payload.id_number,
        name=payload.name,
        to_org=to_org,
        note=payload.note,
    )
    return Status(201, transfer_view(request.user, access_transfer_request(request.user, req.pk)))


@router.get("/transfers", response=Page[TransferRequestOut], summary="会籍接转申请")
def transfer_list(request: HttpRequest, filters: Query[TransferFilters]) -> dict[str, Any]:
    qs = transfer_requests_visible_to(
        request.user,
        side=filters.side,
        status=filters.status.value if filters.status else None,
    )
    page = paginate(qs, filters)
    page["items"] = [transfer_view(request.user, r) for r in page["items"]]
    return page


@router.get("/transfers/{request_id}", response=TransferRequestOut, summary="会籍接转申请详情")
def transfer_detail(request: HttpRequest, request_id: int) -> dict[str, Any]:
    return transfer_view(request.user, access_transfer_request(request.user, request_id))


class RefuseIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(..., max_length=200)


@router.post(
    "/transfers/{request_id}/approve", response=TransferRequestOut, summary="同意转出（原工会）"
)
def transfer_approve(request: HttpRequest, request_id: int) -> dict[str, Any]:
    req = access_transfer_request(request.user, request_id)
    services.transfer_approve(actor=request.user, request=req)
    return transfer_view(request.user, access_transfer_request(request.user, request_id))


@router.post(
    "/transfers/{request_id}/refuse", response=TransferRequestOut, summary="不同意转出（原工会）"
)
def transfer_refuse(request: HttpRequest, request_id: int, payload: RefuseIn) -> dict[str, Any]:
    req = access_transfer_request(request.user, request_id)
    services.transfer_refuse(actor=request.user, request=req, reason=payload.reason)
    return transfer_view(request.user, access_transfer_request(request.user, request_id))


@router.post(
    "/transfers/{request_id}/cancel", response=TransferRequestOut, summary="撤回申请（转入工会）"
)
def transfer_cancel(request: HttpRequest, request_id: int) -> dict[str, Any]:
    req = access_transfer_request(request.user, request_id)
    services.transfer_cancel(actor=request.user, request=req)
    return transfer_view(request.user, access_transfer_request(request.user, request_id))


@router.post(
    "/transfers/{request_id}/confirm", response=TransferRequestOut, summary="本人确认转入（会员）"
)
def transfer_confirm(request: HttpRequest, request_id: int) -> dict[str, Any]:
    req = access_transfer_request(request.user, request_id)
    services.transfer_confirm(actor=request.user, request=req)
    return transfer_view(request.user, access_transfer_request(request.user, request_id))


@router.post("/export", summary="导出会员名册（默认脱敏；完整号码须说明用途）")
def member_export(request: HttpRequest, payload: ExportIn) -> Any:
    """The caller's filtered list as XLSX or CSV, masked. ``full=true`` exports whole ID
    numbers and phones: only with the reveal right and a ``purpose``, audited with the
    filters and the row count before the first row."""
    from gonghui.core.web import spreadsheet_download

    from . import exporting

    org = _union(request.user, payload.org, "org") if payload.org else None
    header, rows = exporting.audited_rows(
        request.user,
        payload.format,
        q=payload.q,
        org=org,
        status=payload.status.value if payload.status else None,
        full=payload.full,
        purpose=payload.purpose,
    )
    return spreadsheet_download(
        payload.format, _("会员名册"), header, rows, exporting.export_file_name(payload.format)
    )


@router.get("/applications", response=Page[ApplicationOut], summary="入会申请")
def application_list(request: HttpRequest, filters: Query[ApplicationFilters]) -> dict[str, Any]:
    qs = join_applications_visible_to(
        request.user, status=filters.status.value if filters.status else None
    )
    return paginate(qs, filters)


@router.post(
    "/applications/{application_id}/approve",
    response={200: MemberDetail, 202: TransferRequestOut},
    summary="批准入会申请",
)
def application_approve(
    request: HttpRequest, application_id: int, payload: ApproveIn | None = None
) -> Any:
    """200 with the member; 202 with the transfer request filed instead when the person is
    active in a union outside the caller's scope (the member arrives once it completes)."""
    application = access_join_application(request.user, application_id)
    member = services.join_approve(
        actor=request.user, application=application, on=payload.on if payload else None
    )
    if member.org_id != application.org_id:
        req = transfer_requests_visible_to(request.user, side="in").filter(member=member).first()
        if req is not None:
            return Status(202, transfer_view(request.user, req))
    return _detail(request, member.pk)


@router.post(
    "/applications/{application_id}/reject", response=ApplicationOut, summary="驳回入会申请"
)
def application_reject(
    request: HttpRequest, application_id: int, payload: RejectIn
) -> JoinApplication:
    application = access_join_application(request.user, application_id)
    services.join_reject(actor=request.user, application=application, reason=payload.reason)
    return access_join_application(request.user, application_id)


@router.get("/{member_id}", response=MemberDetail, summary="会员详情")
def member_detail(request: HttpRequest, member_id: int) -> Member:
    return _detail(request, member_id)


@router.patch("/{member_id}", response=MemberDetail, summary="修改会员信息")
def member_edit(request: HttpRequest, member_id: int, payload: MemberPatch) -> Member:
    member = _detail(request, member_id)
    services.member_update(actor=request.user, member=member, data=_data(payload))
    return _detail(request, member_id)


@router.post("/{member_id}/transfer", response=MemberDetail, summary="会籍接转")
def member_transfer(request: HttpRequest, member_id: int, payload: TransferIn) -> Member:
    """For a member the caller can see (e.g. between two unions of one county). A receiving
    union that cannot see the member uses ``/transfer-in`` with the full ID number."""
    member = _detail(request, member_id)
    to_org = _union(request.user, payload.to_org, "to_org")
    services.member_transfer(
        actor=request.user, member=member, to_org=to_org, on=payload.on, note=payload.note
    )
    return _detail(request, member_id)  # the caller manages ``to_org``, so still sees it


@router.post("/{member_id}/status", response=MemberDetail, summary="退会、停会、恢复会籍")
def member_status(request: HttpRequest, member_id: int, payload: StatusIn) -> Member:
    member = _detail(request, member_id)
    services.member_set_status(
        actor=request.user,
        member=member,
        status=payload.status.value,
        on=payload.on,
        note=payload.note,
    )
    return _detail(request, member_id)


@router.post("/{member_id}/reveal", response=RevealOut, summary="查看完整身份证号和手机号")
def member_reveal(
    request: HttpRequest, member_id: int, payload: RevealIn | None = None
) -> dict[str, str]:
    member = _detail(request, member_id)
    return services.member_reveal(
        actor=request.user, member=member, reason=payload.reason if payload else ""
    )


@router.get("/{member_id}/history", response=list[EventOut], summary="会籍变动记录")
def member_events(request: HttpRequest, member_id: int) -> list[Any]:
    return list(member_history(_detail(request, member_id)))
