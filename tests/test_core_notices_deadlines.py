"""The kernel's deadlines (due dates, cards, home-page items) and public notices (公示):
posting, objections from the portal and from staff, answers, outcomes, scope and audit."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gonghui.core import deadlines, notices
from gonghui.core.errors import Conflict, InvalidInput
from gonghui.core.models import AuditEntry, Objection, PublicNotice

from .conftest import People, Tree

# 2020-09-30 is a Wednesday before the National Day holiday (10-01..10-08, makeup day 10-10).
EVE = date(2020, 9, 30)


# --- deadlines ------------------------------------------------------------------------------


def test_due_on_counts_working_days_across_the_holiday(db: Any) -> None:
    assert deadlines.due_on(EVE, 1) == date(2020, 10, 9)
    assert deadlines.due_on(EVE, 2) == date(2020, 10, 10)  # the Saturday makeup day works
    assert deadlines.due_on(EVE, 15, deadlines.CALENDAR) == date(2020, 10, 15)
    assert deadlines.due_on(EVE, 0) == EVE
    with pytest.raises(ValueError):
        deadlines.due_on(EVE, -1)
    with pytest.raises(ValueError):
        deadlines.due_on(EVE, 1, "weeks")


def test_cards_turn_yellow_then_red(db: Any) -> None:
    due = date(2020, 10, 9)
    assert deadlines.card_for(due, date(2020, 9, 28)) == ""
    assert deadlines.card_for(due, EVE) == deadlines.YELLOW  # one working day before
    assert deadlines.card_for(due, due) == deadlines.YELLOW
    assert deadlines.card_for(due, date(2020, 10, 10)) == deadlines.RED
    assert deadlines.card_for(None, EVE) == ""
    # calendar days with a week's warning: the labour law's clocks
    limit = date(2020, 10, 20)
    assert deadlines.card_for(limit, date(2020, 10, 12), unit=deadlines.CALENDAR, warn=7) == ""
    assert (
        deadlines.card_for(limit, date(2020, 10, 13), unit=deadlines.CALENDAR, warn=7)
        == deadlines.YELLOW
    )


def test_for_user_lists_red_first_and_drops_items_without_a_card(db: Any, people: People) -> None:
    today = date(2020, 10, 12)

    def source(user: Any, day: date) -> Any:
        yield deadlines.Due("later", date(2020, 12, 1), "/x/")
        yield deadlines.Due("soon", date(2020, 10, 13), "/y/")
        yield deadlines.Due("late", date(2020, 10, 1), "/z/")

    deadlines.SOURCES["test"] = source
    try:
        items = deadlines.for_user(people.cadre_a, today)
    finally:
        del deadlines.SOURCES["test"]
    assert [(item.label, card) for item, card in items] == [("late", "red"), ("soon", "yellow")]


# --- public notices -------------------------------------------------------------------------


@pytest.fixture
def notice(people: People, tree: Tree) -> PublicNotice:
    # the subject: any record; an org stands in for a module's decision here
    return notices.open_notice(
        tree.union_a,
        org=tree.union_a,
        title="甲公司工会困难职工建档公示",
        body="拟将张某某家庭纳入困难职工档案。",
        by=people.clerk_a,
        starts_on=EVE,
    )


def test_a_notice_runs_five_working_days_and_passes_without_objection(
    people: People, tree: Tree, notice: PublicNotice
) -> None:
    assert notice.ends_on == date(2020, 10, 14)  # 10-09, 10-10 (makeup), 10-12, 10-13, 10-14
    assert notices.outcome(tree.union_a, EVE) == notices.RUNNING
    assert notices.outcome(tree.union_a, date(2020, 10, 15)) == notices.PASSED
    assert notices.outcome(tree.union_b) == notices.NONE
    entry = AuditEntry.objects.get(action="notice.open")
    assert entry.actor == people.clerk_a and entry.object_org == tree.union_a


def test_an_objection_holds_the_notice_until_answered(
    people: People, tree: Tree, notice: PublicNotice
) -> None:
    objection = notices.object_to(notice, text="该户收入有误。", by=people.member_a, today=EVE)
    after = date(2020, 10, 15)
    assert notices.outcome(tree.union_a, after) == notices.OBJECTED
    notices.resolve(objection, upheld=False, answer="经核实收入无误。", by=people.clerk_a)
    assert notices.outcome(tree.union_a, after) == notices.PASSED
    with pytest.raises(Conflict):
        notices.resolve(objection, upheld=True, answer="再次处理", by=people.clerk_a)


def test_an_upheld_objection_fails_the_notice(
    people: People, tree: Tree, notice: PublicNotice
) -> None:
    objection = notices.object_to(notice, text="实际已再就业。", name="李某", today=EVE)
    notices.resolve(objection, upheld=True, answer="异议属实，撤销建档。", by=people.cadre_a)
    assert notices.outcome(tree.union_a, EVE) == notices.FAILED
    assert list(AuditEntry.objects.values_list("action", flat=True).order_by("id")) == [
        "notice.open",
        "notice.object",
        "notice.resolve",
    ]


def test_bad_input_names_the_field_and_writes_nothing(people: People, tree: Tree) -> None:
    with pytest.raises(InvalidInput) as exc:
        notices.open_notice(tree.union_a, org=tree.union_a, title=" ", by=people.clerk_a)
    assert exc.value.errors[0]["field"] == "title"
    with pytest.raises(InvalidInput) as exc:
        notices.open_notice(tree.union_a, org=tree.union_a, title="t", by=people.clerk_a, days=0)
    assert exc.value.errors[0]["field"] == "days"
    # a county-B cadre cannot post in county A's name
    with pytest.raises(InvalidInput) as exc:
        notices.open_notice(tree.union_a, org=tree.union_a, title="t", by=people.cadre_b)
    assert exc.value.errors[0]["field"] == "org"
    assert not PublicNotice.objects.exists() and not AuditEntry.objects.exists()


def test_no_objection_outside_the_period(people: People, notice: PublicNotice) -> None:
    with pytest.raises(Conflict):
        notices.object_to(notice, text="迟到的异议", by=people.member_a, today=date(2020, 10, 15))
    with pytest.raises(InvalidInput):
        notices.object_to(notice, text="  ", by=people.member_a, today=EVE)
    assert not Objection.objects.exists()


def test_another_county_cannot_answer_an_objection(people: People, notice: PublicNotice) -> None:
    objection = notices.object_to(notice, text="有误", by=people.member_a, today=EVE)
    with pytest.raises(InvalidInput):
        notices.resolve(objection, upheld=True, answer="越权处理", by=people.cadre_b)
    objection.refresh_from_db()
    assert objection.status == "open"


# --- pages ----------------------------------------------------------------------------------


@pytest.fixture
def running(people: People, tree: Tree) -> PublicNotice:
    return notices.open_notice(
        tree.union_a, org=tree.union_a, title="换届选举候选人公示", by=people.clerk_a
    )


def test_staff_in_scope_see_and_answer_others_are_refused(
    people: People, login: Any, running: PublicNotice
) -> None:
    url = running.get_absolute_url()
    assert "换届选举候选人公示" in login(people.cadre_a).get("/notices/").content.decode()
    assert "换届选举候选人公示" not in login(people.cadre_b).get("/notices/").content.decode()
    assert login(people.cadre_b).get(url).status_code == 404
    assert login(people.member_a).get(url).status_code == 404  # members use the portal
    assert login(people.operator).get("/notices/").status_code == 404  # not their work
    # staff record a letter's objection, then answer it
    clerk = login(people.clerk_a)
    response = clerk.post(url, {"obj-text": "来信反映候选人资格问题。", "obj-name": "王某"})
    assert response.status_code == 302
    objection = Objection.objects.get()
    resolve = f"{url}objections/{objection.pk}/resolve/"
    assert login(people.cadre_b).post(resolve, {"upheld": "1", "answer": "x"}).status_code == 404
    assert clerk.post(resolve, {"upheld": "0", "answer": "经核实符合条件。"}).status_code == 302
    objection.refresh_from_db()
    assert objection.status == "dismissed" and objection.resolved_by == people.clerk_a


def test_member_objects_from_the_portal_and_sees_only_their_own(
    people: People, tree: Tree, login: Any, running: PublicNotice
) -> None:
    from .conftest import make_user

    member = login(people.member_a)
    assert "换届选举候选人公示" in member.get("/portal/notices/").content.decode()
    assert "公示" in member.get("/portal/").content.decode()
    url = f"/portal/notices/{running.pk}/"
    assert member.post(url, {"text": "候选人未经民主推荐。"}).status_code == 302
    other = make_user("member_a2", "member", tree.union_a)
    page = login(other).get(url).content.decode()
    assert "候选人未经民主推荐" not in page  # another member's objection stays private
    outsider = make_user("member_b", "member", tree.union_b)
    assert login(outsider).get(url).status_code == 404
    assert "换届选举候选人公示" not in login(outsider).get("/portal/notices/").content.decode()
    assert login(people.cadre_a).get(url).status_code == 404  # staff use the staff page
    assert Objection.objects.get().raised_by == people.member_a


def test_an_open_objection_is_on_the_home_page_of_who_answers_it(
    people: People, login: Any, running: PublicNotice
) -> None:
    notices.object_to(running, text="有误", by=people.member_a)
    # due on the notice's last day: yellow from one working day before
    today = deadlines.due_on(running.ends_on, 0)
    items = deadlines.for_user(people.clerk_a, running.ends_on)
    assert [item.url for item, _ in items] == [running.get_absolute_url()]
    assert deadlines.for_user(people.cadre_b, today) == []
