"""Governance's figures, each with its records (the drill-down):

- ``governance.meetings`` — meetings held in the period (opened, held on a day in it);
- ``governance.elections`` — elections whose result was reached in the period;
- ``governance.replaced`` — committee members (委员) by-elected (替补) in the period: the
  seed's "替补了5名……委员会委员";
- ``governance.audit_replaced`` — fund-audit committee members by-elected: "4名经费审查委员会委员";
- ``governance.vice_chairs_elected`` — vice-chairs elected or by-elected;
- ``governance.terms_due`` — committees whose term ends in the period (换届 due).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_noop

from gonghui.core.metrics import Metric, register
from gonghui.core.scope import subtree_org_ids

from .models import (
    ChangeKind,
    Committee,
    CommitteeKind,
    Election,
    Meeting,
    MeetingStatus,
    Position,
    SeatChange,
)

SECTION = gettext_noop("组织建设")


def meetings(org: Any, start: date, end: date) -> QuerySet[Meeting]:
    return Meeting.objects.filter(
        org__in=subtree_org_ids(org), held_on__range=(start, end)
    ).exclude(status=MeetingStatus.PREPARING)


def elections(org: Any, start: date, end: date) -> QuerySet[Election]:
    return Election.objects.filter(org__in=subtree_org_ids(org), decided_on__range=(start, end))


def seat_changes(org: Any, start: date, end: date) -> QuerySet[SeatChange]:
    return SeatChange.objects.filter(org__in=subtree_org_ids(org), on__range=(start, end))


def terms(org: Any, start: date, end: date) -> QuerySet[Committee]:
    return Committee.objects.filter(org__in=subtree_org_ids(org), term_end__range=(start, end))


CHANGE_COLUMNS = (
    ("committee__name", gettext_noop("委员会")),
    ("seat__person_name", gettext_noop("姓名")),
    ("on", gettext_noop("日期")),
    ("meeting__title", gettext_noop("决定的会议")),
)

for metric in (
    Metric(
        key="governance.meetings",
        label=gettext_noop("召开全委会、常委会、会员（代表）大会"),
        unit="次",
        definition="会议日期在期内且已召开的全委会、常委会、会员（代表）大会次数",
        records=meetings,
        module="governance",
        section=SECTION,
        order=200,
        columns=(("title", gettext_noop("会议名称")), ("held_on", gettext_noop("会议日期"))),
    ),
    Metric(
        key="governance.elections",
        label=gettext_noop("完成选举事项"),
        unit="项",
        definition="期内产生选举结果的选举事项数（含换届选举和增补选举）",
        records=elections,
        module="governance",
        section=SECTION,
        order=201,
        columns=(
            ("meeting__title", gettext_noop("会议")),
            ("decided_on", gettext_noop("产生结果日期")),
        ),
    ),
    Metric(
        key="governance.replaced",
        label=gettext_noop("替补委员会委员"),
        unit="名",
        definition="期内增补（替补）的工会委员会委员人数",
        records=seat_changes,
        where=Q(
            kind=ChangeKind.BY_ELECTED,
            position=Position.MEMBER,
            committee__kind=CommitteeKind.COMMITTEE,
        ),
        paragraph=gettext_noop("替补委员会委员{value}名"),
        module="governance",
        section=SECTION,
        order=202,
        columns=CHANGE_COLUMNS,
    ),
    Metric(
        key="governance.audit_replaced",
        label=gettext_noop("替补经费审查委员会委员"),
        unit="名",
        definition="期内增补（替补）的经费审查委员会委员人数",
        records=seat_changes,
        where=Q(
            kind=ChangeKind.BY_ELECTED,
            position=Position.MEMBER,
            committee__kind=CommitteeKind.AUDIT,
        ),
        paragraph=gettext_noop("替补经费审查委员会委员{value}名"),
        module="governance",
        section=SECTION,
        order=203,
        columns=CHANGE_COLUMNS,
    ),
    Metric(
        key="governance.vice_chairs_elected",
        label=gettext_noop("选举副主席"),
        unit="名",
        definition="期内选举或增补的工会副主席人数",
        records=seat_changes,
        where=Q(kind__in=(ChangeKind.ELECTED, ChangeKind.BY_ELECTED), position=Position.VICE_CHAIR),
        paragraph=gettext_noop("选举副主席{value}名"),
        module="governance",
        section=SECTION,
        order=204,
        columns=CHANGE_COLUMNS,
    ),
    Metric(
        key="governance.terms_due",
        label=gettext_noop("任期届满应换届的委员会"),
        unit="个",
        definition="任期届满日期在期内的工会委员会、经费审查委员会等",
        records=terms,
        module="governance",
        section=SECTION,
        order=205,
        columns=(("term_end", gettext_noop("任期届满")), ("active", gettext_noop("现任"))),
    ),
):
    register(metric)
