"""Standing personas across two counties, shared by every test.

Tree: 菏泽市总工会 371700
      → 牡丹区总工会 371702 (county A) → 牡丹街道工会 → 甲公司工会 (grassroots A)
      → 曹县总工会 371721 (county B) → 乙公司工会 (grassroots B)

People (password ``Passw0rd-test`` for all):
- ``admin``      admin of the city          - ``city_cadre``  cadre of the city
- ``leader``     read-only leader of the city
- ``cadre_a``    cadre of county A           - ``clerk_a``     clerk of grassroots A
- ``cadre_b``    cadre of county B ("should have no access to county A's stuff")
- ``operator``   hotline operator of the city
- ``lawyer_a``   lawyer at county A          - ``member_a``    a member of grassroots A
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test import Client
from django.test.testcases import LiveServerThread

from gonghui.accounts.models import User
from gonghui.orgs.models import Org
from gonghui.orgs.services import org_insert

PASSWORD = "Passw0rd-test"


class _OneRequestAtATime(ThreadedWSGIServer):
    """The browser tests' live server on SQLite: its threads share the test's one in-memory
    connection, which two requests at once (a page and its picker's fetch) break — "cannot
    open savepoint - SQL statements in progress", a 400 at random. Connections are still
    accepted in parallel (keep-alive does not block), but the application answers one
    request at a time, as one connection can."""

    def set_app(self, application: Any) -> None:
        lock = threading.Lock()

        def one_at_a_time(environ: Any, start_response: Any) -> Any:
            with lock:
                return application(environ, start_response)

        super().set_app(one_at_a_time)


LiveServerThread.server_class = _OneRequestAtATime


@dataclass
class Tree:
    city: Org
    county_a: Org
    street_a: Org
    union_a: Org
    county_b: Org
    union_b: Org


@pytest.fixture
def tree(db: Any) -> Tree:
    city = org_insert(
        code="371700", parent=None, name="菏泽市总工会", kind="city", region_code="371700"
    )
    county_a = org_insert(
        code="371702", parent=city, name="牡丹区总工会", kind="county", region_code="371702"
    )
    street_a = org_insert(code="371702001", parent=county_a, name="牡丹街道工会", kind="township")
    union_a = org_insert(
        code="G-A-0001", parent=street_a, name="甲公司工会", kind="grassroots", headcount=120
    )
    county_b = org_insert(
        code="371721", parent=city, name="曹县总工会", kind="county", region_code="371721"
    )
    union_b = org_insert(
        code="G-B-0001", parent=county_b, name="乙公司工会", kind="grassroots", headcount=80
    )
    return Tree(city, county_a, street_a, union_a, county_b, union_b)


def make_user(username: str, role: str, org: Org, **extra: Any) -> User:
    user = User(
        username=username, role=role, org=org, full_name=extra.pop("full_name", username), **extra
    )
    user.password = _password_hash()
    user.save()
    return user


@lru_cache(maxsize=1)
def _password_hash() -> str:
    """One real Argon2 hash per test run: hashing it for every persona of every test would
    cost seconds a test, and logging in still verifies it with Argon2."""
    return make_password(PASSWORD)


@dataclass
class People:
    admin: User
    city_cadre: User
    leader: User
    operator: User
    cadre_a: User
    clerk_a: User
    lawyer_a: User
    member_a: User
    cadre_b: User


@pytest.fixture
def people(tree: Tree) -> People:
    return People(
        admin=make_user("admin", "admin", tree.city),
        city_cadre=make_user("city_cadre", "cadre", tree.city),
        leader=make_user("leader", "leader", tree.city),
        operator=make_user("operator", "operator", tree.city),
        cadre_a=make_user("cadre_a", "cadre", tree.county_a),
        clerk_a=make_user("clerk_a", "clerk", tree.union_a),
        lawyer_a=make_user("lawyer_a", "lawyer", tree.county_a),
        member_a=make_user("member_a", "member", tree.union_a),
        cadre_b=make_user("cadre_b", "cadre", tree.county_b),
    )


@pytest.fixture
def login() -> Any:
    """``login(user)`` → a test Client with that user's session."""

    def _login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api(db: Any) -> Any:
    """``api(user)`` → a Client that sends a freshly issued bearer token for that user."""
    from gonghui.accounts.services import token_issue

    def _api(user: User | None) -> Client:
        if user is None:
            return Client()
        _, raw = token_issue(user=user)
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return _api


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Each test starts with an empty cache (the join form's attempt counts live there)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Any:
    """Each test computes working days afresh: an override a test wrote is rolled back
    without the signal that would clear the process's computed years."""
    from gonghui.core import workdays

    workdays.clear_cache()
    yield
    workdays.clear_cache()


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Each test starts in Chinese: a request in English (the language cookie) leaves English
    active in the thread, which would turn the next test's narrative into English."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _own_data_dir(settings: Any, tmp_path_factory: Any) -> None:
    """Each test writes its uploads, results and stored files into a fresh data dir."""
    data_dir = tmp_path_factory.mktemp("data")
    settings.DATA_DIR = data_dir
    settings.MEDIA_ROOT = data_dir / "media"
