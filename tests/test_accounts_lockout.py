"""Login lockout and guessing (issue 10, finding 6) and bad input before login (finding 9):
each test performs the attack and asserts the refusal."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.test import Client, override_settings

from gonghui.accounts.models import ApiToken
from gonghui.core.models import AuditEntry

from .conftest import PASSWORD, People

PROBLEM = "application/problem+json"
STRANGER = "203.0.113.7"
OWNER = "198.51.100.20"


def client_at(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def token(client: Client, username: str, password: str) -> Any:
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def page_login(client: Client, username: str, password: str) -> Any:
    return client.post("/login/", {"username": username, "password": password})


# --- pairs (account, address) ----------------------------------------------------------------


def test_stranger_cannot_lock_the_owner_out(people: People) -> None:
    stranger = client_at(STRANGER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page_login(stranger, "admin", "Wrong-passw0rd")
    # the stranger is locked out of admin, the right password included
    assert page_login(stranger, "admin", PASSWORD).status_code == 429
    assert token(stranger, "admin", PASSWORD).status_code == 429
    # the owner, from their own address, logs in on the page and through the API
    owner = client_at(OWNER)
    r = page_login(owner, "admin", PASSWORD)
    assert r.status_code == 302
    assert r["Location"] == "/"
    assert token(client_at(OWNER), "admin", PASSWORD).status_code == 200
    # and the owner's success does not lift the stranger's lock
    assert token(stranger, "admin", PASSWORD).status_code == 429


def test_lock_page_says_the_account_is_locked_in_chinese(people: People) -> None:
    stranger = client_at(STRANGER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page_login(stranger, "cadre_a", "Wrong-passw0rd")
    r = page_login(stranger, "cadre_a", PASSWORD)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert r.status_code == 429
    assert f"账号因多次登录失败已被锁定，请 {minutes} 分钟后再试。" in r.content.decode()
    assert "_auth_user_id" not in stranger.session


def test_every_lock_is_audited_once(people: People) -> None:
    stranger = client_at(STRANGER)
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):  # failing on while locked: still one lock
        token(stranger, "cadre_a", "Wrong-passw0rd")
    entry = AuditEntry.objects.get(action="login.lock")
    assert entry.actor is None
    assert entry.object_type == "user"
    assert entry.object_id == str(people.cadre_a.pk)
    assert entry.object_org == people.cadre_a.org
    assert entry.object_repr == f"cadre_a @ {STRANGER}"
    assert entry.ip == STRANGER
    assert entry.changes["failures"]["after"] == settings.AXES_FAILURE_LIMIT
    # a lock on a name that is no account is audited too
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page_login(stranger, "nobody", "Wrong-passw0rd")
    ghost = AuditEntry.objects.get(action="login.lock", object_type="login")
    assert ghost.object_id == "nobody"
    assert AuditEntry.objects.filter(action="login.lock").count() == 2


# --- one address across accounts -------------------------------------------------------------


@override_settings(GONGHUI_LOGIN_ADDRESS_FAILURES=8)
def test_address_failing_across_accounts_is_throttled(people: People) -> None:
    """The attack of the issue: one address trying accounts one after another."""
    guesser = client_at(STRANGER)
    names = [f"user{i:02d}" for i in range(40)]
    answers = [token(guesser, name, "Guess-passw0rd1").status_code for name in names[:8]]
    # the eighth failure reaches the address's limit: that answer is already 429
    assert answers == [401] * 7 + [429]
    r = token(guesser, "cadre_b", PASSWORD)  # even an account it has not tried, right password
    assert r.status_code == 429
    assert r["Content-Type"] == PROBLEM
    assert r.json()["detail"] == "该地址登录失败次数过多，已暂停从该地址登录，请稍后再试。"
    page = page_login(guesser, names[9], "Guess-passw0rd1")
    assert page.status_code == 429
    assert "本机所在网络地址登录失败次数过多" in page.content.decode()
    assert ApiToken.objects.count() == 0
    # the throttle is audited once, under the address
    entry = AuditEntry.objects.get(action="login.throttle")
    assert entry.object_id == STRANGER
    assert entry.changes["failures"]["after"] == 8
    # other addresses are not slowed
    assert token(client_at(OWNER), "cadre_b", PASSWORD).status_code == 200


def test_address_limit_is_configurable_and_defaults_to_twenty(people: People) -> None:
    assert settings.GONGHUI_LOGIN_ADDRESS_FAILURES == 20
    guesser = client_at(STRANGER)
    for i in range(19):
        assert token(guesser, f"user{i:02d}", "Guess-passw0rd1").status_code == 401
    assert token(guesser, "user19", "Guess-passw0rd1").status_code == 429


def test_a_user_mistyping_is_not_throttled_by_their_own_success(people: People) -> None:
    """Failures of an account end with its successful login, and no longer count against
    the address."""
    office = client_at(OWNER)
    for _ in range(3):
        assert token(office, "cadre_a", "Wrong-passw0rd").status_code == 401
    assert token(office, "cadre_a", PASSWORD).status_code == 200
    assert not AccessAttempt.objects.filter(ip_address=OWNER).exists()


# --- the security administrator's page -----------------------------------------------------


def _lock(username: str, address: str = STRANGER) -> None:
    client = client_at(address)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        token(client, username, "Wrong-passw0rd")


@pytest.fixture
def secadmin(people: People, tree: Any) -> Any:
    """The security administrator (三员分立): the locks are theirs, not the system admin's."""
    from .conftest import make_user

    return make_user("secadmin", "secadmin", tree.city)


