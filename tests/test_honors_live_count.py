"""The vote's live count as the results API serves it: read off the candidates' counters at
most once per refresh interval, never older than that, equal to the vote rows after a
refresh; and the same 404 for whoever is outside the round's scope, the cache warm or not."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import pytest
from django.core.cache import cache

from gonghui.honors import selectors, services
from gonghui.honors.models import Award, Vote

from .conftest import make_user
from .honors_helpers import person, selected_round

pytestmark = pytest.mark.django_db


def _voting_round(people: Any, tree: Any, n: int = 2) -> tuple[Any, list[Any]]:
    round, noms = selected_round(people, tree, n, vote_enabled=True, vote_daily_limit=1000)
    return services.round_step(actor=people.city_cadre, round=round, step="vote"), noms


_made = itertools.count(200)


def _voters(people: Any, tree: Any, n: int, org: Any = None) -> list[Any]:
    users = []
    for _ in range(n):
        i = next(_made)
        user = make_user(f"live{i}", "member", org or tree.union_a)
        member = person(people, org or tree.union_a, f"投票人{i}", i)
        member.user = user
        member.save(update_fields=["user"])
        users.append(user)
    return users


def _total(rows: list[dict[str, Any]]) -> int:
    return sum(r["votes"] for r in rows)


def test_the_cached_count_is_never_more_than_the_interval_behind(
    people: Any, tree: Any, settings: Any
) -> None:
    settings.GONGHUI_RESULTS_REFRESH_SECONDS = 1.0
    round, noms = _voting_round(people, tree)
    voters = _voters(people, tree, 12)
    # a timeline in quarter seconds: a vote at some ticks, a read at every tick; each read
    # must show the rows as they stood at some moment of the last second
    rows_at: list[tuple[float, int]] = []  # (clock, vote rows then)
    start = 1_000_000.0
    cast = iter(voters)
    for tick in range(40):
        now = start + tick * 0.25
        if tick % 3 == 0:
            user = next(cast, None)
            if user is not None:
                services.vote_cast(
                    actor=user, round=round, nomination_id=noms[tick % 2].pk, address="10.0.0.9"
                )
        rows_at.append((now, Vote.objects.filter(round=round).count()))
        served = _total(selectors.vote_counts_live(round, clock=now))
        oldest_allowed = min(n for t, n in rows_at if t > now - 1.0)
        assert oldest_allowed <= served <= rows_at[-1][1], (tick, served)
    assert Vote.objects.filter(round=round).count() == 12

    # a refresh reads the counters again: they equal the rows, candidate by candidate
    later = start + 100
    fresh = selectors.vote_counts_live(round, clock=later)
    per_candidate = {n.pk: Vote.objects.filter(nomination=n).count() for n in noms}
    assert {r["id"]: r["votes"] for r in fresh} == per_candidate
    assert selectors.vote_count_drift(round) == {}
    # within the interval the copy is served as it is, without a query
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert selectors.vote_counts_live(round, clock=later + 0.9) == fresh
    assert len(queries) == 0

    # a copy older than the interval is never served, even if the cache still holds it
    key = selectors.results_key(round)
    cache.set(key, (later, [{"id": noms[0].pk, "votes": -1}]), timeout=3600)
    assert _total(selectors.vote_counts_live(round, clock=later + 1.0)) == 12
    # nor one from a clock ahead of this one (another host's): it is read again
    cache.set(key, (later + 50, [{"id": noms[0].pk, "votes": -1}]), timeout=3600)
    assert _total(selectors.vote_counts_live(round, clock=later + 2.0)) == 12


def test_the_results_api_serves_the_counters_within_the_interval(
    people: Any, tree: Any, api: Any, settings: Any
) -> None:
    settings.GONGHUI_RESULTS_REFRESH_SECONDS = 0.3
    round, noms = _voting_round(people, tree)
    (voter,) = _voters(people, tree, 1)
    cadre = api(people.city_cadre)
    url = f"/api/v1/honors/rounds/{round.pk}"
    assert _total(cadre.get(url + "/results").json()) == 0
    answer = api(voter).post(
        url + "/votes", json.dumps({"nomination": noms[0].pk}), content_type="application/json"
    )
    assert answer.status_code == 201
    seen = _total(cadre.get(url + "/results").json())
    assert seen in (0, 1)  # at most the interval behind
    time.sleep(0.35)
    results = cadre.get(url + "/results").json()
    assert {r["id"]: r["votes"] for r in results} == {noms[0].pk: 1, noms[1].pk: 0}
    settings.GONGHUI_RESULTS_REFRESH_SECONDS = 0  # 0: the counters on every read
    api(_voters(people, tree, 2)[1]).post(
        url + "/votes", json.dumps({"nomination": noms[1].pk}), content_type="application/json"
    )
    assert _total(cadre.get(url + "/results").json()) == 2


def test_a_member_outside_the_rounds_scope_gets_the_same_404(
    people: Any, tree: Any, api: Any
) -> None:
    """A county's vote: a member of another county, a login with no member record and a
    round that does not exist answer alike — the count cached by an insider or not."""
    round = services.round_create(
        actor=people.cadre_a,
        org=tree.county_a,
        award=Award.objects.get(code="craftsman"),
        title="2020年牡丹区工匠",
        year=2020,
        places=5,
        opens_on=round_date(),
        closes_on=round_date(),
        vote_enabled=True,
    )
    round = services.round_step(actor=people.cadre_a, round=round, step="open")
    nom = services.nomination_create(
        actor=people.clerk_a, round=round, member=person(people, tree.union_a, "王芳", 3)
    )
    services.nomination_select(actor=people.cadre_a, nomination=nom)
    services.round_step(actor=people.cadre_a, round=round, step="close")
    round = services.round_step(actor=people.cadre_a, round=round, step="vote")
    (insider,) = _voters(people, tree, 1)
    (outsider,) = _voters(people, tree, 1, org=tree.union_b)
    no_record = make_user("no_record", "member", tree.union_a)
    vote = json.dumps({"nomination": nom.pk})

    def answers(user: Any, round_id: int) -> list[tuple[int, Any]]:
        client = api(user)
        base = f"/api/v1/honors/rounds/{round_id}"
        out = []
        for got in (
            client.get(base + "/results"),
            client.post(base + "/votes", vote, content_type="application/json"),
        ):
            body = got.json()
            out.append((got.status_code, body.get("title"), body.get("detail")))
        return out

    # the insider votes and reads: the count is now in the cache
    assert (
        api(insider)
        .post(f"/api/v1/honors/rounds/{round.pk}/votes", vote, content_type="application/json")
        .status_code
        == 201
    )
    assert _total(api(insider).get(f"/api/v1/honors/rounds/{round.pk}/results").json()) == 1
    assert cache.get(selectors.results_key(round)) is not None
    missing = answers(outsider, 999_999)
    assert [status for status, *_ in missing] == [404, 404]
    assert answers(outsider, round.pk) == missing
    assert answers(no_record, round.pk) == missing
    assert answers(people.cadre_b, round.pk)[0] == missing[0]  # staff of the other county
    assert Vote.objects.filter(round=round).count() == 1


def round_date() -> Any:
    from datetime import date

    return date(2020, 3, 1)
