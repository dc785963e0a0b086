"""The model workers' register (劳模库): naming a 劳模-carrying award enters the register, the
yearly check and the benefits, the register's XLSX in and out row by row, and its scope."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from gonghui.core.errors import Conflict, Forbidden, InvalidInput
from gonghui.core.models import AuditEntry
from gonghui.honors import services
from gonghui.honors.models import (
    ModelWorker,
    ModelWorkerBenefit,
    ModelWorkerStatus,
)

from .honors_helpers import citizen_id, open_round, person

pytestmark = pytest.mark.django_db


def _worker(people: Any, tree: Any, name: str = "王建国", **extra: Any) -> ModelWorker:
    worker, outcome = services.model_worker_save(
        actor=people.cadre_a,
        org=tree.county_a,
        name=name,
        title="山东省劳动模范",
        level="provincial",
        year=2015,
        employer="甲公司",
        allowance=Decimal("300"),
        **extra,
    )
    assert outcome == "created"
    return worker


def _sheet(rows: list[list[Any]]) -> io.BytesIO:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "劳模名册.xlsx"
    return buffer


def test_naming_an_award_with_model_worker_treatment_enters_the_register(
    people: Any, tree: Any
) -> None:
    round = open_round(people, tree)  # 菏泽市五一劳动奖章: carries 劳模待遇
    member = person(people, tree.union_a, "周杰", 6)
    nom = services.nomination_create(actor=people.clerk_a, round=round, member=member)
    services.nomination_select(actor=people.cadre_a, nomination=nom)
    services.round_step(actor=people.city_cadre, round=round, step="close")
    services.round_step(
        actor=people.city_cadre, round=round, step="publish", today=date(2020, 4, 1)
    )
    services.round_step(actor=people.city_cadre, round=round, step="name", today=date(2020, 4, 20))
    worker = ModelWorker.objects.get()
    assert (worker.name, worker.title, worker.level, worker.year) == (
        "周杰",
        "菏泽市五一劳动奖章",
        "municipal",
        2020,
    )
    assert worker.member == member and worker.honour is not None and worker.org == tree.union_a
    assert AuditEntry.objects.filter(action="honors.model_worker_create").count() == 1


def test_an_award_without_the_treatment_does_not_enter_the_register(people: Any, tree: Any) -> None:
    round = open_round(people, tree, code="migrant_star")
    nom = services.nomination_create(
        actor=people.clerk_a, round=round, member=person(people, tree.union_a, "陈静", 9)
    )
    services.nomination_select(actor=people.cadre_a, nomination=nom)
    services.round_step(actor=people.city_cadre, round=round, step="close")
    services.round_step(
        actor=people.city_cadre, round=round, step="publish", today=date(2020, 4, 1)
    )
    services.round_step(actor=people.city_cadre, round=round, step="name", today=date(2020, 4, 20))
    assert not ModelWorker.objects.exists()


def test_the_yearly_check_once_a_year_and_a_death_closes_the_entry(people: Any, tree: Any) -> None:
    worker = _worker(people, tree)
    services.model_worker_check(
        actor=people.cadre_a, worker=worker, year=2020, result="normal", checked_on=date(2020, 6, 1)
    )
    with pytest.raises(Conflict, match="2020年度已核实"):
        services.model_worker_check(
            actor=people.cadre_a,
            worker=worker,
            year=2020,
            result="normal",
            checked_on=date(2020, 7, 1),
        )
    with pytest.raises(InvalidInput) as missing:
        services.model_worker_check(
            actor=people.cadre_a,
            worker=worker,
            year=2021,
            result="hardship",
            checked_on=date(2021, 3, 1),
        )
    assert missing.value.errors[0]["field"] == "note"
    with pytest.raises(Forbidden):
        services.model_worker_check(actor=people.cadre_b, worker=worker, year=2021, result="normal")
    services.model_worker_check(
        actor=people.cadre_a,
        worker=worker,
        year=2021,
        result="deceased",
        note="2021年2月病故",
        checked_on=date(2021, 3, 1),
    )
    worker.refresh_from_db()
    assert worker.status == ModelWorkerStatus.DECEASED
    with pytest.raises(Conflict, match="已故"):
        services.model_worker_benefit(
            actor=people.cadre_a,
            worker=worker,
            kind="visit",
            amount="500",
            granted_on=date(2021, 4, 1),
        )


def test_benefits_are_money_to_the_fen_and_bad_amounts_name_the_field(
    people: Any, tree: Any
) -> None:
    worker = _worker(people, tree)
    benefit = services.model_worker_benefit(
        actor=people.cadre_a,
        worker=worker,
        kind="allowance",
        amount="3600.005",
        granted_on=date(2020, 12, 20),
    )
    assert benefit.amount == Decimal("3600.01") and benefit.year == 2020
    for bad in ("-1", "abc", "0", "2000000"):
        with pytest.raises(InvalidInput) as exc:
            services.model_worker_benefit(
                actor=people.cadre_a,
                worker=worker,
                kind="allowance",
                amount=bad,
                granted_on=date(2020, 12, 20),
            )
        assert exc.value.errors[0]["field"] == "amount", bad
    assert ModelWorkerBenefit.objects.count() == 1


def test_the_register_imports_row_by_row_and_a_reimport_changes_nothing(
    people: Any, tree: Any, api: Any
) -> None:
    from gonghui.members.models import Member

    member = person(people, tree.union_a, "刘洋", 11)
    liu_id = citizen_id("371702", "19850101", 11)
    nobody = citizen_id("371702", "19850101", 99)
    head = ["姓名", "性别", "荣誉称号", "级别", "授予年度", "工作单位", "月荣誉津贴", "身份证号"]
    upload = _sheet([
        [*head, "管理工会代码"],
        ["刘洋", "男", "全国劳动模范", "全国劳动模范", 2010, "甲公司", 500, liu_id, ""],
        ["李秀英", "女", "山东省劳动模范", "省部级劳动模范", "2015", "乙", "300", "", "G-A-0001"],
        ["", "男", "山东省劳动模范", "省部级", 2015, "", "", "", ""],
        ["张三", "男", "山东省劳动模范", "区级", 2015, "", "", "", ""],
        ["赵六", "男", "市级劳动模范", "市级", 2015, "", "", "", "371721"],
        ["孙七", "男", "市级劳动模范", "市级", 2015, "", "", nobody, ""],
        ["周八", "男", "市级劳动模范", "市级", "明年", "", "", "", ""],
    ])  # fmt: skip
    url = "/api/v1/honors/model-workers/import"
    assert api(people.clerk_a).post(url, {"file": upload}).status_code == 403
    upload.seek(0)
    answer = api(people.cadre_a).post(url, {"file": upload}).json()
    assert answer["rows"] == 7 and answer["imported"] == 2 and answer["created"] == 2
    reasons = {r["row"]: r["reason"] for r in answer["rejected"]}
    assert sorted(reasons) == [4, 5, 6, 7, 8]
    assert "不能为空" in reasons[4]
    assert "级别“区级”不正确" in reasons[5]
    assert "未找到工会“371721”" in reasons[6]  # county B's union: outside county A
    assert "会员库中没有该身份证号的会员" in reasons[7]
    assert "授予年度" in reasons[8]
    liu = ModelWorker.objects.get(name="刘洋")
    assert liu.member == Member.objects.get(pk=member.pk) and liu.level == "national"
    assert liu.allowance == Decimal("500.00") and liu.org == tree.county_a
    li = ModelWorker.objects.get(name="李秀英")
    assert li.sex == "F" and li.org == tree.union_a and li.level == "provincial"
    upload.seek(0)
    again = api(people.cadre_a).post(url, {"file": upload}).json()
    assert again["unchanged"] == 2 and again.get("created", 0) == 0
    assert again.get("updated", 0) == 0 and ModelWorker.objects.count() == 2
    changed = _sheet([
        ["姓名", "荣誉称号", "级别", "授予年度", "月荣誉津贴"],
        ["刘洋", "全国劳动模范", "全国", 2010, 600],
    ])  # fmt: skip
    third = api(people.cadre_a).post(url, {"file": changed}).json()
    assert third["updated"] == 1
    liu.refresh_from_db()
    assert liu.allowance == Decimal("600.00") and liu.member_id == member.pk  # link kept


def test_the_register_exports_what_it_imports_and_keeps_to_scope(
    people: Any, tree: Any, login: Any
) -> None:
    worker = _worker(people, tree)
    services.model_worker_check(
        actor=people.cadre_a, worker=worker, year=2020, result="normal", checked_on=date(2020, 6, 1)
    )
    services.model_worker_save(
        actor=people.cadre_b,
        org=tree.county_b,
        name="曹县劳模",
        title="市级劳动模范",
        level="municipal",
        year=2018,
    )
    export = login(people.cadre_a).get("/honors/model-workers/?format=xlsx")
    rows = list(
        openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
    )
    assert rows[0][:5] == ("姓名", "性别", "荣誉称号", "级别", "授予年度")
    assert len(rows) == 2 and rows[1][0] == "王建国" and rows[1][3] == "省部级劳动模范"
    assert rows[1][10] == "2020：情况正常"
    # the exported sheet imports back unchanged
    buffer = io.BytesIO(export.content)
    buffer.name = "劳模库.xlsx"
    page = login(people.cadre_a).post("/honors/model-workers/import/", {"material": buffer})
    assert page.status_code == 302
    assert ModelWorker.objects.count() == 2
    city = login(people.city_cadre).get("/honors/model-workers/").content.decode()
    assert "王建国" in city and "曹县劳模" in city
    b_page = login(people.cadre_b).get("/honors/model-workers/").content.decode()
    assert "王建国" not in b_page and "曹县劳模" in b_page
    assert login(people.cadre_b).get(f"/honors/model-workers/{worker.pk}/").status_code == 404
    assert login(people.cadre_a).get(f"/honors/model-workers/{worker.pk}/").status_code == 200
    before = AuditEntry.objects.count()
    refused = login(people.cadre_b).post(
        f"/honors/model-workers/{worker.pk}/benefit/",
        {"kind": "visit", "amount": "500", "granted_on": "2020-09-01"},
    )
    assert refused.status_code == 404 and AuditEntry.objects.count() == before
    assert login(people.member_a).get("/honors/model-workers/").status_code == 404


def test_the_page_records_a_check_and_a_benefit(people: Any, tree: Any, login: Any) -> None:
    worker = _worker(people, tree)
    client = login(people.cadre_a)
    assert (
        client.post(
            f"/honors/model-workers/{worker.pk}/check/",
            {"year": "2020", "result": "normal", "checked_on": "2020-06-01"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/honors/model-workers/{worker.pk}/benefit/",
            {"kind": "health", "amount": "800", "granted_on": "2020-06-02", "note": "年度体检"},
        ).status_code
        == 302
    )
    page = client.get(f"/honors/model-workers/{worker.pk}/").content.decode()
    assert "健康体检" in page and "800.00" in page and "情况正常" in page
    made = client.post(
        "/honors/model-workers/new/",
        {"name": "钱多多", "title": "市级劳动模范", "level": "municipal", "year": "2019",
         "status": "active", "allowance": "200"},
    )  # fmt: skip
    assert made.status_code == 302
    assert ModelWorker.objects.get(name="钱多多").org == tree.county_a


def test_the_api_lists_and_records(people: Any, tree: Any, api: Any) -> None:
    worker = _worker(people, tree)
    listed = api(people.city_cadre).get("/api/v1/honors/model-workers?level=provincial").json()
    assert listed["count"] == 1 and listed["items"][0]["name"] == "王建国"
    assert api(people.cadre_b).get(f"/api/v1/honors/model-workers/{worker.pk}").status_code == 404
    checked = api(people.cadre_a).post(
        f"/api/v1/honors/model-workers/{worker.pk}/checks",
        {"year": 2020, "result": "ill", "note": "住院治疗", "checked_on": "2020-05-01"},
        content_type="application/json",
    )
    assert checked.status_code == 200 and checked.json()["checks"][0]["result"] == "ill"
    granted = api(people.cadre_a).post(
        f"/api/v1/honors/model-workers/{worker.pk}/benefits",
        {"kind": "hardship", "amount": "2000", "granted_on": "2020-05-10"},
        content_type="application/json",
    )
    assert granted.status_code == 200 and granted.json()["benefits"][0]["amount"] == "2000.00"
    made = api(people.cadre_a).post(
        "/api/v1/honors/model-workers",
        {"name": "吴敏", "title": "市级劳动模范", "level": "municipal", "year": 2019},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["org"] == "371702"
    bad = api(people.cadre_a).post(
        "/api/v1/honors/model-workers",
        {"name": "吴敏", "title": "市级劳动模范", "level": "county", "year": 2019},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "level"
