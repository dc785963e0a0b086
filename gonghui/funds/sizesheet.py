"""The enterprises' size data as a spreadsheet (PRODUCT.md rule 9): a template, the import of a
county's sheet (credit code, year, industry, employees, revenue, assets, the financial and
group ties) and the export of what is recorded, which imports again as it is.

The import goes through the upload guard (``core.spreadsheets.save_upload``), finds its header
by the aliases below, reads each row's cells into what ``services.size_book`` checks and
books, and keeps the refused rows with their cells, so ``rejected_workbook`` gives them back
as XLSX (``core.spreadsheets.write_errors``: the original columns, 原行号 and 错误原因) to be
fixed and imported again."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gonghui.core import spreadsheets, uploads
from gonghui.orgs.models import Org

from . import services
from .models import EnterpriseSize, FinancialTie, SizeImport

COLUMNS = [
    ("uscc", "统一社会信用代码"),
    ("name", "单位名称"),
    ("year", "数据年度"),
    ("industry_code", "行业代码"),
    ("employees", "从业人员"),
    ("revenue", "营业收入（万元）"),
    ("assets", "资产总额（万元）"),
    ("financial_tie", "金融类关联"),
    ("group_member", "属于企业集团"),
]
# the export's two columns after these are what gonghui computed: not read back
EXPORT_EXTRA = ["规模", "划型依据"]
ALIASES: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "纳税人识别号"),
    "name": ("单位名称", "企业名称", "纳税人名称"),
    "year": ("数据年度", "年度", "统计年度"),
    "industry_code": ("行业代码", "国民经济行业代码", "所属行业代码"),
    "employees": ("从业人员", "从业人数", "职工人数"),
    "revenue": ("营业收入",),
    "assets": ("资产总额",),
    "financial_tie": ("金融类关联",),
    "group_member": ("属于企业集团", "企业集团成员"),
}
REQUIRED = ("uscc", "year", "industry_code", "employees", "revenue", "assets")
EXAMPLE = [
    "91371702MA3C000001",
    "菏泽某某食品有限公司",
    "2019",
    "C13",
    "48",
    "1200",
    "800",
    "无",
    "否",
]

YES = {"是", "y", "yes", "true", "1", "√"}
NO = {"", "否", "n", "no", "false", "0", "无"}


def template(target: IO[bytes]) -> None:
    spreadsheets.write_template(
        target, [label for _n, label in COLUMNS], EXAMPLE, sheet_name=_("单位规模")
    )


def export_rows(qs: QuerySet[EnterpriseSize]) -> Iterator[list[Any]]:
    for s in qs.select_related("enterprise").order_by("enterprise__uscc", "-year").iterator(2000):
        yield [
            s.enterprise.uscc,
            s.enterprise.name,
            s.year,
            s.industry_code,
            s.employees,
            s.revenue,
            s.assets,
            s.get_financial_tie_display(),
            "是" if s.group_member else "否",
            s.get_size_class_display(),
            s.size_reason,
        ]


def _tie(text: str) -> str | None:
    """A financial tie as people write it: its label, its code, or nothing (无)."""
    value = text.strip()
    if value in ("", "无", "否"):
        return ""
    for code, label in FinancialTie.choices:
        if value in (code, str(label)):
            return str(code)
    return None


def read_row(number: int, cells: list[Any], columns: dict[str, int]) -> dict[str, Any]:
    """One sheet row as ``size_book`` takes it; a cell the reader cannot take is the row's
    ``error``, naming the column."""

    def cell(name: str) -> Any:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    row: dict[str, Any] = {
        "row": number,
        "cells": [spreadsheets.cell_text(c) for c in cells],
        "uscc": spreadsheets.cell_text(cell("uscc")),
        "year": spreadsheets.cell_text(cell("year")),
        "industry_code": spreadsheets.cell_text(cell("industry_code")),
        "employees": spreadsheets.cell_text(cell("employees")),
        "revenue": spreadsheets.cell_text(cell("revenue")),
        "assets": spreadsheets.cell_text(cell("assets")),
    }
    for name in ("employees", "revenue", "assets", "year"):
        if not row[name].strip():
            label = dict(COLUMNS)[name]
            row["error"] = _("%(col)s未填写") % {"col": label}
            return row
    tie = _tie(spreadsheets.cell_text(cell("financial_tie")))
    if tie is None:
        labels = "、".join(str(label) for code, label in FinancialTie.choices if code)
        row["error"] = _("金融类关联应为“无”或%(labels)s") % {"labels": labels}
        return row
    row["financial_tie"] = tie
    group = spreadsheets.cell_text(cell("group_member")).strip().lower()
    if group not in YES | NO:
        row["error"] = _("属于企业集团应填“是”或“否”")
        return row
    row["group_member"] = group in YES
    return row


def size_import(*, county: Org, upload: Any, by: Any) -> SizeImport:
    """A county's size sheet (XLSX or CSV) through the upload guard, then ``size_book``."""
    services._require(by, "funds.manage", county)
    received = spreadsheets.save_upload(upload, prefix="funds-sizes-")
    try:
        sheet = spreadsheets.open_sheet(
            received.path, aliases=ALIASES, required=REQUIRED, file_name=received.name
        )
        rows = [read_row(number, cells, sheet.columns) for number, cells in sheet.rows]
        return services.size_book(
            county=county,
            rows=rows,
            by=by,
            file_name=received.name,
            sha256=received.sha256,
            header=sheet.header,
        )
    finally:
        uploads.remove(received.path)


def rejected_workbook(record: SizeImport, target: IO[bytes]) -> None:
    """The refused rows of an import, as the sheet they came from plus 原行号 and 错误原因."""
    header = list(record.header) or [label for _n, label in COLUMNS]
    problems: Iterable[tuple[int, list[Any], str]] = (
        (int(p["row"]), list(p.get("cells") or []), str(p["reason"])) for p in record.problems
    )
    spreadsheets.write_errors(target, header, problems)
