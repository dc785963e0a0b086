"""The office's figures of the work report, each with its records.

- ``office.documents_sent`` — documents distributed in the period by the org's subtree;
- ``office.receipts`` / ``office.receipts_signed`` / ``office.receipt_rate`` — the receipts of
  those documents, those signed, and the rate;
- ``office.submissions_due`` / ``office.submissions_on_time`` / ``office.calls_on_time_rate``
  — the answers owed by the subtree's orgs to data calls due in the period, those sent by the
  deadline, and the rate;
- ``office.tasks_overdue`` — supervised tasks of the subtree due in the period and closed
  after their date or still open past it at the period's end.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_noop

from gonghui.core.metrics import Metric, register
from gonghui.core.scope import subtree_org_ids

from .models import DocStatus, Document, Receipt, Submission, SubStatus, Task, TaskStatus


def sent(org: Any, start: date, end: date) -> QuerySet[Document]:
    return Document.objects.filter(
        org__in=subtree_org_ids(org), status=DocStatus.SENT, sent_on__range=(start, end)
    )


def receipts(org: Any, start: date, end: date) -> QuerySet[Receipt]:
    return Receipt.objects.filter(
        document__org__in=subtree_org_ids(org),
        document__status=DocStatus.SENT,
        document__sent_on__range=(start, end),
    ).select_related("document")


def owed(org: Any, start: date, end: date) -> QuerySet[Submission]:
    return Submission.objects.filter(
        org__in=subtree_org_ids(org), call__deadline__range=(start, end)
    ).select_related("call")


def tasks_due(org: Any, start: date, end: date) -> QuerySet[Task]:
    return Task.objects.filter(owner__in=subtree_org_ids(org), due_on__range=(start, end))


SIGNED = Q(signed_at__isnull=False)
ON_TIME = Q(status=SubStatus.SUBMITTED, late=False)
# closed after the due date, or still open: the records are due by the period's end, and the
# period ends at the latest today, so an open one past its date is overdue
OVERDUE = Q(closed_on__gt=F("due_on")) | Q(status=TaskStatus.OPEN)

for metric in (
    Metric(
        key="office.documents_sent",
        label=gettext_noop("分发公文"),
        unit="份",
        definition="分发日期在期内的发文数",
        records=sent,
        module="office",
        order=300,
        columns=(("number", "发文字号"), ("sent_on", "分发日期")),
    ),
    Metric(
        key="office.receipts",
        label=gettext_noop("公文应签收"),
        unit="份次",
        definition="期内分发的公文的收文单位数",
        records=receipts,
        module="office",
        order=301,
        columns=(("document__title", "公文"), ("signed_at", "签收时间")),
    ),
    Metric(
        key="office.receipts_signed",
        label=gettext_noop("公文已签收"),
        unit="份次",
        definition="期内分发的公文中已签收的收文单位数",
        records=receipts,
        where=SIGNED,
        module="office",
        order=302,
        columns=(("document__title", "公文"), ("signed_at", "签收时间")),
    ),
    Metric(
        key="office.receipt_rate",
        label=gettext_noop("公文签收率"),
        unit="%",
        definition="已签收的收文单位数 ÷ 期内分发公文的收文单位数",
        records=receipts,
        where=SIGNED,
        kind="rate",
        ratio=("office.receipts_signed", "office.receipts"),
        module="office",
        order=303,
        columns=(("document__title", "公文"), ("signed_at", "签收时间")),
    ),
    Metric(
        key="office.submissions_due",
        label=gettext_noop("应报送信息"),
        unit="份",
        definition="截止日期在期内的信息报送中，下级单位应报送的份数",
        records=owed,
        module="office",
        order=304,
        columns=(("call__title", "报送事项"), ("status", "状态")),
    ),
    Metric(
        key="office.submissions_on_time",
        label=gettext_noop("按时报送信息"),
        unit="份",
        definition="截止日期在期内的信息报送中，截止日期前已报送的份数",
        records=owed,
        where=ON_TIME,
        module="office",
        order=305,
        columns=(("call__title", "报送事项"), ("submitted_at", "报送时间")),
    ),
    Metric(
        key="office.calls_on_time_rate",
        label=gettext_noop("信息按时报送率"),
        unit="%",
        definition="按时报送的份数 ÷ 应报送的份数",
        records=owed,
        where=ON_TIME,
        kind="rate",
        ratio=("office.submissions_on_time", "office.submissions_due"),
        module="office",
        order=306,
        columns=(("call__title", "报送事项"), ("submitted_at", "报送时间")),
    ),
    Metric(
        key="office.tasks_overdue",
        label=gettext_noop("超期督办事项"),
        unit="件",
        definition="办结期限在期内、逾期办结或期末仍未办结的督办事项数",
        records=tasks_due,
        where=OVERDUE,
        module="office",
        org_field="owner",
        order=307,
        columns=(("due_on", "办结期限"), ("closed_on", "办结日期")),
    ),
):
    register(metric)
