"""A plenary from the seat list to the signed minutes, through the services and the API;
quorum refusal, double votes, the secret ballot's unlinkability, scope."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection

from gonghui.core.errors import Conflict, InvalidInput, NotFound
from gonghui.core.models import AuditEntry
from gonghui.governance import services
from gonghui.governance.models import (
    Ballot,
    ChangeKind,
    CodeIssued,
    Committee,
    ElectionStatus,
    Meeting,
    RollEntry,
    RoundStatus,
    Seat,
    SeatChange,
    VoteCode,
)

DAY = date(2020, 9, 19)


def _committee(actor: Any, org: Any, seats: int = 9, holders: int = 9) -> Committee:
    committee = services.committee_create(
        actor=actor,
        org=org,
        kind="committee",
        term_number=8,
        term_start=date(2016, 11, 20),
        term_end=date(2021, 11, 19),
        seats=seats,
    )
    for i in range(holders):
        services.seat_add(
            actor=actor,
            committee=committee,
            person_name=f"委员{i + 1:02d}",
            since=date(2016, 11, 20),
        )
    return committee


def _meeting(actor: Any, committee: Committee, **extra: Any) -> Meeting:
    meeting = services.meeting_create(
        actor=actor,
        org=committee.org,
        kind="plenary",
        title="第八届委员会第四次全体会议",
        held_on=DAY,
        committee=committee,
        place="会议室",
        presided_by="主持人",
        tellers=["计票甲"],
        scrutineers=["监票甲"],
        **extra,
    )
    services.roll_from_seats(actor=actor, meeting=meeting)
    return meeting


def _present(actor: Any, meeting: Meeting, n: int) -> None:
    for entry in meeting.roll.order_by("id")[:n]:
        services.check_in(actor=actor, entry=entry)


def test_a_whole_plenary_paper_ballot(people: Any, tree: Any) -> None:
    cadre = people.cadre_a
    committee = _committee(cadre, tree.county_a, seats=9, holders=9)
    meeting = _meeting(cadre, committee)
    release = services.agenda_add(
        actor=cadre,
        meeting=meeting,
        kind="motion",
        title="免去两名委员",
        releases=list(committee.seat_set.order_by("id")[:2]),
    )
    election = services.election_create(
        actor=cadre,
        meeting=meeting,
        committee=committee,
        title="增补委员",
        seats=2,
        method="competitive",
        candidates=["候选甲", "候选乙", "候选丙"],
        by_election=True,
    )
    # 6 of 9 present is exactly two thirds: no vote
    _present(cadre, meeting, 6)
    services.meeting_open(actor=cadre, meeting=meeting)
    with pytest.raises(Conflict, match="三分之二"):
        services.round_open(actor=cadre, election=election)
    _present(cadre, meeting, 7)
    services.motion_vote(actor=cadre, item=release, votes_for=7, votes_against=0, votes_abstain=0)
    assert committee.seat_set.filter(until__isnull=True).count() == 7
    rnd = services.round_open(actor=cadre, election=election)
    cands = {c.name: c.pk for c in election.candidates.all()}
    # 9 entitled: 5 approvals elect (more than 4.5); a tie at the last seat goes again
    outcome = services.round_count(
        actor=cadre,
        round=rnd,
        issued=7,
        returned=7,
        valid=7,
        invalid=0,
        counts={cands["候选甲"]: (7, 0, 0), cands["候选乙"]: (5, 2, 0), cands["候选丙"]: (5, 1, 1)},
    )
    assert [election.candidates.get(pk=c).name for c in outcome.elected] == ["候选甲"]
    assert len(outcome.tied) == 2
    election.refresh_from_db()
    assert election.status == ElectionStatus.COUNTED
    rnd2 = services.round_open(actor=cadre, election=election)
    assert sorted(c.name for c in rnd2.candidates.all()) == ["候选丙", "候选乙"]
    assert rnd2.seats == 1
    services.round_count(
        actor=cadre,
        round=rnd2,
        issued=7,
        returned=7,
        valid=7,
        invalid=0,
        counts={cands["候选乙"]: (6, 1, 0), cands["候选丙"]: (1, 6, 0)},
    )
    election.refresh_from_db()
    assert election.status == ElectionStatus.DECIDED
    services.election_confirm(actor=cadre, election=election)
    current = set(
        committee.seat_set.filter(until__isnull=True).values_list("person_name", flat=True)
    )
    assert {"候选甲", "候选乙"} <= current and len(current) == 9
    assert (
        SeatChange.objects.filter(
            committee=committee, kind=ChangeKind.BY_ELECTED, meeting=meeting
        ).count()
        == 2
    )
    assert (
        SeatChange.objects.filter(
            committee=committee, kind=ChangeKind.RELEASED, meeting=meeting
        ).count()
        == 2
    )
    services.meeting_close(actor=cadre, meeting=meeting)
    services.minutes_sign(actor=cadre, meeting=meeting, signed_by="主持人")
    meeting.refresh_from_db()
    assert "候选甲、候选乙当选" in meeting.minutes
    assert "应到 9 人，实到 7 人" in meeting.minutes
    actions = set(
        AuditEntry.objects.filter(object_org=tree.county_a).values_list("action", flat=True)
    )
    assert {
        "governance.open_round",
        "governance.count",
        "governance.confirm",
        "governance.sign",
        "governance.seat_released",
    } <= actions


def test_void_round_and_write_in(people: Any, tree: Any) -> None:
    cadre = people.cadre_a
    committee = _committee(cadre, tree.county_a, seats=10, holders=9)
    meeting = _meeting(cadre, committee)
    election = services.election_create(
        actor=cadre,
        meeting=meeting,
        committee=committee,
        title="选举副主席",
        seats=1,
        method="equal",
        candidates=["候选甲"],
        position="vice_chair",
    )
    _present(cadre, meeting, 9)
    services.meeting_open(actor=cadre, meeting=meeting)
    rnd = services.round_open(actor=cadre, election=election)
    cand = election.candidates.get().pk
    out = services.round_count(
        actor=cadre, round=rnd, issued=9, returned=10, valid=10, invalid=0, counts={cand: (9, 0, 0)}
    )
    assert out.void
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.VOID
    rnd2 = services.round_open(actor=cadre, election=election)
    out = services.round_count(
        actor=cadre,
        round=rnd2,
        issued=9,
        returned=9,
        valid=9,
        invalid=0,
        counts={cand: (3, 6, 0)},
        write_ins={"另选乙": 6},
    )
    election.refresh_from_db()
    assert election.status == ElectionStatus.DECIDED
    assert list(election.candidates.filter(elected=True).values_list("name", "write_in")) == [
        ("另选乙", True)
    ]


def test_slate_share_and_officers_are_checked(people: Any, tree: Any) -> None:
    cadre = people.cadre_a
    committee = _committee(cadre, tree.county_a)
    meeting = _meeting(cadre, committee)
    with pytest.raises(InvalidInput) as err:
        services.election_create(
            actor=cadre,
            meeting=meeting,
            committee=committee,
            title="增补",
            seats=5,
            method="competitive",
            candidates=[f"人{i}" for i in range(5)],
        )
    assert err.value.errors[0]["field"] == "candidates"
    with pytest.raises(InvalidInput):
        services.election_create(
            actor=cadre,
            meeting=meeting,
            committee=committee,
            title="增补",
            seats=1,
            method="equal",
            candidates=["计票甲"],
        )


def test_secret_ballot_is_unlinkable_and_once_only(people: Any, tree: Any) -> None:
    cadre = people.cadre_a
    committee = _committee(cadre, tree.county_a, seats=9, holders=7)
    meeting = _meeting(cadre, committee)
    election = services.election_create(
        actor=cadre,
        meeting=meeting,
        committee=committee,
        title="增补委员",
        seats=2,
        method="competitive",
        candidates=["甲", "乙", "丙"],
        secret_online=True,
        by_election=True,
    )
    _present(cadre, meeting, 7)
    services.meeting_open(actor=cadre, meeting=meeting)
    rnd = services.round_open(actor=cadre, election=election)
    issued = services.codes_issue(actor=cadre, round=rnd)
    assert len(issued) == 7
    assert services.codes_issue(actor=cadre, round=rnd) == []  # nobody gets two
    c = {x.name: x.pk for x in election.candidates.all()}
    for i, (_entry, code) in enumerate(issued):
        choices = {
            c["甲"]: "approve",
            c["乙"]: "approve" if i < 5 else "disapprove",
            c["丙"]: "abstain",
        }
        if i == 6:
            choices = {k: "approve" for k in c.values()}  # three names for two seats: invalid
        services.ballot_cast(round=rnd, code=code, choices=choices)
    with pytest.raises(Conflict):
        services.ballot_cast(round=rnd, code=issued[0][1], choices={c["甲"]: "approve"})
    # structural: no column of the ballot box names a voter, a roll entry or a code
    ballot_columns = {f.column for f in Ballot._meta.concrete_fields}
    assert ballot_columns == {"id", "round_id", "choices", "valid"}
    code_columns = {f.column for f in VoteCode._meta.concrete_fields}
    assert code_columns == {"id", "round_id", "code_hash", "used"}
    for model in (Ballot, VoteCode):
        for f in model._meta.concrete_fields:
            assert (
                f.related_model not in (RollEntry, CodeIssued, VoteCode, Ballot)
                or f.related_model is None
            )
    # keys are random, and no time is kept, so not even the order of casting links them
    assert not any(
        f.get_internal_type() in ("DateTimeField", "DateField")
        for f in Ballot._meta.concrete_fields
    )
    with connection.cursor() as cur:
        tables = connection.introspection.table_names(cur)
    assert "governance_ballot" in tables
    # the ballot's audit row names nobody
    cast = AuditEntry.objects.filter(action="governance.ballot")
    assert cast.count() == 7 and set(cast.values_list("actor_id", flat=True)) == {None}
    outcome = services.round_close(actor=cadre, round=rnd)
    assert VoteCode.objects.filter(round=rnd).count() == 7  # spent ones remain, unused expired
    rnd.refresh_from_db()
    assert (rnd.issued, rnd.returned, rnd.valid, rnd.invalid) == (7, 7, 6, 1)
    # 9 entitled: 5 approvals elect; 甲 6, 乙 5
    assert sorted(election.candidates.get(pk=x).name for x in outcome.elected) == ["乙", "甲"]
    with pytest.raises(Conflict, match="失效"):
        services.ballot_cast(round=rnd, code="ANYCODE", choices={})


def test_scope_and_roles(people: Any, tree: Any) -> None:
    committee = _committee(people.cadre_a, tree.county_a, holders=1)
    with pytest.raises(NotFound):
        services.seat_add(actor=people.cadre_b, committee=committee, person_name="某人", since=DAY)
    with pytest.raises(NotFound):
        services.committee_create(
            actor=people.cadre_b,
            org=tree.county_a,
            kind="audit",
            term_number=8,
            term_start=DAY,
            term_end=date(2025, 1, 1),
            seats=3,
        )
    from gonghui.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.seat_add(actor=people.leader, committee=committee, person_name="某人", since=DAY)
    assert Seat.objects.count() == 1


def test_seats_full_and_end_twice(people: Any, tree: Any) -> None:
    committee = _committee(people.cadre_a, tree.county_a, seats=2, holders=2)
    with pytest.raises(Conflict, match="已满"):
        services.seat_add(
            actor=people.cadre_a, committee=committee, person_name="第三人", since=DAY
        )
    seat = committee.seat_set.first()
    assert seat is not None
    services.seat_end(actor=people.cadre_a, seat=seat, kind="resigned", on=DAY)
    with pytest.raises(Conflict):
        services.seat_end(actor=people.cadre_a, seat=seat, kind="released", on=DAY)


def test_member_checks_in_by_qr_and_votes_on_the_phone(people: Any, tree: Any, login: Any) -> None:
    from gonghui.members.services import member_create

    cadre = people.cadre_a
    member = member_create(
        actor=people.admin,
        org=tree.union_a,
        data={"name": "吴磊", "id_number": "11010519491231002X"},
    )
    member.user = people.member_a
    member.save(update_fields=["user"])
    committee = _committee(cadre, tree.county_a, seats=4, holders=3)
    services.seat_add(
        actor=cadre, committee=committee, person_name="吴磊", since=DAY, member_id=member.pk
    )
    meeting = _meeting(cadre, committee)
    election = services.election_create(
        actor=cadre,
        meeting=meeting,
        committee=committee,
        title="选举主席",
        seats=1,
        method="equal",
        candidates=["委员01"],
        position="chair",
        secret_online=True,
    )
    client = login(people.member_a)
    page = client.get(f"/governance/checkin/{meeting.checkin_token}/")
    assert page.status_code == 200
    assert client.post(f"/governance/checkin/{meeting.checkin_token}/").status_code == 302
    assert meeting.roll.get(member=member).checked_in_by == "qr"
    _present(cadre, meeting, 3)
    services.meeting_open(actor=cadre, meeting=meeting)
    rnd = services.round_open(actor=cadre, election=election)
    page = client.post(f"/governance/vote/{rnd.pk}/", {"step": "code"})
    code = page.context["code"]
    assert len(code) == 10
    cand = election.candidates.get().pk
    assert (
        client.post(
            f"/governance/vote/{rnd.pk}/", {"code": code, f"c{cand}": "approve"}
        ).status_code
        == 302
    )
    assert Ballot.objects.filter(round=rnd).count() == 1
    again = client.post(f"/governance/vote/{rnd.pk}/", {"step": "code"})
    assert "只能投票一次" in again.content.decode()
    # someone not on the roll: the QR page answers as missing
    other = login(people.cadre_b)
    assert other.get(f"/governance/checkin/{meeting.checkin_token}/").status_code == 404
