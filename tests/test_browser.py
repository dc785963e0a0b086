"""Browser walk of the main pages in Debian's Chromium, driven by Playwright.

Screenshots go to ``test-artifacts/``. Every request the pages make must stay on the app's
own host (no CDN) and no page may log a console error. Without ``chromium`` on the PATH these
tests skip, unless ``GONGHUI_REQUIRE_BROWSER=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD

CHROMIUM = shutil.which("chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

if CHROMIUM is None and os.environ.get("GONGHUI_REQUIRE_BROWSER") == "1":
    raise RuntimeError("GONGHUI_REQUIRE_BROWSER=1 but Debian's chromium is not installed")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself (fixtures) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


class Watch:
    """Collects console errors and requests that leave the app's host."""

    def __init__(self, page: Any, base: str) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.failed: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on(
            "request",
            lambda r: None if r.url.startswith((base, "data:")) else self.foreign.append(r.url),
        )
        page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))

    def assert_clean(self) -> None:
        assert self.errors == []
        assert self.foreign == []
        assert self.failed == []


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_cadre_walks_the_tree_and_creates_an_org(
    browser: Any, live_server: Any, people: Any, tree: Any
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = Watch(page, live_server.url)
    log_in(page, live_server.url, "city_cadre")
    assert page.url.rstrip("/") == live_server.url
    assert "菏泽市总工会" in page.content()
    shot(page, "01-home")

    page.goto(f"{live_server.url}/orgs/")
    assert page.locator("text=牡丹区总工会").first.is_visible()
    shot(page, "02-tree")

    # the tree expands in place through htmx
    page.locator("[data-testid=expand-371702]").click()
    page.locator("text=牡丹街道工会").first.wait_for()
    shot(page, "03-tree-expanded")

    # live search
    page.fill("input[name=q]", "乙公司")
    page.locator("#search-results >> text=乙公司工会").first.wait_for()
    shot(page, "04-search")

    page.goto(f"{live_server.url}/orgs/371702/")
    assert "牡丹街道工会" in page.content()
    shot(page, "05-org-page")

    page.goto(f"{live_server.url}/orgs/371702/new/")
    page.fill("input[name=code]", "371702099")
    page.fill("input[name=name]", "测试街道工会")
    page.select_option("select[name=kind]", "township")
    page.click("form:has(input[name=code]) button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "测试街道工会" in page.content()
    shot(page, "06-org-created")

    page.goto(f"{live_server.url}/audit/")
    assert "org.create" in page.content() or "新建" in page.content()
    shot(page, "07-audit")

    page.goto(f"{live_server.url}/users/")
    assert "cadre_a" in page.content()
    shot(page, "08-users")
    watch.assert_clean()
    page.close()

    from gonghui.orgs.models import Org

    assert Org.objects.get(code="371702099").parent == tree.county_a


def test_member_sees_the_portal_on_a_phone(browser: Any, live_server: Any, people: Any) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    watch = Watch(page, live_server.url)
    log_in(page, live_server.url, "member_a")
    assert "/portal/" in page.url
    assert "甲公司工会" in page.content()
    # the page fits a phone: nothing wider than the viewport
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    shot(page, "09-portal-phone")
    watch.assert_clean()
    response = page.goto(f"{live_server.url}/orgs/371702/")
    assert response is not None and response.status == 404
    assert "牡丹区总工会" not in page.content()
    context.close()


def test_cadre_of_another_county_is_refused_in_the_browser(
    browser: Any, live_server: Any, people: Any
) -> None:
    page = browser.new_page(locale="zh-CN")
    log_in(page, live_server.url, "cadre_b")
    response = page.goto(f"{live_server.url}/orgs/G-A-0001/")
    assert response is not None and response.status == 404
    assert "甲公司工会" not in page.content()
    page.close()
