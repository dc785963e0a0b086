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
``org``'s subtree and the period; ``value`` defaults to its count, or to the sum of
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
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

RecordsFn = Callable[[Any, date, date], QuerySet[Any]]


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

    @property
    def effective_kind(self) -> str:
        if self.kind:
            return self.kind
        return "sum" if self.sum_field else "count"

    def value(self, org: Any, start: date, end: date) -> int | Decimal:
        if self.effective_kind == "rate":
            return self.rate(org, start, end)
        qs = self.records(org, start, end)
        if not self.sum_field:
            return qs.count()
        total = qs.aggregate(total=Sum(self.sum_field))["total"]
        return total if total is not None else Decimal("0")

    def rate(self, org: Any, start: date, end: date) -> Decimal:
        """numerator / denominator × 100; 0 when the denominator is 0."""
        if self.ratio is None:
            raise ValueError(f"rate metric {self.key} names no ratio")
        num = get(self.ratio[0]).value(org, start, end)
        den = get(self.ratio[1]).value(org, start, end)
        return percentage(num, den)


def percentage(num: int | Decimal, den: int | Decimal) -> Decimal:
    if not den:
        return Decimal("0")
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