def test_admin_sees_current_locks_and_unlocks(people: People, login: Any, secadmin: Any) -> None:
    _lock("cadre_a")
    _lock("ghost")
    admin = login(secadmin)
    page = admin.get("/security/locks/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cadre_a" in html and STRANGER in html and "牡丹区总工会" in html
    assert "ghost（无此账号）" in html
    locks = page.context["locks"]
    assert {(lock.username, lock.ip_address) for lock in locks} == {
        ("cadre_a", STRANGER),
        ("ghost", STRANGER),
    }
    assert all(lock.until > lock.last_failure for lock in locks)
    r = admin.post("/security/locks/unlock/", {"username": "cadre_a", "ip_address": STRANGER})
    assert r.status_code == 302
    assert r["Location"] == "/security/locks/"
    # the pair is free again: the right password works from that address
    assert token(client_at(STRANGER), "cadre_a", PASSWORD).status_code == 200
    entry = AuditEntry.objects.get(action="login.unlock")
    assert entry.actor == secadmin
    assert entry.object_id == str(people.cadre_a.pk)
    assert entry.changes["failures"] == {"before": settings.AXES_FAILURE_LIMIT, "after": 0}
    left = admin.get("/security/locks/").context["locks"]
    assert [(lock.username, lock.ip_address) for lock in left] == [("ghost", STRANGER)]


@override_settings(GONGHUI_LOGIN_ADDRESS_FAILURES=6)
def test_admin_lifts_an_address_throttle(people: People, login: Any, secadmin: Any) -> None:
    guesser = client_at(STRANGER)
    for i in range(6):
        token(guesser, f"user{i}", "Guess-passw0rd1")
    assert token(guesser, "cadre_b", PASSWORD).status_code == 429
    admin = login(secadmin)
    locks = admin.get("/security/locks/").context["locks"]
    assert [lock.ip_address for lock in locks if lock.is_address] == [STRANGER]
    r = admin.post("/security/locks/unlock/", {"username": "", "ip_address": STRANGER})
    assert r.status_code == 302
    assert token(client_at(STRANGER), "cadre_b", PASSWORD).status_code == 200
    entry = AuditEntry.objects.get(action="login.unlock")
    assert entry.object_type == "address"
    assert entry.object_id == STRANGER


@pytest.mark.parametrize("who", ["admin", "cadre_a", "city_cadre", "leader", "clerk_a", "member_a"])
def test_only_admins_see_the_locks(people: People, login: Any, who: str) -> None:
    _lock("admin")
    client = login(getattr(people, who))
    assert client.get("/security/locks/").status_code == 404
    r = client.post("/security/locks/unlock/", {"username": "admin", "ip_address": STRANGER})
    assert r.status_code == 404
    assert AccessAttempt.objects.filter(username="admin").exists()
    assert not AuditEntry.objects.filter(action="login.unlock").exists()


def test_anonymous_is_sent_to_login(people: People) -> None:
    assert Client().get("/security/locks/")["Location"] == "/login/?next=/security/locks/"


def test_county_admin_sees_only_its_subtree(people: People, login: Any, tree: Any) -> None:
    from .conftest import make_user

    county_admin = make_user("secadmin_a", "secadmin", tree.county_a)
    _lock("cadre_a")
    _lock("cadre_b")
    _lock("ghost")
    client = login(county_admin)
    locks = client.get("/security/locks/").context["locks"]
    assert [lock.username for lock in locks] == ["cadre_a"]
    # a lock outside its subtree answers as one that does not exist, and stays
    r = client.post("/security/locks/unlock/", {"username": "cadre_b", "ip_address": STRANGER})
    assert r.status_code == 404
    assert AccessAttempt.objects.filter(username="cadre_b").exists()
    r = client.post("/security/locks/unlock/", {"username": "nobody", "ip_address": STRANGER})
    assert r.status_code == 404
    assert not AuditEntry.objects.filter(action="login.unlock").exists()


def test_nav_shows_the_locks_to_admins_only(people: People, login: Any, secadmin: Any) -> None:
    assert "/security/locks/" in login(secadmin).get("/").content.decode()
    assert "/security/locks/" not in login(people.admin).get("/").content.decode()
    assert "/security/locks/" not in login(people.city_cadre).get("/").content.decode()


# --- bad input before login (finding 9) ------------------------------------------------------

BAD_USERNAMES = ["ad\x00min", "x" * 151, "y" * 300]


@pytest.mark.parametrize("username", BAD_USERNAMES)
def test_token_api_refuses_bad_usernames_naming_the_field(people: People, username: str) -> None:
    r = token(client_at(STRANGER), username, "Wrong-passw0rd")
    assert r.status_code == 422
    assert r["Content-Type"] == PROBLEM
    assert [e["field"] for e in r.json()["errors"]] == ["username"]
    assert not AccessAttempt.objects.exists()


def test_token_api_refuses_nul_and_huge_passwords(people: People) -> None:
    for password in ["Wrong\x00passw0rd", "p" * 1025]:
        r = token(client_at(STRANGER), "admin", password)
        assert r.status_code == 422
        assert [e["field"] for e in r.json()["errors"]] == ["password"]
    nul = token(client_at(STRANGER), "ad\x00min", "x").json()["errors"][0]["message"]
    assert nul == "不能包含空字符（NUL）"


@pytest.mark.parametrize("username", BAD_USERNAMES)
def test_login_page_refuses_bad_usernames_as_a_form_error(people: People, username: str) -> None:
    r = page_login(client_at(STRANGER), username, "Wrong-passw0rd")
    assert r.status_code == 200
    assert "id_username_error" in r.content.decode()
    assert not AccessAttempt.objects.exists()


def test_lockout_stores_no_nul_from_other_fields(people: People) -> None:
    """A NUL in the user agent or another posted field reaches axes' tables through a wrong
    password and through a right one: stored without it."""
    client = Client(REMOTE_ADDR=STRANGER, HTTP_USER_AGENT="evil\x00agent")
    r = client.post("/login/", {"username": "admin", "password": "Wrong-passw0rd", "x": "a\x00b"})
    assert r.status_code == 200
    attempt = AccessAttempt.objects.get()
    assert "\x00" not in attempt.user_agent + attempt.post_data + attempt.get_data
    r = client.post("/login/", {"username": "admin", "password": PASSWORD})
    assert r.status_code == 302
    assert "\x00" not in AccessLog.objects.get().user_agent


@override_settings(GONGHUI_LOGIN_ADDRESS_FAILURES=2)
def test_lock_pages_in_english(people: People, login: Any, secadmin: Any) -> None:
    guesser = client_at(STRANGER)
    guesser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page_login(guesser, "someone", "Guess-passw0rd1")
    r = page_login(guesser, "someone_else", "Guess-passw0rd1")
    assert r.status_code == 429
    assert "Too many failed sign-ins from your network address" in r.content.decode()
    admin = login(secadmin)
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = admin.get("/security/locks/").content.decode()
    assert "Login locks" in html
    assert "pause every sign-in from it" in html
    assert "Every account from this address" in html


@override_settings(GONGHUI_PROXY_COUNT=1)
def test_behind_a_proxy_the_lock_keys_on_the_forwarded_address(people: People) -> None:
    """Every request comes from the proxy; the stranger's lock must not lock the owner, and
    what the stranger writes into X-Forwarded-For themselves is not believed."""
    proxy = "10.0.0.1"
    stranger = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"{OWNER}, {STRANGER}")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        token(stranger, "admin", "Wrong-passw0rd")
    assert token(stranger, "admin", PASSWORD).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {STRANGER}
    owner = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=OWNER)
    assert token(owner, "admin", PASSWORD).status_code == 200
    # no header or a malformed one: the proxy's own address
    assert token(Client(REMOTE_ADDR=proxy), "cadre_a", "Wrong-passw0rd").status_code == 401
    bad = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="not-an-ip")
    assert token(bad, "cadre_a", "Wrong-passw0rd").status_code == 401
    assert AccessAttempt.objects.get(username="cadre_a").failures_since_start == 2
    assert AccessAttempt.objects.get(username="cadre_a").ip_address == proxy


