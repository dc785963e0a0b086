"""The hardship category by rule, on every boundary: exactly at 低保, exactly at twice 低保,
the 80% rule, a household of one, zero income; and the explanation it gives."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gonghui.assistance.classification import (
    RULE_COSTS,
    RULE_DEEP,
    RULE_EVENT,
    RULE_NONE,
    RULE_RELATIVE,
    classify,
    money,
    per_capita_monthly,
)
from gonghui.core.errors import InvalidInput

D = Decimal
DIBAO = D("640")


def run(income: int | str, expenses: int | str = 0, size: int = 1, **kw: object) -> object:
    return classify(
        household_income=D(str(income)),
        rigid_expenses=D(str(expenses)),
        household_size=size,
        dibao=DIBAO,
        **kw,  # type: ignore[arg-type]
    )


def test_per_capita_is_income_less_expenses_over_twelve_over_size() -> None:
    assert per_capita_monthly(D("40000"), D("6000"), 3) == D("944.44")
    assert per_capita_monthly(D("0"), D("0"), 2) == D("0.00")


def test_just_below_dibao_is_deep() -> None:
    r = run(640 * 12 - 12)  # 639.00 per person
    assert (r.category, r.rule, r.per_capita) == ("deep", RULE_DEEP, D("639.00"))
    assert r.threshold == DIBAO


def test_exactly_at_dibao_is_relative_not_deep() -> None:
    r = run(640 * 12)
    assert (r.category, r.rule, r.per_capita, r.threshold) == (
        "relative",
        RULE_RELATIVE,
        D("640.00"),
        D("1280"),
    )


def test_just_below_twice_dibao_is_relative() -> None:
    r = run(1280 * 12 - 12)
    assert (r.category, r.per_capita) == ("relative", D("1279.00"))


def test_exactly_twice_dibao_does_not_qualify() -> None:
    r = run(1280 * 12)
    assert (r.category, r.rule) == ("", RULE_NONE)
    assert "不符合" in r.explanation


def test_costs_over_eighty_percent_of_income_is_accident() -> None:
    r = run(60000, size=3, hardship_costs=D("48000.01"))
    assert (r.category, r.rule, r.threshold) == ("accident", RULE_COSTS, D("48000.00"))


def test_costs_exactly_eighty_percent_do_not_qualify() -> None:
    r = run(60000, size=3, hardship_costs=D("48000"))
    assert r.category == ""


def test_major_event_is_accident() -> None:
    r = run(72000, size=4, major_event=True)
    assert (r.category, r.rule) == ("accident", RULE_EVENT)


def test_below_dibao_wins_over_the_eighty_percent_rule() -> None:
    r = run(6000, size=1, hardship_costs=D("6000"))
    assert r.category == "deep"


def test_zero_income_is_deep() -> None:
    r = run(0, size=2)
    assert (r.category, r.per_capita) == ("deep", D("0.00"))


def test_expenses_larger_than_income_give_a_negative_per_capita_and_deep() -> None:
    r = run(10000, 22000, size=1)
    assert r.per_capita == D("-1000.00")
    assert r.category == "deep"


def test_household_of_one_and_of_several_differ_only_by_the_division() -> None:
    assert run(15000, 3000, size=1).per_capita == D("1000.00")
    assert run(15000, 3000, size=2).per_capita == D("500.00")


def test_the_explanation_shows_the_arithmetic() -> None:
    r = run(40000, 6000, size=3)
    assert r.explanation.startswith(
        "家庭人均月收入 =（家庭年可支配收入 40000.00 元 − 刚性支出 6000.00 元）"
        "÷ 12 ÷ 3 人 = 944.44 元"
    )
    assert "当年当地低保标准 640.00 元/人/月" in r.explanation
    assert "认定为相对困难" in r.explanation


def test_a_household_needs_at_least_one_person() -> None:
    with pytest.raises(InvalidInput) as exc:
        run(1000, size=0)
    assert exc.value.errors[0]["field"] == "household_size"


@pytest.mark.parametrize(
    ("value", "message"),
    [("-1", "不能为负数"), ("abc", "应为金额"), ("1.001", "最多精确到分"), ("NaN", "应为金额")],
)
def test_money_refuses_bad_amounts_naming_the_field(value: str, message: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        money(value, "household_income", label="家庭年可支配收入")
    assert exc.value.errors[0]["field"] == "household_income"
    assert message in exc.value.errors[0]["message"]


def test_money_reads_full_width_digits_and_commas() -> None:
    assert money("１２，３４５.５", "x", label="x") == D("12345.5")
