"""Scoped reads of the union tree."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from gonghui.core import hooks
from gonghui.core.scope import access

from .models import Enterprise, Org, OrgKind


def orgs_visible_to(user: Any) -> QuerySet[Org]:
    return Org.objects.visible_to(user).select_related("parent")


def access_org(user: Any, code: str) -> Org:
    return access(Org.objects.select_related("parent"), user, code=code)


def org_search(
    user: Any, *, q: str = "", kind: str = "", parent: str = "", active: bool | None = None
) -> QuerySet[Org]:
    qs = orgs_visible_to(user)
    if q:
        q = q.strip()
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(short_name__icontains=q)
            | Q(code__istartswith=q)
            | Q(uscc=q.upper())
        )
    if kind:
        qs = qs.filter(kind=kind)
    if parent:
        qs = qs.filter(parent__code=parent)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("path")


def org_children(user: Any, org: Org) -> QuerySet[Org]:
    return (
        orgs_visible_to(user)
        .filter(parent=org)
        .annotate(child_count=Count("children", filter=Q(children__active=True)))
        .order_by("-active", "kind", "code")
    )


def org_counts(org: Org) -> list[tuple[str, int]]:
    """The figures on an org page: its subtree's orgs by kind and what modules add."""
    by_kind = dict(
        Org.objects.filter(path__startswith=org.path, active=True)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    rows = [(str(label), by_kind[kind]) for kind, label in OrgKind.choices if by_kind.get(kind)]
    rows.append(("下属单位", Enterprise.objects.filter(union__path__startswith=org.path).count()))
    rows.extend(counter(org) for counter in hooks.org_counters)
    return rows


def enterprises_visible_to(user: Any) -> QuerySet[Enterprise]:
    return Enterprise.objects.visible_to(user).select_related("county", "union")
