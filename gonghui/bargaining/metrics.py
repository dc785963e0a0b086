"""Collective bargaining's figures of the work report, each with its records.

- ``bargaining.offers`` — enterprises offered (threads whose offer date is in the period): the
  seed page's "集中要约企业6000余家";
- ``bargaining.answered`` — of them, answered by the enterprise (in the period's offers);
- ``bargaining.contracts_signed`` — contracts signed in the period (from threads or paper);
- ``bargaining.coverage_enterprises`` / ``bargaining.coverage_workers`` — enterprises covered
  on the period's last day by a contract in force, and their workers;
- ``bargaining.expiring`` — contracts expiring within 60 days after the period's last day
  (renewal talks are due).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from gonghui.core.metrics import Metric, register
from gonghui.core.scope import subtree_org_ids
from gonghui.orgs.models import Enterprise

from .models import RENEWAL_DAYS, Contract, Thread


def offered(org: Any, start: date, end: date) -> QuerySet[Thread]:
    return Thread.objects.filter(
        county__in=subtree_org_ids(org), offered_on__range=(start, end)
    ).select_related("enterprise", "county")


def answered(org: Any, start: date, end: date) -> QuerySet[Thread]:
    """Of the period's offers, those the enterprise had answered by the period's end."""
    return offered(org, start, end).filter(answered_on__isnull=False, answered_on__lte=end)


def signed(org: Any, start: date, end: date) -> QuerySet[Contract]:
    return Contract.objects.filter(county__in=subtree_org_ids(org), signed_on__range=(start, end))


def covered(org: Any, start: date, end: date) -> QuerySet[Enterprise]:
    """Enterprises covered on the period's last day by a contract in force. A subquery, not
    a join: an enterprise under two contracts (its own and a regional one) counts once, in
    the figure and in every grouped breakdown of it."""
    in_force = Contract.enterprises.through.objects.filter(
        contract__county__in=subtree_org_ids(org),
        contract__starts_on__lte=end,
        contract__ends_on__gte=end,
    ).values("enterprise_id")
    return Enterprise.objects.filter(county__in=subtree_org_ids(org), id__in=in_force)


def expiring(org: Any, start: date, end: date) -> QuerySet[Contract]:
    return Contract.objects.filter(
        county__in=subtree_org_ids(org),
        ends_on__gte=end,
        ends_on__lte=end + timedelta(days=RENEWAL_DAYS),
    )


for metric in (
    Metric(
        key="bargaining.offers",
        label=gettext_noop("发出集体协商要约的企业"),
        unit="家",
        definition="要约日期在期内的要约协商数（每家企业每次行动计一次）",
        records=offered,
        paragraph=gettext_noop("开展集体协商集中要约行动，向{value}家企业发出要约"),
        module="bargaining",
        org_field="county",
        order=80,
        columns=(("offered_on", "要约日期"), ("status", "进展")),
    ),
    Metric(
        key="bargaining.answered",
        label=gettext_noop("回应要约的企业"),
        unit="家",
        definition="期内发出的要约中，企业在期末前已书面回应的数量",
        records=answered,
        module="bargaining",
        org_field="county",
        order=81,
        columns=(("answered_on", "回应日期"), ("status", "进展")),
    ),
    Metric(
        key="bargaining.contracts_signed",
        label=gettext_noop("签订集体合同"),
        unit="份",
        definition="签订日期在期内的集体合同数（含纸质补录和行业性、区域性合同）",
        records=signed,
        paragraph=gettext_noop("签订集体合同{value}份"),
        module="bargaining",
        org_field="county",
        order=82,
        columns=(("kind", "合同类型"), ("signed_on", "签订日期"), ("ends_on", "到期日期")),
    ),
    Metric(
        key="bargaining.coverage_enterprises",
        label=gettext_noop("集体合同覆盖企业"),
        unit="家",
        definition="期末有效集体合同覆盖的企业数",
        records=covered,
        module="bargaining",
        org_field="county",
        order=83,
        columns=(("headcount", "职工人数"),),
    ),
    Metric(
        key="bargaining.coverage_workers",
        label=gettext_noop("集体合同覆盖职工"),
        unit="人",
        definition="期末有效集体合同覆盖企业的职工人数之和",
        records=covered,
        sum_field="headcount",
        paragraph=gettext_noop("集体合同覆盖职工{value}人"),
        module="bargaining",
        org_field="county",
        order=84,
        columns=(("headcount", "职工人数"),),
    ),
    Metric(
        key="bargaining.expiring",
        label=gettext_noop("60天内到期的集体合同"),
        unit="份",
        definition="期末之后60天内到期、应启动续签协商的集体合同数",
        records=expiring,
        module="bargaining",
        org_field="county",
        order=85,
        columns=(("ends_on", "到期日期"),),
    ),
):
    register(metric)
