"""The work report as files: XLSX (a figures sheet, the breakdown, and one detail sheet per
figure) and PDF (Chinese font embedded as a subset, org and period in the heading).

The PDF is laid out by ``core.pdf.Document`` (which also finds the CJK font, or raises
``FontMissing`` with a message in Chinese naming the package to install).
"""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from gonghui.core.metrics import EMPTY, Value
from gonghui.core.pdf import Column, Document, FontMissing, cjk_font, pdf_available

from .selectors import (
    Breakdown,
    Report,
    breakdown,
    figure_records,
    record_columns,
    record_headings,
    record_row,
    trend,
)
from .text import chinese_date, opening, paragraphs, section_body, sections

__all__ = ["FontMissing", "cjk_font", "pdf_available", "report_pdf", "report_xlsx"]

# A detail sheet lists at most this many records (a figure of a million members would make a
# file nobody opens); the sheet says so when it stops.
DETAIL_LIMIT = 10_000
# the PDF's bar charts: the count figures by subordinate org that hold the most records
CHARTS = 3


# --- XLSX -----------------------------------------------------------------------------------

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(label: str, taken: set[str]) -> str:
    base = _SHEET_BAD.sub("", label)[:28] or "sheet"
    name, n = base, 2
    while name.lower() in taken:
        name = f"{base[:26]}_{n}"
        n += 1
    taken.add(name.lower())
    return name


