"""The office's items due on the home page: the user's org's open supervised tasks and the
data calls it still owes, each with its yellow and red card."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core import deadlines
from gonghui.core.roles import can

from . import selectors

LISTED = 20


@deadlines.source("office")
def due(user: Any, today: date) -> Iterator[deadlines.Due]:
    if not can(user, "office.fill"):
        return
    horizon = today + timedelta(days=7)
    tasks = selectors.due_tasks(user).filter(due_on__lte=horizon).order_by("due_on", "id")[:LISTED]
    for task in tasks:
        yield deadlines.Due(
            label=_("督办事项：%(title)s") % {"title": task.title},
            due_on=task.due_on,
            url=task.get_absolute_url(),
            org=task.owner,
        )
    owed = (
        selectors.open_calls(user)
        .filter(call__deadline__lte=horizon)
        .order_by("call__deadline", "id")[:LISTED]
    )
    for item in owed:
        yield deadlines.Due(
            label=_("信息报送：%(title)s") % {"title": item.call.title},
            due_on=item.call.deadline,
            url=item.get_absolute_url(),
            org=item.org,
            unit=deadlines.CALENDAR,
            warn=2,
        )
