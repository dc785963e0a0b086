"""Union fees in Debian's Chromium, one logged-in context per role: the county's finance cadre
imports the tax bureau's collection sheet (a bad row listed by its number), the enterprise's
union applies for the refund on a phone (390 px) and reads why it is eligible, the cadre
reviews the round's refund list, checks and approves the application and produces the
letter (PDF); another county's cadre does not reach it."""

# ruff: noqa: F811 - the ``browser`` fixture is imported from test_browser and then requested

from __future__ import annotations

import importlib
import io
from datetime import date, timedelta
from typing import Any

import openpyxl
from django.utils import timezone

from gonghui.funds import services
from gonghui.funds.models import FeeLine, RefundApplication

from .test_browser import Watch, browser, log_in, pytestmark, shot  # noqa: F401
from .test_browser_walk import overflow
from .test_funds_core import enterprise

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


def _as(browser: Any, base: str, username: str, viewport: dict[str, int]) -> tuple[Any, Any]:
    context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    watch = Watch(page, base)
    log_in(page, base, username)
    return page, watch


def _sheet(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["统一社会信用代码", "纳税人名称", "所属期", "工资总额", "实缴金额"])
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _size_standard() -> None:
    """The 2011 standard's rule table, as its data migration loads it: a transactional test
    before this one (every browser test is one) empties the tables when it ends."""
    from django.apps import apps

    seed = importlib.import_module("gonghui.funds.migrations.0002_seed_size_standard_2011")
    seed.forwards(apps, None)


def test_collection_sheet_to_refund_letter(
    browser: Any, live_server: Any, people: Any, tree: Any
) -> None:
    _size_standard()
    today = timezone.localdate()
    policy = services.policy_create(
        by=people.admin, name="2020—2021年小微企业工会经费全额返还",
        starts_on=date(2020, 1, 1), ends_on=date(2021, 12, 31),
    )  # fmt: skip
    round = services.round_create(
        policy=policy, by=people.admin, name="2020年上半年", period_start=date(2020, 1, 1),
        period_end=date(2020, 6, 1), opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
    )  # fmt: skip
    firm = enterprise(tree, people, 1)
    services.size_record(
        enterprise=firm, year=2019, industry_code="C13", employees=50, revenue=800, assets=100,
        by=people.cadre_a,
    )  # fmt: skip
    base = live_server.url

    # the finance cadre imports January–June of the tax bureau's sheet, one row broken
    cadre, cadre_watch = _as(browser, base, "cadre_a", DESK)
    cadre.goto(f"{base}/funds/imports/")
    rows: list[list[Any]] = [
        [firm.uscc, firm.name, f"2020-{m:02d}", 100000, 2000] for m in range(1, 7)
    ]
    rows.append(["91371702XXXXXXXXX1", "某公司", "2020-01", 1000, 20])
    form = cadre.locator("[data-testid=import-form]")
    form.locator("input[name=county]").fill("371702")
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "税务征收数据2020上半年.xlsx", "mimeType": "application/octet-stream",
                "buffer": _sheet(rows)}]
    )  # fmt: skip
    form.locator("button[type=submit]").click()
    cadre.wait_for_load_state("networkidle")
    counts = cadre.locator("[data-testid=counts]").inner_text()
    assert "入账 6 行" in counts and "未入账 1 行" in counts
    assert "统一社会信用代码不正确" in cadre.locator("[data-testid=problems]").inner_text()
    assert FeeLine.objects.filter(enterprise=firm).count() == 6
    shot(cadre, "funds-01-imported")

    # the union's clerk applies on a phone and reads the reasoning
    clerk, clerk_watch = _as(browser, base, "clerk_a", PHONE)
    clerk.goto(f"{base}/funds/rounds/{round.pk}/")
    clerk.click("[data-testid=apply-link]")
    clerk.wait_for_load_state("networkidle")
    apply = clerk.locator("[data-testid=apply-form]")
    apply.locator("input[name=enterprise]").fill(firm.uscc)
    apply.locator("input[name=bank_name]").fill("中国工商银行菏泽分行")
    apply.locator("input[name=bank_account]").fill("6222021234567890123")
    apply.locator("button[type=submit]").click()
    clerk.wait_for_load_state("networkidle")
    app = RefundApplication.objects.get()
    explanation = clerk.locator("[data-testid=explanation]").inner_text()
    assert "划为小型企业" in explanation and "4800.00" in explanation
    assert "6222021234567890123" not in clerk.content()  # the account is masked
    assert overflow(clerk) == ""
    shot(clerk, "funds-02-applied-phone")

    # the cadre reviews the round's list, checks, approves and produces the letter
    cadre.goto(f"{base}/funds/rounds/{round.pk}/")
    listed = cadre.locator("[data-testid=applications]").inner_text()
    assert app.number in listed and firm.name in listed and "4800.00" in listed
    cadre.click(f"text={app.number}")
    cadre.wait_for_load_state("networkidle")
    for step, status in (("check", "checked"), ("approve", "approved")):
        cadre.click(f"[data-testid=do-{step}]")
        cadre.wait_for_load_state("networkidle")
        assert cadre.locator("[data-testid=status]").get_attribute("data-status") == status
    href = cadre.locator("[data-testid=letter]").get_attribute("href")
    letter = cadre.request.get(base + href)
    assert letter.status in (200, 503)  # 503 only where no Chinese font is installed
    if letter.status == 200:
        assert letter.body()[:5] == b"%PDF-"
    cadre.set_viewport_size(PHONE)
    cadre.reload()
    assert overflow(cadre) == ""
    shot(cadre, "funds-03-approved")
    app.refresh_from_db()
    assert app.status == "approved" and app.decided_by == people.cadre_a

    # another county's cadre: the application answers as if it did not exist
    other, _ = _as(browser, base, "cadre_b", DESK)
    assert other.goto(f"{base}/funds/applications/{app.pk}/").status == 404
    cadre_watch.assert_clean()
    clerk_watch.assert_clean()
