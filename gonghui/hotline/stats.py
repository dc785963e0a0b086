"""Statistics of work orders for an org's subtree and a period, set-based (one aggregate
query per call, no loop over orders).

An order counts as *received* in the period of its receipt, *dispatched* in that of its
first dispatch, *closed* in that of its closure (*on time* when closed by its due date).
The rates are ratios (0..1, four decimals; ``None`` when nothing to divide by) over the
orders closed in the period: on-time = closed on time / closed; callback = called back /
closed that needed a callback (not answered on the spot); satisfaction = satisfied or
basically satisfied / called back; reopen = reopened at least once / closed. Wages
recovered are those of the orders closed in the period, as their last reply states them.
``org`` covers the orders received or handled anywhere in its subtree (the order's path).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_noop

from gonghui.core.errors import InvalidInput, NotFound
from gonghui.core.roles import can

from .models import Category, Satisfaction, Ticket

KEYS = (
    "received",
    "dispatched",
    "closed",
    "closed_on_time",
    "on_time_rate",
    "callback_rate",
    "satisfaction_rate",
    "reopen_rate",
    "wages_recovered",
)
BREAKDOWNS = ("category", "topic", "county")
# How the statistics page and its workbook show them (labels translated where shown):
# the figures (key, label, unit) and the breakdowns (key, title, column heading).
PERCENT_KEYS = ("on_time_rate", "callback_rate", "satisfaction_rate", "reopen_rate")
FIGURES: list[tuple[str, str, str]] = [
    ("received", gettext_noop("受理"), gettext_noop("件")),
    ("dispatched", gettext_noop("派单"), gettext_noop("件")),
    ("closed", gettext_noop("办结"), gettext_noop("件")),
    ("closed_on_time", gettext_noop("按时办结"), gettext_noop("件")),
    ("on_time_rate", gettext_noop("按时办结率"), "%"),
    ("callback_rate", gettext_noop("回访率"), "%"),
    ("satisfaction_rate", gettext_noop("满意率"), "%"),
    ("reopen_rate", gettext_noop("重办率"), "%"),
    ("wages_recovered", gettext_noop("追回欠薪"), gettext_noop("元")),
]
BREAKDOWN_TITLES: list[tuple[str, str, str]] = [
    ("category", gettext_noop("按类别"), gettext_noop("类别")),
    ("county", gettext_noop("按县区"), gettext_noop("县区")),
    ("topic", gettext_noop("按诉求主题"), gettext_noop("诉求主题")),
]


def _aggregates(start: date, end: date) -> dict[str, Any]:
    closed = Q(closed_on__range=(start, end))
    called_back = closed & ~Q(satisfaction="")
    return {
        "received": Count("id", filter=Q(received_on__range=(start, end))),
        "dispatched": Count("id", filter=Q(dispatched_on__range=(start, end))),
        "closed": Count("id", filter=closed),
        "closed_on_time": Count("id", filter=closed & Q(closed_on_time=True)),
        "needs_callback": Count("id", filter=closed & Q(answered_on_spot=False)),
        "called_back": Count("id", filter=called_back),
        "satisfied": Count(
            "id",
            filter=called_back
            & Q(satisfaction__in=(Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)),
        ),
        "reopened": Count("id", filter=closed & Q(reopen_count__gt=0)),
        "wages_recovered": Sum("wages_recovered", filter=closed),
    }


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in ("received", "dispatched", "closed", "closed_on_time")}
    out["on_time_rate"] = _ratio(row["closed_on_time"], row["closed"])
    out["callback_rate"] = _ratio(row["called_back"], row["needs_callback"])
    out["satisfaction_rate"] = _ratio(row["satisfied"], row["called_back"])
    out["reopen_rate"] = _ratio(row["reopened"], row["closed"])
    out["wages_recovered"] = (row["wages_recovered"] or Decimal("0")).quantize(Decimal("0.01"))
    return out


def tickets_in_period(org: Any, start: date, end: date) -> QuerySet[Ticket]:
    """The orders of ``org``'s path touched by the period: received, dispatched or closed in
    it (the date indexes narrow the scan before the path's subquery)."""
    touched = (
        Q(received_on__range=(start, end))
        | Q(dispatched_on__range=(start, end))
        | Q(closed_on__range=(start, end))
    )
    return Ticket.objects.on_path_of(org).filter(touched)


def _check(user: Any, org: Any, start: date, end: date) -> None:
    if org is None or not can(user, "hotline.stats", org):
        raise NotFound(_not_found())
    if start > end:
        raise InvalidInput.one("to", "截止日期不能早于起始日期")


def _not_found() -> str:
    return "未找到该工会"


def ticket_stats(user: Any, org: Any, start: date, end: date) -> dict[str, Any]:
    """The issue's figures for ``org``'s subtree over ``start``..``end`` (both included)."""
    _check(user, org, start, end)
    row = tickets_in_period(org, start, end).aggregate(**_aggregates(start, end))
    return _finish(row)


RAW = (
    "received",
    "dispatched",
    "closed",
    "closed_on_time",
    "needs_callback",
    "called_back",
    "satisfied",
    "reopened",
    "wages_recovered",
)


def _add(into: dict[str, Any], row: dict[str, Any]) -> None:
    for key in RAW:
        into[key] = (into.get(key) or 0) + (row[key] or 0)


def stats_overview(
    user: Any, org: Any, start: date, end: date
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """``ticket_stats`` and every ``stats_breakdown`` at once (the statistics page), from one
    aggregate query grouped by category, first-level topic and county together: each order
    falls in exactly one such group, so the figures and each breakdown are sums of groups —
    the same numbers as their own queries, for one pass over the period's orders instead of
    four."""
    _check(user, org, start, end)
    groups: Any = (
        tickets_in_period(org, start, end)
        .annotate(
            topic_k=Coalesce("topic__parent__code", "topic__code"),
            topic_n=Coalesce("topic__parent__name", "topic__name"),
            county_k=Coalesce("county__code", Value("")),
            county_n=Coalesce("county__name", Value("市直")),
        )
        .values("category", "topic_k", "topic_n", "county_k", "county_n")
        .annotate(**_aggregates(start, end))
        .order_by()
    )
    total: dict[str, Any] = {}
    sums: dict[str, dict[tuple[str, str], dict[str, Any]]] = {by: {} for by in BREAKDOWNS}
    for row in groups:
        _add(total, row)
        keys = {
            "category": (row["category"], row["category"]),
            "topic": (row["topic_k"], row["topic_n"]),
            "county": (row["county_k"], row["county_n"]),
        }
        for by, key in keys.items():
            _add(sums[by].setdefault(key, {}), row)
    labels = dict(Category.choices)
    breakdowns: dict[str, list[dict[str, Any]]] = {}
    for by, by_key in sums.items():
        breakdowns[by] = [
            {"key": k, "label": str(labels.get(k, n)), **_finish(raw)}
            for (k, n), raw in sorted(by_key.items())
            if raw["received"] or raw["dispatched"] or raw["closed"]
        ]
    return _finish({key: total.get(key, 0) for key in RAW}), breakdowns


def stats_breakdown(user: Any, org: Any, start: date, end: date, by: str) -> list[dict[str, Any]]:
    """The same figures by ``category``, first-level ``topic`` or ``county`` (the county
    federation on the order's path; orders handled at the city level are "市直"). Each row
    adds ``key`` and ``label``; rows without any order in the period are left out."""
    _check(user, org, start, end)
    if by not in BREAKDOWNS:
        raise InvalidInput.one("by", "可选：category、topic、county")
    qs = tickets_in_period(org, start, end)
    if by == "category":
        qs = qs.annotate(k=F("category"), n=F("category"))
    elif by == "topic":
        qs = qs.annotate(
            k=Coalesce("topic__parent__code", "topic__code"),
            n=Coalesce("topic__parent__name", "topic__name"),
        )
    else:
        qs = qs.annotate(
            k=Coalesce("county__code", Value("")), n=Coalesce("county__name", Value("市直"))
        )
    rows: Any = qs.values("k", "n").annotate(**_aggregates(start, end)).order_by("k")
    labels = dict(Category.choices)
    out = []
    for row in rows:
        if not (row["received"] or row["dispatched"] or row["closed"]):
            continue
        item = {"key": row["k"], "label": str(labels.get(row["k"], row["n"])), **_finish(row)}
        out.append(item)
    return out
