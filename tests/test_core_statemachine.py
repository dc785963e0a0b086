from __future__ import annotations

import pytest

from gonghui.core.statemachine import Transition, TransitionNotAllowed, Workflow

FLOW = Workflow(
    name="demo",
    states={"new": "新建", "open": "处理中", "done": "已办结"},
    transitions=[
        Transition("open", source=("new",), target="open", label="受理", roles=("cadre",)),
        Transition("close", source=("open",), target="done", label="办结"),
        Transition("reopen", source=("done",), target="open", label="重办", roles=("operator",)),
    ],
)


def test_initial_and_allowed() -> None:
    assert FLOW.initial == "new"
    assert [t.name for t in FLOW.allowed("new", "cadre")] == ["open"]
    assert FLOW.allowed("new", "clerk") == []
    assert [t.name for t in FLOW.allowed("open")] == ["close"]


def test_check_returns_transition_or_refuses_with_allowed_list() -> None:
    assert FLOW.check("open", "close", "clerk").target == "done"
    with pytest.raises(TransitionNotAllowed) as exc:
        FLOW.check("new", "close", "cadre")
    assert exc.value.status == 409
    assert exc.value.extra["allowed"] == ["open"]
    assert "新建" in exc.value.detail and "办结" in exc.value.detail


def test_role_is_enforced() -> None:
    with pytest.raises(TransitionNotAllowed):
        FLOW.check("done", "reopen", "cadre")


def test_unknown_step_and_bad_declarations() -> None:
    with pytest.raises(TransitionNotAllowed):
        FLOW.check("new", "fly")
    with pytest.raises(ValueError):
        Workflow("bad", {"a": "A"}, [Transition("x", ("a",), "b")])
    with pytest.raises(ValueError):
        Workflow("bad", {"a": "A"}, [Transition("x", ("a",), "a"), Transition("x", ("a",), "a")])


def test_every_edge_is_listed() -> None:
    assert set(FLOW.edges()) == {
        ("new", "open", "open"),
        ("open", "close", "done"),
        ("done", "reopen", "open"),
    }
