"""User management pages: list, create, edit, activate, reset password — by persona."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.accounts.models import User
from gonghui.core.models import AuditEntry

from .conftest import make_user


def state(user: User) -> tuple[Any, ...]:
    user.refresh_from_db()
    return (user.full_name, user.role, user.org_id, user.is_active, user.password)


def test_users_list_is_scoped(people: Any, login: Any) -> None:
    response = login(people.cadre_a).get("/users/")
    html = response.content.decode()
    assert response.status_code == 200
    for name in ["cadre_a", "clerk_a", "member_a", "lawyer_a"]:
        assert f'href="/users/{getattr(people, name).pk}/">{name}</a>' in html
    for name in ["cadre_b", "admin", "city_cadre"]:
        assert f'href="/users/{getattr(people, name).pk}/"' not in html
    assert "/users/new/" not in html  # a cadre reads, only admins manage


def test_users_list_filters(people: Any, login: Any) -> None:
    client = login(people.admin)
    html = client.get("/users/", {"role": "clerk"}).content.decode()
    assert ">clerk_a</a>" in html and ">cadre_a</a>" not in html
    html = client.get("/users/", {"org": "371721"}).content.decode()
    assert ">cadre_b</a>" in html and ">cadre_a</a>" not in html
    html = client.get("/users/", {"q": "member"}).content.decode()
    assert ">member_a</a>" in html and ">city_cadre</a>" not in html
    assert "/users/new/" in html


def test_users_list_query_count_does_not_grow(people: Any, tree: Any, login: Any) -> None:
    client = login(people.admin)
    client.get("/users/")
    with CaptureQueriesContext(connection) as few:
        client.get("/users/")
    for i in range(20):
        User.objects.create(username=f"m{i}", role="member", org=tree.union_b)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/users/").content.decode()
    assert ">m19</a>" in html
    assert len(many) == len(few)


def test_who_may_not_open_the_users_pages(people: Any, login: Any) -> None:
    for persona in [
        people.leader,
        people.operator,
        people.clerk_a,
        people.member_a,
        people.lawyer_a,
    ]:
        client = login(persona)
        assert client.get("/users/").status_code == 404, persona
        assert client.get(f"/users/{people.cadre_a.pk}/").status_code == 404, persona
        assert client.get("/users/new/").status_code == 404, persona


def test_user_detail_out_of_scope_is_404(people: Any, login: Any) -> None:
    client = login(people.cadre_b)
    assert client.get(f"/users/{people.cadre_a.pk}/").status_code == 404
    assert client.get("/users/999999/").status_code == 404
    assert client.get(f"/users/{people.cadre_b.pk}/").status_code == 200


def test_create_user_shows_password_once(people: Any, tree: Any, login: Any) -> None:
    client = login(people.admin)
    page = client.get("/users/new/").content.decode()
    assert 'value="371700"' in page
    response = client.post(
        "/users/new/",
        {
            "username": "clerk_new",
            "full_name": "王五",
            "role": "clerk",
            "org": tree.union_a.code,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    match = re.search(r'<code class="secret">([^<]+)</code>', html)
    assert match
    password = match.group(1)
    user = User.objects.get(username="clerk_new")
    assert user.check_password(password)
    assert (user.org, user.role, user.full_name) == (tree.union_a, "clerk", "王五")
    assert password not in client.get(f"/users/{user.pk}/").content.decode()
    row = AuditEntry.objects.get(action="user.create")
    assert password not in str(row.changes)


def test_create_user_errors_name_the_field(people: Any, login: Any) -> None:
    client = login(people.admin)
    response = client.post("/users/new/", {"username": "cadre_a", "role": "clerk", "org": "371702"})
    html = response.content.decode()
    assert 'id="id_username_error"' in html and "用户名已存在" in html
    response = client.post("/users/new/", {"username": "x1", "role": "clerk", "org": "NOPE"})
    assert 'id="id_org_error"' in response.content.decode()
    assert not User.objects.filter(username="x1").exists()


def test_cadre_cannot_create_or_edit_users(people: Any, login: Any) -> None:
    client = login(people.cadre_a)
    assert (
        client.post(
            "/users/new/", {"username": "sneaky", "role": "clerk", "org": "371702"}
        ).status_code
        == 404
    )
    assert not User.objects.filter(username="sneaky").exists()
    before = state(people.clerk_a)
    assert (
        client.post(
            f"/users/{people.clerk_a.pk}/", {"full_name": "改名", "role": "admin", "org": "371702"}
        ).status_code
        == 403
    )
    assert client.post(f"/users/{people.clerk_a.pk}/active/", {"active": "0"}).status_code == 404
    assert client.post(f"/users/{people.clerk_a.pk}/password/").status_code == 403
    assert state(people.clerk_a) == before
    assert AuditEntry.objects.count() == 0


def test_admin_below_the_city_cannot_manage_outside(people: Any, tree: Any, login: Any) -> None:
    admin_b = make_user("admin_b", "admin", tree.county_b)
    client = login(admin_b)
    before = state(people.clerk_a)
    assert client.get(f"/users/{people.clerk_a.pk}/").status_code == 404
    assert (
        client.post(
            f"/users/{people.clerk_a.pk}/", {"full_name": "越权", "role": "clerk", "org": "371721"}
        ).status_code
        == 404
    )
    assert client.post(f"/users/{people.clerk_a.pk}/active/", {"active": "0"}).status_code == 404
    assert client.post(f"/users/{people.clerk_a.pk}/password/").status_code == 404
    response = client.post(
        "/users/new/", {"username": "intruder", "role": "clerk", "org": tree.union_a.code}
    )
    assert 'id="id_org_error"' in response.content.decode()
    assert not User.objects.filter(username="intruder").exists()
    assert state(people.clerk_a) == before
    assert AuditEntry.objects.count() == 0


def test_edit_user(people: Any, tree: Any, login: Any) -> None:
    client = login(people.admin)
    response = client.post(
        f"/users/{people.clerk_a.pk}/",
        {"full_name": "赵六", "title": "专干", "role": "clerk", "org": tree.union_b.code},
    )
    assert response.status_code == 302
    people.clerk_a.refresh_from_db()
    assert (people.clerk_a.full_name, people.clerk_a.org) == ("赵六", tree.union_b)


def test_edit_own_role_is_refused_by_field(people: Any, login: Any) -> None:
    client = login(people.admin)
    response = client.post(
        f"/users/{people.admin.pk}/", {"full_name": "admin", "role": "cadre", "org": "371700"}
    )
    assert 'id="id_role_error"' in response.content.decode()
    people.admin.refresh_from_db()
    assert people.admin.role == "admin"


def test_deactivate_and_activate_user(people: Any, login: Any) -> None:
    client = login(people.admin)
    assert client.post(f"/users/{people.clerk_a.pk}/active/", {"active": "0"}).status_code == 302
    people.clerk_a.refresh_from_db()
    assert people.clerk_a.is_active is False
    assert client.post(f"/users/{people.clerk_a.pk}/active/", {"active": "1"}).status_code == 302
    people.clerk_a.refresh_from_db()
    assert people.clerk_a.is_active is True
    response = client.post(f"/users/{people.admin.pk}/active/", {"active": "0"})
    assert response.status_code == 422
    assert "不能停用自己的账号" in response.content.decode()
    assert client.get(f"/users/{people.clerk_a.pk}/active/").status_code == 405


def test_reset_password(people: Any, login: Any) -> None:
    client = login(people.admin)
    response = client.post(f"/users/{people.clerk_a.pk}/password/")
    password = re.search(r'<code class="secret">([^<]+)</code>', response.content.decode())
    assert password
    people.clerk_a.refresh_from_db()
    assert people.clerk_a.check_password(password.group(1))


@pytest.mark.parametrize("url", ["/users/new/", "/users/{pk}/active/", "/users/{pk}/password/"])
def test_members_get_404_on_user_writes(people: Any, login: Any, url: str) -> None:
    client = login(people.member_a)
    before = state(people.clerk_a)
    assert client.post(url.format(pk=people.clerk_a.pk), {"active": "0"}).status_code == 404
    assert state(people.clerk_a) == before
