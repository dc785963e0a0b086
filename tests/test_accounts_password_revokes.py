"""A password change ends what the old password opened (issue 10, finding 7): API tokens made
before it answer 401 after, other logged-in clients are logged out; the session that changed
its own password stays."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gonghui.accounts.models import ApiToken
from gonghui.accounts.services import token_issue, user_set_password
from gonghui.core.errors import InvalidInput
from gonghui.core.models import AuditEntry

from .conftest import PASSWORD, People

NEW = "Fresh-passw0rd-9"


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def logged_in(username: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": PASSWORD}).status_code == 302
    assert client.get("/password/").status_code == 200
    return client


def test_changing_my_password_revokes_tokens_and_other_sessions(people: People) -> None:
    _, raw = token_issue(user=people.cadre_a)
    assert bearer(raw).get("/api/v1/auth/me").status_code == 200
    other = logged_in("cadre_a")  # say, the phone
    me = logged_in("cadre_a")
    r = me.post(
        "/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert r.status_code == 200
    assert "registration/password_changed.html" in [t.name for t in r.templates]
    # the attack: the token and the other session made with the old password
    assert bearer(raw).get("/api/v1/auth/me").status_code == 401
    assert other.get("/")["Location"] == "/login/?next=/"
    assert other.get("/api/v1/auth/me").status_code == 401
    # the session that changed it stays
    assert me.get("/").status_code == 200
    entry = AuditEntry.objects.get(action="user.password")
    assert entry.changes["api_tokens_revoked"] == {"before": 0, "after": 1}


def test_admin_reset_on_the_page_revokes_the_targets_tokens_and_sessions(
    people: People, login: Any
) -> None:
    _, raw = token_issue(user=people.clerk_a)
    clerk = logged_in("clerk_a")
    _, admin_raw = token_issue(user=people.admin)
    admin = login(people.admin)
    r = admin.post(f"/users/{people.clerk_a.pk}/password/")
    assert r.status_code == 200
    assert bearer(raw).get("/api/v1/auth/me").status_code == 401
    assert clerk.get("/")["Location"] == "/login/?next=/"
    # the admin's own session and token are untouched
    assert admin.get("/").status_code == 200
    assert bearer(admin_raw).get("/api/v1/auth/me").status_code == 200


def test_admin_reset_through_the_api_revokes_the_targets_tokens(people: People) -> None:
    token, raw = token_issue(user=people.clerk_a)
    clerk = logged_in("clerk_a")
    _, admin_raw = token_issue(user=people.admin)
    r = bearer(admin_raw).post(
        f"/api/v1/users/{people.clerk_a.pk}/password",
        {"password": NEW},
        content_type="application/json",
    )
    assert r.status_code == 204
    assert bearer(raw).get("/api/v1/auth/me").status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert clerk.get("/")["Location"] == "/login/?next=/"
    # the new password works
    r = Client().post(
        "/api/v1/auth/token",
        {"username": "clerk_a", "password": NEW},
        content_type="application/json",
    )
    assert r.status_code == 200


def test_admin_resetting_their_own_password_through_the_api_keeps_the_calling_token(
    people: People,
) -> None:
    _, spare = token_issue(user=people.admin)
    _, calling = token_issue(user=people.admin)
    r = bearer(calling).post(
        f"/api/v1/users/{people.admin.pk}/password",
        {"password": NEW},
        content_type="application/json",
    )
    assert r.status_code == 204
    assert bearer(calling).get("/api/v1/auth/me").status_code == 200
    assert bearer(spare).get("/api/v1/auth/me").status_code == 401


def test_a_refused_password_revokes_nothing(people: People) -> None:
    _, raw = token_issue(user=people.cadre_a)
    clerk = logged_in("cadre_a")
    with pytest.raises(InvalidInput):
        user_set_password(actor=people.admin, user=people.cadre_a, password="Aa1Aa1Aa1A")
    assert bearer(raw).get("/api/v1/auth/me").status_code == 200
    assert clerk.get("/").status_code == 200
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 0


def test_changepassword_on_the_command_line_revokes_tokens_and_sessions(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``gonghui changepassword`` (Django's command, which only set the password) goes
    through the same service: the token and the session made with the old password stop
    working, the policy holds, and the audit says so."""
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from gonghui.accounts.management.commands.changepassword import Command

    _, raw = token_issue(user=people.cadre_a)
    session = logged_in("cadre_a")
    typed = iter(["short", "short", NEW, NEW])  # a refused password first, then a good one
    monkeypatch.setattr(Command, "_get_pass", lambda self, prompt="": next(typed))
    out = StringIO()
    call_command("changepassword", "cadre_a", stdout=out, stderr=StringIO())
    assert "已全部吊销" in out.getvalue()
    assert bearer(raw).get("/api/v1/auth/me").status_code == 401
    assert session.get("/")["Location"] == "/login/?next=/"
    people.cadre_a.refresh_from_db()
    assert people.cadre_a.check_password(NEW)
    entry = AuditEntry.objects.get(action="user.password")
    assert (entry.actor, entry.changes["api_tokens_revoked"]) == (None, {"before": 0, "after": 1})
    # three refused tries change nothing
    typed = iter(["short"] * 6)
    with pytest.raises(CommandError):
        call_command("changepassword", "cadre_a", stdout=StringIO(), stderr=StringIO())
    assert AuditEntry.objects.filter(action="user.password").count() == 1
