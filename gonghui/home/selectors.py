"""What each role's home page reads: the org's overview and figures, and each role's work —
the clerk's roster and approvals, the operator's queue and today's calls, the cadre's to-do,
the admin's accounts and lockouts, the cases assigned to a lawyer or counsellor. Every read is
scoped by the modules' own selectors; ``core`` knows none of this."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core import hooks
from gonghui.core.metrics import Tally, all_metrics, display_unit, shown_text
from gonghui.core.roles import Role, can
from gonghui.hotline.models import OPEN_STATUSES, Card, Ticket
from gonghui.hotline.selectors import tickets_visible_to
from gonghui.members.models import JoinStatus, Status
from gonghui.members.selectors import join_applications_visible_to, members_visible_to
from gonghui.orgs.selectors import org_counts

# how many rows a home page lists before "全部"
LISTED = 8


def period_figures(org: Any, start: date, end: date) -> list[dict[str, Any]]:
    """The period's figures for ``org``'s subtree exactly as the report shows them (every
    family of figures in one statement, ``Tally.prefetch``; a rate with nothing to divide by
    is "—")."""
    tally = Tally(org)
    figures = all_metrics()
    tally.prefetch(figures, start, end)  # every module's figures in one query
    return [
        {
            "key": metric.key,
            "label": _(metric.label),
            "value": shown_text(metric, tally.value(metric, start, end)),
            "unit": display_unit(metric),
            "definition": metric.definition,
        }
        for metric in figures
    ]


def overview(org: Any) -> list[tuple[str, int]]:
    """The subtree's orgs by kind, what modules count, and its active accounts."""
    rows = org_counts(org)
    users = User.objects.filter(org__path__startswith=org.path, is_active=True).count()
    rows.append((_("有效账号"), users))
    return rows


@dataclass
class Todo:
    """One line of a to-do list: a count and where the work waits."""

    label: str
    count: int
    url: str
    urgent: bool = False


@dataclass
class HotlineWork:
    waiting: int = 0  # orders waiting for the user's org to act
    yellow: int = 0  # open orders near their due date (yellow card)
    red: int = 0  # open orders past their due date (red card)
    today: list[Ticket] = field(default_factory=list)  # received today, newest first
    today_count: int = 0


def hotline_work(user: Any, today: date | None = None) -> HotlineWork:
    if not can(user, "hotline.view"):
        return HotlineWork()
    today = today or timezone.localdate()
    visible = tickets_visible_to(user)
    open_ = visible.filter(status__in=OPEN_STATUSES)
    received = visible.filter(received_on=today)
    return HotlineWork(
        waiting=Ticket.objects.waiting_for(user).count(),
        yellow=open_.filter(card=Card.YELLOW).count(),
        red=open_.filter(card=Card.RED).count(),
        today=list(received.order_by("-received_at", "-id")[:LISTED]),
        today_count=received.count(),
    )


@dataclass
class MemberWork:
    active: int = 0  # members in good standing in the user's subtree
    pending: list[Any] = field(default_factory=list)  # join applications waiting, oldest first
    pending_count: int = 0


def member_work(user: Any) -> MemberWork:
    if not can(user, "members.view"):
        return MemberWork()
    pending = join_applications_visible_to(user, status=JoinStatus.PENDING)
    return MemberWork(
        active=members_visible_to(user).filter(status=Status.ACTIVE).count(),
        pending=list(pending[:LISTED]),
        pending_count=pending.count(),
    )


@dataclass
class AccountWork:
    by_role: list[tuple[str, int]]  # active accounts of the subtree by role label
    inactive: int
    locked: list[str]  # usernames locked out by repeated failed logins
    recent: list[User]  # accounts created last


def account_work(user: Any) -> AccountWork:
    from axes.models import AccessAttempt

    users = User.objects.filter(org__path__startswith=user.org.path)
    counts = dict(
        users.filter(is_active=True).order_by().values_list("role").annotate(n=Count("id"))
    )
    labels = dict(Role.choices)
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    locked = (
        AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
        )
        .filter(username__in=users.values("username"))
        .order_by("-attempt_time")
        .values_list("username", flat=True)
    )
    return AccountWork(
        by_role=[(str(labels[r]), counts[r]) for r in labels if counts.get(r)],
        inactive=users.filter(is_active=False).count(),
        locked=list(locked[:LISTED]),
        recent=list(users.select_related("org").order_by("-date_joined", "-id")[:LISTED]),
    )


def assigned_cases(user: Any) -> list[dict[str, Any]]:
    """The cases and consultations assigned to a lawyer or counsellor, from every module that
    registers them in ``core.hooks.assigned_cases``, soonest due first."""
    items = [item for fn in hooks.assigned_cases for item in fn(user)]
    return sorted(items, key=lambda i: (i.get("due") is None, i.get("due") or date.max))
