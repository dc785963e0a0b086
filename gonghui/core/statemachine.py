"""State machines whose transitions are data.

A module declares its workflow once::

    WORKFLOW = Workflow(
        name="hotline",
        states={"received": "已受理", "dispatched": "已派单", ...},
        transitions=[
            Transition("dispatch", source=("received",), target="dispatched", label="派单",
                       roles=("operator", "cadre")),
            ...
        ],
    )

The UI lists ``WORKFLOW.allowed(state, role)``; a service calls ``WORKFLOW.check(...)``,
which raises ``TransitionNotAllowed`` (HTTP 409) naming the steps that are allowed.
Where a step also depends on *which org* the actor sits in, the module checks that beside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .errors import Conflict


@dataclass(frozen=True)
class Transition:
    name: str
    source: tuple[str, ...]
    target: str
    label: str = ""
    roles: tuple[str, ...] = ()  # empty: any role the module lets through
    needs: tuple[str, ...] = field(default=())  # input fields the step requires


class TransitionNotAllowed(Conflict):
    pass


@dataclass
class Workflow:
    name: str
    states: dict[str, str]
    transitions: list[Transition]
    initial: str = ""

    def __post_init__(self) -> None:
        names = [t.name for t in self.transitions]
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise ValueError(f"{self.name}: duplicate transitions {sorted(dupes)}")
        for t in self.transitions:
            unknown = (set(t.source) | {t.target}) - set(self.states)
            if unknown:
                raise ValueError(f"{self.name}.{t.name}: unknown states {sorted(unknown)}")
        if not self.initial:
            self.initial = next(iter(self.states))

    def get(self, name: str) -> Transition:
        for t in self.transitions:
            if t.name == name:
                return t
        raise KeyError(name)

    def allowed(self, state: str, role: str | None = None) -> list[Transition]:
        return [
            t
            for t in self.transitions
            if state in t.source and (role is None or not t.roles or role in t.roles)
        ]

    def check(self, state: str, name: str, role: str | None = None) -> Transition:
        """Return the transition, or raise TransitionNotAllowed with what is allowed instead."""
        try:
            t = self.get(name)
        except KeyError:
            t = None
        if t is None or state not in t.source or (role and t.roles and role not in t.roles):
            allowed = [a.name for a in self.allowed(state, role)]
            raise TransitionNotAllowed(
                _("当前状态“%(state)s”下不能执行“%(step)s”；可执行：%(allowed)s")
                % {
                    "state": self.states.get(state, state),
                    "step": t.label if t else name,
                    "allowed": "、".join(allowed) or _("无"),
                },
                allowed=allowed,
            )
        return t

    def edges(self) -> Iterable[tuple[str, str, str]]:
        for t in self.transitions:
            for s in t.source:
                yield s, t.name, t.target
