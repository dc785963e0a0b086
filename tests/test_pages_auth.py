"""Login, logout, lockout, session expiry, CSRF and my own password on the web pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.models import AuditEntry

from .conftest import PASSWORD


def test_login_page_renders_in_chinese(db: Any) -> None:
    response = Client().get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "登录智慧工会" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "/static/vendor/htmx-2.0.11.min.js" in html


def test_anonymous_is_sent_to_login(db: Any) -> None:
    for url in ["/", "/orgs/", "/users/", "/audit/", "/portal/", "/password/"]:
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/login/?next={url}", url


def test_staff_login_goes_home(people: Any) -> None:
    client = Client()
    response = client.post("/login/", {"username": "cadre_a", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_member_login_goes_to_portal(people: Any) -> None:
    client = Client()
    response = client.post("/login/", {"username": "member_a", "password": PASSWORD})
    assert response["Location"] == "/portal/"
    # even when ``next`` names a staff page
    client = Client()
    response = client.post(
        "/login/?next=/orgs/", {"username": "member_a", "password": PASSWORD, "next": "/orgs/"}
    )
    assert response["Location"] == "/portal/"


def test_wrong_password_shows_error_and_no_session(people: Any) -> None:
    client = Client()
    response = client.post("/login/", {"username": "cadre_a", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only(people: Any, login: Any) -> None:
    client = login(people.cadre_a)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_lockout_after_five_failures_even_with_right_password(people: Any) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "cadre_a", "password": "wrong-Passw0rd"})
    response = client.post("/login/", {"username": "cadre_a", "password": PASSWORD})
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    html = response.content.decode()
    assert response.status_code == 429
    assert f"账号因多次登录失败已被锁定，请 {minutes} 分钟后再试" in html
    assert "_auth_user_id" not in client.session
    assert Client().get("/").status_code == 302
    # another account is not affected
    other = Client()
    assert other.post("/login/", {"username": "cadre_b", "password": PASSWORD})["Location"] == "/"


def test_session_expires_when_idle(people: Any) -> None:
    client = Client()
    client.post("/login/", {"username": "cadre_a", "password": PASSWORD})
    assert client.get("/").status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    # each request pushes the expiry SESSION_COOKIE_AGE ahead (idle timeout)
    remaining = session.expire_date - timezone.now()
    assert timedelta(seconds=settings.SESSION_COOKIE_AGE - 60) < remaining
    assert remaining <= timedelta(seconds=settings.SESSION_COOKIE_AGE)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/orgs/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/orgs/"


def test_csrf_is_enforced_on_forms(people: Any, tree: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.cadre_a)
    response = client.post(f"/orgs/{tree.union_a.code}/edit/", {"name": "改名"})
    assert response.status_code == 403
    tree.union_a.refresh_from_db()
    assert tree.union_a.name == "甲公司工会"
    anon = Client(enforce_csrf_checks=True)
    assert anon.post("/login/", {"username": "cadre_a", "password": PASSWORD}).status_code == 403


def test_csrf_token_lets_the_form_through(people: Any, tree: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.cadre_a)
    page = client.get(f"/orgs/{tree.union_a.code}/edit/")
    token = page.context["csrf_token"]
    response = client.post(
        f"/orgs/{tree.union_a.code}/edit/",
        {
            "csrfmiddlewaretoken": str(token),
            "name": "甲公司新工会",
            "kind": "grassroots",
            "headcount": "120",
        },
    )
    assert response.status_code == 302
    tree.union_a.refresh_from_db()
    assert tree.union_a.name == "甲公司新工会"


def test_change_my_password(people: Any, login: Any) -> None:
    client = login(people.member_a)
    assert client.get("/password/").status_code == 200
    response = client.post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Neuer-Pass-2024",
            "new_password2": "Neuer-Pass-2024",
        },
    )
    assert response.status_code == 200
    assert "密码已修改" in response.content.decode()
    user = User.objects.get(pk=people.member_a.pk)
    assert user.check_password("Neuer-Pass-2024")
    # still logged in after the change
    assert client.get("/portal/").status_code == 200
    row = AuditEntry.objects.get(action="user.password")
    assert row.actor_id == user.pk
    assert row.changes == {"password": {"before": "***", "after": "***"}}


def test_change_password_errors_name_the_field(people: Any, login: Any) -> None:
    client = login(people.cadre_a)
    response = client.post(
        "/password/", {"old_password": "wrong", "new_password1": "short", "new_password2": "short"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_old_password_error"' in html
    assert "当前密码不正确" in html
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "short1", "new_password2": "short1"},
    )
    html = response.content.decode()
    assert 'id="id_new_password1_error"' in html
    assert User.objects.get(pk=people.cadre_a.pk).check_password(PASSWORD)


def test_language_switch_in_footer(people: Any, login: Any) -> None:
    client = login(people.cadre_a)
    html = client.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
