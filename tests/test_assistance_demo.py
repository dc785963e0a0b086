"""The assistance demo: the seed's 266.16万元 of condolence money in 2020-01-01..2020-09-19,
spread over the counties; families of every category; a living current year; idempotent."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from gonghui.assistance.models import Campaign, Family, Grant, Recipient, Status
from gonghui.core import metrics
from gonghui.core.metrics import shown
from gonghui.demo import loaders
from gonghui.orgs.models import Org

START, END = date(2020, 1, 1), date(2020, 9, 19)
OURS = ("orgs", "accounts", "assistance")


@pytest.fixture(scope="module")
def heze_db(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        loaders.run_all(out, only=OURS)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(heze_db: str, db: Any) -> str:
    return heze_db


def test_the_seed_condolence_money_is_266_16_wan_yuan(demo: str) -> None:
    city = Org.objects.get(code="371700")
    figure = metrics.get("assistance.campaign_amount")
    raw = figure.value(city, START, END)
    assert raw == Decimal("2661600.00")
    assert shown(figure, raw) == Decimal("266.16")


def test_the_money_is_spread_over_the_counties(demo: str) -> None:
    figure = metrics.get("assistance.campaign_amount")
    counties = Org.objects.filter(kind="county")
    amounts = {c.code: figure.value(c, START, END) for c in counties}
    assert all(amount and amount > 0 for amount in amounts.values()), amounts
    assert Campaign.objects.filter(kind="condolence", year=2020).count() == 12


def test_families_of_every_category_in_2020(demo: str) -> None:
    archived = Family.objects.filter(archived_on__range=(START, END))
    assert set(archived.values_list("category", flat=True)) == {"deep", "relative", "accident"}
    assert Family.objects.filter(status=Status.EXITED, exited_on__range=(START, END)).count() == 1
    assert Grant.objects.filter(paid_on__range=(START, END)).count() >= 10


def test_the_current_year_is_alive(demo: str) -> None:
    today = date.today()
    this_year = Family.objects.filter(applied_on__year=today.year)
    assert this_year.exists()
    assert Family.objects.filter(status__in=(Status.SUBMITTED, Status.INVESTIGATED,
                                             Status.DELIBERATED, Status.NOTICE,
                                             Status.REVIEWING)).exists()  # fmt: skip
    assert Campaign.objects.filter(year=today.year, kind="warmth").exists()


def test_second_run_changes_nothing(demo: str) -> None:
    before = (Family.objects.count(), Recipient.objects.count(), Grant.objects.count())
    out = io.StringIO()
    loaders.run_all(out, only=("assistance",))
    assert (Family.objects.count(), Recipient.objects.count(), Grant.objects.count()) == before
    assert "困难职工档案 0 户" in out.getvalue()
