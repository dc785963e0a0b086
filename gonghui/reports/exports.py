"""The work report as files: XLSX (a figures sheet, the breakdown, and one detail sheet per
figure) and PDF (Chinese font embedded as a subset, org and period in the heading).

The PDF needs a CJK font file. It is looked up in ``GONGHUI_PDF_FONT`` (a .ttf/.otf/.ttc
path), then in the files Debian's ``fonts-noto-cjk`` and ``fonts-wqy-microhei`` install;
without one the export fails with an error naming the package to install.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from gonghui.core.metrics import EMPTY, Value

from .selectors import (
    Report,
    breakdown,
    figure_records,
    record_columns,
    record_row,
)
from .text import paragraphs

# A detail sheet lists at most this many records (a figure of a million members would make a
# file nobody opens); the sheet says so when it stops.
DETAIL_LIMIT = 10_000

# (path, index in a font collection): Noto Sans CJK's .ttc holds JP, KR, SC, TC, HK.
FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)


class FontMissing(RuntimeError):
    pass


def cjk_font() -> tuple[str, int]:
    configured = os.environ.get("GONGHUI_PDF_FONT", "")
    if configured:
        if not Path(configured).is_file():
            raise FontMissing(f"GONGHUI_PDF_FONT={configured}: no such file")
        return configured, int(os.environ.get("GONGHUI_PDF_FONT_INDEX", "0"))
    for path, index in FONT_CANDIDATES:
        if Path(path).is_file():
            return path, index
    raise FontMissing(
        "PDF export needs a Chinese font: install Debian's fonts-noto-cjk "
        "(apt-get install fonts-noto-cjk) or set GONGHUI_PDF_FONT to a .ttf/.otf/.ttc file"
    )


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
        amount = [_("金额(元)")] if metric.sum_field else []
        sheet.write(0, 0, f"{fig.label}:{fig.text}{fig.unit}", bold)
        sheet.write(1, 0, metric.definition)
        sheet.write_row(
            2, 0, [_("序号"), _("名称"), _("工会代码"), _("所属工会"), *amount, *extra], bold
        )
        qs = figure_records(metric, report.org, report.start, report.end)
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
                    3 + n, 0, _("仅列出前 %(n)d 条,共 %(total)d 条") % {"n": n, "total": total}
                )
        sheet.set_column(1, 1, 24)
        sheet.set_column(3, 3, 28)
    book.close()
    return buf.getvalue()


# --- PDF ------------------------------------------------------------------------------------


def report_pdf(report: Report) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    path, index = cjk_font()
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(f"{report.title} {report.period}")
    pdf.set_creator("gonghui")
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.multi_cell(0, 10, report.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    pdf.multi_cell(0, 7, report.period, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for para in paragraphs(report):
        pdf.multi_cell(0, 7, "\u3000\u3000" + para, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.ln(3)
    pdf.set_font("cjk", size=9)
    head = FontFace(emphasis=None, fill_color=(235, 238, 242))
    with pdf.table(
        col_widths=(60, 22, 14, 22, 18, 54),
        headings_style=head,
        line_height=6,
        text_align=("LEFT", "RIGHT", "LEFT", "RIGHT", "RIGHT", "LEFT"),
    ) as table:
        table.row([_("指标"), _("数值"), _("单位"), _("上年同期"), _("增减"), _("口径")])
        for fig in report.figures:
            table.row(
                [
                    fig.label,
                    fig.text,
                    fig.unit,
                    fig.previous_text,
                    fig.change,
                    fig.metric.definition,
                ]
            )
    return bytes(pdf.output())


def _write_value(sheet: Any, row: int, col: int, value: Value, fmt: Any) -> None:
    """A figure as a number, or "—" for a rate with nothing to divide by."""
    if value is None:
        sheet.write_string(row, col, EMPTY)
    else:
        sheet.write_number(row, col, float(value), fmt)
