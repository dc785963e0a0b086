"""The hotline's figures of the work report. Each figure's records are the orders behind it,
so a figure and its drill-down cannot disagree; the definitions are those of ``stats``.
The closed orders' figures are one family (``records=closed`` narrowed by ``where``): the work
report counts them in one pass over the orders.

- ``hotline.received`` — orders received in the period (receipt date).
- ``hotline.closed`` — orders closed in the period (the seed page's "84 work orders of the
  12351 hotline closed").
- ``hotline.closed_on_time`` — of those, closed on or before their due date.
- ``hotline.satisfied`` / ``hotline.called_back`` — closed orders whose callback found the
  worker satisfied or basically satisfied / that were called back (the satisfaction rate).
- ``hotline.wages_recovered`` — wages recovered by the orders closed in the period (元).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_noop

from gonghui.core.metrics import Metric, register

from .models import Satisfaction, Ticket


def received(org: Any, start: date, end: date) -> QuerySet[Ticket]:
    return Ticket.objects.on_path_of(org).filter(received_on__range=(start, end))


def closed(org: Any, start: date, end: date) -> QuerySet[Ticket]:
    return Ticket.objects.on_path_of(org).filter(closed_on__range=(start, end))


ON_TIME = Q(closed_on_time=True)
CALLED_BACK = ~Q(satisfaction="")
SATISFIED = Q(satisfaction__in=(Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED))


for metric in (
    Metric(
        key="hotline.received",
        label=gettext_noop("受理“12351”职工热线工单"),
        unit="件",
        definition="受理日期在期内的热线工单数（受理或承办单位在本级及下级）",
        records=received,
        paragraph=gettext_noop("受理“12351”职工热线工单{value}件"),
        module="hotline",
        order=40,
    ),
    Metric(
        key="hotline.closed",
        label=gettext_noop("办结“12351”职工热线工单"),
        unit="件",
        definition="结案日期在期内的热线工单数",
        records=closed,
        paragraph=gettext_noop("办结省总工会“12351”职工热线转办单{value}件"),
        module="hotline",
        order=41,
    ),
    Metric(
        key="hotline.closed_on_time",
        label=gettext_noop("按时办结热线工单"),
        unit="件",
        definition="期内结案且结案日期不晚于办理期限的热线工单数",
        records=closed,
        where=ON_TIME,
        module="hotline",
        order=42,
    ),
    Metric(
        key="hotline.called_back",
        label=gettext_noop("回访热线工单"),
        unit="件",
        definition="期内结案且已回访的热线工单数",
        records=closed,
        where=CALLED_BACK,
        module="hotline",
        order=43,
    ),
    Metric(
        key="hotline.satisfied",
        label=gettext_noop("回访满意热线工单"),
        unit="件",
        definition="期内结案、回访结果为满意或基本满意的热线工单数",
        records=closed,
        where=SATISFIED,
        module="hotline",
        order=44,
    ),
    Metric(
        key="hotline.wages_recovered",
        label=gettext_noop("热线追回欠薪"),
        unit="元",
        definition="期内结案的热线工单最后一次办结反馈所载追回欠薪金额之和",
        records=closed,
        sum_field="wages_recovered",
        paragraph=gettext_noop("为职工追回欠薪{value}{unit}"),
        module="hotline",
        order=45,
        money=True,
    ),
    Metric(
        key="hotline.on_time_rate",
        label=gettext_noop("热线工单按时办结率"),
        unit="%",
        definition="期内按时办结的热线工单数 ÷ 期内办结的热线工单数",
        records=closed,
        where=ON_TIME,
        kind="rate",
        ratio=("hotline.closed_on_time", "hotline.closed"),
        paragraph=gettext_noop("按时办结率{value}%"),
        module="hotline",
        order=46,
    ),
    Metric(
        key="hotline.satisfaction_rate",
        label=gettext_noop("热线工单回访满意率"),
        unit="%",
        definition="期内办结、回访满意或基本满意的工单数 ÷ 期内办结且已回访的工单数",
        records=closed,
        where=SATISFIED,
        kind="rate",
        ratio=("hotline.satisfied", "hotline.called_back"),
        paragraph=gettext_noop("回访满意率{value}%"),
        module="hotline",
        order=47,
    ),
):
    # orders count for the county on their path (statistics by county); the section is the
    # seed page's line of work on rights protection
    register(replace(metric, org_field="county", section=gettext_noop("职工维权服务")))
