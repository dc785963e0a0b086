"""The report's figures on the loaded Heze demo: the seed page reproduced, and every page
(the report, the dashboard, the hotline statistics, the home page) showing each figure from its
one declaration. The demo is the package's one load (``tests/demo/conftest.py``)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from gonghui.accounts.models import User
from gonghui.core import metrics, periods
from gonghui.demo import loaders
from gonghui.orgs.models import Org
from gonghui.reports import selectors
from tests.test_reports_figures import END, START, figure

# --- the Heze demo ------------------------------------------------------------------------


def test_the_demo_report_reproduces_the_seed_page(demo: str) -> None:
    city = Org.objects.get(code="371700")
    report = selectors.report_compute(org=city, start=START, end=END)
    assert figure(report, "orgs.chemical_industry_unions_founded").value == 8
    assert figure(report, "orgs.chemical_park_unions_founded").value == 9
    # the hotline's 84 closed orders, once its demo loader exists
    if "hotline" in {name for name, _fn in loaders.LOADERS}:
        assert figure(report, "hotline.closed").value == 84
    # every line of the seed page's report that a module's demo makes true (DOMAIN.md)
    seed = {
        "assistance.campaign_amount": "266.16",  # 万元 of pandemic condolence money
        "honors.collectives": "18",
        "honors.individuals": "120",
        "honors.candidates": "74",
        "honors.migrant_stars": "36",
        "competitions.count": "10",
        "funds.refund_enterprises": "103",
        "funds.refund_amount": "40.79",  # 万元
        "legal.services": "161",
        "legal.stations": "12",
        "legal.staff": "60",
        "governance.replaced": "5",
        "governance.audit_replaced": "4",
        "ventures.parks": "36",  # 新培育市级工友创业园36个
        "ventures.jobs": "10640",  # 带动10640人就业
        "ventures.founders": "205",  # 205人创业
        "ventures.hardship_founders": "422",  # 其中困难职工422人 (counted person by person)
    }
    assert {key: str(figure(report, key).value) for key in seed} == seed
    assert figure(report, "bargaining.offers").value >= 6000  # "6000余家"
    assert figure(report, "places.stations").value >= 560  # "Heze has 560+" (DOMAIN.md)
    for fig in report.figures:  # computed from the records the drill-down shows
        if fig.metric.effective_kind == "count":
            records = selectors.figure_records(fig.metric, city, START, END)
            assert records.count() == fig.raw, fig.key
    text = selectors.report_json(report)["text"]
    assert "新组建8个县级化工产业工会；新组建9个化工产业园区工会" in text
    assert "新培育市级工友创业园36个；带动10640人就业；205人创业；其中困难职工422人" in text
    assert figure(report, "activities.events").value > 0  # 书香三八, the volunteer team


# --- one definition per figure: every page shows the same number --------------------------

# the hotline statistics page's figures and the metrics they are
STATS_KEYS = {
    "received": "hotline.received",
    "dispatched": "hotline.dispatched",
    "closed": "hotline.closed",
    "closed_on_time": "hotline.closed_on_time",
    "on_time_rate": "hotline.on_time_rate",
    "callback_rate": "hotline.callback_rate",
    "satisfaction_rate": "hotline.satisfaction_rate",
    "reopen_rate": "hotline.reopen_rate",
    "wages_recovered": "hotline.wages_recovered",
}


# each page's figure, by key: the report's table, the dashboard's tiles, the statistics' and the
# home page's figures
ON_REPORT = r'<tr data-key="([\w.]+)">\s*<td>[^<]*</td>\s*<td class="num"><a[^>]*>([^<]+)</a>'
ON_DASHBOARD = (
    r'data-key="([\w.]+)">\s*<span class="kpi-label">[^<]*</span>\s*'
    r'<span class="kpi-value">([^<]+)<'
)
ON_STATS = r'data-key="(\w+)"><span class="stat-value">([^<]+)<'
ON_HOME = r'<a class="stat" data-key="([\w.]+)"[^>]*><span class="stat-value">([^<]+)<'


def _figures(html: str, pattern: str) -> dict[str, str]:
    return {k: v.strip() for k, v in re.findall(pattern, html, re.S)}


@pytest.mark.parametrize(
    ("code", "query", "start", "end"),
    [
        ("371700", "from=2020-01-01&to=2020-09-19", START, END),
        ("371702", "from=2020-01-01&to=2020-09-19", START, END),
        ("371700", "period=year", None, None),
        ("371721", "period=last_year", None, None),
    ],
)
def test_every_page_shows_the_same_figures(
    demo: str, code: str, query: str, start: date | None, end: date | None
) -> None:
    """The hotline statistics, the home page, the dashboard and the report give each figure
    from its one declaration: the same text for the same org and period."""
    if start is None or end is None:
        period = periods.resolve(period=query.split("=")[1])
        start, end = period.start, period.end
    org = Org.objects.get(code=code)
    client = Client()
    client.force_login(User.objects.get(username="cadre_city"))
    report = selectors.report_compute(org=org, start=start, end=end)
    expected = {f.key: f.text for f in report.figures}
    assert expected["hotline.closed"] != "0"  # a live period, not an empty one

    on_report = _figures(client.get(f"/reports/?org={code}&{query}").content.decode(), ON_REPORT)
    dashboard = client.get(f"/reports/dashboard/?org={code}&{query}").content.decode()
    on_dashboard = _figures(dashboard, ON_DASHBOARD)
    stats_query = query.replace("from=", "start=").replace("to=", "end=")
    stats = client.get(f"/hotline/stats/?org={code}&{stats_query}").content.decode()
    on_stats = {STATS_KEYS[k]: v for k, v in _figures(stats, ON_STATS).items()}
    assert on_report == expected
    assert on_dashboard == expected
    assert on_stats == {key: expected[key] for key in STATS_KEYS.values()}
    if code == "371700":  # the home page shows the user's own org, in the period chosen last
        home = client.get("/").content.decode()
        on_home = _figures(
            home, r'<a class="stat" data-key="([\w.]+)"[^>]*><span class="stat-value">([^<]+)<'
        )
        assert on_home == expected
    # the callback rate is the called back over those that needed a callback, everywhere
    tally = metrics.Tally(org)
    called_back = tally.value(metrics.get("hotline.called_back"), start, end)
    needed = tally.value(metrics.get("hotline.needs_callback"), start, end)
    assert expected["hotline.callback_rate"] == metrics.as_text(
        metrics.shown(metrics.get("hotline.callback_rate"), metrics.percentage(called_back, needed))
    )
