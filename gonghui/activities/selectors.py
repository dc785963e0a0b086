"""Reads of the activities module, scoped: staff see the activities of their subtree; a
member sees those held by their union and the unions above it, and their own sign-ups."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from gonghui.core.roles import Role, can
from gonghui.core.scope import access

from .models import Activity, Signup, SignupStatus, Team, TeamMember

VIEW = "activities.view"
TENTH = Decimal("0.1")  # hours are kept to the tenth; SQLite sums lose the places


def _counted(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    return qs.annotate(
        confirmed=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED)),
        waiting=Count("signups", filter=Q(signups__status=SignupStatus.WAITING)),
        present=Count("signups", filter=Q(signups__attended=True)),
    )


def activities_visible_to(user: Any) -> QuerySet[Activity]:
    if not can(user, VIEW):
        return Activity.objects.none()
    return _counted(Activity.objects.visible_to(user).select_related("org", "team"))


def access_activity(user: Any, pk: Any) -> Activity:
    return access(activities_visible_to(user), user, pk=pk)


def member_of(user: Any) -> Any:
    from gonghui.members.models import Member, Status

    if getattr(user, "role", None) != Role.MEMBER:
        return None
    return Member.objects.filter(user=user, status=Status.ACTIVE).select_related("org").first()


def _ancestors(org: Any) -> list[int]:
    return [int(p) for p in org.path.strip("/").split("/") if p]


def open_for_member(user: Any) -> QuerySet[Activity]:
    """Activities a member may sign up for: held by their union or one above it, not
    cancelled, not yet over."""
    member = member_of(user)
    if member is None:
        return Activity.objects.none()
    return _counted(
        Activity.objects.filter(
            org__in=_ancestors(member.org), cancelled=False, ends_at__gte=timezone.now()
        ).select_related("org")
    ).order_by("starts_at", "id")


def access_for_member(user: Any, pk: Any) -> Activity:
    """An activity the member may see: open to them, or one they signed up for."""
    member = member_of(user)
    if member is None:
        return _get(Activity.objects.none(), pk)
    mine = Signup.objects.filter(member=member).values("activity_id")
    qs = Activity.objects.filter(
        Q(org__in=_ancestors(member.org), cancelled=False) | Q(pk__in=mine)
    )
    return _get(qs, pk)


def _get(qs: QuerySet[Activity], pk: Any) -> Activity:
    from gonghui.core.errors import NotFound

    try:
        return _counted(qs.select_related("org")).get(pk=pk)
    except (Activity.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def my_signups(user: Any) -> QuerySet[Signup]:
    return (
        Signup.objects.visible_to(user)
        .select_related("activity", "activity__org")
        .order_by("-activity__starts_at", "-id")
    )


def my_hours(user: Any) -> Decimal:
    total = Signup.objects.visible_to(user).filter(attended=True).aggregate(h=Sum("hours"))["h"]
    return Decimal(total or 0).quantize(TENTH)


def signups_of(user: Any, activity: Activity) -> QuerySet[Signup]:
    return Signup.objects.visible_to(user).filter(activity=activity).select_related("member")


def access_signup(user: Any, pk: Any) -> Signup:
    return access(Signup.objects.select_related("activity", "activity__org", "member"), user, pk=pk)


def teams_visible_to(user: Any) -> QuerySet[Team]:
    if not can(user, VIEW):
        return Team.objects.none()
    return (
        Team.objects.visible_to(user)
        .select_related("org")
        .annotate(size=Count("roll", filter=Q(roll__left_on__isnull=True)))
    )


def access_team(user: Any, pk: Any) -> Team:
    return access(teams_visible_to(user), user, pk=pk)


def team_roll(team: Team) -> list[dict[str, Any]]:
    """The team's roll with each volunteer's hours (one grouped query)."""
    entries = list(
        TeamMember.objects.filter(team=team)
        .select_related("member")
        .order_by("left_on", "role", "id")
    )
    hours = dict(
        Signup.objects.filter(member__in=[e.member_id for e in entries], attended=True)
        .values("member")
        .annotate(h=Sum("hours"))
        .values_list("member", "h")
    )
    return [
        {"entry": e, "hours": Decimal(hours.get(e.member_id) or 0).quantize(TENTH)} for e in entries
    ]


def volunteer_hours(user: Any, limit: int = 50) -> list[dict[str, Any]]:
    """Volunteer hours per member in the user's subtree, most first."""
    rows = (
        Signup.objects.visible_to(user)
        .filter(attended=True, hours__gt=0)
        .values("member", "member__name", "member__org__name")
        .annotate(h=Sum("hours"), n=Count("id"))
        .order_by("-h", "member")[:limit]
    )
    return [
        {
            "member": r["member"],
            "name": r["member__name"],
            "org": r["member__org__name"],
            "hours": Decimal(r["h"]).quantize(TENTH),
            "times": r["n"],
        }
        for r in rows
    ]
