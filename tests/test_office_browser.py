"""A document's approval in Debian's Chromium: the city cadre drafts a notice, sends it
through 核稿 and 签发 on the document page, reads its number, distributes it to a county; the
county cadre signs for it and the city sees the receipt; the office's pages fit a phone."""

# ruff: noqa: F811 - the ``browser`` fixture is imported from test_browser and then requested

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gonghui.office import services
from gonghui.office.models import Document, Receipt, Submission

from .test_browser import Watch, browser, log_in, pytestmark, shot  # noqa: F401
from .test_browser_walk import overflow


def test_a_document_through_its_approval_to_its_receipt(
    browser: Any, live_server: Any, people: Any, tree: Any
) -> None:
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = Watch(page, base)
    log_in(page, base, "city_cadre")
    page.goto(f"{base}/office/documents/new/")
    form = page.locator("[data-testid=document-form]")
    form.locator("[name=title]").fill("关于开展职工书屋建设的通知")
    form.locator("[name=doc_type]").select_option("notice")
    form.locator("[name=urgency]").select_option("urgent")
    form.locator("[name=body]").fill("各县区总工会：请于十月底前完成职工书屋建设。")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=status]").inner_text() == "草稿"
    for step, status in (("submit", "待核稿"), ("pass1", "待签发"), ("pass2", "已签发")):
        page.locator(f"[data-testid=step-{step}]").click()
        page.wait_for_load_state("networkidle")
        assert page.locator("[data-testid=status]").inner_text() == status, step
    year = timezone.localdate().year
    assert page.locator("[data-testid=number]").inner_text() == f"菏工发〔{year}〕1号"
    distribute = page.locator("[data-testid=distribute]")
    distribute.locator("input[name=orgs][value='371702']").check()
    distribute.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "已分发给 1 个单位" in page.content()
    doc = Document.objects.get()
    assert doc.status == "sent"
    shot(page, "office-01-document")

    county = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    county_watch = Watch(county, base)
    log_in(county, base, "cadre_a")
    county.goto(f"{base}/office/")
    assert county.locator("[data-testid=unsigned-count]").inner_text() == "1"
    county.goto(f"{base}{doc.get_absolute_url()}")
    assert overflow(county) == ""
    county.locator("[data-testid=sign]").click()
    county.wait_for_load_state("networkidle")
    assert "已签收" in county.content()
    assert Receipt.objects.get().signed_by == people.cadre_a
    shot(county, "office-02-signed-phone")

    page.reload()
    assert "已签收 1 / 1" in page.content()
    watch.assert_clean()
    county_watch.assert_clean()


def test_office_pages_fit_a_phone(browser: Any, live_server: Any, people: Any, tree: Any) -> None:
    from datetime import datetime

    doc = services.document_create(
        actor=people.cadre_a, data={"title": "关于报送职工书屋名单的通知", "doc_type": "notice"}
    )
    call = services.call_create(
        actor=people.city_cadre,
        data={
            "title": "职工书屋建设情况",
            "columns": "单位名称|文本|必填\n职工书屋数|整数|必填\n建成日期|日期",
            "deadline": timezone.localdate() + timedelta(days=5),
        },
        kinds=["county"],
    )
    sub = Submission.objects.get(call=call, org=tree.county_a)
    task = services.task_create(
        actor=people.city_cadre,
        owner=tree.county_a,
        data={"title": "报送职工书屋名单", "workdays": 3},
    )
    meeting = services.meeting_create(
        actor=people.cadre_a,
        data={"title": "县区工作会议", "starts_at": datetime(2020, 9, 18, 9, 0)},
        orgs=[tree.union_a],
    )
    base = live_server.url
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    watch = Watch(page, base)
    log_in(page, base, "cadre_a")
    for url in (
        "/office/",
        "/office/documents/",
        "/office/documents/?tab=sent",
        doc.get_absolute_url(),
        "/office/incoming/",
        "/office/notices/",
        "/office/calls/",
        sub.get_absolute_url(),
        "/office/tasks/",
        task.get_absolute_url(),
        "/office/meetings/",
        meeting.get_absolute_url(),
    ):
        page.goto(f"{base}{url}")
        assert overflow(page) == "", url
    # the county fills the call on the phone and sends it
    page.goto(f"{base}{sub.get_absolute_url()}")
    fill = page.locator("[data-testid=fill]")
    fill.locator("[name='r1-c1']").fill("牡丹区总工会")
    fill.locator("[name='r1-c2']").fill("12")
    fill.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    page.locator("[data-testid=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=status]").inner_text() == "已报送"
    shot(page, "office-03-call-phone")
    watch.assert_clean()
