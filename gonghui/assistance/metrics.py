"""The assistance figures of the work report, each over the records behind it.

- ``assistance.families`` — hardship families archived in the period (建档), and by category
  (``assistance.families.deep`` / ``.relative`` / ``.accident``: one family of figures);
- ``assistance.new`` — applications received in the period;
- ``assistance.exited`` — files that exited (解困脱困 or 注销) in the period;
- ``assistance.grants_amount`` — grants paid in the period (元);
- ``assistance.campaign_amount`` — condolence money paid by campaigns in the period (元): the
  seed page's "全市各级工会拨付疫情防控慰问金266.16万元";
- ``assistance.recipients`` — people paid by campaigns in the period.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_noop

from gonghui.core.metrics import Metric, register

from .models import CampaignKind, Category, Family, Grant, GrantStatus, Recipient, RecipientStatus


def archived(org: Any, start: date, end: date) -> QuerySet[Family]:
    return Family.objects.filter(org__path__startswith=org.path, archived_on__range=(start, end))


def applied(org: Any, start: date, end: date) -> QuerySet[Family]:
    return Family.objects.filter(org__path__startswith=org.path, applied_on__range=(start, end))


def exited(org: Any, start: date, end: date) -> QuerySet[Family]:
    return Family.objects.filter(org__path__startswith=org.path, exited_on__range=(start, end))


def grants_paid(org: Any, start: date, end: date) -> QuerySet[Grant]:
    return Grant.objects.filter(
        org__path__startswith=org.path, status=GrantStatus.PAID, paid_on__range=(start, end)
    )


def recipients_paid(org: Any, start: date, end: date) -> QuerySet[Recipient]:
    return Recipient.objects.filter(
        org__path__startswith=org.path, status=RecipientStatus.PAID, paid_on__range=(start, end)
    )


FAMILY_COLUMNS = (("number", "档案编号"), ("category", "困难类别"), ("archived_on", "建档日期"))

for metric in (
    Metric(
        key="assistance.families",
        label=gettext_noop("新建困难职工档案"),
        unit="户",
        definition="建档日期在期内的困难职工家庭数（所在工会在本级及下级）",
        records=archived,
        paragraph=gettext_noop("新建困难职工档案{value}户"),
        module="assistance",
        order=60,
        columns=FAMILY_COLUMNS,
    ),
    Metric(
        key="assistance.families.deep",
        label=gettext_noop("其中深度困难"),
        unit="户",
        definition="期内建档、认定为深度困难（人均月收入低于当地低保）的家庭数",
        records=archived,
        where=Q(category=Category.DEEP),
        module="assistance",
        order=61,
        columns=FAMILY_COLUMNS,
    ),
    Metric(
        key="assistance.families.relative",
        label=gettext_noop("其中相对困难"),
        unit="户",
        definition="期内建档、认定为相对困难（人均月收入低于当地低保的2倍）的家庭数",
        records=archived,
        where=Q(category=Category.RELATIVE),
        module="assistance",
        order=62,
        columns=FAMILY_COLUMNS,
    ),
    Metric(
        key="assistance.families.accident",
        label=gettext_noop("其中意外致困"),
        unit="户",
        definition="期内建档、认定为意外致困的家庭数",
        records=archived,
        where=Q(category=Category.ACCIDENT),
        module="assistance",
        order=63,
        columns=FAMILY_COLUMNS,
    ),
    Metric(
        key="assistance.new",
        label=gettext_noop("受理困难职工建档申请"),
        paragraph=gettext_noop("受理建档申请{value}件"),
        unit="件",
        definition="申请日期在期内的困难职工建档申请数",
        records=applied,
        module="assistance",
        order=64,
        columns=(("number", "档案编号"), ("status", "状态"), ("applied_on", "申请日期")),
    ),
    Metric(
        key="assistance.exited",
        label=gettext_noop("困难职工家庭解困脱困或注销"),
        paragraph=gettext_noop("解困脱困或注销{value}户"),
        unit="户",
        definition="退出日期在期内的困难职工档案数（解困脱困或注销）",
        records=exited,
        module="assistance",
        order=65,
        columns=(("number", "档案编号"), ("exit_kind", "退出方式"), ("exited_on", "退出日期")),
    ),
    Metric(
        key="assistance.grants_amount",
        label=gettext_noop("发放困难职工救助金"),
        unit="元",
        definition="发放日期在期内的救助金金额（生活救助、子女助学、医疗救助等）",
        records=grants_paid,
        sum_field="amount",
        money=True,
        paragraph=gettext_noop("发放救助金{value}万元"),
        module="assistance",
        order=66,
        columns=(("kind", "救助类别"), ("amount", "金额"), ("paid_on", "发放日期")),
    ),
    Metric(
        key="assistance.campaign_amount",
        label=gettext_noop("拨付疫情防控慰问金"),
        unit="元",
        definition="发放日期在期内、慰问活动已发放的金额（各级工会）",
        records=recipients_paid,
        where=Q(campaign__kind=CampaignKind.CONDOLENCE),
        sum_field="amount",
        money=True,
        paragraph=gettext_noop("全市各级工会拨付疫情防控慰问金{value}万元"),
        module="assistance",
        order=67,
        columns=(("campaign__title", "活动"), ("amount", "金额"), ("paid_on", "发放日期")),
    ),
    Metric(
        key="assistance.recipients",
        label=gettext_noop("慰问帮扶职工"),
        paragraph=gettext_noop("慰问职工{value}人次"),
        unit="人次",
        definition="发放日期在期内、慰问活动已发放的人次",
        records=recipients_paid,
        module="assistance",
        order=68,
        columns=(("campaign__title", "活动"), ("amount", "金额"), ("paid_on", "发放日期")),
    ),
):
    register(metric)
