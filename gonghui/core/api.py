"""The kernel's part of the API: the bounded schema base, list pagination shared by every
router, and the audit log.

``InputSchema`` is the base of every input schema: each text field is bounded (the length of the
model field it is stored in, named by ``bounds``; ``TEXT_MAX`` for long text; ``SHORT_MAX``
for codes, filters and notes stored nowhere) and refuses NUL characters, so bad input answers
422 naming the field before any service or database sees it.
``paginate(qs, params)`` answers ``{"items", "count"}`` with two queries whatever the page
size; ``PageParams`` (``limit`` default 50, at most 500; ``offset`` at most ``OFFSET_MAX``) is
the base of every list route's query schema.
"""

from __future__ import annotations

import datetime
import types
import typing
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Generic, TypeVar
from zoneinfo import ZoneInfo

import annotated_types
import ninja
from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router
from pydantic import AfterValidator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from . import audit, periods
from .errors import Forbidden
from .models import AuditEntry
from .roles import can

T = TypeVar("T")

PAGE_DEFAULT = 50
PAGE_MAX = 500
# Far past any list (a province's ten million members), far below a 64-bit OFFSET.
OFFSET_MAX = 1_000_000_000
# Long text (a call's content, a reply) stored in a field without a length of its own.
TEXT_MAX = 20_000
# Codes, search words, filters and notes that are not stored in a field of ``bounds``:
# as long as the longest note the audit log keeps.
SHORT_MAX = 500


def no_nul(value: Any) -> Any:
    """PostgreSQL cannot store NUL in text, and no user means to type one."""
    if isinstance(value, str) and "\x00" in value:
        raise PydanticCustomError("nul_character", "不能包含空字符（NUL）")
    return value


BoundedText = Annotated[str, annotated_types.MaxLen(SHORT_MAX), AfterValidator(no_nul)]
"""A text parameter outside a schema (``Form[BoundedText]``): short and without NUL."""


# Whole numbers that declare no range of their own: what a database integer column holds.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# Amounts that declare no digits of their own: yuan to the fen, below a trillion.
DECIMAL_DIGITS, DECIMAL_PLACES = 14, 2


def _bare(annotation: Any) -> Any:
    """``T`` for ``T`` and ``T | None``; None for anything else."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else None
    return annotation


def _model_field(
    bounds: tuple[type[models.Model], ...], name: str
) -> models.Field[Any, Any] | None:
    """The first field called ``name`` of the models in ``bounds``, if one stores it."""
    for model in bounds:
        try:
            field = model._meta.get_field(name)
        except Exception:  # noqa: S112 - not a field of this model: try the next one
            continue
        if isinstance(field, models.Field) and not field.is_relation:
            return field
    return None


def _has(metadata: list[Any], *kinds: type) -> bool:
    return any(isinstance(m, kinds) for m in metadata)


def _bounds_for(kind: Any, metadata: list[Any], field: Any) -> list[Any]:
    """The constraints that a field of type ``kind`` lacks: ``field`` is the model field that
    stores it (or None)."""
    added: list[Any] = []
    if kind is str:
        if not _has(metadata, annotated_types.MaxLen):
            stored = getattr(field, "max_length", None) or TEXT_MAX
            limit = SHORT_MAX if field is None else stored
            added.append(annotated_types.MaxLen(limit))
        added.append(AfterValidator(no_nul))
    elif kind is int:
        if not _has(metadata, annotated_types.Le, annotated_types.Lt):
            added.append(annotated_types.Le(INT_MAX))
        if not _has(metadata, annotated_types.Ge, annotated_types.Gt):
            added.append(annotated_types.Ge(INT_MIN))
    elif kind is Decimal:
        digits = getattr(field, "max_digits", None) or DECIMAL_DIGITS
        places = getattr(field, "decimal_places", None) or DECIMAL_PLACES
        if not any(getattr(m, "max_digits", None) for m in metadata):
            added.append(FieldInfo(max_digits=digits, decimal_places=places))
    return added


class InputSchema(ninja.Schema):
    """The base of every schema that reads input. Every text field gets a maximum length and
    refuses NUL, every whole number a range, every amount its digits, unless the field
    declares its own. ``bounds`` names the models the schema writes to: a field of the same
    name there lends its ``max_length`` (``TEXT_MAX`` for text without one) or its digits."""

    bounds: ClassVar[tuple[type[models.Model], ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        changed = False
        for name, info in cls.model_fields.items():
            if _has(info.metadata, _Bounded):
                continue  # inherited, already bounded
            kind = _bare(info.annotation)
            added = _bounds_for(kind, info.metadata, _model_field(cls.bounds, name))
            if added:
                info.metadata.extend([*added, _Bounded()])
                changed = True
        if changed:
            cls.model_rebuild(force=True)


class _Bounded:
    """Marks a field whose bounds ``InputSchema`` has added (metadata pydantic ignores)."""


class PageParams(InputSchema):
    """``limit``/``offset`` of every list route; filter schemas extend it."""

    limit: int = Field(PAGE_DEFAULT, ge=1, le=PAGE_MAX, description="每页条数，最大 500")
    offset: int = Field(0, ge=0, le=OFFSET_MAX, description="跳过的条数，最大 10 亿")


class Page(ninja.Schema, Generic[T]):
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


class AuditChangeOut(ninja.Schema):
    field: str = Field(..., description="字段代码")
    label: str = Field(..., description="字段名称")
    before: str = Field(..., description="修改前，以文字表示")
    after: str = Field(..., description="修改后，以文字表示")


class AuditOut(ninja.Schema):
    """An audit row: its codes, as stored, and beside them the same in words
    (``core.audit.describe``), as the audit page shows it."""

    id: int
    at: datetime.datetime
    actor: str = Field(..., description="操作人用户名")
    actor_label: str = Field(..., description="操作人姓名")
    org: str | None = Field(None, description="操作人当时所在组织的代码")
    org_label: str = Field(..., description="操作人当时所在组织的名称")
    action: str
    action_label: str = Field(..., description="操作名称，如“派单”")
    object_type: str
    object_type_label: str = Field(..., description="记录类型名称")
    object_id: str
    object_repr: str
    object_label: str = Field(..., description="记录名称，如工单号与主题")
    changes: dict[str, Any]
    changes_described: list[AuditChangeOut] = Field(
        ..., description="每个修改的字段：名称、修改前后，以文字表示"
    )
    note: str


def _audit_row(row: audit.Described) -> dict[str, Any]:
    e = row.entry
    return {
        "id": e.pk,
        "at": e.at,
        "actor": e.actor_name,
        "actor_label": row.actor,
        "org": e.org.code if e.org is not None else None,
        "org_label": row.actor_org,
        "action": e.action,
        "action_label": row.action,
        "object_type": e.object_type,
        "object_type_label": row.object_type,
        "object_id": e.object_id,
        "object_repr": e.object_repr,
        "object_label": row.object,
        "changes": e.changes or {},
        "changes_described": [vars(c) for c in row.changes],
        "note": e.note,
    }


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
    periods.check_filter(filters.date_from, filters.date_to)
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
    page = paginate(qs.select_related("actor").order_by("-at", "-id"), filters)
    page["items"] = [_audit_row(row) for row in audit.describe(page["items"])]
    return page
