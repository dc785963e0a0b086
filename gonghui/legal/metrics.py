"""Legal aid's figures, each with its records (the drill-down):

- ``legal.cases`` — applications received in the period (application date);
- ``legal.closed`` / ``legal.closed_on_time`` / ``legal.amount_recovered`` /
  ``legal.workers_helped`` — cases closed in the period, of them closed without a red card on
  the centre's own limits, the amount recovered and the workers helped (one family: one scan);
- ``legal.services`` — legal-aid services delivered: cases approved and consultations first
  answered in the period (the seed page's "161 legal-aid services");
- ``legal.consultations`` — online consultations asked in the period (their existence, date
  and status only: a drill-down row never shows content);
- ``legal.stations`` / ``legal.staff`` — stations set up and staff appointed by the period's
  end and still active (the seed's 12 and 60);
- ``legal.on_time_rate`` — closed on time ÷ closed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_noop

from gonghui.core.metrics import Metric, register
from gonghui.core.scope import subtree_org_ids

from .models import Case, Consultation, Delivered, Staff, Station


def applied(org: Any, start: date, end: date) -> QuerySet[Case]:
    return Case.objects.filter(org__in=subtree_org_ids(org), applied_on__range=(start, end))


def closed(org: Any, start: date, end: date) -> QuerySet[Case]:
    return Case.objects.filter(org__in=subtree_org_ids(org), closed_on__range=(start, end))


def delivered(org: Any, start: date, end: date) -> QuerySet[Delivered]:
    return Delivered.objects.filter(org__in=subtree_org_ids(org), on__range=(start, end))


def asked(org: Any, start: date, end: date) -> QuerySet[Consultation]:
    return Consultation.objects.filter(
        org__in=subtree_org_ids(org), asked_on__range=(start, end)
    ).defer("subject")


def stations(org: Any, start: date, end: date) -> QuerySet[Station]:
    return Station.objects.filter(org__in=subtree_org_ids(org), founded_on__lte=end, active=True)


def staff(org: Any, start: date, end: date) -> QuerySet[Staff]:
    return Staff.objects.filter(org__in=subtree_org_ids(org), since__lte=end, active=True)


SECTION = gettext_noop("职工维权服务")
CASE_COLUMNS = (("number", "案件编号"), ("status", "状态"), ("applied_on", "申请日"))

for metric in (
    Metric(
        key="legal.services",
        label=gettext_noop("法律援助服务"),
        unit="件次",
        definition="期内批准援助的案件与首次答复的在线咨询之和",
        records=delivered,
        paragraph=gettext_noop("提供法律援助服务{value}件次"),
        columns=(("kind", "服务类别"), ("on", "日期")),
        order=60,
    ),
    Metric(
        key="legal.stations",
        label=gettext_noop("职工法律维权服务站、劳动争议仲裁站、诉调中心"),
        unit="个",
        definition="期末在用、设立日期不晚于期末的维权服务站点数",
        records=stations,
        paragraph=gettext_noop("建立职工法律维权服务站、劳动争议仲裁站、诉调中心{value}个"),
        columns=(("kind", "类型"), ("founded_on", "设立日期")),
        order=61,
    ),
    Metric(
        key="legal.staff",
        label=gettext_noop("法律服务人员"),
        unit="名",
        definition="期末在岗、聘任日期不晚于期末的法律服务人员数",
        records=staff,
        paragraph=gettext_noop("配备法律服务人员{value}名"),
        columns=(("kind", "类别"), ("station__name", "所在站点")),
        order=62,
    ),
    Metric(
        key="legal.cases",
        label=gettext_noop("受理法律援助申请"),
        unit="件",
        definition="申请日在期内的法律援助案件数",
        records=applied,
        columns=CASE_COLUMNS,
        order=63,
    ),
    Metric(
        key="legal.consultations",
        label=gettext_noop("在线法律和心理咨询"),
        unit="次",
        definition="提问日期在期内的在线法律咨询与心理咨询数",
        records=asked,
        paragraph=gettext_noop("在“齐鲁工惠”App开展在线法律和心理咨询{value}次"),
        columns=(("kind", "类别"), ("status", "状态"), ("asked_on", "提问日期")),
        order=64,
    ),
    Metric(
        key="legal.closed",
        label=gettext_noop("办结法律援助案件"),
        unit="件",
        definition="结案日在期内的法律援助案件数",
        records=closed,
        columns=CASE_COLUMNS,
        order=65,
    ),
    Metric(
        key="legal.closed_on_time",
        label=gettext_noop("按期办结法律援助案件"),
        unit="件",
        definition="期内结案、材料审查和审批均未超期的法律援助案件数",
        records=closed,
        where=Q(closed_on_time=True),
        columns=CASE_COLUMNS,
        order=66,
    ),
    Metric(
        key="legal.amount_recovered",
        label=gettext_noop("法律援助挽回经济损失"),
        unit="元",
        definition="期内结案的法律援助案件挽回金额之和",
        records=closed,
        sum_field="amount_recovered",
        money=True,
        paragraph=gettext_noop("为职工挽回经济损失{value}{unit}"),
        columns=CASE_COLUMNS,
        order=67,
    ),
    Metric(
        key="legal.workers_helped",
        label=gettext_noop("法律援助受助职工"),
        unit="人",
        definition="期内结案的法律援助案件受助职工人数之和",
        records=closed,
        sum_field="workers_helped",
        columns=CASE_COLUMNS,
        order=68,
    ),
    Metric(
        key="legal.on_time_rate",
        label=gettext_noop("法律援助按期办结率"),
        unit="%",
        definition="期内按期办结的法律援助案件数 ÷ 期内办结的法律援助案件数",
        records=closed,
        where=Q(closed_on_time=True),
        kind="rate",
        ratio=("legal.closed_on_time", "legal.closed"),
        order=69,
    ),
):
    register(replace(metric, module="legal", section=SECTION))