def report_xlsx(report: Report) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    number = book.add_format({"num_format": "0"})
    decimal = book.add_format({"num_format": "0.00"})
    taken: set[str] = set()

    sheet = book.add_worksheet(_sheet_name(_("指标"), taken))
    sheet.write(0, 0, report.title, title)
    sheet.write(1, 0, report.period)
    headers = [_("指标"), _("数值"), _("单位"), _("上年同期"), _("增减"), _("口径"), _("代码")]
    sheet.write_row(3, 0, headers, bold)
    for i, fig in enumerate(report.figures, start=4):
        fmt = number if isinstance(fig.value, int) else decimal
        sheet.write(i, 0, fig.label)
        _write_value(sheet, i, 1, fig.value, fmt)
        sheet.write(i, 2, fig.unit)
        if fig.compared:
            _write_value(sheet, i, 3, fig.previous, fmt)
        sheet.write(i, 4, fig.change)
        sheet.write(i, 5, fig.metric.definition)
        sheet.write(i, 6, fig.key)
    row = 5 + len(report.figures)
    for para in paragraphs(report):
        sheet.merge_range(row, 0, row, 6, para, wrap)
        sheet.set_row(row, 15 * (1 + len(para) // 60))
        row += 1
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 4, 12)
    sheet.set_column(5, 5, 50)
    sheet.set_column(6, 6, 34)

    split = breakdown(org=report.org, start=report.start, end=report.end, tally=report.tally)
    sheet = book.add_worksheet(_sheet_name(_("按下级组织"), taken))
    sheet.write_row(0, 0, [_("指标"), _("单位"), *split.columns, _("合计")], bold)
    for i, (fig, cells) in enumerate(split.rows, start=1):
        sheet.write(i, 0, fig.label)
        sheet.write(i, 1, fig.unit)
        for j, cell in enumerate([*cells, fig.value], start=2):
            _write_value(sheet, i, j, cell, number if isinstance(cell, int) else decimal)
    sheet.set_column(0, 0, 26)

    for fig in report.figures:
        sheet = book.add_worksheet(_sheet_name(fig.label, taken))
        metric = fig.metric
        extra = record_columns(metric)
        amount = [_("金额（元）")] if metric.sum_field else []
        qs = figure_records(metric, report.org, report.start, report.end)
        name_heading, org_heading = record_headings(qs.model)
        sheet.write(0, 0, f"{fig.label}：{fig.text}{fig.unit}", bold)
        sheet.write(1, 0, metric.definition)
        sheet.write_row(
            2, 0, [_("序号"), name_heading, _("工会代码"), org_heading, *amount, *extra], bold
        )
        n = 0
        for n, obj in enumerate(qs[:DETAIL_LIMIT].iterator(chunk_size=2000), start=1):
            rec = record_row(metric, obj)
            line: list[Any] = [n, rec["name"], rec["org"], rec["org_name"]]
            if metric.sum_field:
                line.append(float(rec["amount"]) if rec["amount"] is not None else None)
            line += [rec["fields"].get(label) for label in extra]
            sheet.write_row(2 + n, 0, line)
        if n == DETAIL_LIMIT:
            total = qs.count()
            if total > n:
                sheet.write(
                    3 + n, 0, _("仅列出前 %(n)d 条，共 %(total)d 条") % {"n": n, "total": total}
                )
        sheet.set_column(1, 1, 24)
        sheet.set_column(3, 3, 28)
    book.close()
    return buf.getvalue()


# --- PDF ------------------------------------------------------------------------------------


def column_name(org: Any) -> str:
    """A subordinate org as a column heading: its short name, else its name without the
    trailing 总工会/工会 (牡丹区总工会 → 牡丹区)."""
    if org is None:
        return _("本级")
    short = org.short_name or org.name
    for suffix in ("总工会", "工会"):
        if short.endswith(suffix) and len(short) > len(suffix):
            return short[: -len(suffix)]
    return short


def report_pdf(report: Report, split: Breakdown | None = None) -> bytes:
    """The report as a federation hands it out: title and period, the narrative by line of
    work, the figure table, the table by subordinate org (a landscape page), the charts
    (each county's figure, the months of the period) and the seal line."""
    doc = Document(
        title=report.title,
        subtitle=report.period,
        author=report.org.name,
    )
    doc.paragraph(opening(report))
    for heading, clauses in sections(report):
        doc.section(heading)
        doc.paragraph(section_body(clauses))

    doc.section(_("附表一　主要指标"), numbered=False)
    w = doc.width
    doc.table(
        [
            Column(_("指标"), w * 0.27),
            Column(_("数值"), w * 0.11, "RIGHT"),
            Column(_("单位"), w * 0.08, "CENTER"),
            Column(_("上年同期"), w * 0.11, "RIGHT"),
            Column(_("增减"), w * 0.09, "RIGHT"),
            Column(_("口径"), w * 0.34),
        ],
        [
            [f.label, f.text, f.unit, f.previous_text, f.change, f.metric.definition]
            for f in report.figures
        ],
    )

    split = split or breakdown(
        org=report.org, start=report.start, end=report.end, tally=report.tally
    )
    if split.orgs and split.rows:
        doc.pdf.add_page(orientation="landscape")
        doc.section(_("附表二　按下级组织分列"), numbered=False)
        names = [column_name(o) for o in split.orgs] + [_("本级"), _("合计")]
        label_w = 58.0
        cell_w = (doc.width - label_w) / len(names)
        doc.table(
            [Column(_("指标"), label_w)] + [Column(n, cell_w, "RIGHT") for n in names],
            [
                [f"{fig.label}（{fig.unit}）", *(str(c) for c in cells), fig.text]
                for fig, cells in split.rows
            ],
            size=7.5,
        )
        doc.pdf.add_page(orientation="portrait")
    doc.section(_("附图"), numbered=False)
    if split.orgs:
        # the count figures that hold most records, each split by subordinate org
        counted = [
            (fig, cells)
            for fig, cells in split.rows
            if fig.metric.effective_kind != "rate" and any(cells)
        ]
        counted.sort(key=lambda row: -sum(1 for c in row[1] if c))
        names = [column_name(o) for o in split.orgs] + [_("本级")]
        for fig, cells in counted[:CHARTS]:
            doc.bar_chart(
                _("%(figure)s：按下级组织") % {"figure": fig.label},
                names,
                [float(c or 0) for c in cells],
                unit=fig.unit,
                integer=all(isinstance(c, int) for c in cells),
            )
    months = trend(org=report.org, start=report.start, end=report.end, tally=report.tally)
    if len(months["months"]) > 1:
        one_year = len({m[:4] for m in months["months"]}) == 1
        labels = [_("%(m)d月") % {"m": int(m[5:])} if one_year else m[2:] for m in months["months"]]
        by_unit: dict[str, list[dict[str, Any]]] = {}
        for s in months["series"]:
            if all(isinstance(v, int) for v in s["values"]) and any(s["values"]):
                by_unit.setdefault(s["unit"], []).append(s)
        biggest = sorted(by_unit.items(), key=lambda kv: -max(sum(s["values"]) for s in kv[1]))
        for unit, series in biggest[:2]:
            series.sort(key=lambda s: -sum(s["values"]))
            doc.line_chart(
                _("逐月趋势"),
                labels,
                [(s["label"], s["values"]) for s in series[:4]],
                unit=unit,
            )
    doc.seal(report.org.name, chinese_date(_today()))
    return doc.output()


def _today() -> date:
    from django.utils import timezone

    return timezone.localdate()


def _write_value(sheet: Any, row: int, col: int, value: Value, fmt: Any) -> None:
    """A figure as a number, or "—" for a rate with nothing to divide by."""
    if value is None:
        sheet.write_string(row, col, EMPTY)
    else:
        sheet.write_number(row, col, float(value), fmt)
