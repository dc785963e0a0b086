"""The member registry's figures of the work report.

- ``members.total`` — members in good standing (在会) on the period's last day, counted in the
  union they belong to now. A member counts when they joined on or before that day and either
  are active now or their current status began after it (they were still active then: a later
  withdrawal, suspension or move out does not erase them from an earlier report). Transfers
  keep a member active, so a member transferred since is counted in the new union. This reads
  two columns of the member row instead of replaying the event history of a million members;
  it is exact for a member whose status changed at most once after the period's end.
- ``members.joined`` — members whose join date (入会日期) falls within the period.
- ``members.transferred`` — transfers *into* a union of the subtree within the period
  (``transfer_in`` events), moves between two unions of the subtree included.

Members and events always name an org (a non-null key) and every org is in the tree, so for
an org whose subtree is the whole tree (the city, the only root) the subtree condition is
left out: the same rows, counted by an index scan alone instead of a hash join of a million
rows against the org tree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_noop

from gonghui.core.metrics import Metric, register
from gonghui.core.scope import spans_whole_tree, subtree_org_ids

from .models import EventKind, Member, MembershipEvent, Status


def in_subtree(org: Any) -> Q:
    """Rows whose ``org`` is in ``org``'s subtree: no condition when that is every org (a
    root with no org outside it — one small query, none for any other org)."""
    if spans_whole_tree(org):
        return Q()
    return Q(org__in=subtree_org_ids(org))


def members_in_good_standing(org: Any, start: date, end: date) -> QuerySet[Member]:
    return Member.objects.filter(
        Q(status=Status.ACTIVE) | Q(status_since__gt=end), in_subtree(org), joined_on__lte=end
    )


def members_joined(org: Any, start: date, end: date) -> QuerySet[Member]:
    return Member.objects.filter(in_subtree(org), joined_on__range=(start, end))


def members_transferred_in(org: Any, start: date, end: date) -> QuerySet[MembershipEvent]:
    return MembershipEvent.objects.filter(
        in_subtree(org), kind=EventKind.TRANSFER_IN, on__range=(start, end)
    )


register(
    Metric(
        key="members.total",
        label=gettext_noop("在会会员"),
        unit="人",
        definition="期末在会的会员人数（期末前入会，且现为在会或期末后才变更会籍状态），"
        "按现所在工会统计",
        records=members_in_good_standing,
        paragraph=gettext_noop("在会会员{value}人"),
        columns=(("joined_on", "入会日期"), ("status", "会籍状态")),
        module="members",
        order=20,
    )
)
register(
    Metric(
        key="members.joined",
        label=gettext_noop("新发展会员"),
        unit="人",
        definition="入会日期在期内的会员人数",
        records=members_joined,
        paragraph=gettext_noop("新发展会员{value}人"),
        columns=(("joined_on", "入会日期"),),
        module="members",
        order=21,
    )
)
register(
    Metric(
        key="members.transferred",
        label=gettext_noop("会籍接转"),
        unit="人次",
        definition="期内转入本级及下级工会的会籍接转次数",
        records=members_transferred_in,
        paragraph=gettext_noop("办理会籍转入{value}人次"),
        columns=(("on", "日期"), ("member__name", "会员")),
        module="members",
        order=22,
    )
)
