"""Governance's API and pages: a plenary run over the API from the committee to the signed
minutes; each operation refused outside the scope; the PDFs are real Chinese PDFs."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from gonghui.core.pdf import pdf_available
from gonghui.governance.models import Committee, Meeting, Seat


def post(client: Any, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_a_plenary_over_the_api(people: Any, tree: Any, api: Any) -> None:
    c = api(people.cadre_a)
    base = "/api/v1/governance"
    r = post(
        c,
        f"{base}/committees",
        {
            "org": "371702",
            "kind": "committee",
            "term_number": 3,
            "term_start": "2019-01-01",
            "term_end": "2023-12-31",
            "seats": 4,
        },
    )
    assert r.status_code == 201, r.content
    committee = r.json()
    assert committee["name"] == "牡丹区总工会第三届委员会"
    for name in ("甲", "乙", "丙"):
        r = post(
            c,
            f"{base}/committees/{committee['id']}/seats",
            {"person_name": name, "since": "2019-01-01"},
        )
        assert r.status_code == 201, r.content
    r = post(
        c,
        f"{base}/meetings",
        {
            "org": "371702",
            "kind": "plenary",
            "title": "三届五次全委会",
            "held_on": "2020-09-19",
            "committee_id": committee["id"],
            "tellers": ["计票人"],
            "scrutineers": ["监票人"],
        },
    )
    assert r.status_code == 201, r.content
    meeting = r.json()
    r = post(c, f"{base}/meetings/{meeting['id']}/roll", {"from_seats": True})
    roll = r.json()["roll"]
    assert [e["person_name"] for e in roll] == ["甲", "乙", "丙"]  # one-character names show whole
    r = post(
        c,
        f"{base}/meetings/{meeting['id']}/elections",
        {
            "committee_id": committee["id"],
            "title": "增补委员",
            "seats": 1,
            "method": "competitive",
            "candidates": ["丁", "戊"],
            "by_election": True,
        },
    )
    assert r.status_code == 201, r.content
    election = r.json()
    post(c, f"{base}/meetings/{meeting['id']}/open")
    # two of three present is exactly two thirds: refused
    for e in roll[:2]:
        r = post(c, f"{base}/meetings/{meeting['id']}/checkin", {"entry_id": e["id"]})
    assert r.json() == {"entitled": 3, "present": 2, "needed": 3, "quorum": False}
    r = post(c, f"{base}/elections/{election['id']}/rounds")
    assert r.status_code == 409 and "三分之二" in r.json()["detail"]
    r = post(c, f"{base}/meetings/{meeting['id']}/checkin", {"entry_id": roll[2]["id"]})
    assert r.json()["quorum"] is True
    r = post(c, f"{base}/elections/{election['id']}/rounds")
    assert r.status_code == 201
    rnd = r.json()
    cands = {
        x["name"]: x["id"] for x in c.get(f"{base}/elections/{election['id']}").json()["candidates"]
    }
    r = post(
        c,
        f"{base}/rounds/{rnd['id']}/count",
        {
            "issued": 3,
            "returned": 3,
            "valid": 3,
            "counts": [
                {"candidate_id": cands["丁"], "approve": 2},
                {"candidate_id": cands["戊"], "approve": 1},
            ],
        },
    )
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["elected"] == ["丁"] and out["threshold"] == 2
    r = post(c, f"{base}/elections/{election['id']}/confirm")
    assert r.json()["status"] == "confirmed"
    detail = c.get(f"{base}/committees/{committee['id']}").json()
    assert sorted(s["person_name"] for s in detail["current"]) == ["丁", "丙", "乙", "甲"]
    assert (
        detail["changes"][0]["kind"] == "by_elected"
        and detail["changes"][0]["meeting"] == "三届五次全委会"
    )
    post(c, f"{base}/meetings/{meeting['id']}/close")
    r = post(c, f"{base}/meetings/{meeting['id']}/sign", {"signed_by": "主持人"})
    assert r.json()["status"] == "minuted" and "丁当选" in r.json()["minutes"]
    # another county's cadre meets every record as missing, and changes nothing
    b = api(people.cadre_b)
    for url in (
        f"{base}/committees/{committee['id']}",
        f"{base}/meetings/{meeting['id']}",
        f"{base}/elections/{election['id']}",
    ):
        assert b.get(url).status_code == 404
    assert (
        post(
            b,
            f"{base}/committees/{committee['id']}/seats",
            {"person_name": "己", "since": "2020-01-01"},
        ).status_code
        == 404
    )
    assert b.get(f"{base}/committees").json()["count"] == 0
    assert Seat.objects.filter(person_name="己").count() == 0
    # a member or the hotline operator has no governance
    assert api(people.member_a).get(f"{base}/meetings").status_code == 404
    assert api(people.operator).get(f"{base}/meetings/{meeting['id']}").status_code == 404
    assert api(None).get(f"{base}/meetings").status_code == 401


def test_invalid_input_names_the_field(people: Any, tree: Any, api: Any) -> None:
    c = api(people.cadre_a)
    r = post(
        c,
        "/api/v1/governance/committees",
        {
            "org": "371702",
            "kind": "committee",
            "term_number": 1,
            "term_start": "2020-01-01",
            "term_end": "2019-01-01",
            "seats": 3,
        },
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "term_end"
    assert Committee.objects.count() == 0


def _plenary(people: Any, tree: Any) -> Meeting:
    from datetime import date

    from gonghui.governance import services

    cadre = people.cadre_a
    committee = services.committee_create(
        actor=cadre,
        org=tree.county_a,
        kind="committee",
        term_number=1,
        term_start=date(2020, 1, 1),
        term_end=date(2024, 12, 31),
        seats=3,
    )
    for n in ("甲一", "乙二", "丙三"):
        services.seat_add(actor=cadre, committee=committee, person_name=n, since=date(2020, 1, 1))
    meeting = services.meeting_create(
        actor=cadre,
        org=tree.county_a,
        kind="plenary",
        title="一届二次全委会",
        held_on=date(2020, 9, 19),
        committee=committee,
    )
    services.roll_from_seats(actor=cadre, meeting=meeting)
    services.check_in_many(actor=cadre, meeting=meeting, entries=list(meeting.roll.all()))
    services.election_create(
        actor=cadre,
        meeting=meeting,
        committee=committee,
        title="选举主席",
        seats=1,
        method="equal",
        candidates=["甲一"],
        position="chair",
    )
    services.meeting_open(actor=cadre, meeting=meeting)
    return meeting


def test_pages_in_scope_and_out(people: Any, tree: Any, login: Any) -> None:
    meeting = _plenary(people, tree)
    election = meeting.elections.get()
    cadre = login(people.cadre_a)
    page = cadre.get(f"/governance/meetings/{meeting.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-quorum="1"' in text and "应到 3 人，实到 3 人" in text
    # the clerk opens the round from the page, counts the paper ballots, confirms
    assert cadre.post(f"/governance/elections/{election.pk}/open_round/").status_code == 302
    cand = election.candidates.get()
    r = cadre.post(
        f"/governance/elections/{election.pk}/count/",
        {
            "issued": 3,
            "returned": 3,
            "valid": 3,
            "invalid": 0,
            f"c{cand.pk}_a": 3,
            f"c{cand.pk}_d": 0,
            f"c{cand.pk}_b": 0,
        },
    )
    assert r.status_code == 302
    election.refresh_from_db()
    assert election.status == "decided"
    assert cadre.post(f"/governance/elections/{election.pk}/confirm/").status_code == 302
    assert Seat.objects.filter(person_name="甲一", position="chair", until__isnull=True).exists()
    # out of scope or without the right: as missing
    for persona in ("cadre_b", "clerk_a", "operator", "lawyer_a", "member_a"):
        other = login(getattr(people, persona))
        assert other.get(f"/governance/meetings/{meeting.pk}/").status_code == 404, persona
        assert other.post(f"/governance/meetings/{meeting.pk}/close/").status_code == 404, persona
    # the leader reads but does not act
    leader = login(people.leader)
    assert leader.get(f"/governance/meetings/{meeting.pk}/").status_code == 200
    assert leader.post(f"/governance/meetings/{meeting.pk}/close/").status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == "in_session"
    anon = login(people.cadre_a)
    anon.logout()
    assert anon.get(f"/governance/meetings/{meeting.pk}/").status_code == 302


@pytest.mark.skipif(not pdf_available(), reason="no CJK font")
def test_the_pdfs(people: Any, tree: Any, login: Any) -> None:
    from pypdf import PdfReader

    meeting = _plenary(people, tree)
    election = meeting.elections.get()
    cadre = login(people.cadre_a)
    cadre.post(f"/governance/elections/{election.pk}/open_round/")
    rnd = election.rounds.get()
    r = cadre.get(f"/governance/rounds/{rnd.pk}/ballots.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "no-store" in r["Cache-Control"]

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages).replace(
        "\x00", ""
    )
    assert "选票 第 0001 号" in text and "选票 第 0003 号" in text and "甲一" in text
    r = cadre.get(f"/governance/meetings/{meeting.pk}/minutes.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages).replace(
        "\x00", ""
    )
    assert "一届二次全委会纪要" in text and "应到" in text
    r = cadre.get(f"/governance/elections/{election.pk}/result.pdf")
    assert r.content.startswith(b"%PDF")
    assert (
        login(people.cadre_b).get(f"/governance/meetings/{meeting.pk}/minutes.pdf").status_code
        == 404
    )


def test_anyone_in_scope_can_check_the_tally_against_the_ballots(
    people: Any, tree: Any, api: Any
) -> None:
    from gonghui.governance import services

    meeting = _plenary(people, tree)
    election = meeting.elections.get()
    election.secret_online = True
    election.save(update_fields=["secret_online"])
    cadre = people.cadre_a
    rnd = services.round_open(actor=cadre, election=election)
    cand = election.candidates.get().pk
    c = api(people.cadre_a)
    codes = post(c, f"/api/v1/governance/rounds/{rnd.pk}/codes").json()
    assert len(codes) == 3 and all(len(x["code"]) == 10 for x in codes)
    assert post(c, f"/api/v1/governance/rounds/{rnd.pk}/codes").json() == []
    for i, x in enumerate(codes):
        vote = "approve" if i < 2 else "disapprove"
        r = post(
            c,
            f"/api/v1/governance/rounds/{rnd.pk}/ballot",
            {"code": x["code"], "choices": {str(cand): vote}},
        )
        assert r.status_code == 200, r.content
    r = post(
        c, f"/api/v1/governance/rounds/{rnd.pk}/ballot", {"code": codes[0]["code"], "choices": {}}
    )
    assert r.status_code == 409
    # the box is sealed while the round is open
    assert c.get(f"/api/v1/governance/rounds/{rnd.pk}/ballots").status_code == 404
    out = post(c, f"/api/v1/governance/rounds/{rnd.pk}/close").json()
    assert out["elected"] == ["甲一"] and out["round"]["valid"] == 3
    box = api(people.leader).get(f"/api/v1/governance/rounds/{rnd.pk}/ballots").json()
    assert box["matches"] is True and len(box["ballots"]) == 3
    assert {b["choices"][str(cand)] for b in box["ballots"]} == {"approve", "disapprove"}
    assert set(box["ballots"][0]) == {"choices", "valid"}  # nothing names a voter
    assert api(people.cadre_b).get(f"/api/v1/governance/rounds/{rnd.pk}/ballots").status_code == 404
    # after the round, a code is worth nothing
    r = post(
        c, f"/api/v1/governance/rounds/{rnd.pk}/ballot", {"code": codes[2]["code"], "choices": {}}
    )
    assert r.status_code == 404
