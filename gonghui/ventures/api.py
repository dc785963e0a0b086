"""API of the ventures module (``/api/v1/ventures``): parks, ventures, the people they employ,
the yearly review and the 农民工之星 nomination. Scoped like the pages: a record outside the
caller's subtree answers 404 like a missing one; a review step not allowed answers 409."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gonghui.core.api import InputSchema, Page, PageParams, paginate
from gonghui.core.errors import Forbidden
from gonghui.core.masking import mask_id_number
from gonghui.core.roles import can

from . import selectors, services
from .models import Park, Person, Review, Role, Venture

router = Router(tags=["ventures"])


def _view(user: Any) -> None:
    if not can(user, selectors.VIEW):
        raise Forbidden(_("当前角色无权查看工友创业园"))


class ParkIn(InputSchema):
    bounds = (Park,)
    code: str
    name: str
    level: str = Field(..., description="municipal（市级）/ county（县区级）")
    host: str
    org: str = Field("", description="登记单位代码，缺省为调用者所在单位")
    address: str = ""
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    area: Decimal | None = Field(None, ge=0)
    services: str = ""
    recognized_on: datetime.date


class ParkOut(Schema):
    id: int
    code: str
    name: str
    level: str
    host: str
    org: str
    org_name: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    area: Decimal | None
    services: str
    recognized_on: datetime.date
    active: bool

    @staticmethod
    def resolve_org(obj: Park) -> str:
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj: Park) -> str:
        return obj.org.name


class VentureIn(InputSchema):
    bounds = (Venture,)
    name: str
    industry: str = Field(..., description="国民经济行业门类字母，如 C")
    started_on: datetime.date
    founder_member: int | None = Field(None, description="创业者的会员编号")
    founder_name: str = Field("", max_length=50)
    founder_id_number: str = Field("", max_length=30)
    founder_migrant: bool = False
    loans: Decimal | None = Field(None, ge=0)
    rent_relief: Decimal | None = Field(None, ge=0)
    training: int | None = Field(None, ge=0, le=1000)


class VentureOut(Schema):
    id: int
    park: int
    park_name: str
    name: str
    industry: str
    started_on: datetime.date
    status: str
    loans: Decimal
    rent_relief: Decimal
    training: int
    founder_name: str | None = None
    founder_hardship: bool | None = None
    founder_migrant: bool | None = None
    employed: int = Field(0, description="在岗的带动就业人数（不含创业者）")
    nomination: int | None = None
    reviewed_year: int | None

    @staticmethod
    def resolve_park(obj: Venture) -> int:
        return obj.park_id

    @staticmethod
    def resolve_park_name(obj: Venture) -> str:
        return obj.park.name

    @staticmethod
    def resolve_nomination(obj: Venture) -> int | None:
        return obj.nomination_id


class VentureDetail(VentureOut):
    actions: list[str] = Field(..., description="调用者现在可选的复核结论")


class PersonIn(InputSchema):
    bounds = (Person,)
    member: int | None = Field(None, description="会员编号；不是会员的填写姓名和身份证号")
    name: str = ""
    id_number: str = Field("", max_length=30)
    migrant: bool = False
    started_on: datetime.date


class PersonOut(Schema):
    id: int
    venture: int
    role: str
    name: str
    id_number: str = Field(..., description="身份证号（脱敏）")
    member: int | None
    started_on: datetime.date
    ended_on: datetime.date | None
    hardship: bool
    migrant: bool

    @staticmethod
    def resolve_venture(obj: Person) -> int:
        return obj.venture_id

    @staticmethod
    def resolve_member(obj: Person) -> int | None:
        return obj.member_id

    @staticmethod
    def resolve_id_number(obj: Person) -> str:
        return mask_id_number(obj.id_number) if obj.id_number else ""


class EndIn(InputSchema):
    ended_on: datetime.date


class ReviewIn(InputSchema):
    step: str = Field(..., description="confirm / suspend / resume / close")
    year: int | None = Field(None, ge=1990, le=2100)
    note: str = Field("", max_length=2000)


class ReviewOut(Schema):
    id: int
    venture: int
    year: int
    step: str
    status: str
    employed: int
    new_jobs: int
    hardship: int
    reviewed_on: datetime.date
    note: str

    @staticmethod
    def resolve_venture(obj: Review) -> int:
        return obj.venture_id


class NominationOut(Schema):
    id: int
    round: int
    round_title: str
    name: str
    status: str

    @staticmethod
    def resolve_round(obj: Any) -> int:
        return int(obj.round_id)

    @staticmethod
    def resolve_round_title(obj: Any) -> str:
        return str(obj.round.title)


class ParkFilters(PageParams):
    level: str = ""


class VentureFilters(PageParams):
    park: int | None = None
    status: str = ""


class PeopleFilters(PageParams):
    role: str = ""
    hardship: bool | None = None


class Totals(Schema):
    parks: int
    ventures: int
    employed: int
    founders: int
    hardship: int
    migrant: int


@router.get("/totals", response=Totals, summary="创业园合计（本辖区）")
def totals(request: HttpRequest) -> dict[str, int]:
    _view(request.user)
    return selectors.totals(request.user)


@router.get("/parks", response=Page[ParkOut], summary="工友创业园列表")
def park_list(request: HttpRequest, filters: Query[ParkFilters]) -> dict[str, Any]:
    _view(request.user)
    qs = selectors.parks_visible_to(request.user)
    if filters.level:
        qs = qs.filter(level=filters.level)
    return paginate(qs.order_by("code"), filters)


@router.post("/parks", response={201: ParkOut}, summary="登记工友创业园")
def park_new(request: HttpRequest, payload: ParkIn) -> tuple[int, Park]:
    _view(request.user)
    return 201, services.park_save(actor=request.user, data=payload.dict())


@router.get("/parks/{park_id}", response=ParkOut, summary="工友创业园详情")
def park_get(request: HttpRequest, park_id: int) -> Park:
    _view(request.user)
    return selectors.access_park(request.user, park_id)


@router.post("/parks/{park_id}/ventures", response={201: VentureOut}, summary="登记创业项目")
def venture_new(request: HttpRequest, park_id: int, payload: VentureIn) -> tuple[int, Venture]:
    user = request.user
    _view(user)
    park = selectors.access_park(user, park_id)
    venture = services.venture_save(actor=user, park=park, data=payload.dict())
    return 201, selectors.access_venture(user, venture.pk)


@router.get("/ventures", response=Page[VentureOut], summary="创业项目列表")
def venture_list(request: HttpRequest, filters: Query[VentureFilters]) -> dict[str, Any]:
    _view(request.user)
    qs = selectors.ventures_visible_to(request.user)
    if filters.park:
        qs = qs.filter(park_id=filters.park)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(qs.order_by("-started_on", "id"), filters)


def _detail(user: Any, venture: Venture) -> Venture:
    from .workflow import VENTURE

    venture.actions = [t.name for t in VENTURE.allowed(venture.status, user.role)]  # type: ignore[attr-defined]
    return venture


@router.get("/ventures/{venture_id}", response=VentureDetail, summary="创业项目详情")
def venture_get(request: HttpRequest, venture_id: int) -> Venture:
    _view(request.user)
    return _detail(request.user, selectors.access_venture(request.user, venture_id))


@router.get(
    "/ventures/{venture_id}/people", response=Page[PersonOut], summary="创业者与带动就业人员"
)
def people_list(
    request: HttpRequest, venture_id: int, filters: Query[PeopleFilters]
) -> dict[str, Any]:
    _view(request.user)
    venture = selectors.access_venture(request.user, venture_id)
    qs = venture.people.all()
    if filters.role:
        qs = qs.filter(role=filters.role)
    if filters.hardship is not None:
        qs = qs.filter(hardship=filters.hardship)
    return paginate(qs.order_by("role", "started_on", "id"), filters)


@router.post("/ventures/{venture_id}/people", response={201: PersonOut}, summary="登记带动就业人员")
def person_new(request: HttpRequest, venture_id: int, payload: PersonIn) -> tuple[int, Person]:
    _view(request.user)
    venture = selectors.access_venture(request.user, venture_id)
    return 201, services.person_add(actor=request.user, venture=venture, data=payload.dict())


@router.post("/people/{person_id}/end", response=PersonOut, summary="登记人员离职")
def person_leave(request: HttpRequest, person_id: int, payload: EndIn) -> Person:
    _view(request.user)
    person = selectors.access_person(request.user, person_id)
    return services.person_end(actor=request.user, person=person, ended_on=payload.ended_on)


@router.get("/ventures/{venture_id}/reviews", response=list[ReviewOut], summary="年度复核记录")
def review_list(request: HttpRequest, venture_id: int) -> list[Review]:
    _view(request.user)
    return list(selectors.access_venture(request.user, venture_id).reviews.all())


@router.post("/ventures/{venture_id}/reviews", response={201: ReviewOut}, summary="年度复核")
def review_new(request: HttpRequest, venture_id: int, payload: ReviewIn) -> tuple[int, Review]:
    _view(request.user)
    venture = selectors.access_venture(request.user, venture_id)
    return 201, services.venture_review(
        actor=request.user, venture=venture, step=payload.step, year=payload.year, note=payload.note
    )


@router.post(
    "/ventures/{venture_id}/nominate",
    response={201: NominationOut},
    summary="推荐创业者为“农民工之星”",
)
def nominate(request: HttpRequest, venture_id: int) -> tuple[int, Any]:
    _view(request.user)
    venture = selectors.access_venture(request.user, venture_id)
    return 201, services.venture_nominate(actor=request.user, venture=venture)


__all__ = ["Role", "router"]
