"""A hardship application end to end in Debian's Chromium, one logged-in context per role: the
worker tests their eligibility and applies on a 390 px phone through the portal and uploads
evidence; the grassroots union's clerk investigates, deliberates and posts the public notice,
records an objection received by letter and answers it; once the notice has run its five
working days the clerk reports the file up, and the county's cadre reviews it and sees the
category with its arithmetic. Every page fits the phone. Screenshots in test-artifacts/."""

# ruff: noqa: F811 - the ``browser`` fixture is imported from test_browser and then requested

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gonghui.assistance.models import Family, Status
from gonghui.core.identifiers import citizen_id_check_char
from gonghui.core.models import PublicNotice

from .test_assistance_files import dibao  # noqa: F401 - the fixture
from .test_browser import Watch, browser, log_in, pytestmark, shot  # noqa: F401
from .test_browser_walk import overflow

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
ID = "37170219850505123"
ID = ID + citizen_id_check_char(ID)


def _context(browser: Any, base: str, username: str, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    watch = Watch(page, base)
    log_in(page, base, username)
    return context, page, watch


def _submit(page: Any, selector: str) -> None:
    page.locator(selector).click()
    page.wait_for_load_state("networkidle")


def _step(page: Any, name: str, fields: dict[str, str] | None = None) -> None:
    form = page.locator(f"form[data-action={name}]")
    for field, value in (fields or {}).items():
        form.locator(f"[name='{name}-{field}']").fill(value)
    _submit(page, f"[data-testid=do-{name}]")


def test_apply_on_the_phone_and_the_union_takes_it_to_the_archive(
    browser: Any, live_server: Any, people: Any, tree: Any, dibao: None
) -> None:
    base = live_server.url
    # --- the worker, on a phone ----------------------------------------------------------------
    member, phone, member_watch = _context(browser, base, "member_a", PHONE)
    phone.goto(f"{base}/portal/assistance/")
    assert overflow(phone) == ""
    phone.goto(f"{base}/portal/assistance/check/")
    form = phone.locator("[data-testid=check-form]")
    form.locator("[name=household_size]").fill("3")
    form.locator("[name=household_income]").fill("18000")
    form.locator("[name=rigid_expenses]").fill("6000")
    _submit(phone, "[data-testid=check-form] button[type=submit]")
    result = phone.locator("[data-testid=check-result]")
    assert "深度困难" in result.inner_text()
    assert phone.locator("[data-testid=check-per-capita]").inner_text() == "333.33 元"
    assert overflow(phone) == ""
    shot(phone, "assistance-01-check-phone")
    assert Family.objects.count() == 0  # the self-test writes nothing

    phone.goto(f"{base}/portal/assistance/apply/")
    phone.fill("[name=name]", "吴磊")
    phone.fill("[name=id_number]", ID)
    phone.select_option("[name=main_cause]", "illness")
    phone.fill("[name=household_size]", "3")
    phone.fill("[name=household_income]", "18000")
    phone.fill("[name=rigid_expenses]", "6000")
    phone.fill("[name=bank_account]", "6217000011112222333")
    phone.check("[name=pledge]")
    assert overflow(phone) == ""
    _submit(phone, "form:has([name=pledge]) button[type=submit]")
    family = Family.objects.get()
    assert phone.url == f"{base}/portal/assistance/{family.pk}/"
    assert phone.locator("[data-testid=status]").inner_text() == "已申请"
    assert family.filed_by == people.member_a and family.org == tree.union_a
    upload = phone.locator("[data-testid=portal-attach]")
    upload.locator("[name=kind]").select_option("evidence")
    upload.locator("[name=file]").set_input_files(
        files=[
            {"name": "诊断证明.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%test\n"}
        ]  # fmt: skip
    )
    _submit(phone, "[data-testid=portal-attach] button[type=submit]")
    assert "诊断证明.pdf" in phone.content()
    assert family.attachments.count() == 1
    assert overflow(phone) == ""
    shot(phone, "assistance-02-applied-phone")

    # --- the grassroots union's clerk: investigation, deliberation, public notice -------------
    clerk, desk, clerk_watch = _context(browser, base, "clerk_a", DESK)
    desk.goto(f"{base}/assistance/{family.pk}/")
    assert "诊断证明.pdf" in desk.content()
    _step(
        desk,
        "investigate",
        {
            "investigation": "入户核实：本人患慢性病，配偶务农。",
            "household_size": "3",
            "household_income": "18000",
            "illness": "6000",
        },  # fmt: skip
    )
    assert desk.locator("[data-testid=status]").inner_text() == "已入户调查"
    _step(desk, "deliberate", {"note": "工会小组评议：同意纳入。"})
    assert desk.locator("[data-testid=status]").inner_text() == "已评议"
    _step(desk, "publish", {"days": "5"})
    assert desk.locator("[data-testid=status]").inner_text() == "公示中"
    # the notice page: an objection received by letter, recorded and answered
    desk.locator("[data-testid=notice] a").click()
    desk.wait_for_load_state("networkidle")
    desk.fill("[name=obj-text]", "其家庭有营业收入未申报。")
    desk.fill("[name=obj-name]", "来信人")
    _submit(desk, "form:has([name=obj-text]) button[type=submit]")
    objection = desk.locator("[data-testid^=objection-]")
    assert "其家庭有营业收入未申报。" in objection.inner_text()
    objection.locator("input[name=upheld][value='0']").check()
    objection.locator("[name=answer]").fill("经核实，营业执照已于去年注销，无经营收入。")
    _submit(desk, "[data-testid^=objection-] button[type=submit]")
    assert "异议不成立" in desk.locator("[data-testid^=objection-]").inner_text()
    shot(desk, "assistance-03-notice")
    # reporting up is refused while the notice runs
    desk.goto(f"{base}/assistance/{family.pk}/")
    _step(desk, "submit_review")
    assert "公示期满" in desk.content()
    assert desk.locator("[data-testid=status]").inner_text() == "公示中"
    # … five working days later
    today = timezone.localdate()
    PublicNotice.objects.update(
        starts_on=today - timedelta(days=20), ends_on=today - timedelta(days=12)
    )
    desk.reload()
    _step(desk, "submit_review")
    assert desk.locator("[data-testid=status]").inner_text() == "待上级审核"
    assert desk.locator("[data-testid=do-approve]").count() == 0  # not the union's own step

    # --- the county's cadre reviews: archived with the category and its arithmetic ------------
    cadre, review, cadre_watch = _context(browser, base, "cadre_a", DESK)
    review.goto(f"{base}/assistance/{family.pk}/")
    _step(review, "approve", {"note": "复核属实，同意建档。"})
    assert review.locator("[data-testid=status]").inner_text() == "已建档"
    assert review.locator("[data-testid=category]").inner_text() == "深度困难"
    assert review.locator("[data-testid=per-capita]").inner_text() == "333.33 元"
    assert "640.00" in review.locator("[data-testid=dibao]").inner_text()
    assert "低保" in review.locator("[data-testid=explanation]").inner_text()
    review.set_viewport_size(PHONE)
    review.reload()
    assert overflow(review) == ""
    shot(review, "assistance-04-archived-phone")
    family.refresh_from_db()
    assert (family.status, family.category) == (Status.ARCHIVED, "deep")

    # --- the worker follows it on the phone ---------------------------------------------------
    phone.reload()
    assert phone.locator("[data-testid=status]").inner_text() == "已建档"
    assert overflow(phone) == ""
    for watch in (member_watch, clerk_watch, cadre_watch):
        watch.assert_clean()
    for context in (member, clerk, cadre):
        context.close()
