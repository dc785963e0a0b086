"""Reads of the ventures module, always scoped: a county sees the parks, ventures and people
of its subtree, the city all; ``access_*`` answers the same for missing and forbidden."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from gonghui.core.roles import can
from gonghui.core.scope import access

from .models import Park, Person, Role, Venture

VIEW = "ventures.view"


def parks_visible_to(user: Any) -> QuerySet[Park]:
    if not can(user, VIEW):
        return Park.objects.none()
    return Park.objects.visible_to(user).select_related("org")


def access_park(user: Any, pk: Any) -> Park:
    return access(parks_visible_to(user), user, pk=pk)


def _founder(field: str) -> Subquery:
    return Subquery(
        Person.objects.filter(venture=OuterRef("pk"), role=Role.FOUNDER).values(field)[:1]
    )


def ventures_visible_to(user: Any) -> QuerySet[Venture]:
    """Ventures with their founder's name and flags and their people counted (in the query)."""
    if not can(user, VIEW):
        return Venture.objects.none()
    return (
        Venture.objects.visible_to(user)
        .select_related("park", "org")
        .annotate(
            founder_name=_founder("name"),
            founder_hardship=_founder("hardship"),
            founder_migrant=_founder("migrant"),
            employed=Count(
                "people",
                filter=Q(people__role=Role.EMPLOYEE, people__ended_on__isnull=True),
            ),
        )
    )


def access_venture(user: Any, pk: Any) -> Venture:
    return access(ventures_visible_to(user), user, pk=pk)


def people_visible_to(user: Any) -> QuerySet[Person]:
    if not can(user, VIEW):
        return Person.objects.none()
    return Person.objects.visible_to(user).select_related("venture", "venture__park")


def access_person(user: Any, pk: Any) -> Person:
    return access(people_visible_to(user), user, pk=pk)


def totals(user: Any) -> dict[str, int]:
    """The subtree's parks, ventures, people employed, founders and hardship workers: three
    grouped queries."""
    people = (
        people_visible_to(user)
        .order_by()
        .aggregate(
            employed=Count("id", filter=Q(role=Role.EMPLOYEE)),
            founders=Count("id", filter=Q(role=Role.FOUNDER)),
            hardship=Count("id", filter=Q(hardship=True)),
            migrant=Count("id", filter=Q(migrant=True)),
        )
    )
    return {
        "parks": parks_visible_to(user).count(),
        "ventures": Venture.objects.visible_to(user).count() if can(user, VIEW) else 0,
        **people,
    }


def due_for_review(user: Any, year: int) -> QuerySet[Venture]:
    """Ventures still running that have no review for ``year`` (started before it)."""
    from .models import Status

    return (
        ventures_visible_to(user)
        .exclude(status=Status.CLOSED)
        .filter(started_on__year__lt=year)
        .exclude(reviews__year=year)
    )
