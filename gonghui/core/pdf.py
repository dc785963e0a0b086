"""One way to lay out a Chinese document as PDF: a title, a document number, sections of
paragraphs, tables, simple charts and a seal line (the issuing org and the date, right-aligned,
where the seal goes). Letters, certificates, minutes and the work report all use it.

PDF embeds its font, and the standard PDF fonts hold no Chinese, so a CJK font file is needed.
``cjk_font()`` finds one: ``GONGHUI_PDF_FONT`` first (a .ttf, .otf or .ttc file), then the usual
places on Debian and Ubuntu (``fonts-noto-cjk``), Fedora (``google-noto-sans-cjk-fonts``),
macOS and Windows. Without one it raises ``FontMissing`` whose message says, in Chinese, what
to install; pages show that message instead of failing.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

# Candidates in order of preference; a collection (.ttc) is searched for its Simplified
# Chinese face (Noto Sans CJK's holds JP, KR, SC, TC and HK).
_WINDOWS = Path(os.environ.get("WINDIR", "C:\\Windows")) / "Fonts"
FONT_CANDIDATES: tuple[Path, ...] = (
    # Debian, Ubuntu: fonts-noto-cjk
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),  # Arch
    # Fedora: google-noto-sans-cjk-fonts (older: google-noto-cjk-fonts)
    Path("/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/google-noto-sans-cjk-vf-fonts/NotoSansCJK-VF.ttc"),
    # Debian, Ubuntu, Fedora: WenQuanYi
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc"),
    # macOS
    Path("/System/Library/Fonts/Supplemental/Songti.ttc"),
    Path("/System/Library/Fonts/STHeiti Medium.ttc"),
    Path("/System/Library/Fonts/STHeiti Light.ttc"),
    Path("/Library/Fonts/Arial Unicode.ttf"),
    Path("/System/Library/Fonts/Supplemental/Arial Unicode.ttf"),
    # Windows
    _WINDOWS / "msyh.ttc",
    _WINDOWS / "simhei.ttf",
    _WINDOWS / "simsun.ttc",
)


class FontMissing(RuntimeError):
    """No CJK font could be found; the message says what to install."""


def font_missing_message(configured: str = "") -> str:
    if configured:
        return _(
            "环境变量 GONGHUI_PDF_FONT 指向的字体文件不存在：%(path)s。"
            "请改为一个中文字体文件（.ttf、.otf 或 .ttc）。"
        ) % {"path": configured}
    return _(
        "生成 PDF 需要中文字体，本机未找到。"
        "请安装 fonts-noto-cjk（Debian、Ubuntu：sudo apt-get install fonts-noto-cjk；"
        "Fedora：sudo dnf install google-noto-sans-cjk-fonts），"
        "或设置环境变量 GONGHUI_PDF_FONT 指向一个中文字体文件。"
    )


def _simplified_face(path: Path) -> int:
    """The index of a collection's Simplified Chinese face (0 when it names none)."""
    if path.suffix.lower() != ".ttc":
        return 0
    from fontTools.ttLib import TTCollection

    try:
        collection = TTCollection(str(path), lazy=True)
    except Exception:  # noqa: BLE001 - an unreadable collection: let fpdf2 try its first face
        return 0
    for index, face in enumerate(collection.fonts):
        name = str(face["name"].getDebugName(4) or "")
        if name.endswith((" SC", " SC Regular")) or "SC " in name or "GB" in name:
            return index
    return 0


@lru_cache(maxsize=4)
def _found(configured: str) -> tuple[str, int]:
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise FontMissing(font_missing_message(configured))
        return str(path), _simplified_face(path)
    for path in FONT_CANDIDATES:
        if path.is_file():
            return str(path), _simplified_face(path)
    raise FontMissing(font_missing_message())


def cjk_font() -> tuple[str, int]:
    """(font file, face index in a collection) of the CJK font PDFs embed."""
    return _found(os.environ.get("GONGHUI_PDF_FONT", ""))


