"""Every page a role reaches from its navigation, on a phone (390 px) and a laptop (1366 px),
in Debian's Chromium: no horizontal overflow, no console error, no 4xx/5xx.

One logged-in browser context per role; the pages are the role's navigation, the links of its
home page, and one page of each kind linked from those (an org, a member, an order, a figure's
records …), so that a new page joins the walk by being linked. Downloads and the API are left
out. Skips without ``chromium`` unless ``GONGHUI_REQUIRE_BROWSER=1`` (see test_browser.py).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.test_browser import CHROMIUM, Watch, browser, log_in  # noqa: F401 - the fixture
from tests.test_hotline_browser import topics  # noqa: F401 - the fixture (autouse)

from .conftest import make_user
from .test_hotline_pages import new_ticket, step
from .test_members_api import ID_LI
from .test_reports_figures import seed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]

WIDTHS = (390, 1366)
ROLES = ("admin", "city_cadre", "leader", "operator", "clerk_a", "lawyer_a", "counsellor_a",
         "member_a")  # fmt: skip
# not pages: downloads, the API, logging out, switching language
SKIP = re.compile(
    r"^/(api/|i18n/|logout/)|\.(xlsx|csv|pdf)$|/export[./]|/download[./]|/template[./]|/rejected|/errors"
    r"|/files/\d+/$|/reveal/$"
)


def kind_of(url: str) -> str:
    """A page's kind: its path without the query and with ids, codes and keys taken out
    (/orgs/371700/ and /orgs/P-A/ are one kind, as are /reports/figures/members.joined/ and
    /reports/figures/hotline.closed/)."""
    return re.sub(r"/[^/]*[\d.][^/]*(?=/)", "/N", urlsplit(url).path)


def links(page: Any, base: str) -> list[str]:
    # a link marked ``download`` is a file to save, not a page
    hrefs = page.eval_on_selector_all("a[href]:not([download])", "els => els.map(e => e.href)")
    out = []
    for href in hrefs:
        parts = urlsplit(href)
        if not href.startswith(base) or SKIP.search(parts.path):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def overflow(page: Any) -> str:
    """'' when the page fits its width, else the width and the widest elements."""
    return str(
        page.evaluate(
            """() => {
              const w = document.documentElement.clientWidth;
              if (document.documentElement.scrollWidth <= w) return "";
              const wide = [...document.querySelectorAll("body *")]
                .filter(e => e.getBoundingClientRect().right > w + 1)
                .slice(0, 3).map(e => e.tagName + "." + e.className + " " +
                  Math.round(e.getBoundingClientRect().right));
              return document.documentElement.scrollWidth + "px: " + wide.join(", ");
            }"""
        )
    )


def walk(chromium: Any, base: str, username: str) -> list[str]:
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    watch = Watch(page, base)
    problems: list[str] = []
    log_in(page, base, username)
    home = urlsplit(page.url).path
    nav = page.eval_on_selector_all(".nav a[href]", "els => els.map(e => e.getAttribute('href'))")
    # the home page and the navigation are walked in full, with the links they hold; of the
    # pages those link to, one of each kind
    first_level = {home, *(u for u in nav if not SKIP.search(u))}
    todo = [home, *sorted(first_level - {home})]
    seen: set[str] = set()
    kinds: set[str] = set()
    while todo:
        url = todo.pop(0)
        kind = kind_of(url)
        if url in seen or (url not in first_level and kind in kinds):
            continue
        seen.add(url)
        kinds.add(kind)
        page.set_viewport_size({"width": WIDTHS[-1], "height": 900})
        response = page.goto(base + url, wait_until="load")
        status = response.status if response is not None else 0
        if status >= 400:
            problems.append(f"{username} {url}: HTTP {status}")
            continue
        # the same page at each width: the layout follows the viewport as a phone's would
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            # two frames: the page's resize handlers (the charts redraw) run before measuring
            page.evaluate(
                "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
            )
            if wide := overflow(page):
                problems.append(f"{username} {url} at {width} px overflows to {wide}")
        if url in first_level:
            todo += [u for u in links(page, base) if u not in seen]
    problems += [f"{username}: console {e}" for e in watch.errors]
    problems += [f"{username}: {f}" for f in watch.failed]
    problems += [f"{username}: foreign request {f}" for f in watch.foreign]
    context.close()
    assert len(seen) > 1, f"{username} reached no page beyond {home}"
    return problems


TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def test_every_page_of_every_role_fits_a_phone_and_a_laptop(
    browser: Any,  # noqa: F811 - the fixture of test_browser.py
    live_server: Any,
    people: Any,
    tree: Any,
) -> None:
    seed(tree, people)
    make_user("counsellor_a", "counsellor", tree.county_a)
    from gonghui.members.services import join_apply

    join_apply(org=tree.union_a, data={"name": "李红", "id_number": ID_LI, "phone": "13700001234"})
    ticket = new_ticket(people.operator)
    step(people.operator, ticket, "dispatch", org=tree.county_a.code, note="请核实处理")
    new_ticket(people.operator, caller_name="张伟")
    problems: list[str] = []
    for username in ROLES:
        problems += walk(browser, live_server.url, username)
    assert problems == [], "\n".join(problems)
