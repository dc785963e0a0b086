"""The operator flow of the 12351 hotline in Debian's Chromium: a call filed from the
keyboard (autofocus, Tab, topic by code, Ctrl+Enter), dispatched to a county, accepted and
replied there with the wages recovered, called back, checked and closed; the queue with its
cards; the statistics charts; a consultation answered on the spot; a member filing and
following an order on a phone. Screenshots in test-artifacts/."""

# ruff: noqa: F811 - the ``browser`` fixture is imported from test_browser and then requested

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from gonghui.core.spreadsheets import iter_raw_rows
from gonghui.hotline.models import Status, Ticket

from .test_browser import CHROMIUM, Watch, browser, log_in, pytestmark, shot  # noqa: F401

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(autouse=True)
def topics(db: Any) -> None:
    """Transactional tests flush the tables after each test, data-migration rows included:
    seed the topic list and the deadline rules again (the seed writes only what is missing)."""
    seed = importlib.import_module("gonghui.hotline.migrations.0002_seed_topics_deadline_rules")
    seed.seed(apps, None)


def desk(browser: Any) -> Any:
    return browser.new_page(viewport=DESKTOP, locale="zh-CN")


def test_operator_files_dispatches_and_closes_an_order(
    browser: Any, live_server: Any, people: Any, tree: Any
) -> None:
    base = live_server.url
    op = desk(browser)
    watch = Watch(op, base)
    log_in(op, base, "operator")
    op.goto(f"{base}/hotline/")
    op.click("[data-testid=new-ticket]")
    op.locator("[data-testid=intake]").wait_for()
    # the cursor starts in the phone box; the form is filled in the order of the call
    assert op.evaluate("document.activeElement.name") == "caller_phone"
    # the on-the-spot box shows for consultations only
    assert op.locator("#field-answered").is_hidden()
    op.keyboard.type("13853012345")
    op.keyboard.press("Tab")
    assert op.evaluate("document.activeElement.name") == "caller_name"
    op.keyboard.type("王强")
    op.keyboard.press("Tab")
    assert op.evaluate("document.activeElement.name") == "category"
    op.select_option("select[name=category]", "demand")
    op.keyboard.press("Tab")
    assert op.evaluate("document.activeElement.name") == "topic"
    op.keyboard.type("0101")
    assert op.locator("[data-testid=topic-hint]").inner_text() == "→ 欠薪 › 拖欠工资"
    op.keyboard.press("Tab")
    op.keyboard.press("Tab")
    assert op.evaluate("document.activeElement.name") == "content"
    op.keyboard.type("公司拖欠三个月工资,共一万二千元,涉及三名工友。")
    shot(op, "hotline-01-intake")
    op.keyboard.press("Control+Enter")
    op.locator("[data-testid=timeline]").wait_for()
    ticket = Ticket.objects.get()
    assert ticket.topic.code == "0101"
    assert op.locator("[data-testid=caller-phone]").inner_text() == "138****2345"
    assert op.locator("[data-testid=status]").inner_text() == "已受理"
    shot(op, "hotline-02-order-received")

    # dispatch to county A from the order page
    form = op.locator("form[data-action=dispatch]")
    # the org is a picker: typed by pinyin initials, chosen from the list with the keyboard
    box = form.locator("input[name='dispatch-org']")
    assert box.get_attribute("role") == "combobox"
    box.click()
    box.press_sequentially("mdq")
    # focus listed the holder's two sub-unions; the initials leave one of them
    # (expect polls over the protocol: a wait_for_function string is an eval, which the
    # Content-Security-Policy refuses)
    expect(form.locator("[role=option]")).to_have_count(1)
    form.locator("[role=option]", has_text="牡丹区总工会").wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    box.press("Enter")  # chooses; does not submit
    assert box.input_value() == "牡丹区总工会（菏泽市总工会）"
    assert box.get_attribute("aria-expanded") == "false"
    form.locator("textarea[name='dispatch-note']").fill("请牡丹区总工会核实处理")
    form.locator("[data-testid=do-dispatch]").click()
    op.locator(".alert.success").wait_for()
    assert op.locator("[data-testid=handler-org]").inner_text() == "牡丹区总工会"
    watch.assert_clean()

    # county A: the order waits in its queue, with a red card once overdue
    Ticket.objects.filter(pk=ticket.pk).update(card="red")
    county = desk(browser)
    county_watch = Watch(county, base)
    log_in(county, base, "cadre_a")
    county.goto(f"{base}/hotline/")
    row = county.locator(f"tr[data-number='{ticket.number}']")
    assert row.locator("[data-card=red]").is_visible()
    shot(county, "hotline-03-queue-red-card")
    row.locator("a").first.click()
    county.locator("[data-testid=do-accept]").click()
    county.locator(".alert.success").wait_for()
    # a step not allowed now is not offered; a wrong input is shown on its form
    assert county.locator("[data-testid=do-accept]").count() == 0
    reply = county.locator("form[data-action=reply]")
    reply.locator("[data-testid=do-reply]").click()
    county.locator("[data-testid=action-error]").wait_for()
    shot(county, "hotline-04-reply-error")
    reply = county.locator("form[data-action=reply]")
    reply.locator("textarea[name='reply-result']").fill("已督促企业足额支付拖欠工资。")
    reply.locator("input[name='reply-wages_recovered']").fill("12000")
    reply.locator("input[name='reply-workers']").fill("3")
    reply.locator("[data-testid=do-reply]").click()
    county.locator(".alert.success").wait_for()
    assert county.locator("[data-testid=status]").inner_text() == "已办结反馈"
    county_watch.assert_clean()
    county.close()

    # the operator calls the worker back, checks and closes
    op.reload()
    op.locator("form[data-action=callback] input[value=satisfied]").check()
    op.click("[data-testid=do-callback]")
    op.locator(".alert.success").wait_for()
    op.locator("form[data-action=check] input[value=yes]").check()
    op.click("[data-testid=do-check]")
    op.locator(".alert.success").wait_for()
    op.click("[data-testid=do-close]")
    op.locator(".alert.success").wait_for()
    assert op.locator("[data-testid=status]").inner_text() == "已结案"
    assert op.locator("[data-testid=no-actions]").is_visible()
    steps = op.locator("[data-testid=timeline] li").evaluate_all(
        "els => els.map(e => e.dataset.action)"
    )
    assert steps == ["create", "dispatch", "accept", "reply", "callback", "check", "close"]
    shot(op, "hotline-05-order-closed")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert str(ticket.wages_recovered) == "12000.00"

    # statistics of the city: figures, ECharts charts drawn, tables
    op.goto(f"{base}/hotline/stats/")
    op.locator("[data-testid=chart-category][data-drawn=true]").wait_for()
    op.locator("[data-testid=chart-county][data-drawn=true] svg").first.wait_for()
    assert op.locator("[data-key=closed] .stat-value").inner_text().startswith("1")
    assert "牡丹区总工会" in op.locator("[data-testid=table-county]").inner_text()
    shot(op, "hotline-06-stats")
    # the same statistics as a workbook, downloaded from the page
    with op.expect_download() as saving:
        op.click("[data-testid=stats-export]")
    workbook = CalamineWorkbook.from_path(saving.value.path())
    assert workbook.sheet_names == ["汇总", "按类别", "按县区", "按诉求主题"]
    counties = workbook.get_sheet_by_name("按县区").to_python()
    assert "牡丹区总工会" in [row[0] for row in counties]
    # and the queue's closed orders as a spreadsheet, callers masked
    op.goto(f"{base}/hotline/?tab=closed")
    with op.expect_download() as saving:
        op.click("[data-testid=export-xlsx]")
    rows = list(iter_raw_rows(saving.value.path()))
    assert [row[0] for row in rows[1:]] == [ticket.number]
    assert "王*" in rows[1] and "13853012345" not in rows[1]
    watch.assert_clean()
    op.close()


