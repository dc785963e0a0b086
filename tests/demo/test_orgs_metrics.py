"""The union tree's report figures: computed from the records, limited to subtree and period."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gonghui.core import metrics
from gonghui.orgs.models import Org
from gonghui.orgs.services import org_insert

SEED_START, SEED_END = date(2020, 1, 1), date(2020, 9, 19)
CHEM_INDUSTRY = "orgs.chemical_industry_unions_founded"
CHEM_PARK = "orgs.chemical_park_unions_founded"


@pytest.fixture
def heze(demo: str) -> None:
    return None


def value(key: str, code: str, start: date = SEED_START, end: date = SEED_END) -> Any:
    return metrics.get(key).value(Org.objects.get(code=code), start, end)


def test_the_figures_are_registered() -> None:
    assert metrics.get(CHEM_INDUSTRY).label == "新建县级化工产业工会"
    assert metrics.get(CHEM_PARK).label == "新建化工园区工会"
    for key in (CHEM_INDUSTRY, CHEM_PARK, "orgs.grassroots_unions", "orgs.unions_founded"):
        assert metrics.get(key).unit == "个"
        assert metrics.get(key).module == "orgs"


def test_the_seed_page_figures_for_heze(heze: None) -> None:
    assert value(CHEM_INDUSTRY, "371700") == 8
    assert value(CHEM_PARK, "371700") == 9


def test_the_figures_agree_with_their_records(heze: None) -> None:
    city = Org.objects.get(code="371700")
    for key in (CHEM_INDUSTRY, CHEM_PARK, "orgs.grassroots_unions", "orgs.unions_founded"):
        metric = metrics.get(key)
        records = metric.records(city, SEED_START, SEED_END)
        assert metric.value(city, SEED_START, SEED_END) == records.count()
    names = set(
        metrics.get(CHEM_PARK).records(city, SEED_START, SEED_END).values_list("name", flat=True)
    )
    assert "东明石化产业园区工会" in names
    # parks and industry unions founded in the window but not chemical are not counted
    assert "菏泽国际陆港物流园区工会" not in names
    industry = metrics.get(CHEM_INDUSTRY).records(city, SEED_START, SEED_END)
    assert "曹县电子商务产业工会" not in set(industry.values_list("name", flat=True))


def test_nothing_outside_the_period(heze: None) -> None:
    assert value(CHEM_INDUSTRY, "371700", date(2020, 9, 20), date(2020, 12, 31)) == 0
    assert value(CHEM_PARK, "371700", date(2020, 9, 20), date(2020, 12, 31)) == 0
    assert value(CHEM_INDUSTRY, "371700", date(2019, 1, 1), date(2019, 12, 31)) == 0
    assert value(CHEM_PARK, "371700", date(2019, 1, 1), date(2019, 12, 31)) == 0


def test_a_county_counts_its_own_subtree_only(heze: None) -> None:
    assert value(CHEM_INDUSTRY, "371702") == 0  # 牡丹区 founded neither
    assert value(CHEM_PARK, "371702") == 0
    assert value(CHEM_INDUSTRY, "371772") == 0
    assert value(CHEM_INDUSTRY, "371728") == 1  # 东明县
    assert value(CHEM_PARK, "371728") == 1
    assert value(CHEM_PARK, "371771") == 1  # 菏泽化工产业园, in the 经开区
    county_sum = sum(value(CHEM_PARK, o.code) for o in Org.objects.filter(kind="county"))
    assert county_sum == 9


def test_grassroots_and_founded_figures_on_the_demo(heze: None) -> None:
    grassroots = Org.objects.filter(kind="grassroots")
    at_end = grassroots.filter(founded_on__lte=SEED_END).count()
    assert value("orgs.grassroots_unions", "371700") == at_end
    assert 250 < at_end < grassroots.count()
    founded = Org.objects.filter(founded_on__range=(SEED_START, SEED_END)).count()
    assert value("orgs.unions_founded", "371700") == founded
    assert founded >= 17 + 3  # the chemical ones and the logistics/e-commerce ones


def test_period_ends_are_included(heze: None) -> None:
    mudan, gaoxin = Org.objects.get(code="371702"), Org.objects.get(code="371772")
    start, end = date(2030, 1, 1), date(2030, 9, 19)
    park = org_insert(
        code="P1",
        parent=mudan,
        name="牡丹化工园区工会",
        kind="park",
        sector="chemical",
        founded_on=start,
    )
    org_insert(
        code="I1",
        parent=gaoxin,
        name="高新区化工产业工会",
        kind="industry",
        sector="chemical",
        founded_on=end,
    )
    assert value(CHEM_PARK, "371700", start, end) == 1
    assert value(CHEM_INDUSTRY, "371700", start, end) == 1
    assert value(CHEM_PARK, "371700", date(2030, 1, 2), end) == 0
    assert value(CHEM_INDUSTRY, "371700", start, date(2030, 9, 18)) == 0
    assert value(CHEM_PARK, "371772", start, end) == 0  # the 高新区 got the industry union only
    assert value(CHEM_INDUSTRY, "371772", start, end) == 1
    assert value("orgs.unions_founded", "371702", start, end) == 1
    assert metrics.get(CHEM_PARK).records(mudan, start, end).get() == park
    # the seed figures are untouched
    assert value(CHEM_PARK, "371700") == 9


def test_grassroots_unions_counts_active_ones_founded_by_the_end(heze: None) -> None:
    street = Org.objects.get(code="371702001")
    before = value("orgs.grassroots_unions", "371702", SEED_START, date(2030, 12, 31))
    org_insert(
        code="G-NEW", parent=street, name="新建工会", kind="grassroots", founded_on=date(2031, 3, 1)
    )
    org_insert(code="G-UNDATED", parent=street, name="成立日期不详的工会", kind="grassroots")
    gone = org_insert(
        code="G-OLD", parent=street, name="撤销工会", kind="grassroots", founded_on=date(2010, 1, 1)
    )
    Org.objects.filter(pk=gone.pk).update(active=False)
    assert value("orgs.grassroots_unions", "371702", SEED_START, date(2030, 12, 31)) == before + 1
    assert value("orgs.grassroots_unions", "371702", SEED_START, date(2031, 12, 31)) == before + 2
    assert value("orgs.unions_founded", "371702", date(2031, 1, 1), date(2031, 12, 31)) == 1
    assert value("orgs.unions_founded", "371703", date(2031, 1, 1), date(2031, 12, 31)) == 0
