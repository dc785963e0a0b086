"""A venture's state, changed only by its yearly review (``services.venture_review``).

Each review is one step of this machine: the venture goes on as it was (正常经营), pauses,
resumes or closes; closed is final. The review also records the year's people employed and
jobs created, counted from the people rows.
"""

from __future__ import annotations

from gonghui.core.statemachine import Transition, Workflow

from .models import Status

MANAGE = ("admin", "cadre")

VENTURE = Workflow(
    name="venture",
    states={s.value: str(s.label) for s in Status},
    transitions=[
        Transition("confirm", (Status.OPERATING,), Status.OPERATING, "复核：正常经营", MANAGE),
        Transition("suspend", (Status.OPERATING,), Status.SUSPENDED, "复核：暂停经营", MANAGE),
        Transition("resume", (Status.SUSPENDED,), Status.OPERATING, "复核：恢复经营", MANAGE),
        Transition(
            "close",
            (Status.OPERATING, Status.SUSPENDED),
            Status.CLOSED,
            "复核：注销关闭",
            MANAGE,
            needs=("note",),
        ),
    ],
    initial=Status.OPERATING,
)
