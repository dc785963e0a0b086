"""A whole refund round computed set-based (``round_assess_all``) answers as ``assess`` does,
enterprise by enterprise: small, medium, a bank's subsidiary, no size data, a founding fund
with and without a union, a second policy's share; and a county's forecast stays in it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from gonghui.funds import services
from gonghui.orgs.models import Enterprise

from .test_funds_core import _book, _policy, _size, enterprise


def test_the_whole_round_answers_as_assess_does(tree: Any, people: Any) -> None:
    round = _policy(people)
    small, medium, bank = (enterprise(tree, people, n) for n in (1, 2, 3))
    unknown = enterprise(tree, people, 4)
    founding_union = enterprise(tree, people, 5, union=False)
    founding_none = enterprise(tree, people, 6, union=False)
    other = enterprise(tree, people, 7, county=tree.county_b)
    for e, employees, revenue, tie in (
        (small, 50, 800, ""),
        (medium, 400, 5000, ""),
        (bank, 50, 800, "bank"),
        (founding_union, 30, 500, ""),
        (founding_none, 30, 500, ""),
        (other, 5, 50, ""),
    ):
        _size(people, e, employees, revenue, tie)
    for e in (small, medium, bank, unknown, founding_union, founding_none, other):
        _book(tree, people, e, months=3)
    Enterprise.objects.filter(pk=founding_union.pk).update(union=tree.union_a)
    everyone = [small, medium, bank, unknown, founding_union, founding_none, other]
    for e in everyone:
        e.refresh_from_db()
    whole = services.round_assess_all(round)
    assert set(whole) == {e.pk for e in everyone}
    for e in everyone:
        one = services.assess(e, round)
        assert (whole[e.pk].eligible, whole[e.pk].amount) == (one.eligible, one.amount), e.name
    assert whole[small.pk].amount == Decimal("2400.00")
    assert whole[founding_union.pk].amount == Decimal("6000.00")  # the founding fund, in full
    assert not whole[founding_none.pk].eligible and not whole[unknown.pk].eligible
    assert not whole[medium.pk].eligible and not whole[bank.pk].eligible
    county = services.round_assess_all(round, county=tree.county_b)
    assert set(county) == {other.pk} and county[other.pk].eligible


def test_a_second_policys_share_is_applied_the_same(tree: Any, people: Any) -> None:
    policy = services.policy_create(
        by=people.admin, name="半额", starts_on=date(2020, 1, 1), ends_on=date(2020, 12, 31),
        share=Decimal("0.5"), classes="micro",
    )  # fmt: skip
    round = services.round_create(
        policy=policy, by=people.admin, name="上半年", period_start=date(2020, 1, 1),
        period_end=date(2020, 6, 1), opens_on=date(2020, 7, 1), closes_on=date(2020, 7, 31),
    )  # fmt: skip
    micro, small = enterprise(tree, people, 1), enterprise(tree, people, 2)
    _size(people, micro, 10, 100)
    _size(people, small, 50, 800)
    for e in (micro, small):
        _book(tree, people, e, months=1)
    whole = services.round_assess_all(round)
    assert whole[micro.pk].amount == Decimal("400.00") and not whole[small.pk].eligible
    assert whole[micro.pk].amount == services.assess(micro, round).amount
