"""Users through the API: scope, roles, generated passwords, audit, no hashes ever."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gonghui.accounts.models import ApiToken, User
from gonghui.accounts.services import token_issue
from gonghui.core.models import AuditEntry

from .conftest import PASSWORD, People, Tree, make_user

PROBLEM = "application/problem+json"
USER_KEYS = {
    "id",
    "username",
    "full_name",
    "title",
    "email",
    "role",
    "org",
    "org_name",
    "is_active",
    "last_login",
    "date_joined",
}


def writes() -> Any:
    """Audit rows of user writes (the ``api`` fixture's token issue is not one)."""
    return AuditEntry.objects.filter(object_type="user")


def post(client: Any, url: str, data: Any = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


def patch(client: Any, url: str, data: Any) -> Any:
    return client.patch(url, data, content_type="application/json")


def names(response: Any) -> list[str]:
    return [u["username"] for u in response.json()["items"]]


@pytest.fixture
def admin_a(people: People, tree: Tree) -> User:
    """An admin of county A only: manages county A's accounts, nothing of county B."""
    return make_user("admin_a", "admin", tree.county_a)


def test_list_is_the_users_subtree(people: People, api: Any) -> None:
    r = api(people.cadre_a).get("/api/v1/users")
    assert r.status_code == 200
    assert r.json()["count"] == 4
    assert names(r) == ["cadre_a", "lawyer_a", "clerk_a", "member_a"]
    assert names(api(people.cadre_b).get("/api/v1/users")) == ["cadre_b"]
    assert api(people.admin).get("/api/v1/users").json()["count"] == 9


def test_list_items_never_carry_a_password(people: People, api: Any) -> None:
    r = api(people.admin).get("/api/v1/users")
    for item in r.json()["items"]:
        assert set(item) == USER_KEYS
    assert "argon2" not in r.content.decode()
    assert "password" not in r.content.decode()


def test_list_filters(people: People, api: Any) -> None:
    client = api(people.admin)
    assert names(client.get("/api/v1/users", {"role": "cadre"})) == [
        "city_cadre",
        "cadre_a",
        "cadre_b",
    ]
    assert names(client.get("/api/v1/users", {"org": "G-A-0001"})) == ["clerk_a", "member_a"]
    assert names(client.get("/api/v1/users", {"q": "LAWYER"})) == ["lawyer_a"]


@pytest.mark.parametrize("role", ["leader", "clerk_a", "operator", "lawyer_a", "member_a"])
def test_roles_without_users_view_get_403(people: People, api: Any, role: str) -> None:
    client = api(getattr(people, role))
    r = client.get("/api/v1/users")
    assert r.status_code == 403
    assert r["Content-Type"] == PROBLEM
    assert client.get(f"/api/v1/users/{people.cadre_a.pk}").status_code == 403


def test_list_runs_a_fixed_number_of_queries(people: People, tree: Tree, api: Any) -> None:
    for i in range(20):
        User.objects.create(username=f"extra{i:02d}", role="clerk", org=tree.union_a)
    client = api(people.admin)
    client.get("/api/v1/users")  # the token's first use stamps last_used_at
    with CaptureQueriesContext(connection) as small:
        assert len(names(client.get("/api/v1/users", {"limit": 2}))) == 2
    with CaptureQueriesContext(connection) as large:
        assert len(names(client.get("/api/v1/users", {"limit": 500}))) == 29
    assert len(small) == len(large) == 3  # token, page, count


def test_detail(people: People, api: Any) -> None:
    r = api(people.cadre_a).get(f"/api/v1/users/{people.clerk_a.pk}")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == USER_KEYS
    assert (body["username"], body["org"], body["role"]) == ("clerk_a", "G-A-0001", "clerk")


def test_detail_outside_scope_is_404_like_missing(people: People, api: Any) -> None:
    outside = api(people.cadre_b).get(f"/api/v1/users/{people.clerk_a.pk}")
    missing = api(people.cadre_b).get("/api/v1/users/999999")
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()


def test_create_with_generated_password(people: People, api: Any) -> None:
    r = post(
        api(people.admin),
        "/api/v1/users",
        {
            "username": "clerk_a2",
            "org": "G-A-0001",
            "role": "clerk",
            "full_name": "张敏",
            "title": "专干",
            "email": "zm@example.com",
        },
    )
    assert r.status_code == 201
    body = r.json()
    assert set(body) == USER_KEYS | {"password"}
    assert (body["username"], body["org"], body["full_name"]) == ("clerk_a2", "G-A-0001", "张敏")
    password = body["password"]
    assert len(password) >= 10
    token = Client().post(
        "/api/v1/auth/token",
        {"username": "clerk_a2", "password": password},
        content_type="application/json",
    )
    assert token.status_code == 200
    entry = writes().get(action="user.create")
    assert entry.actor == people.admin
    assert entry.object_id == str(body["id"])
    assert entry.changes["role"] == {"before": None, "after": "clerk"}
    assert "password" not in entry.changes
    # shown once: the detail never carries it
    detail = api(people.admin).get(f"/api/v1/users/{body['id']}").json()
    assert "password" not in detail


def test_create_with_given_password_does_not_echo_it(people: People, api: Any) -> None:
    r = post(
        api(people.admin),
        "/api/v1/users",
        {
            "username": "u2",
            "org": "371702",
            "role": "cadre",
            "password": "Another-pass9",
        },
    )
    assert r.status_code == 201
    assert r.json()["password"] is None
    assert User.objects.get(username="u2").check_password("Another-pass9")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "cadre_a"}, "username"),  # taken
        ({"username": " "}, "username"),
        ({"role": "king"}, "role"),
        ({"org": "000000"}, "org"),
        ({"password": "short1"}, "password"),
        ({"password": "onlyletterslong"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"is_superuser": True}, "is_superuser"),
    ],
)
def test_create_bad_input_names_the_field(
    people: People, api: Any, data: dict[str, Any], field: str
) -> None:
    body = {"username": "newbie", "org": "371702", "role": "cadre", **data}
    r = post(api(people.admin), "/api/v1/users", body)
    assert r.status_code == 422
    assert r["Content-Type"] == PROBLEM
    assert r.json()["errors"][0]["field"] == field
    assert User.objects.count() == 9
    assert not writes().exists()


