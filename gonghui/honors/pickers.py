"""The picker of the enterprises a user may put forward (``selectors.enterprises_for``): a
grassroots clerk finds the employers their union covers, which the registry's enterprise
picker (scoped by county) does not show them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core import pickers
from gonghui.core.pickers import Option

from .selectors import enterprises_for


def _option(row: Any) -> Option:
    return Option(str(row["pk"]), row["name"], row["union__name"] or row["county__name"] or "")


COLUMNS = ("pk", "name", "uscc", "union__name", "county__name")


def options(user: Any, q: str, limit: int) -> list[Option]:
    qs = enterprises_for(user)
    if q.strip() and not q.isascii():  # Chinese narrows in SQL; pinyin is ranked in Python
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(uscc__icontains=q.strip()))
    rows = qs.order_by("name", "pk").values(*COLUMNS)[:500]
    best = pickers.ranked(q, rows, lambda r: (r["name"], r["uscc"]), limit)
    return [_option(r) for r in best]


def resolve(user: Any, value: str) -> Option | None:
    value = value.strip()
    cond = Q(uscc=value.upper()) | (Q(pk=int(value)) if value.isdigit() else Q(name=value))
    rows = list(enterprises_for(user).filter(cond).values(*COLUMNS)[:2])
    return _option(rows[0]) if len(rows) == 1 else None


pickers.register("nominee_enterprise", label=_("单位"), search=options, resolve=resolve)
