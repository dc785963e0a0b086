"""The kernel's part of the API: list pagination shared by every router, and the audit log.

``paginate(qs, params)`` answers ``{"items", "count"}`` with two queries whatever the page
size; ``PageParams`` (``limit`` default 50, at most 500; ``offset``) is the base of every
list route's query schema.
"""

from __future__ import annotations

import datetime
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from .errors import Forbidden, InvalidInput
from .models import AuditEntry
from .roles import can

T = TypeVar("T")

PAGE_DEFAULT = 50
PAGE_MAX = 500


class PageParams(Schema):
    """``limit``/``offset`` of every list route; filter schemas extend it."""

    limit: int = Field(PAGE_DEFAULT, ge=1, le=PAGE_MAX, description="每页条数，最大 500")
    offset: int = Field(0, ge=0, description="跳过的条数")


class Page(Schema, Generic[T]):
    items: list[T]
    count: int


def paginate(qs: QuerySet[Any], params: PageParams) -> dict[str, Any]:
    """One page query and one COUNT, whatever the page size; the selector brings the
    ``select_related`` that the item schema needs."""
    return {
        "items": list(qs[params.offset : params.offset + params.limit]),
        "count": qs.count(),
    }


router = Router(tags=["audit"])


class AuditFilters(PageParams):
    object_type: str = ""
    object_id: str = ""
    actor: str = Field("", description="操作人用户名")
    action: str = ""
    date_from: datetime.date | None = Field(None, alias="from", description="起始日期（含）")
    date_to: datetime.date | None = Field(None, alias="to", description="截止日期（含）")


class AuditOut(Schema):
    id: int
    at: datetime.datetime
    actor: str = Field(..., description="操作人用户名")
    org: str | None = Field(None, description="操作人当时所在组织的代码")
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    note: str

    @staticmethod
    def resolve_actor(obj: AuditEntry) -> str:
        return obj.actor_name

    @staticmethod
    def resolve_org(obj: AuditEntry) -> str | None:
        return obj.org.code if obj.org is not None else None


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight of ``day`` in the platform's time zone (Asia/Shanghai)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


@router.get("", response=Page[AuditOut], summary="审计日志")
def audit_list(request: HttpRequest, filters: Query[AuditFilters]) -> dict[str, Any]:
    """Rows of the user's subtree (by the org of the changed record), newest first.
    ``from`` and ``to`` are dates, both included, in Asia/Shanghai."""
    user = request.user
    if not can(user, "audit.view"):
        raise Forbidden(_("当前角色无权查看审计日志"))
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidInput.one("to", _("截止日期不能早于起始日期"))
    qs = AuditEntry.objects.visible_to(user).select_related("org")
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.actor:
        qs = qs.filter(actor_name=filters.actor)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.date_from:
        qs = qs.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_day_start(filters.date_to + datetime.timedelta(days=1)))
    return paginate(qs.order_by("-at", "-id"), filters)
