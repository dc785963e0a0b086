"""API of collective bargaining (``/api/v1/bargaining``): campaigns, the enterprises offered
(threads) and their steps, contracts and coverage. Everything is scoped like the pages: a
thread or contract outside the caller's subtree answers 404 like a missing one; an illegal
step answers 409 naming the allowed ones; a refused congress vote answers 409 with the rule.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gonghui.core.api import BoundedText, InputSchema, Page, PageParams, paginate
from gonghui.core.errors import Forbidden, NotFound
from gonghui.core.roles import can
from gonghui.core.scope import access
from gonghui.orgs.models import Enterprise, Org

from . import selectors, services
from .models import Campaign, Contract, Thread

router = Router(tags=["bargaining"])


def _view(user: Any) -> None:
    if not can(user, "bargaining.view"):
        raise Forbidden(_("当前角色无权查看集体协商"))


class CampaignIn(InputSchema):
    bounds = (Campaign,)
    title: str
    starts_on: datetime.date | None = None
    ends_on: datetime.date
    kind: str = Field(
        "comprehensive", description="comprehensive/wage/women/safety/industry/regional"
    )
    org: str = Field("", description="发起单位代码，缺省为调用者所在单位")


class CampaignOut(Schema):
    id: int
    title: str
    year: int
    starts_on: datetime.date
    ends_on: datetime.date
    kind: str
    org: str
    org_name: str

    @staticmethod
    def resolve_org(obj: Campaign) -> str:
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj: Campaign) -> str:
        return obj.org.name


class ThreadOut(Schema):
    id: int
    campaign: int
    enterprise: str = Field(..., description="企业名称")
    uscc: str
    county: str
    kind: str
    status: str
    offered_on: datetime.date
    letter_sent_on: datetime.date | None
    answered_on: datetime.date | None
    talks_on: datetime.date | None
    data_on: datetime.date | None
    rounds: int
    draft_on: datetime.date | None
    delegates: int | None
    present: int | None
    approving: int | None
    voted_on: datetime.date | None
    signed_on: datetime.date | None
    filed_on: datetime.date | None
    reviewed_on: datetime.date | None
    published_on: datetime.date | None
    due_on: datetime.date | None
    card: str
    contract: int | None

    @staticmethod
    def resolve_campaign(obj: Thread) -> int:
        return obj.campaign_id

    @staticmethod
    def resolve_enterprise(obj: Thread) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_uscc(obj: Thread) -> str:
        return obj.enterprise.uscc

    @staticmethod
    def resolve_county(obj: Thread) -> str:
        return obj.county.code

    @staticmethod
    def resolve_contract(obj: Thread) -> int | None:
        return obj.contract_id


class ThreadDetail(ThreadOut):
    actions: list[str] = Field(..., description="调用者现在可执行的步骤")


class ContractOut(Schema):
    id: int
    title: str
    kind: str
    county: str
    signed_on: datetime.date
    starts_on: datetime.date
    ends_on: datetime.date
    workers: int
    min_wage: Decimal | None
    wage_rise: Decimal | None
    from_paper: bool
    enterprises: list[str]

    @staticmethod
    def resolve_county(obj: Contract) -> str:
        return obj.county.code

    @staticmethod
    def resolve_enterprises(obj: Contract) -> list[str]:
        return [e.name for e in obj.enterprises.all()]


class ContractIn(InputSchema):
    bounds = (Contract,)
    title: str
    kind: str
    signed_on: datetime.date
    years: int = Field(..., ge=1, le=3)
    enterprises: list[int] = Field(..., min_length=1, max_length=5000, description="覆盖企业的编号")
    min_wage: Decimal | None = None
    wage_rise: Decimal | None = None
    county: str = Field("", description="县区代码，缺省为调用者所在单位")


class OfferIn(InputSchema):
    enterprises: list[int] = Field(default_factory=list, max_length=20000, description="企业编号")
    credit_codes: list[str] = Field(
        default_factory=list, max_length=20000, description="统一社会信用代码"
    )
    offered_on: datetime.date | None = None


class OfferOut(Schema):
    offered: int
    already: int
    outside: int
    unmatched: list[dict[str, Any]] = Field(default_factory=list)


class StepIn(InputSchema):
    bounds = (Thread,)
    answered_on: datetime.date | None = None
    refused_reason: str = ""
    talks_on: datetime.date | None = None
    data_on: datetime.date | None = None
    held_on: datetime.date | None = None
    notes: str = Field("", max_length=5000)
    draft_on: datetime.date | None = None
    voted_on: datetime.date | None = None
    delegates: int | None = Field(None, ge=1, le=100000)
    present: int | None = Field(None, ge=0, le=100000)
    approving: int | None = Field(None, ge=0, le=100000)
    signed_on: datetime.date | None = None
    years: int | None = Field(None, ge=1, le=3)
    min_wage: Decimal | None = Field(None, max_digits=8, decimal_places=2)
    wage_rise: Decimal | None = Field(None, max_digits=5, decimal_places=2)
    filed_on: datetime.date | None = None
    reason: str = Field("", max_length=500)
    reviewed_on: datetime.date | None = None
    published_on: datetime.date | None = None


class ThreadFilters(PageParams):
    campaign: int | None = None
    status: str = ""
    card: str = ""


class CoverageRow(Schema):
    name: str
    total: int
    covered: int
    workers: int
    rate: float | None


def _org(user: Any, code: str) -> Org:
    if not code:
        return user.org
    org = Org.objects.filter(code=code).first()
    if org is None or not org.path.startswith(user.org.path):
        raise NotFound()
    return org


def _thread(user: Any, thread_id: int) -> Thread:
    _view(user)
    return access(
        Thread.objects.select_related("enterprise", "county", "campaign"), user, pk=thread_id
    )


@router.get("/campaigns", response=Page[CampaignOut], summary="集中要约行动")
def campaign_list(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    _view(request.user)
    return paginate(selectors.campaigns_for(request.user), params)


@router.post("/campaigns", response={201: CampaignOut}, summary="发起集中要约行动")
def campaign_new(request: HttpRequest, payload: CampaignIn) -> tuple[int, Campaign]:
    user = request.user
    data = payload.dict()
    org = _org(user, data.pop("org"))
    return 201, services.campaign_create(actor=user, org=org, data=data)


def _campaign(user: Any, campaign_id: int) -> Campaign:
    _view(user)
    campaign = selectors.campaigns_for(user).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound()
    return campaign


@router.post("/campaigns/{campaign_id}/offers", response=OfferOut, summary="加入要约企业")
def campaign_offer(request: HttpRequest, campaign_id: int, payload: OfferIn) -> dict[str, Any]:
    """Offer the enterprises named by id and by credit code; those outside the caller's
    subtree are counted as ``outside``, codes not found are listed in ``unmatched``."""
    user = request.user
    campaign = _campaign(user, campaign_id)
    chosen = list(
        Enterprise.objects.visible_to(user)
        .filter(pk__in=payload.enterprises)
        .select_related("county")
    )
    outside = len(set(payload.enterprises)) - len(chosen)
    counts = services.offer(
        actor=user, campaign=campaign, enterprises=chosen, offered_on=payload.offered_on
    )
    counts["outside"] += outside
    unmatched: list[dict[str, Any]] = []
    if payload.credit_codes:
        more, problems = services.offer_by_codes(
            actor=user, campaign=campaign, codes=payload.credit_codes
        )
        for key in ("offered", "already", "outside"):
            counts[key] += more[key]
        unmatched = [{"row": n, "code": c, "reason": r} for n, c, r in problems]
    return {**counts, "unmatched": unmatched}


@router.get("/threads", response=Page[ThreadOut], summary="要约协商列表")
def thread_list(request: HttpRequest, filters: Query[ThreadFilters]) -> dict[str, Any]:
    user = request.user
    _view(user)
    qs = selectors.threads_for(user)
    if filters.campaign:
        qs = qs.filter(campaign_id=filters.campaign)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.card:
        qs = qs.filter(card=filters.card)
    return paginate(qs.order_by("due_on", "id"), filters)


def _detail(user: Any, thread: Thread) -> Thread:
    """The thread with the steps the caller may take now (``ThreadDetail.actions``)."""
    from .workflow import WORKFLOW

    thread.actions = [t.name for t in WORKFLOW.allowed(thread.status, user.role)]  # type: ignore[attr-defined]
    return thread


@router.get("/threads/{thread_id}", response=ThreadDetail, summary="要约协商详情")
def thread_get(request: HttpRequest, thread_id: int) -> Thread:
    return _detail(request.user, _thread(request.user, thread_id))


@router.post("/threads/{thread_id}/{action}", response=ThreadDetail, summary="办理一步")
def thread_step(request: HttpRequest, thread_id: int, action: str, payload: StepIn) -> Thread:
    """``action``: answer, refuse, schedule, exchange, hold, agree, vote, sign, file, object,
    review, publish (``actions`` of the thread lists those allowed now)."""
    user = request.user
    thread = _thread(user, thread_id)
    data = {k: v for k, v in payload.dict().items() if v not in (None, "")}
    thread = services.thread_act(actor=user, thread=thread, action=action, data=data)
    return _detail(user, _thread(user, thread.pk))


@router.get("/contracts", response=Page[ContractOut], summary="集体合同")
def contract_list(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    _view(request.user)
    qs = (
        Contract.objects.visible_to(request.user)
        .select_related("county")
        .prefetch_related("enterprises")
        .order_by("ends_on", "id")
    )
    return paginate(qs, params)


@router.post(
    "/contracts", response={201: ContractOut}, summary="登记集体合同（纸质补录、行业性、区域性）"
)
def contract_new(request: HttpRequest, payload: ContractIn) -> tuple[int, Contract]:
    user = request.user
    _view(user)
    data = payload.dict()
    county = _org(user, data.pop("county"))
    ids = data.pop("enterprises")
    enterprises = list(
        Enterprise.objects.visible_to(user).filter(pk__in=ids).select_related("county", "union")
    )
    if len(enterprises) != len(set(ids)):
        raise NotFound()
    return 201, services.contract_record(
        actor=user, county=county, data=data, enterprises=enterprises
    )


@router.get("/contracts/{contract_id}", response=ContractOut, summary="集体合同详情")
def contract_get(request: HttpRequest, contract_id: int) -> Contract:
    _view(request.user)
    return access(
        Contract.objects.select_related("county").prefetch_related("enterprises"),
        request.user,
        pk=contract_id,
    )


@router.get("/coverage", response=list[CoverageRow], summary="集体合同覆盖情况")
def coverage(
    request: HttpRequest,
    org: BoundedText = "",
    day: datetime.date | None = None,
    by: Literal["county", "township", "industry"] = "county",
) -> Any:
    """Enterprises and workers covered by a contract in force on ``day`` (today), by county,
    township or industry."""
    user = request.user
    _view(user)
    return selectors.coverage(_org(user, org), day or timezone.localdate(), by)
