"""A whole plenary in Debian's Chromium: the roll from the committee's seats, check-in by the
clerk with the live quorum, the meeting opened, a paper round counted and confirmed, the
meeting closed and its minutes signed; the member checks in from the QR page and votes on a
phone (390 px). Screenshots in test-artifacts/."""

# ruff: noqa: F811 - the ``browser`` fixture is imported from test_browser and then requested

from __future__ import annotations

from datetime import date
from typing import Any

from gonghui.governance import services
from gonghui.governance.models import Ballot, Meeting, Seat

from .test_browser import CHROMIUM, Watch, browser, log_in, pytestmark, shot  # noqa: F401


def _prepared(people: Any, tree: Any) -> Meeting:
    cadre = people.cadre_a
    committee = services.committee_create(
        actor=cadre,
        org=tree.county_a,
        kind="committee",
        term_number=1,
        term_start=date(2020, 1, 1),
        term_end=date(2024, 12, 31),
        seats=5,
    )
    for name in ("赵一", "钱二", "孙三", "李四"):
        services.seat_add(
            actor=cadre, committee=committee, person_name=name, since=date(2020, 1, 1)
        )
    meeting = services.meeting_create(
        actor=cadre,
        org=tree.county_a,
        kind="plenary",
        title="一届三次全委会",
        held_on=date(2020, 9, 19),
        committee=committee,
        tellers=["计票人"],
        scrutineers=["监票人"],
    )
    services.election_create(
        actor=cadre,
        meeting=meeting,
        committee=committee,
        title="增补委员",
        seats=1,
        method="competitive",
        candidates=["周五", "吴六"],
        by_election=True,
    )
    return meeting


def test_a_whole_plenary_in_the_browser(
    browser: Any, live_server: Any, people: Any, tree: Any
) -> None:
    meeting = _prepared(people, tree)
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = Watch(page, base)
    log_in(page, base, "cadre_a")
    page.goto(f"{base}/governance/meetings/{meeting.pk}/")
    # this meeting's own rules: the 差额 share at 10 % (the page's rules form)
    page.click("[data-testid=rules] summary")
    page.fill("[data-testid=rules-form] input[name=min_extra_percent]", "10")
    page.click("[data-testid=rules-form] button[type=submit]")
    assert (
        "差额选举的候选人数至少多于应选名额 10%。"
        in page.locator("[data-testid=rules]").inner_text()
    )
    page.click("[data-testid=roll-seats]")
    roll = page.locator("[data-testid=roll] tbody tr")
    assert roll.count() == 4
    quorum = page.locator("[data-testid=quorum]")
    for entry in meeting.roll.order_by("id")[:2]:
        page.click(f"[data-testid=checkin-{entry.pk}]")
    # two of four present: no quorum yet
    assert page.locator("[data-testid=quorum]").get_attribute("data-quorum") == "0"
    assert "不能进行选举" in quorum.inner_text()
    entry = meeting.roll.order_by("id")[2]
    page.click(f"[data-testid=checkin-{entry.pk}]")
    assert page.locator("[data-testid=quorum]").get_attribute("data-quorum") == "1"
    page.click("[data-testid=step-open]")
    assert "会议进行中" in page.locator("[data-testid=meeting-status]").inner_text()
    shot(page, "governance-01-meeting")
    page.click("[data-testid=elections] a")
    page.click("[data-testid=open-round]")
    form = page.locator("[data-testid=count-form]")
    election = meeting.elections.get()
    first, second = election.candidates.order_by("order")
    form.locator("input[name=issued]").fill("3")
    form.locator("input[name=returned]").fill("3")
    form.locator("input[name=valid]").fill("3")
    form.locator("input[name=invalid]").fill("0")
    form.locator(f"input[name=c{first.pk}_a]").fill("3")
    form.locator(f"input[name=c{second.pk}_a]").fill("0")
    form.locator("button[type=submit]").click()
    assert "已产生结果" in page.locator("[data-testid=election-status]").inner_text()
    page.click("[data-testid=confirm]")
    assert "已确认任职" in page.locator("[data-testid=election-status]").inner_text()
    shot(page, "governance-02-election")
    assert Seat.objects.filter(person_name="周五", until__isnull=True).exists()
    page.goto(f"{base}/governance/meetings/{meeting.pk}/")
    page.click("[data-testid=step-close]")
    page.fill("input[name=signed_by]", "赵一")
    page.click("[data-testid=sign]")
    assert "纪要已签发" in page.locator("[data-testid=meeting-status]").inner_text()
    assert "周五当选" in page.content()
    watch.assert_clean()


