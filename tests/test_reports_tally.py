"""Figures computed together — a family in one query, the breakdown's groups giving the figure,
a rate reusing its terms, the drill-down's count taken from the figure's own aggregate — equal
each figure computed alone from its records, for every org and period."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q, Sum
from django.test.utils import CaptureQueriesContext

from gonghui.core import metrics
from gonghui.core.metrics import Metric, Number, Tally, percentage
from gonghui.members.metrics import members_in_good_standing
from gonghui.members.models import Member
from gonghui.orgs.services import org_insert
from gonghui.reports import selectors

from .conftest import People, Tree
from .test_hotline_stats import orders  # noqa: F401 - fixture: closed and open work orders
from .test_reports_figures import (
    TEST_SUM,
    Seeded,
    extra_metrics,  # noqa: F401 - fixture
    headcount_records,
    seed,
)

START = date(2020, 1, 1)

# a count narrowed by ``where`` in the family of TEST_SUM (the same records function)
TEST_WHERE = Metric(
    key="zz_test.large_unions_founded",
    label="新建百人以上工会(测试)",
    unit="个",
    definition="测试用的 where 指标",
    records=headcount_records,
    where=Q(headcount__gte=100),
    module="zz_test",
    order=998,
)


@pytest.fixture
def where_metric() -> Iterator[Metric]:
    metrics.register(TEST_WHERE)
    yield TEST_WHERE
    metrics._REGISTRY.pop(TEST_WHERE.key)


@pytest.fixture
def seeded(tree: Tree, people: People) -> Seeded:
    return seed(tree, people)


def alone(metric: Metric, org: Any, start: date, end: date) -> Number:
    """The figure the plain way: count (or sum) its own records, one query each."""
    if metric.effective_kind == "rate":
        assert metric.ratio is not None
        num = alone(metrics.get(metric.ratio[0]), org, start, end)
        den = alone(metrics.get(metric.ratio[1]), org, start, end)
        return percentage(num, den)
    qs = metric.queryset(org, start, end)
    if not metric.sum_field:
        return qs.count()
    total = qs.aggregate(t=Sum(metric.sum_field))["t"]
    return total if total is not None else Decimal("0")


def periods() -> list[tuple[date, date]]:
    # the work orders close today: the period runs to today
    today = datetime.date.today()
    return [(START, today), (date(2020, 1, 2), date(2020, 5, 4)), (date(2019, 1, 1), today)]


def test_the_report_page_equals_each_figure_alone(
    seeded: Seeded,
    orders: Any,  # noqa: F811
    extra_metrics: None,  # noqa: F811
    where_metric: Metric,
) -> None:
    tree = seeded.tree
    for org in (tree.city, tree.county_a, tree.county_b, tree.union_a):
        for start, end in periods():
            prev_start, prev_end = selectors.previous_period(start, end)
            report, split = selectors.report_page(org=org, start=start, end=end)
            for fig in report.figures:
                assert fig.raw == alone(fig.metric, org, start, end), (org.code, fig.key)
                expected = alone(fig.metric, org, prev_start, prev_end)
                assert fig.previous_raw == expected, (org.code, fig.key)
            plain = selectors.breakdown(org=org, start=start, end=end)
            assert [(f.key, f.raw, cells) for f, cells in split.rows] == [
                (f.key, f.raw, cells) for f, cells in plain.rows
            ]
            for fig, _cells in split.rows:
                assert fig.raw == alone(fig.metric, org, start, end), (org.code, fig.key)


def test_a_family_is_one_query_per_period(
    seeded: Seeded,
    orders: Any,  # noqa: F811
    extra_metrics: None,  # noqa: F811
    where_metric: Metric,
) -> None:
    """The closed orders' five figures and their two rates: one aggregate; the whole report
    page: one GROUP BY per family for the period and one statement for last year's."""
    city, end = seeded.tree.city, datetime.date.today()
    tally = Tally(city)
    keys = ["hotline.closed", "hotline.closed_on_time", "hotline.called_back",
            "hotline.satisfied", "hotline.wages_recovered", "hotline.on_time_rate",
            "hotline.satisfaction_rate"]  # fmt: skip
    for key in keys:
        tally.value(metrics.get(key), START, end)
    assert tally.queries == 1
    assert tally.value(TEST_WHERE, START, end) == alone(TEST_WHERE, city, START, end)
    assert tally.queries == 2  # TEST_SUM came with it
    assert tally.value(TEST_SUM, START, end) == alone(TEST_SUM, city, START, end)
    assert tally.count(TEST_SUM, START, end) == TEST_SUM.queryset(city, START, end).count()
    assert tally.queries == 2

    families = {
        (m.records, m.org_field) for m in metrics.all_metrics() if m.effective_kind != "rate"
    }
    report, _split = selectors.report_page(org=city, start=START, end=end)
    # the period: one GROUP BY per family (the breakdown); last year: every family together
    # (``Tally.prefetch``: one statement per ``TOGETHER`` families)
    together = -(-len(families) // metrics.TOGETHER)
    assert report.tally is not None and report.tally.queries <= len(families) + together


def test_where_narrows_the_records(seeded: Seeded, where_metric: Metric) -> None:
    city = seeded.tree.city
    start, end = date(2020, 1, 1), date(2020, 12, 31)
    records = where_metric.queryset(city, start, end)
    assert set(records) == {o for o in headcount_records(city, start, end) if o.headcount >= 100}
    assert records.count() == 1  # 甲化工园区工会, 300
    assert where_metric.value(city, start, end) == 1
    assert selectors.figure_records(where_metric, city, start, end).count() == 1


def test_the_drill_down_count_is_the_figure(
    seeded: Seeded,
    orders: Any,  # noqa: F811
    extra_metrics: None,  # noqa: F811
    where_metric: Metric,
) -> None:
    tree = seeded.tree
    for org in (tree.city, tree.county_a, tree.union_b):
        for start, end in periods():
            for metric in metrics.all_metrics():
                page = selectors.figure_page(metric, org, start, end, 0, 2)
                records = selectors.figure_records(metric, org, start, end)
                assert page.count == records.count(), (org.code, metric.key)
                assert page.figure.raw == alone(metric, org, start, end), (org.code, metric.key)
                assert [r.pk for r in page.items] == [r.pk for r in records[:2]]
                later = selectors.figure_page(metric, org, start, end, 1, 2).items
                assert [r.pk for r in later] == [r.pk for r in records[1:3]]
                if metric.effective_kind == "count":
                    assert page.count == page.figure.raw


def test_a_drill_down_page_is_a_fixed_number_of_queries(
    seeded: Seeded,
    orders: Any,  # noqa: F811
) -> None:
    """The figure, the count and the page, whatever the figure: no second scan to count."""
    city, end = seeded.tree.city, datetime.date.today()
    for key in ("members.total", "hotline.closed", "hotline.satisfaction_rate"):
        metric = metrics.get(key)
        with CaptureQueriesContext(connection) as ctx:
            page = selectors.figure_page(metric, city, START, end, 0, 50)
            rows = [selectors.record_row(metric, r) for r in page.items]
        counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
        assert len(counts) == 1, (key, counts)  # the figure's aggregate (a rate's: both terms)
        assert len(rows) == min(50, page.count)


def test_the_root_counts_members_without_the_subtree_condition(seeded: Seeded) -> None:
    """The city is the only root: its members are every member, read without joining the
    tree; with a second root the condition is back and the other tree's members stay out."""
    tree = seeded.tree
    end = date(2020, 9, 19)

    def sql(org: Any) -> str:
        return str(members_in_good_standing(org, START, end).order_by().query)

    assert "orgs_org" not in sql(tree.city)
    assert "orgs_org" in sql(tree.county_a)
    total = metrics.get("members.total")
    assert total.value(tree.city, START, end) == Member.objects.filter(joined_on__lte=end).count()

    other = org_insert(code="370000", parent=None, name="别的总工会", kind="city")
    Member.objects.filter(name="赵丽").update(org=other)
    assert "orgs_org" in sql(tree.city)
    assert total.value(tree.city, START, end) == 3
    assert total.value(other, START, end) == 1
    page = selectors.figure_page(metrics.get("members.joined"), tree.city, START, end, 0, 10)
    assert page.count == 2 and {m.name for m in page.items} == {"王强", "孙芳"}
