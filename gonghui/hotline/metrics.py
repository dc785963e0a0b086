"""The hotline's figures: the one declaration of each, from which the work report, the
dashboard, the home page *and* the hotline's statistics (``stats``) compute it — so they
cannot disagree. Each figure's records are the orders behind it, so a figure and its
drill-down cannot disagree either. The closed orders' figures are one family
(``records=closed`` narrowed by ``where``): the work report counts them in one pass.

- ``hotline.received`` — orders received in the period (receipt date).
- ``hotline.dispatched`` — orders first dispatched in the period.
- ``hotline.closed`` — orders closed in the period (the seed page's "84 work orders of the
  12351 hotline closed").
- ``hotline.closed_on_time`` — of those, closed on or before their due date.
- ``hotline.needs_callback`` / ``hotline.called_back`` / ``hotline.satisfied`` — closed
  orders that needed a callback (not answered during the call) / that were called back /
  whose callback found the worker satisfied or basically satisfied.
- ``hotline.reopened`` — closed orders handled again at least once.
- ``hotline.wages_recovered`` — wages recovered by the orders closed in the period (元).
- the rates: on time (closed on time ÷ closed), callback (called back ÷ needed a callback),
  satisfaction (satisfied ÷ called back), reopen (reopened ÷ closed); "—" when nothing to
  divide by.

``PERIOD_FIELD`` names, per records function, the date that puts an order in a period:
``stats`` builds its grouped aggregate from it and the figures' ``where``.
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


def dispatched(org: Any, start: date, end: date) -> QuerySet[Ticket]:
    return Ticket.objects.on_path_of(org).filter(dispatched_on__range=(start, end))


def closed(org: Any, start: date, end: date) -> QuerySet[Ticket]:
    return Ticket.objects.on_path_of(org).filter(closed_on__range=(start, end))


PERIOD_FIELD: dict[Any, str] = {
    received: "received_on",
    dispatched: "dispatched_on",
    closed: "closed_on",
}

ON_TIME = Q(closed_on_time=True)
NEEDS_CALLBACK = Q(answered_on_spot=False)
CALLED_BACK = ~Q(satisfaction="")
SATISFIED = Q(satisfaction__in=(Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED))
REOPENED = Q(reopen_count__gt=0)


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
        key="hotline.dispatched",
        label=gettext_noop("派发热线工单"),
        unit="件",
        definition="首次派单日期在期内的热线工单数",
        records=dispatched,
        module="hotline",
        order=41,
    ),
    Metric(
        key="hotline.closed",
        label=gettext_noop("办结“12351”职工热线工单"),
        unit="件",
        definition="结案日期在期内的热线工单数",
        records=closed,
        paragraph=gettext_noop("办结省总工会“12351”职工热线转办单{value}件"),
        module="hotline",
        order=42,
    ),
    Metric(
        key="hotline.closed_on_time",
        label=gettext_noop("按时办结热线工单"),
        unit="件",
        definition="期内结案且结案日期不晚于办理期限的热线工单数",
        records=closed,
        where=ON_TIME,
        module="hotline",
        order=43,
    ),
    Metric(
        key="hotline.needs_callback",
        label=gettext_noop("需回访热线工单"),
        unit="件",
        definition="期内结案、未在来电时当场解答（需回访）的热线工单数",
        records=closed,
        where=NEEDS_CALLBACK,
        module="hotline",
        order=44,
    ),
    Metric(
        key="hotline.called_back",
        label=gettext_noop("回访热线工单"),
        unit="件",
        definition="期内结案且已回访的热线工单数",
        records=closed,
        where=CALLED_BACK,
        module="hotline",
        order=45,
    ),
    Metric(
        key="hotline.satisfied",
        label=gettext_noop("回访满意热线工单"),
        unit="件",
        definition="期内结案、回访结果为满意或基本满意的热线工单数",
        records=closed,
        where=SATISFIED,
        module="hotline",
        order=46,
    ),
    Metric(
        key="hotline.reopened",
        label=gettext_noop("重办热线工单"),
        unit="件",
        definition="期内结案、曾因回访不满意或质检未通过而重新办理的热线工单数",
        records=closed,
        where=REOPENED,
        module="hotline",
        order=47,
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
        order=48,
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
        order=49,
    ),
    Metric(
        key="hotline.callback_rate",
        label=gettext_noop("热线工单回访率"),
        unit="%",
        definition="期内办结且已回访的工单数 ÷ 期内办结、需回访（非当场解答）的工单数",
        records=closed,
        where=CALLED_BACK,
        kind="rate",
        ratio=("hotline.called_back", "hotline.needs_callback"),
        paragraph=gettext_noop("回访率{value}%"),
        module="hotline",
        order=50,
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
        order=51,
    ),
    Metric(
        key="hotline.reopen_rate",
        label=gettext_noop("热线工单重办率"),
        unit="%",
        definition="期内办结、曾重新办理的工单数 ÷ 期内办结的工单数",
        records=closed,
        where=REOPENED,
        kind="rate",
        ratio=("hotline.reopened", "hotline.closed"),
        module="hotline",
        order=52,
    ),
):
    # orders count for the county on their path (statistics by county); the section is the
    # seed page's line of work on rights protection
    register(replace(metric, org_field="county", section=gettext_noop("职工维权服务")))
