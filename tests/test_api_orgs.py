"""The union tree and enterprises through the API: scope, roles, bad input, audit, query budget."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.core.models import AuditEntry
from gonghui.orgs.models import Enterprise, Org
from gonghui.orgs.services import org_insert

from .conftest import People, Tree

PROBLEM = "application/problem+json"
USCC_A = "91371702MA3C4X5Y0J"
USCC_B = "91371721MA3D7Q8R2T"


def writes() -> Any:
    """Audit rows of writes (the ``api`` fixture's token issue is one too, not counted)."""
    return AuditEntry.objects.exclude(action__startswith="token.").exists()


def post(client: Any, url: str, data: Any = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


def patch(client: Any, url: str, data: Any) -> Any:
    return client.patch(url, data, content_type="application/json")


def codes(response: Any) -> list[str]:
    return [o["code"] for o in response.json()["items"]]


# --- reads ----------------------------------------------------------------------------


def test_list_is_the_users_subtree(people: People, api: Any) -> None:
    r = api(people.cadre_a).get("/api/v1/orgs")
    assert r.status_code == 200
    assert r.json()["count"] == 3
    assert codes(r) == ["371702", "371702001", "G-A-0001"]
    assert codes(api(people.admin).get("/api/v1/orgs")) == [
        "371700",
        "371702",
        "371702001",
        "G-A-0001",
        "371721",
        "G-B-0001",
    ]
    assert codes(api(people.cadre_b).get("/api/v1/orgs")) == ["371721", "G-B-0001"]


def test_list_item_fields(people: People, tree: Tree, api: Any) -> None:
    item = api(people.cadre_a).get("/api/v1/orgs", {"q": "G-A"}).json()["items"][0]
    assert item == {
        "code": "G-A-0001",
        "name": "甲公司工会",
        "short_name": "",
        "kind": "grassroots",
        "parent": "371702001",
        "active": True,
        "region_code": "",
        "uscc": "",
        "founded_on": None,
        "chair": "",
        "contact_name": "",
        "contact_phone": "",
        "address": "",
        "headcount": 120,
        "depth": 3,
    }


def test_list_filters(people: People, tree: Tree, api: Any) -> None:
    client = api(people.admin)
    assert codes(client.get("/api/v1/orgs", {"q": "牡丹"})) == ["371702", "371702001"]
    assert codes(client.get("/api/v1/orgs", {"kind": "county"})) == ["371702", "371721"]
    assert codes(client.get("/api/v1/orgs", {"parent": "371700"})) == ["371702", "371721"]
    tree.union_b.active = False
    tree.union_b.save(update_fields=["active"])
    assert codes(client.get("/api/v1/orgs", {"active": "false"})) == ["G-B-0001"]
    assert len(codes(client.get("/api/v1/orgs", {"active": "true"}))) == 5
    r = client.get("/api/v1/orgs", {"kind": "planet"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "kind"


def test_list_pages(people: People, api: Any) -> None:
    r = api(people.admin).get("/api/v1/orgs", {"limit": 2, "offset": 1})
    assert r.json()["count"] == 6
    assert codes(r) == ["371702", "371702001"]


def test_list_runs_a_fixed_number_of_queries(people: People, tree: Tree, api: Any) -> None:
    for i in range(30):
        org_insert(
            code=f"G-A-1{i:03d}", parent=tree.street_a, name=f"丙{i}公司工会", kind="grassroots"
        )
    client = api(people.admin)
    client.get("/api/v1/orgs")  # the token's first use stamps last_used_at
    with CaptureQueriesContext(connection) as small:
        assert len(codes(client.get("/api/v1/orgs", {"limit": 2}))) == 2
    with CaptureQueriesContext(connection) as large:
        assert len(codes(client.get("/api/v1/orgs", {"limit": 500}))) == 36
    assert len(small) == len(large) == 3  # token, page, count


def test_detail(people: People, tree: Tree, api: Any) -> None:
    Enterprise.objects.create(name="甲公司", county=tree.county_a, union=tree.union_a)
    r = api(people.cadre_a).get("/api/v1/orgs/371702")
    assert r.status_code == 200
    body = r.json()
    assert body["code"] == "371702"
    assert body["parent"] == "371700"
    assert body["children"] == ["371702001"]
    assert body["children_count"] == 1
    # the kernel's figures first; modules append theirs through hooks.org_counters
    assert body["counts"][:4] == [
        {"label": "县区总工会", "value": 1},
        {"label": "乡镇/街道工会", "value": 1},
        {"label": "基层工会", "value": 1},
        {"label": "下属单位", "value": 1},
    ]


def test_detail_outside_scope_is_404_like_missing(people: People, api: Any) -> None:
    outside = api(people.cadre_b).get("/api/v1/orgs/371702")
    missing = api(people.cadre_b).get("/api/v1/orgs/999999")
    assert outside.status_code == missing.status_code == 404
    assert outside["Content-Type"] == PROBLEM
    assert outside.json() == missing.json()


def test_member_sees_only_their_own_org(people: People, api: Any) -> None:
    assert codes(api(people.member_a).get("/api/v1/orgs")) == ["G-A-0001"]
    assert api(people.member_a).get("/api/v1/orgs/371702").status_code == 404


# --- create ---------------------------------------------------------------------------


def test_create(people: People, tree: Tree, api: Any) -> None:
    r = post(
        api(people.cadre_a),
        "/api/v1/orgs",
        {
            "code": "G-A-0002",
            "name": "丁公司工会",
            "kind": "grassroots",
            "parent": "371702001",
            "uscc": USCC_A,
            "headcount": 45,
            "founded_on": "2020-09-21",
            "chair": "王芳",
        },
    )
    assert r.status_code == 201
    body = r.json()
    assert body["parent"] == "371702001"
    assert body["depth"] == 3
    org = Org.objects.get(code="G-A-0002")
    assert org.path == f"{tree.street_a.path}{org.pk}/"
    assert org.uscc == USCC_A
    entry = AuditEntry.objects.get(action="org.create")
    assert entry.actor == people.cadre_a
    assert entry.object_id == "G-A-0002"
    assert entry.object_org == org
    assert entry.changes["name"] == {"before": None, "after": "丁公司工会"}
    assert entry.changes["headcount"] == {"before": None, "after": 45}


def test_create_outside_scope_is_refused_and_changes_nothing(people: People, api: Any) -> None:
    r = post(
        api(people.cadre_b),
        "/api/v1/orgs",
        {
            "code": "G-A-0002",
            "name": "丁公司工会",
            "kind": "grassroots",
            "parent": "371702001",
        },
    )
    # the parent is outside cadre_b's scope: answered exactly as an unknown parent
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "parent"
    assert not Org.objects.filter(code="G-A-0002").exists()
    assert not writes()


def test_create_unknown_parent_names_the_field(people: People, api: Any) -> None:
    r = post(
        api(people.admin),
        "/api/v1/orgs",
        {
            "code": "G-X",
            "name": "某工会",
            "kind": "grassroots",
            "parent": "000000",
        },
    )
    assert r.status_code == 422
    assert r["Content-Type"] == PROBLEM
    assert r.json()["errors"] == [{"field": "parent", "message": "上级组织不存在：000000"}]
    assert not Org.objects.filter(code="G-X").exists()


def test_create_invalid_credit_code_names_the_field(people: People, api: Any) -> None:
    r = post(
        api(people.cadre_a),
        "/api/v1/orgs",
        {
            "code": "G-A-0002",
            "name": "丁公司工会",
            "kind": "grassroots",
            "parent": "371702001",
            "uscc": "91371702MA3C4X5Y0X",
        },
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "uscc"
    assert not Org.objects.filter(code="G-A-0002").exists()
    assert not writes()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "planet"}, "kind"),
        ({"kind": "county"}, "kind"),  # a county under a township
        ({"code": "G-A-0001"}, "code"),  # taken
        ({"name": " "}, "name"),
        ({"founded_on": "2020-13-01"}, "founded_on"),
        ({"headcount": -1}, "headcount"),
        ({"region_code": "12"}, "region_code"),
        ({"path": "/1/"}, "path"),  # not a field one may set
    ],
)
def test_create_bad_input_names_the_field(
    people: People, api: Any, data: dict[str, Any], field: str
) -> None:
    body = {
        "code": "G-A-0002",
        "name": "丁公司工会",
        "kind": "grassroots",
        "parent": "371702001",
        **data,
    }
    r = post(api(people.cadre_a), "/api/v1/orgs", body)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == field
    assert Org.objects.count() == 6


def test_create_by_those_who_may_not_is_403(people: People, api: Any) -> None:
    for user in (people.leader, people.clerk_a, people.operator):
        r = post(
            api(user),
            "/api/v1/orgs",
            {
                "code": "G-A-0003",
                "name": "x",
                "kind": "grassroots",
                "parent": user.org.code,
            },
        )
        assert r.status_code == 403, user.username
    assert Org.objects.count() == 6


# --- update ---------------------------------------------------------------------------


def test_update_records_before_and_after(people: People, tree: Tree, api: Any) -> None:
    r = patch(
        api(people.cadre_a),
        "/api/v1/orgs/G-A-0001",
        {"chair": "李强", "headcount": 130, "uscc": USCC_A},
    )
    assert r.status_code == 200
    assert (r.json()["chair"], r.json()["headcount"]) == ("李强", 130)
    tree.union_a.refresh_from_db()
    assert tree.union_a.chair == "李强"
    entry = AuditEntry.objects.get(action="org.update")
    assert entry.changes == {
        "chair": {"before": "", "after": "李强"},
        "headcount": {"before": 120, "after": 130},
        "uscc": {"before": "", "after": USCC_A},
    }
    assert entry.org == tree.county_a  # the actor's org


def test_update_null_text_clears_it(people: People, tree: Tree, api: Any) -> None:
    patch(api(people.cadre_a), "/api/v1/orgs/G-A-0001", {"chair": "李强"})
    r = patch(api(people.cadre_a), "/api/v1/orgs/G-A-0001", {"chair": None})
    assert r.status_code == 200
    assert r.json()["chair"] == ""


def test_update_outside_scope_is_404_and_changes_nothing(
    people: People, tree: Tree, api: Any
) -> None:
    r = patch(api(people.cadre_b), "/api/v1/orgs/G-A-0001", {"name": "乙方改的"})
    assert r.status_code == 404
    assert r["Content-Type"] == PROBLEM
    tree.union_a.refresh_from_db()
    assert tree.union_a.name == "甲公司工会"
    assert not writes()


def test_update_by_leader_or_clerk_is_403(people: People, tree: Tree, api: Any) -> None:
    assert patch(api(people.leader), "/api/v1/orgs/G-A-0001", {"name": "x"}).status_code == 403
    assert patch(api(people.clerk_a), "/api/v1/orgs/G-A-0001", {"name": "x"}).status_code == 403
    tree.union_a.refresh_from_db()
    assert tree.union_a.name == "甲公司工会"
    assert not writes()


def test_update_invalid_credit_code(people: People, tree: Tree, api: Any) -> None:
    r = patch(api(people.cadre_a), "/api/v1/orgs/G-A-0001", {"uscc": "123"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "uscc"
    tree.union_a.refresh_from_db()
    assert tree.union_a.uscc == ""


def test_update_cannot_set_code_or_parent(people: People, tree: Tree, api: Any) -> None:
    r = patch(api(people.cadre_a), "/api/v1/orgs/G-A-0001", {"parent": "371702"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "parent"
    tree.union_a.refresh_from_db()
    assert tree.union_a.parent == tree.street_a


# --- move -----------------------------------------------------------------------------


def test_move(people: People, tree: Tree, api: Any) -> None:
    r = post(api(people.cadre_a), "/api/v1/orgs/G-A-0001/move", {"parent": "371702"})
    assert r.status_code == 200
    assert r.json()["parent"] == "371702"
    assert r.json()["depth"] == 2
    tree.union_a.refresh_from_db()
    assert tree.union_a.path == f"{tree.county_a.path}{tree.union_a.pk}/"
    entry = AuditEntry.objects.get(action="org.move")
    assert entry.changes == {"parent": {"before": "371702001", "after": "371702"}}


def test_move_under_own_descendant_names_parent(people: People, tree: Tree, api: Any) -> None:
    r = post(api(people.cadre_a), "/api/v1/orgs/371702001/move", {"parent": "G-A-0001"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "parent"
    tree.street_a.refresh_from_db()
    assert tree.street_a.parent == tree.county_a
    assert not writes()


def test_move_under_unknown_parent(people: People, tree: Tree, api: Any) -> None:
    r = post(api(people.cadre_a), "/api/v1/orgs/G-A-0001/move", {"parent": "nope"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "parent"


def test_move_outside_scope_is_404_and_changes_nothing(
    people: People, tree: Tree, api: Any
) -> None:
    r = post(api(people.cadre_b), "/api/v1/orgs/G-A-0001/move", {"parent": "371721"})
    assert r.status_code == 404
    tree.union_a.refresh_from_db()
    assert tree.union_a.parent == tree.street_a
    assert not writes()


def test_move_into_another_scope_is_refused(people: People, tree: Tree, api: Any) -> None:
    r = post(api(people.cadre_a), "/api/v1/orgs/G-A-0001/move", {"parent": "371721"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "parent"
    tree.union_a.refresh_from_db()
    assert tree.union_a.parent == tree.street_a


# --- deactivate / reactivate ----------------------------------------------------------


def test_deactivate_with_children_is_409(people: People, tree: Tree, api: Any) -> None:
    r = post(api(people.cadre_a), "/api/v1/orgs/371702001/deactivate")
    assert r.status_code == 409
    assert r["Content-Type"] == PROBLEM
    assert r.json()["blockers"] == ["1 个下级组织"]
    tree.street_a.refresh_from_db()
    assert tree.street_a.active is True


def test_deactivate_with_active_users_is_409(people: People, tree: Tree, api: Any) -> None:
    r = post(api(people.cadre_a), "/api/v1/orgs/G-A-0001/deactivate")
    assert r.status_code == 409
    assert r.json()["blockers"] == ["2 个有效账号"]


def test_deactivate_and_reactivate(people: People, tree: Tree, api: Any) -> None:
    org_insert(code="G-A-0009", parent=tree.street_a, name="空工会", kind="grassroots")
    client = api(people.cadre_a)
    r = post(client, "/api/v1/orgs/G-A-0009/deactivate", {"reason": "企业注销"})
    assert r.status_code == 200
    assert r.json()["active"] is False
    entry = AuditEntry.objects.get(action="org.deactivate")
    assert entry.note == "企业注销"
    assert entry.changes == {"active": {"before": True, "after": False}}
    assert post(client, "/api/v1/orgs/G-A-0009/deactivate").status_code == 409
    r = post(client, "/api/v1/orgs/G-A-0009/reactivate")
    assert r.status_code == 200
    assert r.json()["active"] is True
    assert AuditEntry.objects.filter(action="org.reactivate").count() == 1


def test_deactivate_and_reactivate_outside_scope_are_404(
    people: People, tree: Tree, api: Any
) -> None:
    empty = org_insert(code="G-A-0009", parent=tree.street_a, name="空工会", kind="grassroots")
    assert post(api(people.cadre_b), "/api/v1/orgs/G-A-0009/deactivate").status_code == 404
    empty.refresh_from_db()
    assert empty.active is True
    Org.objects.filter(pk=empty.pk).update(active=False)
    assert post(api(people.cadre_b), "/api/v1/orgs/G-A-0009/reactivate").status_code == 404
    empty.refresh_from_db()
    assert empty.active is False
    assert not writes()


def test_leader_is_refused_every_org_write(people: People, tree: Tree, api: Any) -> None:
    empty = org_insert(code="G-A-0009", parent=tree.street_a, name="空工会", kind="grassroots")
    client = api(people.leader)
    assert post(client, "/api/v1/orgs/G-A-0009/move", {"parent": "371702"}).status_code == 403
    assert post(client, "/api/v1/orgs/G-A-0009/deactivate").status_code == 403
    Org.objects.filter(pk=empty.pk).update(active=False)
    assert post(client, "/api/v1/orgs/G-A-0009/reactivate").status_code == 403
    empty.refresh_from_db()
    assert (empty.parent, empty.active) == (tree.street_a, False)
    assert not writes()


# --- enterprises ----------------------------------------------------------------------


def make_enterprise(tree: Tree, **extra: Any) -> Enterprise:
    return Enterprise.objects.create(
        name=extra.pop("name", "甲公司"), county=tree.county_a, union=tree.union_a, **extra
    )


def test_enterprise_create(people: People, tree: Tree, api: Any) -> None:
    r = post(
        api(people.cadre_a),
        "/api/v1/enterprises",
        {
            "name": "牡丹化工有限公司",
            "county": "371702",
            "union": "G-A-0001",
            "uscc": USCC_A,
            "unit_category": "170",
            "industry": "C",
            "size_class": "small",
            "headcount": 88,
        },
    )
    assert r.status_code == 201
    body = r.json()
    assert body["county"] == "371702"
    assert body["union"] == "G-A-0001"
    assert body["unit_category"] == "170"
    ent = Enterprise.objects.get(pk=body["id"])
    assert ent.uscc == USCC_A
    entry = AuditEntry.objects.get(action="enterprise.create")
    assert entry.changes["name"] == {"before": None, "after": "牡丹化工有限公司"}
    assert entry.object_org == tree.county_a


def test_enterprise_create_outside_scope(people: People, tree: Tree, api: Any) -> None:
    r = post(api(people.cadre_b), "/api/v1/enterprises", {"name": "越界公司", "county": "371702"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "county"
    assert not Enterprise.objects.exists()
    assert not writes()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"uscc": "91371702MA3C4X5Y0X"}, "uscc"),
        ({"unit_category": "999"}, "unit_category"),
        ({"industry": "Z"}, "industry"),
        ({"union": "371702001"}, "union"),  # not a grassroots union
        ({"county": "G-A-0001"}, "county"),  # not a county federation
        ({"headcount": -3}, "headcount"),
    ],
)
def test_enterprise_bad_input(people: People, api: Any, data: dict[str, Any], field: str) -> None:
    r = post(
        api(people.cadre_a), "/api/v1/enterprises", {"name": "某公司", "county": "371702", **data}
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == field
    assert not Enterprise.objects.exists()


def test_enterprise_list_and_filters(people: People, tree: Tree, api: Any) -> None:
    make_enterprise(tree, name="甲公司", uscc=USCC_A)
    Enterprise.objects.create(name="乙公司", county=tree.county_b, union=tree.union_b, uscc=USCC_B)
    names = lambda r: [e["name"] for e in r.json()["items"]]  # noqa: E731
    assert names(api(people.cadre_a).get("/api/v1/enterprises")) == ["甲公司"]
    assert names(api(people.cadre_b).get("/api/v1/enterprises")) == ["乙公司"]
    admin = api(people.admin)
    assert names(admin.get("/api/v1/enterprises")) == ["乙公司", "甲公司"]
    assert names(admin.get("/api/v1/enterprises", {"q": "乙"})) == ["乙公司"]
    assert names(admin.get("/api/v1/enterprises", {"q": USCC_A.lower()})) == ["甲公司"]
    assert names(admin.get("/api/v1/enterprises", {"county": "371721"})) == ["乙公司"]
    assert names(admin.get("/api/v1/enterprises", {"union": "G-A-0001"})) == ["甲公司"]


def test_enterprise_detail_and_update(people: People, tree: Tree, api: Any) -> None:
    ent = make_enterprise(tree)
    client = api(people.cadre_a)
    assert client.get(f"/api/v1/enterprises/{ent.pk}").json()["name"] == "甲公司"
    r = patch(client, f"/api/v1/enterprises/{ent.pk}", {"headcount": 300, "union": None})
    assert r.status_code == 200
    assert (r.json()["headcount"], r.json()["union"], r.json()["name"]) == (300, None, "甲公司")
    entry = AuditEntry.objects.get(action="enterprise.update")
    assert entry.changes == {
        "headcount": {"before": 0, "after": 300},
        "union": {"before": "G-A-0001", "after": None},
    }


def test_enterprise_outside_scope_is_404_and_unchanged(
    people: People, tree: Tree, api: Any
) -> None:
    ent = make_enterprise(tree)
    client = api(people.cadre_b)
    assert client.get(f"/api/v1/enterprises/{ent.pk}").status_code == 404
    r = patch(client, f"/api/v1/enterprises/{ent.pk}", {"name": "改名"})
    assert r.status_code == 404
    ent.refresh_from_db()
    assert ent.name == "甲公司"
    assert not writes()


def test_enterprise_writes_refused_to_leader(people: People, tree: Tree, api: Any) -> None:
    ent = make_enterprise(tree)
    client = api(people.leader)
    assert post(client, "/api/v1/enterprises", {"name": "x", "county": "371702"}).status_code == 403
    assert patch(client, f"/api/v1/enterprises/{ent.pk}", {"name": "x"}).status_code == 403
    ent.refresh_from_db()
    assert ent.name == "甲公司"
    assert Enterprise.objects.count() == 1
    assert not writes()
