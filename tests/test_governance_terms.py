"""换届 due: a current committee whose term ends within 90 days is on the home page of those
whose subtree holds it, yellow ahead and red once past; a new term's election retires it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from gonghui.core import deadlines
from gonghui.governance import services
from gonghui.governance.models import Committee

TODAY = date(2026, 12, 6)


def _committee(actor: Any, org: Any, ends: date, term: int = 1) -> Committee:
    return services.committee_create(
        actor=actor,
        org=org,
        kind="committee",
        term_number=term,
        term_start=date(ends.year - 5, 1, 1),
        term_end=ends,
        seats=3,
    )


def _due(user: Any) -> dict[str, str]:
    return {
        item.label: card for item, card in deadlines.for_user(user, TODAY) if "换届" in item.label
    }


def test_terms_due_yellow_ahead_red_past_and_in_scope_only(people: Any, tree: Any) -> None:
    soon = _committee(people.cadre_a, tree.union_a, TODAY + timedelta(days=30))
    past = _committee(people.cadre_a, tree.street_a, TODAY - timedelta(days=1))
    _committee(people.cadre_a, tree.county_a, TODAY + timedelta(days=200))
    seen = _due(people.cadre_a)
    assert seen == {
        f"{soon.name}：任期届满，应换届": "yellow",
        f"{past.name}：任期届满，应换届": "red",
    }
    assert _due(people.clerk_a) == {f"{soon.name}：任期届满，应换届": "yellow"}
    assert _due(people.cadre_b) == {}
    assert _due(people.operator) == {}


def test_a_new_terms_election_retires_the_old_committee(people: Any, tree: Any) -> None:
    cadre = people.cadre_a
    old = _committee(cadre, tree.union_a, TODAY + timedelta(days=10))
    new = _committee(cadre, tree.union_a, date(2031, 12, 5), term=2)
    meeting = services.meeting_create(
        actor=cadre, org=tree.union_a, kind="congress", title="第二次会员大会", held_on=TODAY
    )
    services.roll_bulk(actor=cadre, meeting=meeting, names=["甲", "乙", "丙", "丁"])
    services.check_in_many(actor=cadre, meeting=meeting, entries=list(meeting.roll.all()))
    election = services.election_create(
        actor=cadre,
        meeting=meeting,
        committee=new,
        title="选举委员",
        seats=1,
        method="competitive",
        candidates=["甲", "乙"],
    )
    services.meeting_open(actor=cadre, meeting=meeting)
    rnd = services.round_open(actor=cadre, election=election)
    ids = {c.name: c.pk for c in election.candidates.all()}
    services.round_count(
        actor=cadre,
        round=rnd,
        issued=4,
        returned=4,
        valid=4,
        invalid=0,
        counts={ids["甲"]: (3, 1, 0), ids["乙"]: (1, 3, 0)},
    )
    election.refresh_from_db()
    services.election_confirm(actor=cadre, election=election)
    old.refresh_from_db()
    assert old.active is False
    assert _due(people.cadre_a) == {}
