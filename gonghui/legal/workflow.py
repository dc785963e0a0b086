"""The legal-aid case's state machine, as data.

applied → complete → approved → assigned → in_progress → concluded → closed, with:
``return`` (材料不全: back to the applicant, ``resubmit`` brings it back), ``refuse`` (with a
reason), ``transfer`` (移交: to another union's centre, which starts again at applied),
``refer`` (转介: to a body outside the union — the arbitration commission, a court, the
justice bureau's legal-aid centre — which ends the union's case), ``reassign`` (改派: another
lawyer), ``withdraw`` (the worker withdraws: closed with the outcome 撤回).
Recording a stage (``stage``) changes no state.
"""

from __future__ import annotations

from gonghui.core.statemachine import Transition, Workflow

from .models import Status

CENTRE = ("admin", "cadre")
LAWYER = ("lawyer",)
APPLICANT = ("member", "admin", "cadre", "operator", "clerk")

S = Status

WORKFLOW = Workflow(
    name="legal",
    states={s.value: str(s.label) for s in Status},
    initial=S.APPLIED,
    transitions=[
        Transition("return", (S.APPLIED,), S.RETURNED, "退回补充材料", CENTRE, needs=("reason",)),
        Transition("resubmit", (S.RETURNED,), S.APPLIED, "补充材料后重新提交", APPLICANT),
        Transition("complete", (S.APPLIED,), S.COMPLETE, "材料齐全", CENTRE),
        Transition("approve", (S.COMPLETE,), S.APPROVED, "批准援助", CENTRE),
        Transition(
            "refuse", (S.APPLIED, S.COMPLETE), S.REFUSED, "不予援助", CENTRE, needs=("reason",)
        ),
        Transition(
            "transfer",
            (S.APPLIED, S.RETURNED, S.COMPLETE),
            S.APPLIED,
            "移交其他工会",
            CENTRE,
            needs=("org", "reason"),
        ),
        Transition(
            "refer",
            (S.COMPLETE, S.APPROVED),
            S.REFERRED,
            "转介其他机构",
            CENTRE,
            needs=("to", "reason"),
        ),
        Transition("assign", (S.APPROVED,), S.ASSIGNED, "指派律师", CENTRE, needs=("lawyer",)),
        Transition(
            "reassign",
            (S.ASSIGNED, S.IN_PROGRESS),
            S.ASSIGNED,
            "改派律师",
            CENTRE,
            needs=("lawyer", "reason"),
        ),
        Transition("accept", (S.ASSIGNED,), S.IN_PROGRESS, "律师接案", LAWYER),
        Transition(
            "conclude",
            (S.IN_PROGRESS,),
            S.CONCLUDED,
            "记录结果",
            LAWYER,
            needs=("outcome", "amount"),
        ),
        Transition("close", (S.CONCLUDED,), S.CLOSED, "结案", CENTRE),
        Transition(
            "withdraw",
            (S.APPLIED, S.RETURNED, S.COMPLETE, S.APPROVED, S.ASSIGNED, S.IN_PROGRESS),
            S.CLOSED,
            "撤回申请",
            ("member", "admin", "cadre"),
            needs=("reason",),
        ),
    ],
)

# steps taken from the case's page (and the API) that change no state
STAGE_STATES = (S.IN_PROGRESS,)
