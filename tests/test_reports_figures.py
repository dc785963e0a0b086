"""The work report's figures: each equals its records, limited to subtree and period, with last
year's beside it, split by subordinate org and month; the narrative; the Heze demo figures."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import QuerySet

from gonghui.core import metrics
from gonghui.core.identifiers import citizen_id_check_char
from gonghui.core.metrics import Metric
from gonghui.members.services import member_create
from gonghui.orgs.models import Org
from gonghui.orgs.services import org_insert
from gonghui.reports import selectors
from gonghui.reports.text import paragraphs

from .conftest import People, Tree

START, END = date(2020, 1, 1), date(2020, 9, 19)


def citizen_id(body: str) -> str:
    return body + citizen_id_check_char(body)


@dataclass
class Seeded:
    tree: Tree
    people: People


def seed(tree: Tree, people: People) -> Seeded:
    """Chemical unions and members in both counties, inside the period, in the same period of
    last year and after it."""
    org_insert(code="P-A", parent=tree.county_a, name="甲化工园区工会", kind="park",
               sector="chemical", founded_on=date(2020, 3, 1), headcount=300)  # fmt: skip
    org_insert(code="I-B", parent=tree.county_b, name="乙化工产业工会", kind="industry",
               sector="chemical", founded_on=END, headcount=50)  # fmt: skip
    org_insert(code="P-OLD", parent=tree.county_b, name="旧化工园区工会", kind="park",
               sector="chemical", founded_on=date(2019, 5, 1))  # fmt: skip
    org_insert(code="P-LATE", parent=tree.county_a, name="新化工园区工会", kind="park",
               sector="chemical", founded_on=date(2020, 9, 20))  # fmt: skip
    admin = people.admin
    joins = [
        (tree.union_a, "37170219900101123", "2020-02-10", "王强"),
        (tree.union_a, "37170219910202123", "2019-03-01", "李明"),
        (tree.union_a, "37170219920303123", "2020-11-01", "张伟"),
        (tree.union_b, "37172119850615224", "2020-05-05", "赵丽"),
        (tree.union_b, "37172119860716224", "2020-01-01", "孙芳"),
    ]
    for org, body, joined, name in joins:
        member_create(
            actor=admin,
            org=org,
            data={"name": name, "id_number": citizen_id(body), "joined_on": joined},
        )
    return Seeded(tree, people)


def headcount_records(org: Any, start: date, end: date) -> QuerySet[Org]:
    return Org.objects.filter(path__startswith=org.path, founded_on__range=(start, end))


TEST_SUM = Metric(
    key="zz_test.headcount_founded",
    label="新建工会职工人数(测试)",
    unit="元",
    definition="测试用的金额类指标",
    records=headcount_records,
    sum_field="headcount",
    module="zz_test",
    order=999,
    money=True,
)
TEST_RATE = Metric(
    key="zz_test.park_share",
    label="化工园区工会占比(测试)",
    unit="%",
    definition="测试用的比率类指标",
    records=headcount_records,
    module="zz_test",
    order=1000,
    kind="rate",
    ratio=("orgs.chemical_park_unions_founded", "orgs.unions_founded"),
    paragraph="化工园区工会占新建工会的{value}{unit}",
)


@pytest.fixture
def extra_metrics() -> Iterator[None]:
    """A money figure and a rate figure, as a later module would declare them."""
    metrics.register(TEST_SUM)
    metrics.register(TEST_RATE)
    yield
    metrics._REGISTRY.pop(TEST_SUM.key)
    metrics._REGISTRY.pop(TEST_RATE.key)


@pytest.fixture
def seeded(tree: Tree, people: People) -> Seeded:
    return seed(tree, people)


def figure(report: selectors.Report, key: str) -> selectors.Figure:
    return next(f for f in report.figures if f.key == key)


def test_every_declared_figure_equals_its_records(seeded: Seeded, extra_metrics: None) -> None:
    tree = seeded.tree
    for org in (tree.city, tree.county_a, tree.county_b, tree.union_a):
        for metric in metrics.all_metrics():
            value = metric.value(org, START, END)
            records = selectors.figure_records(metric, org, START, END)
            if metric.effective_kind == "count":
                assert value == records.count(), metric.key
            elif metric.effective_kind == "sum":
                amounts = [Decimal(selectors.record_row(metric, r)["amount"]) for r in records]
                assert value == sum(amounts, Decimal(0)), metric.key
            else:  # a rate's records are its numerator's
                assert records.count() == metrics.get(metric.ratio[0]).value(org, START, END)  # type: ignore[index]


def test_the_fixture_figures(seeded: Seeded, extra_metrics: None) -> None:
    report = selectors.report_compute(org=seeded.tree.city, start=START, end=END)
    assert figure(report, "orgs.chemical_park_unions_founded").value == 1
    assert figure(report, "orgs.chemical_industry_unions_founded").value == 1
    assert figure(report, "members.joined").value == 3  # 2020-01-01 is inside, 11-01 is not
    assert figure(report, "members.total").value == 4
    assert figure(report, "members.transferred").value == 0
    money = figure(report, "zz_test.headcount_founded")
    assert money.raw == 350 and money.value == Decimal("0.04") and money.unit == "万元"
    rate = figure(report, "zz_test.park_share")
    assert rate.value == Decimal("50.00") and rate.unit == "%"
    assert rate.text == "50.00"
    assert figure(report, "members.joined").text == "3"


def test_a_period_excludes_records_outside_it(seeded: Seeded) -> None:
    city = seeded.tree.city
    chem_park = metrics.get("orgs.chemical_park_unions_founded")
    joined = metrics.get("members.joined")
    assert chem_park.value(city, date(2020, 3, 2), END) == 0
    assert chem_park.value(city, START, date(2020, 2, 29)) == 0
    assert chem_park.value(city, date(2020, 9, 20), date(2020, 12, 31)) == 1
    assert joined.value(city, date(2020, 1, 2), date(2020, 5, 4)) == 1
    assert joined.value(city, date(2020, 9, 20), date(2020, 12, 31)) == 1
    names = set(selectors.figure_records(joined, city, START, END).values_list("name", flat=True))
    assert names == {"王强", "赵丽", "孙芳"}


def test_previous_is_the_same_period_last_year(seeded: Seeded) -> None:
    report = selectors.report_compute(org=seeded.tree.city, start=START, end=END)
    assert figure(report, "orgs.chemical_park_unions_founded").previous == 1  # P-OLD
    assert figure(report, "members.joined").previous == 1  # 李明, 2019-03-01
    assert figure(report, "members.total").previous == 1
    assert figure(report, "members.joined").change == "+2"
    assert selectors.previous_period(date(2020, 2, 29), date(2020, 3, 31)) == (
        date(2019, 2, 28),
        date(2019, 3, 31),
    )


def test_a_county_sees_its_subtree_only(seeded: Seeded) -> None:
    tree = seeded.tree
    a = selectors.report_compute(org=tree.county_a, start=START, end=END)
    b = selectors.report_compute(org=tree.county_b, start=START, end=END)
    assert figure(a, "orgs.chemical_park_unions_founded").value == 1
    assert figure(a, "orgs.chemical_industry_unions_founded").value == 0
    assert figure(b, "orgs.chemical_industry_unions_founded").value == 1
    assert figure(a, "members.joined").value == 1
    assert figure(b, "members.joined").value == 2


def test_breakdown_by_county_adds_up(seeded: Seeded, extra_metrics: None) -> None:
    tree = seeded.tree
    split = selectors.breakdown(org=tree.city, start=START, end=END)
    assert split.columns == ["牡丹区总工会", "曹县总工会", "本级"]
    rows = {fig.key: cells for fig, cells in split.rows}
    assert rows["members.joined"] == [1, 2, 0]
    assert rows["orgs.chemical_park_unions_founded"] == [1, 0, 0]
    assert rows["orgs.chemical_industry_unions_founded"] == [0, 1, 0]
    assert rows["zz_test.headcount_founded"] == [Decimal("0.03"), Decimal("0.01"), 0]
    # the city itself founded nothing: its share has nothing to divide by ("—", never 0.00 %)
    assert rows["zz_test.park_share"] == [Decimal("100.00"), Decimal("0.00"), None]
    for fig, cells in split.rows:
        if fig.metric.effective_kind == "count":
            assert sum(cells) == fig.value
    report = selectors.report_compute(org=tree.city, start=START, end=END, previous=False)
    for fig, _cells in split.rows:
        assert figure(report, fig.key).value == fig.value


def test_trend_month_by_month(seeded: Seeded) -> None:
    data = selectors.trend(
        org=seeded.tree.city, start=START, end=END, keys=["members.joined", "members.total"]
    )
    assert data["months"] == [f"2020-{m:02d}" for m in range(1, 10)]
    series = {s["key"]: s["values"] for s in data["series"]}
    assert series["members.joined"] == [1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert series["members.total"] == [2, 3, 3, 3, 4, 4, 4, 4, 4]
    assert selectors.months(date(2020, 12, 15), date(2021, 1, 10)) == [
        (date(2020, 12, 15), date(2020, 12, 31)),
        (date(2021, 1, 1), date(2021, 1, 10)),
    ]


def test_the_narrative(seeded: Seeded, extra_metrics: None) -> None:
    report = selectors.report_compute(org=seeded.tree.city, start=START, end=END)
    text = paragraphs(report)
    assert text[0] == "2020年1月1日至2020年9月19日，菏泽市总工会及所属各级工会工作情况如下。"
    assert text[1] == "一是产业工会建设：新组建1个县级化工产业工会；新组建1个化工产业园区工会。"
    members = next(t for t in text if "会员发展与服务：" in t)
    assert members[1:].startswith("是会员发展与服务：在会会员4人；新发展会员3人；")
    # a figure without a paragraph reads "label value unit"; sections follow module headings
    other = next(p for p in text if "其他工作" in p)  # the last section, whatever is installed
    assert other == text[-1]
    assert re.sub("^[一二三四五六七八九十]+", "", other) == (
        "是其他工作：新建工会职工人数(测试)0.04万元；化工园区工会占新建工会的50.00%。"
    )


def test_numbers_are_formatted_like_the_page() -> None:
    assert selectors.shown(TEST_SUM, Decimal("407900.00")) == Decimal("40.79")
    assert selectors.shown(TEST_SUM, Decimal("2661550")) == Decimal("266.16")
    assert selectors.shown(TEST_RATE, Decimal("83.33333")) == Decimal("83.33")
    assert selectors.shown(metrics.get("members.joined"), 84) == 84
    assert selectors.as_json_number(Decimal("40.79")) == 40.79
