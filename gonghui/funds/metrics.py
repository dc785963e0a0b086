"""The union-fee figures, each with the records behind it (so figure and drill-down agree):

- ``funds.collected`` — fees paid for months in the period (the ledger, net of reversals).
- ``funds.founding_fund`` — founding funds (建会筹备金) paid for months in the period.
- ``funds.refund_enterprises`` — small and micro enterprises whose refund reached their
  account in the period (the seed page's 103).
- ``funds.refund_amount`` — the refunds that reached their accounts in the period (the seed
  page's 40.79万元).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_noop

from gonghui.core.metrics import Metric, register
from gonghui.core.scope import subtree_org_ids
from gonghui.orgs.models import Enterprise

from .models import FeeKind, FeeLine, RefundApplication


def fee_lines(org: Any, start: date, end: date) -> QuerySet[FeeLine]:
    """The ledger's months in the period (one family: fees and founding funds in one pass)."""
    return FeeLine.objects.filter(
        county__in=subtree_org_ids(org), period__gte=start.replace(day=1), period__lte=end
    )


def refunds_paid(org: Any, start: date, end: date) -> QuerySet[RefundApplication]:
    return RefundApplication.objects.filter(
        county__in=subtree_org_ids(org), status="paid", paid_on__range=(start, end)
    )


def enterprises_refunded(org: Any, start: date, end: date) -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(
        county__in=subtree_org_ids(org),
        pk__in=RefundApplication.objects.filter(status="paid", paid_on__range=(start, end)).values(
            "enterprise_id"
        ),
    )


register(
    Metric(
        key="funds.collected",
        label=gettext_noop("征收工会经费"),
        unit="元",
        definition="所属月份在期内的工会经费实缴金额之和（税务代征数据入账，冲正后净额）",
        records=fee_lines,
        where=Q(kind=FeeKind.FEE),
        sum_field="paid",
        money=True,
        module="funds",
        org_field="county",
        order=120,
        columns=(("period", "所属月份"), ("paid", "实缴（元）")),
    )
)
register(
    Metric(
        key="funds.founding_fund",
        label=gettext_noop("征收建会筹备金"),
        unit="元",
        definition="所属月份在期内、尚未建会单位缴纳的建会筹备金之和",
        records=fee_lines,
        where=Q(kind=FeeKind.FOUNDING),
        sum_field="paid",
        money=True,
        module="funds",
        org_field="county",
        order=121,
        columns=(("period", "所属月份"), ("paid", "实缴（元）")),
    )
)
register(
    Metric(
        key="funds.refund_enterprises",
        label=gettext_noop("返还工会经费的小微企业"),
        unit="家",
        definition="期内收到工会经费返还款（银行回单为成功）的小微企业数",
        records=enterprises_refunded,
        module="funds",
        org_field="county",
        paragraph=gettext_noop("{value}家小微企业获全额返还工会经费"),
        order=122,
    )
)
register(
    Metric(
        key="funds.refund_amount",
        label=gettext_noop("返还小微企业工会经费"),
        unit="元",
        definition="期内到账的小微企业工会经费返还金额之和（银行回单为成功）",
        records=refunds_paid,
        sum_field="amount",
        money=True,
        module="funds",
        org_field="county",
        paragraph=gettext_noop("返还金额{value}{unit}"),
        order=123,
        columns=(("enterprise__name", "单位"), ("amount", "金额（元）"), ("paid_on", "到账日期")),
    )
)
