"""The QR join flow end to end in Debian's Chromium: the clerk's QR code, a worker's three
phone screens, the clerk's approval and portal login, the member's e-card and its public
check; plus the roster's live search and an audited reveal. Screenshots in test-artifacts/."""

# ruff: noqa: F811 - the ``browser`` fixture is imported from test_browser and then requested

from __future__ import annotations

import re
from typing import Any

from gonghui.core.identifiers import citizen_id_check_char
from gonghui.core.models import AuditEntry
from gonghui.members.models import JoinApplication, Member
from gonghui.members.services import member_create

from .test_browser import CHROMIUM, Watch, browser, log_in, pytestmark, shot  # noqa: F401

ID_ZHAO = "37170219920304561" + citizen_id_check_char("37170219920304561")
ID_WANG = "37170219900101123" + citizen_id_check_char("37170219900101123")


# The interface answers in the browser's language; these pages are checked in Chinese.
def phone(browser: Any) -> Any:
    return browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )


def fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_qr_join_flow_end_to_end(browser: Any, live_server: Any, people: Any, tree: Any) -> None:
    base = live_server.url
    # the clerk prints the union's QR code
    clerk = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    clerk_watch = Watch(clerk, base)
    log_in(clerk, base, "clerk_a")
    clerk.goto(f"{base}/members/qr/G-A-0001/")
    assert clerk.locator("[data-testid=qr] svg").is_visible()
    join_url = clerk.locator("[data-testid=join-url]").inner_text()
    assert join_url == f"{base}/join/G-A-0001/"
    shot(clerk, "members-01-qr")

    # a worker scans it: three screens on a phone, no login
    worker_ctx = phone(browser)
    worker = worker_ctx.new_page()
    worker_watch = Watch(worker, base)
    worker.goto(join_url)
    assert "甲公司工会" in worker.content()
    fits(worker)
    shot(worker, "members-02-join-1")
    worker.fill("input[name=name]", "赵磊")
    worker.fill("input[name=id_number]", ID_ZHAO[:-1] + ("0" if ID_ZHAO[-1] != "0" else "1"))
    worker.click("button.primary")
    worker.locator("#field-id_number .errorlist").wait_for()
    shot(worker, "members-03-join-1-error")
    worker.fill("input[name=id_number]", ID_ZHAO)
    worker.click("button.primary")
    worker.locator("[data-testid=join-step-2]").wait_for()
    worker.fill("input[name=phone]", "13705300001")
    worker.fill("input[name=employer_name]", "甲公司")
    worker.select_option("select[name=worker_type]", "gig")
    fits(worker)
    shot(worker, "members-04-join-2")
    worker.click("button.primary")
    worker.locator("[data-testid=join-step-3]").wait_for()
    assert "137****0001" in worker.content()
    fits(worker)
    shot(worker, "members-05-join-3")
    worker.check("input[name=consent]")
    worker.click("button.primary")
    worker.locator("[data-testid=join-done]").wait_for()
    shot(worker, "members-06-join-done")
    worker_watch.assert_clean()
    worker_ctx.close()
    assert JoinApplication.objects.get().name == "赵磊"

    # the clerk approves and opens the member's portal login
    clerk.goto(f"{base}/members/")
    assert clerk.locator("[data-testid=pending-count]").inner_text() == "1"
    clerk.goto(f"{base}/members/applications/")
    shot(clerk, "members-07-approval-queue")
    clerk.locator("[data-testid^=approve-]").click()
    clerk.wait_for_load_state("networkidle")
    assert "已批准" in clerk.content()
    member = Member.objects.get(name="赵磊")
    clerk.goto(f"{base}/members/{member.pk}/")
    assert "入会" in clerk.locator("[data-testid=history]").inner_text()
    clerk.click("[data-testid=open-account]")
    clerk.locator("[data-testid=account-created]").wait_for()
    username = clerk.locator("[data-testid=account-username]").inner_text()
    password = clerk.locator("[data-testid=account-password]").inner_text()
    shot(clerk, "members-08-account")
    clerk_watch.assert_clean()
    clerk.close()

    # the member logs in on the phone and shows the e-card
    member_ctx = phone(browser)
    page = member_ctx.new_page()
    watch = Watch(page, base)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{base}/portal/")
    page.click("a[href='/portal/card/']")
    page.locator("[data-testid=e-card]").wait_for()
    assert "赵磊" in page.content() and "甲公司工会" in page.content()
    assert page.locator("[data-testid=card-qr] svg").is_visible()
    fits(page)
    shot(page, "members-09-e-card")
    verify_url = page.locator("[data-testid=card-qr]").get_attribute("data-url")
    watch.assert_clean()
    member_ctx.close()

    # anyone scanning the card sees a masked name, the union and the status
    checker_ctx = phone(browser)
    check = checker_ctx.new_page()
    check.goto(verify_url)
    text = check.locator("[data-testid=verify]").inner_text()
    assert "赵*" in text and "甲公司工会" in text and "有效会员" in text
    assert "赵磊" not in check.content()
    shot(check, "members-10-verify")
    checker_ctx.close()


