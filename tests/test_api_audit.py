"""The audit log through the API: who may read it, scope, filters, dates in Asia/Shanghai."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.core.models import AuditEntry
from gonghui.orgs.models import Org

from .conftest import People, Tree

SHANGHAI = ZoneInfo("Asia/Shanghai")


def entry(tree_org: Org, at: datetime.datetime, **extra: Any) -> AuditEntry:
    return AuditEntry.objects.create(
        at=at,
        actor_name=extra.pop("actor_name", "someone"),
        object_org=tree_org,
        action=extra.pop("action", "org.update"),
        object_type=extra.pop("object_type", "org"),
        object_id=extra.pop("object_id", tree_org.code),
        object_repr=tree_org.name,
        **extra,
    )


def rows(response: Any) -> list[tuple[str, str]]:
    return [(e["action"], e["object_id"]) for e in response.json()["items"]]


def test_api_write_is_in_the_log_with_before_and_after(
    people: People, tree: Tree, api: Any
) -> None:
    client = api(people.cadre_a)
    client.patch("/api/v1/orgs/G-A-0001", {"chair": "李强"}, content_type="application/json")
    r = client.get("/api/v1/audit", {"object_type": "org", "object_id": "G-A-0001"})
    assert r.status_code == 200
    assert r.json()["count"] == 1
    item = r.json()["items"][0]
    assert set(item) == {
        "id",
        "at",
        "actor",
        "actor_label",
        "org",
        "org_label",
        "action",
        "action_label",
        "object_type",
        "object_type_label",
        "object_id",
        "object_repr",
        "object_label",
        "changes",
        "changes_described",
        "note",
    }
    assert item["actor"] == "cadre_a"
    assert item["org"] == "371702"  # the actor's org
    assert item["action"] == "org.update"
    assert item["object_repr"] == "甲公司工会"
    assert item["changes"] == {"chair": {"before": "", "after": "李强"}}
    # beside the codes, the same in words, as the audit page shows it
    assert (item["org_label"], item["action_label"], item["object_label"]) == (
        "牡丹区总工会",
        "修改组织",
        "甲公司工会",
    )
    assert item["object_type_label"] == "工会组织"
    assert item["changes_described"] == [
        {"field": "chair", "label": "工会主席", "before": "—", "after": "李强"}
    ]


def test_scope_is_the_subtree_of_the_changed_record(people: People, tree: Tree, api: Any) -> None:
    now = datetime.datetime(2020, 9, 21, 10, tzinfo=SHANGHAI)
    entry(tree.union_a, now)
    entry(tree.union_b, now)
    entry(tree.city, now)
    only_orgs = {"object_type": "org"}
    assert rows(api(people.cadre_a).get("/api/v1/audit", only_orgs)) == [("org.update", "G-A-0001")]
    assert rows(api(people.cadre_b).get("/api/v1/audit", only_orgs)) == [("org.update", "G-B-0001")]
    assert len(rows(api(people.leader).get("/api/v1/audit", only_orgs))) == 3


def test_filters_outside_scope_find_nothing(people: People, tree: Tree, api: Any) -> None:
    entry(tree.union_a, datetime.datetime(2020, 9, 21, 10, tzinfo=SHANGHAI))
    r = api(people.cadre_b).get("/api/v1/audit", {"object_id": "G-A-0001"})
    assert r.json() == {"items": [], "count": 0}


@pytest.mark.parametrize("role", ["clerk_a", "operator", "lawyer_a", "member_a"])
def test_roles_without_audit_view_get_403(people: People, tree: Tree, api: Any, role: str) -> None:
    entry(tree.union_a, datetime.datetime(2020, 9, 21, 10, tzinfo=SHANGHAI))
    r = api(getattr(people, role)).get("/api/v1/audit")
    assert r.status_code == 403
    assert r["Content-Type"] == "application/problem+json"
    assert "G-A-0001" not in r.content.decode()


def test_anonymous_is_401(people: People) -> None:
    from django.test import Client

    assert Client().get("/api/v1/audit").status_code == 401


def test_filters(people: People, tree: Tree, api: Any) -> None:
    at = datetime.datetime(2020, 9, 21, 10, tzinfo=SHANGHAI)
    entry(tree.union_a, at, actor=people.cadre_a, actor_name="cadre_a", action="org.update")
    entry(tree.union_a, at, actor_name="admin", action="org.move")
    entry(
        tree.union_a,
        at,
        actor_name="admin",
        action="user.update",
        object_type="user",
        object_id="7",
    )
    client = api(people.city_cadre)
    assert rows(client.get("/api/v1/audit", {"actor": "cadre_a"})) == [("org.update", "G-A-0001")]
    assert rows(client.get("/api/v1/audit", {"action": "org.move"})) == [("org.move", "G-A-0001")]
    assert rows(client.get("/api/v1/audit", {"object_type": "user", "object_id": "7"})) == [
        ("user.update", "7")
    ]


def test_dates_are_inclusive_days_in_shanghai(people: People, tree: Tree, api: Any) -> None:
    def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime(2020, 9, day, hour, minute, tzinfo=SHANGHAI)

    entry(tree.union_a, at(20, 23, 59), object_id="before")
    entry(tree.union_a, at(21, 0, 0), object_id="first")  # 2020-09-20 16:00 UTC
    entry(tree.union_a, at(22, 23, 59), object_id="last")
    entry(tree.union_a, at(23, 0, 0), object_id="after")
    client = api(people.city_cadre)
    r = client.get(
        "/api/v1/audit", {"object_type": "org", "from": "2020-09-21", "to": "2020-09-22"}
    )
    assert [e["object_id"] for e in r.json()["items"]] == ["last", "first"]
    one_day = client.get(
        "/api/v1/audit", {"object_type": "org", "from": "2020-09-23", "to": "2020-09-23"}
    )
    assert [e["object_id"] for e in one_day.json()["items"]] == ["after"]
    assert [
        e["object_id"]
        for e in client.get("/api/v1/audit", {"object_type": "org", "to": "2020-09-20"}).json()[
            "items"
        ]
    ] == ["before"]


def test_bad_dates_name_the_field(people: People, api: Any) -> None:
    client = api(people.city_cadre)
    r = client.get("/api/v1/audit", {"from": "2020-02-30"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "from"
    r = client.get("/api/v1/audit", {"from": "2020-09-22", "to": "2020-09-21"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "to"


def test_list_runs_a_fixed_number_of_queries(people: People, tree: Tree, api: Any) -> None:
    for i in range(30):
        entry(
            tree.union_a,
            datetime.datetime(2020, 9, 21, 10, i, tzinfo=SHANGHAI),
            actor=people.cadre_a,
            org=tree.county_a,
        )
    client = api(people.city_cadre)
    client.get("/api/v1/audit")  # the token's first use stamps last_used_at
    with CaptureQueriesContext(connection) as small:
        assert len(client.get("/api/v1/audit", {"limit": 2}).json()["items"]) == 2
    with CaptureQueriesContext(connection) as large:
        assert len(client.get("/api/v1/audit", {"limit": 500}).json()["items"]) >= 30
    # token, page, count, and a query per kind of record the page names, whatever its size
    assert len(small) == len(large) <= 6
