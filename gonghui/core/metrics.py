"""The metrics registry: each module declares the figures of the work report it owns.

A module's ``metrics.py`` (imported at start-up by ``CoreConfig.ready``) calls ``register``::

    register(Metric(
        key="orgs.industry_unions_founded",
        label="新建县区化工产业工会",
        unit="个",
        definition="期内成立的县级化工产业工会数",
        records=lambda org, start, end: Org.objects.filter(...),
    ))

``records(org, start, end)`` returns the queryset behind the figure, already limited to
``org``'s subtree and the period (narrowed by ``where`` when the declaration gives one:
``queryset`` is what the drill-down lists); ``value`` defaults to its count, or to the sum of
``sum_field`` when the figure is an amount. So a figure and its drill-down cannot disagree.

Optional fields (all defaulted, so a declaration needs only the ones above):

- ``kind``: ``count`` / ``sum`` / ``rate``; empty means ``sum`` when ``sum_field`` is set,
  else ``count``. A ``rate`` names ``ratio=(numerator_key, denominator_key)``: its value is
  numerator / denominator × 100 (a percentage) and its records are the numerator's.
- ``paragraph``: the clause of the narrative report, with ``{value}`` (and ``{unit}``)
  placeholders, in the seed page's style: ``"办结省总工会“12351”职工热线转办单{value}件"``.
- ``section``: the line of work the clause belongs to (a heading such as ``"维权服务"``);
  figures of one section form one paragraph.
- ``org_field``: the records' field that names their org, for breakdowns by subordinate org;
  empty means the model's ``scope_field`` (``org`` unless the model says otherwise).
- ``columns``: ``((field_path, label), ...)`` shown for each record of the drill-down and of
  the exported detail sheet, after its name and org.
- ``where``: a ``Q`` on the records' own fields: the figure's records are
  ``records(org, start, end).filter(where)``. Figures declared over the same ``records``
  function (the same object) and ``org_field`` form a *family*: a ``Tally`` computes the whole
  family in one query per period (``COUNT(...) FILTER (WHERE ...)`` per figure), so the
  hotline's closed / on time / called back / satisfied / wages figures scan the orders once.

A ``Tally`` computes figures for one org and remembers them for the computation it serves
(one report page): a rate reuses its numerator and denominator, the breakdown by subordinate
org (one ``GROUP BY`` per family) gives the figure as the sum of its groups — a ``GROUP BY``
partitions the records, so the sum is the count (or sum) exactly — and the drill-down's count
is the figure's own query, not a second scan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, IntegerField, Q, QuerySet, Sum
from django.db.models import Value as Constant
from django.utils.translation import gettext_noop

from .scope import spans_remembered

RecordsFn = Callable[[Any, date, date], QuerySet[Any]]
Number = int | Decimal
# a figure's value: a rate over an empty denominator has none (shown as EMPTY, never 0 %)
Value = int | Decimal | None
EMPTY = "—"
# the column of records held by the org itself, beside its subordinates' (every breakdown)
OWN_LEVEL = gettext_noop("本级")


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    definition: str
    records: RecordsFn
    sum_field: str = ""  # empty: the figure counts records; else it sums this field
    module: str = ""
    order: int = 100
    money: bool = False  # yuan; reports show 万元
    kind: str = ""  # count | sum | rate; empty: sum when sum_field is set, else count
    paragraph: str = ""  # narrative clause with {value} / {unit}
    section: str = ""  # the line of work (heading) the clause belongs to
    ratio: tuple[str, str] | None = None  # rate: (numerator key, denominator key)
    org_field: str = ""  # the records' org field; empty: the model's scope_field
    columns: tuple[tuple[str, str], ...] = ()  # drill-down columns: (field path, label)
    where: Q | None = None  # the figure's records: records(...).filter(where)

    @property
    def effective_kind(self) -> str:
        if self.kind:
            return self.kind
        return "sum" if self.sum_field else "count"

    def queryset(self, org: Any, start: date, end: date) -> QuerySet[Any]:
        """The figure's records (for a rate: its own ``records``, see ``figure_records``)."""
        qs = self.records(org, start, end)
        return qs if self.where is None else qs.filter(self.where)

    def value(self, org: Any, start: date, end: date) -> Value:
        return Tally(org).value(self, start, end)

    def rate(self, org: Any, start: date, end: date) -> Decimal | None:
        """numerator / denominator × 100; None when the denominator is 0."""
        return Tally(org).rate(self, start, end)