def pdf_available() -> bool:
    try:
        cjk_font()
    except FontMissing:
        return False
    return True


# --- the document ---------------------------------------------------------------------------

INK = (31, 35, 40)
MUTED = (102, 112, 133)
RED = (183, 28, 28)
LINE = (208, 213, 221)
HEAD_FILL = (240, 242, 245)
# the series colours of the charts (the web dashboard's ECharts palette)
PALETTE = ((84, 112, 198), (145, 204, 117), (250, 200, 88), (238, 102, 102), (115, 192, 222))


@dataclass
class Column:
    heading: str
    width: float  # in mm; the widths of a table's columns should add up to the page's text width
    align: str = "LEFT"  # LEFT, RIGHT or CENTER


def nice_ticks(top: float, integer: bool, count: int = 5) -> list[float]:
    """Round axis ticks from 0 to at least ``top`` (about ``count`` steps of 1, 2, 2.5 or 5
    times a power of ten); whole numbers only when ``integer``."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(magnitude * f for f in (1, 2, 2.5, 5, 10) if raw <= magnitude * f)
    if integer:
        step = max(1, math.ceil(step))
    ticks: list[float] = [0]
    while ticks[-1] < top:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


ORDINALS = "一二三四五六七八九十"


def chinese_ordinal(n: int) -> str:
    """一 … 十, then 十一 … 九十九."""
    if n <= 10:
        return ORDINALS[n - 1]
    tens, ones = divmod(n, 10)
    return (ORDINALS[tens - 1] if tens > 1 else "") + "十" + (ORDINALS[ones - 1] if ones else "")


@lru_cache(maxsize=1)
def _paged_fpdf() -> Any:
    """FPDF with the page number centred in the footer (fpdf2 is imported on first use)."""
    from fpdf import FPDF

    class PagedFPDF(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("cjk", size=8)
            self.set_text_color(*MUTED)
            self.cell(0, 5, f"— {self.page_no()} —", align="C")

    return PagedFPDF


def _tick_text(value: float, integer: bool) -> str:
    return str(int(value)) if integer or float(value).is_integer() else f"{value:g}"


class Document:
    """A Chinese document on A4. ``Document(title=..., number=...)``, then ``section``,
    ``paragraph``, ``table``, ``bar_chart``, ``line_chart`` and ``seal``; ``output()`` gives
    the PDF's bytes. Raises ``FontMissing`` when no CJK font is installed."""

    def __init__(
        self,
        *,
        title: str,
        number: str = "",
        subtitle: str = "",
        author: str = "",
        landscape: bool = False,
    ) -> None:
        path, index = cjk_font()
        self.pdf = _paged_fpdf()(
            orientation="landscape" if landscape else "portrait", unit="mm", format="A4"
        )
        self.pdf.set_title(title)
        self.pdf.set_creator(_("智慧工会"))
        if author:
            self.pdf.set_author(author)
        self.pdf.add_font("cjk", "", path, collection_font_number=index)
        self.pdf.set_margins(20, 20, 20)
        self.pdf.set_auto_page_break(auto=True, margin=18)
        self.pdf.add_page()
        self.sections = 0
        self._title(title, number, subtitle)

    def next_document(self, *, title: str, number: str = "", subtitle: str = "") -> None:
        """Start another document on a new page of the same file: a batch of letters printed
        from one PDF, each with its own heading and number."""
        self.pdf.add_page()
        self.sections = 0
        self._title(title, number, subtitle)

    # the page's text width in mm
    @property
    def width(self) -> float:
        return float(self.pdf.epw)

    def _title(self, title: str, number: str, subtitle: str) -> None:
        pdf = self.pdf
        pdf.set_text_color(*INK)
        pdf.set_font("cjk", size=20)
        pdf.multi_cell(0, 11, title, align="C", new_x="LMARGIN", new_y="NEXT")
        if number:
            pdf.set_font("cjk", size=11)
            pdf.multi_cell(0, 7, number, align="C", new_x="LMARGIN", new_y="NEXT")
        if subtitle:
            pdf.set_font("cjk", size=11)
            pdf.set_text_color(*MUTED)
            pdf.multi_cell(0, 7, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(*INK)
        # the red rule under the heading of a Chinese official document
        pdf.ln(2)
        pdf.set_draw_color(*RED)
        pdf.set_line_width(0.6)
        y = pdf.get_y()
        pdf.line(pdf.l_margin, y, pdf.l_margin + self.width, y)
        pdf.set_line_width(0.2)
        pdf.ln(5)

    def section(self, heading: str, *, numbered: bool = True) -> None:
        """A section heading: "一、heading" when ``numbered`` (appendices are not)."""
        pdf = self.pdf
        if pdf.get_y() > pdf.h - 45:
            pdf.add_page()
        if numbered:
            self.sections += 1
            heading = f"{chinese_ordinal(self.sections)}、{heading}"
        pdf.ln(2)
        pdf.set_font("cjk", size=14)
        pdf.set_text_color(*INK)
        pdf.multi_cell(0, 9, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def paragraph(self, text: str, *, indent: bool = True, size: float = 11.5) -> None:
        pdf = self.pdf
        pdf.set_font("cjk", size=size)
        pdf.set_text_color(*INK)
        pdf.multi_cell(
            0,
            size * 0.62,
            ("\u3000\u3000" if indent else "") + text,
            new_x="LMARGIN",
            new_y="NEXT",
            wrapmode="CHAR",  # Chinese breaks between any two characters, not at spaces
        )
        pdf.ln(1.5)

    def note(self, text: str) -> None:
        pdf = self.pdf
        pdf.set_font("cjk", size=9)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)
        pdf.ln(1)

    def table(
        self, columns: Sequence[Column], rows: Sequence[Sequence[Any]], *, size: float = 9
    ) -> None:
        """A table with a shaded heading row, repeated at the top of each page it spans."""
        from fpdf.fonts import FontFace

        pdf = self.pdf
        pdf.set_font("cjk", size=size)
        pdf.set_draw_color(*LINE)
        head = FontFace(emphasis=None, fill_color=HEAD_FILL)
        with pdf.table(
            col_widths=tuple(c.width for c in columns),
            width=sum(c.width for c in columns),
            align="LEFT",
            headings_style=head,
            line_height=size * 0.6,
            text_align=tuple(c.align for c in columns),
            borders_layout="HORIZONTAL_LINES",
            wrapmode="CHAR",
        ) as table:
            table.row([c.heading for c in columns])
            for row in rows:
                table.row(["" if cell is None else str(cell) for cell in row])
        pdf.ln(3)

    def _room(self, height: float) -> None:
        if self.pdf.get_y() + height > self.pdf.h - self.pdf.b_margin:
            self.pdf.add_page()

    def bar_chart(
        self,
        title: str,
        labels: Sequence[str],
        values: Sequence[float],
        *,
        unit: str = "",
        integer: bool = True,
    ) -> None:
        """Horizontal bars, one per label, each with its value at its end."""
        pdf = self.pdf
        bar, gap = 5.0, 2.0
        height = 10 + len(labels) * (bar + gap) + 8
        self._room(height)
        self._chart_title(title, unit)
        pdf.set_font("cjk", size=8)
        label_w = min(60.0, max([pdf.get_string_width(x) for x in labels] or [10]) + 3)
        x0 = pdf.l_margin + label_w
        plot_w = self.width - label_w - 14
        ticks = nice_ticks(max([float(v) for v in values] or [0]), integer)
        top = ticks[-1] or 1
        y0 = pdf.get_y() + 1
        plot_h = len(labels) * (bar + gap)
        pdf.set_draw_color(*LINE)
        pdf.set_text_color(*MUTED)
        for t in ticks:
            x = x0 + plot_w * t / top
            pdf.line(x, y0, x, y0 + plot_h)
            text = _tick_text(t, integer)
            pdf.text(x - pdf.get_string_width(text) / 2, y0 + plot_h + 4, text)
        for i, (label, value) in enumerate(zip(labels, values, strict=True)):
            y = y0 + i * (bar + gap)
            pdf.set_text_color(*INK)
            pdf.text(pdf.l_margin + label_w - 2 - pdf.get_string_width(label), y + bar - 1.2, label)
            w = plot_w * float(value) / top
            pdf.set_fill_color(*PALETTE[0])
            if w > 0:
                pdf.rect(x0, y, w, bar, style="F")
            text = _tick_text(float(value), integer)
            pdf.text(x0 + w + 1.5, y + bar - 1.2, text)
        pdf.set_y(y0 + plot_h + 9)

    def line_chart(
        self,
        title: str,
        labels: Sequence[str],
        series: Sequence[tuple[str, Sequence[float]]],
        *,
        unit: str = "",
        integer: bool = True,
    ) -> None:
        """Lines over the labels (months, say), one per named series, with a legend."""
        pdf = self.pdf
        plot_h = 50.0
        self._room(plot_h + 30)
        self._chart_title(title, unit)
        pdf.set_font("cjk", size=8)
        top_value = max([float(v) for _n, vals in series for v in vals] or [0])
        ticks = nice_ticks(top_value, integer)
        top = ticks[-1] or 1
        x0 = pdf.l_margin + 12
        plot_w = self.width - 16
        y0 = pdf.get_y() + 2
        pdf.set_draw_color(*LINE)
        pdf.set_text_color(*MUTED)
        for t in ticks:
            y = y0 + plot_h - plot_h * t / top
            pdf.line(x0, y, x0 + plot_w, y)
            text = _tick_text(t, integer)
            pdf.text(x0 - 1.5 - pdf.get_string_width(text), y + 1, text)
        n = max(len(labels), 1)
        step = plot_w / n
        every = max(1, round(n / 12))
        for i, label in enumerate(labels):
            if i % every == 0:
                x = x0 + step * (i + 0.5)
                pdf.text(x - pdf.get_string_width(label) / 2, y0 + plot_h + 4, label)
        for k, (_name, values) in enumerate(series):
            colour = PALETTE[k % len(PALETTE)]
            pdf.set_draw_color(*colour)
            pdf.set_fill_color(*colour)
            pdf.set_line_width(0.5)
            points = [
                (x0 + step * (i + 0.5), y0 + plot_h - plot_h * float(v) / top)
                for i, v in enumerate(values)
            ]
            if len(points) > 1:
                pdf.polyline(points)
            for x, y in points:
                pdf.circle(x, y, 0.8, style="F")
            pdf.set_line_width(0.2)
        # legend
        x, y = x0, y0 + plot_h + 8
        pdf.set_text_color(*INK)
        for k, (name, _values) in enumerate(series):
            colour = PALETTE[k % len(PALETTE)]
            pdf.set_fill_color(*colour)
            pdf.rect(x, y - 2.2, 4, 2.5, style="F")
            pdf.text(x + 5, y, name)
            x += 10 + pdf.get_string_width(name)
        pdf.set_y(y + 5)

    def _chart_title(self, title: str, unit: str) -> None:
        pdf = self.pdf
        pdf.set_font("cjk", size=10.5)
        pdf.set_text_color(*INK)
        text = f"{title}（{unit}）" if unit else title
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")

    def seal(self, org: str, day: str) -> None:
        """The issuing org and the date, right-aligned at the end, where the seal goes."""
        pdf = self.pdf
        self._room(30)
        pdf.ln(12)
        pdf.set_font("cjk", size=12)
        pdf.set_text_color(*INK)
        pdf.multi_cell(0, 8, org, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 8, day, align="R", new_x="LMARGIN", new_y="NEXT")

    def output(self) -> bytes:
        return bytes(self.pdf.output())
