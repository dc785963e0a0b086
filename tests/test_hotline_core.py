"""Hotline models, workflow as data, services: every edge and every refused edge, scope."""

from __future__ import annotations

from typing import Any

from gonghui.hotline.models import DeadlineRule, Topic
from gonghui.hotline.workflow import WHO, WORKFLOW


def test_seeded_topics_are_two_levels(db: Any) -> None:
    wages = Topic.objects.get(code="01")
    assert wages.name == "欠薪"
    assert wages.parent is None
    assert list(wages.children.values_list("code", flat=True)) == [
        "0101",
        "0102",
        "0103",
        "0104",
        "0105",
    ]
    assert Topic.objects.get(code="0101").root == wages


def test_seeded_deadline_rules(db: Any) -> None:
    rules = {(r.category, r.complexity): r.days for r in DeadlineRule.objects.all()}
    assert rules[("demand", "normal")] == 15
    assert rules[("suggestion", "normal")] == 15
    assert rules[("demand", "hard")] == 20
    assert rules[("demand", "complex")] == 30
    assert {r.extension_days for r in DeadlineRule.objects.all()} == {7}


def test_every_transition_names_where_the_actor_sits() -> None:
    assert {t.name for t in WORKFLOW.transitions} == set(WHO)


# --- services -------------------------------------------------------------------------------

import datetime  # noqa: E402
from decimal import Decimal  # noqa: E402

import pytest  # noqa: E402
from django.db import connection  # noqa: E402

from gonghui.core.errors import Conflict, Forbidden, InvalidInput, NotFound  # noqa: E402
from gonghui.core.models import AuditEntry  # noqa: E402
from gonghui.core.statemachine import TransitionNotAllowed  # noqa: E402
from gonghui.hotline import services  # noqa: E402
from gonghui.hotline.models import Notification, Status, Ticket, TicketOrg  # noqa: E402
from gonghui.hotline.selectors import access_ticket, ticket_actions  # noqa: E402

CALL = {
    "received_at": "2020-09-25T10:00:00+08:00",
    "channel": "phone",
    "caller_name": "王小强",
    "caller_phone": "13800138000",
    "category": "demand",
    "complexity": "normal",
    "topic": "拖欠工资",
    "content": "公司拖欠三个月工资",
}


def _new(people: Any, **extra: Any) -> Ticket:
    ticket, created = services.ticket_create(actor=people.operator, data={**CALL, **extra})
    assert created is True
    return ticket


def _act(user: Any, ticket: Ticket, action: str, **data: Any) -> Ticket:
    return services.ticket_act(actor=user, ticket=ticket, action=action, data=data)


def test_create_fills_the_order(people: Any, tree: Any) -> None:
    ticket = _new(people)
    assert ticket.number == f"20200925{ticket.pk:06d}"
    assert ticket.status == Status.RECEIVED
    assert ticket.received_on == datetime.date(2020, 9, 25)
    assert ticket.due_on == datetime.date(2020, 10, 22)
    assert ticket.topic.code == "0101"
    assert ticket.receiving_org == tree.city
    assert list(TicketOrg.objects.filter(ticket=ticket).values_list("org__code", "role")) == [
        ("371700", "receiving")
    ]
    assert list(ticket.events.values_list("action", flat=True)) == ["create"]
    with connection.cursor() as cur:
        cur.execute("SELECT caller_phone, content FROM hotline_ticket WHERE id = %s", [ticket.pk])
        phone, content = cur.fetchone()
    assert "13800138000" not in phone and "拖欠" not in content
    row = AuditEntry.objects.get(action="hotline.create")
    assert row.changes["caller_phone"]["after"] == "138****8000"
    assert row.changes["content"]["after"] == "[已隐藏 9 字]"
    assert row.changes["caller_name"]["after"] == "王*强"


def test_topic_by_code_or_name(people: Any) -> None:
    assert _new(people, topic="0302").topic.name == "养老保险"
    assert _new(people, topic="欠薪").topic.code == "01"


