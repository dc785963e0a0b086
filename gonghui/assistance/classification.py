"""The hardship category of a household, computed by rule, with the arithmetic in words.

Per-capita monthly income = (household yearly disposable income − rigid expenses) ÷ 12 ÷
household size (DOMAIN.md). Then, in this order:

1. 深度困难 — per-capita monthly income strictly below the year's local 低保;
2. 相对困难 — strictly below twice the 低保;
3. 意外致困 — the year's hardship costs or losses exceed (strictly) 80% of the household's
   yearly income, or injury or death in a major event left the family in difficulty after
   compensation and insurance;
4. otherwise the household does not qualify.

Exactly at 低保 is therefore 相对困难, exactly at twice 低保 is not 相对困难; zero income with
any hardship cost exceeds 80% of nothing — but such a household is below 低保 first.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core.errors import InvalidInput

from .models import Category

CENT = Decimal("0.01")
ACCIDENT_SHARE = Decimal("0.8")

RULE_DEEP, RULE_RELATIVE = "below_dibao", "below_twice_dibao"
RULE_COSTS, RULE_EVENT, RULE_NONE = "costs_over_80", "major_event", "none"
RULE_LABELS = {
    RULE_DEEP: "人均月收入低于当地低保标准",
    RULE_RELATIVE: "人均月收入低于当地低保标准的2倍",
    RULE_COSTS: "当年致困支出或损失超过家庭年收入的80%",
    RULE_EVENT: "重大事件伤亡，赔付后仍然困难",
    RULE_NONE: "不符合困难职工认定条件",
}


@dataclass(frozen=True)
class Result:
    category: str  # Category value ("" when the household does not qualify)
    per_capita: Decimal  # 元/人/月, to the fen
    dibao: Decimal
    threshold: Decimal  # the line that decided (低保, 2×低保, or 80% of income)
    rule: str
    explanation: str

    @property
    def category_label(self) -> str:
        return str(Category(self.category).label)

    @property
    def rule_label(self) -> str:
        return RULE_LABELS[self.rule]


def money(value: Any, field: str, *, label: str, allow_negative: bool = False) -> Decimal:
    """A yuan amount typed by a person: digits with at most two decimals, full-width allowed."""
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value if value is not None else "").strip()
        text = text.translate({0xFF10 + i: 0x30 + i for i in range(10)} | {0xFF0E: 0x2E})
        text = text.replace(",", "").replace("，", "")
        if not text:
            amount = Decimal("0")
        else:
            try:
                amount = Decimal(text)
            except InvalidOperation:
                raise InvalidInput.one(
                    field, _("%(label)s应为金额（元）。") % {"label": label}
                ) from None
    if not amount.is_finite():
        raise InvalidInput.one(field, _("%(label)s应为金额（元）。") % {"label": label})
    if amount < 0 and not allow_negative:
        raise InvalidInput.one(field, _("%(label)s不能为负数。") % {"label": label})
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise InvalidInput.one(field, _("%(label)s最多精确到分。") % {"label": label})
    if abs(amount) >= Decimal("1e12"):
        raise InvalidInput.one(field, _("%(label)s过大。") % {"label": label})
    return amount


def per_capita_monthly(income: Decimal, expenses: Decimal, size: int) -> Decimal:
    return ((income - expenses) / Decimal(12) / Decimal(size)).quantize(CENT, ROUND_HALF_UP)


def classify(
    *,
    household_income: Decimal,
    rigid_expenses: Decimal,
    household_size: int,
    dibao: Decimal,
    hardship_costs: Decimal = Decimal("0"),
    major_event: bool = False,
) -> Result:
    """The category of a household and why (module docstring)."""
    if household_size < 1:
        raise InvalidInput.one("household_size", _("家庭人口至少为1人。"))
    if dibao <= 0:
        raise InvalidInput.one("dibao", _("当地低保标准应大于0。"))
    pc = per_capita_monthly(household_income, rigid_expenses, household_size)
    arithmetic = _(
        "家庭人均月收入 =（家庭年可支配收入 %(income)s 元 − 刚性支出 %(exp)s 元）÷ 12 ÷ "
        "%(size)d 人 = %(pc)s 元；当年当地低保标准 %(dibao)s 元/人/月。"
    ) % {
        "income": _yuan(household_income),
        "exp": _yuan(rigid_expenses),
        "size": household_size,
        "pc": _yuan(pc),
        "dibao": _yuan(dibao),
    }
    twice = dibao * 2
    if pc < dibao:
        category, rule, threshold = Category.DEEP, RULE_DEEP, dibao
        why = _("%(pc)s 元低于低保标准 %(line)s 元，认定为深度困难。")
    elif pc < twice:
        category, rule, threshold = Category.RELATIVE, RULE_RELATIVE, twice
        why = _("%(pc)s 元不低于低保标准，但低于低保标准的2倍 %(line)s 元，认定为相对困难。")
    else:
        share = (household_income * ACCIDENT_SHARE).quantize(CENT, ROUND_HALF_UP)
        if hardship_costs > share:
            category, rule, threshold = Category.ACCIDENT, RULE_COSTS, share
            why = _(
                "%(pc)s 元不低于低保标准的2倍；当年致困支出或损失 %(costs)s 元超过家庭年收入的"
                "80%%（%(line)s 元），认定为意外致困。"
            )
        elif major_event:
            category, rule, threshold = Category.ACCIDENT, RULE_EVENT, twice
            why = _(
                "%(pc)s 元不低于低保标准的2倍；因重大事件伤亡，赔付后仍然困难，认定为意外致困。"
            )
        else:
            category, rule, threshold = Category.NONE, RULE_NONE, twice
            why = _(
                "%(pc)s 元不低于低保标准的2倍 %(line)s 元，致困支出未超过家庭年收入的80%%，"
                "不符合困难职工认定条件。"
            )
    text = arithmetic + why % {
        "pc": _yuan(pc),
        "line": _yuan(threshold),
        "costs": _yuan(hardship_costs),
    }
    return Result(
        category=category.value,
        per_capita=pc,
        dibao=dibao,
        threshold=threshold,
        rule=rule,
        explanation=text,
    )


def _yuan(value: Decimal) -> str:
    return f"{value.quantize(CENT, ROUND_HALF_UP):,.2f}".replace(",", "")
