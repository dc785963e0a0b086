"""Honours through the API and the pages: scope (another county, another role, anonymous),
the vote from the portal, exports."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest

from gonghui.core.models import AuditEntry
from gonghui.honors import services
from gonghui.honors.models import Nomination, NominationStatus, Vote

from .honors_helpers import firm, open_round, person

pytestmark = pytest.mark.django_db


def _post(client: Any, url: str, body: Any = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_the_city_opens_a_round_and_allots_places_through_the_api(
    people: Any, tree: Any, api: Any
) -> None:
    city = api(people.city_cadre)
    answer = _post(
        city,
        "/api/v1/honors/rounds",
        {
            "award": "craftsman",
            "title": "2020年“菏泽工匠”选树",
            "year": 2020,
            "places": 5,
            "opens_on": "2020-06-01",
            "closes_on": "2020-08-31",
            "quota_rules": [{"tag": "woman", "op": "min", "percent": 20}],
            "scoring": [{"key": "skill", "label": "绝技绝活", "max": 50}],
            "vote_enabled": True,
        },
    )
    assert answer.status_code == 201, answer.content
    round_id = answer.json()["id"]
    assert answer.json()["status"] == "draft"
    allotted = _post(
        city, f"/api/v1/honors/rounds/{round_id}/allotments", {"org": "371702", "places": 2}
    )
    assert allotted.json()["allotments"] == [
        {"org": "371702", "org_name": "牡丹区总工会", "places": 2, "used": 0}
    ]
    too_many = _post(
        city, f"/api/v1/honors/rounds/{round_id}/allotments", {"org": "371721", "places": 4}
    )
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "places"
    opened = _post(city, f"/api/v1/honors/rounds/{round_id}/steps/open")
    assert opened.json()["status"] == "nominating"
    again = _post(city, f"/api/v1/honors/rounds/{round_id}/steps/open")
    assert again.status_code == 409
    # county B sees the city's round (it nominates in it) but may not run it
    b = api(people.cadre_b)
    assert b.get(f"/api/v1/honors/rounds/{round_id}").status_code == 200
    assert _post(b, f"/api/v1/honors/rounds/{round_id}/steps/close").status_code == 403
    body = {
        "award": "craftsman",
        "title": "x",
        "year": 2020,
        "places": 1,
        "opens_on": "2020-06-01",
        "closes_on": "2020-06-02",
    }
    assert _post(api(people.leader), "/api/v1/honors/rounds", body).status_code == 403
    assert (
        _post(api(people.cadre_b), "/api/v1/honors/rounds", {**body, "org": "371700"}).status_code
        == 422
    )
    assert api(people.member_a).get("/api/v1/honors/rounds").status_code == 403
    assert api(None).get("/api/v1/honors/rounds").status_code == 401


def test_nominations_are_seen_in_the_nominating_union_s_subtree_only(
    people: Any, tree: Any, api: Any
) -> None:
    round = open_round(people, tree, quota_rules=[{"tag": "woman", "op": "min", "percent": 50}])
    member = person(people, tree.union_a, "张伟", 1)
    clerk = api(people.clerk_a)
    made = _post(
        clerk,
        f"/api/v1/honors/rounds/{round.pk}/nominations",
        {"member": member.pk, "tags": ["frontline"], "deeds": "技术革新"},
    )
    assert made.status_code == 201, made.content
    nom_id = made.json()["id"]
    assert made.json()["tags"] == ["frontline"]
    quota = api(people.cadre_a).get(f"/api/v1/honors/rounds/{round.pk}/quotas").json()
    assert quota[0]["ok"] is False and quota[0]["off_by"] == 1
    assert "还差1人" in quota[0]["message"]
    b = api(people.cadre_b)
    assert b.get(f"/api/v1/honors/nominations/{nom_id}").status_code == 404
    assert _post(b, f"/api/v1/honors/nominations/{nom_id}/select").status_code == 404
    assert b.get(f"/api/v1/honors/rounds/{round.pk}/nominations").json()["count"] == 0
    # county B cannot nominate county A's member: the registry look-up is scoped
    refused = _post(b, f"/api/v1/honors/rounds/{round.pk}/nominations", {"member": member.pk})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "member"
    selected = _post(api(people.cadre_a), f"/api/v1/honors/nominations/{nom_id}/select")
    assert selected.json()["status"] == "selected"
    assert (
        api(people.city_cadre).get(f"/api/v1/honors/rounds/{round.pk}/nominations").json()["count"]
        == 1
    )


def test_vetting_through_the_api_stops_the_nominee(people: Any, tree: Any, api: Any) -> None:
    round = open_round(people, tree)
    nom = services.nomination_create(
        actor=people.clerk_a, round=round, member=person(people, tree.union_a, "李娜", 2)
    )
    url = f"/api/v1/honors/nominations/{nom.pk}/vettings"
    assert _post(api(people.cadre_a), url, {"body": "tax", "passed": True}).status_code == 403
    answer = _post(
        api(people.city_cadre),
        url,
        {"body": "market", "passed": False, "reason": "企业被列入经营异常名录"},
    )
    assert answer.json()["status"] == "stopped"
    assert answer.json()["stop_reason"] == "市场监管：企业被列入经营异常名录"


def test_a_member_votes_from_the_portal_once(people: Any, tree: Any, login: Any, api: Any) -> None:
    round = open_round(people, tree, vote_enabled=True)
    nom = services.nomination_create(
        actor=people.clerk_a, round=round, member=person(people, tree.union_a, "王芳", 3)
    )
    services.nomination_select(actor=people.cadre_a, nomination=nom)
    services.round_step(actor=people.city_cadre, round=round, step="close")
    services.round_step(actor=people.city_cadre, round=round, step="vote")
    me = person(people, tree.union_a, "吴磊", 4)
    me.user = people.member_a
    me.save(update_fields=["user"])
    client = login(people.member_a)
    page = client.get("/portal/honors/")
    assert page.status_code == 200 and "王芳" in page.content.decode()
    assert (
        client.post(f"/portal/honors/{round.pk}/vote/", {"nomination": nom.pk}).status_code == 302
    )
    client.post(f"/portal/honors/{round.pk}/vote/", {"nomination": nom.pk})
    assert Vote.objects.filter(round=round).count() == 1
    assert "您已投票" in client.get("/portal/honors/").content.decode()
    again = _post(
        api(people.member_a), f"/api/v1/honors/rounds/{round.pk}/votes", {"nomination": nom.pk}
    )
    assert again.status_code == 409
    results = api(people.member_a).get(f"/api/v1/honors/rounds/{round.pk}/results").json()
    assert results[0]["votes"] == 1
    # staff cannot vote; a county B member sees no such round
    assert (
        _post(
            api(people.cadre_a), f"/api/v1/honors/rounds/{round.pk}/votes", {"nomination": nom.pk}
        ).status_code
        == 403
    )
    assert login(people.cadre_a).get("/portal/honors/").status_code == 404


def test_pages_answer_in_scope_and_refuse_outside(people: Any, tree: Any, login: Any) -> None:
    round = open_round(people, tree)
    nom = services.nomination_create(
        actor=people.clerk_a, round=round, member=person(people, tree.union_a, "赵磊", 5)
    )
    comp = services.competition_create(
        actor=people.cadre_a,
        org=tree.county_a,
        title="鲁南高铁立功竞赛",
        project="鲁南高铁",
        starts_on=round.opens_on,
        ends_on=round.closes_on,
    )
    pages = [
        "/honors/",
        f"/honors/{round.pk}/",
        f"/honors/nominations/{nom.pk}/",
        "/honors/roll/",
        "/honors/competitions/",
        f"/honors/competitions/{comp.pk}/",
    ]
    for url in pages:
        assert login(people.cadre_a).get(url).status_code == 200, url
        assert login(people.member_a).get(url).status_code == 404, url
        assert login(people.lawyer_a).get(url).status_code == 404, url
    assert login(people.cadre_b).get(f"/honors/nominations/{nom.pk}/").status_code == 404
    assert login(people.cadre_b).get(f"/honors/competitions/{comp.pk}/").status_code == 404
    from django.test import Client

    assert Client().get("/honors/").status_code == 302
    # a write from another county changes nothing
    before = AuditEntry.objects.count()
    assert login(people.cadre_b).post(f"/honors/nominations/{nom.pk}/select/").status_code == 404
    assert AuditEntry.objects.count() == before
    page = login(people.cadre_a).get(f"/honors/{round.pk}/").content.decode()
    assert "赵磊" in page and "比例要求核对" in page


def test_nominating_from_the_page_with_a_material(people: Any, tree: Any, login: Any) -> None:
    round = open_round(people, tree, code="wuyi_award")
    firm(people, "371702", "G-A-0001", "甲公司")
    client = login(people.clerk_a)
    form = client.get(f"/honors/{round.pk}/nominate/")
    assert form.status_code == 200 and "csrfmiddlewaretoken" in form.content.decode()
    upload = io.BytesIO(b"%PDF-1.4\n% deeds\n")
    upload.name = "事迹材料.pdf"
    answer = client.post(
        f"/honors/{round.pk}/nominate/",
        {
            "enterprise": "甲公司",
            "tags": ["non_public"],
            "deeds": "抗疫物资保障",
            "material": upload,
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    nom = Nomination.objects.get()
    assert nom.status == NominationStatus.PROPOSED and nom.tags == ["non_public"]
    assert nom.files.get().file.name == "事迹材料.pdf"


def test_the_honour_roll_and_the_nominee_list_export(people: Any, tree: Any, login: Any) -> None:
    from datetime import date

    round = open_round(people, tree)
    nom = services.nomination_create(
        actor=people.clerk_a, round=round, member=person(people, tree.union_a, "周杰", 6)
    )
    services.nomination_select(actor=people.cadre_a, nomination=nom)
    services.round_step(actor=people.city_cadre, round=round, step="close")
    services.round_step(
        actor=people.city_cadre, round=round, step="publish", today=date(2020, 4, 1)
    )
    services.round_step(actor=people.city_cadre, round=round, step="name", today=date(2020, 4, 20))
    roll = login(people.city_cadre).get("/honors/roll/?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(roll.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("证书编号", "荣誉", "类别", "获得者")
    assert rows[1][3] == "周杰" and rows[1][1] == "菏泽市五一劳动奖章"
    b_roll = login(people.cadre_b).get("/honors/roll/?format=xlsx")
    assert len(list(openpyxl.load_workbook(io.BytesIO(b_roll.content)).active.iter_rows())) == 1
    export = login(people.cadre_a).get(f"/honors/{round.pk}/nominees.xlsx")
    assert export.status_code == 200
    from gonghui.core.pdf import pdf_available

    if pdf_available():
        pdf = login(people.cadre_a).get(f"/honors/{round.pk}/certificates.pdf")
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # the member's own honours: portal and API
    nom.member.user = people.member_a
    nom.member.save(update_fields=["user"])
    assert "菏泽市五一劳动奖章" in login(people.member_a).get("/portal/honors/").content.decode()


def _sheet(rows: list[list[Any]]) -> io.BytesIO:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "answers.xlsx"
    return buffer


def test_vetting_answers_import_row_by_row(people: Any, tree: Any, api: Any, login: Any) -> None:
    round = open_round(people, tree)
    ok = services.nomination_create(
        actor=people.clerk_a, round=round, member=person(people, tree.union_a, "孙强", 7)
    )
    bad = services.nomination_create(
        actor=people.clerk_a, round=round, member=person(people, tree.union_a, "马超", 8)
    )
    upload = _sheet([
        ["编号", "征求意见单位", "意见", "情况说明"],
        [ok.pk, "税务", "无异议", ""],
        [bad.pk, "审计局", "有问题", "专项资金使用不规范"],
        [999999, "税务", "无异议", ""],
        [ok.pk, "公安", "无异议", ""],
        [ok.pk, "税务", "无异议", ""],
    ])  # fmt: skip
    url = f"/api/v1/honors/rounds/{round.pk}/vettings/import"
    assert api(people.cadre_a).post(url, {"file": upload}).status_code == 403
    upload.seek(0)
    answer = api(people.city_cadre).post(url, {"file": upload}).json()
    assert answer["rows"] == 5 and answer["imported"] == 2
    assert [r["row"] for r in answer["rejected"]] == [4, 5, 6]
    assert "不是本次评选的推荐对象" in answer["rejected"][0]["reason"]
    assert "已登记税务的意见" in answer["rejected"][2]["reason"]
    bad.refresh_from_db()
    assert bad.status == NominationStatus.STOPPED and "专项资金使用不规范" in bad.stop_reason
    # the same from the page
    page = login(people.city_cadre).post(
        f"/honors/{round.pk}/import/vettings/",
        {"material": _sheet([["编号", "征求意见单位", "意见"], [ok.pk, "纪检监察", "无异议"]])},
    )
    assert page.status_code == 302 and ok.vettings.count() == 2


def test_expert_scores_import(people: Any, tree: Any, api: Any) -> None:
    criteria = [
        {"key": "skill", "label": "绝技绝活", "max": 50},
        {"key": "innovation", "label": "创新成果", "max": 50},
    ]
    round = open_round(people, tree, scoring=criteria)
    nom = services.nomination_create(
        actor=people.clerk_a, round=round, member=person(people, tree.union_a, "朱军", 9)
    )
    services.nomination_select(actor=people.cadre_a, nomination=nom)
    services.round_step(actor=people.city_cadre, round=round, step="close")
    services.round_step(actor=people.city_cadre, round=round, step="score")
    upload = _sheet([["编号", "绝技绝活", "创新成果"], [nom.pk, 45, 40], [nom.pk, 60, 1]])
    answer = (
        api(people.city_cadre)
        .post(f"/api/v1/honors/rounds/{round.pk}/scores/import", {"file": upload})
        .json()
    )
    assert answer["imported"] == 1 and answer["rejected"][0]["row"] == 3
    nom.refresh_from_db()
    assert str(nom.score) == "85.00"


def test_a_deadline_and_a_notice_reach_the_pages(people: Any, tree: Any, login: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from gonghui.core import deadlines

    round = open_round(people, tree)
    round.closes_on = timezone.localdate() + timedelta(days=1)
    round.save(update_fields=["closes_on"])
    items = [d.label for d, _card in deadlines.for_user(people.clerk_a)]
    assert f"{round.title}：推荐截止" in items
    nom = services.nomination_create(
        actor=people.clerk_a, round=round, member=person(people, tree.union_a, "胡敏", 11)
    )
    services.nomination_select(actor=people.cadre_a, nomination=nom)
    services.round_step(actor=people.city_cadre, round=round, step="close")
    services.round_step(actor=people.city_cadre, round=round, step="publish")
    page = login(people.cadre_a).get(f"/honors/nominations/{nom.pk}/").content.decode()
    assert "公示中" in page and "查看公示与异议" in page
    assert "胡敏" in login(people.city_cadre).get("/notices/").content.decode()