def test_bad_input_names_every_field(people: Any) -> None:
    with pytest.raises(InvalidInput) as exc:
        services.ticket_create(
            actor=people.operator,
            data={"category": "x", "topic": "nope", "caller_phone": "12"},
        )
    assert sorted(e["field"] for e in exc.value.errors) == [
        "caller_name",
        "caller_phone",
        "category",
        "content",
        "topic",
    ]
    assert Ticket.objects.count() == 0


def test_same_external_no_creates_one_order(people: Any) -> None:
    first, created = services.ticket_create(
        actor=people.operator, data={**CALL, "external_no": "SD-2020-0001"}
    )
    again, created_again = services.ticket_create(
        actor=people.operator, data={**CALL, "external_no": "SD-2020-0001", "content": "x"}
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Ticket.objects.count() == 1


def test_consultation_answered_on_the_spot_closes_at_once(people: Any) -> None:
    ticket = _new(people, category="consult", answered=True, answer="已解答")
    assert ticket.status == Status.CLOSED
    assert ticket.closed_on_time is True
    assert ticket.answered_on_spot is True
    assert list(ticket.events.values_list("action", flat=True)) == ["create", "answer"]


def test_on_the_spot_only_for_consultations(people: Any) -> None:
    with pytest.raises(InvalidInput) as exc:
        _new(people, answered=True, answer="已解答")
    assert [e["field"] for e in exc.value.errors] == ["answered"]


def test_links_the_member_by_phone(people: Any, tree: Any) -> None:
    from gonghui.members.models import Member

    member = Member.objects.create(
        name="王小强",
        sex="M",
        id_number="11010519491231002X",
        birth_date=datetime.date(1949, 12, 31),
        phone="13800138000",
        org=tree.union_a,
        joined_on=datetime.date(2019, 1, 1),
        status_since=datetime.date(2019, 1, 1),
    )
    assert _new(people).member == member


def test_the_whole_road(people: Any, tree: Any) -> None:
    t = _new(people)
    t = _act(people.operator, t, "dispatch", org="371702", note="请办理")
    assert (t.status, t.handler_org, t.dispatcher_org) == ("dispatched", tree.county_a, tree.city)
    assert t.county == tree.county_a
    t = _act(people.cadre_a, t, "accept")
    t = _act(people.cadre_a, t, "dispatch", org="G-A-0001")
    assert (t.handler_org, t.dispatcher_org) == (tree.union_a, tree.county_a)
    t = _act(people.clerk_a, t, "accept")
    t = _act(people.clerk_a, t, "extend", days=7, reason="需调查")
    assert t.status == "extension_requested"
    t = _act(people.operator, t, "approve-extension", approved=True)
    assert (t.status, t.due_on, t.extended_days) == ("accepted", datetime.date(2020, 11, 2), 7)
    t = _act(people.clerk_a, t, "progress", note="已约谈企业")
    t = _act(people.clerk_a, t, "reply", result="已追回", wages_recovered="12000.5", workers=3)
    assert (t.wages_recovered, t.workers) == (Decimal("12000.50"), 3)
    t = _act(people.operator, t, "callback", satisfaction="dissatisfied", note="未全额")
    assert (t.status, t.reopen_count) == ("reopened", 1)
    t = _act(people.clerk_a, t, "accept")
    t = _act(people.clerk_a, t, "reply", result="已全额追回", wages_recovered="15000")
    t = _act(people.operator, t, "callback", satisfaction="satisfied")
    t = _act(people.operator, t, "check", passed=True)
    t = _act(people.operator, t, "close")
    assert t.status == "closed"
    assert t.closed_on == datetime.date.today() or t.closed_on is not None
    assert t.closed_on_time is False  # due 2020-11-02, closed today
    assert list(t.events.values_list("action", flat=True)) == [
        "create", "dispatch", "accept", "dispatch", "accept", "extend", "approve_extension",
        "progress", "reply", "reopen", "accept", "reply", "callback", "check", "close",
    ]  # fmt: skip
    assert AuditEntry.objects.filter(object_type="ticket", object_id=str(t.pk)).count() == 15
    assert set(TicketOrg.objects.filter(ticket=t).values_list("org__code", flat=True)) == {
        "371700",
        "371702",
        "G-A-0001",
    }


def test_return_goes_back_up_the_path(people: Any, tree: Any) -> None:
    t = _new(people)
    t = _act(people.operator, t, "dispatch", org="371702")
    t = _act(people.cadre_a, t, "accept")
    t = _act(people.cadre_a, t, "dispatch", org="G-A-0001")
    t = _act(people.clerk_a, t, "return", reason="不属于本单位")
    assert (t.status, t.handler_org, t.dispatcher_org) == ("returned", tree.county_a, tree.city)
    t = _act(people.cadre_a, t, "return", reason="请改派")
    assert (t.status, t.handler_org, t.dispatcher_org) == ("returned", None, None)
    with pytest.raises(Forbidden):
        _act(people.cadre_a, t, "dispatch", org="G-A-0001")
    t = _act(people.operator, t, "dispatch", org="371721")
    assert t.handler_org == tree.county_b
    with pytest.raises(InvalidInput):
        _act(people.operator, t, "return", reason="")


def test_reassign_by_the_receiving_org(people: Any, tree: Any) -> None:
    t = _act(people.operator, _new(people), "dispatch", org="371702")
    t = _act(people.operator, t, "reassign", org="371721", note="属地在曹县")
    assert (t.status, t.handler_org) == ("dispatched", tree.county_b)
    # county A stays on the path: it saw the order, it keeps seeing it
    assert access_ticket(people.cadre_a, t.pk) == t


def test_extension_refused_keeps_the_due_date(people: Any) -> None:
    t = _act(people.operator, _new(people), "dispatch", org="371702")
    t = _act(people.cadre_a, t, "accept")
    t = _act(people.cadre_a, t, "extend", days=5, reason="x")
    t = _act(people.operator, t, "approve_extension", approved=False)
    assert (t.status, t.due_on, t.extended_days) == ("accepted", datetime.date(2020, 10, 22), 0)


def test_failed_check_reopens(people: Any) -> None:
    t = _act(people.operator, _new(people), "dispatch", org="371702")
    t = _act(people.cadre_a, t, "accept")
    t = _act(people.cadre_a, t, "reply", result="done")
    t = _act(people.operator, t, "callback", satisfaction="basically_satisfied")
    t = _act(people.operator, t, "check", passed=False, note="答复不完整")
    assert (t.status, t.reopen_count) == ("reopened", 1)


def _at(ticket: Ticket, status: str, tree: Any) -> Ticket:
    handler = None if status in ("received", "returned") else tree.county_a
    Ticket.objects.filter(pk=ticket.pk).update(
        status=status, handler_org=handler, dispatcher_org=tree.city if handler else None
    )
    ticket.refresh_from_db()
    return ticket


STEP_DATA: dict[str, dict[str, Any]] = {
    "dispatch": {"org": "G-A-0001"},
    "reassign": {"org": "371721"},
    "return": {"reason": "r"},
    "extend": {"days": 3, "reason": "r"},
    "approve_extension": {"approved": True},
    "reply": {"result": "r"},
    "callback": {"satisfaction": "satisfied"},
    "reopen": {},
    "check": {"passed": True},
    "check_fail": {},
}


@pytest.mark.parametrize("state", [s.value for s in Status])
def test_every_refused_edge_is_409_naming_the_allowed(people: Any, tree: Any, state: str) -> None:
    from gonghui.hotline.workflow import WORKFLOW

    ticket = _at(_new(people), state, tree)
    refused = [t for t in WORKFLOW.transitions if state not in t.source and t.name != "answer"]
    for t in refused:
        with pytest.raises(TransitionNotAllowed) as exc:
            _act(people.admin, ticket, t.name, **STEP_DATA.get(t.name, {}))
        assert exc.value.extra["allowed"] == [a.name for a in WORKFLOW.allowed(state, "admin")]
    ticket.refresh_from_db()
    assert ticket.status == state
    assert ticket.events.count() == 1


def test_unknown_action_is_409(people: Any) -> None:
    with pytest.raises(TransitionNotAllowed) as exc:
        _act(people.operator, _new(people), "explode")
    assert exc.value.extra["allowed"] == ["answer", "dispatch"]


def test_right_role_wrong_org_is_refused(people: Any) -> None:
    t = _act(people.operator, _new(people), "dispatch", org="371702")
    t = _act(people.cadre_a, t, "accept")
    t = _act(people.cadre_a, t, "reply", result="done")
    with pytest.raises(Forbidden):
        _act(people.cadre_a, t, "callback", satisfaction="satisfied")
    t.refresh_from_db()
    assert t.status == "replied"


def test_a_role_that_does_not_handle_is_refused(people: Any) -> None:
    t = _new(people)
    with pytest.raises(Forbidden):
        _act(people.leader, t, "dispatch", org="371702")
    with pytest.raises(Forbidden):
        services.ticket_create(actor=people.leader, data=CALL)


def test_outside_the_path_is_not_found_and_nothing_changes(people: Any) -> None:
    t = _act(people.operator, _new(people), "dispatch", org="371702")
    for user in (people.cadre_b, people.lawyer_a, people.member_a):
        with pytest.raises(NotFound):
            access_ticket(user, t.pk)
        with pytest.raises(NotFound):
            _act(user, t, "accept")
    t.refresh_from_db()
    assert t.status == "dispatched"
    assert t.events.count() == 2


def test_member_sees_own_orders_only(people: Any) -> None:
    mine, _ = services.ticket_create(
        actor=people.member_a,
        data={
            "category": "demand",
            "topic": "0101",
            "content": "欠薪",
            "caller_phone": "13900000000",
        },
    )
    assert mine.channel == "app"
    assert mine.receiving_org.code == "371700"
    other = _new(people)
    assert access_ticket(people.member_a, mine.pk) == mine
    with pytest.raises(NotFound):
        access_ticket(people.member_a, other.pk)
    assert ticket_actions(people.member_a, mine) == []


def test_actions_offered_are_the_allowed_ones(people: Any) -> None:
    t = _new(people)
    assert ticket_actions(people.operator, t) == [("dispatch", "派单")]
    assert ticket_actions(people.cadre_a, t) == []
    t = _act(people.operator, t, "dispatch", org="371702")
    assert [n for n, _ in ticket_actions(people.cadre_a, t)] == ["dispatch", "accept", "return"]
    assert [n for n, _ in ticket_actions(people.operator, t)] == ["reassign", "supervise"]


def test_supervise_notifies_the_holder(people: Any, tree: Any) -> None:
    t = _act(people.operator, _new(people), "dispatch", org="371702")
    t = _act(people.operator, t, "supervise", note="请加快办理")
    assert t.supervised_count == 1
    note = Notification.objects.get()
    assert (note.org, note.kind) == (tree.county_a, "supervise")
    with pytest.raises(Forbidden):
        _act(people.cadre_a, t, "supervise", note="x")


def test_rate_by_the_member(people: Any) -> None:
    mine, _ = services.ticket_create(
        actor=people.member_a,
        data={
            "category": "consult",
            "topic": "0101",
            "content": "问",
            "caller_phone": "13900000000",
        },
    )
    with pytest.raises(Conflict):
        services.ticket_rate(actor=people.member_a, ticket=mine, rating=5)
    t = _act(people.operator, mine, "dispatch", org="371702")
    t = _act(people.cadre_a, t, "accept")
    t = _act(people.cadre_a, t, "reply", result="答复")
    t = services.ticket_rate(actor=people.member_a, ticket=t, rating=4)
    assert t.rating == 4
    with pytest.raises(Forbidden):
        services.ticket_rate(actor=people.operator, ticket=t, rating=4)
