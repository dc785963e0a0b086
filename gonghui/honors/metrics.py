"""The honours' and competitions' figures of the work report.

- ``honors.collectives`` — collectives (奖状, 集体荣誉) named in the period.
- ``honors.individuals`` — individuals awarded the city's 五一劳动奖章 in the period (the seed
  page's 120 "抗疫先锋").
- ``honors.candidates`` — "菏泽工匠" candidates: nominations of a 菏泽工匠 round made in the
  period and passed up (selected or since named).
- ``honors.migrant_stars`` — "农民工之星" named in the period.
- ``competitions.count`` — labour competitions of key projects begun in the period.

Each counts the records in the subtree of the org asked about (the nominating union's org
for honours and candidates, the organising org for competitions).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_noop

from gonghui.core.metrics import Metric, register
from gonghui.core.scope import subtree_org_ids

from .models import AwardKind, Competition, Honour, Nomination, NominationStatus

MEDAL = "wuyi_medal"
CRAFTSMAN = "craftsman"
MIGRANT_STAR = "migrant_star"


def _in_subtree(org: Any) -> Q:
    # a subquery, not ``spans_whole_tree``: these tables hold hundreds of rows a year, where
    # the subtree condition costs less than the extra query on every home page
    return Q(org__in=subtree_org_ids(org))


def honours_named(org: Any, start: date, end: date) -> QuerySet[Honour]:
    return Honour.objects.filter(_in_subtree(org), named_on__range=(start, end))


def craftsman_candidates(org: Any, start: date, end: date) -> QuerySet[Nomination]:
    return Nomination.objects.filter(
        _in_subtree(org),
        round__award__code=CRAFTSMAN,
        nominated_on__range=(start, end),
        status__in=(NominationStatus.SELECTED, NominationStatus.NAMED),
    )


def competitions_begun(org: Any, start: date, end: date) -> QuerySet[Competition]:
    return Competition.objects.filter(_in_subtree(org), starts_on__range=(start, end))


SECTION = gettext_noop("劳动和技能竞赛与评先评优")

register(
    Metric(
        key="honors.collectives",
        label=gettext_noop("表彰先进集体"),
        unit="个",
        definition="命名日期在期内的集体荣誉（五一劳动奖状等）获得单位数",
        records=honours_named,
        where=Q(kind=AwardKind.COLLECTIVE),
        paragraph=gettext_noop("表彰先进集体{value}个"),
        section=SECTION,
        columns=(("award__name", "荣誉"), ("named_on", "命名日期"), ("certificate_no", "证书编号")),
        module="honors",
        order=60,
    )
)
register(
    Metric(
        key="honors.individuals",
        label=gettext_noop("授予五一劳动奖章的“抗疫先锋”"),
        unit="名",
        definition="命名日期在期内的市五一劳动奖章（个人）获得者人数",
        records=honours_named,
        where=Q(award__code=MEDAL),
        paragraph=gettext_noop("授予“抗疫先锋”五一劳动奖章{value}名"),
        section=SECTION,
        columns=(("award__name", "荣誉"), ("named_on", "命名日期"), ("certificate_no", "证书编号")),
        module="honors",
        order=61,
    )
)
register(
    Metric(
        key="honors.migrant_stars",
        label=gettext_noop("农民工之星"),
        unit="人",
        definition="命名日期在期内的“农民工之星”人数",
        records=honours_named,
        where=Q(award__code=MIGRANT_STAR),
        paragraph=gettext_noop("选树农民工之星{value}人"),
        section=SECTION,
        columns=(("named_on", "命名日期"), ("certificate_no", "证书编号")),
        module="honors",
        order=63,
    )
)
register(
    Metric(
        key="honors.candidates",
        label=gettext_noop("“菏泽工匠”候选人"),
        unit="人",
        definition="推荐日期在期内、已推荐上报（或已命名）的“菏泽工匠”候选人数",
        records=craftsman_candidates,
        paragraph=gettext_noop("培育“菏泽工匠”候选人{value}人"),
        section=SECTION,
        columns=(("round__title", "评选"), ("nominated_on", "推荐日期"), ("status", "状态")),
        module="honors",
        order=62,
    )
)
register(
    Metric(
        key="competitions.count",
        label=gettext_noop("重点工程劳动竞赛"),
        unit="项",
        definition="开始日期在期内的重点工程劳动竞赛项数",
        records=competitions_begun,
        paragraph=gettext_noop("开展重点工程立功竞赛{value}项"),
        section=SECTION,
        columns=(("project", "重点工程"), ("starts_on", "开始日期"), ("status", "状态")),
        module="competitions",
        order=59,
    )
)
