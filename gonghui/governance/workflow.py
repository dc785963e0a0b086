"""The meeting's and the election's state machines, as data."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from gonghui.core.statemachine import Transition, Workflow

from .models import ElectionStatus, MeetingStatus

MANAGERS = ("admin", "cadre", "clerk")

MEETING = Workflow(
    name="meeting",
    states={s.value: str(s.label) for s in MeetingStatus},
    transitions=[
        Transition(
            "open",
            source=(MeetingStatus.PREPARING,),
            target=MeetingStatus.IN_SESSION,
            label=gettext_noop("宣布开会"),
            roles=MANAGERS,
        ),
        Transition(
            "close",
            source=(MeetingStatus.IN_SESSION,),
            target=MeetingStatus.CLOSED,
            label=gettext_noop("宣布闭会"),
            roles=MANAGERS,
        ),
        Transition(
            "sign",
            source=(MeetingStatus.CLOSED,),
            target=MeetingStatus.MINUTED,
            label=gettext_noop("签发会议纪要"),
            roles=MANAGERS,
        ),
    ],
)

ELECTION = Workflow(
    name="election",
    states={s.value: str(s.label) for s in ElectionStatus},
    transitions=[
        Transition(
            "open_round",
            source=(ElectionStatus.PREPARING, ElectionStatus.COUNTED),
            target=ElectionStatus.VOTING,
            label=gettext_noop("开始投票"),
            roles=MANAGERS,
        ),
        Transition(
            "count",
            source=(ElectionStatus.VOTING,),
            target=ElectionStatus.COUNTED,
            label=gettext_noop("计票"),
            roles=MANAGERS,
        ),
        Transition(
            "decide",
            source=(ElectionStatus.COUNTED,),
            target=ElectionStatus.DECIDED,
            label=gettext_noop("宣布选举结果"),
            roles=MANAGERS,
        ),
        Transition(
            "confirm",
            source=(ElectionStatus.DECIDED,),
            target=ElectionStatus.CONFIRMED,
            label=gettext_noop("确认任职"),
            roles=MANAGERS,
        ),
    ],
)
