"""The ventures module's item due on the home page: this year's review of the ventures of the
user's subtree, yellow from December and red once the year is over (a review of last year
still missing)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core import deadlines
from gonghui.core.roles import can

from . import selectors

LISTED = 10


@deadlines.source("ventures")
def due(user: Any, today: date) -> Iterator[deadlines.Due]:
    if not can(user, "ventures.manage"):
        return
    for year in (today.year - 1, today.year):
        waiting = selectors.due_for_review(user, year).filter(started_on__year__lt=year)
        if year == today.year and today.month < 12:
            continue  # this year's review is not yet near
        for venture in waiting.order_by("started_on", "id")[:LISTED]:
            yield deadlines.Due(
                label=_("创业项目 %(name)s：%(year)d 年度复核")
                % {"name": venture.name, "year": year},
                due_on=date(year, 12, 31),
                url=venture.get_absolute_url(),
                org=venture.org,
                unit=deadlines.CALENDAR,
                warn=31,
            )
