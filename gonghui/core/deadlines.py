"""Deadlines every module keeps: due dates in working or calendar days, yellow and red cards,
and the items due that each user's home page lists.

A due date counts from the day after ``start`` (the day of receipt never counts), in
statutory working days (``core.workdays``: makeup days count, holidays do not) or in calendar
days — the labour law's clocks are in calendar days, a union's own limits in working days.
A card is yellow from ``warn`` days before the due date (in the same unit) and red once the
date has passed.

A module puts its items on the home page by declaring a source in its ``deadlines.py``
(discovered at start-up like ``metrics.py``)::

    @deadlines.source("legal")
    def due(user, today):
        for case in Case.objects.visible_to(user).filter(status="review"):
            yield Due(_("法律援助申请 %(no)s：审查期限") % {"no": case.no},
                      case.review_due_on, case.get_absolute_url(), case.org)

A source yields only what its user may see (its own scoped queries); ``for_user`` keeps the
items carrying a card, red first, then yellow, each by due date.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from .workdays import add_workdays

logger = logging.getLogger(__name__)

WORKDAYS, CALENDAR = "workdays", "calendar"
UNITS = (WORKDAYS, CALENDAR)
YELLOW, RED = "yellow", "red"


def due_on(start: date, days: int, unit: str = WORKDAYS) -> date:
    """The due date ``days`` working (or calendar) days after ``start``; days ≥ 0."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}")
    if days < 0:
        raise ValueError("days must be >= 0")
    if unit == CALENDAR:
        return start + timedelta(days=days)
    return add_workdays(start, days)


def card_for(due: date | None, today: date, *, unit: str = WORKDAYS, warn: int = 1) -> str:
    """The card an open item due on ``due`` carries on ``today``: "", yellow or red."""
    if due is None:
        return ""
    if today > due:
        return RED
    if due_on(today, warn, unit) >= due:
        return YELLOW
    return ""


@dataclass(frozen=True)
class Due:
    """One thing due, as a home page lists it."""

    label: str  # in words: "法律援助申请 FY2020-0012：审查期限"
    due_on: date
    url: str
    org: Any = None
    unit: str = WORKDAYS
    warn: int = 1


Source = Callable[[Any, date], Iterable[Due]]
SOURCES: dict[str, Source] = {}


def source(name: str) -> Callable[[Source], Source]:
    """Declare a module's items due (registering the same name again replaces it)."""

    def register(fn: Source) -> Source:
        SOURCES[name] = fn
        return fn

    return register


def for_user(user: Any, today: date | None = None, limit: int = 20) -> list[tuple[Due, str]]:
    """The items carrying a card for ``user``: (item, card), red first, then yellow."""
    today = today or timezone.localdate()
    carded: list[tuple[Due, str]] = []
    for fn in SOURCES.values():
        for item in fn(user, today):
            card = card_for(item.due_on, today, unit=item.unit, warn=item.warn)
            if card:
                carded.append((item, card))
    carded.sort(key=lambda pair: (pair[1] != RED, pair[0].due_on, pair[0].label))
    return carded[:limit]
