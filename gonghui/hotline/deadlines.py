"""Deadlines of work orders in working days of the statutory calendar (makeup days included).

The due date is the N-th working day after the day of receipt (that day never counts), N by
category and complexity from ``DeadlineRule`` (defaults below when a rule row is missing);
a granted extension adds its working days to the current due date. Cards: yellow from one
working day before the due date, red once it has passed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core import deadlines
from gonghui.core.roles import can
from gonghui.core.workdays import add_workdays

from .models import Card, DeadlineRule, Ticket

DUE_LISTED = 20  # at most this many orders on a home page's list of items due

# DOMAIN.md: close within 15 working days, one extension of 7 (Shandong 12345 rules).
DEFAULT_DAYS = {
    ("consult", "normal"): 3,
    ("consult", "hard"): 5,
    ("consult", "complex"): 10,
    ("demand", "normal"): 15,
    ("demand", "hard"): 20,
    ("demand", "complex"): 30,
    ("suggestion", "normal"): 15,
    ("suggestion", "hard"): 20,
    ("suggestion", "complex"): 30,
}
DEFAULT_EXTENSION_DAYS = 7


def rule_for(category: str, complexity: str) -> tuple[int, int]:
    """(working days to close, default extension days) for a kind of order."""
    rule = DeadlineRule.objects.filter(category=category, complexity=complexity).first()
    if rule is not None:
        return rule.days, rule.extension_days
    return DEFAULT_DAYS.get((category, complexity), 15), DEFAULT_EXTENSION_DAYS


def due_date(received_on: date, category: str, complexity: str) -> date:
    days, _ = rule_for(category, complexity)
    return add_workdays(received_on, days)


def extended(due_on: date, days: int) -> date:
    """The due date after an extension of ``days`` working days."""
    return add_workdays(due_on, days)


def card_for(due_on: date | None, today: date) -> str:
    """The card an open order carries on ``today`` (``core.deadlines``: one working day's
    warning)."""
    return deadlines.card_for(due_on, today) or Card.NONE


@deadlines.source("hotline")
def due(user: Any, today: date) -> Iterator[deadlines.Due]:
    """The orders waiting for the user's own org whose due date is near or past (the cards
    of ``card_for``: one working day's warning)."""
    if not can(user, "hotline.view"):
        return
    horizon = add_workdays(today, 1)
    waiting = (
        Ticket.objects.waiting_for(user)
        .filter(due_on__isnull=False, due_on__lte=horizon)
        .select_related("topic", "handler_org", "receiving_org")
        .order_by("due_on", "id")[:DUE_LISTED]
    )
    for ticket in waiting:
        topic = ticket.topic.name if ticket.topic_id else ticket.get_category_display()
        yield deadlines.Due(
            label=_("热线工单 %(no)s（%(topic)s）：办结期限") % {"no": ticket, "topic": topic},
            due_on=ticket.due_on,  # type: ignore[arg-type]
            url=ticket.get_absolute_url(),
            org=ticket.handler_org or ticket.receiving_org,
        )
