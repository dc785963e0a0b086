"""Legal-aid pages and API: the portal's application with evidence, the centre's steps from the
case page, the lawyer's stage with a document, the station registry's spreadsheet round trip,
the home pages, the API's filters and 404s, and the demo plan's seed figures."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.legal import demo, services
from gonghui.legal.models import Case, Staff, Station, Status

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_member_applies_uploads_evidence_and_follows_from_the_phone(
    people: Any, login: Any
) -> None:
    client = login(people.member_a)
    assert client.get("/portal/legal/").status_code == 200
    response = client.post(
        "/portal/legal/apply/",
        {
            "service": "arbitration",
            "employer_name": "甲公司",
            "dispute_on": "2026-01-05",
            "facts": "拖欠两个月工资",
            "claim_item": "拖欠工资",
            "claim_amount": "8000",
            "consent": "on",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/portal/legal/cases/{case.pk}/"
    assert case.channel == "portal" and case.filed_by == people.member_a
    response = client.post(
        f"/portal/legal/cases/{case.pk}/files/",
        {"evidence": SimpleUploadedFile("工资条.png", PNG, content_type="image/png")},
    )
    assert response.status_code == 302 and case.files.count() == 1
    bad = client.post(
        f"/portal/legal/cases/{case.pk}/files/",
        {"evidence": SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="image/png")},
    )
    assert bad.status_code == 422 and "不支持的文件类型" in bad.content.decode()
    page = client.get(f"/portal/legal/cases/{case.pk}/").content.decode()
    assert case.number in page and "工资条.png" in page
    # another member, and staff, do not reach the member's pages
    assert login(people.cadre_b).get(f"/legal/{case.pk}/").status_code == 404


def test_the_centre_takes_its_steps_from_the_case_page(people: Any, login: Any) -> None:
    case = services.case_create(
        actor=people.cadre_a,
        data={
            "facts": "x",
            "employer_name": "甲公司",
            "dispute_on": "2026-01-05",
            "consent": True,
            "applicants": [{"name": "王五"}],
        },
    )
    client = login(people.cadre_a)
    page = client.get(f"/legal/{case.pk}/").content.decode()
    assert 'data-action="complete"' in page and 'data-action="refuse"' in page
    assert client.post(f"/legal/{case.pk}/complete/", {}).status_code == 302
    assert client.post(f"/legal/{case.pk}/refuse/", {}).status_code == 422  # a reason is needed
    assert client.post(f"/legal/{case.pk}/approve/", {}).status_code == 302
    assert client.post(f"/legal/{case.pk}/assign/", {"lawyer": "lawyer_a"}).status_code == 302
    assert client.post(f"/legal/{case.pk}/assign/", {"lawyer": "lawyer_a"}).status_code == 409
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED and case.lawyer == people.lawyer_a
    assert login(people.cadre_b).post(f"/legal/{case.pk}/close/", {}).status_code == 404
    # the lawyer accepts and records a stage with its document
    lawyer = login(people.lawyer_a)
    assert lawyer.post(f"/legal/{case.pk}/accept/", {}).status_code == 302
    response = lawyer.post(
        f"/legal/{case.pk}/stages/",
        {
            "kind": "arbitration",
            "on": "2026-02-02",
            "note": "已向仲裁委提交申请书",
            "document": SimpleUploadedFile(
                "申请书.pdf", b"%PDF-1.4\n%\n", content_type="application/pdf"
            ),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.arbitration_on == date(2026, 2, 2) and case.files.count() == 1
    assert "仲裁受理期限" in lawyer.get(f"/legal/{case.pk}/").content.decode()
    home = lawyer.get("/").content.decode()
    assert case.number in home


def test_the_lawyers_home_lists_their_cases_with_cards(people: Any, login: Any) -> None:
    case = services.case_create(
        actor=people.cadre_a,
        data={"facts": "x", "employer_name": "甲", "dispute_on": "2025-01-05", "consent": True,
              "applicants": [{"name": "王五"}]},
    )  # fmt: skip
    for step, data in (("complete", {}), ("approve", {}), ("assign", {"lawyer": "lawyer_a"})):
        case = services.case_act(actor=people.cadre_a, case=case, action=step, data=data)
    home = login(people.lawyer_a).get("/").content.decode()
    assert case.number in home and 'data-card="red"' in home  # the one-year limit has passed
    cadre = login(people.cadre_a).get("/").content.decode()
    assert "法律援助案件" in cadre


def test_the_station_registry_round_trips_through_a_spreadsheet(people: Any, login: Any) -> None:
    client = login(people.cadre_a)
    template = client.get("/legal/registry/stations/template.xlsx")
    assert template.status_code == 200
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["站点编号", "站点名称", "类型", "所属工会代码", "经度", "纬度", "设立日期"])
    sheet.append(["S-1", "甲站", "职工法律维权服务站", "371702", "115.48", "35.23", "2020-05-01"])
    sheet.append(["S-2", "乙站", "职工法律维权服务站", "371721", "", "", "2020-05-01"])  # county B
    sheet.append(["S-3", "丙站", "不存在的类型", "371702", "", "", "2020-05-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("站点.xlsx", buffer.getvalue())
    response = client.post("/legal/registry/stations/import/", {"file": upload})
    assert response.status_code == 200
    assert list(Station.objects.values_list("code", flat=True)) == ["S-1"]
    text = response.content.decode()
    assert "未找到该工会" in text and "请选择类型" in text
    # the same file again changes nothing
    upload = SimpleUploadedFile("站点.xlsx", buffer.getvalue())
    client.post("/legal/registry/stations/import/", {"file": upload})
    assert Station.objects.count() == 1
    services.staff_save(
        actor=people.cadre_a,
        data={"station": "S-1", "name": "张律师", "kind": "union_lawyer", "user": "lawyer_a",
              "phone": "13800138000"},
    )  # fmt: skip
    export = client.get("/legal/registry/staff/export.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(export.content)).active.values)  # type: ignore[union-attr]
    assert rows[1][1] == "张律师" and "13800138000" not in str(rows)  # phones masked
    csv = login(people.cadre_b).get("/legal/registry/staff/export.csv")
    assert "张律师" not in b"".join(csv.streaming_content).decode()  # type: ignore[attr-defined]
    page = client.get("/legal/stations/").content.decode()
    assert "甲站" in page and 'data-testid="station-map"' in page
    assert Staff.objects.get().user == people.lawyer_a


def test_the_api_lists_and_filters_cases_in_scope(people: Any, api: Any) -> None:
    for _ in range(2):
        services.case_create(
            actor=people.cadre_a,
            data={"facts": "x", "employer_name": "甲公司", "dispute_on": "2026-01-05",
                  "consent": True, "applicants": [{"name": "王五"}, {"name": "赵六"}]},
        )  # fmt: skip
    body = api(people.cadre_a).get("/api/v1/legal/cases?status=applied&limit=1").json()
    assert body["count"] == 2 and len(body["items"]) == 1
    assert body["items"][0]["group"] is True and body["items"][0]["workers"] == 2
    assert api(people.cadre_b).get("/api/v1/legal/cases").json()["count"] == 0
    case_id = body["items"][0]["id"]
    assert api(people.cadre_b).get(f"/api/v1/legal/cases/{case_id}").status_code == 404
    detail = api(people.cadre_a).get(f"/api/v1/legal/cases/{case_id}").json()
    assert detail["applicants"][0]["name"] == "王*"  # masked
    assert "complete" in detail["actions"]
    step = api(people.cadre_a).post(
        f"/api/v1/legal/cases/{case_id}/close", "{}", content_type="application/json"
    )
    assert step.status_code == 409 and step["Content-Type"].startswith("application/problem+json")
    created = api(people.member_a).post(
        "/api/v1/legal/cases",
        {"facts": "y", "employer_name": "甲", "dispute_on": "2026-01-05", "consent": True},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["channel"] == "portal"


def test_the_demo_plan_makes_the_seed_figures() -> None:
    plans = demo.seed_plans()
    approved = [dict(p.steps).get("approve") for p in plans]
    window = [d for d in approved if d and demo.WINDOW[0] <= d <= demo.WINDOW[1]]
    assert len(window) == demo.WINDOW_CASES
    asks = demo.consultation_plans(datetime(2020, 12, 31, tzinfo=ZoneInfo("Asia/Shanghai")))
    answered = [
        a
        for a in asks
        if a.answered
        and demo.WINDOW[0]
        <= a.answered.astimezone(ZoneInfo("Asia/Shanghai")).date()
        <= demo.WINDOW[1]
    ]
    assert len(answered) == demo.WINDOW_ANSWERS
    assert demo.WINDOW_CASES + demo.WINDOW_ANSWERS == 161
    seeded = [s for s in demo.STATIONS if date.fromisoformat(s[4]) <= demo.WINDOW[1]]
    assert len(seeded) == 12 and len(seeded) * 5 == 60


def test_the_members_360_page_shows_their_case_beside_the_order(
    people: Any, tree: Any, login: Any
) -> None:
    from gonghui.members.services import member_create

    member = member_create(
        actor=people.admin,
        org=tree.union_a,
        data={"name": "李四", "id_number": "11010519491231002X"},
    )
    case = services.case_create(
        actor=people.cadre_a,
        data={"facts": "x", "employer_name": "甲", "dispute_on": "2026-01-05", "consent": True,
              "applicants": [{"name": "李四", "id_number": "11010519491231002X"}]},
    )  # fmt: skip
    assert case.applicants.get().member == member
    assert case.number in login(people.cadre_a).get(f"/members/{member.pk}/").content.decode()
    assert case.number not in login(people.cadre_b).get("/legal/").content.decode()
