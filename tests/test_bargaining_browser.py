"""A whole collective-bargaining thread in Debian's Chromium: a county cadre takes an
enterprise's offer from the answer to publication through the thread page's forms, the
congress vote refused below two thirds and passed above it; the page fits a phone."""

# ruff: noqa: F811 - the ``browser`` fixture is imported from test_browser and then requested

from __future__ import annotations

from datetime import date
from typing import Any

from gonghui.bargaining import services
from gonghui.bargaining.models import Status, Thread
from gonghui.core.identifiers import uscc_with_check
from gonghui.orgs.models import Enterprise

from .test_browser import Watch, browser, log_in, pytestmark, shot  # noqa: F401
from .test_browser_walk import overflow

STEPS = [
    ("answer", {"answered_on": "2020-04-10"}, "已回应"),
    ("schedule", {"talks_on": "2020-04-20"}, "已约定协商"),
    ("exchange", {"data_on": "2020-04-13"}, "已交换资料"),
    ("hold", {"held_on": "2020-04-20", "notes": "双方就工资增幅达成一致。"}, "协商中"),
    ("agree", {"draft_on": "2020-04-28"}, "草案已形成"),
]


def test_a_thread_from_answer_to_publication(
    browser: Any, live_server: Any, people: Any, tree: Any
) -> None:
    firm = Enterprise.objects.create(
        name="牡丹区恒达建材有限公司",
        uscc=uscc_with_check("91371702MA0000001"),
        county=tree.county_a,
        union=tree.union_a,
        headcount=120,
    )
    campaign = services.campaign_create(
        actor=people.city_cadre,
        org=tree.city,
        data={"title": "2020年集中要约行动", "starts_on": "2020-03-02", "ends_on": "2020-12-31"},
    )
    services.offer(
        actor=people.cadre_a, campaign=campaign, enterprises=[firm], offered_on=date(2020, 4, 1)
    )
    thread = Thread.objects.get()
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = Watch(page, base)
    log_in(page, base, "cadre_a")
    page.goto(f"{base}{thread.get_absolute_url()}")
    assert page.locator("[data-testid=due]").inner_text() == "2020-04-21"

    def step(name: str, fields: dict[str, str]) -> None:
        form = page.locator(f"[data-testid=step-{name}]")
        for field, value in fields.items():
            form.locator(f"[name='{name}-{field}']").fill(value)
        form.locator("button[type=submit]").click()
        page.wait_for_load_state("networkidle")

    for name, fields, status in STEPS:
        step(name, fields)
        assert page.locator("[data-testid=status]").inner_text() == status, name
    shot(page, "bargaining-01-draft")
    # the congress: 59 of 90 present is short of two thirds; the page says so, nothing moves
    step("vote", {"voted_on": "2020-05-08", "delegates": "90", "present": "59", "approving": "59"})
    assert "不足代表总数 90 人的三分之二" in page.content()
    assert page.locator("[data-testid=status]").inner_text() == "草案已形成"
    step("vote", {"voted_on": "2020-05-08", "delegates": "90", "present": "80", "approving": "70"})
    assert page.locator("[data-testid=status]").inner_text() == "职代会已通过"
    page.locator("[data-testid=step-sign] select[name='sign-years']").select_option("3")
    step("sign", {"signed_on": "2020-05-09", "min_wage": "1900", "wage_rise": "5"})
    assert page.locator("[data-testid=due]").inner_text() == "2020-05-19"  # file within 10 days
    step("file", {"filed_on": "2020-05-15"})
    step("review", {"reviewed_on": "2020-05-30"})
    step("publish", {"published_on": "2020-06-01"})
    assert page.locator("[data-testid=status]").inner_text() == "已公布生效"
    thread.refresh_from_db()
    assert thread.status == Status.PUBLISHED and thread.contract is not None
    assert thread.contract.ends_on == date(2023, 5, 8)
    # the contract page and the thread page on a phone
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert overflow(page) == ""
    page.goto(f"{base}{thread.contract.get_absolute_url()}")
    assert "牡丹区恒达建材有限公司" in page.content()
    assert overflow(page) == ""
    shot(page, "bargaining-02-contract-phone")
    watch.assert_clean()
