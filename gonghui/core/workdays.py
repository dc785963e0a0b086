"""Working days of the PRC statutory calendar (chinese-calendar), with local overrides.

A ``WorkdayOverride`` row wins over the library (a local holiday, a calendar published after
the installed release). Past the library's last known year, weekends are rest days and every
other day is a working day until overrides say otherwise.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


def _overrides(start: date, end: date) -> dict[date, bool]:
    from .models import WorkdayOverride

    return dict(
        WorkdayOverride.objects.filter(day__gte=start, day__lte=end).values_list(
            "day", "is_workday"
        )
    )


def _statutory(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def is_workday(day: date) -> bool:
    override = _overrides(day, day).get(day)
    return _statutory(day) if override is None else override


def add_workdays(start: date, n: int) -> date:
    """The n-th working day after ``start`` (``start`` itself never counts); n ≥ 0."""
    if n < 0:
        raise ValueError("n must be >= 0")
    if n == 0:
        return start
    # n working days never span more than ~3n + 30 calendar days (Spring Festival week).
    horizon = start + timedelta(days=3 * n + 30)
    overrides = _overrides(start, horizon)
    day, left = start, n
    while left:
        day += timedelta(days=1)
        workday = overrides.get(day)
        if workday if workday is not None else _statutory(day):
            left -= 1
    return day


def workdays_between(start: date, end: date) -> int:
    """Working days in (start, end]: 0 when end ≤ start."""
    if end <= start:
        return 0
    overrides = _overrides(start, end)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        workday = overrides.get(day)
        count += workday if workday is not None else _statutory(day)
    return count