def test_a_member_checks_in_and_votes_on_a_phone(
    browser: Any, live_server: Any, people: Any, tree: Any
) -> None:
    from gonghui.members.services import member_create

    cadre = people.cadre_a
    member = member_create(
        actor=people.admin,
        org=tree.union_a,
        data={"name": "吴磊", "id_number": "11010519491231002X"},
    )
    member.user = people.member_a
    member.save(update_fields=["user"])
    meeting = _prepared(people, tree)
    services.roll_from_seats(actor=cadre, meeting=meeting)
    services.roll_add(actor=cadre, meeting=meeting, person_name="吴磊", member_id=member.pk)
    election = meeting.elections.get()
    election.secret_online = True
    election.save(update_fields=["secret_online"])
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    watch = Watch(page, live_server.url)
    log_in(page, live_server.url, "member_a")
    page.goto(f"{live_server.url}/governance/checkin/{meeting.checkin_token}/")
    page.click("[data-testid=checkin]")
    assert page.locator("[data-testid=checked-in]").is_visible()
    services.check_in_many(actor=cadre, meeting=meeting, entries=list(meeting.roll.all()))
    services.meeting_open(actor=cadre, meeting=meeting)
    rnd = services.round_open(actor=cadre, election=election)
    page.goto(f"{live_server.url}/portal/")
    page.click("text=无记名投票")
    page.click("[data-testid=take-code]")
    code = page.locator("[data-testid=code] code").inner_text()
    assert page.locator("input[name=code]").input_value() == code
    first = election.candidates.order_by("order").first()
    assert first is not None
    page.check(f"input[name=c{first.pk}][value=approve]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "governance-03-vote-phone")
    page.click("[data-testid=ballot] button[type=submit]")
    assert Ballot.objects.filter(round=rnd).count() == 1
    watch.assert_clean()
    context.close()

    # the four other attendees vote with the codes the clerk hands out
    for _entry, code in services.codes_issue(actor=cadre, round=rnd):
        services.ballot_cast(round=rnd, code=code, choices={first.pk: "approve"})
    # the tally, the check of the ballot box, the minutes — on the cadre's phone
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    watch = Watch(page, live_server.url)
    log_in(page, live_server.url, "cadre_a")
    page.goto(f"{live_server.url}/governance/elections/{election.pk}/")
    page.click("[data-testid=close-round]")
    assert "已产生结果" in page.locator("[data-testid=election-status]").inner_text()
    assert page.locator("[data-testid=candidates] tr[data-elected='1']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "governance-04-tally-phone")
    box = page.request.get(f"{live_server.url}/api/v1/governance/rounds/{rnd.pk}/ballots")
    # five ballots (the member's and four handed-out codes), none linked to a voter
    assert box.ok and box.json()["matches"] is True and len(box.json()["ballots"]) == 5
    page.click("[data-testid=confirm]")
    page.goto(f"{live_server.url}/governance/meetings/{meeting.pk}/")
    page.click("[data-testid=step-close]")
    page.fill("input[name=signed_by]", "赵一")
    page.click("[data-testid=sign]")
    assert "纪要已签发" in page.locator("[data-testid=meeting-status]").inner_text()
    assert "周五当选" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    pdf = page.request.get(f"{live_server.url}/governance/meetings/{meeting.pk}/minutes.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    shot(page, "governance-05-minutes-phone")
    watch.assert_clean()
    context.close()