def display_unit(metric: Metric) -> str:
    """The unit a figure is shown in: % for a rate, 万元 for money, else its own."""
    if metric.effective_kind == "rate":
        return "%"
    if metric.money:
        return "万元"
    return metric.unit


def shown(metric: Metric, raw: Value) -> Value:
    """Counts as integers, money in 万元 to two decimals, rates as percentages to two (None:
    a rate with nothing to divide by)."""
    if raw is None:
        return None
    if metric.effective_kind == "rate":
        return Decimal(raw).quantize(_CENT, ROUND_HALF_UP)
    if metric.money:
        return (Decimal(raw) / _TEN_THOUSAND).quantize(_CENT, ROUND_HALF_UP)
    if isinstance(raw, Decimal) and raw == raw.to_integral_value():
        return int(raw)
    return raw


def shown_text(metric: Metric, raw: Value) -> str:
    """A figure as every page writes it: ``84``, ``40.79``, ``97.62``; an empty rate "—"."""
    return as_text(shown(metric, raw))


def as_text(value: Value) -> str:
    if value is None:
        return EMPTY
    return str(value) if isinstance(value, int) else f"{value:.2f}"


_CENT = Decimal("0.01")
_TEN_THOUSAND = Decimal(10000)


def percentage(num: Value, den: Value) -> Decimal | None:
    """num / den × 100; None when there is nothing to divide by."""
    if not den or num is None:
        return None
    return Decimal(num) * 100 / Decimal(den)


_REGISTRY: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    if metric.key in _REGISTRY and _REGISTRY[metric.key] != metric:
        raise ValueError(f"metric {metric.key} declared twice")
    _REGISTRY[metric.key] = metric
    return metric


def get(key: str) -> Metric:
    return _REGISTRY[key]


def all_metrics() -> list[Metric]:
    return sorted(_REGISTRY.values(), key=lambda m: (m.order, m.key))


# --- computing figures together -------------------------------------------------------------

FamilyKey = tuple[Any, str, date, date]  # (records function, org_field, start, end)


def family(metric: Metric) -> list[Metric]:
    """``metric`` and the registered count/sum figures declared over the same records."""
    if metric.effective_kind == "rate":
        raise ValueError(f"rate metric {metric.key} has no records of its own to count")
    peers = [
        m
        for m in all_metrics()
        if m.key != metric.key and m.effective_kind != "rate" and _kin(m, metric)
    ]
    return [metric, *peers]


def _kin(a: Metric, b: Metric) -> bool:
    """Do ``a`` and ``b`` count the same records (one family)?"""
    return a.records is b.records and a.org_field == b.org_field


def _aggregates(members: list[Metric]) -> dict[str, Any]:
    """Per figure ``tally_i`` (its value) and, for an amount, ``tally_i_n`` (its records)."""

    def count(where: Q | None) -> Count:
        # COUNT(*) lets PostgreSQL count from an index alone; a filtered count names a column
        return Count("*") if where is None else Count("pk", filter=where)

    out: dict[str, Any] = {}
    for i, m in enumerate(members):
        if m.sum_field:
            out[f"tally_{i}"] = Sum(m.sum_field, filter=m.where)
            out[f"tally_{i}_n"] = count(m.where)
        else:
            out[f"tally_{i}"] = count(m.where)
    return out


def _amount(metric: Metric, raw: Any) -> Number:
    if raw is None:
        return Decimal("0") if metric.sum_field else 0
    return raw


