"""Periods (core.periods): the presets, the bounds on every period parameter of the API and
the pages (422 naming the field, quickly), the period remembered per user, and the clerk's
hotline page without a statistics button that led nowhere."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gonghui.core import periods
from gonghui.core.errors import InvalidInput

from .conftest import People, Tree

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 20)


def test_presets_as_of_a_day() -> None:
    assert periods.preset("month", TODAY) == periods.Period(date(2026, 5, 1), TODAY, "month")
    assert periods.preset("quarter", TODAY).start == date(2026, 4, 1)
    assert periods.preset("quarter", date(2026, 12, 31)).start == date(2026, 10, 1)
    assert periods.preset("year", TODAY) == periods.Period(date(2026, 1, 1), TODAY, "year")
    assert periods.preset("last_year", TODAY) == periods.Period(
        date(2025, 1, 1), date(2025, 12, 31), "last_year"
    )
    assert [label for _key, label in periods.PRESETS] == ["本月", "本季度", "本年", "上年"]
    with pytest.raises(InvalidInput) as exc:
        periods.preset("decade", TODAY)
    assert exc.value.errors[0]["field"] == "period"


def test_resolve_defaults_and_ranges() -> None:
    assert periods.resolve(today=TODAY) == periods.preset("year", TODAY)
    assert periods.resolve(period="month", today=TODAY).start == date(2026, 5, 1)
    # dates win over a preset; a missing start is the first of January of the end's year
    assert periods.resolve(period="month", end=date(2024, 3, 1), today=TODAY) == periods.Period(
        date(2024, 1, 1), date(2024, 3, 1)
    )
    assert periods.resolve(start=date(2025, 6, 1), today=TODAY).end == TODAY


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (date(1900, 1, 1), date(2020, 1, 1), "from", "起始日期不能早于2000-01-01"),
        (date(610, 12, 13), TODAY, "from", "起始日期不能早于2000-01-01"),
        (date(2020, 1, 1), date(2999, 1, 1), "to", "截止日期不能晚于2026-12-31"),
        (date(2020, 3, 1), date(2020, 2, 1), "to", "截止日期不能早于起始日期"),
        (date(2005, 1, 1), date(2015, 1, 1), "from", "统计期间不能超过10年"),
    ],
)
def test_bounds_name_the_field(start: date, end: date, field: str, message: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        periods.check(start, end, today=TODAY)
    assert exc.value.errors == [{"field": field, "message": message}]


def test_bounds_are_settings() -> None:
    periods.check(date(2005, 1, 1), date(2014, 12, 31), today=TODAY)  # just under ten years
    with override_settings(PERIOD_EARLIEST=date(2010, 1, 1), PERIOD_MAX_YEARS=2):
        with pytest.raises(InvalidInput):
            periods.check(date(2009, 12, 31), date(2010, 1, 1), today=TODAY)
        with pytest.raises(InvalidInput):
            periods.check(date(2020, 1, 1), date(2022, 1, 1), today=TODAY)
        periods.check(date(2020, 1, 1), date(2021, 12, 31), today=TODAY)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/reports/trend?from=1900-01-01",
        "/api/v1/reports/trend?from=0610-12-13",
        "/api/v1/reports/work-summary?from=1900-01-01&to=2020-01-01",
        "/api/v1/reports/breakdown?from=1900-01-01",
        "/api/v1/reports/figures/hotline.closed/records?from=1900-01-01",
        "/api/v1/hotline/stats?from=1900-01-01",
        "/api/v1/hotline/stats/county?from=1900-01-01",
        "/api/v1/hotline/tickets?from=1900-01-01",
    ],
)
def test_api_refuses_a_period_beyond_the_bounds_quickly(
    tree: Tree, people: People, api: Any, url: str
) -> None:
    client = api(people.city_cadre)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 422, response.content
    # refused before any record is read (16 s on SQLite for 1900-01-01 before the bounds)
    records = ("hotline_ticket", "members_member", "members_membershipevent", 'orgs_org" WHERE')
    assert not [q["sql"] for q in ctx.captured_queries if any(t in q["sql"] for t in records)]
    body = response.json()
    assert body["errors"][0]["field"] == "from"
    assert "2000-01-01" in body["errors"][0]["message"]


def test_api_end_beyond_this_year_and_an_unknown_preset(
    tree: Tree, people: People, api: Any
) -> None:
    client = api(people.city_cadre)
    late = client.get("/api/v1/reports/trend?from=2020-01-01&to=2999-01-01")
    assert late.status_code == 422
    assert late.json()["errors"][0]["field"] == "to"
    unknown = client.get("/api/v1/reports/trend?period=decade")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "period"
    too_long = client.get("/api/v1/hotline/stats?from=2001-01-01&to=2020-01-01")
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "from"


def test_api_presets(tree: Tree, people: People, api: Any) -> None:
    today = timezone.localdate()
    client = api(people.city_cadre)
    body = client.get("/api/v1/reports/trend?period=last_year").json()
    assert (body["from"], body["to"]) == (f"{today.year - 1}-01-01", f"{today.year - 1}-12-31")
    assert len(body["months"]) == 12
    stats = client.get("/api/v1/hotline/stats?period=month").json()
    assert (stats["from"], stats["to"]) == (today.replace(day=1).isoformat(), today.isoformat())
    default = client.get("/api/v1/reports/work-summary").json()
    assert (default["from"], default["to"]) == (f"{today.year}-01-01", today.isoformat())


def test_pages_refuse_a_period_beyond_the_bounds(tree: Tree, people: People, login: Any) -> None:
    client = login(people.city_cadre)
    for url in ("/reports/?from=1900-01-01", "/reports/dashboard/?from=1900-01-01"):
        response = client.get(url)
        assert response.status_code == 400
        assert "起始日期不能早于2000-01-01" in response.content.decode()
    stats = client.get("/hotline/stats/?start=1900-01-01").content.decode()
    assert "起始日期不能早于2000-01-01" in stats
    assert 'data-testid="figures"' not in stats
    assert client.get("/reports/download.xlsx?from=1900-01-01").status_code == 400
    assert client.get("/reports/figures/hotline.closed/?from=1900-01-01").status_code == 400


def _chosen(html: str) -> str:
    match = re.search(r'data-period="(\w+)" aria-current="true"', html)
    return match.group(1) if match else ""


def test_the_period_is_remembered_per_user(tree: Tree, people: People, login: Any) -> None:
    today = timezone.localdate()
    cadre = login(people.city_cadre)
    first = cadre.get("/reports/").content.decode()
    assert _chosen(first) == "year"  # 本年 at first
    assert _chosen(cadre.get("/reports/?period=last_year").content.decode()) == "last_year"
    # every page that takes a period opens on it now, the home page included
    for url in ("/reports/", "/reports/dashboard/", "/hotline/stats/", "/"):
        html = cadre.get(url).content.decode()
        assert _chosen(html) == "last_year", url
        assert f'value="{today.year - 1}-12-31"' in html, url
    # a range is remembered as a range
    cadre.get("/hotline/stats/?start=2020-01-01&end=2020-09-19")
    html = cadre.get("/reports/").content.decode()
    assert _chosen(html) == ""
    assert 'value="2020-01-01"' in html and 'value="2020-09-19"' in html
    # another user keeps their own
    other = login(people.cadre_a).get("/reports/").content.decode()
    assert _chosen(other) == "year"


def test_the_preset_links_keep_the_org(tree: Tree, people: People, login: Any) -> None:
    html = login(people.city_cadre).get("/reports/?org=371702&period=month").content.decode()
    assert 'href="?org=371702&amp;period=quarter"' in html
    assert _chosen(html) == "month"


def test_the_clerk_sees_no_statistics_button(tree: Tree, people: People, login: Any) -> None:
    clerk = login(people.clerk_a).get("/hotline/").content.decode()
    assert 'data-testid="stats-link"' not in clerk
    assert login(people.clerk_a).get("/hotline/stats/").status_code == 404
    cadre = login(people.cadre_a).get("/hotline/").content.decode()
    assert 'data-testid="stats-link"' in cadre
    assert login(people.cadre_a).get("/hotline/stats/").status_code == 200


def test_list_filters_are_bounded_too(tree: Tree, people: People, api: Any, login: Any) -> None:
    audit = api(people.city_cadre).get("/api/v1/audit?from=1900-01-01")
    assert audit.status_code == 422
    assert audit.json()["errors"][0]["field"] == "from"
    backwards = api(people.city_cadre).get("/api/v1/audit?from=2020-02-01&to=2020-01-01")
    assert backwards.json()["errors"][0] == {"field": "to", "message": "截止日期不能早于起始日期"}
    queue = login(people.city_cadre).get("/hotline/?start=1900-01-01").content.decode()
    assert "日期须在2000-01-01至" in queue


def test_a_trend_spans_at_most_three_years(tree: Tree, people: People, api: Any) -> None:
    assert periods.trend_start(date(2017, 1, 1), date(2026, 12, 6)) == date(2024, 1, 1)
    assert periods.trend_start(date(2024, 3, 5), date(2026, 12, 6)) == date(2024, 3, 5)
    client = api(people.city_cadre)
    long = client.get("/api/v1/reports/trend?from=2017-01-01&to=2020-12-31")
    assert long.status_code == 422
    assert long.json()["errors"][0] == {"field": "from", "message": "逐月趋势不能超过36个月"}
    ok = client.get("/api/v1/reports/trend?from=2018-01-01&to=2020-12-31")
    assert ok.status_code == 200
    assert len(ok.json()["months"]) == 36
    # the report of those years is one aggregate per period: allowed
    assert (
        client.get("/api/v1/reports/work-summary?from=2011-01-01&to=2020-12-31").status_code == 200
    )


def test_the_dashboard_of_a_long_period_shows_its_last_three_years(
    tree: Tree, people: People, login: Any
) -> None:
    html = login(people.city_cadre).get("/reports/dashboard/?from=2011-01-01&to=2020-12-31")
    data = html.content.decode()
    assert html.status_code == 200
    months = re.search(r'"months": \[([^\]]*)\]', data)
    assert months is not None
    assert months.group(1).startswith('"2018-01"') and months.group(1).endswith('"2020-12"')
