"""The report's pages and downloads: what they show, who may open them, the files' contents."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from gonghui.core import hooks
from gonghui.core.models import AuditEntry

from .conftest import People, Tree
from .test_reports_figures import Seeded, seed

Q = "org=371700&from=2020-01-01&to=2020-09-19"


@pytest.fixture
def seeded(tree: Tree, people: People) -> Seeded:
    return seed(tree, people)


def _literals(stream: bytes) -> list[bytes]:
    """The literal strings ``(...)`` of a content stream, escapes undone."""
    found, i, n = [], 0, len(stream)
    escapes = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
    while i < n:
        if stream[i] != 0x28:  # "("
            i += 1
            continue
        i, depth, out = i + 1, 1, bytearray()
        while i < n:
            c = stream[i]
            if c == 0x5C:  # backslash
                nxt = stream[i + 1]
                if nxt in escapes:
                    out += escapes[nxt]
                    i += 2
                elif 0x30 <= nxt <= 0x37:
                    j = i + 1
                    while j < min(i + 4, n) and 0x30 <= stream[j] <= 0x37:
                        j += 1
                    out.append(int(stream[i + 1 : j], 8) & 0xFF)
                    i = j
                else:
                    out.append(nxt)
                    i += 2
                continue
            if c == 0x28:
                depth += 1
            elif c == 0x29:
                depth -= 1
                if depth == 0:
                    i += 1
                    break
            out.append(c)
            i += 1
        found.append(bytes(out))
    return found


def pdf_text(body: bytes) -> str:
    """The text of fpdf2's PDF, whitespace removed: each string's two-byte glyph codes read
    through the font's ToUnicode map (pypdf reads them a byte at a time, which goes wrong once a
    document uses more than 255 glyphs)."""
    reader = PdfReader(io.BytesIO(body))
    text = []
    for page in reader.pages:
        cmap: dict[int, str] = {}
        for font in page["/Resources"]["/Font"].values():
            unicode_map = font.get_object().get("/ToUnicode")
            if unicode_map is None:
                continue
            data = unicode_map.get_object().get_data()
            for src, dst in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4,})>", data):
                cmap[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
        for raw in _literals(page.get_contents().get_data()):
            text += [cmap.get(raw[k] * 256 + raw[k + 1], "") for k in range(0, len(raw) - 1, 2)]
    return "".join("".join(text).replace("\x00", "").split())


def test_the_report_page(seeded: Seeded, login: Any) -> None:
    response = login(seeded.people.leader).get(f"{reverse('reports:summary')}?{Q}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>菏泽市总工会工作报告</h1>" in html
    assert "一是产业工会建设：新组建1个县级化工产业工会；新组建1个化工产业园区工会。" in html
    link = f'href="{reverse("reports:figure", args=["members.joined"])}?{Q.replace("&", "&amp;")}"'
    assert link in html
    assert '<th class="num">牡丹区</th>' in html  # short names: the table fits 1366 px
    assert "入会日期在期内的会员人数" in html  # the definition beside the figure


def test_the_nav_links_the_report(seeded: Seeded, login: Any) -> None:
    html = login(seeded.people.leader).get(reverse("orgs:tree")).content.decode()
    assert f'href="{reverse("reports:summary")}"' in html
    html = login(seeded.people.lawyer_a).get(reverse("home")).content.decode()
    assert f'href="{reverse("reports:summary")}"' not in html


def test_the_figure_page_lists_its_records(seeded: Seeded, login: Any) -> None:
    url = reverse("reports:figure", args=["members.joined"])
    html = login(seeded.people.cadre_b).get(f"{url}?org=371721&from=2020-01-01&to=2020-09-19")
    text = html.content.decode()
    assert "<span data-figure-value>2</span>" in text
    assert "赵丽" in text and "孙芳" in text and "王强" not in text
    assert login(seeded.people.cadre_b).get(f"{url}?org=371721").status_code == 200
    missing = reverse("reports:figure", args=["nope.figure"])
    assert login(seeded.people.cadre_b).get(f"{missing}?org=371721").status_code == 404


def test_the_figure_page_pages_through_its_records(
    seeded: Seeded, login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of one record: the count is the figure's, each page its own record in id order."""
    from gonghui.reports import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    url = reverse("reports:figure", args=["members.joined"])
    client = login(seeded.people.cadre_b)
    seen = []
    for number in (1, 2):
        text = client.get(f"{url}?org=371721&from=2020-01-01&to=2020-09-19&page={number}")
        html = text.content.decode()
        assert "共 2 条记录" in html
        seen.append({name for name in ("赵丽", "孙芳") if name in html})
    assert seen == [{"赵丽"}, {"孙芳"}]  # created in that order


