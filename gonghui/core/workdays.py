"""Working days of the PRC statutory calendar (chinese-calendar), with local overrides.

A ``WorkdayOverride`` row wins over the library (a local holiday, a calendar published after
the installed release). Past the library's last known year, weekends are rest days and every
other day is a working day until overrides say otherwise.

A year's working days are computed once (the library's 365 answers and the year's override
rows, one query) and kept in the process for ``CACHE_SECONDS``; saving or deleting an override
clears them at once in the process that changed it (other processes see it within the
interval). A demo of thousands of deadlines then costs a few queries, not one per date.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import chinese_calendar

CACHE_SECONDS = 300
_YEARS: dict[int, tuple[float, frozenset[date]]] = {}


def clear_cache(**_: Any) -> None:
    """Forget the computed years (an override was saved or deleted)."""
    _YEARS.clear()


def _statutory(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def _year(year: int) -> frozenset[date]:
    """The working days of ``year``."""
    hit = _YEARS.get(year)
    now = time.monotonic()
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    from .models import WorkdayOverride

    first = date(year, 1, 1)
    days = {first + timedelta(n) for n in range((date(year + 1, 1, 1) - first).days)}
    working = {day for day in days if _statutory(day)}
    for day, is_workday in WorkdayOverride.objects.filter(day__year=year).values_list(
        "day", "is_workday"
    ):
        (working.add if is_workday else working.discard)(day)
    frozen = frozenset(working)
    _YEARS[year] = (now, frozen)
    return frozen


def is_workday(day: date) -> bool:
    return day in _year(day.year)


def add_workdays(start: date, n: int) -> date:
    """The n-th working day after ``start`` (``start`` itself never counts); n ≥ 0."""
    if n < 0:
        raise ValueError("n must be >= 0")
    day, left = start, n
    while left:
        day += timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day


def workdays_between(start: date, end: date) -> int:
    """Working days in (start, end]: 0 when end ≤ start."""
    if end <= start:
        return 0
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_workday(day)
    return count
