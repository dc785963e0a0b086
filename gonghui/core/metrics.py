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

    def value(self, org: Any, start: date, end: date) -> int | Decimal:
        qs = self.records(org, start, end)
        if not self.sum_field:
            return qs.count()
        total = qs.aggregate(total=Sum(self.sum_field))["total"]
        return total if total is not None else Decimal("0")


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