def test_cadre_searches_live_and_reveals(
    browser: Any, live_server: Any, people: Any, tree: Any
) -> None:
    member_create(
        actor=people.clerk_a,
        org=tree.union_a,
        data={
            "name": "王强",
            "id_number": ID_WANG,
            "phone": "13853012345",
            "joined_on": "2015-03-01",
        },
    )
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = Watch(page, base)
    log_in(page, base, "cadre_a")
    page.goto(f"{base}/members/")
    page.fill("input[name=q]", "lw")  # nobody: the live results empty out
    page.locator("[data-testid=results] >> text=没有符合条件的会员").wait_for()
    page.fill("input[name=q]", "wq")
    page.locator("[data-testid=results] >> text=王强").wait_for()
    assert re.search(r"\*{14}" + ID_WANG[-4:], page.locator("[data-testid=results]").inner_text())
    page.wait_for_url("**/members/?q=wq**")
    shot(page, "members-11-search")
    page.locator("[data-testid=results] >> text=王强").click()
    page.wait_for_load_state("networkidle")
    assert ID_WANG not in page.content()
    page.fill("input[name=reason]", "核对身份")
    page.click("[data-testid=reveal]")
    page.locator("[data-testid=revealed]").wait_for()
    assert ID_WANG in page.locator("[data-testid=revealed]").inner_text()
    shot(page, "members-12-revealed")
    watch.assert_clean()
    page.close()
    assert AuditEntry.objects.filter(action="member.reveal").count() == 1


def test_a_full_number_typed_in_the_live_search_never_travels_in_an_address(
    browser: Any, live_server: Any, people: Any, tree: Any
) -> None:
    """Issue 10, finding 2 (and 4's access logs): the live search (GET) keeps whole numbers
    and long digit runs to itself; pressing Enter sends the number to the look-up by POST."""
    member = member_create(
        actor=people.clerk_a,
        org=tree.union_a,
        data={"name": "王强", "id_number": ID_WANG, "joined_on": "2015-03-01"},
    )
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = Watch(page, base)
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    log_in(page, base, "cadre_a")
    page.goto(f"{base}/members/")
    page.fill("input[name=q]", ID_WANG)
    page.wait_for_timeout(800)  # longer than the live search's 300 ms delay
    page.press("input[name=q]", "Enter")
    page.locator("[data-testid=lookup-results]").wait_for()
    assert f'href="/members/{member.pk}/"' in page.content()
    assert ID_WANG not in page.content()
    assert [u for u in urls if ID_WANG[-8:] in u] == []
    shot(page, "members-13-lookup")
    watch.assert_clean()
    page.close()
    assert AuditEntry.objects.filter(action="member.lookup").count() == 1
