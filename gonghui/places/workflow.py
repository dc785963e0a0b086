"""The yearly star review as data: the owner's self-assessment (with evidence) goes to the
county federation, whose review goes to the city for confirmation; either level may send it
back with a reason, and the owner submits again.

Who takes a step depends on the role (``Transition.roles``) and on the level of the actor's
org (``LEVEL``): the county step belongs to the place's own county federation (the city's
when the place sits directly under the city), the confirmation to the city. The clock of
each waiting step is in ``DUE``: the self-assessment by 30 November of the year, each review
within ``REVIEW_WORKDAYS`` working days.
"""

from __future__ import annotations

from datetime import date

from gonghui.core import deadlines
from gonghui.core.statemachine import Transition, Workflow

from .models import ReviewStatus

OWNER = ("admin", "cadre", "clerk")
REVIEWER = ("admin", "cadre")

WORKFLOW = Workflow(
    name="places_review",
    states={s.value: str(s.label) for s in ReviewStatus},
    transitions=[
        Transition(
            "submit",
            (ReviewStatus.DRAFT, ReviewStatus.RETURNED),
            ReviewStatus.SUBMITTED,
            "提交自评",
            OWNER,
            needs=("self_stars",),
        ),
        Transition(
            "county_pass",
            (ReviewStatus.SUBMITTED,),
            ReviewStatus.COUNTY_PASSED,
            "县区审核通过",
            REVIEWER,
            needs=("county_stars",),
        ),
        Transition(
            "county_return",
            (ReviewStatus.SUBMITTED,),
            ReviewStatus.RETURNED,
            "县区退回",
            REVIEWER,
            needs=("reason",),
        ),
        Transition(
            "confirm",
            (ReviewStatus.COUNTY_PASSED,),
            ReviewStatus.CONFIRMED,
            "市级确认",
            REVIEWER,
            needs=("stars",),
        ),
        Transition(
            "city_return",
            (ReviewStatus.COUNTY_PASSED,),
            ReviewStatus.RETURNED,
            "市级退回",
            REVIEWER,
            needs=("reason",),
        ),
    ],
    initial=ReviewStatus.DRAFT,
)

# which level of org takes each step: "owner" (in the place's subtree upward), "county", "city"
LEVEL = {
    "submit": "owner",
    "county_pass": "county",
    "county_return": "county",
    "confirm": "city",
    "city_return": "city",
}

SELF_DUE = (11, 30)  # the self-assessment is due by this month and day of the review's year
REVIEW_WORKDAYS = 10


def due_for(status: str, year: int, dates: dict[str, date | None]) -> date | None:
    """The due date of the step awaited in ``status``."""
    if status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        return date(year, *SELF_DUE)
    if status == ReviewStatus.SUBMITTED and dates.get("submitted_on"):
        return deadlines.due_on(dates["submitted_on"], REVIEW_WORKDAYS)  # type: ignore[arg-type]
    if status == ReviewStatus.COUNTY_PASSED and dates.get("county_on"):
        return deadlines.due_on(dates["county_on"], REVIEW_WORKDAYS)  # type: ignore[arg-type]
    return None


def unit_for(status: str) -> str:
    if status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        return deadlines.CALENDAR
    return deadlines.WORKDAYS


def waiting_label(status: str) -> str:
    labels: dict[str, str] = {
        ReviewStatus.DRAFT: "提交自评",
        ReviewStatus.RETURNED: "修改后重新提交自评",
        ReviewStatus.SUBMITTED: "县区审核",
        ReviewStatus.COUNTY_PASSED: "市级确认",
    }
    return labels.get(status, "")
