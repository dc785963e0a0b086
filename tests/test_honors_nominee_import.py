"""A county's nominee list imported from a sheet: every row answered (a person or enterprise
not in the registry, or outside the county — the same answer —, the same nominee twice, rows
beyond the county's places), nothing kept while any row is refused, the list importable
again, and the quota rules checked afterwards with the live checker's messages."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from stdnum.cn import uscc as stdnum_uscc

from gonghui.core.errors import Forbidden
from gonghui.core.models import AuditEntry
from gonghui.honors import importing, services
from gonghui.honors.models import Award, Nomination, NominationStatus

from .honors_helpers import citizen_id, open_round, person

WOMEN_HALF = [{"tag": "woman", "op": "min", "percent": 50}]


def sheet(rows: list[list[Any]]) -> io.BytesIO:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "nominees.xlsx"
    return buffer


def uscc(seq: int) -> str:
    body = f"9137170{seq % 10}MA3C{seq:04d}1"
    return body + stdnum_uscc.calc_check_digit(body)


def test_a_county_s_list_is_answered_row_by_row_and_kept_whole(people: Any, tree: Any) -> None:
    round = open_round(people, tree, places=4, quota_rules=WOMEN_HALF)  # two per county
    a1 = person(people, tree.union_a, "李娜", 1, female=True)
    a2 = person(people, tree.union_a, "王强", 2)
    a3 = person(people, tree.union_a, "刘洋", 3)
    b1 = person(people, tree.union_b, "陈静", 4, female=True)
    header = ["身份证号", "类别", "材料说明"]
    rows = [
        header,
        [a1.id_number, "一线职工", "事迹材料已报送"],
        [citizen_id("371702", "19850101", 99), "", ""],
        [b1.id_number, "", ""],
        [a1.id_number, "", ""],
        [a2.id_number, "一线职工，产业工人", ""],
        [a3.id_number, "", ""],
        [a3.id_number.lower()[:-1] + "0", "技术大拿", ""],
    ]
    result = importing.import_nominees(actor=people.cadre_a, round=round, upload=sheet(rows))
    assert (result.rows, result.imported) == (7, 0)
    assert result.rejected == [
        {"row": 3, "reason": "会员库中没有该身份证号的会员"},
        # county B's member answers like one who does not exist
        {"row": 4, "reason": "会员库中没有该身份证号的会员"},
        {"row": 5, "reason": "与第2行重复"},
        {"row": 7, "reason": "超出名额：牡丹区总工会共2个名额，已推荐2个"},
        {"row": 8, "reason": "会员库中没有该身份证号的会员"},
    ]
    assert not Nomination.objects.exists()  # nothing half-written
    good = [header, rows[1], rows[5]]
    result = importing.import_nominees(actor=people.cadre_a, round=round, upload=sheet(good))
    assert (result.imported, result.outcomes, result.rejected) == (2, {"created": 2}, [])
    noms = {n.member_id: n for n in Nomination.objects.all()}
    assert noms[a1.pk].tags == ["frontline", "woman"] and noms[a1.pk].deeds == "事迹材料已报送"
    assert noms[a2.pk].tags == ["frontline", "industrial"]
    assert all(n.org_id == tree.county_a.pk for n in noms.values())
    assert all(n.status == NominationStatus.PROPOSED for n in noms.values())
    # the quota check after the import: the live checker's own messages
    live = [r.message for r in services.quota_report(round, tree.county_a)]
    assert result.quota == live == ["女性不低于50%：1/2，符合"]
    # the same list again changes nothing
    again = importing.import_nominees(actor=people.cadre_a, round=round, upload=sheet(good))
    assert again.outcomes == {"unchanged": 2} and Nomination.objects.count() == 2
    assert AuditEntry.objects.filter(action="honors.nominate").count() == 2


def test_another_union_s_nominee_and_the_quota_break_are_named(people: Any, tree: Any) -> None:
    round = open_round(people, tree, places=4, quota_rules=WOMEN_HALF)
    a1 = person(people, tree.union_a, "王强", 2)
    services.nomination_create(actor=people.clerk_a, round=round, member=a1)
    a2 = person(people, tree.union_a, "刘洋", 3)
    result = importing.import_nominees(
        actor=people.cadre_a,
        round=round,
        upload=sheet([["身份证号", "类别"], [a1.id_number, ""]]),
    )
    assert result.rejected == [{"row": 2, "reason": "已由其他单位推荐"}]
    result = importing.import_nominees(
        actor=people.cadre_a, round=round, upload=sheet([["身份证号", "类别"], [a2.id_number, ""]])
    )
    assert result.imported == 1
    assert result.quota == ["女性不低于50%：现有0人（共2人），至少需1人，还差1人"]


def test_enterprises_by_credit_code_for_collective_and_team_awards(people: Any, tree: Any) -> None:
    from gonghui.orgs.services import enterprise_save

    round = open_round(people, tree, code="pioneer", places=6)
    jia = enterprise_save(
        actor=people.admin, county="371702", union="G-A-0001", name="甲公司", uscc=uscc(1)
    )
    enterprise_save(actor=people.admin, county="371721", union=None, name="乙公司", uscc=uscc(2))
    rows = [
        ["统一社会信用代码", "班组", "材料说明"],
        [jia.uscc.lower(), "钢筋班组", "安全生产零事故"],
        [jia.uscc, "测量班组", ""],
        [uscc(2), "一班", ""],
        [uscc(3), "一班", ""],
        [jia.uscc, "", ""],
    ]
    result = importing.import_nominees(actor=people.cadre_a, round=round, upload=sheet(rows))
    assert result.rejected == [
        {"row": 4, "reason": "单位库中没有该统一社会信用代码的单位"},
        {"row": 5, "reason": "单位库中没有该统一社会信用代码的单位"},
        {"row": 6, "reason": "请填写班组名称"},
    ]
    assert not Nomination.objects.exists()
    result = importing.import_nominees(actor=people.cadre_a, round=round, upload=sheet(rows[:3]))
    assert result.imported == 2
    assert sorted(Nomination.objects.values_list("team", flat=True)) == ["测量班组", "钢筋班组"]


def test_the_page_and_the_api_import_and_refuse_outside_scope(
    people: Any, tree: Any, login: Any, api: Any
) -> None:
    round = open_round(people, tree, places=4)
    a1 = person(people, tree.union_a, "李娜", 1, female=True)
    page = login(people.cadre_a).post(
        f"/honors/{round.pk}/import/nominees/",
        {"material": sheet([["身份证号", "类别"], [a1.id_number, ""]])},
        follow=True,
    )
    assert "新推荐1个" in page.content.decode()
    answer = api(people.cadre_a).post(
        f"/api/v1/honors/rounds/{round.pk}/nominations/import",
        {"file": sheet([["身份证号", "类别"], [a1.id_number, ""]])},
    )
    assert answer.status_code == 200
    assert answer.json() == {
        "rows": 1,
        "imported": 1,
        "rejected": [],
        "created": 0,
        "unchanged": 1,
        "quota": [],
    }
    # a round of county A: county B, a member and a lawyer get the 404 of a missing round
    county_round = services.round_create(
        actor=people.cadre_a,
        org=tree.county_a,
        award=Award.objects.get(code="wuyi_medal"),
        title="2020年牡丹区五一劳动奖章",
        year=2020,
        places=2,
        opens_on=round.opens_on,
        closes_on=round.closes_on,
    )
    services.round_step(actor=people.cadre_a, round=county_round, step="open")
    other_api = api(people.cadre_b)
    before = (Nomination.objects.count(), AuditEntry.objects.count())
    for user in (people.cadre_b, people.member_a, people.lawyer_a):
        url = f"/honors/{county_round.pk}/import/nominees/"
        upload = sheet([["身份证号", "类别"], [a1.id_number, ""]])
        assert login(user).post(url, {"material": upload}).status_code == 404, user
    upload = sheet([["身份证号", "类别"], [a1.id_number, ""]])
    assert (
        other_api.post(
            f"/api/v1/honors/rounds/{county_round.pk}/nominations/import", {"file": upload}
        ).status_code
        == 404
    )
    assert (Nomination.objects.count(), AuditEntry.objects.count()) == before
    # a leader may view but not nominate
    with pytest.raises(Forbidden):
        importing.import_nominees(actor=people.leader, round=round, upload=sheet([["身份证号"]]))
