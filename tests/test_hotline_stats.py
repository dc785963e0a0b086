"""Hotline statistics: the issue's figures, breakdowns, scope; the report metrics agree."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.core import metrics
from gonghui.core.errors import NotFound
from gonghui.hotline import services
from gonghui.hotline.models import Ticket
from gonghui.hotline.stats import KEYS, stats_breakdown, stats_overview, ticket_stats

D = datetime.date
Y = (D(2020, 1, 1), D(2020, 12, 31))


def _order(people: Any, **extra: Any) -> Ticket:
    data = {
        "received_at": "2020-09-25T10:00:00+08:00",
        "caller_name": "王小强",
        "caller_phone": "13800138000",
        "category": "demand",
        "topic": "0101",
        "content": "欠薪",
        **extra,
    }
    return services.ticket_create(actor=people.operator, data=data)[0]


def _handled(people: Any, org: str, satisfaction: str, wages: str) -> Ticket:
    t = _order(people)
    user = people.cadre_a if org == "371702" else people.cadre_b
    act = services.ticket_act
    t = act(actor=people.operator, ticket=t, action="dispatch", data={"org": org})
    t = act(actor=user, ticket=t, action="accept", data={})
    t = act(actor=user, ticket=t, action="reply", data={"result": "r", "wages_recovered": wages})
    t = act(actor=people.operator, ticket=t, action="callback", data={"satisfaction": satisfaction})
    if satisfaction == "dissatisfied":
        t = act(actor=user, ticket=t, action="accept", data={})
        t = act(
            actor=user, ticket=t, action="reply", data={"result": "r2", "wages_recovered": wages}
        )
        t = act(
            actor=people.operator, ticket=t, action="callback", data={"satisfaction": "satisfied"}
        )
    t = act(actor=people.operator, ticket=t, action="check", data={"passed": True})
    return act(actor=people.operator, ticket=t, action="close", data={})


@pytest.fixture
def orders(people: Any) -> list[Ticket]:
    a1 = _handled(people, "371702", "satisfied", "1000")
    a2 = _handled(people, "371702", "dissatisfied", "500.25")
    b1 = _handled(people, "371721", "basically_satisfied", "0")
    _order(people, category="consult", topic="0302", answered=True, answer="已答")
    _order(people, topic="0201")  # received, never dispatched
    # closed after the due date: today is long after 2020
    return [a1, a2, b1]


def test_city_figures(people: Any, tree: Any, orders: Any) -> None:
    today = datetime.date.today()
    stats = ticket_stats(people.city_cadre, tree.city, D(2020, 1, 1), today)
    assert stats == {
        "received": 5,
        "dispatched": 3,
        "closed": 4,
        "closed_on_time": 1,
        "on_time_rate": 0.25,
        "callback_rate": 1.0,
        "satisfaction_rate": 1.0,
        "reopen_rate": 0.25,
        "wages_recovered": Decimal("1500.25"),
    }


def test_county_sees_its_subtree_only(people: Any, tree: Any, orders: Any) -> None:
    today = datetime.date.today()
    stats = ticket_stats(people.cadre_a, tree.county_a, D(2020, 1, 1), today)
    assert (stats["received"], stats["closed"], stats["wages_recovered"]) == (
        2,
        2,
        Decimal("1500.25"),
    )
    with pytest.raises(NotFound):
        ticket_stats(people.cadre_b, tree.county_a, D(2020, 1, 1), today)
    with pytest.raises(NotFound):
        ticket_stats(people.cadre_a, tree.city, D(2020, 1, 1), today)
    with pytest.raises(NotFound):
        ticket_stats(people.member_a, tree.union_a, D(2020, 1, 1), today)


def test_period_counts_receipt_and_closure_apart(people: Any, tree: Any, orders: Any) -> None:
    stats = ticket_stats(people.city_cadre, tree.city, *Y)
    assert (stats["received"], stats["closed"]) == (5, 1)  # the on-the-spot answer of 2020
    assert stats["callback_rate"] is None


def test_breakdowns(people: Any, tree: Any, orders: Any) -> None:
    today = datetime.date.today()
    by_county = stats_breakdown(people.city_cadre, tree.city, D(2020, 1, 1), today, "county")
    assert [(r["key"], r["label"], r["received"], r["closed"]) for r in by_county] == [
        ("", "本级", 2, 1),
        ("371702", "牡丹区总工会", 2, 2),
        ("371721", "曹县总工会", 1, 1),
    ]
    by_topic = stats_breakdown(people.city_cadre, tree.city, D(2020, 1, 1), today, "topic")
    assert [(r["label"], r["received"]) for r in by_topic] == [
        ("欠薪", 3),
        ("劳动合同", 1),
        ("社会保险", 1),
    ]
    by_cat = stats_breakdown(people.city_cadre, tree.city, D(2020, 1, 1), today, "category")
    assert [(r["key"], r["label"], r["received"]) for r in by_cat] == [
        ("consult", "咨询类", 1),
        ("demand", "求决类", 4),
    ]


def test_stats_are_one_query(people: Any, tree: Any, orders: Any) -> None:
    # a county: one aggregate query (on PostgreSQL first its orgs' ids, passed to the
    # aggregate as a list for the planner's statistics)
    with CaptureQueriesContext(connection) as ctx:
        ticket_stats(people.cadre_a, tree.county_a, *Y)
    if connection.vendor == "postgresql":
        assert len(ctx.captured_queries) == 2
        assert "orgs_org" not in ctx.captured_queries[1]["sql"]
    else:
        assert len(ctx.captured_queries) == 1
    # the root: one look-up whether its subtree is the whole tree (then no path filter), and
    # the aggregate
    with CaptureQueriesContext(connection) as ctx:
        ticket_stats(people.city_cadre, tree.city, *Y)
    assert len(ctx.captured_queries) == 2
    assert "hotline_ticketorg" not in ctx.captured_queries[1]["sql"]


def test_metrics_agree_with_stats_and_drill_down(people: Any, tree: Any, orders: Any) -> None:
    today = datetime.date.today()
    start = D(2020, 1, 1)
    stats = ticket_stats(people.city_cadre, tree.city, start, today)
    closed = metrics.get("hotline.closed")
    assert closed.value(tree.city, start, today) == stats["closed"] == 4
    assert closed.records(tree.city, start, today).count() == 4
    assert metrics.get("hotline.received").value(tree.city, start, today) == 5
    assert metrics.get("hotline.closed_on_time").value(tree.city, start, today) == 1
    assert metrics.get("hotline.wages_recovered").value(tree.city, start, today) == Decimal(
        "1500.25"
    )
    assert metrics.get("hotline.satisfied").value(tree.county_a, start, today) == 2


def test_overview_equals_the_figures_and_each_breakdown(
    people: Any, tree: Any, orders: Any
) -> None:
    # the statistics page's one query gives what the four queries of the API give
    _order(people, category="consult", topic="0201")  # another topic, at the city level
    periods = [Y, (D(2020, 9, 1), datetime.date.today()), (D(2019, 1, 1), D(2019, 12, 31))]
    for user, org in ((people.city_cadre, tree.city), (people.cadre_a, tree.county_a)):
        for start, end in periods:
            with CaptureQueriesContext(connection) as ctx:
                figures, by = stats_overview(user, org, start, end)
            assert sum("hotline_ticket" in q["sql"] for q in ctx.captured_queries) == 1
            # the page's figures add the shown values (percentages, 万元) to the API's
            assert {k: figures[k] for k in KEYS} == ticket_stats(user, org, start, end)
            for key in ("category", "topic", "county"):
                rows = [{k: r[k] for k in ("key", "label", *KEYS)} for r in by[key]]
                assert rows == stats_breakdown(user, org, start, end, key), key
    with pytest.raises(NotFound):
        stats_overview(people.cadre_b, tree.county_a, *Y)
