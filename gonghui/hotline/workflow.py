"""The work order's state machine, as data.

received → dispatched → accepted → (extension_requested → accepted) → replied → called_back
→ checked → closed. A dissatisfied callback (``reopen``) or a failed quality check
(``check_fail``) sends the order back to its handler (``reopened``, counted as a reopen).
A handler may return an order (退单) to the org that dispatched it (``returned``); the holder
may pass it further down (``dispatch``) or handle it itself (``accept``). ``reassign`` (改派)
moves it from its handler to another org. A consultation answered during the call goes
straight from received to closed (``answer``).

``WHO`` says at which org the actor must sit for each step: ``receiving`` (the org that
received the order), ``holder`` (the org holding it now: the handler, or the receiving org
before dispatch), ``dispatcher`` (the org that sent it to the handler, or the receiving org).
Steps that change no state (``progress``, ``supervise``) are ``NOTES``.
"""

from __future__ import annotations

from dataclasses import dataclass

from gonghui.core.statemachine import Transition, Workflow

from .models import Status

RECEIVING_ROLES = ("admin", "cadre", "operator")
HANDLER_ROLES = ("admin", "cadre", "clerk")
DISPATCH_ROLES = ("admin", "cadre", "operator", "clerk")

S = Status

WORKFLOW = Workflow(
    name="hotline",
    states={s.value: str(s.label) for s in Status},
    initial=S.RECEIVED,
    transitions=[
        Transition("answer", (S.RECEIVED,), S.CLOSED, "当场答复", RECEIVING_ROLES),
        Transition(
            "dispatch",
            (S.RECEIVED, S.DISPATCHED, S.RETURNED, S.ACCEPTED),
            S.DISPATCHED,
            "派单",
            DISPATCH_ROLES,
            needs=("org",),
        ),
        Transition(
            "accept", (S.DISPATCHED, S.REOPENED, S.RETURNED), S.ACCEPTED, "签收", HANDLER_ROLES
        ),
        Transition(
            "return",
            (S.DISPATCHED, S.ACCEPTED, S.REOPENED, S.RETURNED),
            S.RETURNED,
            "退单",
            HANDLER_ROLES,
            needs=("reason",),
        ),
        Transition(
            "extend",
            (S.ACCEPTED,),
            S.EXTENSION_REQUESTED,
            "申请延期",
            HANDLER_ROLES,
            needs=("days", "reason"),
        ),
        Transition(
            "approve_extension",
            (S.EXTENSION_REQUESTED,),
            S.ACCEPTED,
            "审批延期",
            RECEIVING_ROLES,
            needs=("approved",),
        ),
        Transition("reply", (S.ACCEPTED,), S.REPLIED, "办结反馈", HANDLER_ROLES, needs=("result",)),
        Transition(
            "callback",
            (S.REPLIED,),
            S.CALLED_BACK,
            "回访",
            RECEIVING_ROLES,
            needs=("satisfaction",),
        ),
        Transition("reopen", (S.REPLIED,), S.REOPENED, "回访不满意，重办", RECEIVING_ROLES),
        Transition("check", (S.CALLED_BACK,), S.CHECKED, "质检", RECEIVING_ROLES),
        Transition("check_fail", (S.CALLED_BACK,), S.REOPENED, "质检不通过，重办", RECEIVING_ROLES),
        Transition("close", (S.CHECKED,), S.CLOSED, "结案", RECEIVING_ROLES),
        Transition(
            "reassign",
            (S.DISPATCHED, S.ACCEPTED, S.EXTENSION_REQUESTED, S.REOPENED),
            S.DISPATCHED,
            "改派",
            DISPATCH_ROLES,
            needs=("org",),
        ),
    ],
)

WHO: dict[str, str] = {
    "answer": "receiving",
    "dispatch": "holder",
    "accept": "holder",
    "return": "holder",
    "extend": "holder",
    "approve_extension": "receiving",
    "reply": "holder",
    "callback": "receiving",
    "reopen": "receiving",
    "check": "receiving",
    "check_fail": "receiving",
    "close": "receiving",
    "reassign": "dispatcher",
}


@dataclass(frozen=True)
class Note:
    """A step that records something on the timeline without changing the state."""

    name: str
    label: str
    states: tuple[str, ...]
    roles: tuple[str, ...]
    who: str  # "holder" or "above" (an org strictly above the holder on the order's path)


NOTES: dict[str, Note] = {
    n.name: n
    for n in [
        Note(
            "progress",
            "记录进展",
            (S.ACCEPTED, S.EXTENSION_REQUESTED, S.REOPENED),
            HANDLER_ROLES,
            "holder",
        ),
        Note(
            "supervise",
            "督办",
            (S.DISPATCHED, S.ACCEPTED, S.EXTENSION_REQUESTED, S.REOPENED, S.RETURNED),
            RECEIVING_ROLES,
            "above",
        ),
    ]
}

# The API's action names (``/tickets/{id}/<action>``) → the step names above.
ACTION_ALIASES = {"approve-extension": "approve_extension", "check-fail": "check_fail"}
