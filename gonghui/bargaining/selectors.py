"""Reads of collective bargaining, always scoped: campaigns reaching the user, threads and
contracts of the user's subtree, coverage by township and industry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from gonghui.core.scope import subtree_org_ids
from gonghui.orgs.models import Enterprise, Org

from .models import (
    OPEN_STATUSES,
    Campaign,
    Card,
    Contract,
    ContractQuerySet,
    Status,
    Thread,
    ThreadQuerySet,
    WorkerRequest,
)


def _path_ids(org: Org) -> list[int]:
    return [int(p) for p in org.path.strip("/").split("/") if p]


def campaigns_for(user: Any) -> QuerySet[Campaign]:
    """The campaigns launched in the user's subtree, and those launched above it (the city's
    campaign reaches every county and union under it)."""
    org = getattr(user, "org", None)
    if org is None or not getattr(user, "is_authenticated", False):
        return Campaign.objects.none()
    return Campaign.objects.filter(
        Q(org__in=subtree_org_ids(org)) | Q(org_id__in=_path_ids(org))
    ).select_related("org")


def threads_for(user: Any, campaign: Campaign | None = None) -> ThreadQuerySet:
    qs = Thread.objects.visible_to(user).select_related("enterprise", "county", "campaign")
    return qs.filter(campaign=campaign) if campaign is not None else qs


def enterprises_in_subtree(user: Any) -> QuerySet[Enterprise]:
    return Enterprise.objects.visible_to(user).select_related("county")


@dataclass
class Progress:
    total: int = 0
    by_status: dict[str, int] | None = None
    red: int = 0
    yellow: int = 0

    @property
    def steps(self) -> list[tuple[str, str, int]]:
        """(status, label, count) of the steps that hold any thread, in workflow order."""
        counts = self.by_status or {}
        return [(key, str(label), counts[key]) for key, label in Status.choices if counts.get(key)]


def progress(threads: QuerySet[Thread]) -> Progress:
    """Counts by step and by card, one grouped query."""
    rows = threads.order_by().values("status", "card").annotate(n=Count("id"))
    by_status: dict[str, int] = {s.value: 0 for s in Status}
    red = yellow = total = 0
    for row in rows:
        by_status[row["status"]] += row["n"]
        total += row["n"]
        if row["status"] in OPEN_STATUSES:
            red += row["n"] if row["card"] == Card.RED else 0
            yellow += row["n"] if row["card"] == Card.YELLOW else 0
    return Progress(total=total, by_status=by_status, red=red, yellow=yellow)


def covered_enterprises(org: Org, day: date) -> QuerySet[Enterprise]:
    """Enterprises of ``org``'s subtree covered on ``day`` by a contract in force."""
    return Enterprise.objects.filter(
        county__in=subtree_org_ids(org),
        contracts__starts_on__lte=day,
        contracts__ends_on__gte=day,
    ).distinct()


COVERAGE_BY = {
    "county": "county__name",
    "township": "union__parent__name",  # the union's parent: the township or street (乡镇街道)
    "industry": "industry",
}


def coverage(org: Org, day: date, by: str = "county") -> list[dict[str, Any]]:
    """Enterprises of ``org``'s subtree and those covered on ``day`` by a contract in force,
    with the workers covered, by county, by township (the union's parent org; enterprises
    without a union in one row) or by industry."""
    from gonghui.orgs.models import Industry

    key = COVERAGE_BY.get(by, COVERAGE_BY["county"])
    covered_ids = covered_enterprises(org, day).values("id")
    base = Enterprise.objects.filter(county__in=subtree_org_ids(org))
    rows = (
        base.values(key)
        .annotate(
            total=Count("id"),
            covered=Count("id", filter=Q(id__in=covered_ids)),
            workers=Sum("headcount", filter=Q(id__in=covered_ids)),
        )
        .order_by(key)
    )
    industries = dict(Industry.choices)

    def name(value: Any) -> str:
        if by == "industry":
            return str(industries.get(value) or _("未填行业"))
        if value is None and by == "township":
            return str(_("未建工会的企业"))
        return str(value or "—")

    return [
        {
            "name": name(row[key]),
            "total": row["total"],
            "covered": row["covered"],
            "workers": row["workers"] or 0,
            "rate": (row["covered"] * 100 / row["total"]) if row["total"] else None,
        }
        for row in rows
    ]


def requests_reached(user: Any) -> QuerySet[WorkerRequest]:
    """Workers' requests past the one-fifth threshold without a thread yet."""
    return (
        WorkerRequest.objects.visible_to(user)
        .filter(reached_on__isnull=False, thread__isnull=True)
        .select_related("enterprise")
    )


def expiring(user: Any, day: date, days: int = 60) -> ContractQuerySet:
    return Contract.objects.visible_to(user).expiring(day, days).prefetch_related("enterprises")
