"""Hotline models, workflow as data, services: every edge and every refused edge, scope."""

from __future__ import annotations

from typing import Any

from gonghui.hotline.models import DeadlineRule, Topic
from gonghui.hotline.workflow import WHO, WORKFLOW


def test_seeded_topics_are_two_levels(db: Any) -> None:
    wages = Topic.objects.get(code="01")
    assert wages.name == "欠薪"
    assert wages.parent is None
    assert list(wages.children.values_list("code", flat=True)) == [
        "0101",
        "0102",
        "0103",
        "0104",
        "0105",
    ]
    assert Topic.objects.get(code="0101").root == wages


def test_seeded_deadline_rules(db: Any) -> None:
    rules = {(r.category, r.complexity): r.days for r in DeadlineRule.objects.all()}
    assert rules[("demand", "normal")] == 15
    assert rules[("suggestion", "normal")] == 15
    assert rules[("demand", "hard")] == 20
    assert rules[("demand", "complex")] == 30
    assert {r.extension_days for r in DeadlineRule.objects.all()} == {7}


def test_every_transition_names_where_the_actor_sits() -> None:
    assert {t.name for t in WORKFLOW.transitions} == set(WHO)