def test_create_outside_scope_is_refused(people: People, admin_a: User, api: Any) -> None:
    r = post(
        api(admin_a), "/api/v1/users", {"username": "intruder", "org": "371721", "role": "cadre"}
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "org"
    assert not User.objects.filter(username="intruder").exists()
    assert not writes().exists()


def test_create_by_cadre_or_leader_is_403(people: People, api: Any) -> None:
    for user in (people.cadre_a, people.leader):
        r = post(
            api(user), "/api/v1/users", {"username": "x1", "org": user.org.code, "role": "clerk"}
        )
        assert r.status_code == 403, user.username
    assert not User.objects.filter(username="x1").exists()
    assert not writes().exists()


def test_update_records_before_and_after(
    people: People, tree: Tree, admin_a: User, api: Any
) -> None:
    r = patch(
        api(admin_a),
        f"/api/v1/users/{people.clerk_a.pk}",
        {"full_name": "赵丽", "title": "主席", "org": "371702001"},
    )
    assert r.status_code == 200
    assert (r.json()["full_name"], r.json()["org"]) == ("赵丽", "371702001")
    people.clerk_a.refresh_from_db()
    assert people.clerk_a.org.code == "371702001"
    entry = writes().get(action="user.update")
    assert entry.changes == {
        "full_name": {"before": "clerk_a", "after": "赵丽"},
        "org": {"before": "G-A-0001", "after": "371702001"},  # orgs by code
        "title": {"before": "", "after": "主席"},
    }
    assert entry.org == admin_a.org


def test_update_outside_scope_is_404_and_changes_nothing(
    people: People, admin_a: User, api: Any
) -> None:
    r = patch(api(admin_a), f"/api/v1/users/{people.cadre_b.pk}", {"full_name": "改名"})
    assert r.status_code == 404
    people.cadre_b.refresh_from_db()
    assert people.cadre_b.full_name == "cadre_b"
    assert not writes().exists()


def test_update_by_cadre_in_scope_is_403(people: People, api: Any) -> None:
    r = patch(api(people.cadre_a), f"/api/v1/users/{people.clerk_a.pk}", {"full_name": "x"})
    assert r.status_code == 403
    people.clerk_a.refresh_from_db()
    assert people.clerk_a.full_name == "clerk_a"


def test_update_cannot_touch_the_password_hash(people: People, api: Any) -> None:
    r = patch(api(people.admin), f"/api/v1/users/{people.clerk_a.pk}", {"password": "x"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "password"


def test_deactivate_revokes_tokens_and_activate(people: People, api: Any) -> None:
    _, raw = token_issue(user=people.clerk_a)
    client = api(people.admin)
    r = post(client, f"/api/v1/users/{people.clerk_a.pk}/deactivate")
    assert r.status_code == 200
    assert r.json()["is_active"] is False
    assert (
        Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/auth/me").status_code == 401
    )
    assert not ApiToken.objects.filter(user=people.clerk_a, revoked_at=None).exists()
    r = post(client, f"/api/v1/users/{people.clerk_a.pk}/activate")
    assert r.json()["is_active"] is True
    assert list(writes().order_by("id").values_list("action", flat=True)) == [
        "user.deactivate",
        "user.activate",
    ]


def test_cannot_deactivate_oneself(people: People, api: Any) -> None:
    r = post(api(people.admin), f"/api/v1/users/{people.admin.pk}/deactivate")
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "is_active"


def test_set_password(people: People, api: Any) -> None:
    r = post(
        api(people.admin),
        f"/api/v1/users/{people.clerk_a.pk}/password",
        {"password": "Fresh-passw0rd"},
    )
    assert r.status_code == 204
    people.clerk_a.refresh_from_db()
    assert people.clerk_a.check_password("Fresh-passw0rd")
    entry = writes().get(action="user.password")
    assert entry.changes == {"password": {"before": "***", "after": "***"}}
    r = post(api(people.admin), f"/api/v1/users/{people.clerk_a.pk}/password", {"password": "123"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "password"


@pytest.mark.parametrize("action", ["deactivate", "activate", "password"])
def test_state_writes_outside_scope_are_404(
    people: People, admin_a: User, api: Any, action: str
) -> None:
    target = people.cadre_b
    r = post(
        api(admin_a),
        f"/api/v1/users/{target.pk}/{action}",
        {"password": "Fresh-passw0rd"} if action == "password" else None,
    )
    assert r.status_code == 404
    target.refresh_from_db()
    assert target.is_active is True
    assert target.check_password(PASSWORD)
    assert not writes().exists()


@pytest.mark.parametrize("action", ["deactivate", "activate", "password"])
def test_leader_is_refused_user_writes(people: People, api: Any, action: str) -> None:
    r = post(
        api(people.leader),
        f"/api/v1/users/{people.clerk_a.pk}/{action}",
        {"password": "Fresh-passw0rd"} if action == "password" else None,
    )
    assert r.status_code == 403
    people.clerk_a.refresh_from_db()
    assert people.clerk_a.is_active is True
    assert people.clerk_a.check_password(PASSWORD)
    assert not writes().exists()
