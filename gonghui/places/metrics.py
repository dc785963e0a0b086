"""The places' figures of the work report, each with its records.

- ``places.stations`` — outdoor-worker stations open on the period's last day (opened by
  then and still open): "Heze has 560+" (DOMAIN.md);
- ``places.rated`` — places whose star rating was confirmed by the city in the period.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from gonghui.core.metrics import Metric, register
from gonghui.core.scope import subtree_org_ids

from .models import Kind, Place, Review, ReviewStatus


def stations(org: Any, start: date, end: date) -> QuerySet[Place]:
    return Place.objects.filter(
        org__in=subtree_org_ids(org), kind=Kind.STATION, opened_on__lte=end, active=True
    ).select_related("org")


def rated(org: Any, start: date, end: date) -> QuerySet[Review]:
    return Review.objects.filter(
        place__org__in=subtree_org_ids(org),
        status=ReviewStatus.CONFIRMED,
        confirmed_on__range=(start, end),
    ).select_related("place", "place__org")


for metric in (
    Metric(
        key="places.stations",
        label=gettext_noop("户外劳动者驿站"),
        unit="个",
        definition="期末已建成并开放的户外劳动者驿站数",
        records=stations,
        paragraph=gettext_noop("建成户外劳动者驿站{value}个"),
        module="places",
        org_field="org",
        order=90,
        columns=(("address", "地址"), ("opened_on", "建成日期"), ("stars", "星级")),
    ),
    Metric(
        key="places.rated",
        label=gettext_noop("完成星级评定的服务阵地"),
        unit="个",
        definition="期内经市总工会确认星级的服务阵地数（驿站、文化宫、职工之家、会员之家）",
        records=rated,
        paragraph=gettext_noop("{value}个服务阵地完成星级评定"),
        module="places",
        org_field="place__org",
        order=91,
        columns=(("place__kind", "类型"), ("stars", "星级"), ("confirmed_on", "确认日期")),
    ),
):
    register(metric)
