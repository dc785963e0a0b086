"""The thread's steps and the statutory clock (DOMAIN.md, "Collective bargaining").

- an offer must be answered within 20 days (calendar);
- talks start within 10 working days of the answer; the data is exchanged 5 working days
  before the talks;
- the draft goes to the workers' congress: at least two thirds of the delegates present and
  more than half of ALL delegates approving;
- the signed contract is filed with the labour bureau within 10 days; the bureau has 15 days
  to object (silence is approval); the contract is published within 10 days of approval;
- terms run 1 to 3 years; renewal talks start 60 days before expiry; wage contracts yearly.

``DUE`` says, for each open state, which date starts the clock of the next step and how long
it runs: the thread's ``due_on`` and card follow from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from gonghui.core import deadlines
from gonghui.core.statemachine import Transition, Workflow

from .models import Status

STAFF = ("admin", "cadre", "clerk")

WORKFLOW = Workflow(
    name="bargaining",
    states={s.value: str(s.label) for s in Status},
    transitions=[
        Transition(
            "answer",
            (Status.OFFERED,),
            Status.ANSWERED,
            "登记企业回应",
            STAFF,
            needs=("answered_on",),
        ),
        Transition(
            "refuse",
            (Status.OFFERED, Status.ANSWERED),
            Status.REFUSED,
            "登记企业拒绝协商",
            STAFF,
            needs=("refused_reason",),
        ),
        Transition(
            "schedule",
            (Status.ANSWERED,),
            Status.SCHEDULED,
            "约定协商日期",
            STAFF,
            needs=("talks_on",),
        ),
        Transition(
            "exchange", (Status.SCHEDULED,), Status.DATA, "登记资料交换", STAFF, needs=("data_on",)
        ),
        Transition(
            "hold",
            (Status.DATA, Status.TALKS),
            Status.TALKS,
            "记录一轮协商",
            STAFF,
            needs=("held_on",),
        ),
        Transition(
            "agree", (Status.TALKS,), Status.DRAFT, "形成合同草案", STAFF, needs=("draft_on",)
        ),
        Transition(
            "vote",
            (Status.DRAFT,),
            Status.VOTED,
            "职代会表决",
            STAFF,
            needs=("voted_on", "delegates", "present", "approving"),
        ),
        Transition(
            "sign",
            (Status.VOTED,),
            Status.SIGNED,
            "签订集体合同",
            STAFF,
            needs=("signed_on", "years"),
        ),
        Transition(
            "file", (Status.SIGNED,), Status.FILED, "报送人社部门备案", STAFF, needs=("filed_on",)
        ),
        Transition(
            "object", (Status.FILED,), Status.DRAFT, "人社部门提出异议", STAFF, needs=("reason",)
        ),
        Transition(
            "review", (Status.FILED,), Status.REVIEWED, "审查通过", STAFF, needs=("reviewed_on",)
        ),
        Transition(
            "publish",
            (Status.REVIEWED,),
            Status.PUBLISHED,
            "向职工公布",
            STAFF,
            needs=("published_on",),
        ),
    ],
    initial=Status.OFFERED,
)


@dataclass(frozen=True)
class Clock:
    start: str  # the thread's date field the clock runs from
    days: int
    unit: str
    label: Any  # what is due, in words
    before: bool = False  # counts back from ``start`` (the data: 5 working days before talks)
    warn: int = 1


ANSWER_DAYS, TALKS_WORKDAYS, DATA_WORKDAYS = 20, 10, 5
FILING_DAYS, REVIEW_DAYS, PUBLISH_DAYS = 10, 15, 10

DUE: dict[str, Clock] = {
    Status.OFFERED: Clock("offered_on", ANSWER_DAYS, deadlines.CALENDAR, _("企业书面回应"), warn=3),
    Status.ANSWERED: Clock("answered_on", TALKS_WORKDAYS, deadlines.WORKDAYS, _("开始协商")),
    Status.SCHEDULED: Clock(
        "talks_on", DATA_WORKDAYS, deadlines.WORKDAYS, _("协商前交换资料"), before=True
    ),
    Status.DATA: Clock("talks_on", 0, deadlines.WORKDAYS, _("举行协商")),
    Status.SIGNED: Clock("signed_on", FILING_DAYS, deadlines.CALENDAR, _("报送备案"), warn=3),
    Status.FILED: Clock("filed_on", REVIEW_DAYS, deadlines.CALENDAR, _("人社部门审查"), warn=3),
    Status.REVIEWED: Clock(
        "reviewed_on", PUBLISH_DAYS, deadlines.CALENDAR, _("向职工公布"), warn=3
    ),
}


def back_workdays(day: date, n: int) -> date:
    """The latest working day from which ``n`` working days reach ``day``: the data must be
    in hand ``n`` working days before the talks (a holiday in between does not count)."""
    from datetime import timedelta

    from gonghui.core.workdays import is_workday

    candidate = day - timedelta(days=n)
    while deadlines.due_on(candidate, n) > day:
        candidate -= timedelta(days=1)
    while deadlines.due_on(candidate + timedelta(days=1), n) <= day:
        candidate += timedelta(days=1)
    while not is_workday(candidate):
        candidate -= timedelta(days=1)
    return candidate


def due_for(status: str, dates: dict[str, date | None]) -> date | None:
    """The due date of the step awaited in ``status``, from the thread's dates."""
    clock = DUE.get(status)
    if clock is None:
        return None
    start = dates.get(clock.start)
    if start is None:
        return None
    if clock.before:
        return back_workdays(start, clock.days)
    return deadlines.due_on(start, clock.days, clock.unit)


def card(status: str, due: date | None, today: date) -> str:
    clock = DUE.get(status)
    if clock is None:
        return ""
    return deadlines.card_for(due, today, unit=clock.unit, warn=clock.warn)


def congress_passes(delegates: int, present: int, approving: int) -> tuple[bool, str]:
    """The workers' congress rule: at least two thirds of all delegates present, and more than
    half of ALL delegates (not of those present) approving. Returns (passed, why in words)."""
    if delegates <= 0:
        return False, str(_("职工代表总数应大于零。"))
    if present > delegates or approving > present:
        return False, str(_("出席人数不能多于代表总数，赞成票不能多于出席人数。"))
    if present * 3 < delegates * 2:
        return False, str(
            _("出席代表 %(present)d 人，不足代表总数 %(delegates)d 人的三分之二，不能表决。")
            % {"present": present, "delegates": delegates}
        )
    if approving * 2 <= delegates:
        return False, str(
            _("赞成 %(approving)d 票，未超过全体代表 %(delegates)d 人的半数，草案未通过。")
            % {"approving": approving, "delegates": delegates}
        )
    return True, str(
        _(
            "出席 %(present)d 人（不少于三分之二），"
            "赞成 %(approving)d 票（超过全体代表半数），通过。"
        )
        % {"present": present, "approving": approving}
    )
