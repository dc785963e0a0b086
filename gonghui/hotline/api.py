"""API of the 12351 hotline (``/api/v1/hotline``): the provincial platform's contract.

- ``POST /tickets`` files an order (201); the same ``external_no`` again answers 200 with the
  existing order and creates nothing.
- ``GET /tickets`` (``status``, ``overdue``, ``org``, ``from``, ``to``, ``external_no``), ``GET
  /tickets/{id}`` with its timeline; an order off the caller's path answers 404 like a
  missing one. ``changed_since`` lists the orders whose handling changed after that moment,
  oldest change first: the provincial platform polls with the last ``updated_at`` it took
  and reads the results back. A change's time is taken when its step starts, so a poller
  that must miss nothing starts a minute before its last ``updated_at`` and skips the
  ``(id, updated_at)`` pairs it already holds.
- one ``POST /tickets/{id}/<action>`` per step; an illegal step is 409 with ``allowed``.
- ``GET /stats?org=&from=&to=`` the figures of ``stats.ticket_stats``; ``GET /stats/{by}``
  (``category``, ``topic``, ``county``) their breakdown.
Caller names and phones are masked in every answer.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from pydantic import create_model

from gonghui.core import periods
from gonghui.core.api import BoundedText, InputSchema, Page, PageParams
from gonghui.core.errors import InvalidInput, NotFound
from gonghui.core.masking import mask_name, mask_phone
from gonghui.core.roles import can
from gonghui.orgs.models import Org

from . import importing, selectors, services, stats
from .models import Satisfaction, Ticket, TicketEvent

router = Router(tags=["hotline"])


# --- schemas ----------------------------------------------------------------------------


class TicketIn(InputSchema):
    bounds = (Ticket,)

    external_no: str = Field("", description="省平台工单号；重复推送返回已有工单")
    received_at: datetime.datetime | None = Field(None, description="受理时间，缺省为现在")
    channel: str = Field("phone", description="phone/province/app/web/wechat/visit/letter")
    caller_name: str
    caller_phone: str = ""
    caller_id_number: str = ""
    employer: str = ""
    category: str = Field(..., description="consult / demand / suggestion")
    complexity: str = Field("normal", description="normal / hard / complex")
    topic: str = Field(..., description="诉求主题的代码或名称，如 0101 或 拖欠工资")
    content: str
    urgency: str = Field("normal", description="normal / urgent / critical")
    org: str = Field("", description="受理单位代码，缺省为调用者所在单位")
    answered_on_spot: bool = Field(False, description="咨询类当场答复即结案")
    answer: str = ""


class TicketOut(Schema):
    id: int
    number: str
    external_no: str
    status: str
    channel: str
    received_at: datetime.datetime
    caller_name: str = Field(..., description="来电人（脱敏）")
    caller_phone: str = Field(..., description="联系电话（脱敏）")
    category: str
    complexity: str
    topic: str = Field(..., description="诉求主题代码")
    topic_name: str
    urgency: str
    receiving_org: str
    handler_org: str | None
    due_on: datetime.date | None
    card: str
    overdue: bool
    wages_recovered: Decimal
    workers: int
    satisfaction: str
    closed_at: datetime.datetime | None
    closed_on_time: bool | None
    reopen_count: int
    updated_at: str = Field(
        ...,
        description="最近一次办理变化的时间，精确到微秒（下一次按 changed_since 续取的起点）",
        json_schema_extra={"format": "date-time"},
    )

    @staticmethod
    def resolve_number(obj: Ticket) -> str:
        return obj.number or ""

    @staticmethod
    def resolve_updated_at(obj: Ticket) -> str:
        return exact_time(obj.updated_at)

    @staticmethod
    def resolve_caller_name(obj: Ticket) -> str:
        return mask_name(obj.caller_name)

    @staticmethod
    def resolve_caller_phone(obj: Ticket) -> str:
        return mask_phone(obj.caller_phone)

    @staticmethod
    def resolve_topic(obj: Ticket) -> str:
        return obj.topic.code

    @staticmethod
    def resolve_topic_name(obj: Ticket) -> str:
        return obj.topic.name

    @staticmethod
    def resolve_receiving_org(obj: Ticket) -> str:
        return obj.receiving_org.code

    @staticmethod
    def resolve_handler_org(obj: Ticket) -> str | None:
        return obj.handler_org.code if obj.handler_org else None


# The list's item: the same fields, types and descriptions as ``TicketOut``, but a plain
# pydantic model validated from the prepared values of ``selectors.ticket_rows`` (ninja's
# ``Schema`` reads every field of every item through an attribute getter: 500 orders
# would spend more time there than in the query).
TicketListItem = create_model(
    "TicketListItem",
    __doc__="A work order as the list shows it (caller name and phone masked).",
    **{name: (f.annotation, f) for name, f in TicketOut.model_fields.items()},  # type: ignore[call-overload]
)


def exact_time(value: datetime.datetime) -> str:
    """A time in UTC to the microsecond (the API's other times are written to the
    millisecond): given back as ``changed_since``, it excludes the order it came from."""
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def list_item(row: dict[str, Any]) -> dict[str, Any]:
    """A row of ``selectors.ticket_rows`` as ``TicketOut`` shows the order."""
    row["number"] = row["number"] or ""
    row["updated_at"] = exact_time(row["updated_at"])
    row["caller_name"] = mask_name(row["caller_name"])
    row["caller_phone"] = mask_phone(row["caller_phone"])
    return row


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: str = Field(..., description="操作人用户名")
    actor_name: str = Field(..., description="操作人姓名")
    org: str | None
    org_name: str | None = Field(None, description="操作人所在组织名称")
    at: datetime.datetime
    note: str
    data: dict[str, Any]

    @staticmethod
    def resolve_actor(obj: TicketEvent) -> str:
        return obj.actor_name

    @staticmethod
    def resolve_actor_name(obj: TicketEvent) -> str:
        return obj.actor.display_name if obj.actor else obj.actor_name

    @staticmethod
    def resolve_org(obj: TicketEvent) -> str | None:
        return obj.org.code if obj.org else None

    @staticmethod
    def resolve_org_name(obj: TicketEvent) -> str | None:
        return obj.org.name if obj.org else None


class TicketDetail(TicketOut):
    content: str
    result: str
    answer: str
    timeline: list[EventOut]
    actions: list[str] = Field(..., description="调用者现在可执行的操作")


class TicketFilters(PageParams):
    status: str = ""
    overdue: bool | None = None
    org: str = Field("", description="经办路径上的工会代码（含下级）")
    date_from: datetime.date | None = Field(None, alias="from", description="受理日期起（含）")
    date_to: datetime.date | None = Field(None, alias="to", description="受理日期止（含）")
    external_no: str = Field("", max_length=40, description="省平台工单号（精确查找）")
    changed_since: datetime.datetime | None = Field(
        None,
        description="只列出此时刻之后办理有变化的工单，按变化先后排列：省平台以上次取到的最后一条的"
        " updated_at 续取，取回办理结果",
    )


class StatsParams(InputSchema):
    org: str = Field("", description="工会代码，缺省为调用者所在单位")
    period: str = Field(
        "",
        description="预设期间：month（本月）、quarter（本季度）、year（本年）、last_year（上年）；"
        "给出 from/to 时以日期为准；都不给为本年",
    )
    date_from: datetime.date | None = Field(None, alias="from")
    date_to: datetime.date | None = Field(None, alias="to")


class StatsOut(Schema):
    org: str
    date_from: datetime.date = Field(..., alias="from")
    date_to: datetime.date = Field(..., alias="to")
    received: int
    dispatched: int
    closed: int
    closed_on_time: int
    on_time_rate: float | None
    callback_rate: float | None
    satisfaction_rate: float | None
    reopen_rate: float | None
    wages_recovered: Decimal


class BreakdownRow(Schema):
    key: str
    label: str
    received: int
    dispatched: int
    closed: int
    closed_on_time: int
    on_time_rate: float | None
    callback_rate: float | None
    satisfaction_rate: float | None
    reopen_rate: float | None
    wages_recovered: Decimal


class NoteIn(InputSchema):
    note: str = ""


class DispatchIn(InputSchema):
    org: str = Field(..., description="派往单位代码")
    note: str = ""


class ReturnIn(InputSchema):
    reason: str


class ExtendIn(InputSchema):
    days: int = Field(..., ge=1, le=30)
    reason: str


class ApproveIn(InputSchema):
    approved: bool
    note: str = ""


class ReplyIn(InputSchema):
    bounds = (Ticket,)

    result: str
    wages_recovered: Decimal | None = Field(None, ge=0, description="追回欠薪（元）")
    workers: int | None = Field(None, ge=0)


class CallbackIn(InputSchema):
    satisfaction: Satisfaction
    note: str = ""


class CheckIn(InputSchema):
    passed: bool
    note: str = ""


class ReassignIn(InputSchema):
    org: str = Field(..., description="改派单位代码")
    note: str = ""


class SuperviseIn(InputSchema):
    note: str


# --- helpers ----------------------------------------------------------------------------


def _org(user: Any, code: str, field: str) -> Org:
    org = Org.objects.filter(code=code.strip()).first()
    if org is None or not can(user, "hotline.view", org):
        raise InvalidInput.one(field, "未找到该工会")
    return org


def _detail(user: Any, ticket_id: int) -> Ticket:
    ticket = selectors.ticket_detail(user, ticket_id)
    ticket.timeline = list(ticket.events.all())  # type: ignore[attr-defined]
    ticket.actions = [name for name, _ in selectors.ticket_actions(user, ticket)]  # type: ignore[attr-defined]
    return ticket


# --- routes -----------------------------------------------------------------------------


@router.post("/tickets", response={200: TicketOut, 201: TicketOut}, summary="登记/推送工单")
def ticket_new(request: HttpRequest, payload: TicketIn) -> Status[Ticket]:
    data = payload.dict()
    if not data["received_at"]:
        data.pop("received_at")
    ticket, created = services.ticket_create(actor=request.user, data=data)
    return Status(201 if created else 200, selectors.access_ticket(request.user, ticket.pk))


class ImportRejection(Schema):
    row: int = Field(..., description="表格中的行号")
    reason: str


class ImportOut(Schema):
    rows: int
    created: int
    unchanged: int = Field(..., description="工单编号已登记过的行")
    rejected: int
    rejections: list[ImportRejection]


class ImportJobOut(Schema):
    id: int
    status: str
    org: str
    file_name: str
    rows: int
    created: int
    unchanged: int
    rejected: int
    message: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None

    @staticmethod
    def resolve_org(obj: Any) -> str:
        return str(obj.org.code)

    @staticmethod
    def resolve_rows(obj: Any) -> int:
        return int(obj.total)


@router.post(
    "/tickets/import",
    response={200: ImportOut, 202: ImportJobOut},
    summary="导入省平台转办单（CSV/XLSX）",
)
def ticket_import(
    request: HttpRequest, file: File[UploadedFile], org: Form[BoundedText | None] = None
) -> Any:
    """File every row of the provincial transfer spreadsheet at ``org`` (default: the
    caller's org). Rows already imported (same 工单编号) are unchanged; bad rows are rejected
    with their row number and reason. A sheet larger than ``GONGHUI_UPLOAD_INLINE_KB`` is
    imported by the worker: 202 with a job to poll at ``/tickets/import/{job_id}``. An
    unusable file, or one past the upload limits, answers 422 naming ``file``."""
    # optional as ``| None``: ninja drops the default of an annotated form field ("required")
    org = org or ""
    target = getattr(request.user, "org", None)
    if org.strip():
        target = Org.objects.filter(code=org.strip()).first()
    if target is None:
        raise NotFound(_("未找到该工会"))
    received = importing.receive(file)
    if not received.inline:
        return Status(
            202, importing.import_job_queue(actor=request.user, org=target, received=received)
        )
    return importing.import_received(actor=request.user, received=received, org=target).as_json()


@router.get("/tickets/import/{job_id}", response=ImportJobOut, summary="转办单导入任务")
def ticket_import_job(request: HttpRequest, job_id: int) -> Any:
    job = importing.import_jobs_visible_to(request.user).filter(pk=job_id).first()
    if job is None:
        raise NotFound()
    return job


@router.get("/tickets", response=Page[TicketListItem], summary="工单列表")  # type: ignore[valid-type]
def ticket_list(request: HttpRequest, filters: Query[TicketFilters]) -> dict[str, Any]:
    """Newest first; one page query and one count whatever ``limit``."""
    user = request.user
    periods.check_filter(filters.date_from, filters.date_to)
    org = _org(user, filters.org, "org") if filters.org else None
    since = filters.changed_since
    if since is not None and timezone.is_naive(since):
        since = timezone.make_aware(since)  # a time without an offset is local (Asia/Shanghai)
    qs = selectors.tickets_filtered(
        user,
        status=filters.status,
        overdue=filters.overdue,
        org=org,
        start=filters.date_from,
        end=filters.date_to,
        external_no=filters.external_no.strip(),
        changed_since=since,
    )
    ordering = selectors.NEWEST_FIRST if since is None else selectors.OLDEST_CHANGE_FIRST
    rows = selectors.ticket_rows(
        qs, filters.offset, filters.offset + filters.limit, ordering=ordering, user=user
    )
    return {"items": [list_item(row) for row in rows], "count": qs.count()}


@router.get("/tickets/{ticket_id}", response=TicketDetail, summary="工单详情与办理时间线")
def ticket_get(request: HttpRequest, ticket_id: int) -> Ticket:
    return _detail(request.user, ticket_id)


class RevealIn(InputSchema):
    reason: str = ""


class RevealOut(Schema):
    caller_name: str
    caller_phone: str
    caller_id_number: str


@router.post(
    "/tickets/{ticket_id}/reveal", response=RevealOut, summary="查看来电人完整信息（留痕）"
)
def ticket_reveal(request: HttpRequest, ticket_id: int, payload: RevealIn) -> dict[str, str]:
    ticket = selectors.access_ticket(request.user, ticket_id)
    return services.ticket_reveal(actor=request.user, ticket=ticket, reason=payload.reason)


def _step_route(action: str, schema: type[Schema], summary: str) -> None:
    def view(request: HttpRequest, ticket_id: int, payload: Any) -> Ticket:
        ticket = selectors.access_ticket(request.user, ticket_id)
        data = payload.dict()
        if "satisfaction" in data:
            data["satisfaction"] = str(getattr(data["satisfaction"], "value", data["satisfaction"]))
        services.ticket_act(actor=request.user, ticket=ticket, action=action, data=data)
        return _detail(request.user, ticket_id)

    view.__annotations__ = {"request": HttpRequest, "ticket_id": int, "payload": schema}
    view.__name__ = f"ticket_{action.replace('-', '_')}"
    router.post(f"/tickets/{{ticket_id}}/{action}", response=TicketDetail, summary=summary)(view)


for _action, _schema, _summary in (
    ("dispatch", DispatchIn, "派单"),
    ("accept", NoteIn, "签收"),
    ("return", ReturnIn, "退单"),
    ("extend", ExtendIn, "申请延期"),
    ("approve-extension", ApproveIn, "审批延期"),
    ("reply", ReplyIn, "办结反馈"),
    ("callback", CallbackIn, "回访"),
    ("check", CheckIn, "质检"),
    ("close", NoteIn, "结案"),
    ("reassign", ReassignIn, "改派"),
    ("supervise", SuperviseIn, "督办"),
    ("progress", SuperviseIn, "记录进展"),
):
    _step_route(_action, _schema, _summary)


def _period(user: Any, params: StatsParams) -> tuple[Org, datetime.date, datetime.date]:
    period = periods.resolve(period=params.period, start=params.date_from, end=params.date_to)
    start, end = period.start, period.end
    if params.org:
        org = Org.objects.filter(code=params.org.strip()).first()
        if org is None:
            raise NotFound("未找到该工会")
    else:
        org = user.org
    return org, start, end


@router.get("/stats", response=StatsOut, summary="热线统计", by_alias=True)
def ticket_stats(request: HttpRequest, params: Query[StatsParams]) -> dict[str, Any]:
    org, start, end = _period(request.user, params)
    figures = stats.ticket_stats(request.user, org, start, end)
    return {"org": org.code, "from": start, "to": end, **figures}


@router.get("/stats/{by}", response=list[BreakdownRow], summary="热线统计分类（类别/主题/县区）")
def ticket_stats_by(request: HttpRequest, by: str, params: Query[StatsParams]) -> Any:
    org, start, end = _period(request.user, params)
    return stats.stats_breakdown(request.user, org, start, end, by)
