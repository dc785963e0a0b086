"""Scoped reads of governance: every list is ``visible_to`` the user (their org's subtree);
``access_*`` answers the same NotFound for a missing record and a forbidden one."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet

from gonghui.core.scope import access

from .models import (
    Committee,
    Election,
    Meeting,
    MeetingStatus,
    RollEntry,
    Round,
    RoundStatus,
    Seat,
    SeatChange,
)

# 换届 is flagged this many days before a term ends
TERM_WARNING_DAYS = 90


def committees_visible_to(user: Any) -> QuerySet[Committee]:
    return (
        Committee.objects.visible_to(user)
        .select_related("org")
        .annotate(holding=Count("seat_set", filter=Q(seat_set__until__isnull=True)))
    )


def access_committee(user: Any, pk: Any) -> Committee:
    return access(Committee.objects.select_related("org"), user, pk=pk)


def seats_of(committee: Committee, *, current: bool = True) -> QuerySet[Seat]:
    qs = committee.seat_set.select_related("member")
    return qs.filter(until__isnull=True) if current else qs


def changes_of(committee: Committee) -> QuerySet[SeatChange]:
    return committee.changes.select_related("seat", "meeting").order_by("-on", "-id")


def meetings_visible_to(user: Any) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(user).select_related("org", "committee")


def access_meeting(user: Any, pk: Any) -> Meeting:
    return access(Meeting.objects.select_related("org", "committee"), user, pk=pk)


def elections_visible_to(user: Any) -> QuerySet[Election]:
    return Election.objects.visible_to(user).select_related("org", "meeting", "committee")


def access_election(user: Any, pk: Any) -> Election:
    return access(Election.objects.select_related("org", "meeting", "committee"), user, pk=pk)


def access_round(user: Any, pk: Any) -> Round:
    return access(Round.objects.select_related("org", "election", "election__meeting"), user, pk=pk)


def access_entry(user: Any, meeting: Meeting, pk: Any) -> RollEntry:
    return access(RollEntry.objects.filter(meeting=meeting), user, pk=pk)


def terms_due(user: Any, today: date, days: int = TERM_WARNING_DAYS) -> QuerySet[Committee]:
    """Current committees whose term ends within ``days`` (or has ended): 换届 due."""
    return (
        Committee.objects.visible_to(user)
        .filter(active=True, term_end__lte=today + timedelta(days=days))
        .select_related("org")
        .order_by("term_end", "id")
    )


def open_rounds_for_member(user: Any) -> QuerySet[Round]:
    """Secret rounds open now at meetings where the member is present on the roll."""
    return (
        Round.objects.filter(
            status=RoundStatus.OPEN,
            secret_online=True,
            election__meeting__roll__member__user=user,
            election__meeting__roll__present=True,
        )
        .select_related("election", "election__meeting")
        .distinct()
    )


def meetings_for_member(user: Any) -> QuerySet[Meeting]:
    """Meetings on whose roll the member stands and that have not closed."""
    return Meeting.objects.filter(
        roll__member__user=user,
        status__in=(MeetingStatus.PREPARING, MeetingStatus.IN_SESSION),
    ).distinct()
