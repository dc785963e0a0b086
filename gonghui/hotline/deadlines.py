"""Deadlines of work orders in working days of the statutory calendar (makeup days included).

The due date is the N-th working day after the day of receipt (that day never counts), N by
category and complexity from ``DeadlineRule`` (defaults below when a rule row is missing);
a granted extension adds its working days to the current due date. Cards: yellow from one
working day before the due date, red once it has passed.
"""

from __future__ import annotations

from datetime import date

from gonghui.core.workdays import add_workdays

from .models import Card, DeadlineRule

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
    """The card an open order carries on ``today``."""
    if due_on is None:
        return Card.NONE
    if today > due_on:
        return Card.RED
    if add_workdays(today, 1) >= due_on:
        return Card.YELLOW
    return Card.NONE
