"""Honours' items due on the home page (``core.deadlines``): the nominations deadline of a
round taking nominations, for the users who nominate or pass up in it — in calendar days, a
yellow card three days before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.core import deadlines
from gonghui.core.roles import can

from .models import RoundStatus
from .selectors import rounds_visible_to

WARN_DAYS = 3


@deadlines.source("honors")
def due(user: Any, today: date) -> Iterator[deadlines.Due]:
    if not can(user, "honors.nominate") or user.org is None:
        return
    rounds = rounds_visible_to(user).filter(status=RoundStatus.NOMINATING).order_by("closes_on")
    for round in rounds[:10]:
        yield deadlines.Due(
            label=_("%(title)s：推荐截止") % {"title": round.title},
            due_on=round.closes_on,
            url=reverse("honors:round", args=[round.pk]),
            org=round.org,
            unit=deadlines.CALENDAR,
            warn=WARN_DAYS,
        )
