"""The report and its dashboard in Debian's Chromium (Playwright): charts drawn by the vendored
ECharts, on a desktop and on a phone, no console error, no request leaving the app's host."""

from __future__ import annotations

import pytest

from tests.test_browser import CHROMIUM, Watch, browser, log_in, shot  # noqa: F401 - fixture

from .conftest import People, Tree
from .test_reports_figures import seed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]

Q = "org=371700&from=2020-01-01&to=2020-09-19"


@pytest.mark.parametrize(
    ("name", "viewport"),
    [("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})],
)
def test_the_dashboard_draws_its_charts(
    browser: object,  # noqa: F811 - the fixture
    live_server: object,
    tree: Tree,
    people: People,
    name: str,
    viewport: dict[str, int],
) -> None:
    seed(tree, people)
    base = live_server.url  # type: ignore[attr-defined]
    page = browser.new_page(viewport=viewport, locale="zh-CN")  # type: ignore[attr-defined]
    watch = Watch(page, base)
    log_in(page, base, "leader")

    page.goto(f"{base}/reports/dashboard/?{Q}")
    page.wait_for_load_state("networkidle")
    page.locator("#chart-trend canvas").first.wait_for()
    page.locator("#chart-breakdown canvas").first.wait_for()
    assert page.locator(".kpi").count() >= 7
    options = page.locator("#trend-figure option").count()
    assert options == page.locator(".kpi").count()
    page.select_option("#trend-figure", "5")
    shot(page, f"reports-dashboard-{name}")

    page.goto(f"{base}/reports/?{Q}")
    assert page.locator("h1", has_text="菏泽市总工会工作报告").is_visible()
    page.emulate_media(media="print")
    assert page.locator(".topbar").is_hidden()
    page.emulate_media(media="screen")
    shot(page, f"reports-summary-{name}")

    page.locator("tr[data-key='members.joined'] a").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-figure-value]").inner_text() == "3"
    assert page.locator("text=赵丽").first.is_visible()
    watch.assert_clean()
    page.close()
