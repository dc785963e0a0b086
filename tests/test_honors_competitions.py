"""Labour competitions: phases, weighted indicators, scores per unit, indicator and phase (the
grid, the API, an XLSX import answered row by row and written all or nothing), the ranking
computed from the weights, and the top of a ranking nominated into an open round through the
nomination service (places and quota rules apply). Every page and operation refuses a user
outside the competition's county with the same 404 as a missing one."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from gonghui.core.errors import Conflict, Forbidden, InvalidInput
from gonghui.core.models import AuditEntry
from gonghui.honors import importing, selectors, services
from gonghui.honors.models import (
    CompetitionScore,
    CompetitionUnit,
    Nomination,
    NominationStatus,
)

from .honors_helpers import firm, open_round


def sheet(rows: list[list[Any]], name: str = "scores.xlsx") -> io.BytesIO:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def competition(people: Any, tree: Any, *, org: Any = None, actor: Any = None) -> Any:
    """County A's running competition: two phases, three weighted indicators, three units
    (甲公司's 钢筋班组 and 测量班组, 丙公司) — or the city's, with ``org`` and ``actor``."""
    actor = actor or people.cadre_a
    comp = services.competition_create(
        actor=actor,
        org=org or tree.county_a,
        title="牡丹机场立功竞赛",
        project="牡丹机场",
        starts_on=date(2020, 3, 1),
        ends_on=date(2020, 12, 31),
    )
    services.competition_phase_save(
        actor=actor,
        competition=comp,
        name="启动",
        starts_on=date(2020, 3, 1),
        ends_on=date(2020, 5, 31),
    )
    services.competition_phase_save(
        actor=actor,
        competition=comp,
        name="推进",
        starts_on=date(2020, 6, 1),
        ends_on=date(2020, 12, 31),
    )
    for name, weight, top in (("工程进度", 50, 100), ("安全生产", 30, 10), ("技术创新", 20, 5)):
        services.competition_indicator_save(
            actor=actor, competition=comp, name=name, weight=weight, max_score=top
        )
    jia = firm(people, "371702", "G-A-0001", "甲公司")
    bing = firm(people, "371702", None, "丙公司")
    for enterprise, team in ((jia, "钢筋班组"), (jia, "测量班组"), (bing, "")):
        services.competition_join(actor=actor, competition=comp, enterprise=enterprise, team=team)
    return services.competition_step(actor=actor, competition=comp, step="start")


def parts(comp: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    units = {u.name: u for u in comp.units.select_related("enterprise")}
    phases = {p.name: p for p in comp.phases.all()}
    indicators = {i.name: i for i in comp.indicator_rows.all()}
    return units, phases, indicators


def enter(people: Any, comp: Any, marks: dict[tuple[str, str, str], Any]) -> dict[str, int]:
    units, phases, indicators = parts(comp)
    return services.competition_scores_save(
        actor=people.cadre_a,
        competition=comp,
        entries=[
            services.ScoreEntry(
                unit=units[u],
                phase=phases[p],
                indicator=indicators[i],
                score=None if v is None else Decimal(str(v)),
            )
            for (u, p, i), v in marks.items()
        ],
    )


def test_the_ranking_weighs_each_indicator_and_averages_the_phases(people: Any, tree: Any) -> None:
    comp = competition(people, tree)
    enter(
        people,
        comp,
        {
            # 钢筋班组: 启动 50×80/100 + 30×10/10 + 20×5/5 = 90; 推进 50×60/100 + 30×5/10 = 45
            ("甲公司钢筋班组", "启动", "工程进度"): 80,
            ("甲公司钢筋班组", "启动", "安全生产"): 10,
            ("甲公司钢筋班组", "启动", "技术创新"): 5,
            ("甲公司钢筋班组", "推进", "工程进度"): 60,
            ("甲公司钢筋班组", "推进", "安全生产"): 5,
            # 测量班组: 启动 50 + 15 + 0 = 65 (技术创新 not given counts 0); 推进 50 + 30 = 80
            ("甲公司测量班组", "启动", "工程进度"): 100,
            ("甲公司测量班组", "启动", "安全生产"): 5,
            ("甲公司测量班组", "推进", "工程进度"): 100,
            ("甲公司测量班组", "推进", "安全生产"): 10,
        },
    )
    ranking = selectors.competition_ranking(comp)
    rows = [(r.unit.name, r.total, r.rank) for r in ranking.rows]
    # 钢筋班组 (90 + 45) / 2 = 67.5; 测量班组 (65 + 80) / 2 = 72.5; 丙公司 not scored
    assert rows == [
        ("甲公司测量班组", Decimal("72.50"), 1),
        ("甲公司钢筋班组", Decimal("67.50"), 2),
        ("丙公司", None, None),
    ]
    units, phases, _ = parts(comp)
    assert ranking.rows[1].phases == {
        phases["启动"].pk: Decimal("90.00"),
        phases["推进"].pk: Decimal("45.00"),
    }
    # written onto the units for the lists and the API
    assert (units["甲公司测量班组"].score, units["甲公司测量班组"].rank) == (Decimal("72.50"), 1)
    # a new weight reorders: 技术创新 weighing 200 lifts 钢筋班组 (the only one to score it)
    services.competition_indicator_save(
        actor=people.cadre_a, competition=comp, name="技术创新", weight=200, max_score=5
    )
    assert [r.unit.name for r in selectors.competition_ranking(comp).rows][:2] == [
        "甲公司钢筋班组",
        "甲公司测量班组",
    ]
    # equal totals share a rank
    enter(
        people,
        comp,
        {("丙公司", "启动", k): v for k, v in (("工程进度", 100), ("安全生产", 5), ("技术创新", 0))}
        | {("丙公司", "推进", "工程进度"): 100, ("丙公司", "推进", "安全生产"): 10},
    )
    ranks = {r.unit.name: r.rank for r in selectors.competition_ranking(comp).rows}
    assert ranks["丙公司"] == ranks["甲公司测量班组"] == 2


def test_scores_are_refused_whole_naming_the_cell(people: Any, tree: Any) -> None:
    comp = competition(people, tree)
    with pytest.raises(InvalidInput) as refused:
        enter(
            people,
            comp,
            {
                ("甲公司钢筋班组", "启动", "工程进度"): 80,
                ("甲公司钢筋班组", "启动", "安全生产"): 11,
            },
        )
    assert "甲公司钢筋班组·启动·安全生产：得分11超过“安全生产”的满分10" in refused.value.detail
    assert not CompetitionScore.objects.exists()  # nothing half-written
    with pytest.raises(Forbidden):  # another county's cadre
        services.competition_scores_save(actor=people.cadre_b, competition=comp, entries=[])
    done = enter(people, comp, {("甲公司钢筋班组", "启动", "工程进度"): 80})
    assert done["created"] == 1
    again = enter(people, comp, {("甲公司钢筋班组", "启动", "工程进度"): 80})
    assert again == {"created": 0, "updated": 0, "unchanged": 1, "cleared": 0}
    assert enter(people, comp, {("甲公司钢筋班组", "启动", "工程进度"): None})["cleared"] == 1
    assert AuditEntry.objects.filter(action="honors.competition_scores").count() == 2
    services.competition_step(actor=people.cadre_a, competition=comp, step="finish")
    with pytest.raises(Conflict):
        enter(people, comp, {("甲公司钢筋班组", "启动", "工程进度"): 80})


def test_phases_and_indicators_are_checked(people: Any, tree: Any) -> None:
    comp = competition(people, tree)
    with pytest.raises(InvalidInput):  # outside the competition's dates
        services.competition_phase_save(
            actor=people.cadre_a,
            competition=comp,
            name="决赛",
            starts_on=date(2020, 12, 1),
            ends_on=date(2021, 1, 31),
        )
    with pytest.raises(InvalidInput):
        services.competition_indicator_save(
            actor=people.cadre_a, competition=comp, name="质量", weight=0, max_score=100
        )
    enter(people, comp, {("甲公司钢筋班组", "启动", "工程进度"): 80})
    with pytest.raises(InvalidInput) as lower:  # a maximum below a score given
        services.competition_indicator_save(
            actor=people.cadre_a, competition=comp, name="工程进度", weight=50, max_score=60
        )
    assert "已有得分80.00高于新的满分60.00" in lower.value.detail
    with pytest.raises(Forbidden):
        services.competition_phase_save(
            actor=people.cadre_b,
            competition=comp,
            name="决赛",
            starts_on=date(2020, 12, 1),
            ends_on=date(2020, 12, 31),
        )
    comp.refresh_from_db()
    assert comp.indicators == ["工程进度", "安全生产", "技术创新"]


def test_the_score_import_answers_each_row_and_writes_nothing_while_one_is_wrong(
    people: Any, tree: Any
) -> None:
    comp = competition(people, tree)
    header = ["参赛单位", "参赛班组", "阶段", "指标", "得分"]
    bad = sheet([
        header,
        ["甲公司", "钢筋班组", "启动", "工程进度", 80],
        ["乙公司", "", "启动", "工程进度", 80],
        ["甲公司", "钢筋班组", "启动", "质量", 80],
        ["甲公司", "钢筋班组", "决赛", "工程进度", 80],
        ["甲公司", "钢筋班组", "启动", "安全生产", 12],
        ["甲公司", "钢筋班组", "启动", "工程进度", 70],
        ["丙公司", "", "启动", "工程进度", "优秀"],
    ])  # fmt: skip
    result = importing.import_competition_scores(actor=people.cadre_a, competition=comp, upload=bad)
    assert result.rows == 7 and result.imported == 0
    assert [(r["row"], r["reason"]) for r in result.rejected] == [
        (3, "参赛单位“乙公司”不在本竞赛中"),
        (4, "本竞赛没有“质量”指标"),
        (5, "本竞赛没有“决赛”阶段"),
        (6, "得分12超过“安全生产”的满分10"),
        (7, "与第2行重复（同一单位、阶段和指标）"),
        (8, "得分应为数字"),
    ]
    assert not CompetitionScore.objects.exists()
    good = [
        header,
        ["甲公司", "钢筋班组", "启动", "工程进度", 80],
        ["甲公司", "钢筋班组", "启动", "安全生产", 10],
        ["丙公司", "", "推进", "技术创新", 4.5],
    ]
    result = importing.import_competition_scores(
        actor=people.cadre_a, competition=comp, upload=sheet(good)
    )
    assert (result.imported, result.outcomes) == (3, {"created": 3, "updated": 0, "unchanged": 0})
    again = importing.import_competition_scores(
        actor=people.cadre_a, competition=comp, upload=sheet(good)
    )
    assert again.outcomes == {"created": 0, "updated": 0, "unchanged": 3}
    assert CompetitionScore.objects.count() == 3
    assert CompetitionUnit.objects.get(team="钢筋班组").rank == 1
    with pytest.raises(Forbidden):
        importing.import_competition_scores(
            actor=people.cadre_b, competition=comp, upload=sheet(good)
        )


def _city_competition_scored(people: Any, tree: Any) -> Any:
    comp = competition(people, tree, org=tree.city, actor=people.city_cadre)
    units, phases, indicators = parts(comp)
    services.competition_scores_save(
        actor=people.city_cadre,
        competition=comp,
        entries=[
            services.ScoreEntry(
                unit=units[name],
                phase=phases["启动"],
                indicator=indicators["工程进度"],
                score=Decimal(value),
            )
            for name, value in (("甲公司钢筋班组", 90), ("甲公司测量班组", 80), ("丙公司", 70))
        ],
    )
    return comp


def test_the_top_of_a_ranking_is_nominated_within_the_places(people: Any, tree: Any) -> None:
    comp = _city_competition_scored(people, tree)
    round = open_round(people, tree, code="pioneer", places=1, allot=False)
    units = [r.unit for r in selectors.competition_ranking(comp).rows]
    assert [u.name for u in units] == ["甲公司钢筋班组", "甲公司测量班组", "丙公司"]
    with pytest.raises(Conflict) as full:  # two into one place: refused whole
        services.competition_nominate(
            actor=people.city_cadre, competition=comp, round=round, units=units[:2]
        )
    assert full.value.detail == "甲公司测量班组：本次评选名额已满（1/1）"
    assert not Nomination.objects.exists()
    made = services.competition_nominate(
        actor=people.city_cadre, competition=comp, round=round, units=units[:1]
    )
    assert [(n.name, n.team, n.status, n.org_id) for n in made] == [
        ("甲公司", "钢筋班组", NominationStatus.SELECTED, tree.city.pk),
    ]
    assert "牡丹机场立功竞赛综合排名第1名" in made[0].deeds
    assert AuditEntry.objects.filter(action="honors.competition_nominate").count() == 1
    assert AuditEntry.objects.filter(action="honors.nominate").count() == 1
    with pytest.raises(Conflict) as twice:
        services.competition_nominate(
            actor=people.city_cadre, competition=comp, round=round, units=units[:1], select=False
        )
    assert "已在本次评选中被推荐" in twice.value.detail
    # a team award needs a team; an individual award cannot come from a ranking
    with pytest.raises(InvalidInput) as no_team:
        services.competition_nominate(
            actor=people.city_cadre, competition=comp, round=round, units=units[2:], select=False
        )
    assert no_team.value.detail == "丙公司：没有班组名称，不能推荐班组荣誉"
    medal = open_round(people, tree, code="wuyi_medal", allot=False)
    with pytest.raises(InvalidInput):
        services.competition_nominate(
            actor=people.city_cadre, competition=comp, round=medal, units=units[:1]
        )
    with pytest.raises(Forbidden):
        services.competition_nominate(
            actor=people.cadre_b, competition=comp, round=round, units=units[:1]
        )


def test_a_county_competition_nominates_within_the_county_s_places(people: Any, tree: Any) -> None:
    """County A's competition proposes into the city's collective award in county A's name:
    the county's allotment (one place) holds when passing up."""
    comp = competition(people, tree)
    enter(
        people,
        comp,
        {("甲公司钢筋班组", "启动", "工程进度"): 90, ("丙公司", "启动", "工程进度"): 80},
    )
    round = open_round(people, tree, code="wuyi_award", places=2)  # one place per county
    ranked = [r.unit for r in selectors.competition_ranking(comp).rows if r.rank]
    with pytest.raises(Conflict) as county_full:
        services.competition_nominate(
            actor=people.cadre_a, competition=comp, round=round, units=ranked
        )
    assert "牡丹区总工会的名额已用完（1/1）" in county_full.value.detail
    made = services.competition_nominate(
        actor=people.cadre_a, competition=comp, round=round, units=ranked, select=False
    )
    assert [(n.name, n.team, n.org_id) for n in made] == [
        ("甲公司", "", tree.county_a.pk),
        ("丙公司", "", tree.county_a.pk),
    ]
    quota = services.quota_report(round, tree.county_a)
    assert quota == []  # the collective round has no quota rules: nothing broken


def test_pages_show_the_grid_and_the_ranking_and_refuse_other_counties(
    people: Any, tree: Any, login: Any
) -> None:
    comp = competition(people, tree)
    units, phases, indicators = parts(comp)
    client = login(people.cadre_a)
    url = f"/honors/competitions/{comp.pk}/scores/?phase={phases['启动'].pk}"
    grid = client.get(url)
    assert grid.status_code == 200 and "工程进度" in grid.content.decode()
    cell = f"s-{units['甲公司钢筋班组'].pk}-{indicators['工程进度'].pk}"
    over = f"s-{units['丙公司'].pk}-{indicators['安全生产'].pk}"
    refused = client.post(url, {cell: "80", over: "11"}, follow=True)
    assert "丙公司·安全生产：得分11超过“安全生产”的满分10" in refused.content.decode()
    assert not CompetitionScore.objects.exists()
    assert client.post(url, {cell: "80"}).status_code == 302
    assert CompetitionScore.objects.get().score == Decimal("80.00")
    page = client.get(f"/honors/competitions/{comp.pk}/").content.decode()
    assert "参赛单位与排名" in page and "40.00" in page  # 50 × 80 / 100 ÷ 100 × 100
    for action, data in (
        ("phase", {"name": "决赛", "starts_on": "2020-12-01", "ends_on": "2020-12-31"}),
        ("indicator", {"name": "质量", "unit": "分", "weight": "10", "max_score": "100"}),
    ):
        assert client.post(f"/honors/competitions/{comp.pk}/{action}/", data).status_code == 302
    assert comp.phases.count() == 3 and comp.indicator_rows.count() == 4
    upload = sheet(
        [["参赛单位", "参赛班组", "阶段", "指标", "得分"], ["丙公司", "", "启动", "质量", 99]]
    )
    imported = client.post(
        f"/honors/competitions/{comp.pk}/import/", {"material": upload}, follow=True
    )
    assert "新增1项" in imported.content.decode()
    # another county: the same 404 as a missing competition, and nothing changes
    before = (AuditEntry.objects.count(), CompetitionScore.objects.count())
    other = login(people.cadre_b)
    for target in (url, f"/honors/competitions/{comp.pk}/", "/honors/competitions/999999/scores/"):
        assert other.get(target).status_code == 404, target
    assert other.post(url, {cell: "10"}).status_code == 404
    for action in ("phase", "indicator", "import", "nominate"):
        assert other.post(f"/honors/competitions/{comp.pk}/{action}/", {}).status_code == 404
    assert login(people.member_a).get(url).status_code == 404
    assert (AuditEntry.objects.count(), CompetitionScore.objects.count()) == before


def test_nominating_from_the_ranking_page(people: Any, tree: Any, login: Any) -> None:
    comp = _city_competition_scored(people, tree)
    round = open_round(people, tree, code="pioneer", places=5, allot=False)
    client = login(people.city_cadre)
    page = client.get(f"/honors/competitions/{comp.pk}/").content.decode()
    assert "推荐勾选的参赛单位" in page and round.title in page
    top = [r.unit.pk for r in selectors.competition_ranking(comp).rows][:2]
    answer = client.post(
        f"/honors/competitions/{comp.pk}/nominate/",
        {"round": round.pk, "units": top, "select": "on"},
    )
    assert answer.status_code == 302 and answer["Location"] == f"/honors/{round.pk}/"
    assert set(Nomination.objects.values_list("team", "status")) == {
        ("钢筋班组", "selected"),
        ("测量班组", "selected"),
    }


def test_the_api_scopes_phases_indicators_scores_ranking_and_nominations(
    people: Any, tree: Any, api: Any
) -> None:
    comp = competition(people, tree)
    units, phases, indicators = parts(comp)
    base = f"/api/v1/honors/competitions/{comp.pk}"
    mine, other = api(people.cadre_a), api(people.cadre_b)
    assert [p["name"] for p in mine.get(f"{base}/phases").json()] == ["启动", "推进"]
    assert mine.get(f"{base}/indicators").json()[1] == {
        "id": indicators["安全生产"].pk,
        "name": "安全生产",
        "unit": "分",
        "weight": "30.00",
        "max_score": "10.00",
        "position": 2,
    }
    body = {
        "scores": [
            {
                "unit": units["丙公司"].pk,
                "indicator": indicators["工程进度"].pk,
                "phase": phases["启动"].pk,
                "score": 90,
            },
            {
                "unit": units["甲公司钢筋班组"].pk,
                "indicator": indicators["安全生产"].pk,
                "phase": phases["启动"].pk,
                "score": 20,
            },
        ]
    }
    refused = mine.post(f"{base}/scores", body, content_type="application/json")
    assert refused.status_code == 422 and not CompetitionScore.objects.exists()
    body["scores"][1]["score"] = 10
    saved = mine.post(f"{base}/scores", body, content_type="application/json")
    assert saved.json() == {"created": 2, "updated": 0, "unchanged": 0, "cleared": 0}
    assert len(mine.get(f"{base}/scores?phase={phases['启动'].pk}").json()) == 2
    ranking = mine.get(f"{base}/ranking").json()
    assert [(r["name"], r["total"], r["rank"]) for r in ranking["rows"]][:2] == [
        ("丙公司", "45.00", 1),
        ("甲公司钢筋班组", "30.00", 2),
    ]
    created = mine.post(
        f"{base}/phases",
        {"name": "决赛", "starts_on": "2020-12-01", "ends_on": "2020-12-31"},
        content_type="application/json",
    )
    assert created.status_code == 201
    upload = sheet(
        [["参赛单位", "参赛班组", "阶段", "指标", "得分"], ["丙公司", "", "决赛", "工程进度", 50]]
    )
    assert mine.post(f"{base}/scores/import", {"file": upload}).json()["created"] == 1
    # another county: 404 for every operation, nothing changed
    before = (AuditEntry.objects.count(), CompetitionScore.objects.count(), comp.phases.count())
    for path in ("phases", "indicators", "scores", "ranking"):
        assert other.get(f"{base}/{path}").status_code == 404, path
    for path, data in (
        ("phases", {"name": "x", "starts_on": "2020-12-01", "ends_on": "2020-12-31"}),
        ("indicators", {"name": "x", "weight": 1, "max_score": 1}),
        ("scores", body),
        ("nominations", {"round": 1, "top": 1}),
    ):
        answer = other.post(f"{base}/{path}", data, content_type="application/json")
        assert answer.status_code == 404, path
    upload.seek(0)
    assert other.post(f"{base}/scores/import", {"file": upload}).status_code == 404
    assert (
        AuditEntry.objects.count(),
        CompetitionScore.objects.count(),
        comp.phases.count(),
    ) == before
    # the ranking's top (丙公司) into the city's collective award, in county A's name
    round = open_round(people, tree, code="wuyi_award", places=4)
    nominated = mine.post(
        f"{base}/nominations",
        {"round": round.pk, "top": 1, "select": False},
        content_type="application/json",
    )
    assert nominated.status_code == 201, nominated.content
    assert [(n["name"], n["status"], n["org"]) for n in nominated.json()] == [
        ("丙公司", "proposed", "371702")
    ]
    unranked = mine.post(
        f"{base}/nominations",
        {"round": round.pk, "units": [units["甲公司测量班组"].pk]},
        content_type="application/json",
    )
    assert unranked.status_code == 422  # not ranked yet
