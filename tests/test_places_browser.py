"""The places in Debian's Chromium: the map of Heze drawn by ECharts from the GeoJSON gonghui
serves itself (a canvas, the counties' series and one dot per place) with not one request
leaving the host; the staff pages at 390 px; and a member on the phone finding the nearest
station from the position the browser gives, then rating it."""

# ruff: noqa: F811 - the ``browser`` fixture is imported from test_browser and then requested

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from gonghui.places import services
from gonghui.places.models import Rating

from .test_browser import Watch, browser, log_in, pytestmark, shot  # noqa: F401
from .test_browser_walk import overflow

ALL_MET = "统一标识和名称、选址合理、便于找到、设施齐全（饮水、休息、充电、加热、如厕、药箱）"


def _places(people: Any) -> list[Any]:
    rows = [
        ("YZ-A-1", "牡丹街道中华路驿站", "371702001", "115.420000", "35.250000"),
        ("YZ-A-2", "牡丹区人民路驿站", "371702", "115.470000", "35.240000"),
        ("YZ-B-1", "曹县青菏路驿站", "371721", "115.540000", "34.830000"),
    ]
    return [
        services.place_save(
            actor=people.admin,
            data={
                "code": code,
                "name": name,
                "kind": "station",
                "org": org,
                "longitude": lng,
                "latitude": lat,
                "checklist": ALL_MET,
                "hours": "全天",
                "address": "菏泽市",
            },
        )  # fmt: skip
        for code, name, org, lng, lat in rows
    ]


def _outside_counter(page: Any, base: str) -> list[str]:
    """Every request to a host other than the test server's is counted and refused."""
    host = urlparse(base).hostname
    outside: list[str] = []

    def handle(route: Any) -> None:
        url = route.request.url
        if url.startswith("data:") or urlparse(url).hostname in (host, "localhost", "127.0.0.1"):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", handle)
    return outside


def test_the_map_renders_from_local_data_and_the_pages_fit_a_phone(
    browser: Any, live_server: Any, people: Any, tree: Any
) -> None:
    _places(people)
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    outside = _outside_counter(page, base)
    watch = Watch(page, base)
    log_in(page, base, "city_cadre")
    page.goto(f"{base}/places/map/")
    page.locator("#place-map[data-drawn]").wait_for(timeout=15000)
    assert page.locator("#place-map canvas").count() >= 1
    drawn = page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById("place-map"));
          const option = chart.getOption();
          return {
            types: option.series.map(s => s.type),
            dots: option.series.filter(s => s.type === "scatter")
                               .reduce((n, s) => n + s.data.length, 0),
            regions: option.series[0].data.length,
          };
        }"""
    )
    assert drawn["types"][0] == "map" and drawn["regions"] == 9 and drawn["dots"] == 3
    # the canvas is painted, not blank: some pixel differs from the background
    painted = page.evaluate(
        """() => {
          const c = document.querySelector("#place-map canvas");
          const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
          const seen = new Set();
          for (let i = 0; i < d.length; i += 4 * 97) seen.add(d[i] + "," + d[i+1] + "," + d[i+2]);
          return seen.size;
        }"""
    )
    assert painted > 3
    shot(page, "places-01-map")
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/places/map/", "/places/", "/places/reviews/"):
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        assert overflow(page) == "", path
    page.goto(f"{base}/places/")
    page.locator("text=牡丹街道中华路驿站").first.click()
    page.wait_for_load_state("networkidle")
    assert overflow(page) == ""
    page.locator("[data-testid=start-review]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=status]").inner_text() == "自评中"
    assert overflow(page) == ""
    shot(page, "places-02-review-phone")
    assert outside == []
    watch.assert_clean()


def test_a_member_finds_the_nearest_station_and_rates_it(
    browser: Any, live_server: Any, people: Any, tree: Any
) -> None:
    _places(people)
    base = live_server.url
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        geolocation={"latitude": 35.2505, "longitude": 115.4205},
        permissions=["geolocation"],
    )
    page = context.new_page()
    outside = _outside_counter(page, base)
    watch = Watch(page, base)
    log_in(page, base, "member_a")
    page.goto(f"{base}/portal/places/")
    page.locator("[data-testid=use-location]").click()
    page.locator("[data-testid=results] li").first.wait_for()
    names = page.locator("[data-testid=results] li a").all_inner_texts()
    assert names == ["牡丹街道中华路驿站", "牡丹区人民路驿站", "曹县青菏路驿站"]
    assert overflow(page) == ""
    shot(page, "places-03-nearest-phone")
    page.locator("[data-testid=results] li a").first.click()
    page.wait_for_load_state("networkidle")
    page.locator("[data-testid=rate] input[name=score][value='4']").check()
    page.locator("[data-testid=rate] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=rating]").inner_text() == "4.0（1 人次）"
    assert "您本月已评 4 星" in page.locator("[data-testid=rated]").inner_text()
    assert overflow(page) == ""
    assert Rating.objects.get().user == people.member_a
    assert outside == []
    watch.assert_clean()
    context.close()
