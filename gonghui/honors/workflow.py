"""A round's workflow as data: draft → 推荐 → 审核 → (网络投票) → (专家评审) → 公示 → 命名.

Voting and scoring are steps a round takes when it needs them (工匠 rounds vote and score;
a 五一 round goes from vetting to the public notice)."""

from __future__ import annotations

from gonghui.core.statemachine import Transition, Workflow

from .models import RoundStatus

S = RoundStatus
MANAGERS = ("admin", "cadre")

ROUND = Workflow(
    name="honors.round",
    states={s.value: str(s.label) for s in RoundStatus},
    transitions=[
        Transition(
            "open", source=(S.DRAFT,), target=S.NOMINATING, label="开始推荐", roles=MANAGERS
        ),
        Transition(
            "close", source=(S.NOMINATING,), target=S.VETTING, label="截止推荐", roles=MANAGERS
        ),
        Transition(
            "vote", source=(S.VETTING,), target=S.VOTING, label="开始网络投票", roles=MANAGERS
        ),
        Transition(
            "score",
            source=(S.VETTING, S.VOTING),
            target=S.SCORING,
            label="开始专家评审",
            roles=MANAGERS,
        ),
        Transition(
            "publish",
            source=(S.VETTING, S.VOTING, S.SCORING),
            target=S.NOTICE,
            label="公示",
            roles=MANAGERS,
        ),
        Transition("name", source=(S.NOTICE,), target=S.NAMED, label="命名", roles=MANAGERS),
        Transition(
            "cancel",
            source=(S.DRAFT, S.NOMINATING, S.VETTING),
            target=S.CANCELLED,
            label="撤销评选",
            roles=MANAGERS,
        ),
    ],
    initial=S.DRAFT,
)
