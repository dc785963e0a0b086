"""Contracts signed on paper, imported from a county's ledger (台账) row by row.

Counties have kept their collective contracts in Excel for years. One row is one contract: its
name, type, signing date, term in years, wage clauses and the credit codes of the enterprises
it covers (several, separated by spaces, commas or 、, for an industry or regional contract).
Each row goes through ``services.contract_record``, the same rule set as the form and the API,
in its own savepoint: a good row is saved, a bad row is reported with its row number and
reason, and nothing of a bad row is written. A row whose contract is already recorded (same
county, name and signing date) is counted and skipped, so a ledger can be imported again after
it is fixed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core import spreadsheets, uploads
from gonghui.core.errors import InvalidInput, ServiceError
from gonghui.core.identifiers import normalise
from gonghui.orgs.models import Enterprise, Org

from . import services
from .models import Contract, Kind

MAX_ROWS = 20000
COLUMNS = [
    ("title", "合同名称"),
    ("kind", "合同类型"),
    ("enterprises", "企业统一社会信用代码"),
    ("signed_on", "签订日期"),
    ("years", "期限（年）"),
    ("min_wage", "企业最低工资（元）"),
    ("wage_rise", "工资增幅（%）"),
]
ALIASES = {
    "title": ("合同名称", "名称"),
    "kind": ("合同类型", "类型", "类别"),
    "enterprises": ("企业统一社会信用代码", "统一社会信用代码", "信用代码", "覆盖企业"),
    "signed_on": ("签订日期", "签订时间"),
    "years": ("期限（年）", "期限", "合同期限"),
    "min_wage": ("企业最低工资（元）", "最低工资"),
    "wage_rise": ("工资增幅（%）", "工资增幅", "增幅"),
}
REQUIRED = ("title", "kind", "enterprises", "signed_on", "years")
EXAMPLE = ["某某公司2020年工资专项集体合同", str(Kind.WAGE.label), "91371702MA3XXXXXXX",
           "2020-03-18", "1", "1900", "6"]  # fmt: skip
_SPLIT = re.compile(r"[\s,，、;；/]+")


@dataclass
class Outcome:
    rows: int = 0
    saved: int = 0
    already: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (row, title, why)


def template(target: IO[bytes]) -> None:
    spreadsheets.write_template(
        target, [label for _, label in COLUMNS], EXAMPLE, sheet_name=_("集体合同")
    )


def _kind(text: str) -> str:
    """A type as the ledger writes it: the full label, a short form (工资专项) or the code."""
    text = text.strip()
    for value, label in Kind.choices:
        if text in (value, str(label)) or (len(text) >= 2 and str(label).startswith(text)):
            return str(value)
    raise InvalidInput.one("kind", _("合同类型“%(text)s”无法识别") % {"text": text or "—"})


def _county(actor: Any, enterprises: list[Enterprise]) -> Org:
    """The org a contract is filed under: the enterprises' county when they share one, else
    the importing cadre's own org (a regional contract across counties)."""
    counties = {e.county_id for e in enterprises}
    if len(counties) == 1:
        return enterprises[0].county
    return actor.org


def _row(actor: Any, data: dict[str, str], outcome: Outcome, number: int) -> None:
    codes = [normalise(c).upper() for c in _SPLIT.split(data.get("enterprises", "")) if c.strip()]
    if not codes:
        raise InvalidInput.one("enterprises", _("请填写覆盖企业的统一社会信用代码"))
    found = {
        e.uscc: e
        for e in Enterprise.objects.visible_to(actor)
        .filter(uscc__in=codes)
        .select_related("county", "union")
    }
    missing = [c for c in dict.fromkeys(codes) if c not in found]
    if missing:
        raise InvalidInput.one(
            "enterprises",
            _("本单位范围内没有这些企业：%(codes)s") % {"codes": "、".join(missing[:10])},
        )
    enterprises = [found[c] for c in dict.fromkeys(codes)]
    county = _county(actor, enterprises)
    values: dict[str, Any] = {
        **data,
        "kind": _kind(data.get("kind", "")),
        "from_paper": True,
        # ledgers write "1900元" and "6%": the unit is the column's, not the number's
        "min_wage": data.get("min_wage", "").rstrip("元").strip() or None,
        "wage_rise": data.get("wage_rise", "").rstrip("%％").strip() or None,
    }
    signed_on = services._date(values, "signed_on")
    assert signed_on is not None  # required: a missing date has raised
    title = data.get("title", "").strip()
    if Contract.objects.filter(county=county, title=title, signed_on=signed_on).exists():
        outcome.already += 1
        return
    services.contract_record(actor=actor, county=county, data=values, enterprises=enterprises)
    outcome.saved += 1


def import_file(*, actor: Any, path: Any, file_name: str = "") -> Outcome:
    """Import a ledger already through the upload guard (``path``); see the module docstring."""
    labels = dict(COLUMNS)
    sheet = spreadsheets.open_sheet(path, aliases=ALIASES, required=REQUIRED, file_name=file_name)
    outcome = Outcome()
    for number, cells in uploads.limit_rows(sheet.rows, MAX_ROWS):
        outcome.rows += 1
        data = {
            name: spreadsheets.cell_text(cells[i]).strip() if i < len(cells) else ""
            for name, i in sheet.columns.items()
        }
        try:
            with transaction.atomic():
                _row(actor, data, outcome, number)
        except ServiceError as exc:
            errors = getattr(exc, "errors", None) or [{"message": exc.detail}]
            why = "；".join(
                f"{labels.get(e.get('field', ''), sheet.label(e.get('field', '')))}：{e['message']}"
                if e.get("field")
                else e["message"]
                for e in errors
            )
            outcome.rejected.append((number, data.get("title", ""), why))
    return outcome
