"""The PDF documents: the CJK font found where each system keeps it (or named by
GONGHUI_PDF_FONT), a clear Chinese message without one (page and command, never a 500), and
the work report laid out as a document a federation hands out."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from gonghui.core import pdf
from gonghui.core.pdf import FontMissing, cjk_font, nice_ticks

from .conftest import People, Tree
from .test_reports_figures import seed
from .test_reports_pages import pdf_text

NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
Q = "org=371700&from=2020-01-01&to=2020-09-19"
needs_noto = pytest.mark.skipif(not NOTO.is_file(), reason="Debian's fonts-noto-cjk is missing")


@pytest.fixture(autouse=True)
def _fresh_font_lookup() -> Iterator[None]:
    pdf._found.cache_clear()
    yield
    pdf._found.cache_clear()


@pytest.fixture
def no_font(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A machine with none of the usual fonts installed."""
    monkeypatch.delenv("GONGHUI_PDF_FONT", raising=False)
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", (tmp_path / "NotoSansCJK-Regular.ttc",))


@needs_noto
def test_debians_noto_collection_gives_its_simplified_chinese_face(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GONGHUI_PDF_FONT", raising=False)
    assert cjk_font() == (str(NOTO), 2)  # JP, KR, SC, TC, HK: SC is the third face


@needs_noto
def test_the_configured_font_comes_first(monkeypatch: pytest.MonkeyPatch, no_font: None) -> None:
    monkeypatch.setenv("GONGHUI_PDF_FONT", str(NOTO))
    assert cjk_font() == (str(NOTO), 2)


def test_the_usual_places_of_each_system_are_searched() -> None:
    places = {str(p).replace("\\", "/") for p in pdf.FONT_CANDIDATES}
    assert "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc" in places  # Debian, Ubuntu
    assert "/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc" in places  # Fedora
    assert "/System/Library/Fonts/STHeiti Medium.ttc" in places  # macOS
    assert any(p.endswith("Fonts/msyh.ttc") for p in places)  # Windows


def test_without_a_font_the_message_says_what_to_install(no_font: None) -> None:
    with pytest.raises(FontMissing) as exc:
        cjk_font()
    assert "生成 PDF 需要中文字体" in str(exc.value)
    assert "sudo apt-get install fonts-noto-cjk" in str(exc.value)
    assert "GONGHUI_PDF_FONT" in str(exc.value)


def test_a_configured_font_that_is_not_there(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGHUI_PDF_FONT", "/nowhere/font.ttf")
    with pytest.raises(
        FontMissing, match="GONGHUI_PDF_FONT 指向的字体文件不存在：/nowhere/font.ttf"
    ):
        cjk_font()


def test_without_a_font_the_pdf_download_explains_in_chinese(
    tree: Tree, people: People, login: Any, no_font: None
) -> None:
    seed(tree, people)
    client = login(people.leader)
    response = client.get(f"/reports/download.pdf?{Q}")
    assert response.status_code == 503
    html = response.content.decode()
    assert "生成 PDF 需要中文字体，本机未找到。请安装 fonts-noto-cjk" in html
    page = client.get(f"/reports/?{Q}").content.decode()
    assert "PDF 暂不可用：服务器缺少中文字体" in page
    assert "/reports/download.pdf" not in page  # no link that cannot work


def test_without_a_font_the_command_explains_in_chinese(
    tree: Tree, no_font: None, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="生成 PDF 需要中文字体"):
        call_command(
            "report", org="371700", start="2020-01-01", end="2020-09-19", fmt="pdf",
            output=str(tmp_path / "r.pdf"),
        )  # fmt: skip
    assert not (tmp_path / "r.pdf").exists()


@needs_noto
def test_the_report_is_a_document(tree: Tree, people: People, login: Any) -> None:
    seed(tree, people)
    response = login(people.leader).get(f"/reports/download.pdf?{Q}")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    pages = [pdf_text(_one(reader, i)) for i in range(len(reader.pages))]
    text = "".join(pages)
    # title and period, then the narrative by line of work, numbered as a document is
    assert text.startswith("菏泽市总工会工作报告2020-01-01至2020-09-19")
    assert "一、产业工会建设新组建1个县级化工产业工会；新组建1个化工产业园区工会。" in text
    assert "附表一主要指标" in text and "入会日期在期内的会员人数" in text
    # the table by county on a landscape page, counties by their short names
    # (one page or, with every module's figures as rows, consecutive pages)
    wide = [i for i, p in enumerate(reader.pages) if p.mediabox.width > p.mediabox.height]
    assert wide and wide == list(range(wide[0], wide[-1] + 1))
    by_county = "".join(pages[i] for i in wide)
    assert "附表二按下级组织分列" in pages[wide[0]]
    assert "牡丹区" in pages[wide[0]] and "曹县" in pages[wide[0]]
    assert "在会会员（人）2204" in by_county  # 牡丹区 2, 曹县 2, 本级 0, 合计 4
    # the charts, then the seal line: the org and the date
    assert "附图" in text and "在会会员：按下级组织（人）" in text and "逐月趋势" in text
    assert pages[-1].rstrip("—0123456789").endswith("日") and "菏泽市总工会" in pages[-1]
    assert "— 1 —" in _one_text(reader, 0)  # page numbers


def _one(reader: PdfReader, i: int) -> bytes:
    from pypdf import PdfWriter

    out = io.BytesIO()
    writer = PdfWriter()
    writer.add_page(reader.pages[i])
    writer.write(out)
    return out.getvalue()


def _one_text(reader: PdfReader, i: int) -> str:
    return str(reader.pages[i].extract_text()).replace("\x00", "")


@pytest.mark.parametrize(
    ("top", "integer", "ticks"),
    [
        (3, True, [0, 1, 2, 3]),
        (0, True, [0, 1]),
        (7, True, [0, 2, 4, 6, 8]),
        (1, True, [0, 1]),
        (2.5, False, [0, 0.5, 1.0, 1.5, 2.0, 2.5]),
        (1200, True, [0, 250, 500, 750, 1000, 1250]),
    ],
)
def test_chart_ticks_are_whole_numbers_for_counts(
    top: float, integer: bool, ticks: list[Any]
) -> None:
    assert nice_ticks(top, integer) == ticks
