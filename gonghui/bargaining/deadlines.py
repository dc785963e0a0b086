"""Collective bargaining's items due on the home page: the threads of the user's subtree
whose step is near or past its statutory date, and the contracts due for renewal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core import deadlines
from gonghui.core.roles import can

from . import workflow
from .models import RENEWAL_DAYS, Contract, Thread

LISTED = 20


@deadlines.source("bargaining")
def due(user: Any, today: date) -> Iterator[deadlines.Due]:
    if not can(user, "bargaining.manage"):
        return
    threads = (
        Thread.objects.visible_to(user)
        .open()
        .filter(due_on__isnull=False, due_on__lte=today + timedelta(days=3))
        .select_related("enterprise", "county")
        .order_by("due_on", "id")[:LISTED]
    )
    for thread in threads:
        clock = workflow.DUE[thread.status]
        yield deadlines.Due(
            label=_("集体协商 %(name)s：%(step)s")
            % {"name": thread.enterprise.name, "step": clock.label},
            due_on=thread.due_on,  # type: ignore[arg-type]
            url=thread.get_absolute_url(),
            org=thread.county,
            unit=clock.unit,
            warn=clock.warn,
        )
    contracts = (
        Contract.objects.visible_to(user)
        .expiring(today, RENEWAL_DAYS)
        .select_related("county")
        .order_by("ends_on", "id")[:LISTED]
    )
    for contract in contracts:
        yield deadlines.Due(
            label=_("集体合同到期续签：%(title)s") % {"title": contract.title},
            due_on=contract.ends_on,
            url=contract.get_absolute_url(),
            org=contract.county,
            unit=deadlines.CALENDAR,
            warn=RENEWAL_DAYS,
        )