@override_settings(GONGHUI_PROXY_COUNT=1)
def test_behind_a_proxy_the_audit_names_the_client(people: People) -> None:
    """An audit row names the address the proxy saw, not the proxy, and never one the client
    wrote into X-Forwarded-For itself (as the lockout does)."""
    proxy = "10.0.0.1"
    issued = token(Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"{OWNER}, {STRANGER}"),
                   "cadre_a", PASSWORD).json()["token"]  # fmt: skip
    client = Client(
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=f"{OWNER}, {STRANGER}",  # OWNER: the client's own claim
        headers={"Authorization": f"Bearer {issued}"},
    )
    assert client.post("/api/v1/auth/revoke").status_code == 204
    entry = AuditEntry.objects.get(action="token.revoke")
    assert entry.ip == STRANGER
    # no proxy configured: the address of the connection, whatever the header says
    with override_settings(GONGHUI_PROXY_COUNT=0):
        issued = token(Client(REMOTE_ADDR=proxy), "cadre_a", PASSWORD).json()["token"]
        client = Client(
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=STRANGER,
            headers={"Authorization": f"Bearer {issued}"},
        )
        assert client.post("/api/v1/auth/revoke").status_code == 204
    assert AuditEntry.objects.filter(action="token.revoke").latest("id").ip == proxy


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "new\x00user"),
        ("username", "n" * 151),
        ("full_name", "王\x00强"),
        ("full_name", "王" * 51),
        ("title", "t" * 101),
        ("org", "3717\x0002"),
        ("password", "Fresh-passw0rd\x00"),
    ],
)
def test_user_api_refuses_nul_and_overlong_text_naming_the_field(
    people: People, api: Any, field: str, value: str
) -> None:
    body = {"username": "newbie", "org": "371702", "role": "cadre", field: value}
    r = api(people.admin).post("/api/v1/users", body, content_type="application/json")
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == [field]
    patch = {field: value} if field in {"full_name", "title", "org"} else {"title": value}
    r = api(people.admin).patch(
        f"/api/v1/users/{people.clerk_a.pk}", patch, content_type="application/json"
    )
    assert r.status_code == 422
    assert not AuditEntry.objects.filter(action__startswith="user.").exists()
