"""The payment machinery's figures: money that reached payees' accounts, as the bank's
confirmations say (the date of each line's arrival puts it in a period). Reversed lines are
no longer paid; reversal lines themselves are corrections, never payments. Each figure's
records are the paid lines behind it, so a figure and its drill-down cannot disagree."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from gonghui.core.metrics import Metric, register
from gonghui.core.scope import subtree_org_ids

from .models import Line, LineKind, LineStatus


def paid(org: Any, start: date, end: date) -> QuerySet[Line]:
    return (
        Line.objects.filter(org__in=subtree_org_ids(org), status=LineStatus.PAID)
        .exclude(kind=LineKind.REVERSAL)
        .filter(paid_on__range=(start, end))
    )


COLUMNS = (
    ("batch__title", gettext_noop("批次")),
    ("amount", gettext_noop("金额（元）")),
    ("paid_on", gettext_noop("到账日期")),
)

register(
    Metric(
        key="payments.paid_amount",
        label=gettext_noop("代发到账金额"),
        unit="元",
        definition="到账日期在期内的代发明细金额之和（银行回单为成功；已冲正的不计）",
        records=paid,
        sum_field="amount",
        money=True,
        module="payments",
        order=200,
        columns=COLUMNS,
    )
)
register(
    Metric(
        key="payments.paid_lines",
        label=gettext_noop("代发到账笔数"),
        unit="笔",
        definition="到账日期在期内的代发明细笔数（银行回单为成功；已冲正的不计）",
        records=paid,
        module="payments",
        order=201,
        columns=COLUMNS,
    )
)
