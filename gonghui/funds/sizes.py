"""The 2011 SME size standard (《中小企业划型标准规定》, 工信部联企业〔2011〕300号) as a rule
table, and the one function that classifies an enterprise by it, with its reasoning.

``STANDARD_2011`` is the table the data migration loads into ``SizeRule`` (the rules live in
the database, so they can be corrected without code). A class is reached when every
criterion that has a floor is met ("及以上" is inclusive); the standard's "以下" of the upper
bounds are the complement: an enterprise with 1000 employees and 40000万元 of revenue is large
in 工业, with 999 employees it is not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

BASIS = "工信部联企业〔2011〕300号《中小企业划型标准规定》"
LEVELS = ("large", "medium", "small")
LEVEL_NAMES = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
MEASURES = (
    ("employees", "从业人员", "人"),
    ("revenue", "营业收入", "万元"),
    ("assets", "资产总额", "万元"),
)

# code, name, industries, then (employees, revenue, assets) floors for large, medium, small
STANDARD_2011: list[tuple[str, str, str, tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]] = [
    (
        "agriculture",
        "农、林、牧、渔业",
        "A",
        (None, 20000, None),
        (None, 500, None),
        (None, 50, None),
    ),
    ("industry", "工业", "B,C,D", (1000, 40000, None), (300, 2000, None), (20, 300, None)),
    ("construction", "建筑业", "E", (None, 80000, 80000), (None, 6000, 5000), (None, 300, 300)),
    ("wholesale", "批发业", "F51", (200, 40000, None), (20, 5000, None), (5, 1000, None)),
    ("retail", "零售业", "F52", (300, 20000, None), (50, 500, None), (10, 100, None)),
    (
        "transport",
        "交通运输业",
        "G53,G54,G55,G56,G57,G58",
        (1000, 30000, None),
        (300, 3000, None),
        (20, 200, None),
    ),
    ("warehousing", "仓储业", "G59", (200, 30000, None), (100, 1000, None), (20, 100, None)),
    ("postal", "邮政业", "G60", (1000, 30000, None), (300, 2000, None), (20, 100, None)),
    ("accommodation", "住宿业", "H61", (300, 10000, None), (100, 2000, None), (10, 100, None)),
    ("catering", "餐饮业", "H62", (300, 10000, None), (100, 2000, None), (10, 100, None)),
    ("telecom", "信息传输业", "I63,I64", (2000, 100000, None), (100, 1000, None), (10, 100, None)),
    (
        "software",
        "软件和信息技术服务业",
        "I65",
        (300, 10000, None),
        (100, 1000, None),
        (10, 50, None),
    ),
    (
        "realestate",
        "房地产开发经营",
        "K701",
        (None, 200000, 10000),
        (None, 1000, 5000),
        (None, 100, 2000),
    ),
    ("property", "物业管理", "K702", (1000, 5000, None), (300, 1000, None), (100, 500, None)),
    ("leasing", "租赁和商务服务业", "L", (300, None, 120000), (100, None, 8000), (10, None, 100)),
    ("other", "其他未列明行业", "*", (300, None, None), (100, None, None), (10, None, None)),
]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    industries: tuple[str, ...]
    floors: dict[str, dict[str, Decimal | None]]  # level → measure → floor


@dataclass(frozen=True)
class Classified:
    size_class: str  # large | medium | small | micro, or "" when no rule applies
    rule: str  # the rule's name
    reason: str  # the reasoning in words


def rule_from_row(row: Any) -> Rule:
    """A ``Rule`` from a ``SizeRule`` row (or anything with the same attributes)."""
    floors: dict[str, dict[str, Decimal | None]] = {}
    for level in LEVELS:
        floors[level] = {}
        for measure, _label, _unit in MEASURES:
            value = getattr(row, f"{measure}_{level}")
            floors[level][measure] = None if value is None else Decimal(value)
    industries = tuple(p.strip().upper() for p in row.industries.split(",") if p.strip())
    return Rule(code=row.code, name=row.name, industries=industries, floors=floors)


def rule_for(industry_code: str, rules: Iterable[Rule]) -> tuple[Rule | None, str]:
    """The rule of an industry code: the longest prefix that matches; ``*`` when none does.
    A section letter alone where the standard splits the section (F, G, H, I, K) names no
    rule: the reason says which codes to give."""
    code = (industry_code or "").strip().upper()
    rules = list(rules)
    best: Rule | None = None
    best_len = -1
    finer: list[str] = []
    for rule in rules:
        for prefix in rule.industries:
            if prefix == "*":
                continue
            if code.startswith(prefix) and len(prefix) > best_len:
                best, best_len = rule, len(prefix)
            elif code and prefix.startswith(code):
                finer.append(f"{prefix} {rule.name}")
    if best is not None:
        return best, ""
    if finer:
        return None, f"行业代码 {code} 需细化到行业大类（{'、'.join(sorted(finer))}）"
    if not code:
        return None, "未填写行业代码"
    fallback = next((r for r in rules if "*" in r.industries), None)
    return fallback, ""


def _number(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def classify(rule: Rule, *, employees: int, revenue: Decimal, assets: Decimal) -> Classified:
    """The class the figures give under ``rule``, and why (every level tried, in words)."""
    figures = {
        "employees": Decimal(employees),
        "revenue": Decimal(revenue),
        "assets": Decimal(assets),
    }
    steps: list[str] = []
    reached = "micro"
    for level in LEVELS:
        parts = []
        met = True
        for measure, label, unit in MEASURES:
            floor = rule.floors[level][measure]
            if floor is None:
                continue
            parts.append(f"{label}≥{_number(floor)}{unit}")
            if figures[measure] < floor:
                met = False
        if not parts:
            continue
        verdict = "满足" if met else "不满足"
        steps.append(f"{LEVEL_NAMES[level]}需{'且'.join(parts)}——{verdict}")
        if met:
            reached = level
            break
    shown = "，".join(
        f"{label}{_number(figures[measure])}{unit}"
        for measure, label, unit in MEASURES
        if any(rule.floors[level][measure] is not None for level in LEVELS)
    )
    reason = (
        f"按“{rule.name}”标准（{BASIS}）：{shown}；{'；'.join(steps)}。"
        f"划为{LEVEL_NAMES[reached]}企业。"
    )
    return Classified(size_class=reached, rule=rule.name, reason=reason)
