"""The statutory dates of a case, computed from its own dates.

- 材料审查 (completeness): ``complete_workdays`` working days after the application;
- 审批 (approval): ``approve_workdays`` working days after the paperwork is complete
  (Qingdao practice: 7 + 7);
- 仲裁时效: arbitration must be applied for within ``arbitration_years`` of the dispute;
- 仲裁受理: the commission accepts or refuses within ``accept_days`` (calendar) of the
  application;
- 仲裁裁决: the award within ``award_days`` of acceptance, ``award_extension_days`` more when
  extended;
- 起诉期限: a party may sue within ``appeal_days`` of the award;
- 调解期限: mediation not concluded within ``mediation_days`` may move to arbitration.

Working days where the rules count working days, calendar days where the law does (through
``core.deadlines``); every limit is configurable (``LEGAL_LIMITS`` in the settings, a dict
overriding ``DEFAULTS``). A date applies only while the step it waits for has not happened and
the case is open. ``due`` puts them on the home page (``core.deadlines.source``): the lawyer's
own cases, and the centre's steps (completeness, approval) for its cadres.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from gonghui.core import deadlines as kernel
from gonghui.core.deadlines import CALENDAR, WORKDAYS, Due, card_for, due_on
from gonghui.core.periods import years_later
from gonghui.core.roles import Role, can

from .models import OPEN_STATUSES, Case, Status

__all__ = ["CALENDAR", "WORKDAYS", "case_limits", "due_on", "limit"]

DEFAULTS: dict[str, int] = {
    "complete_workdays": 7,
    "approve_workdays": 7,
    "arbitration_years": 1,
    "accept_days": 5,
    "award_days": 45,
    "award_extension_days": 15,
    "appeal_days": 15,
    "mediation_days": 15,
    "warn_workdays": 2,  # yellow this many working days before a working-day limit
    "warn_days": 5,  # ... and this many calendar days before a calendar-day limit
    "warn_limitation_days": 60,  # the one-year limit warns two months ahead
}


def limit(name: str) -> int:
    configured = getattr(settings, "LEGAL_LIMITS", None) or {}
    return int(configured.get(name, DEFAULTS[name]))


@dataclass(frozen=True)
class Limit:
    key: str
    label: str
    due_on: date
    unit: str
    warn: int
    card: str = ""


def case_limits(case: Case, today: date) -> list[Limit]:
    """The dates that bind the case now, soonest first, each with its card."""
    out: list[Limit] = []

    def add(key: str, label: str, due: date, unit: str) -> None:
        if unit == WORKDAYS:
            warn = limit("warn_workdays")
        elif key == "limitation":
            warn = limit("warn_limitation_days")
        else:
            warn = limit("warn_days")
        out.append(Limit(key, label, due, unit, warn, card_for(due, today, unit=unit, warn=warn)))

    if case.status not in OPEN_STATUSES:
        return out
    if case.status == Status.APPLIED:
        add(
            "complete",
            _("材料审查期限"),
            due_on(case.applied_on, limit("complete_workdays")),
            WORKDAYS,
        )
    if case.status == Status.COMPLETE and case.completed_on:
        add(
            "approve", _("审批期限"), due_on(case.completed_on, limit("approve_workdays")), WORKDAYS
        )
    if case.arbitration_on is None and case.lawsuit_on is None:
        add(
            "limitation",
            _("申请仲裁时效"),
            years_later(case.dispute_on, limit("arbitration_years")),
            CALENDAR,
        )
    if case.mediation_on and case.arbitration_on is None:
        add(
            "mediation",
            _("调解期限"),
            due_on(case.mediation_on, limit("mediation_days"), CALENDAR),
            CALENDAR,
        )
    if case.arbitration_on and case.accepted_on is None:
        add(
            "accept",
            _("仲裁受理期限"),
            due_on(case.arbitration_on, limit("accept_days"), CALENDAR),
            CALENDAR,
        )
    if case.accepted_on and case.award_on is None:
        days = limit("award_days") + (limit("award_extension_days") if case.award_extended else 0)
        add("award", _("仲裁裁决期限"), due_on(case.accepted_on, days, CALENDAR), CALENDAR)
    if case.award_on and case.lawsuit_on is None:
        add(
            "appeal", _("起诉期限"), due_on(case.award_on, limit("appeal_days"), CALENDAR), CALENDAR
        )
    out.sort(key=lambda item: item.due_on)
    return out


def worst_card(limits: list[Limit]) -> str:
    cards = {item.card for item in limits}
    return "red" if "red" in cards else "yellow" if "yellow" in cards else ""


def next_limit(case: Case, today: date) -> Limit | None:
    limits = case_limits(case, today)
    return limits[0] if limits else None


def as_dict(item: Limit) -> dict[str, Any]:
    return {
        "key": item.key,
        "label": item.label,
        "due_on": item.due_on,
        "unit": item.unit,
        "card": item.card,
    }


# how many open cases a home page's source reads at most (the lawyer's, the centre's)
HOME_LIMIT = 200


@kernel.source("legal")
def due(user: Any, today: date) -> Any:
    """The statutory dates of the lawyer's own open cases; for the centre's cadres, the
    completeness and approval limits of their subtree's cases."""
    role = getattr(user, "role", None)
    cases: Any
    if role == Role.LAWYER:
        cases = Case.objects.filter(lawyer=user, status__in=OPEN_STATUSES)
        keys = None
    elif can(user, "legal.manage"):
        cases = Case.objects.visible_to(user).filter(status__in=(Status.APPLIED, Status.COMPLETE))
        keys = {"complete", "approve"}
    else:
        return
    for case in cases.order_by("applied_on", "id")[:HOME_LIMIT]:
        for item in case_limits(case, today):
            if keys is None or item.key in keys:
                yield Due(
                    label=_("法律援助案件 %(no)s：%(what)s")
                    % {"no": case.number, "what": item.label},
                    due_on=item.due_on,
                    url=case.get_absolute_url(),
                    org=case.org_id,
                    unit=item.unit,
                    warn=item.warn,
                )
