"""Honours: the quota checker's edges, places, vetting, the vote that nobody can stuff, the
public notice blocking naming, certificates, competitions — through the services."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from gonghui.core import notices
from gonghui.core.errors import Conflict, Forbidden, InvalidInput
from gonghui.core.models import AuditEntry
from gonghui.honors import quotas, services
from gonghui.honors.models import (
    Honour,
    Nomination,
    NominationStatus,
    RoundStatus,
    Tag,
    Vote,
)

from .honors_helpers import firm, open_round, person, selected_round

pytestmark = pytest.mark.django_db

# --- the quota checker ----------------------------------------------------------------------------


def _rules(*rules: tuple[str, str, str]) -> list[quotas.Rule]:
    return quotas.parse_rules([{"tag": t, "op": o, "percent": p} for t, o, p in rules])


def test_a_minimum_exactly_at_its_share_passes_and_one_short_fails_by_one() -> None:
    rules = _rules(("frontline", "min", "60"))
    at = quotas.check(rules, [["frontline"]] * 6 + [[]] * 4)
    assert at[0].ok and at[0].bound == 6 and at[0].count == 6
    short = quotas.check(rules, [["frontline"]] * 5 + [[]] * 5)
    assert not short[0].ok and short[0].off_by == 1
    assert "还差1人" in short[0].message


def test_a_maximum_exactly_at_its_share_passes_and_one_over_fails_by_one() -> None:
    rules = _rules(("unit_head", "max", "15"))
    assert quotas.check(rules, [["unit_head"]] * 3 + [[]] * 17)[0].ok  # 3 of 20 = 15 %
    over = quotas.check(rules, [["unit_head"]] * 4 + [[]] * 16)[0]
    assert not over.ok and over.off_by == 1 and over.bound == 3
    assert "超出1人" in over.message


def test_small_lists_round_against_the_list() -> None:
    # 5 nominees, women ≥ 20 %: 1 needed; unit heads ≤ 15 %: 0.75 → none allowed
    women, heads = _rules(("woman", "min", "20"), ("unit_head", "max", "15"))
    assert quotas.check([women], [[]] * 5)[0].off_by == 1
    assert quotas.check([women], [["woman"]] + [[]] * 4)[0].ok
    assert quotas.check([heads], [["unit_head"]] + [[]] * 4)[0].off_by == 1
    # 3 nominees at ≥ 10 % migrants: 0.3 rounds up to 1
    assert quotas.check(_rules(("migrant", "min", "10")), [[]] * 3)[0].bound == 1


def test_a_nominee_in_two_categories_counts_in_both_and_an_empty_list_breaks_nothing() -> None:
    rules = _rules(("woman", "min", "50"), ("migrant", "min", "50"))
    results = quotas.check(rules, [["woman", "migrant"], []])
    assert [r.ok for r in results] == [True, True]
    assert all(r.ok for r in quotas.check(rules, []))


def test_bad_rules_are_refused_naming_the_field() -> None:
    for bad in (
        [{"tag": "x", "op": "min", "percent": 1}],
        [{"tag": "woman", "op": "eq", "percent": 1}],
        [{"tag": "woman", "op": "min", "percent": 101}],
        "x",
    ):
        with pytest.raises(InvalidInput) as err:
            quotas.parse_rules(bad)
        assert err.value.errors[0]["field"] == "quota_rules"


# --- rounds, places and nominations ---------------------------------------------------------------


def test_the_page_tells_which_rule_a_list_breaks_and_by_how_many(people: Any, tree: Any) -> None:
    round = open_round(
        people,
        tree,
        quota_rules=[
            {"tag": "woman", "op": "min", "percent": 50},
            {"tag": "frontline", "op": "min", "percent": 60},
        ],
    )
    a = person(people, tree.union_a, "张伟", 1)
    b = person(people, tree.union_a, "李娜", 2, female=True)
    services.nomination_create(actor=people.clerk_a, round=round, member=a, tags=["一线职工"])
    nom = services.nomination_create(actor=people.clerk_a, round=round, member=b)
    assert nom.tags == [Tag.WOMAN]  # tagged from the member's record
    women, frontline = services.quota_report(round, tree.union_a)
    assert women.ok and not frontline.ok and frontline.off_by == 1


def test_a_county_passes_up_within_its_places_and_the_round_s_places(
    people: Any, tree: Any
) -> None:
    round = open_round(people, tree, places=3, allot=False)
    services.round_allot(actor=people.city_cadre, round=round, org=tree.county_a, places=1)
    with pytest.raises(InvalidInput) as err:
        services.round_allot(actor=people.city_cadre, round=round, org=tree.county_b, places=3)
    assert err.value.errors[0]["field"] == "places"
    one = services.nomination_create(
        actor=people.clerk_a, round=round, member=person(people, tree.union_a, "甲", 1)
    )
    two = services.nomination_create(
        actor=people.clerk_a, round=round, member=person(people, tree.union_a, "乙", 2)
    )
    with pytest.raises(Forbidden):  # the clerk does not pass up: the county does
        services.nomination_select(actor=people.clerk_a, nomination=one)
    with pytest.raises(Forbidden):  # nor another county
        services.nomination_select(actor=people.cadre_b, nomination=one)
    services.nomination_select(actor=people.cadre_a, nomination=one)
    with pytest.raises(Conflict) as full:
        services.nomination_select(actor=people.cadre_a, nomination=two)
    assert "名额已用完（1/1）" in full.value.detail


def test_a_nominee_comes_from_the_registry_within_scope_and_only_once(
    people: Any, tree: Any
) -> None:
    round = open_round(people, tree)
    theirs = person(people, tree.union_b, "丙", 3)
    with pytest.raises(InvalidInput) as err:
        services.nomination_create(actor=people.clerk_a, round=round, member=theirs)
    assert err.value.errors[0]["field"] == "member"
    mine = person(people, tree.union_a, "丁", 4)
    services.nomination_create(actor=people.clerk_a, round=round, member=mine)
    with pytest.raises(Conflict):
        services.nomination_create(actor=people.cadre_a, round=round, member=mine)
    collective = open_round(people, tree, code="wuyi_award")
    with pytest.raises(InvalidInput):  # a collective award takes an enterprise
        services.nomination_create(actor=people.clerk_a, round=collective, member=mine)
    company = firm(people, "371702", "G-A-0001", "甲公司")
    nom = services.nomination_create(actor=people.clerk_a, round=collective, enterprise=company)
    assert nom.name == "甲公司"


def test_a_negative_vetting_answer_stops_the_nominee_with_the_reason(
    people: Any, tree: Any
) -> None:
    round = open_round(people, tree)
    nom = services.nomination_create(
        actor=people.clerk_a, round=round, member=person(people, tree.union_a, "戊", 5)
    )
    services.vetting_record(actor=people.city_cadre, nomination=nom, body="tax", passed=True)
    with pytest.raises(InvalidInput) as err:  # a negative answer must say why
        services.vetting_record(actor=people.city_cadre, nomination=nom, body="audit", passed=False)
    assert err.value.errors[0]["field"] == "reason"
    with pytest.raises(Forbidden):
        services.vetting_record(actor=people.cadre_a, nomination=nom, body="audit", passed=True)
    services.vetting_record(
        actor=people.city_cadre,
        nomination=nom,
        body="safety",
        passed=False,
        reason="发生安全生产事故",
    )
    nom.refresh_from_db()
    assert nom.status == NominationStatus.STOPPED
    assert nom.stop_reason == "应急管理（安全生产）：发生安全生产事故"
    with pytest.raises(Conflict):
        services.nomination_select(actor=people.cadre_a, nomination=nom)
    actions = list(
        AuditEntry.objects.filter(object_type="nomination", object_id=str(nom.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["honors.nominate", "honors.vet", "honors.vet", "honors.stop"]


# --- notice and naming ----------------------------------------------------------------------------


_selected = selected_round


def test_an_objection_blocks_naming_until_it_is_resolved(people: Any, tree: Any) -> None:
    round, (kept, dropped) = _selected(people, tree)
    start = date(2020, 4, 1)
    round = services.round_step(actor=people.city_cadre, round=round, step="publish", today=start)
    notice = notices.notice_of(kept)
    assert notice is not None and notice.starts_on == start
    with pytest.raises(Conflict) as running:  # the notice still runs
        services.round_step(actor=people.city_cadre, round=round, step="name", today=start)
    assert "公示期未满" in running.value.detail
    objection = notices.object_to(
        notices.notice_of(dropped), text="其事迹材料不实", name="王某", today=start
    )
    after = notice.ends_on + timedelta(days=1)
    with pytest.raises(Conflict) as waiting:
        services.round_step(actor=people.city_cadre, round=round, step="name", today=after)
    assert "公示异议尚未处理" in waiting.value.detail
    notices.resolve(objection, upheld=True, answer="经核实，事迹材料存在夸大", by=people.city_cadre)
    round = services.round_step(actor=people.city_cadre, round=round, step="name", today=after)
    assert round.status == RoundStatus.NAMED and round.named_on == after
    kept.refresh_from_db()
    dropped.refresh_from_db()
    assert kept.status == NominationStatus.NAMED and dropped.status == NominationStatus.STOPPED
    honour = Honour.objects.get()
    assert honour.member == kept.member and honour.named_on == after
    assert honour.certificate_no == f"HZ2020-{round.pk:04d}-0001"


def test_certificates_render_chinese(people: Any, tree: Any) -> None:
    from gonghui.core.pdf import pdf_available
    from gonghui.honors.documents import certificates

    if not pdf_available():
        pytest.skip("no Chinese font installed")
    round, _noms = _selected(people, tree)
    services.round_step(
        actor=people.city_cadre, round=round, step="publish", today=date(2020, 4, 1)
    )
    services.round_step(actor=people.city_cadre, round=round, step="name", today=date(2020, 4, 20))
    data = certificates(Honour.objects.select_related("round", "round__org", "award"))
    assert (
        data.startswith(b"%PDF") and data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 1
    )


# --- the vote -------------------------------------------------------------------------------------


def _voting(people: Any, tree: Any, **extra: Any) -> tuple[Any, list[Nomination]]:
    round, noms = _selected(people, tree, vote_enabled=True, **extra)
    round = services.round_step(actor=people.city_cadre, round=round, step="vote")
    return round, noms


def _voter(people: Any, tree: Any, user: Any, seq: int) -> Any:
    member = person(people, tree.union_a, f"投票人{seq}", 100 + seq)
    member.user = user
    member.save(update_fields=["user"])
    return member


def test_a_member_votes_once_per_round(people: Any, tree: Any) -> None:
    round, (first, second) = _voting(people, tree)
    with pytest.raises(Forbidden):  # no verified member record behind the login yet
        services.vote_cast(actor=people.member_a, round=round, nomination_id=first.pk)
    _voter(people, tree, people.member_a, 1)
    services.vote_cast(
        actor=people.member_a, round=round, nomination_id=first.pk, address="10.0.0.1"
    )
    with pytest.raises(Conflict) as again:
        services.vote_cast(actor=people.member_a, round=round, nomination_id=second.pk)
    assert "每人限投一次" in again.value.detail
    assert Vote.objects.count() == 1
    with pytest.raises(Forbidden):  # staff do not vote
        services.vote_cast(actor=people.city_cadre, round=round, nomination_id=first.pk)
    counts = {
        r["id"]: r["votes"]
        for r in __import__("gonghui.honors.selectors", fromlist=["x"]).vote_counts(round)
    }
    assert counts == {first.pk: 1, second.pk: 0}
    assert AuditEntry.objects.filter(action="honors.vote_cast").count() == 1


def test_one_address_is_limited_per_day_and_bursts_are_flagged(
    people: Any, tree: Any, django_user_model: Any
) -> None:
    from tests.conftest import make_user

    round, (nom, _other) = _voting(people, tree, vote_daily_limit=3)
    now = timezone.now()
    for i in range(3):
        user = make_user(f"voter{i}", "member", tree.union_a)
        _voter(people, tree, user, 10 + i)
        services.vote_cast(
            actor=user, round=round, nomination_id=nom.pk, address="1.2.3.4", now=now
        )
    late = make_user("voter9", "member", tree.union_a)
    _voter(people, tree, late, 19)
    with pytest.raises(services.TooManyVotes):
        services.vote_cast(
            actor=late, round=round, nomination_id=nom.pk, address="1.2.3.4", now=now
        )
    services.vote_cast(actor=late, round=round, nomination_id=nom.pk, address="5.6.7.8", now=now)
    assert Vote.objects.filter(flagged=True).count() == 0
    services.BURST_VOTES = 2
    try:
        extra = make_user("voter10", "member", tree.union_a)
        _voter(people, tree, extra, 20)
        round.vote_daily_limit = 100
        round.save(update_fields=["vote_daily_limit"])
        vote = services.vote_cast(
            actor=extra, round=round, nomination_id=nom.pk, address="1.2.3.4", now=now
        )
        assert vote.flagged
    finally:
        services.BURST_VOTES = 10


def test_a_vote_outside_the_voting_step_or_for_a_stranger_is_refused(
    people: Any, tree: Any
) -> None:
    round, noms = _selected(people, tree, vote_enabled=True)
    _voter(people, tree, people.member_a, 1)
    with pytest.raises(Conflict):
        services.vote_cast(actor=people.member_a, round=round, nomination_id=noms[0].pk)
    round = services.round_step(actor=people.city_cadre, round=round, step="vote")
    with pytest.raises(InvalidInput) as err:
        services.vote_cast(actor=people.member_a, round=round, nomination_id=999999)
    assert err.value.errors[0]["field"] == "nomination"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writes need PostgreSQL")
def test_parallel_votes_are_counted_exactly(people: Any, tree: Any) -> None:
    import importlib

    from django.apps import apps
    from django.db import connections

    from tests.conftest import make_user

    # a transactional test flushes the tables, the catalogue's data migration included
    importlib.import_module("gonghui.honors.migrations.0002_award_catalogue").add(apps, None)

    round, (nom, _other) = _voting(people, tree, vote_daily_limit=1000)
    voters = []
    for i in range(8):
        user = make_user(f"p{i}", "member", tree.union_a)
        _voter(people, tree, user, 30 + i)
        voters.append(user)
    errors: list[Exception] = []

    def cast(user: Any) -> None:
        try:
            services.vote_cast(actor=user, round=round, nomination_id=nom.pk)
        except Conflict as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    # each voter twice, all at once: eight votes stored, eight refused
    threads = [threading.Thread(target=cast, args=(u,)) for u in voters + voters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Vote.objects.filter(round=round).count() == 8
    assert len(errors) == 8
    # the live count's counter moved once per stored vote, never for a refused one
    from gonghui.honors import selectors

    assert selectors.vote_count_drift(round) == {}
    assert {r["id"]: r["votes"] for r in selectors.vote_counts(round)}[nom.pk] == 8


# --- scoring --------------------------------------------------------------------------------------


def test_experts_score_independently_and_extremes_are_dropped(people: Any, tree: Any) -> None:
    from tests.conftest import make_user

    criteria = [
        {"key": "skill", "label": "绝技绝活", "max": 50},
        {"key": "innovation", "label": "创新成果", "max": 50},
    ]
    round, (nom, _other) = _selected(people, tree, scoring=criteria, drop_extremes=True)
    round = services.round_step(actor=people.city_cadre, round=round, step="score")
    nom.refresh_from_db()
    experts = [people.city_cadre] + [make_user(f"e{i}", "cadre", tree.city) for i in range(3)]
    for expert, (a, b) in zip(experts, [(50, 50), (40, 40), (30, 30), (10, 0)], strict=True):
        services.score_submit(actor=expert, nomination=nom, marks={"skill": a, "innovation": b})
    nom.refresh_from_db()
    assert nom.score == Decimal("70.00")  # 100 and 10 dropped: (80 + 60) / 2
    with pytest.raises(Conflict):
        services.score_submit(actor=experts[0], nomination=nom, marks={"skill": 1, "innovation": 1})
    with pytest.raises(InvalidInput) as err:
        services.score_submit(
            actor=make_user("e9", "cadre", tree.city),
            nomination=nom,
            marks={"skill": 51, "innovation": 1},
        )
    assert err.value.errors[0]["field"] == "skill"
    with pytest.raises(Forbidden):
        services.score_submit(
            actor=people.cadre_a, nomination=nom, marks={"skill": 1, "innovation": 1}
        )


# --- competitions ---------------------------------------------------------------------------------


def test_a_competition_ranks_its_units_by_score(people: Any, tree: Any) -> None:
    comp = services.competition_create(
        actor=people.cadre_a,
        org=tree.county_a,
        title="牡丹机场立功竞赛",
        project="牡丹机场",
        starts_on=date(2020, 3, 1),
        ends_on=date(2020, 12, 31),
        indicators=["安全", "进度"],
    )
    with pytest.raises(Forbidden):
        services.competition_create(
            actor=people.cadre_b,
            org=tree.county_a,
            title="x",
            project="y",
            starts_on=date(2020, 3, 1),
            ends_on=date(2020, 3, 2),
        )
    a = services.competition_join(
        actor=people.cadre_a,
        competition=comp,
        enterprise=firm(people, "371702", "G-A-0001", "甲公司"),
    )
    b = services.competition_join(
        actor=people.cadre_a,
        competition=comp,
        enterprise=firm(people, "371702", None, "丙公司"),
        team="钢筋班组",
    )
    with pytest.raises(Conflict):  # not begun
        services.competition_score(actor=people.cadre_a, unit=a, score=Decimal(80))
    services.competition_step(actor=people.cadre_a, competition=comp, step="start")
    a.refresh_from_db()
    services.competition_score(actor=people.cadre_a, unit=a, score=Decimal(80))
    b = services.competition_score(actor=people.cadre_a, unit=b, score=Decimal("90.5"))
    a.refresh_from_db()
    assert (a.rank, b.rank) == (2, 1)
    with pytest.raises(InvalidInput):
        services.competition_join(
            actor=people.cadre_a,
            competition=comp,
            enterprise=firm(people, "371721", "G-B-0001", "乙公司"),
        )
