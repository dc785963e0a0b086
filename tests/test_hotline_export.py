"""Hotline exports: the queue as XLSX and CSV (the page's scope, filters and tab, every page,
callers masked) and the statistics workbook (the page's figures and breakdowns). Each is
tried by someone outside its scope: refused, or nothing of the other subtree."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from python_calamine import CalamineWorkbook

from gonghui.core.spreadsheets import iter_raw_rows
from gonghui.hotline import stats
from gonghui.hotline.models import Status, Ticket

from .test_hotline_pages import PHONE, new_ticket, step


def download(client: Any, url: str, tmp_path: Path) -> list[list[Any]]:
    """The file at ``url`` read back as rows (header first)."""
    response = client.get(url)
    assert response.status_code == 200, url
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith('attachment; filename="hotline-')
    body = b"".join(response.streaming_content) if response.streaming else response.content
    suffix = ".csv" if "export.csv" in url else ".xlsx"
    path = tmp_path / f"download{suffix}"
    path.write_bytes(body)
    return list(iter_raw_rows(path))


def column(rows: list[list[Any]], heading: str) -> list[Any]:
    at = rows[0].index(heading)
    return [row[at] for row in rows[1:]]


@pytest.fixture
def orders(people: Any, tree: Any) -> dict[str, Ticket]:
    """One order at county A (replied, 12,000 yuan recovered), one at county B, one still at
    the city, and one consultation answered on the spot."""
    at_a = new_ticket(people.operator, caller_name="王小强")
    step(people.operator, at_a, "dispatch", org=tree.county_a.code)
    step(people.cadre_a, at_a, "accept")
    at_a = step(people.cadre_a, at_a, "reply", result="已追回", wages_recovered="12000", workers=3)
    at_b = new_ticket(people.operator, caller_name="李四")
    at_b = step(people.operator, at_b, "dispatch", org=tree.county_b.code)
    city = new_ticket(people.operator, category="suggestion", topic="0101")
    answered = new_ticket(
        people.operator, category="consult", answered_on_spot=True, answer="已当场解答"
    )
    return {"a": at_a, "b": at_b, "city": city, "answered": answered}


# --- the queue -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_queue_export_holds_the_tab_masked(
    people: Any, login: Any, orders: dict[str, Ticket], tmp_path: Path, fmt: str
) -> None:
    client = login(people.operator)
    rows = download(client, f"/hotline/export.{fmt}?tab=all", tmp_path)
    numbers = column(rows, "工单号")
    assert sorted(numbers) == sorted(t.number for t in orders.values())
    # newest first, as the "all" tab lists them
    assert numbers == [
        t.number for t in Ticket.objects.order_by("-received_at", "-id") if t.number in numbers
    ]
    a = rows[numbers.index(orders["a"].number) + 1]
    record = dict(zip(rows[0], a, strict=True))
    assert record["来电人"] == "王*强"
    assert record["联系电话"] == "138****2345"
    assert record["状态"] == str(Status.REPLIED.label)
    assert record["承办单位"] == "牡丹区总工会"
    assert record["受理单位"] == "菏泽市总工会"
    assert record["类别"] == "求决类"
    assert float(record["追回欠薪（元）"]) == 12000
    assert float(record["涉及职工（人）"]) == 3
    text = "\n".join(",".join(map(str, r)) for r in rows)
    assert PHONE not in text
    assert "王小强" not in text
    answered = dict(zip(rows[0], rows[numbers.index(orders["answered"].number) + 1], strict=True))
    assert answered["状态"] == "已结案"
    assert answered["按时办结"] == "是"


def test_queue_export_follows_the_filters_and_the_to_do_tab(
    people: Any, login: Any, orders: dict[str, Ticket], tmp_path: Path
) -> None:
    client = login(people.operator)
    todo = column(download(client, "/hotline/export.xlsx?tab=todo", tmp_path), "工单号")
    # the city's to-do: the order it has not dispatched, and the reply waiting for its callback
    assert sorted(todo) == sorted([orders["city"].number, orders["a"].number])
    suggestions = download(client, "/hotline/export.csv?tab=all&category=suggestion", tmp_path)
    assert column(suggestions, "工单号") == [orders["city"].number]
    county = download(client, "/hotline/export.csv?tab=all&org=371721", tmp_path)
    assert column(county, "工单号") == [orders["b"].number]


def test_queue_export_of_a_county_holds_nothing_of_another(
    people: Any, login: Any, orders: dict[str, Ticket], tmp_path: Path
) -> None:
    rows = download(login(people.cadre_b), "/hotline/export.xlsx?tab=all", tmp_path)
    assert column(rows, "工单号") == [orders["b"].number]
    # naming county A's code is an error on the filter, and the file is empty
    other = download(login(people.cadre_b), "/hotline/export.csv?tab=all&org=371702", tmp_path)
    assert other == [other[0]]


def test_queue_export_refused_outside_the_hotline(
    people: Any, login: Any, orders: dict[str, Ticket], client: Any
) -> None:
    for who in (people.member_a, people.lawyer_a):
        assert login(who).get("/hotline/export.xlsx").status_code == 404
    response = client.get("/hotline/export.csv")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert login(people.operator).get("/hotline/export.pdf").status_code == 404


def test_queue_export_reads_in_a_fixed_number_of_queries(
    people: Any, login: Any, tmp_path: Path
) -> None:
    client = login(people.operator)
    new_ticket(people.operator)
    with CaptureQueriesContext(connection) as one:
        assert len(download(client, "/hotline/export.xlsx?tab=all", tmp_path)) == 2
    for _ in range(5):
        new_ticket(people.operator)
    with CaptureQueriesContext(connection) as six:
        assert len(download(client, "/hotline/export.xlsx?tab=all", tmp_path)) == 7
    assert len(six) == len(one)


def test_queue_page_links_its_export_with_its_filters(
    people: Any, login: Any, orders: dict[str, Ticket]
) -> None:
    html = login(people.operator).get("/hotline/?tab=open&category=demand").content.decode()
    assert 'href="/hotline/export.xlsx?category=demand&amp;tab=open"' in html
    assert 'href="/hotline/export.csv?category=demand&amp;tab=open"' in html


# --- the statistics workbook ---------------------------------------------------------------


def test_stats_workbook_holds_the_page(
    people: Any, login: Any, orders: dict[str, Ticket], tmp_path: Path
) -> None:
    today = timezone.localdate()
    start, end = today - timedelta(days=1), today
    url = f"/hotline/stats/export.xlsx?org=371700&start={start}&end={end}"
    response = login(people.city_cadre).get(url)
    assert response.status_code == 200
    path = tmp_path / "stats.xlsx"
    path.write_bytes(response.content)
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["汇总", "按类别", "按县区", "按诉求主题"]
    summary = book.get_sheet_by_name("汇总").to_python()
    assert summary[1][0] == "菏泽市总工会（371700）"
    values = {row[0]: row[1] for row in summary[5:] if row and row[0]}
    expected, by = stats.stats_overview(people.city_cadre, people.city_cadre.org, start, end)
    assert values["受理"] == expected["received"] == 4
    assert values["办结"] == expected["closed"] == 1
    assert values["按时办结率"] == pytest.approx(expected["on_time_rate"] * 100)
    assert Decimal(str(values["追回欠薪"])) == expected["wages_recovered"]
    counties = book.get_sheet_by_name("按县区").to_python()
    assert counties[0][:4] == ["县区", "受理", "派单", "办结"]
    received = {row[0]: row[1] for row in counties[1:]}
    assert received == {str(r["label"]): r["received"] for r in by["county"]}
    assert received["牡丹区总工会"] == 1


def test_stats_workbook_of_another_subtree_is_refused(
    people: Any, login: Any, orders: dict[str, Ticket]
) -> None:
    cadre_b = login(people.cadre_b)
    assert cadre_b.get("/hotline/stats/export.xlsx?org=371702").status_code == 404
    assert cadre_b.get("/hotline/stats/export.xlsx?org=371700").status_code == 404
    assert cadre_b.get("/hotline/stats/export.xlsx?org=371721").status_code == 200
    assert login(people.clerk_a).get("/hotline/stats/export.xlsx").status_code == 404
    assert login(people.member_a).get("/hotline/stats/export.xlsx").status_code == 404


def test_stats_page_links_its_workbook(people: Any, login: Any, orders: dict[str, Ticket]) -> None:
    html = login(people.cadre_a).get("/hotline/stats/?org=371702").content.decode()
    assert 'data-testid="stats-export"' in html
    assert "/hotline/stats/export.xlsx?org=371702&amp;start=" in html
