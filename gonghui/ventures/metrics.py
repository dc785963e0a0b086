"""The ventures module's figures of the work report, each with its records (the seed's
"新培育市级工友创业园36个……带动10640人就业、205人创业，其中困难职工422人"):

- ``ventures.parks`` — municipal-level parks recognised in the period;
- ``ventures.jobs`` — people who took a job at a venture in the period (employees, not the
  founders), counted from the people rows;
- ``ventures.founders`` — founders whose venture started in the period (one per venture);
- ``ventures.hardship_founders`` — of those employed and those founding in the period, the
  hardship workers of the assistance archive (the seed's "其中困难职工").

The last three count the same records (the period's people), so they are one family: one
query computes all three.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_noop

from gonghui.core.metrics import Metric, register
from gonghui.core.scope import subtree_org_ids

from .models import Level, Park, Person, Role

SECTION = gettext_noop("劳动和技能竞赛与评先评优")


def parks(org: Any, start: date, end: date) -> QuerySet[Park]:
    return Park.objects.filter(
        org__in=subtree_org_ids(org), level=Level.MUNICIPAL, recognized_on__range=(start, end)
    )


def people(org: Any, start: date, end: date) -> QuerySet[Person]:
    return Person.objects.filter(
        org__in=subtree_org_ids(org), started_on__range=(start, end)
    ).select_related("venture")


PEOPLE_COLUMNS = (
    ("venture__name", "创业项目"),
    ("role", "身份"),
    ("started_on", "就业（创业）日期"),
    ("hardship", "困难职工"),
)

for metric in (
    Metric(
        key="ventures.parks",
        label=gettext_noop("新培育市级工友创业园"),
        unit="个",
        definition="认定日期在期内的市级工友创业园数",
        records=parks,
        paragraph=gettext_noop("新培育市级工友创业园{value}个"),
        section=SECTION,
        module="ventures",
        order=64,
        columns=(("level", "级别"), ("host", "承办单位"), ("recognized_on", "认定日期")),
    ),
    Metric(
        key="ventures.jobs",
        label=gettext_noop("创业园带动就业"),
        unit="人",
        definition="期内在创业园创业项目就业的人数（按登记的就业人员逐人计数，不含创业者本人）",
        records=people,
        where=Q(role=Role.EMPLOYEE),
        paragraph=gettext_noop("带动{value}人就业"),
        section=SECTION,
        module="ventures",
        order=65,
        columns=PEOPLE_COLUMNS,
    ),
    Metric(
        key="ventures.founders",
        label=gettext_noop("创业园创业人数"),
        unit="人",
        definition="创业日期在期内的创业者人数（每个创业项目一人）",
        records=people,
        where=Q(role=Role.FOUNDER),
        paragraph=gettext_noop("{value}人创业"),
        section=SECTION,
        module="ventures",
        order=66,
        columns=PEOPLE_COLUMNS,
    ),
    Metric(
        key="ventures.hardship_founders",
        label=gettext_noop("其中困难职工"),
        unit="人",
        definition="期内就业和创业的人员中，困难职工档案在其就业（创业）之日有效的人数",
        records=people,
        where=Q(hardship=True),
        paragraph=gettext_noop("其中困难职工{value}人"),
        section=SECTION,
        module="ventures",
        order=67,
        columns=PEOPLE_COLUMNS,
    ),
):
    register(metric)
