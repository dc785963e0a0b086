"""A craftsman round (菏泽工匠) in Debian's Chromium, every page at 390 px: a grassroots clerk
nominates a member of the registry, the county passes the nominee up, the city closes the
nominations and records a body's vetting answer, opens the online vote; a member votes on the
phone (once); the city sees the live count, publishes the notice, and — the notice period over
— names the nominee and prints the certificates. Screenshots in test-artifacts/."""

# ruff: noqa: F811 - the ``browser`` fixture is imported from test_browser and then requested

from __future__ import annotations

import importlib
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.utils import timezone

from gonghui.core.models import PublicNotice
from gonghui.honors import services
from gonghui.honors.models import Award, Honour, Nomination, NominationStatus, Vote

from .honors_helpers import person
from .test_browser import Watch, browser, log_in, pytestmark, shot  # noqa: F401
from .test_browser_walk import overflow

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _phone(browser: Any, base: str, username: str) -> tuple[Any, Any, Watch]:
    context = browser.new_context(**PHONE, locale="zh-CN")
    page = context.new_page()
    watch = Watch(page, base)
    log_in(page, base, username)
    return context, page, watch


def _fits(page: Any, name: str) -> None:
    assert overflow(page) == "", f"{name}: {overflow(page)}"


def test_a_craftsman_round_from_nomination_to_the_certificate(
    browser: Any, live_server: Any, people: Any, tree: Any
) -> None:
    # a transactional test starts from flushed tables: the catalogue's data migrations again
    importlib.import_module("gonghui.honors.migrations.0002_award_catalogue").add(apps, None)
    base = live_server.url
    candidate = person(people, tree.union_a, "郭强", 21)
    voter = person(people, tree.union_a, "何敏", 22, female=True)
    voter.user = people.member_a
    voter.save(update_fields=["user"])
    round = services.round_create(
        actor=people.city_cadre,
        org=tree.city,
        award=Award.objects.get(code="craftsman"),
        title="2020年菏泽工匠",
        year=2020,
        places=4,
        opens_on=date(2020, 3, 1),
        closes_on=date(2020, 3, 31),
        quota_rules=[{"tag": "frontline", "op": "min", "percent": "60"}],
        vote_enabled=True,
    )
    services.round_allot(actor=people.city_cadre, round=round, org=tree.county_a, places=2)
    services.round_step(actor=people.city_cadre, round=round, step="open")

    # the grassroots clerk nominates a member of the registry
    context, page, watch = _phone(browser, base, "clerk_a")
    page.goto(f"{base}/honors/{round.pk}/")
    _fits(page, "round")
    page.click("[data-testid=nominate]")
    form = page.locator("[data-testid=nomination-form]")
    form.locator("input[name=member]").fill("郭强")
    form.locator("input[name=tags][value=frontline]").check()
    form.locator("textarea[name=deeds]").fill("数控机床操作三十年，攻克多项加工难题。")
    _fits(page, "nominate")
    form.locator("button[type=submit]").click()
    assert page.locator("[data-testid=nomination-status]").inner_text() == "基层推荐"
    nom = Nomination.objects.get(round=round)
    assert nom.member == candidate and nom.tags == ["frontline"]
    watch.assert_clean()
    context.close()

    # the county passes it up within its places
    context, page, watch = _phone(browser, base, "cadre_a")
    page.goto(f"{base}/honors/nominations/{nom.pk}/")
    page.click("[data-testid=select]")
    assert page.locator("[data-testid=nomination-status]").inner_text() == "已推荐上报"
    page.goto(f"{base}/honors/{round.pk}/")
    assert page.locator("[data-testid=quota] li").first.get_attribute("data-ok") == "1"
    watch.assert_clean()
    context.close()

    # the city closes the nominations, records the vetting answer and opens the vote
    context, page, watch = _phone(browser, base, "city_cadre")
    page.goto(f"{base}/honors/{round.pk}/")
    page.click("[data-testid=step-close]")
    assert page.locator("[data-testid=round-status]").inner_text() == "审核中"
    page.goto(f"{base}/honors/nominations/{nom.pk}/")
    vet = page.locator("[data-testid=vet-form]")
    vet.locator("select[name=body]").select_option("market")
    vet.locator("select[name=passed]").select_option("1")
    vet.locator("button[type=submit]").click()
    assert "市场监管" in page.locator("[data-testid=vettings]").inner_text()
    _fits(page, "nomination")
    page.goto(f"{base}/honors/{round.pk}/")
    page.click("[data-testid=step-vote]")
    assert page.locator("[data-testid=round-status]").inner_text() == "网络投票"
    shot(page, "honors-01-round-phone")

    # a member votes from the portal on the phone, once
    member_ctx, phone, member_watch = _phone(browser, base, "member_a")
    phone.goto(f"{base}/portal/honors/")
    _fits(phone, "portal")
    phone.click(f"[data-testid=vote-{nom.pk}]")
    assert phone.locator("[data-testid=voted]").is_visible()
    assert phone.locator(f"[data-testid=vote-{nom.pk}]").count() == 0  # no second button
    assert "1 票" in phone.locator(f"li[data-candidate='{nom.pk}']").inner_text()
    shot(phone, "honors-02-vote-phone")
    assert Vote.objects.filter(round=round).count() == 1
    member_watch.assert_clean()

    # the live count, the public notice, then — its period over — the naming
    page.reload()
    assert page.locator("[data-testid=results] tbody tr td").nth(2).inner_text() == "1"
    page.click("[data-testid=step-publish]")
    assert page.locator("[data-testid=round-status]").inner_text() == "公示中"
    page.goto(f"{base}/honors/nominations/{nom.pk}/")
    assert page.locator("[data-testid=notice-outcome]").inner_text() == "公示中"
    page.goto(f"{base}/honors/{round.pk}/")
    page.click("[data-testid=step-name]")
    assert "公示期未满" in page.content()  # refused while the notice runs
    PublicNotice.objects.update(
        starts_on=timezone.localdate() - timedelta(days=12),
        ends_on=timezone.localdate() - timedelta(days=1),
    )
    page.click("[data-testid=step-name]")
    assert page.locator("[data-testid=round-status]").inner_text() == "已命名"
    honour = Honour.objects.get()
    assert honour.member == candidate
    assert Nomination.objects.get().status == NominationStatus.NAMED
    link = page.locator("[data-testid=certificates]").get_attribute("href")
    pdf = page.request.get(f"{base}{link}")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    _fits(page, "named round")
    shot(page, "honors-03-named-phone")
    watch.assert_clean()

    # a key-project competition: the city enters a phase's scores on the grid, reads the
    # ranking and nominates its top team into the 工人先锋号 round taking nominations
    from gonghui.orgs.services import enterprise_save

    comp = services.competition_create(
        actor=people.city_cadre,
        org=tree.city,
        title="牡丹机场立功竞赛",
        project="菏泽牡丹机场建设",
        starts_on=date(2020, 3, 1),
        ends_on=date(2020, 12, 31),
        indicators=["工程进度", "安全生产"],
    )
    phase = services.competition_phase_save(
        actor=people.city_cadre,
        competition=comp,
        name="启动",
        starts_on=date(2020, 3, 1),
        ends_on=date(2020, 6, 30),
    )
    firm = enterprise_save(actor=people.admin, county="371702", union=None, name="丙公司")
    for team in ("钢筋班组", "测量班组"):
        services.competition_join(
            actor=people.city_cadre, competition=comp, enterprise=firm, team=team
        )
    services.competition_step(actor=people.city_cadre, competition=comp, step="start")
    pioneer = services.round_create(
        actor=people.city_cadre,
        org=tree.city,
        award=Award.objects.get(code="pioneer"),
        title="2020年菏泽市工人先锋号",
        year=2020,
        places=2,
        opens_on=date(2020, 3, 1),
        closes_on=date(2020, 3, 31),
    )
    services.round_step(actor=people.city_cadre, round=pioneer, step="open")
    page.goto(f"{base}/honors/competitions/{comp.pk}/scores/?phase={phase.pk}")
    grid = page.locator("[data-testid=score-grid]")
    for i, value in enumerate(("90", "80", "70", "90")):
        grid.locator("input[inputmode=decimal]").nth(i).fill(value)
    _fits(page, "score grid")
    grid.locator("button[type=submit]").click()
    assert "新增4项" in page.content()
    page.goto(f"{base}/honors/competitions/{comp.pk}/")
    first = page.locator("[data-testid=units] tbody tr").first.inner_text()
    assert "丙公司钢筋班组" in first and "85.00" in first  # (90 + 80) / 2
    _fits(page, "competition")
    shot(page, "honors-04-competition-phone")
    nominate = page.locator("[data-testid=nominate-form]")
    nominate.locator("input[name=units]").nth(1).uncheck()
    nominate.locator("button[type=submit]").click()
    assert page.locator("[data-testid=round-status]").count() == 1
    assert Nomination.objects.get(round=pioneer).team == "钢筋班组"
    watch.assert_clean()

    member_ctx.close()
    context.close()
