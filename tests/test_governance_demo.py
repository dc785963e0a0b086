"""The demo's governance: the seed's plenary makes the report's figures true for
2020-01-01..2020-09-19, grassroots 换届 keeps the current year alive, loading twice changes
nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import transaction

from gonghui.core.metrics import Tally, get
from gonghui.demo import loaders
from gonghui.governance.models import (
    Ballot,
    Committee,
    Election,
    Meeting,
    MeetingStatus,
    RoundStatus,
    Seat,
    SeatChange,
)
from gonghui.orgs.models import Org

OURS = ("orgs", "accounts", "governance")
START, END = date(2020, 1, 1), date(2020, 9, 19)


@pytest.fixture(scope="module")
def heze(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        loaders.run_all(out, only=OURS)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(heze: str, db: Any) -> str:
    return heze


def test_seed_figures(demo: str) -> None:
    city = Org.objects.get(code="371700")
    tally = Tally(city)
    figures = {
        key: tally.value(get(key), START, END)
        for key in (
            "governance.replaced",
            "governance.audit_replaced",
            "governance.vice_chairs_elected",
            "governance.meetings",
            "governance.elections",
            "governance.terms_due",
        )
    }
    assert figures == {
        "governance.replaced": 5,
        "governance.audit_replaced": 4,
        "governance.vice_chairs_elected": 1,
        "governance.meetings": 6,  # the plenary and five grassroots congresses
        "governance.elections": 8,
        "governance.terms_due": 5,
    }
    # the drill-down: the five by-elected committee members, named with their meeting
    rows = get("governance.replaced").queryset(city, START, END)
    assert {r.meeting.title for r in rows} == {"菏泽市总工会第八届委员会第四次全体会议"}
    # a county's report holds none of the city's own changes
    county = Org.objects.get(code="371702")
    assert Tally(county).value(get("governance.replaced"), START, END) == 0


def test_seed_plenary(demo: str) -> None:
    plenary = Meeting.objects.get(held_on=date(2020, 9, 19), kind="plenary")
    assert plenary.status == MeetingStatus.MINUTED
    assert (plenary.roll.count(), plenary.roll.filter(present=True).count()) == (40, 36)
    assert "替补市总工会第八届委员会委员" in plenary.minutes
    committee = Committee.objects.get(org__code="371700", kind="committee", term_number=8)
    assert committee.seat_set.filter(until__isnull=True).count() == 45
    standing = Committee.objects.get(org__code="371700", kind="standing", term_number=8)
    assert standing.seat_set.filter(until__isnull=True, position="vice_chair").count() == 5
    assert SeatChange.objects.filter(meeting=plenary, kind="released").count() == 2


def test_alive_and_idempotent(demo: str) -> None:
    statuses = set(Meeting.objects.filter(kind="congress").values_list("status", flat=True))
    assert {"preparing", "in_session", "closed", "minuted"} <= statuses
    open_round = Election.objects.filter(status="voting").first()
    assert open_round is not None and open_round.rounds.filter(status=RoundStatus.OPEN).exists()
    assert Committee.objects.filter(
        active=True, org__kind="grassroots", term_end__lt=date.today()
    ).exists()
    before = (
        Meeting.objects.count(),
        Seat.objects.count(),
        SeatChange.objects.count(),
        Ballot.objects.count(),
    )
    out = io.StringIO()
    loaders.run_all(out, only=("governance",))
    after = (
        Meeting.objects.count(),
        Seat.objects.count(),
        SeatChange.objects.count(),
        Ballot.objects.count(),
    )
    assert before == after
