"""The refund application's enterprise box: the enterprises this user may apply for — a
cadre's county subtree, a clerk's own union's enterprises — by name or credit code."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gonghui.core import pickers
from gonghui.core.pickers import Option
from gonghui.core.roles import role_can
from gonghui.core.scope import subtree_org_ids
from gonghui.orgs.models import Enterprise


def applicable(user: Any) -> QuerySet[Enterprise]:
    """Enterprises the user may apply for: in the county subtree (a cadre) or covered by a
    union of the user's subtree (a clerk)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "org_id", None) is None:
        return Enterprise.objects.none()
    if not role_can(user.role, "funds.apply"):
        return Enterprise.objects.none()
    below = subtree_org_ids(user.org)
    return Enterprise.objects.filter(Q(county__in=below) | Q(union__in=below))


def _option(row: dict[str, Any]) -> Option:
    return Option(str(row["pk"]), row["name"], row["uscc"] or "")


COLUMNS = ("pk", "name", "uscc")


def search(user: Any, q: str, limit: int) -> list[Option]:
    rows = applicable(user).filter(Q(name__icontains=q) | Q(uscc__startswith=q.upper()))
    rows = rows.order_by("name", "pk").values(*COLUMNS)[:200]
    best = pickers.ranked(q, list(rows), lambda r: (r["name"], r["uscc"]), limit)
    return [_option(r) for r in best]


def resolve(user: Any, value: str) -> Option | None:
    value = value.strip()
    cond = Q(uscc=value.upper()) | (Q(pk=int(value)) if value.isdigit() else Q(name=value))
    rows = list(applicable(user).filter(cond).values(*COLUMNS)[:2])
    return _option(rows[0]) if len(rows) == 1 else None


pickers.register("fund_enterprise", label=_("申请单位"), search=search, resolve=resolve)
