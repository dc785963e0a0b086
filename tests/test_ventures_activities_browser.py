"""Parks and activities in Debian's Chromium on a phone (390 px): a county cadre registers a
park, a venture with its founder and a person it employs, and records the yearly review;
a member signs up for an activity and checks in from the page the door's QR code opens."""

# ruff: noqa: F811 - the ``browser`` fixture is imported from test_browser and then requested

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gonghui.activities import services as activities
from gonghui.activities.models import Signup
from gonghui.core.identifiers import citizen_id_check_char
from gonghui.members.services import member_create
from gonghui.ventures.models import Person, Review, Venture

from .test_browser import Watch, browser, log_in, pytestmark, shot  # noqa: F401
from .test_browser_walk import overflow


def ident(n: int) -> str:
    body = f"37170219880202{n:03d}"
    return body + citizen_id_check_char(body)


def test_a_county_registers_a_park_and_a_venture_on_a_phone(
    browser: Any, live_server: Any, people: Any, tree: Any
) -> None:
    base = live_server.url
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    watch = Watch(page, base)
    log_in(page, base, "cadre_a")
    page.goto(f"{base}/ventures/")
    assert overflow(page) == ""
    form = page.locator("[data-testid=park-form]")
    form.locator("[name=code]").fill("CYY-371702-01")
    form.locator("[name=name]").fill("牡丹区工友创业园")
    form.locator("[name=level]").select_option("municipal")
    form.locator("[name=host]").fill("牡丹区总工会")
    form.locator("[name=recognized_on]").fill("2020-05-01")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "牡丹区工友创业园"
    assert overflow(page) == ""
    form = page.locator("[data-testid=venture-form]")
    form.locator("[name=name]").fill("鑫源电商")
    form.locator("[name=industry]").select_option("F")
    form.locator("[name=started_on]").fill("2020-05-10")
    form.locator("[name=founder_name]").fill("王强")
    form.locator("[name=founder_id_number]").fill(ident(1))
    form.locator("[name=loans]").fill("100000")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=founder]").inner_text().startswith("王强")
    form = page.locator("[data-testid=person-form]")
    form.locator("[name=name]").fill("李梅")
    form.locator("[name=id_number]").fill(ident(2))
    form.locator("[name=started_on]").fill("2020-06-01")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "李梅" in page.locator("[data-testid=people]").inner_text()
    # a wrong ID number is named on the form, nothing is written
    form = page.locator("[data-testid=person-form]")
    form.locator("[name=name]").fill("错号")
    form.locator("[name=id_number]").fill("371702198802020000")
    form.locator("[name=started_on]").fill("2020-06-01")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "校验位" in page.locator("#field-id_number").inner_text()
    assert Person.objects.filter(name="错号").count() == 0
    watch.errors.clear()  # the refusal answered 422, as a refused form does
    watch.failed.clear()
    page.goto(f"{base}{Venture.objects.get().get_absolute_url()}")
    review = page.locator("[data-testid=review-form]")
    review.locator("[name=step]").select_option("confirm")
    review.locator("[name=year]").fill(str(timezone.localdate().year))
    review.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert Review.objects.get().employed == 2
    assert "正常经营" in page.locator("[data-testid=reviews]").inner_text()
    assert overflow(page) == ""
    shot(page, "ventures-01-venture-phone")
    watch.assert_clean()
    context.close()


def test_a_member_signs_up_and_checks_in_on_a_phone(
    browser: Any, live_server: Any, people: Any, tree: Any
) -> None:
    member = member_create(
        actor=people.admin, org=tree.union_a, data={"name": "吴磊", "id_number": ident(3)}
    )
    member.user = people.member_a
    member.save(update_fields=["user"])
    now = timezone.localtime()
    item = activities.activity_save(
        actor=people.cadre_a,
        org=tree.county_a,
        data={
            "title": "网络安全宣传周志愿活动",
            "kind": "volunteer",
            "place": "中华广场",
            "starts_at": now - timedelta(minutes=30),
            "ends_at": now + timedelta(hours=3),
            "capacity": 20,
            "hours": "4",
        },
    )
    base = live_server.url
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    watch = Watch(page, base)
    log_in(page, base, "member_a")
    page.goto(f"{base}/portal/activities/")
    page.locator("[data-testid=open] a").first.click()
    page.wait_for_load_state("networkidle")
    page.locator("[data-testid=signup]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=my-status]").inner_text() == "已报名"
    assert overflow(page) == ""
    page.goto(f"{base}/portal/activities/checkin/{item.checkin_token}/")
    page.locator("[data-testid=checkin]").click()
    page.wait_for_load_state("networkidle")
    assert "您已签到" in page.locator("[data-testid=checked-in]").inner_text()
    page.goto(f"{base}/portal/activities/")
    assert "志愿服务 4.0 小时" in page.locator("[data-testid=my-hours]").inner_text()
    assert overflow(page) == ""
    shot(page, "activities-01-portal-phone")
    assert Signup.objects.get().checked_in_by == "qr"
    watch.assert_clean()
    context.close()
    # the activity's page for the county cadre, with its QR code, fits the phone too
    staff = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = staff.new_page()
    watch = Watch(page, base)
    log_in(page, base, "cadre_a")
    page.goto(f"{base}{item.get_absolute_url()}")
    assert page.locator("[data-testid=qr]").evaluate("i => i.complete")  # loaded (Watch: no 4xx)
    assert "吴磊" in page.locator("[data-testid=confirmed]").inner_text()
    assert overflow(page) == ""
    watch.assert_clean()
    staff.close()
