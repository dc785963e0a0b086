"""Legal aid in Debian's Chromium, one logged-in context per role: a member applies from the
portal on a phone (390 px) and uploads a payslip; the county's centre checks the paperwork,
approves, assigns the lawyer and opens the letter of assignment; the lawyer, on a phone,
finds the case on their list, takes it, records a stage and sees the statutory dates; the
member follows the case. Then a legal question from the phone answered in its thread."""

# ruff: noqa: F811 - the ``browser`` fixture is imported from test_browser and then requested

from __future__ import annotations

from typing import Any

from gonghui.legal.models import Case, Consultation, Status

from .test_browser import Watch, browser, log_in, pytestmark, shot  # noqa: F401
from .test_browser_walk import overflow

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _as(browser: Any, base: str, username: str, viewport: dict[str, int]) -> tuple[Any, Any]:
    """A browser context of its own for one role, logged in: its page and its watch."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    watch = Watch(page, base)
    log_in(page, base, username)
    return page, watch


def _act(page: Any, action: str, fields: dict[str, str] | None = None) -> None:
    form = page.locator(f"form[data-action={action}]")
    for name, value in (fields or {}).items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.locator(f"[data-testid=do-{action}]").click()
    page.wait_for_load_state("networkidle")


def test_an_application_from_the_phone_through_the_centre_to_the_lawyer(
    browser: Any, live_server: Any, people: Any, tree: Any
) -> None:
    base = live_server.url
    member, member_watch = _as(browser, base, "member_a", PHONE)
    member.goto(f"{base}/portal/legal/apply/")
    assert overflow(member) == ""
    member.select_option("select[name=service]", "arbitration")
    member.fill("input[name=employer_name]", "菏泽某建材有限公司")
    member.fill("input[name=dispute_on]", "2026-10-08")
    member.fill("textarea[name=facts]", "公司拖欠我两个月工资，共计一万二千元。")
    member.fill("input[name=claim_item]", "拖欠工资")
    member.fill("input[name=claim_amount]", "12000")
    member.check("input[name=consent]")
    member.click("form:has(input[name=consent]) button[type=submit]")
    member.wait_for_load_state("networkidle")
    case = Case.objects.get()
    assert member.url.endswith(f"/portal/legal/cases/{case.pk}/")
    assert member.locator("[data-testid=status]").inner_text() == "已申请"
    member.set_input_files(
        "[data-testid=evidence-form] input[type=file]",
        files=[{"name": "工资条.png", "mimeType": "image/png", "buffer": PNG}],
    )
    member.click("[data-testid=evidence-form] button[type=submit]")
    member.wait_for_load_state("networkidle")
    assert "工资条.png" in member.content()
    assert overflow(member) == ""
    shot(member, "legal-01-applied-phone")

    # the county's centre: paperwork complete, approved, a lawyer assigned, the letter
    cadre, cadre_watch = _as(browser, base, "cadre_a", DESK)
    cadre.goto(f"{base}/legal/")
    cadre.click(f"text={case.number}")
    cadre.wait_for_load_state("networkidle")
    assert "工资条.png" in cadre.content()
    _act(cadre, "complete")
    assert cadre.locator("[data-testid=status]").inner_text() == "材料齐全"
    _act(cadre, "approve")
    assert cadre.locator("[data-testid=status]").inner_text() == "已批准"
    _act(cadre, "assign", {"lawyer": "lawyer_a"})
    assert cadre.locator("[data-testid=status]").inner_text() == "已指派"
    letter = cadre.request.get(base + cadre.locator("[data-testid=letter]").get_attribute("href"))
    assert letter.status in (200, 503)  # 503 only where no Chinese font is installed
    if letter.status == 200:
        assert letter.headers["content-type"] == "application/pdf"
        assert letter.body()[:5] == b"%PDF-"
    shot(cadre, "legal-02-assigned")

    # the lawyer, on a phone: the case on their own list, taken, a stage recorded
    lawyer, lawyer_watch = _as(browser, base, "lawyer_a", PHONE)
    lawyer.goto(f"{base}/legal/")
    assert case.number in lawyer.content()
    assert overflow(lawyer) == ""
    lawyer.click(f"text={case.number}")
    lawyer.wait_for_load_state("networkidle")
    _act(lawyer, "accept")
    assert lawyer.locator("[data-testid=status]").inner_text() == "办理中"
    # the labour law's clock: a year from the dispute to apply for arbitration
    limitation = lawyer.locator("[data-testid=limits] li[data-key=limitation]")
    assert "2027-10-08" in limitation.inner_text()
    form = lawyer.locator("[data-testid=stage-form]")
    form.locator("select[name=kind]").select_option("arbitration")
    form.locator("input[name=on]").fill("2026-11-02")
    form.locator("textarea[name=note]").fill("向劳动人事争议仲裁委员会提交仲裁申请。")
    form.locator("button[type=submit]").click()
    lawyer.wait_for_load_state("networkidle")
    assert "提交仲裁申请" in lawyer.locator("[data-testid=stages]").inner_text()
    # applied for arbitration: the commission's 5 days to accept replace the year's limit
    accept = lawyer.locator("[data-testid=limits] li[data-key=accept]")
    assert "2026-11-07" in accept.inner_text()
    assert lawyer.locator("[data-testid=limits] li[data-key=limitation]").count() == 0
    assert overflow(lawyer) == ""
    shot(lawyer, "legal-03-lawyer-phone")
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS and case.lawyer == people.lawyer_a

    # the member follows: the case is in progress, the lawyer named
    member.reload()
    assert member.locator("[data-testid=status]").inner_text() == "办理中"
    assert overflow(member) == ""
    # county B's cadre does not reach the case
    other, _ = _as(browser, base, "cadre_b", DESK)
    assert other.goto(f"{base}/legal/{case.pk}/").status == 404
    for watch in (member_watch, cadre_watch, lawyer_watch):
        watch.assert_clean()


def test_a_legal_question_from_the_phone_answered_in_its_thread(
    browser: Any, live_server: Any, people: Any, tree: Any
) -> None:
    base = live_server.url
    member, member_watch = _as(browser, base, "member_a", PHONE)
    member.goto(f"{base}/portal/legal/ask/?kind=legal")
    member.select_option("select[name=kind]", "legal")
    member.fill("input[name=subject]", "加班费怎么算")
    member.fill("textarea[name=text]", "周末加班公司只给调休，可以要加班费吗？")
    member.click("[data-testid=ask-form] button[type=submit]")
    member.wait_for_load_state("networkidle")
    consultation = Consultation.objects.get()
    assert consultation.assignee == people.lawyer_a
    assert overflow(member) == ""
    lawyer, lawyer_watch = _as(browser, base, "lawyer_a", PHONE)
    lawyer.goto(f"{base}/legal/consultations/{consultation.pk}/")
    assert "周末加班" in lawyer.content()
    lawyer.fill("[data-testid=reply-form] textarea[name=text]", "可以，休息日加班应先安排补休。")
    lawyer.click("[data-testid=reply-form] button[type=submit]")
    lawyer.wait_for_load_state("networkidle")
    member.reload()
    assert "应先安排补休" in member.content()
    assert overflow(member) == ""
    shot(member, "legal-04-consultation-phone")
    member_watch.assert_clean()
    lawyer_watch.assert_clean()
