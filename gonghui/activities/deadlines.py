"""The activities module's items due on the home page: the subtree's activities of today and
the next two days (sign-in at the door: the clerk prints or shows the QR code)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import deadlines
from gonghui.core.roles import can

from . import selectors

LISTED = 10


@deadlines.source("activities")
def due(user: Any, today: date) -> Iterator[deadlines.Due]:
    if not can(user, "activities.manage"):
        return
    tz = timezone.get_current_timezone()
    low = datetime.combine(today, time.min, tzinfo=tz)
    soon = (
        selectors.activities_visible_to(user)
        .filter(cancelled=False, starts_at__gte=low, starts_at__lt=low + timedelta(days=3))
        .order_by("starts_at", "id")[:LISTED]
    )
    for activity in soon:
        yield deadlines.Due(
            label=_("职工活动 %(title)s：签到") % {"title": activity.title},
            due_on=timezone.localdate(activity.starts_at),
            url=activity.get_absolute_url(),
            org=activity.org,
            unit=deadlines.CALENDAR,
            warn=2,
        )
