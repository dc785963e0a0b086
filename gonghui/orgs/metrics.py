"""The union tree's figures of the work report.

Each figure's records are orgs in the subtree of ``org``; "founded in the period" means a
founding date within [start, end], both days included. Chemical unions are told apart by
``Org.sector``, never by their names.
Labels are marked with ``gettext_noop``: the registry keeps the Chinese text, whoever shows
a figure translates it then.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_noop

from gonghui.core.metrics import Metric, register

from .models import Org, OrgKind, OrgSector


def _subtree(org: Any) -> QuerySet[Org]:
    return Org.objects.filter(path__startswith=org.path)


def chemical_industry_unions(org: Any, start: date, end: date) -> QuerySet[Org]:
    return _subtree(org).filter(
        kind=OrgKind.INDUSTRY, sector=OrgSector.CHEMICAL, founded_on__range=(start, end)
    )


def chemical_park_unions(org: Any, start: date, end: date) -> QuerySet[Org]:
    return _subtree(org).filter(
        kind=OrgKind.PARK, sector=OrgSector.CHEMICAL, founded_on__range=(start, end)
    )


def grassroots_unions(org: Any, start: date, end: date) -> QuerySet[Org]:
    # Active now and founded by the period's end (or of unknown founding date). An org
    # deactivated after the period still counts as absent: the tree keeps no end dates.
    return _subtree(org).filter(
        Q(founded_on__lte=end) | Q(founded_on=None), kind=OrgKind.GRASSROOTS, active=True
    )


def unions_founded(org: Any, start: date, end: date) -> QuerySet[Org]:
    return _subtree(org).filter(founded_on__range=(start, end))


register(
    Metric(
        key="orgs.chemical_industry_unions_founded",
        label=gettext_noop("新建县级化工产业工会"),
        unit="个",
        definition="期内成立的化工产业工会（类型为产业工会、产业领域为化工）",
        records=chemical_industry_unions,
        paragraph=gettext_noop("新组建{value}个县级化工产业工会"),
        section=gettext_noop("产业工会建设"),
        module="orgs",
        order=10,
    )
)
register(
    Metric(
        key="orgs.chemical_park_unions_founded",
        label=gettext_noop("新建化工园区工会"),
        unit="个",
        definition="期内成立的化工园区工会（类型为园区工会、产业领域为化工）",
        records=chemical_park_unions,
        paragraph=gettext_noop("新组建{value}个化工产业园区工会"),
        section=gettext_noop("产业工会建设"),
        module="orgs",
        order=11,
    )
)
register(
    Metric(
        key="orgs.grassroots_unions",
        label=gettext_noop("基层工会"),
        unit="个",
        definition="期末有效的基层工会（成立日期不晚于期末）",
        records=grassroots_unions,
        paragraph=gettext_noop("基层工会达{value}个"),
        module="orgs",
        order=12,
    )
)
register(
    Metric(
        key="orgs.unions_founded",
        label=gettext_noop("新建工会组织"),
        unit="个",
        definition="期内成立的各级各类工会组织",
        records=unions_founded,
        paragraph=gettext_noop("新建各级工会组织{value}个"),
        module="orgs",
        order=13,
    )
)
