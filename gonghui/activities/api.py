"""API of the activities module (``/api/v1/activities``): activities, sign-ups (a member's
own, with the waiting list), attendance (the clerk's and the door's QR code) and volunteer
hours. Scoped like the pages: outside the caller's subtree answers 404 like a missing one."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gonghui.core.api import InputSchema, Page, PageParams, paginate
from gonghui.core.errors import Forbidden, NotFound
from gonghui.core.masking import mask_name
from gonghui.core.roles import Role, can

from . import selectors, services
from .models import Activity, Signup

router = Router(tags=["activities"])


def _view(user: Any) -> None:
    if not can(user, selectors.VIEW):
        raise Forbidden(_("当前角色无权查看职工活动"))


def _member(user: Any) -> None:
    if getattr(user, "role", None) != Role.MEMBER:
        raise Forbidden(_("仅会员可以报名活动"))


class ActivityIn(InputSchema):
    bounds = (Activity,)
    title: str
    kind: str = Field(..., description="reading / campaign / volunteer / culture")
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    description: str = ""
    capacity: int = Field(0, ge=0, le=100000, description="名额，0 表示不限")
    hours: Decimal = Field(Decimal(0), ge=0, le=24, description="每人记入的志愿服务时长")
    team: int | None = None


class ActivityOut(Schema):
    id: int
    org: str
    org_name: str
    title: str
    kind: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    capacity: int
    hours: Decimal
    cancelled: bool
    confirmed: int = 0
    waiting: int = 0
    present: int = 0

    @staticmethod
    def resolve_org(obj: Activity) -> str:
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj: Activity) -> str:
        return obj.org.name


class SignupOut(Schema):
    id: int
    activity: int
    activity_title: str
    name: str = Field(..., description="姓名（员工视图为全名，会员本人亦同）")
    status: str
    queued_at: datetime.datetime
    attended: bool
    checked_in_at: datetime.datetime | None
    checked_in_by: str
    hours: Decimal

    @staticmethod
    def resolve_activity(obj: Signup) -> int:
        return obj.activity_id

    @staticmethod
    def resolve_activity_title(obj: Signup) -> str:
        return obj.activity.title

    @staticmethod
    def resolve_name(obj: Signup) -> str:
        return obj.member.name


class TokenIn(InputSchema):
    token: str = Field(..., max_length=64)


class CheckinIn(InputSchema):
    present: bool = True


class HoursIn(InputSchema):
    hours: Decimal = Field(..., ge=0, le=24)


class HoursRow(Schema):
    member: int
    name: str
    org: str
    hours: Decimal
    times: int


class MyHours(Schema):
    hours: Decimal
    attended: int
    signups: list[SignupOut]


class ActivityFilters(PageParams):
    kind: str = ""
    upcoming: bool | None = None


@router.get("/events", response=Page[ActivityOut], summary="职工活动列表")
def activity_list(request: HttpRequest, filters: Query[ActivityFilters]) -> dict[str, Any]:
    user = request.user
    if getattr(user, "role", None) == Role.MEMBER:
        qs = selectors.open_for_member(user)
    else:
        _view(user)
        qs = selectors.activities_visible_to(user).order_by("-starts_at", "-id")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.upcoming is not None:
        from django.utils import timezone

        qs = (
            qs.filter(ends_at__gte=timezone.now())
            if filters.upcoming
            else qs.filter(ends_at__lt=timezone.now())
        )
    return paginate(qs, filters)


@router.post("/events", response={201: ActivityOut}, summary="发布活动")
def activity_new(request: HttpRequest, payload: ActivityIn) -> tuple[int, Activity]:
    user: Any = request.user
    _view(user)
    activity = services.activity_save(actor=user, org=user.org, data=payload.dict())
    return 201, selectors.access_activity(user, activity.pk)


def _activity(user: Any, activity_id: int) -> Activity:
    if getattr(user, "role", None) == Role.MEMBER:
        return selectors.access_for_member(user, activity_id)
    _view(user)
    return selectors.access_activity(user, activity_id)


@router.get("/events/{activity_id}", response=ActivityOut, summary="活动详情")
def activity_get(request: HttpRequest, activity_id: int) -> Activity:
    return _activity(request.user, activity_id)


@router.get("/events/{activity_id}/signups", response=Page[SignupOut], summary="报名与签到名单")
def signup_list(
    request: HttpRequest, activity_id: int, params: Query[PageParams]
) -> dict[str, Any]:
    user = request.user
    _view(user)
    activity = selectors.access_activity(user, activity_id)
    return paginate(
        selectors.signups_of(user, activity)
        .select_related("activity")
        .order_by("status", "queued_at", "id"),
        params,
    )


@router.post(
    "/events/{activity_id}/signup", response={201: SignupOut}, summary="会员报名（名额满则候补）"
)
def signup(request: HttpRequest, activity_id: int) -> tuple[int, Signup]:
    user = request.user
    _member(user)
    activity = selectors.access_for_member(user, activity_id)
    return 201, services.signup(user=user, activity=activity)


@router.post(
    "/signups/{signup_id}/cancel", response=SignupOut, summary="取消报名（候补第一位递补）"
)
def signup_cancel(request: HttpRequest, signup_id: int) -> Signup:
    user = request.user
    if getattr(user, "role", None) != Role.MEMBER:
        _view(user)
    item = selectors.access_signup(user, signup_id)
    return services.signup_cancel(user=user, signup=item)


@router.post("/signups/{signup_id}/checkin", response=SignupOut, summary="工作人员登记签到")
def signup_checkin(request: HttpRequest, signup_id: int, payload: CheckinIn) -> Signup:
    user = request.user
    _view(user)
    item = selectors.access_signup(user, signup_id)
    return services.check_in(actor=user, signup=item, present=payload.present)


@router.post("/signups/{signup_id}/hours", response=SignupOut, summary="修改志愿服务时长")
def signup_hours(request: HttpRequest, signup_id: int, payload: HoursIn) -> Signup:
    user = request.user
    _view(user)
    item = selectors.access_signup(user, signup_id)
    return services.hours_set(actor=user, signup=item, hours=payload.hours)


@router.post("/checkin", response=SignupOut, summary="会员扫码签到")
def member_checkin(request: HttpRequest, payload: TokenIn) -> Signup:
    _member(request.user)
    return services.check_in_by_qr(user=request.user, token=payload.token.strip())


@router.get("/hours", response=list[HoursRow], summary="志愿服务时长（按会员，本辖区）")
def hours(request: HttpRequest) -> list[dict[str, Any]]:
    _view(request.user)
    return selectors.volunteer_hours(request.user, 500)


@router.get("/my", response=MyHours, summary="我的活动与志愿服务时长")
def mine(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    _member(user)
    signups = list(selectors.my_signups(user).select_related("member")[:200])
    return {
        "hours": selectors.my_hours(user),
        "attended": sum(1 for s in signups if s.attended),
        "signups": signups,
    }


__all__ = ["NotFound", "mask_name", "router"]
