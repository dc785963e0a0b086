"""API tokens: issue, lockout, revocation, who-am-I, and session auth with CSRF."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from gonghui.accounts.models import ApiToken
from gonghui.accounts.services import token_issue
from gonghui.core.models import AuditEntry
from gonghui.core.roles import PERMISSIONS

from .conftest import PASSWORD, People

PROBLEM = "application/problem+json"


def get_token(client: Client, username: str, password: str) -> Any:
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_token_for_right_password(people: People) -> None:
    r = get_token(Client(), "cadre_a", PASSWORD)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"token", "expires_at"}
    assert body["token"].startswith("gh_")
    me = bearer(body["token"]).get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["username"] == "cadre_a"
    token = ApiToken.objects.get(user=people.cadre_a)
    assert token.key_hash != body["token"]  # only the hash is stored
    people.cadre_a.refresh_from_db()
    assert people.cadre_a.last_login is not None


def test_wrong_password_is_401_problem(people: People) -> None:
    r = get_token(Client(), "cadre_a", "Wrong-passw0rd")
    assert r.status_code == 401
    assert r["Content-Type"] == PROBLEM
    body = r.json()
    assert body["status"] == 401
    assert body["title"] == "Unauthorized"
    assert body["detail"] == "用户名或密码错误"
    assert ApiToken.objects.count() == 0


def test_unknown_user_is_401(people: People) -> None:
    r = get_token(Client(), "nobody", PASSWORD)
    assert r.status_code == 401
    assert r["Content-Type"] == PROBLEM


def test_inactive_user_is_401(people: People) -> None:
    people.cadre_a.is_active = False
    people.cadre_a.save(update_fields=["is_active"])
    r = get_token(Client(), "cadre_a", PASSWORD)
    assert r.status_code == 401
    assert ApiToken.objects.count() == 0


def test_missing_field_is_422_naming_it(people: People) -> None:
    r = Client().post(
        "/api/v1/auth/token", {"username": "cadre_a"}, content_type="application/json"
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "password"


def test_lockout_after_five_failures_even_with_right_password(people: People) -> None:
    client = Client()
    for _ in range(4):
        assert get_token(client, "cadre_a", "Wrong-passw0rd").status_code == 401
    # The fifth failure reaches the limit: the account is locked from here on.
    assert get_token(client, "cadre_a", "Wrong-passw0rd").status_code == 429
    r = get_token(client, "cadre_a", PASSWORD)
    assert r.status_code == 429
    assert r["Content-Type"] == PROBLEM
    assert r.json()["status"] == 429
    assert r.json()["title"] == "Too Many Requests"
    assert ApiToken.objects.filter(user=people.cadre_a).count() == 0
    # Another account is not affected.
    assert get_token(client, "cadre_b", PASSWORD).status_code == 200


def test_four_failures_then_right_password_resets_the_count(people: People) -> None:
    client = Client()
    for _ in range(4):
        assert get_token(client, "cadre_a", "Wrong-passw0rd").status_code == 401
    assert get_token(client, "cadre_a", PASSWORD).status_code == 200
    for _ in range(4):
        assert get_token(client, "cadre_a", "Wrong-passw0rd").status_code == 401
    assert get_token(client, "cadre_a", PASSWORD).status_code == 200


def test_anonymous_is_401_problem(people: People) -> None:
    r = Client().get("/api/v1/auth/me")
    assert r.status_code == 401
    assert r["Content-Type"] == PROBLEM
    assert r["WWW-Authenticate"] == "Bearer"
    assert r.json()["title"] == "Unauthorized"


def test_unknown_token_is_401(people: People) -> None:
    assert bearer("gh_not-a-token").get("/api/v1/auth/me").status_code == 401


def test_expired_token_is_401(people: People) -> None:
    token, raw = token_issue(user=people.cadre_a)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert bearer(raw).get("/api/v1/auth/me").status_code == 401


def test_token_of_deactivated_user_is_401(people: People) -> None:
    _, raw = token_issue(user=people.cadre_a)
    people.cadre_a.is_active = False
    people.cadre_a.save(update_fields=["is_active"])
    assert bearer(raw).get("/api/v1/auth/me").status_code == 401


def test_revoke_the_token_in_use(people: People) -> None:
    token, raw = token_issue(user=people.cadre_a)
    client = bearer(raw)
    assert client.get("/api/v1/auth/me").status_code == 200
    r = client.post("/api/v1/auth/revoke")
    assert r.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    r = client.get("/api/v1/auth/me")
    assert r.status_code == 401
    assert r["Content-Type"] == PROBLEM
    entry = AuditEntry.objects.get(action="token.revoke")
    assert entry.actor == people.cadre_a
    assert entry.object_id == str(token.pk)


def test_revoke_needs_a_token_not_a_session(people: People, login: Any) -> None:
    r = login(people.cadre_a).post("/api/v1/auth/revoke")
    assert r.status_code == 401


def test_list_my_tokens_only(people: People) -> None:
    mine, raw = token_issue(user=people.cadre_a, name="脚本")
    other, _ = token_issue(user=people.cadre_b)
    r = bearer(raw).get("/api/v1/auth/tokens")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert set(item) == {
        "id",
        "prefix",
        "name",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked",
    }
    assert item["id"] == mine.pk
    assert item["prefix"] == mine.prefix
    assert item["name"] == "脚本"
    assert item["revoked"] is False
    assert item["last_used_at"] is not None  # this very call used it
    assert other.key_hash not in r.content.decode()
    assert mine.key_hash not in r.content.decode()


def test_delete_one_of_my_tokens(people: People) -> None:
    used, raw = token_issue(user=people.cadre_a)
    spare, _ = token_issue(user=people.cadre_a)
    r = bearer(raw).delete(f"/api/v1/auth/tokens/{spare.pk}")
    assert r.status_code == 204
    spare.refresh_from_db()
    assert spare.revoked_at is not None
    listed = bearer(raw).get("/api/v1/auth/tokens").json()["items"]
    assert {t["id"]: t["revoked"] for t in listed} == {spare.pk: True, used.pk: False}


def test_delete_someone_elses_token_is_404_and_changes_nothing(people: People) -> None:
    theirs, their_raw = token_issue(user=people.cadre_a)
    _, raw = token_issue(user=people.cadre_b)
    before = AuditEntry.objects.count()
    r = bearer(raw).delete(f"/api/v1/auth/tokens/{theirs.pk}")
    assert r.status_code == 404
    assert r["Content-Type"] == PROBLEM
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert AuditEntry.objects.count() == before
    assert bearer(their_raw).get("/api/v1/auth/me").status_code == 200


def test_me(people: People, api: Any) -> None:
    r = api(people.cadre_a).get("/api/v1/auth/me")
    assert r.json() == {
        "id": people.cadre_a.pk,
        "username": "cadre_a",
        "full_name": "cadre_a",
        "title": "",
        "email": "",
        "role": "cadre",
        "org": "371702",
        "org_name": "牡丹区总工会",
        # modules grant their own permissions too; the list is the role's, sorted
        "permissions": sorted(PERMISSIONS["cadre"]),
    }
    assert {"audit.view", "orgs.manage", "orgs.view", "users.view"} <= set(PERMISSIONS["cadre"])
    assert "users.manage" not in PERMISSIONS["cadre"]
    member = api(people.member_a).get("/api/v1/auth/me").json()["permissions"]
    assert member == sorted(PERMISSIONS["member"])
    assert "portal.use" in member
    assert "orgs.view" not in member


def test_session_works_for_reads(people: People, login: Any) -> None:
    r = login(people.cadre_a).get("/api/v1/auth/me")
    assert r.status_code == 200
    assert r.json()["username"] == "cadre_a"


def test_session_write_without_csrf_is_403_and_changes_nothing(people: People) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.cadre_a)
    r = client.patch("/api/v1/orgs/371702", {"name": "改名"}, content_type="application/json")
    assert r.status_code == 403
    assert r["Content-Type"] == PROBLEM
    people.cadre_a.org.refresh_from_db()
    assert people.cadre_a.org.name == "牡丹区总工会"
    assert not AuditEntry.objects.filter(action="org.update").exists()


def test_session_write_with_csrf_token_works(people: People) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.cadre_a)
    secret = "A" * 32
    client.cookies["csrftoken"] = secret
    r = client.patch(
        "/api/v1/orgs/371702",
        {"name": "牡丹区总工会(新)"},
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )
    assert r.status_code == 200
    assert r.json()["name"] == "牡丹区总工会(新)"


def test_anonymous_write_is_401_not_csrf_403(people: People) -> None:
    client = Client(enforce_csrf_checks=True)
    r = client.post(
        "/api/v1/orgs",
        {"code": "X1", "name": "x", "kind": "grassroots", "parent": "371702"},
        content_type="application/json",
    )
    assert r.status_code == 401
