"""API of legal aid (``/api/v1/legal``): stations, staff, cases and consultations.

- ``GET /stations``, ``GET /stations/{id}``, ``POST /stations`` (create or update by code);
  ``GET /staff``, ``POST /staff``.
- ``GET /cases`` (``status``, ``open``, ``q``, ``org``), ``GET /cases/{id}`` with its applicants,
  claims, statutory dates and timeline, ``POST /cases`` (apply), ``POST /cases/from-ticket/{id}``
  (a 12351 order converted), one ``POST /cases/{id}/<step>`` per workflow step (409 naming the
  allowed ones), ``POST /cases/{id}/stages`` (the lawyer), ``POST /cases/{id}/files``
  (evidence), ``GET /cases/{id}/letter.pdf``.
- ``GET /consultations``, ``GET /consultations/{id}`` (the content only for who may read it),
  ``POST /consultations`` (a member asks), ``POST /consultations/{id}/messages``,
  ``POST /consultations/{id}/assign``, ``POST /consultations/{id}/close``.

Out of scope answers 404 like missing; lawyers and counsellors get exactly what is assigned
to them; names and ID numbers are masked.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from gonghui.core.api import InputSchema, Page, PageParams, paginate
from gonghui.core.errors import Forbidden, NotFound
from gonghui.core.masking import mask_id_number, mask_name, mask_phone
from gonghui.core.roles import can
from gonghui.orgs.models import Org

from . import documents, selectors, services
from .deadlines import case_limits, worst_card
from .models import Applicant, Case, Claim, Consultation, Staff, Station

router = Router(tags=["legal"])


# --- stations and staff -------------------------------------------------------------------


class StationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    org: str
    org_name: str
    address: str
    longitude: Decimal | None
    latitude: Decimal | None
    hours: str
    phone: str
    founded_on: datetime.date
    active: bool

    @staticmethod
    def resolve_kind_label(obj: Station) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_org(obj: Station) -> str:
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj: Station) -> str:
        return obj.org.name


class StationIn(InputSchema):
    bounds = (Station,)

    code: str
    name: str
    kind: str = Field(..., description="station / arbitration / mediation / centre")
    org: str = Field(..., description="所属工会代码")
    address: str = ""
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    hours: str = ""
    phone: str = ""
    founded_on: datetime.date | None = None
    active: bool = True


class StationFilters(PageParams):
    kind: str = ""


@router.get("/stations", response=Page[StationOut], summary="维权服务站点")
def station_list(request: HttpRequest, filters: Query[StationFilters]) -> dict[str, Any]:
    qs = selectors.stations_visible_to(request.user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return paginate(qs, filters)


@router.get("/stations/{station_id}", response=StationOut, summary="站点详情")
def station_get(request: HttpRequest, station_id: int) -> Station:
    return selectors.access_station(request.user, station_id)


@router.post("/stations", response=StationOut, summary="新建或更新站点（按编号）")
def station_save(request: HttpRequest, payload: StationIn) -> Station:
    if not can(request.user, "legal.stations"):
        raise Forbidden(_("当前角色不能维护站点"))
    return services.station_save(actor=request.user, data=payload.dict())


class StaffOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    station: str
    station_name: str
    org: str
    firm: str
    phone: str = Field(..., description="联系电话（脱敏）")
    username: str | None
    since: datetime.date
    active: bool

    @staticmethod
    def resolve_kind_label(obj: Staff) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_station(obj: Staff) -> str:
        return obj.station.code

    @staticmethod
    def resolve_station_name(obj: Staff) -> str:
        return obj.station.name

    @staticmethod
    def resolve_org(obj: Staff) -> str:
        return obj.org.code

    @staticmethod
    def resolve_phone(obj: Staff) -> str:
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_username(obj: Staff) -> str | None:
        return obj.user.username if obj.user else None


class StaffIn(InputSchema):
    bounds = (Staff,)

    station: str = Field(..., description="站点编号")
    name: str
    kind: str = Field(
        ..., description="union_lawyer / mediator / supervisor / partner / counsellor"
    )
    firm: str = ""
    phone: str = ""
    user: str = Field("", description="登录账号的用户名")
    since: datetime.date | None = None
    active: bool = True


@router.get("/staff", response=Page[StaffOut], summary="法律服务人员")
def staff_list(request: HttpRequest, filters: Query[PageParams]) -> dict[str, Any]:
    return paginate(
        selectors.staff_visible_to(request.user).order_by("station__code", "name"), filters
    )


@router.post("/staff", response=StaffOut, summary="新建或更新人员（按站点与姓名）")
def staff_save(request: HttpRequest, payload: StaffIn) -> Staff:
    if not can(request.user, "legal.stations"):
        raise Forbidden(_("当前角色不能维护站点人员"))
    return services.staff_save(actor=request.user, data=payload.dict())


# --- cases --------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    service: str
    channel: str
    org: str
    org_name: str
    employer_name: str
    employer_uscc: str
    dispute_on: datetime.date
    applied_on: datetime.date
    lawyer: str | None
    workers: int
    group: bool
    outcome: str
    amount_recovered: Decimal
    workers_helped: int
    closed_on: datetime.date | None
    ticket: int | None
    card: str

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_org(obj: Case) -> str:
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj: Case) -> str:
        return obj.org.name

    @staticmethod
    def resolve_lawyer(obj: Case) -> str | None:
        return obj.lawyer.username if obj.lawyer else None

    @staticmethod
    def resolve_workers(obj: Case) -> int:
        return obj.workers_count

    @staticmethod
    def resolve_group(obj: Case) -> bool:
        return obj.is_group

    @staticmethod
    def resolve_ticket(obj: Case) -> int | None:
        return obj.ticket_id

    @staticmethod
    def resolve_card(obj: Case) -> str:
        return worst_card(case_limits(obj, timezone.localdate()))


class ApplicantOut(Schema):
    name: str = Field(..., description="姓名（脱敏）")
    id_number: str = Field(..., description="身份证号（脱敏）")
    is_member: bool
    share: Decimal

    @staticmethod
    def resolve_name(obj: Applicant) -> str:
        return mask_name(obj.name)

    @staticmethod
    def resolve_id_number(obj: Applicant) -> str:
        return mask_id_number(obj.id_number) if obj.id_number else ""


class ClaimOut(Schema):
    item: str
    amount: Decimal


class LimitOut(Schema):
    key: str
    label: str
    due_on: datetime.date
    unit: str
    card: str


class EventOut(Schema):
    at: datetime.datetime
    action: str
    label: str
    actor_name: str
    from_status: str
    to_status: str
    note: str


class CaseDetail(CaseOut):
    facts: str
    refusal_reason: str
    referred_to: str
    mediation_on: datetime.date | None
    arbitration_on: datetime.date | None
    accepted_on: datetime.date | None
    award_on: datetime.date | None
    lawsuit_on: datetime.date | None
    rating: int | None
    applicants: list[ApplicantOut]
    claims: list[ClaimOut]
    limits: list[LimitOut]
    timeline: list[EventOut]
    actions: list[str]

    @staticmethod
    def resolve_applicants(obj: Case) -> list[Applicant]:
        return list(obj.applicants.all())

    @staticmethod
    def resolve_claims(obj: Case) -> list[Claim]:
        return list(obj.claims.all())

    @staticmethod
    def resolve_limits(obj: Case) -> list[Any]:
        return case_limits(obj, timezone.localdate())


class ApplicantIn(InputSchema):
    bounds = (Applicant,)
    name: str = Field(..., max_length=50)
    id_number: str = Field("", max_length=20)
    phone: str = Field("", max_length=20)


class ClaimIn(InputSchema):
    bounds = (Claim,)
    item: str
    amount: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)


class CaseIn(InputSchema):
    bounds = (Case,)
    service: str = Field(
        "arbitration", description="consult/drafting/mediation/arbitration/litigation"
    )
    facts: str = Field(..., max_length=5000)
    employer_name: str = ""
    employer_uscc: str = ""
    dispute_on: datetime.date
    consent: bool = Field(..., description="同意工会为办理援助使用所提供的信息")
    org: str = Field("", description="承办工会代码（工会代为申请时），缺省为本级")
    applicants: list[ApplicantIn] = Field(default_factory=list, max_length=500)
    claims: list[ClaimIn] = Field(default_factory=list, max_length=50)


class FromTicketIn(InputSchema):
    service: str = "arbitration"
    dispute_on: datetime.date
    consent: bool
    employer_uscc: str = Field("", max_length=18)
    org: str = Field("", max_length=32)


class CaseFilters(PageParams):
    status: str = Field("", max_length=12)
    open: bool = False
    q: str = Field("", max_length=50)
    org: str = Field("", max_length=32)


def _detail(user: Any, case_id: int) -> Case:
    case = selectors.access_case(user, case_id)
    case.timeline = selectors.case_timeline(case)  # type: ignore[attr-defined]
    case.actions = [n for n, _ in selectors.case_actions(user, case)]  # type: ignore[attr-defined]
    return case


@router.get("/cases", response=Page[CaseOut], summary="法律援助案件")
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    org = None
    if filters.org:
        org = Org.objects.filter(code=filters.org).first()
        if org is None or not can(request.user, "legal.view", org):
            raise NotFound(_("未找到该工会"))
    qs = selectors.case_list(
        request.user, status=filters.status, open_only=filters.open, q=filters.q, org=org
    )
    page = paginate(qs, filters)
    page["items"] = selectors.with_workers(page["items"])  # one count query for the page
    return page


@router.post("/cases", response={201: CaseDetail}, summary="申请法律援助")
def case_new(request: HttpRequest, payload: CaseIn) -> Status[Case]:
    case = services.case_create(actor=request.user, data=payload.dict())
    return Status(201, _detail(request.user, case.pk))


@router.post(
    "/cases/from-ticket/{ticket_id}", response={201: CaseDetail}, summary="热线工单转为援助案件"
)
def case_from_ticket(request: HttpRequest, ticket_id: int, payload: FromTicketIn) -> Status[Case]:
    from gonghui.hotline import selectors as hotline_selectors

    if not can(request.user, "legal.convert"):
        raise NotFound()
    ticket = hotline_selectors.access_ticket(request.user, ticket_id)
    case = services.case_from_ticket(actor=request.user, ticket=ticket, data=payload.dict())
    return Status(201, _detail(request.user, case.pk))


@router.get("/cases/{case_id}", response=CaseDetail, summary="案件详情、法定期限与时间线")
def case_get(request: HttpRequest, case_id: int) -> Case:
    return _detail(request.user, case_id)


class StepIn(InputSchema):
    reason: str = Field("", max_length=1000)
    note: str = Field("", max_length=2000)
    org: str = Field("", max_length=32, description="移交：接收工会代码")
    to: str = Field("", max_length=100, description="转介：接收机构")
    lawyer: str = Field("", max_length=150, description="指派：律师用户名")
    outcome: str = Field("", max_length=10, description="won/settled/partly/lost/withdrawn")
    amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    workers: int | None = Field(None, ge=0, le=100000)


def _step_route(action: str, summary: str) -> None:
    def view(request: HttpRequest, case_id: int, payload: StepIn) -> Case:
        case = selectors.access_case(request.user, case_id)
        services.case_act(actor=request.user, case=case, action=action, data=payload.dict())
        return _detail(request.user, case_id)

    view.__name__ = f"case_{action}"
    router.post(f"/cases/{{case_id}}/{action}", response=CaseDetail, summary=summary)(view)


for _action, _summary in (
    ("return", "退回补充材料"),
    ("resubmit", "补充材料后重新提交"),
    ("complete", "材料齐全"),
    ("approve", "批准援助"),
    ("refuse", "不予援助"),
    ("transfer", "移交其他工会"),
    ("refer", "转介其他机构"),
    ("assign", "指派律师"),
    ("reassign", "改派律师"),
    ("accept", "律师接案"),
    ("conclude", "记录结果"),
    ("close", "结案"),
    ("withdraw", "撤回申请"),
):
    _step_route(_action, _summary)


class StageIn(InputSchema):
    kind: str = Field(..., max_length=14)
    on: datetime.date
    note: str = Field("", max_length=2000)


@router.post("/cases/{case_id}/stages", response=CaseDetail, summary="记录办案阶段（律师）")
def case_stage(request: HttpRequest, case_id: int, payload: StageIn) -> Case:
    case = selectors.access_case(request.user, case_id)
    services.case_stage(
        actor=request.user, case=case, kind=payload.kind, on=payload.on, note=payload.note
    )
    return _detail(request.user, case_id)


class FileOut(Schema):
    id: int
    name: str
    size: int
    sha256: str


@router.post("/cases/{case_id}/files", response={201: FileOut}, summary="上传证据材料")
def case_file(request: HttpRequest, case_id: int, file: File[UploadedFile]) -> Status[Any]:
    case = selectors.access_case(request.user, case_id)
    item = services.case_attach(actor=request.user, case=case, upload=file)
    return Status(201, item.file)


@router.get("/cases/{case_id}/letter.pdf", summary="案件委派函（PDF）")
def case_letter(request: HttpRequest, case_id: int) -> HttpResponse:
    if getattr(request.user, "role", "") == "member":
        raise NotFound()  # addressed to the lawyer; the member follows the case itself
    case = selectors.access_case(request.user, case_id)
    return documents.pdf_response(documents.assignment_letter(case), f"{case.number}-委派函.pdf")


# --- consultations --------------------------------------------------------------------------


class ConsultationOut(Schema):
    id: int
    kind: str
    status: str
    asked_at: datetime.datetime
    first_response_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    org: str
    assignee: str | None
    crisis: bool
    asker: str | None = Field(None, description="提问人（匿名或心理咨询时不显示）")
    subject: str | None = Field(
        None, description="主题：仅提问人与答复人（法律咨询含工会干部）可见"
    )


class MessageOut(Schema):
    at: datetime.datetime
    mine: bool
    body: str


class ConsultationDetail(ConsultationOut):
    messages: list[MessageOut]


def _consult_out(user: Any, c: Consultation, *, detail: bool = False) -> dict[str, Any]:
    readable = selectors.can_read(user, c)
    out: dict[str, Any] = {
        "id": c.pk,
        "kind": c.kind,
        "status": c.status,
        "asked_at": c.asked_at,
        "first_response_at": c.first_response_at,
        "closed_at": c.closed_at,
        "org": c.org.code,
        "assignee": c.assignee.username if c.assignee else None,
        "crisis": c.crisis,
        "asker": (c.asker.full_name or c.asker.username)
        if selectors.shows_asker(user, c)
        else None,
        "subject": str(c.subject) if (detail and readable) else None,
    }
    if detail:
        out["messages"] = [
            {"at": m.at, "mine": m.author_id == user.pk, "body": str(m.body)}
            for m in selectors.consultation_messages(user, c)
        ]
    return out


class ConsultFilters(PageParams):
    kind: str = Field("", max_length=6)
    status: str = Field("", max_length=8)


@router.get("/consultations", response=Page[ConsultationOut], summary="在线咨询")
def consultation_list(request: HttpRequest, filters: Query[ConsultFilters]) -> dict[str, Any]:
    qs = selectors.consultations_visible_to(request.user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    page = paginate(qs, filters)
    page["items"] = [_consult_out(request.user, c) for c in page["items"]]
    return page


@router.get("/consultations/{consultation_id}", response=ConsultationDetail, summary="咨询详情")
def consultation_get(request: HttpRequest, consultation_id: int) -> dict[str, Any]:
    c = selectors.access_consultation(request.user, consultation_id)
    return _consult_out(request.user, c, detail=True)


class AskIn(InputSchema):
    kind: str = Field(..., max_length=6, description="legal / psych")
    subject: str = Field(..., max_length=100)
    text: str = Field(..., max_length=5000)
    anonymous: bool = False


@router.post("/consultations", response={201: ConsultationDetail}, summary="提出咨询（会员）")
def consultation_new(request: HttpRequest, payload: AskIn) -> Status[dict[str, Any]]:
    c = services.consultation_ask(actor=request.user, **payload.dict())
    return Status(201, _consult_out(request.user, c, detail=True))


class ReplyIn(InputSchema):
    text: str = Field(..., max_length=5000)


@router.post(
    "/consultations/{consultation_id}/messages", response=ConsultationDetail, summary="回复咨询"
)
def consultation_reply(
    request: HttpRequest, consultation_id: int, payload: ReplyIn
) -> dict[str, Any]:
    c = selectors.access_consultation(request.user, consultation_id)
    services.consultation_reply(actor=request.user, consultation=c, text=payload.text)
    return _consult_out(
        request.user, selectors.access_consultation(request.user, c.pk), detail=True
    )


class AssignIn(InputSchema):
    assignee: str = Field(..., max_length=150, description="律师或心理咨询师的用户名")


@router.post(
    "/consultations/{consultation_id}/assign", response=ConsultationDetail, summary="分派咨询"
)
def consultation_assign(
    request: HttpRequest, consultation_id: int, payload: AssignIn
) -> dict[str, Any]:
    c = selectors.access_consultation(request.user, consultation_id)
    services.consultation_assign(actor=request.user, consultation=c, assignee=payload.assignee)
    return _consult_out(
        request.user, selectors.access_consultation(request.user, c.pk), detail=True
    )


@router.post(
    "/consultations/{consultation_id}/close", response=ConsultationDetail, summary="结束咨询"
)
def consultation_close(request: HttpRequest, consultation_id: int) -> dict[str, Any]:
    c = selectors.access_consultation(request.user, consultation_id)
    services.consultation_close(actor=request.user, consultation=c)
    return _consult_out(
        request.user, selectors.access_consultation(request.user, c.pk), detail=True
    )
