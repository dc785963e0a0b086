"""Statistics of work orders for an org's subtree and a period, set-based (one aggregate
query per call, no loop over orders). Every figure is the one declared in ``hotline.metrics``
(its records' date and ``where``; a rate its ratio), so the statistics, the work report, the
dashboard and the home page give the same number for the same org and period.

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
from django.utils.translation import gettext, gettext_noop

from gonghui.core import metrics
from gonghui.core.errors import InvalidInput, NotFound
from gonghui.core.metrics import OWN_LEVEL, Metric, percentage, shown
from gonghui.core.roles import can

from .metrics import PERIOD_FIELD
from .models import Category, Ticket

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
# the counts and sums the figures are made of, each a metric ``hotline.<key>``
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
    ("wages_recovered", gettext_noop("追回欠薪"), gettext_noop("万元")),
]
BREAKDOWN_TITLES: list[tuple[str, str, str]] = [
    ("category", gettext_noop("按类别"), gettext_noop("类别")),
    ("county", gettext_noop("按县区"), gettext_noop("县区")),
    ("topic", gettext_noop("按诉求主题"), gettext_noop("诉求主题")),
]


def _metric(key: str) -> Metric:
    return metrics.get(f"hotline.{key}")


def _aggregates(start: date, end: date) -> dict[str, Any]:
    """One aggregate per raw figure, each from its declaration in ``hotline.metrics``: its
    records' date in the period, narrowed by its ``where``."""
    out: dict[str, Any] = {}
    for key in RAW:
        m = _metric(key)
        q = Q(**{f"{PERIOD_FIELD[m.records]}__range": (start, end)})
        if m.where is not None:
            q &= m.where
        out[key] = Sum(m.sum_field, filter=q) if m.sum_field else Count("id", filter=q)
    return out


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    """The figures of one group: counts, each rate as a ratio (0..1; ``<rate>_percent`` the
    percentage as the report shows it, None when nothing to divide by), wages in yuan (and
    ``wages_shown`` in 万元 as the report shows them)."""
    out = {k: row[k] for k in ("received", "dispatched", "closed", "closed_on_time")}
    for key in PERCENT_KEYS:
        m = _metric(key)
        assert m.ratio is not None  # noqa: S101 - a rate declares its ratio
        num, den = (row[k.removeprefix("hotline.")] or 0 for k in m.ratio)
        out[key] = _ratio(num, den)
        out[f"{key}_percent"] = shown(m, percentage(num, den))
    wages = row["wages_recovered"] or Decimal("0")
    out["wages_recovered"] = wages.quantize(Decimal("0.01"))
    out["wages_shown"] = shown(_metric("wages_recovered"), wages)
    return out


def _plain(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures the API answers (``KEYS``), without the page's shown values."""
    return {k: figures[k] for k in KEYS}


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
    return _plain(_finish(row))


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
            county_n=Coalesce("county__name", Value("")),
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
            {"key": k, "label": _label(labels, k, n), **_finish(raw)}
            for (k, n), raw in sorted(by_key.items())
            if raw["received"] or raw["dispatched"] or raw["closed"]
        ]
    return _finish({key: total.get(key, 0) for key in RAW}), breakdowns


def _label(labels: dict[str, Any], key: str, name: str) -> str:
    """A group's label: a category's, else the name; an order with no county (handled by
    the org itself) is 本级, the report breakdown's word for it."""
    if key in labels:
        return str(labels[key])
    return name or gettext(OWN_LEVEL)


def stats_breakdown(user: Any, org: Any, start: date, end: date, by: str) -> list[dict[str, Any]]:
    """The same figures by ``category``, first-level ``topic`` or ``county`` (the county
    federation on the order's path; orders held by the org itself are "本级", as in the
    report's breakdown). Each row
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
            k=Coalesce("county__code", Value("")), n=Coalesce("county__name", Value(""))
        )
    rows: Any = qs.values("k", "n").annotate(**_aggregates(start, end)).order_by("k")
    labels = dict(Category.choices)
    out = []
    for row in rows:
        if not (row["received"] or row["dispatched"] or row["closed"]):
            continue
        item = {"key": row["k"], "label": _label(labels, row["k"], row["n"])}
        item.update(_plain(_finish(row)))
        out.append(item)
    return out
