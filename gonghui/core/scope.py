"""Scoped reads: every scoped model's queryset answers ``visible_to(user)``.

A record belongs to an org (``scope_field``, default ``org``). Staff see their home org's
subtree; lawyers and counsellors and members see nothing unless the model says what is
theirs (``scope_assigned`` / ``scope_member``). ``access(qs, user, **lookup)`` returns one
record or raises ``NotFound`` — the same for a missing record and a forbidden one.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.apps import apps
from django.db import connection, models

from .errors import NotFound
from .roles import ASSIGNEE_ROLES, Role

M = TypeVar("M", bound=models.Model)


def subtree_org_ids(org: Any) -> models.QuerySet[Any]:
    """A subquery of the ids of ``org`` and every org below it."""
    Org = apps.get_model("orgs", "Org")
    return Org.objects.filter(path__startswith=org.path).values("id")


# A subtree of at most this many orgs is passed to a filter as a list of ids (see below).
LISTED_SUBTREE_MAX = 1000


def subtree_org_id_list(org: Any) -> list[int] | models.QuerySet[Any]:
    """``org``'s subtree for an ``org__in`` filter: on PostgreSQL the ids themselves (one small
    query) when there are at most ``LISTED_SUBTREE_MAX``, else (and on SQLite, where a long
    ``IN`` list only costs) the subquery of ``subtree_org_ids``.

    With the ids in the SQL, PostgreSQL reads its statistics of each org's rows (a county
    federation holds most of its subtree's work orders, its unions few) instead of assuming
    the average; at 100,000 orders a county's 500-order page then takes 10–16 ms instead of
    28 ms, and the check of each row needs no join to the org table."""
    if connection.vendor != "postgresql":
        return subtree_org_ids(org)  # SQLite keeps no per-value statistics: nothing to gain
    known = _spans_known.get()
    key = ("ids", org.pk)
    if known is not None and key in known:
        return known[key]
    ids = list(
        subtree_org_ids(org).values_list("id", flat=True).order_by("id")[: LISTED_SUBTREE_MAX + 1]
    )
    answer = ids if len(ids) <= LISTED_SUBTREE_MAX else subtree_org_ids(org)
    if known is not None:
        known[key] = answer
    return answer


def spans_whole_tree(org: Any) -> bool:
    """Is ``org``'s subtree every org there is? Only a root can say yes (one small query;
    none for any other org). Records that must name an org then need no subtree condition:
    a count reads an index alone instead of joining every row to the org tree."""
    if org.parent_id is not None:
        return False
    known = _spans_known.get()
    key = ("spans", org.pk)
    if known is not None and key in known:
        return known[key]
    Org = apps.get_model("orgs", "Org")
    answer = not Org.objects.exclude(path__startswith=org.path).exists()
    if known is not None:
        known[key] = answer
    return answer


_spans_known: contextvars.ContextVar[dict[tuple[str, int], Any] | None] = contextvars.ContextVar(
    "spans_known", default=None
)


@contextmanager
def spans_remembered() -> Iterator[None]:
    """Within the block, ``spans_whole_tree`` and ``subtree_org_id_list`` ask the database
    once per org: a page's lists and figures ask them of the same org a dozen times, and the
    tree does not change meanwhile."""
    token = _spans_known.set(_spans_known.get() or {})
    try:
        yield
    finally:
        _spans_known.reset(token)


class ScopedQuerySet(models.QuerySet[M]):
    def visible_to(self, user: Any) -> ScopedQuerySet[M]:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        model = self.model
        if user.role == Role.MEMBER:
            hook = getattr(model, "scope_member", None)
            return self.filter(hook(user)) if hook else self.none()
        if user.role in ASSIGNEE_ROLES:
            hook = getattr(model, "scope_assigned", None)
            if hook is not None:
                return self.filter(hook(user))
            if not getattr(model, "scope_assignee_sees_subtree", False):
                return self.none()
        if user.org_id is None:
            return self.none()
        field = getattr(model, "scope_field", "org")
        return self.filter(**{f"{field}__in": subtree_org_ids(user.org)})


def access(qs: models.QuerySet[M], user: Any, **lookup: Any) -> M:
    """One record visible to ``user``, or NotFound for missing and forbidden alike."""
    manager_qs = qs if hasattr(qs, "visible_to") else qs.model._default_manager.all()
    does_not_exist = qs.model.DoesNotExist  # type: ignore[attr-defined]
    try:
        return manager_qs.visible_to(user).get(**lookup)  # type: ignore[attr-defined]
    except (does_not_exist, ValueError, TypeError) as exc:
        raise NotFound() from exc
