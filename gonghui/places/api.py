"""API of the places (``/api/v1/places``): places, the nearest search, members' ratings and
the yearly reviews. Scoped like the pages: a place or review outside the caller's subtree
answers 404 like a missing one; an illegal step answers 409 naming the allowed ones; a rating
a second time in a month answers 409, a burst of ratings 429."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from gonghui.core import throttle
from gonghui.core.api import InputSchema, Page, PageParams, paginate
from gonghui.core.errors import Forbidden, InvalidInput
from gonghui.core.roles import Role, can

from . import selectors, services
from .models import Kind, Place, Rating, Review, ReviewStatus
from .views import RATE_LIMIT_ADDRESS, RATE_LIMIT_USER

router = Router(tags=["places"])


def _view(user: Any) -> None:
    if not (can(user, "places.view") or can(user, "places.rate")):
        raise Forbidden(_("当前角色无权查看服务阵地"))


def _staff(user: Any) -> None:
    if not can(user, "places.view"):
        raise Forbidden(_("当前角色无权查看服务阵地的评定和评价"))


def _acts(user: Any) -> None:
    if not can(user, "places.manage"):
        raise Forbidden(_("当前角色不能办理星级评定"))


class PlaceOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    org: str
    org_name: str
    county: str | None
    address: str
    longitude: Decimal | None
    latitude: Decimal | None
    hours: str
    services: str
    phone: str
    opened_on: datetime.date
    active: bool
    checklist: dict[str, bool]
    stars: int
    stars_year: int | None

    @staticmethod
    def resolve_kind_label(obj: Place) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_org(obj: Place) -> str:
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj: Place) -> str:
        return obj.org.name

    @staticmethod
    def resolve_county(obj: Place) -> str | None:
        return obj.county.code if obj.county else None


class PlaceDetail(PlaceOut):
    rating_average: Decimal | None
    rating_count: int


class PlaceIn(InputSchema):
    bounds = (Place,)
    code: str
    name: str
    kind: str = Field(..., description="station/palace/workers_home/members_home")
    org: str = Field(..., description="所属工会代码")
    address: str = ""
    longitude: Decimal | None = Field(None, ge=73, le=136, max_digits=9, decimal_places=6)
    latitude: Decimal | None = Field(None, ge=3, le=54, max_digits=9, decimal_places=6)
    hours: str = ""
    services: str = ""
    phone: str = ""
    opened_on: datetime.date | None = None
    active: bool = True
    checklist: dict[str, bool] = Field(default_factory=dict, max_length=20)


class PlaceFilters(PageParams):
    kind: str = Field("", max_length=20)
    county: str = Field("", max_length=32)
    q: str = Field("", max_length=50)


class NearOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    address: str
    hours: str
    longitude: Decimal | None
    latitude: Decimal | None
    stars: int
    km: float


class NearQuery(InputSchema):
    lat: float | None = Field(None, ge=3, le=54)
    lng: float | None = Field(None, ge=73, le=136)
    county: str = Field("", max_length=32, description="县区代码（无位置时按县区政府驻地）")
    kind: str = Field("station", max_length=20)
    limit: int = Field(10, ge=1, le=50)


class RatingIn(InputSchema):
    bounds = (Rating,)
    score: int = Field(..., ge=1, le=5)
    comment: str = ""


class RatingOut(Schema):
    id: int
    place: int
    month: datetime.date
    score: int
    comment: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_place(obj: Rating) -> int:
        return obj.place_id


class ReviewOut(Schema):
    id: int
    place: int
    place_name: str
    year: int
    status: str
    checklist: dict[str, bool]
    self_stars: int | None
    self_notes: str
    submitted_on: datetime.date | None
    county_stars: int | None
    county_notes: str
    county_on: datetime.date | None
    stars: int | None
    city_notes: str
    confirmed_on: datetime.date | None
    returned_reason: str
    due_on: datetime.date | None
    evidence: int
    actions: list[str] = Field(default_factory=list, description="调用者现在可执行的步骤")

    @staticmethod
    def resolve_place(obj: Review) -> int:
        return obj.place_id

    @staticmethod
    def resolve_place_name(obj: Review) -> str:
        return obj.place.name

    @staticmethod
    def resolve_evidence(obj: Review) -> int:
        return obj.evidence.count()


class ReviewStartIn(InputSchema):
    year: int | None = Field(None, ge=2000, le=2100)


class ReviewStepIn(InputSchema):
    bounds = (Review,)
    checklist: dict[str, bool] | None = Field(None, max_length=20)
    self_stars: int | None = Field(None, ge=1, le=5)
    self_notes: str = ""
    county_stars: int | None = Field(None, ge=1, le=5)
    stars: int | None = Field(None, ge=1, le=5)
    notes: str = Field("", max_length=1000)
    reason: str = Field("", max_length=500)


class ReviewFilters(PageParams):
    status: str = Field("", max_length=20)
    year: int | None = Field(None, ge=2000, le=2100)
    waiting: bool = False


@router.get("", response=Page[PlaceOut], summary="服务阵地列表")
def place_list(request: HttpRequest, filters: Query[PlaceFilters]) -> dict[str, Any]:
    _view(request.user)
    qs = selectors.places_for(request.user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.county:
        qs = qs.filter(county__code=filters.county)
    if filters.q:
        qs = qs.filter(Q(name__contains=filters.q) | Q(code__contains=filters.q))
    return paginate(qs.order_by("county__code", "kind", "name", "id"), filters)


@router.post("", response={201: PlaceOut}, summary="新建服务阵地")
def place_new(request: HttpRequest, payload: PlaceIn) -> tuple[int, Place]:
    user = request.user
    if not can(user, "places.manage"):
        raise Forbidden(_("当前角色无权管理服务阵地"))
    if Place.objects.filter(code=payload.code).exists():
        raise InvalidInput.one("code", _("阵地编号已被使用。"))
    return 201, services.place_save(actor=user, data=payload.dict())


@router.get("/nearest", response=list[NearOut], summary="附近的驿站")
def place_nearest(request: HttpRequest, params: Query[NearQuery]) -> list[dict[str, Any]]:
    """The nearest active places of ``kind`` to (``lat``, ``lng``) — or, without a position, to
    the seat of ``county`` — with the distance in kilometres."""
    _view(request.user)
    if params.lat is not None and params.lng is not None:
        point = (params.lng, params.lat)
    elif params.county:
        found = selectors.county_centre(params.county)
        if found is None:
            raise InvalidInput.one("county", _("没有这个县区。"))
        point = found
    else:
        raise InvalidInput.one("lat", _("请给出位置（lat、lng）或县区。"))
    if params.kind not in Kind.values:
        raise InvalidInput.one("kind", _("没有这种阵地类型。"))
    near = selectors.nearest(
        selectors.places_for(request.user),
        lng=point[0],
        lat=point[1],
        kind=params.kind,
        limit=params.limit,
    )
    return [
        {
            "id": n.place.pk, "code": n.place.code, "name": n.place.name, "kind": n.place.kind,
            "address": n.place.address, "hours": n.place.hours, "longitude": n.place.longitude,
            "latitude": n.place.latitude, "stars": n.place.stars, "km": round(n.km, 3),
        }
        for n in near
    ]  # fmt: skip


def _review_out(user: Any, review: Review) -> Review:
    review.actions = [t.name for t in services.allowed_steps(user, review)]  # type: ignore[attr-defined]
    return review


@router.get("/reviews", response=Page[ReviewOut], summary="星级评定")
def review_list(request: HttpRequest, filters: Query[ReviewFilters]) -> dict[str, Any]:
    user = request.user
    _staff(user)
    qs = selectors.waiting_for(user) if filters.waiting else selectors.reviews_for(user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.year:
        qs = qs.filter(year=filters.year)
    return paginate(qs.prefetch_related("evidence").order_by("-year", "due_on", "id"), filters)


@router.get("/reviews/{review_id}", response=ReviewOut, summary="星级评定详情")
def review_get(request: HttpRequest, review_id: int) -> Review:
    _staff(request.user)
    return _review_out(request.user, selectors.access_review(request.user, review_id))


@router.post("/reviews/{review_id}/{action}", response=ReviewOut, summary="办理一步")
def review_step(request: HttpRequest, review_id: int, action: str, payload: ReviewStepIn) -> Review:
    """``action``: ``assess`` (the owner's checklist, stars and notes while the review is
    theirs), submit, county_pass, county_return, confirm, city_return."""
    user = request.user
    _acts(user)
    review = selectors.access_review(user, review_id)
    data = {k: v for k, v in payload.dict().items() if v not in (None, "")}
    if action == "assess":
        review = services.review_update(actor=user, review=review, data=data)
    else:
        review = services.review_act(actor=user, review=review, action=action, data=data)
    return _review_out(user, selectors.access_review(user, review.pk))


@router.get("/{place_id}", response=PlaceDetail, summary="服务阵地详情")
def place_get(request: HttpRequest, place_id: int) -> Place:
    _view(request.user)
    place = selectors.access_place(request.user, place_id)
    summary = selectors.rating_summary(place)
    place.rating_average, place.rating_count = summary.average, summary.count  # type: ignore[attr-defined]
    return place


@router.put("/{place_id}", response=PlaceOut, summary="修改服务阵地")
def place_update(request: HttpRequest, place_id: int, payload: PlaceIn) -> Place:
    user = request.user
    if not can(user, "places.manage"):
        raise Forbidden(_("当前角色无权管理服务阵地"))
    place = selectors.access_place(user, place_id)
    if not can(user, "places.manage", place.org):
        raise Forbidden(_("只有阵地所属工会及其上级可以修改"))
    data = dict(payload.dict(), code=place.code)
    return services.place_save(actor=user, data=data, place=place)


@router.get("/{place_id}/ratings", response=Page[RatingOut], summary="会员评价")
def rating_list(request: HttpRequest, place_id: int, params: Query[PageParams]) -> dict[str, Any]:
    """Staff read every rating of a place in their subtree; a member reads their own."""
    user = request.user
    _view(user)
    place = selectors.access_place(user, place_id)
    qs = Rating.objects.visible_to(user).filter(place=place)
    return paginate(qs.order_by("-created_at", "-id"), params)


@router.post("/{place_id}/ratings", response={201: RatingOut}, summary="会员评价（每月一次）")
def rating_new(request: HttpRequest, place_id: int, payload: RatingIn) -> tuple[int, Rating]:
    user: Any = request.user
    if getattr(user, "role", None) != Role.MEMBER:
        raise Forbidden(_("只有会员可以评价服务阵地"))
    place = selectors.access_place(user, place_id)
    limit_user, window_user = RATE_LIMIT_USER
    limit_addr, window_addr = RATE_LIMIT_ADDRESS
    if not (
        throttle.attempt(
            f"places.rate.user.{user.pk}", request, limit=limit_user, window=window_user
        )
        and throttle.attempt("places.rate", request, limit=limit_addr, window=window_addr)
    ):
        raise HttpError(429, _("评价过于频繁，请稍后再试。"))
    return 201, services.rate(actor=user, place=place, score=payload.score, comment=payload.comment)


@router.post("/{place_id}/reviews", response={201: ReviewOut}, summary="开始年度星级自评")
def review_new(request: HttpRequest, place_id: int, payload: ReviewStartIn) -> tuple[int, Review]:
    user = request.user
    _acts(user)
    place = selectors.access_place(user, place_id)
    review = services.review_start(actor=user, place=place, year=payload.year)
    return 201, _review_out(user, review)


__all__ = ["ReviewStatus", "router"]
