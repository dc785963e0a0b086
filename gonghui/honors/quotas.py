"""The quota checker: one function over a list of nominees and a round's rules.

A rule is ``{"tag": "frontline", "op": "min", "percent": 60}`` (一线职工不低于60%) or
``{"tag": "unit_head", "op": "max", "percent": 15}`` (单位负责人不超过15%). On a list of ``n``
nominees a minimum needs ``ceil(n × percent / 100)`` of them and a maximum allows
``floor(n × percent / 100)``: exactly at the share passes, and a small list is never let off
by rounding (5 nominees at ≥ 20 % women need 1 woman; at ≤ 15 % unit heads allow none).
A nominee carrying two tags counts under both rules. An empty list breaks nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core.errors import InvalidInput

from .models import Tag

OPS = {"min": "不低于", "max": "不超过"}


@dataclass(frozen=True)
class Rule:
    tag: str
    op: str
    percent: Decimal

    @property
    def label(self) -> str:
        tag = dict(Tag.choices).get(self.tag, self.tag)
        return f"{tag}{OPS[self.op]}{self.percent.normalize():f}%"


@dataclass(frozen=True)
class Result:
    rule: Rule
    total: int
    count: int
    bound: int  # the least needed (min) or the most allowed (max)
    off_by: int  # 0 when the list keeps the rule

    @property
    def ok(self) -> bool:
        return self.off_by == 0

    @property
    def message(self) -> str:
        if self.ok:
            return _("%(rule)s：%(count)d/%(total)d，符合") % {
                "rule": self.rule.label,
                "count": self.count,
                "total": self.total,
            }
        if self.rule.op == "min":
            return _(
                "%(rule)s：现有%(count)d人（共%(total)d人），至少需%(bound)d人，还差%(off)d人"
            ) % {
                "rule": self.rule.label,
                "count": self.count,
                "total": self.total,
                "bound": self.bound,
                "off": self.off_by,
            }
        return _("%(rule)s：现有%(count)d人（共%(total)d人），至多%(bound)d人，超出%(off)d人") % {
            "rule": self.rule.label,
            "count": self.count,
            "total": self.total,
            "bound": self.bound,
            "off": self.off_by,
        }


def parse_rules(raw: Any, field: str = "quota_rules") -> list[Rule]:
    """Rules from their stored form; bad ones are refused naming ``field``."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise InvalidInput.one(field, _("比例要求应为列表"))
    rules: list[Rule] = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise InvalidInput.one(field, _("第%(i)d条比例要求格式不对") % {"i": i})
        tag, op = item.get("tag"), item.get("op")
        if tag not in Tag.values:
            raise InvalidInput.one(field, _("第%(i)d条：未知的类别") % {"i": i})
        if op not in OPS:
            raise InvalidInput.one(field, _("第%(i)d条：应为“不低于”或“不超过”") % {"i": i})
        try:
            percent = Decimal(str(item.get("percent")))
        except (InvalidOperation, ValueError):
            percent = Decimal(-1)
        if not percent.is_finite() or not Decimal(0) <= percent <= Decimal(100):
            raise InvalidInput.one(field, _("第%(i)d条：比例应在0到100之间") % {"i": i})
        rules.append(Rule(tag=str(tag), op=str(op), percent=percent))
    return rules


def check(rules: Sequence[Rule], nominees: Iterable[Iterable[str]]) -> list[Result]:
    """Each rule against the list (each nominee given by its tags)."""
    lists = [set(tags) for tags in nominees]
    total = len(lists)
    results = []
    for rule in rules:
        count = sum(1 for tags in lists if rule.tag in tags)
        exact = Decimal(total) * rule.percent / Decimal(100)
        if rule.op == "min":
            bound = int(exact.to_integral_value(rounding=ROUND_CEILING))
            off = max(0, bound - count)
        else:
            bound = int(exact.to_integral_value(rounding=ROUND_FLOOR))
            off = max(0, count - bound)
        results.append(Result(rule=rule, total=total, count=count, bound=bound, off_by=off))
    return results


def broken(results: Iterable[Result]) -> list[Result]:
    return [r for r in results if not r.ok]
