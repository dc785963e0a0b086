"""The org and enterprise pickers (``core.pickers``): the user's subtree only."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core import pickers
from gonghui.core.pickers import Option

from .models import Enterprise, Org

_CJK = re.compile(r"[\u3400-\u9fff]")


def _narrow(q: str, *columns: str) -> Q:
    """A first cut in the database where what is typed must appear in a column (Chinese text,
    a code); latin letters may be pinyin, which only the ranking in Python knows."""
    q = q.strip()
    if not q or not _CJK.search(q) and q.isalpha():
        return Q()
    cond = Q()
    for column in columns:
        cond |= Q(**{f"{column}__icontains": q})
    return cond


def _org_option(row: Any) -> Option:
    return Option(row["code"], row["name"], row["parent__name"] or "")


def org_options(user: Any, q: str, limit: int) -> list[Option]:
    rows = (
        Org.objects.visible_to(user)
        .filter(_narrow(q, "name", "short_name", "code"), active=True)
        .order_by("path")
        .values("code", "name", "short_name", "parent__name")
    )
    best = pickers.ranked(q, rows, lambda r: (r["name"], r["short_name"], r["code"]), limit)
    return [_org_option(r) for r in best]


def org_resolve(user: Any, value: str) -> Option | None:
    row = (
        Org.objects.visible_to(user)
        .filter(code=value.strip().upper() if value.strip().isascii() else value.strip())
        .values("code", "name", "short_name", "parent__name")
        .first()
    )
    return _org_option(row) if row else None


def _enterprise_option(row: Any) -> Option:
    return Option(str(row["pk"]), row["name"], row["union__name"] or row["county__name"] or "")


_ENTERPRISE_COLUMNS = ("pk", "name", "uscc", "union__name", "county__name")


def enterprise_options(user: Any, q: str, limit: int) -> list[Option]:
    rows = (
        Enterprise.objects.visible_to(user)
        .filter(_narrow(q, "name", "uscc"))
        .order_by("name", "pk")
        .values(*_ENTERPRISE_COLUMNS)
    )
    best = pickers.ranked(q, rows, lambda r: (r["name"], r["uscc"]), limit)
    return [_enterprise_option(r) for r in best]


def enterprise_resolve(user: Any, value: str) -> Option | None:
    value = value.strip()
    cond = Q(uscc=value.upper()) | (Q(pk=int(value)) if value.isdigit() else Q())
    rows = list(Enterprise.objects.visible_to(user).filter(cond).values(*_ENTERPRISE_COLUMNS)[:2])
    return _enterprise_option(rows[0]) if len(rows) == 1 else None


pickers.register("org", label=_("工会组织"), search=org_options, resolve=org_resolve)
pickers.register(
    "enterprise", label=_("单位"), search=enterprise_options, resolve=enterprise_resolve
)