def test_consultation_answered_on_the_spot(
    browser: Any, live_server: Any, people: Any, tree: Any
) -> None:
    base = live_server.url
    op = desk(browser)
    watch = Watch(op, base)
    log_in(op, base, "operator")
    op.goto(f"{base}/hotline/new/")
    op.fill("input[name=caller_phone]", "13705300001")
    op.fill("input[name=caller_name]", "李娜")
    op.select_option("select[name=category]", "consult")
    assert op.locator("#field-answered").is_visible()
    assert op.locator("#field-answer").is_hidden()
    op.fill("input[name=topic]", "试用期")
    op.fill("textarea[name=content]", "试用期最长可以约定多久?")
    op.check("input[name=answered]")
    op.fill("textarea[name=answer]", "劳动合同期限三年以上的,试用期不得超过六个月。")
    shot(op, "hotline-07-consult-on-the-spot")
    op.press("textarea[name=answer]", "Control+Enter")
    op.locator("[data-testid=answer]").wait_for()
    assert op.locator("[data-testid=status]").inner_text() == "已结案"
    assert Ticket.objects.get().answered_on_spot is True
    watch.assert_clean()
    op.close()


def test_member_files_and_follows_an_order_on_a_phone(
    browser: Any, live_server: Any, people: Any, tree: Any
) -> None:
    base = live_server.url
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = ctx.new_page()
    watch = Watch(page, base)
    log_in(page, base, "member_a")
    page.goto(f"{base}/portal/")
    page.click("a[href='/portal/hotline/']")
    page.click("[data-testid=portal-new-ticket]")
    page.select_option("select[name=category]", "demand")
    page.fill("input[name=topic]", "欠薪")
    page.fill("textarea[name=content]", "老板拖欠两个月工资。")
    page.fill("input[name=caller_phone]", "13705300002")
    shot(page, "hotline-08-portal-file")
    page.click("[data-testid=portal-ticket-form] button[type=submit]")
    page.locator("[data-testid=timeline]").wait_for()
    assert page.locator("[data-testid=status]").inner_text() == "已受理"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "hotline-09-portal-order")
    watch.assert_clean()
    ctx.close()
