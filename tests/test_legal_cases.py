"""Legal-aid cases: the workflow edge by edge (each illegal step 409), scope for every persona,
group cases and their split, the statutory dates across holidays, the hotline conversion,
evidence through the upload guard, the letter of assignment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core.errors import InvalidInput, NotFound
from gonghui.core.models import AuditEntry
from gonghui.core.statemachine import TransitionNotAllowed
from gonghui.legal import deadlines, selectors, services
from gonghui.legal.models import Case, CaseEvent, Delivered, Status
from gonghui.legal.workflow import WORKFLOW
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

APPLY = {
    "service": "arbitration",
    "facts": "公司拖欠三个月工资共计18000元，多次讨要未果。",
    "employer_name": "菏泽某制衣有限公司",
    "dispute_on": "2026-03-01",
    "consent": True,
    "applicants": [{"name": "王强", "id_number": "", "phone": "13800138000"}],
    "claims": [{"item": "拖欠工资", "amount": "18000.00"}],
}


def _apply(actor: Any, **extra: Any) -> Case:
    return services.case_create(actor=actor, data={**APPLY, **extra})


def _to_assigned(case: Case, cadre: Any, lawyer: Any) -> Case:
    for step, data in (
        ("complete", {}),
        ("approve", {}),
        ("assign", {"lawyer": lawyer.username}),
    ):
        case = services.case_act(actor=cadre, case=case, action=step, data=data)
    return case


def test_a_cadre_applies_for_a_worker_and_the_case_goes_to_the_county_centre(
    people: Any, tree: Any
) -> None:
    case = _apply(people.clerk_a)
    assert case.org == tree.county_a  # the clerk's union → its county federation
    assert case.number.startswith("FY")
    assert case.status == Status.APPLIED
    assert case.applicants.get().is_member is False  # a non-member may apply, flagged
    assert case.claims.get().amount == Decimal("18000.00")
    entry = AuditEntry.objects.get(action="legal.apply")
    assert entry.object_org == tree.county_a
    assert "拖欠" not in str(entry.changes)  # the facts never reach the log


def test_the_whole_workflow_to_closure(people: Any, tree: Any) -> None:
    case = _apply(people.cadre_a)
    case = _to_assigned(case, people.cadre_a, people.lawyer_a)
    assert case.lawyer == people.lawyer_a
    assert Delivered.objects.filter(case=case).count() == 1  # approved: one service delivered
    case = services.case_act(actor=people.lawyer_a, case=case, action="accept")
    services.case_stage(actor=people.lawyer_a, case=case, kind="arbitration", on=date(2026, 3, 10))
    case.refresh_from_db()
    assert case.arbitration_on == date(2026, 3, 10)
    case = services.case_act(
        actor=people.lawyer_a,
        case=case,
        action="conclude",
        data={"outcome": "won", "amount": "18000.00"},
    )
    assert case.status == Status.CONCLUDED and case.workers_helped == 1
    case = services.case_act(actor=people.cadre_a, case=case, action="close")
    assert case.status == Status.CLOSED and case.closed_on is not None
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == [
        "apply",
        "complete",
        "approve",
        "assign",
        "accept",
        "stage",
        "conclude",
        "close",
    ]


@pytest.mark.parametrize("state", [s for s in WORKFLOW.states])
def test_every_illegal_step_answers_409(state: str, people: Any) -> None:
    case = _apply(people.cadre_a)
    Case.objects.filter(pk=case.pk).update(status=state)
    case.refresh_from_db()
    allowed = {t.name for t in WORKFLOW.allowed(state)}
    for t in WORKFLOW.transitions:
        if t.name in allowed:
            continue
        actor = people.lawyer_a if t.roles == ("lawyer",) else people.cadre_a
        with pytest.raises(TransitionNotAllowed) as err:
            services.case_act(actor=actor, case=case, action=t.name, data={"reason": "x"})
        assert err.value.status == 409


def test_return_resubmit_refuse_transfer_refer_reassign_withdraw(people: Any, tree: Any) -> None:
    case = _apply(people.cadre_a)
    case = services.case_act(
        actor=people.cadre_a, case=case, action="return", data={"reason": "缺少工资条"}
    )
    assert case.status == Status.RETURNED
    case = services.case_act(actor=people.cadre_a, case=case, action="resubmit")
    assert case.status == Status.APPLIED
    with pytest.raises(InvalidInput):  # a refusal needs its reason
        services.case_act(actor=people.cadre_a, case=case, action="refuse", data={})
    # transfer: to county B's centre, which starts again; county A no longer sees it
    case = services.case_act(
        actor=people.city_cadre,
        case=case,
        action="transfer",
        data={"org": "371721", "reason": "用人单位在曹县"},
    )
    assert case.org == tree.county_b and case.status == Status.APPLIED
    with pytest.raises(NotFound):
        selectors.access_case(people.cadre_a, case.pk)
    assert selectors.access_case(people.cadre_b, case.pk) == case
    # refer: to a body outside the union, which ends the union's case
    other = _apply(people.cadre_a)
    other = services.case_act(actor=people.cadre_a, case=other, action="complete")
    other = services.case_act(
        actor=people.cadre_a,
        case=other,
        action="refer",
        data={"to": "牡丹区劳动人事争议仲裁委员会", "reason": "属仲裁受理范围"},
    )
    assert other.status == Status.REFERRED and other.referred_to
    # reassign to another lawyer of the centre
    lawyer2 = make_user("lawyer_a2", "lawyer", tree.county_a)
    third = _to_assigned(_apply(people.cadre_a), people.cadre_a, people.lawyer_a)
    third = services.case_act(
        actor=people.cadre_a,
        case=third,
        action="reassign",
        data={"lawyer": "lawyer_a2", "reason": "回避"},
    )
    assert third.lawyer == lawyer2
    with pytest.raises(NotFound):
        selectors.access_case(people.lawyer_a, third.pk)
    # withdraw
    fourth = services.case_act(
        actor=people.cadre_a,
        case=_apply(people.cadre_a),
        action="withdraw",
        data={"reason": "已和解"},
    )
    assert fourth.status == Status.CLOSED and fourth.outcome == "withdrawn"


def test_a_lawyer_outside_the_centre_cannot_be_assigned(people: Any, tree: Any) -> None:
    make_user("lawyer_b", "lawyer", tree.county_b)
    case = services.case_act(actor=people.cadre_a, case=_apply(people.cadre_a), action="complete")
    case = services.case_act(actor=people.cadre_a, case=case, action="approve")
    with pytest.raises(InvalidInput) as err:
        services.case_act(
            actor=people.cadre_a, case=case, action="assign", data={"lawyer": "lawyer_b"}
        )
    assert err.value.errors[0]["field"] == "lawyer"


def test_scope_for_every_persona(people: Any, tree: Any) -> None:
    case = _to_assigned(_apply(people.cadre_a), people.cadre_a, people.lawyer_a)
    sees = {
        "admin": True,
        "city_cadre": True,
        "leader": True,
        "cadre_a": True,
        "lawyer_a": True,
        "cadre_b": False,
        "clerk_a": False,  # no legal.view: a clerk applies but does not read the centre's cases
        "operator": False,
        "member_a": False,
    }
    for name, expected in sees.items():
        user = getattr(people, name)
        assert selectors.cases_visible_to(user).filter(pk=case.pk).exists() is expected, name
    other_lawyer = make_user("lawyer_x", "lawyer", tree.county_a)
    assert not selectors.cases_visible_to(other_lawyer).exists()  # only their own
    # the lawyer cannot take the centre's steps; cadre B cannot take any
    case = services.case_act(actor=people.lawyer_a, case=case, action="accept")
    with pytest.raises(TransitionNotAllowed):
        services.case_act(actor=people.lawyer_a, case=case, action="close")
    with pytest.raises(NotFound):
        services.case_act(
            actor=other_lawyer, case=case, action="conclude", data={"outcome": "won", "amount": 0}
        )


def test_a_group_case_splits_the_amount_per_worker(people: Any) -> None:
    workers = [{"name": f"工人{i}"} for i in range(3)]
    case = _to_assigned(_apply(people.cadre_a, applicants=workers), people.cadre_a, people.lawyer_a)
    assert case.workers_count == 3 and case.is_group
    case = services.case_act(actor=people.lawyer_a, case=case, action="accept")
    case = services.case_act(
        actor=people.lawyer_a,
        case=case,
        action="conclude",
        data={"outcome": "settled", "amount": "100.00"},
    )
    shares = list(case.applicants.values_list("share", flat=True))
    assert shares == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert sum(shares) == Decimal("100.00") and case.workers_helped == 3


def test_a_member_applies_from_the_portal_and_follows_the_case(people: Any, tree: Any) -> None:
    case = services.case_create(actor=people.member_a, data={**APPLY, "applicants": []})
    assert case.channel == "portal" and case.org == tree.county_a
    assert selectors.access_case(people.member_a, case.pk) == case
    other = make_user("member_b", "member", tree.union_b)
    with pytest.raises(NotFound):
        selectors.access_case(other, case.pk)
    with pytest.raises(InvalidInput):  # consent is required
        services.case_create(actor=people.member_a, data={**APPLY, "consent": False})


# --- statutory dates ------------------------------------------------------------------------


def test_seven_working_days_across_national_day() -> None:
    # applied on Monday 2025-09-29: 1 and 2 October … 8 October are holidays, 9 October is
    # the first working day after them; 28 September (Sunday) and 11 October (Saturday) are worked
    assert deadlines.due_on(date(2025, 9, 29), 7) == date(2025, 10, 15)
    assert deadlines.due_on(date(2025, 9, 26), 2) == date(2025, 9, 29)  # 28 Sep (Sun) works


def test_spring_festival_and_calendar_days() -> None:
    # Spring Festival 2026: 15–23 February off, 14 and 28 February worked
    assert deadlines.due_on(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert deadlines.due_on(date(2026, 2, 13), 2) == date(2026, 2, 24)
    # calendar days ignore the holiday: the arbitration commission's 5 days
    assert deadlines.due_on(date(2026, 2, 13), 5, deadlines.CALENDAR) == date(2026, 2, 18)


def test_case_limits_follow_the_stages(people: Any) -> None:
    case = _apply(people.cadre_a, dispute_on="2025-03-01")
    today = date(2026, 3, 2)
    limits = {item.key: item for item in deadlines.case_limits(case, today)}
    assert limits["limitation"].due_on == date(2026, 3, 1)
    assert limits["limitation"].card == "red"
    case.arbitration_on, case.accepted_on = date(2026, 1, 5), date(2026, 1, 8)
    limits = {item.key: item for item in deadlines.case_limits(case, today)}
    assert "limitation" not in limits and "accept" not in limits
    assert limits["award"].due_on == date(2026, 2, 22)  # 45 calendar days
    case.award_extended = True
    assert {i.key: i for i in deadlines.case_limits(case, today)}["award"].due_on == date(
        2026, 3, 9
    )
    case.award_on = date(2026, 3, 1)
    appeal = {i.key: i for i in deadlines.case_limits(case, today)}["appeal"]
    assert appeal.due_on == date(2026, 3, 16) and appeal.card == ""
    assert {i.key: i for i in deadlines.case_limits(case, date(2026, 3, 12))}[
        "appeal"
    ].card == "yellow"
    case.mediation_on, case.arbitration_on = date(2026, 3, 1), None
    assert {i.key: i for i in deadlines.case_limits(case, today)}["mediation"].due_on == date(
        2026, 3, 16
    )


def test_limits_are_configurable(people: Any, settings: Any) -> None:
    settings.LEGAL_LIMITS = {"complete_workdays": 3}
    case = _apply(people.cadre_a)
    first = next(i for i in deadlines.case_limits(case, case.applied_on) if i.key == "complete")
    assert first.due_on == deadlines.due_on(case.applied_on, 3)


# --- the hotline, evidence, the letter -------------------------------------------------------


def _ticket(operator: Any, topic: str = "0101") -> Any:
    from gonghui.hotline.services import ticket_create

    ticket, _ = ticket_create(
        actor=operator,
        data={
            "caller_name": "李四",
            "caller_phone": "13900139000",
            "category": "demand",
            "topic": topic,
            "content": "工厂拖欠工资两个月",
            "employer": "菏泽某机械厂",
        },
    )
    return ticket


def test_a_hotline_order_becomes_a_case_linked_both_ways(people: Any, login: Any) -> None:
    ticket = _ticket(people.operator)
    case = services.case_from_ticket(
        actor=people.operator, ticket=ticket, data={"dispute_on": "2026-01-10", "consent": True}
    )
    assert case.ticket == ticket and case.channel == "hotline"
    assert case.employer_name == "菏泽某机械厂"
    with pytest.raises(InvalidInput):  # once per order
        services.case_from_ticket(
            actor=people.operator, ticket=ticket, data={"dispute_on": "2026-01-10", "consent": True}
        )
    page = login(people.city_cadre).get(f"/hotline/{ticket.pk}/")
    assert case.number in page.content.decode()
    page = login(people.city_cadre).get(f"/legal/{case.pk}/")
    assert f"/hotline/{ticket.pk}/" in page.content.decode()


def test_only_legal_topics_convert(people: Any) -> None:
    ticket = _ticket(people.operator, topic="0701")  # 困难帮扶
    with pytest.raises(InvalidInput):
        services.case_from_ticket(
            actor=people.operator, ticket=ticket, data={"dispute_on": "2026-01-10", "consent": True}
        )


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_evidence_is_kept_and_bad_files_are_refused(people: Any, settings: Any) -> None:
    case = _apply(people.cadre_a)
    item = services.case_attach(
        actor=people.cadre_a, case=case, upload=SimpleUploadedFile("工资条.png", PNG)
    )
    assert len(item.file.sha256) == 64 and item.file.size == len(PNG)
    with pytest.raises(InvalidInput):  # an executable dressed as a PDF
        services.case_attach(
            actor=people.cadre_a, case=case, upload=SimpleUploadedFile("a.pdf", b"MZ\x90\x00")
        )
    with pytest.raises(InvalidInput):
        services.case_attach(
            actor=people.cadre_a, case=case, upload=SimpleUploadedFile("a.exe", b"MZ\x90\x00")
        )
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(InvalidInput):
        services.case_attach(
            actor=people.cadre_a, case=case, upload=SimpleUploadedFile("b.png", PNG)
        )
    assert case.files.count() == 1


def test_the_letter_of_assignment_is_a_pdf(people: Any, login: Any) -> None:
    from gonghui.core.pdf import pdf_available

    case = _to_assigned(_apply(people.cadre_a), people.cadre_a, people.lawyer_a)
    if not pdf_available():
        pytest.skip("no CJK font installed")
    response = login(people.cadre_a).get(f"/legal/{case.pk}/letter.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert login(people.lawyer_a).get(f"/legal/{case.pk}/letter.pdf").status_code == 200
    assert login(people.cadre_b).get(f"/legal/{case.pk}/letter.pdf").status_code == 404
    summary = login(people.cadre_a).get(f"/legal/{case.pk}/summary.pdf")
    assert summary.content.startswith(b"%PDF")