class Tally:
    """The figures of one org, computed by family and remembered for one computation.

    ``value`` answers a figure (an aggregate over its family, unless the family's ``split``
    has been computed for the period: then the sum of its groups); ``split`` answers the
    figure per org the records name (one ``GROUP BY`` over the family); ``count`` the number
    of records behind a figure (its value for a count; for an amount, counted in the same
    query as the sum; for a rate, its numerator's).
    """

    def __init__(self, org: Any, *, families: bool = True) -> None:
        self.org = org
        # False: each figure alone (one figure's drill-down: its own count can be read from
        # an index, where its family's filters would read every row)
        self.families = families
        self._values: dict[tuple[str, date, date], Number] = {}
        self._counts: dict[tuple[str, date, date], int] = {}
        self._splits: dict[tuple[str, date, date], dict[Any, Number]] = {}
        self.queries = 0  # aggregates run (for tests and benchmarks)

    def value(self, metric: Metric, start: date, end: date) -> Value:
        if metric.effective_kind == "rate":
            return self.rate(metric, start, end)
        key = (metric.key, start, end)
        if key not in self._values:
            self._aggregate(metric, start, end)
        return self._values[key]

    def rate(self, metric: Metric, start: date, end: date) -> Decimal | None:
        """numerator / denominator × 100; None when the denominator is 0."""
        if metric.ratio is None:
            raise ValueError(f"rate metric {metric.key} names no ratio")
        numerator, denominator = get(metric.ratio[0]), get(metric.ratio[1])
        pending = [m for m in (numerator, denominator) if (m.key, start, end) not in self._values]
        if len(pending) == 2 and _kin(numerator, denominator):
            self._aggregate(numerator, start, end, members=pending)  # one query for both
        return percentage(self.value(numerator, start, end), self.value(denominator, start, end))

    def count(self, metric: Metric, start: date, end: date) -> int:
        """How many records the figure's drill-down lists (for a rate: the numerator's)."""
        if metric.effective_kind == "rate":
            if metric.ratio is None:
                raise ValueError(f"rate metric {metric.key} names no ratio")
            return self.count(get(metric.ratio[0]), start, end)
        if not metric.sum_field:
            return int(self.value(metric, start, end) or 0)
        key = (metric.key, start, end)
        if key not in self._counts:
            self._aggregate(metric, start, end)
        return self._counts[key]

    def split(
        self, metric: Metric, start: date, end: date, field_of: Callable[[Any], str | None]
    ) -> dict[Any, Number] | None:
        """The figure per value of its records' org field (``field_of(model)``; None: the
        records have none): one ``GROUP BY`` for the family; the groups partition the
        records, so they add up to the figure."""
        key = (metric.key, start, end)
        if key in self._splits:
            return self._splits[key]
        qs = metric.records(self.org, start, end).order_by()
        field = field_of(qs.model)
        if field is None:
            return None
        members = self._members(metric)
        aggs = _aggregates(members)
        rows = list(qs.values(field).annotate(**aggs).values(field, *aggs))
        self.queries += 1
        for i, m in enumerate(members):
            mkey = (m.key, start, end)
            cells = {row[field]: _amount(m, row[f"tally_{i}"]) for row in rows}
            self._splits[mkey] = cells
            self._values[mkey] = sum(cells.values(), _amount(m, None))
            if m.sum_field:
                self._counts[mkey] = sum(row[f"tally_{i}_n"] for row in rows)
        return self._splits[key]

    def _members(self, metric: Metric) -> list[Metric]:
        return family(metric) if self.families else [metric]

    def _aggregate(
        self, metric: Metric, start: date, end: date, members: list[Metric] | None = None
    ) -> None:
        members = members or self._members(metric)
        aggs = _aggregates(members)
        row = metric.records(self.org, start, end).order_by().aggregate(**aggs)
        self.queries += 1
        for i, m in enumerate(members):
            mkey = (m.key, start, end)
            self._values[mkey] = _amount(m, row[f"tally_{i}"])
            if m.sum_field:
                self._counts[mkey] = row[f"tally_{i}_n"]

    # --- many families in one statement ----------------------------------------------------

    def prefetch(self, metrics: Iterable[Metric], start: date, end: date) -> None:
        """Compute the figures of ``metrics`` (a rate: its numerator and denominator) that are
        not known yet, every family in the same statement: each family's aggregate is a
        one-row subquery and the statement cross-joins them (``TOGETHER`` at most), so a page
        of every module's figures costs one query instead of one per family. The values are
        those ``value`` would compute, family by family."""
        with spans_remembered():  # the records ask whether the org is the only root
            pending = self._pending(metrics, start, end)
        alone = [p for p in pending if not _joinable(p[1])]
        for members, _qs in alone:
            self._aggregate(members[0], start, end, members=members)
        together = [p for p in pending if _joinable(p[1])]
        for i in range(0, len(together), TOGETHER):
            self._together(together[i : i + TOGETHER], start, end)

    def _pending(
        self, metrics: Iterable[Metric], start: date, end: date
    ) -> list[tuple[list[Metric], QuerySet[Any]]]:
        """The families still to compute, each with its records."""
        planned: set[str] = set()
        pending: list[tuple[list[Metric], QuerySet[Any]]] = []
        for metric in metrics:
            targets = [metric]
            if metric.effective_kind == "rate":
                targets = [get(k) for k in metric.ratio] if metric.ratio else []
            for m in targets:
                if m.key in planned or (m.key, start, end) in self._values:
                    continue
                members = [
                    x
                    for x in self._members(m)
                    if x.key not in planned and (x.key, start, end) not in self._values
                ]
                planned.update(x.key for x in members)
                pending.append((members, m.records(self.org, start, end).order_by()))
        return pending

    def _together(
        self, families: list[tuple[list[Metric], QuerySet[Any]]], start: date, end: date
    ) -> None:
        quote = connection.ops.quote_name
        sources: list[str] = []
        columns: list[str] = []
        params: list[Any] = []
        parts: list[tuple[list[Metric], Any, dict[int, Any], list[str]]] = []
        for j, (members, qs) in enumerate(families):
            aggs = {f"f{j}_{k}": v for k, v in _aggregates(members).items()}
            one = qs.annotate(_tally_one=Constant(1, output_field=IntegerField()))
            rows = one.values("_tally_one").annotate(**aggs).values(*aggs)
            compiler = rows.query.get_compiler(using=rows.db)
            try:
                sql, sql_params = compiler.as_sql()
            except EmptyResultSet:  # nothing can match: every figure of the family is empty
                self._store(members, start, end, dict.fromkeys(_aggregates(members)))
                continue
            aliases = [str(alias) for _e, _s, alias in compiler.select]
            converters = compiler.get_converters([e for e, _s, _a in compiler.select])
            sources.append(f"({sql}) {quote(f'f{j}')}")
            columns += [f"{quote(f'f{j}')}.{quote(a)}" for a in aliases]
            params += list(sql_params)
            parts.append((members, compiler, converters, aliases))
        if not sources:
            return
        statement = f"SELECT {', '.join(columns)} FROM {' CROSS JOIN '.join(sources)}"  # noqa: S608 - compiled querysets
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            row = cursor.fetchone()
        self.queries += 1
        at = 0
        for members, compiler, converters, aliases in parts:
            cells = list(row[at : at + len(aliases)])
            at += len(aliases)
            if converters:
                cells = list(next(iter(compiler.apply_converters([cells], converters))))
            named = dict(zip(aliases, cells, strict=True))
            prefix = len(aliases[0].split("_", 1)[0]) + 1
            self._store(members, start, end, {k[prefix:]: v for k, v in named.items()})

    def _store(self, members: list[Metric], start: date, end: date, row: dict[str, Any]) -> None:
        for i, m in enumerate(members):
            mkey = (m.key, start, end)
            self._values[mkey] = _amount(m, row.get(f"tally_{i}"))
            if m.sum_field:
                self._counts[mkey] = row.get(f"tally_{i}_n") or 0


# families whose aggregates one statement joins (SQLite joins at most 64 tables)
TOGETHER = 30


def _joinable(qs: QuerySet[Any]) -> bool:
    """Can the family's aggregate be a plain one-row subquery? (not over a distinct, sliced,
    annotated or combined queryset: ``aggregate`` wraps those, so they run alone)"""
    q = qs.query
    return not (q.distinct or q.is_sliced or q.annotations or q.combinator)
