"""The reviews waiting on the home page, with their yellow and red cards: the owner's
self-assessment by 30 November, each level's review within ten working days."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core import deadlines

from . import selectors, workflow

LISTED = 20


@deadlines.source("places")
def due(user: Any, today: date) -> Iterator[deadlines.Due]:
    for review in selectors.waiting_for(user).filter(due_on__isnull=False)[:LISTED]:
        yield deadlines.Due(
            label=_("服务阵地星级评定 %(name)s：%(step)s")
            % {"name": review.place.name, "step": workflow.waiting_label(review.status)},
            due_on=review.due_on,  # type: ignore[arg-type]
            url=review.get_absolute_url(),
            org=review.place.org,
            unit=workflow.unit_for(review.status),
            warn=3,
        )
