"""The member API: masking, scope (out of scope = 404 and nothing changed), roles, reveal audit,
transfers, status, the approval queue, and a fixed query budget for the list."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.core.identifiers import citizen_id_check_char
from gonghui.core.models import AuditEntry
from gonghui.members.models import Member, MembershipEvent
from gonghui.members.services import join_apply, member_create

from .conftest import People, Tree

PROBLEM = "application/problem+json"


def cid(body: str) -> str:
    return body + citizen_id_check_char(body)


ID_WANG = cid("37170219900101123")
ID_LI = cid("37172119850615224")


def post(client: Any, url: str, data: Any = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


def patch(client: Any, url: str, data: Any) -> Any:
    return client.patch(url, data, content_type="application/json")


@pytest.fixture
def wang(people: People, tree: Tree) -> Member:
    return member_create(
        actor=people.clerk_a,
        org=tree.union_a,
        data={
            "name": "王强",
            "id_number": ID_WANG,
            "phone": "13853012345",
            "joined_on": "2015-03-01",
        },
    )


@pytest.fixture
def li(people: People, tree: Tree) -> Member:
    return member_create(
        actor=people.cadre_b,
        org=tree.union_b,
        data={
            "name": "李红",
            "id_number": ID_LI,
            "phone": "13700001234",
            "joined_on": "2012-01-01",
        },
    )


def test_list_items_are_masked(people: People, wang: Member, api: Any) -> None:
    r = api(people.cadre_a).get("/api/v1/members")
    assert r.status_code == 200
    assert r.json() == {
        "items": [
            {
                "id": wang.pk,
                "name": "王强",
                "sex": "M",
                "id_number": "*" * 14 + ID_WANG[-4:],
                "phone": "138****2345",
                "org": "G-A-0001",
                "status": "active",
                "joined_on": "2015-03-01",
            }
        ],
        "count": 1,
    }


def test_list_and_search_are_scoped(people: People, wang: Member, li: Member, api: Any) -> None:
    def names(user: Any, **params: Any) -> list[str]:
        return [m["name"] for m in api(user).get("/api/v1/members", params).json()["items"]]

    assert names(people.admin) == ["王强", "李红"]
    assert names(people.cadre_b) == ["李红"]
    assert names(people.cadre_b, q="wq") == []
    assert names(people.cadre_a, q="wq") == ["王强"]
    assert names(people.cadre_a, q=ID_WANG[-4:]) == ["王强"]
    # a full number or a longer tail never travels in an address: 422 naming q
    for q in (ID_WANG, ID_WANG[-6:], "13700001234"):
        r = api(people.admin).get("/api/v1/members", {"q": q})
        assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "q")
    assert not AuditEntry.objects.filter(action="member.lookup").exists()
    assert names(people.admin, org="371721") == ["李红"]
    assert names(people.admin, status="withdrawn") == []
    assert names(people.lawyer_a) == []
    assert names(people.member_a) == []
    r = api(people.admin).get("/api/v1/members", {"status": "gone"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "status"
    assert api(None).get("/api/v1/members").status_code == 401


def test_list_runs_a_fixed_number_of_queries(people: People, tree: Tree, api: Any) -> None:
    for i in range(12):
        member_create(
            actor=people.clerk_a,
            org=tree.union_a,
            data={
                "name": f"张{'一二三四五六七八九十甲乙'[i]}",
                "id_number": cid(f"371702199003{i + 10:02d}123"),
                "joined_on": "2019-01-01",
            },
        )
    client = api(people.cadre_a)
    client.get("/api/v1/members")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/api/v1/members", {"limit": 5})
    small = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/api/v1/members", {"limit": 50})
    assert len(r.json()["items"]) == 12
    assert len(ctx.captured_queries) == small


def test_detail_and_its_ownership(people: People, wang: Member, api: Any) -> None:
    r = api(people.clerk_a).get(f"/api/v1/members/{wang.pk}")
    assert r.status_code == 200
    body = r.json()
    # a clerk (no reveal right) sees the birth year only beside the ID's last four
    assert (body["org_name"], body["birth_date"], body["has_account"]) == (
        "甲公司工会",
        "1990年",
        False,
    )
    assert body["id_number"] == "*" * 14 + ID_WANG[-4:]
    body = api(people.cadre_a).get(f"/api/v1/members/{wang.pk}").json()
    assert body["birth_date"] == "1990-01-01"
    for outsider in (people.cadre_b, people.lawyer_a, people.member_a):
        r = api(outsider).get(f"/api/v1/members/{wang.pk}")
        assert r.status_code == 404
        assert r["Content-Type"] == PROBLEM
    assert api(people.admin).get("/api/v1/members/999999").status_code == 404


def test_create(people: People, tree: Tree, api: Any) -> None:
    r = post(
        api(people.clerk_a),
        "/api/v1/members",
        {
            "org": "G-A-0001",
            "name": "王强",
            "id_number": ID_WANG.lower().replace("x", "x"),
            "phone": "138 5301 2345",
            "education": "本科",
            "joined_on": "2015-03-01",
        },
    )
    assert r.status_code == 201, r.content
    assert (r.json()["name"], r.json()["education"], r.json()["phone"]) == (
        "王强",
        "bachelor",
        "138****2345",
    )
    # bad input names the field; nothing written
    r = post(
        api(people.clerk_a),
        "/api/v1/members",
        {"org": "G-A-0001", "name": "李", "id_number": "123"},
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["name", "id_number"]
    # an unknown key is refused
    r = post(
        api(people.clerk_a),
        "/api/v1/members",
        {"org": "G-A-0001", "name": "李红", "id_number": ID_LI, "salary": 1},
    )
    assert r.status_code == 422
    # the same person again in another county: 409 naming neither the union nor the state
    r = post(
        api(people.cadre_b),
        "/api/v1/members",
        {"org": "G-B-0001", "name": "王强", "id_number": ID_WANG},
    )
    assert r.status_code == 409
    assert r.json()["detail"] == "此人无法在本单位办理，请其申请会籍接转"
    assert "union" not in r.json()
    assert Member.objects.count() == 1


def test_create_ownership(people: People, tree: Tree, api: Any) -> None:
    data = {"org": "G-A-0001", "name": "王强", "id_number": ID_WANG}
    r = post(api(people.cadre_b), "/api/v1/members", data)
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "org")
    assert post(api(people.leader), "/api/v1/members", data).status_code == 403
    assert post(api(people.member_a), "/api/v1/members", data).status_code == 422
    assert post(api(None), "/api/v1/members", data).status_code == 401
    assert Member.objects.count() == 0


def test_patch_and_its_ownership(people: People, wang: Member, api: Any) -> None:
    r = patch(api(people.cadre_b), f"/api/v1/members/{wang.pk}", {"name": "张三"})
    assert r.status_code == 404
    r = patch(api(people.leader), f"/api/v1/members/{wang.pk}", {"name": "张三"})
    assert r.status_code == 403
    wang.refresh_from_db()
    assert wang.name == "王强"
    r = patch(api(people.clerk_a), f"/api/v1/members/{wang.pk}", {"name": "王小强", "sex": "女"})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "sex", "message": "性别与身份证号不符"}]
    r = patch(
        api(people.clerk_a),
        f"/api/v1/members/{wang.pk}",
        {"name": "王小强", "worker_type": "农民工"},
    )
    assert r.status_code == 200
    assert (r.json()["name"], r.json()["worker_type"]) == ("王小强", "migrant")


def test_reveal(people: People, wang: Member, api: Any) -> None:
    r = post(api(people.cadre_a), f"/api/v1/members/{wang.pk}/reveal", {"reason": "核实"})
    assert r.status_code == 200
    assert r.json() == {"id_number": ID_WANG, "phone": "13853012345"}
    assert post(api(people.clerk_a), f"/api/v1/members/{wang.pk}/reveal").status_code == 403
    assert post(api(people.cadre_b), f"/api/v1/members/{wang.pk}/reveal").status_code == 404
    assert post(api(people.leader), f"/api/v1/members/{wang.pk}/reveal").status_code == 403
    entries = AuditEntry.objects.filter(action="member.reveal")
    assert [(e.actor_name, e.note) for e in entries] == [("cadre_a", "核实")]
    assert ID_WANG not in str(entries[0].changes)


def test_transfer_by_id_and_by_number(people: People, wang: Member, li: Member, api: Any) -> None:
    # the sending side cannot push into a union outside its scope
    r = post(api(people.cadre_a), f"/api/v1/members/{wang.pk}/transfer", {"to_org": "G-B-0001"})
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "to_org")
    # the receiving side cannot see the member by id …
    r = post(api(people.cadre_b), f"/api/v1/members/{wang.pk}/transfer", {"to_org": "G-B-0001"})
    assert r.status_code == 404
    # … nor pull the member in by the full ID number: no more than "apply for a transfer"
    r = post(
        api(people.cadre_b),
        "/api/v1/members/transfer-in",
        {"id_number": ID_WANG, "name": "王强", "to_org": "G-B-0001", "on": "2020-06-01"},
    )
    assert (r.status_code, r.json()["detail"]) == (409, "此人无法在本单位办理，请其申请会籍接转")
    assert set(r.json()) == {"type", "title", "status", "detail"}
    assert Member.objects.get(pk=wang.pk).org.code == "G-A-0001"
    # it applies; county A releases; the member moves and both histories show it
    r = post(
        api(people.cadre_b),
        "/api/v1/members/transfers",
        {"id_number": ID_WANG, "name": "王强", "to_org": "G-B-0001", "note": "调动"},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["side"], body["name"], body["from_org"], body["status"]) == (
        "in",
        "王*",
        None,
        "pending",
    )
    r = post(api(people.cadre_a), f"/api/v1/members/transfers/{body['id']}/approve")
    assert (r.status_code, r.json()["status"], r.json()["side"]) == (200, "done", "out")
    r = api(people.admin).get(f"/api/v1/members/{wang.pk}/history")
    assert [(e["kind"], e["org"], e["other_org"]) for e in r.json()] == [
        ("transfer_in", "G-B-0001", "G-A-0001"),
        ("transfer_out", "G-A-0001", "G-B-0001"),
        ("join", "G-A-0001", None),
    ]
    r = post(
        api(people.cadre_b),
        "/api/v1/members/transfer-in",
        {"id_number": cid("37170219700101001"), "name": "某人", "to_org": "G-B-0001"},
    )
    # a stranger answers as a member elsewhere would: no more than "apply for a transfer"
    assert (r.status_code, r.json()["detail"]) == (409, "此人无法在本单位办理，请其申请会籍接转")
    # a county-wide move by the city cadre, through the id
    r = post(api(people.city_cadre), f"/api/v1/members/{li.pk}/transfer", {"to_org": "G-A-0001"})
    assert (r.status_code, r.json()["org"]) == (200, "G-A-0001")
    # … or by number and name, in one step, since both unions lie in its scope
    r = post(
        api(people.city_cadre),
        "/api/v1/members/transfer-in",
        {"id_number": ID_LI, "name": "李红", "to_org": "G-B-0001"},
    )
    assert (r.status_code, r.json()["org"]) == (200, "G-B-0001")
    # leaders and members cannot transfer
    r = post(
        api(people.leader),
        "/api/v1/members/transfer-in",
        {"id_number": ID_LI, "name": "李红", "to_org": "G-A-0001"},
    )
    assert r.status_code == 403
    assert MembershipEvent.objects.filter(kind="transfer_in").count() == 3


def test_status(people: People, wang: Member, api: Any) -> None:
    url = f"/api/v1/members/{wang.pk}/status"
    assert post(api(people.cadre_b), url, {"status": "withdrawn"}).status_code == 404
    assert post(api(people.leader), url, {"status": "withdrawn"}).status_code == 403
    r = post(api(people.clerk_a), url, {"status": "withdrawn", "on": "2020-01-01", "note": "离职"})
    assert (r.status_code, r.json()["status"], r.json()["status_since"]) == (
        200,
        "withdrawn",
        "2020-01-01",
    )
    r = post(api(people.clerk_a), url, {"status": "suspended"})
    assert r.status_code == 409
    assert r.json()["allowed"] == ["reinstate"]


def test_approval_queue(people: People, tree: Tree, api: Any) -> None:
    application = join_apply(
        org=tree.union_a, data={"name": "李红", "id_number": ID_LI, "phone": "13700001234"}
    )
    assert api(people.cadre_b).get("/api/v1/members/applications").json()["count"] == 0
    items = (
        api(people.clerk_a)
        .get("/api/v1/members/applications", {"status": "pending"})
        .json()["items"]
    )
    assert [(a["name"], a["phone"], a["status"]) for a in items] == [
        ("李红", "137****1234", "pending")
    ]
    url = f"/api/v1/members/applications/{application.pk}"
    assert post(api(people.cadre_b), url + "/approve").status_code == 404
    assert post(api(people.leader), url + "/approve").status_code == 404
    assert Member.objects.count() == 0
    r = post(api(people.clerk_a), url + "/approve", {"on": "2020-08-01"})
    assert (r.status_code, r.json()["joined_on"], r.json()["org"]) == (
        200,
        "2020-08-01",
        "G-A-0001",
    )
    assert post(api(people.clerk_a), url + "/reject", {"reason": "重复"}).status_code == 409


def test_openapi_lists_the_member_routes(api: Any, people: People) -> None:
    paths = api(None).get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/members",
        "/api/v1/members/{member_id}",
        "/api/v1/members/{member_id}/transfer",
        "/api/v1/members/{member_id}/reveal",
        "/api/v1/members/{member_id}/status",
        "/api/v1/members/transfer-in",
        "/api/v1/members/transfers",
        "/api/v1/members/transfers/{request_id}/approve",
        "/api/v1/members/lookup",
        "/api/v1/members/export",
    } <= set(paths)


def _roster(*rows: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "姓名,身份证号码,手机,入会时间\n" + "\n".join(rows) + "\n"
    return SimpleUploadedFile("roster.csv", text.encode("utf-8"), content_type="text/csv")


def test_import_runs_and_reports_every_rejected_row(people: People, tree: Tree, api: Any) -> None:
    client = api(people.clerk_a)
    bad_id = ID_WANG[:-1] + ("0" if ID_WANG[-1] != "0" else "1")
    upload = _roster(
        f"王强,{ID_WANG},13853012345,2015-03-01", f"赵六,{bad_id},13853012346,2016-1-1"
    )
    r = client.post("/api/v1/members/import", {"org": "G-A-0001", "file": upload})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["rows"], body["created"], body["rejected"]) == (2, 1, 1)
    assert body["rejections"][0]["row"] == 3
    assert "校验位" in body["rejections"][0]["reason"]
    assert Member.objects.filter(org=tree.union_a).count() == 1
    # the same file again changes nothing
    again = client.post(
        "/api/v1/members/import",
        {"org": "G-A-0001", "file": _roster(f"王强,{ID_WANG},13853012345,2015-03-01")},
    )
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 1)


def test_import_dry_run_and_unusable_file(people: People, tree: Tree, api: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api(people.clerk_a)
    r = client.post(
        "/api/v1/members/import",
        {
            "org": "G-A-0001",
            "dry_run": "true",
            "file": _roster(f"王强,{ID_WANG},13853012345,2015-03-01"),
        },
    )
    assert r.status_code == 200 and r.json()["created"] == 1 and r.json()["dry_run"] is True
    assert Member.objects.count() == 0
    junk = SimpleUploadedFile("roster.xlsx", b"not a spreadsheet at all")
    r = client.post("/api/v1/members/import", {"org": "G-A-0001", "file": junk})
    assert r.status_code == 422 and r["Content-Type"] == PROBLEM
    assert r.json()["errors"][0]["field"] == "file"
    assert Member.objects.count() == 0


def test_import_ownership(people: People, tree: Tree, api: Any) -> None:
    upload = _roster(f"王强,{ID_WANG},13853012345,2015-03-01")
    r = api(people.cadre_b).post("/api/v1/members/import", {"org": "G-A-0001", "file": upload})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "org"
    r = api(people.leader).post(
        "/api/v1/members/import",
        {"org": "G-A-0001", "file": _roster(f"王强,{ID_WANG},13853012345,2015-03-01")},
    )
    assert r.status_code == 403
    assert api(None).post("/api/v1/members/import", {"org": "G-A-0001"}).status_code == 401
    assert Member.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="member.import").exists()


def test_import_in_the_background_gives_a_job_to_poll(people: People, tree: Tree, api: Any) -> None:
    client = api(people.clerk_a)
    r = client.post(
        "/api/v1/members/import",
        {
            "org": "G-A-0001",
            "background": "true",
            "file": _roster(f"王强,{ID_WANG},13853012345,2015-03-01"),
        },
    )
    assert r.status_code == 202
    job = r.json()
    assert job["status"] == "pending" and job["org"] == "G-A-0001"
    assert client.get(f"/api/v1/members/import/{job['id']}").status_code == 200
    assert api(people.cadre_b).get(f"/api/v1/members/import/{job['id']}").status_code == 404
