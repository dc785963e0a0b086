"""The demo's honours and competitions: the seed page's 18 / 120, 74, 36 and 10 in
2020-01-01..2020-09-19 from records made through the services, a current year alive at every
stage, and a second load that changes nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from gonghui.core import metrics, notices
from gonghui.core.models import AuditEntry
from gonghui.demo.loaders import run_all
from gonghui.honors.models import (
    Competition,
    Honour,
    Nomination,
    NominationStatus,
    Round,
    RoundStatus,
)
from gonghui.orgs.models import Org

START, END = date(2020, 1, 1), date(2020, 9, 19)
LOADERS = ["orgs", "accounts", "members", "honors"]


@pytest.fixture(scope="module")
def honors_demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The demo (tree, accounts, members, honours) loaded once for the module."""
    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        run_all(out, only=LOADERS)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(honors_demo: str, db: Any) -> str:
    return honors_demo


def test_the_seed_figures_hold_in_the_report_period(demo: str) -> None:
    city = Org.objects.get(code="371700")
    want = {
        "honors.collectives": 18,
        "honors.individuals": 120,
        "honors.candidates": 74,
        "honors.migrant_stars": 36,
        "competitions.count": 10,
    }
    for key, value in want.items():
        metric = metrics.get(key)
        assert metric.value(city, START, END) == value, key
        assert metric.queryset(city, START, END).count() == value, key  # the drill-down
    # nothing of it before the period; the counties add up to the city
    assert metrics.get("honors.individuals").value(city, date(2019, 1, 1), date(2019, 12, 31)) == 0
    counties = Org.objects.filter(parent=city)
    medal = metrics.get("honors.individuals")
    assert sum(medal.value(c, START, END) or 0 for c in counties) == 120


def test_records_went_through_the_services(demo: str) -> None:
    named = Honour.objects.filter(named_on__range=(START, END))
    assert AuditEntry.objects.filter(action="honors.honour").count() >= named.count() == 174
    stopped = Nomination.objects.filter(status=NominationStatus.STOPPED, round__year=2020)
    assert stopped.count() == 2 and all(n.vettings.filter(passed=False) for n in stopped)
    medal = Round.objects.get(title="2020年抗疫先锋（菏泽市五一劳动奖章）")
    assert medal.status == RoundStatus.NAMED and medal.named_on == date(2020, 4, 20)
    assert notices.outcome(medal.nominations.first(), date(2020, 4, 20)) == "passed"


def test_the_current_year_is_alive(demo: str) -> None:
    year = timezone.localdate().year
    stages = set(Round.objects.filter(year=year).values_list("status", flat=True))
    assert {RoundStatus.NOMINATING, RoundStatus.VOTING, RoundStatus.NOTICE} <= stages
    months = {
        d.month
        for d in Competition.objects.filter(starts_on__year=year).values_list(
            "starts_on", flat=True
        )
    }
    today = timezone.localdate()
    assert months == set(range(1, today.month + 1)) - ({today.month} if today.day < 3 else set())
    voting = Round.objects.get(year=year, status=RoundStatus.VOTING)
    assert voting.nominations.filter(status=NominationStatus.SELECTED).count() == 20


def test_loading_again_changes_nothing(demo: str) -> None:
    before = (
        Round.objects.count(),
        Nomination.objects.count(),
        Honour.objects.count(),
        Competition.objects.count(),
        AuditEntry.objects.count(),
    )
    run_all(io.StringIO(), only=["honors"])
    after = (
        Round.objects.count(),
        Nomination.objects.count(),
        Honour.objects.count(),
        Competition.objects.count(),
        AuditEntry.objects.count(),
    )
    assert after == before


def test_the_key_project_competitions_show_a_ranking(demo: str) -> None:
    from gonghui.honors import selectors

    comps = Competition.objects.filter(starts_on__range=(START, END))
    assert comps.count() == 10
    for comp in comps:
        ranking = selectors.competition_ranking(comp)
        assert [p.name for p in ranking.phases] == ["启动", "推进", "决赛/总结"]
        assert sum(i.weight for i in ranking.indicators) == 100
        assert [r.rank for r in ranking.rows][0] == 1 and all(r.total for r in ranking.rows)
        assert len(ranking.rows) == 4
    # this year's newest running competition fed the 工人先锋号 round
    year = timezone.localdate().year
    fed = Nomination.objects.filter(
        round__title=f"{year}年菏泽市工人先锋号", deeds__contains="综合排名第"
    )
    running = Competition.objects.filter(status="running", starts_on__year=year).exists()
    assert fed.count() == (2 if running else 0)
