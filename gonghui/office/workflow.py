"""The office's state machines as data.

A document type's approval chain is rows of ``ChainStep`` (核稿 → 会签 → 签发 …), edited on
the chain page; ``for_type`` builds the ``core.statemachine`` workflow from them:
``draft`` → ``step1`` … ``stepN`` → ``issued`` (numbered) → ``sent`` (distributed), each step
may send the draft back. A type without rows gets ``DEFAULT_CHAINS`` written into the table
the first time it is used, so the chain is always the table's.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.core.statemachine import Transition, Workflow

from .models import ChainStep, DocStatus, DocType, InStatus

STAFF = ("admin", "cadre")

DEFAULT_CHAINS: dict[str, list[str]] = {
    DocType.NOTICE: ["核稿", "签发"],
    DocType.DECISION: ["核稿", "会签", "签发"],
    DocType.OPINION: ["核稿", "会签", "签发"],
    DocType.LETTER: ["核稿", "签发"],
    DocType.MINUTES: ["审核", "签发"],
}


def chain(doc_type: str) -> list[ChainStep]:
    steps = list(ChainStep.objects.filter(doc_type=doc_type).order_by("position"))
    if steps:
        return steps
    try:
        with transaction.atomic():
            ChainStep.objects.bulk_create(
                [
                    ChainStep(doc_type=doc_type, position=i, label=label)
                    for i, label in enumerate(DEFAULT_CHAINS.get(doc_type, ["签发"]), start=1)
                ]
            )
    except IntegrityError:  # written at the same moment by another request
        pass
    return list(ChainStep.objects.filter(doc_type=doc_type).order_by("position"))


def state(step: int) -> str:
    return f"step{step}"


def for_type(doc_type: str) -> Workflow:
    steps = chain(doc_type)
    states = {DocStatus.DRAFT.value: str(DocStatus.DRAFT.label)}
    for s in steps:
        states[state(s.position)] = _("待%(label)s") % {"label": s.label}
    states[DocStatus.ISSUED.value] = str(DocStatus.ISSUED.label)
    states[DocStatus.SENT.value] = str(DocStatus.SENT.label)
    transitions = [
        Transition("submit", (DocStatus.DRAFT,), state(steps[0].position), _("送审"), STAFF)
    ]
    for i, s in enumerate(steps):
        last = i == len(steps) - 1
        target = DocStatus.ISSUED.value if last else state(steps[i + 1].position)
        roles = tuple(r for r in s.roles.split(",") if r) or STAFF
        transitions.append(
            Transition(f"pass{s.position}", (state(s.position),), target, s.label, roles)
        )
    transitions.append(
        Transition(
            "return",
            tuple(state(s.position) for s in steps),
            DocStatus.DRAFT,
            _("退回修改"),
            STAFF,
            needs=("reason",),
        )
    )
    transitions.append(
        Transition("distribute", (DocStatus.ISSUED,), DocStatus.SENT, _("分发"), STAFF)
    )
    return Workflow(
        name=f"office.{doc_type}",
        states=states,
        transitions=transitions,
        initial=DocStatus.DRAFT,
    )


def current_state(status: str, step: int) -> str:
    return state(step) if status == DocStatus.REVIEW else status


INCOMING = Workflow(
    name="office.incoming",
    states={s.value: str(s.label) for s in InStatus},
    transitions=[
        Transition(
            "propose", (InStatus.REGISTERED,), InStatus.PROPOSED, "拟办", STAFF, needs=("text",)
        ),
        Transition(
            "decide",
            (InStatus.REGISTERED, InStatus.PROPOSED),
            InStatus.DECIDED,
            "批办",
            STAFF,
            needs=("text",),
        ),
        Transition(
            "circulate",
            (InStatus.DECIDED, InStatus.CIRCULATING),
            InStatus.CIRCULATING,
            "传阅",
            ("admin", "cadre", "leader", "clerk"),
            needs=("text",),
        ),
        Transition(
            "file",
            (InStatus.DECIDED, InStatus.CIRCULATING),
            InStatus.FILED,
            "归档",
            STAFF,
        ),
    ],
    initial=InStatus.REGISTERED,
)