def test_the_dashboard_carries_its_chart_data(seeded: Seeded, login: Any) -> None:
    def panel(org: Any, start: Any, end: Any) -> dict[str, Any]:
        return {"title": "测试面板", "option": {"series": [{"type": "pie", "data": [1, 2]}]}}

    hooks.dashboard_panels.append(panel)
    try:
        response = login(seeded.people.city_cadre).get(f"{reverse('reports:dashboard')}?{Q}")
    finally:
        hooks.dashboard_panels.remove(panel)
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<script id="report-data" type="application/json">') + 49
    data = json.loads(html[start : html.index("</script>", start)])
    assert data["breakdown"]["orgs"] == ["牡丹区", "曹县", "本级"]  # short: not clipped
    assert data["trend"]["months"][0] == "2020-01"
    assert data["panels"] == [
        {"title": "测试面板", "option": {"series": [{"type": "pie", "data": [1, 2]}]}}
    ]
    assert "/static/vendor/echarts-5.6.0.min.js" in html


def test_xlsx_download(seeded: Seeded, login: Any) -> None:
    response = login(seeded.people.leader).get(f"{reverse('reports:xlsx')}?{Q}")
    assert response.status_code == 200
    assert 'filename="work-report-371700-20200101-20200919.xlsx"' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == ["指标", "按下级组织"]
    assert "新发展会员" in book.sheetnames
    figures = book["指标"]
    assert figures["A1"].value == "菏泽市总工会工作报告"
    rows = {r[0]: r[1:5] for r in figures.iter_rows(min_row=5, max_col=5, values_only=True)}
    assert rows["新发展会员"] == (3, "人", 1, "+2")
    detail = book["新发展会员"]
    names = [r[1] for r in detail.iter_rows(min_row=4, values_only=True)]
    assert names == ["王强", "赵丽", "孙芳"]
    assert len(book.sheetnames) == 2 + len(
        [r for r in figures.iter_rows(min_row=5, max_col=7, values_only=True) if r[6]]
    )


def test_pdf_download_has_the_chinese_heading(seeded: Seeded, login: Any) -> None:
    response = login(seeded.people.leader).get(f"{reverse('reports:pdf')}?{Q}")
    assert response.status_code == 200
    assert response.content[:5] == b"%PDF-"
    text = pdf_text(response.content)
    assert text.startswith("菏泽市总工会工作报告2020-01-01至2020-09-19")
    assert "新组建1个化工产业园区工会" in text
    assert b"/FontFile" in response.content  # the font is embedded


@pytest.mark.parametrize("name", ["summary", "dashboard", "xlsx", "pdf"])
def test_it_validates_ownership(seeded: Seeded, login: Any, name: str) -> None:
    url = reverse(f"reports:{name}")
    before = AuditEntry.objects.count()
    assert login(seeded.people.cadre_b).get(f"{url}?org=371702").status_code == 404
    assert login(seeded.people.clerk_a).get(f"{url}?org=371702").status_code == 404
    assert login(seeded.people.member_a).get(url).status_code == 404
    assert login(seeded.people.lawyer_a).get(url).status_code == 404
    anonymous = login(seeded.people.admin)
    anonymous.logout()
    assert anonymous.get(url).status_code == 302
    assert login(seeded.people.cadre_b).get(f"{url}?org=371721").status_code == 200
    assert AuditEntry.objects.count() == before


def test_figure_page_ownership(seeded: Seeded, login: Any) -> None:
    url = reverse("reports:figure", args=["members.joined"])
    assert login(seeded.people.cadre_b).get(f"{url}?org=371702").status_code == 404
    assert login(seeded.people.member_a).get(url).status_code == 404


def test_a_bad_period_is_named(seeded: Seeded, login: Any) -> None:
    url = reverse("reports:summary")
    response = login(seeded.people.leader).get(f"{url}?from=2020-09-19&to=2020-01-01")
    assert response.status_code == 400
    assert "截止日期不能早于起始日期" in response.content.decode()


@pytest.mark.parametrize("name", ["summary", "dashboard"])
def test_the_org_is_chosen_by_name_with_the_picker(seeded: Seeded, login: Any, name: str) -> None:
    """The report's org box is the org picker: it shows the org by name, takes a name, a
    short name or pinyin, and names what it cannot find; codes in links still work."""
    client = login(seeded.people.leader)
    url = reverse(f"reports:{name}")
    html = client.get(f"{url}?from=2020-01-01&to=2020-09-19").content.decode()
    box = re.search(r'<input type="text" name="org"[^>]*>', html)
    assert box is not None and 'data-picker="org"' in box.group(0)
    assert 'value="菏泽市总工会"' in box.group(0)  # the name, not the code
    for typed in ("牡丹区总工会", "mudanqu", "371702"):
        response = client.get(url, {"org": typed, "from": "2020-01-01", "to": "2020-09-19"})
        assert response.status_code == 200, typed
        assert "牡丹区总工会" in response.content.decode()
        assert response.context["picker"]["org_value"] == "371702"
    response = client.get(url, {"org": "不存在的工会"})
    assert response.status_code == 400
    assert "未找到“不存在的工会”" in response.content.decode()
    # outside the scope: as if missing, whether named or coded
    cadre_b = login(seeded.people.cadre_b)
    assert cadre_b.get(url, {"org": "371702"}).status_code == 404
    assert cadre_b.get(url, {"org": "牡丹区总工会"}).status_code == 400
