"""The password policy, table-driven: what it accepts, what it refuses and by which rule."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import Client

from gonghui.accounts.models import User
from gonghui.accounts.passwords import repeated_stretch
from gonghui.accounts.services import user_create
from gonghui.core.errors import InvalidInput
from gonghui.demo.loaders import DEMO_ACCOUNTS

from .conftest import PASSWORD, People

ACCEPTED = [
    "Passw0rd-test",
    "Heze2020-Admin",
    "Zx9-long-password",
    "correct horse battery 7",  # a passphrase: spaces between words are fine
    "xyzxyz-Q8!mZp",  # a repeat inside a password is fine
    "工会2020智慧平台ab",
    "Lq7" + "ab" * 3 + "Vn5Kp",
]

# (password, the code of the rule that refuses it)
REFUSED = [
    ("          a1", "password_mostly_spaces"),  # the example
    ("a1b2c3d4e5" + " " * 12, "password_mostly_spaces"),  # long enough, but half spaces
    ("  ab 12 cd 3  ", "password_mostly_spaces"),  # ten characters, four of them spaces
    ("1111111111a", "password_too_few_distinct"),  # the example
    ("aaaaBBBB1111", "password_too_few_distinct"),
    ("Aa1Aa1Aa1A", "password_repeated_pattern"),  # the example
    ("Aa1aA1aa1A", "password_repeated_pattern"),  # case does not hide it
    ("abc123abc123", "password_repeated_pattern"),
    ("haha-haha-haha-7", "password_repeated_pattern"),  # a unit repeated, one character added
    ("Ab3dE!Ab3dE!x", "password_repeated_pattern"),
    ("short1A", "password_too_short"),
    ("abcdefghijk", "password_classes"),  # letters only
]


def _codes(password: str, user: Any = None) -> set[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return {e.code for e in exc.error_list if e.code}
    return set()


@pytest.mark.parametrize("password", ACCEPTED)
def test_accepted(password: str) -> None:
    assert _codes(password) == set()


@pytest.mark.parametrize(("password", "code"), REFUSED)
def test_refused_by_its_rule(password: str, code: str) -> None:
    assert code in _codes(password)


def test_every_demo_password_passes() -> None:
    for account in DEMO_ACCOUNTS:
        assert _codes(account.password) == set(), account.username
    assert _codes(PASSWORD) == set()


def test_messages_name_the_rule_in_chinese() -> None:
    messages: dict[str, str] = {}
    for password, _code in REFUSED:
        try:
            password_validation.validate_password(password)
        except ValidationError as exc:
            messages.update({e.code: e.messages[0] for e in exc.error_list if e.code})
    assert (
        messages["password_mostly_spaces"]
        == "密码不能主要由空格组成：去掉空格后至少须有 10 个字符。"
    )
    assert messages["password_too_few_distinct"] == "密码至少须包含 6 个不同的字符。"
    assert messages["password_repeated_pattern"] == "密码不能是一小段字符的重复（如 Aa1Aa1Aa1A）。"
    help_texts = password_validation.password_validators_help_texts()
    assert "密码至少须包含 6 个不同的字符。" in help_texts


def test_repeated_stretch() -> None:
    assert repeated_stretch("xabcabca") == 7
    assert repeated_stretch("abcdef") == 0
    assert repeated_stretch("aab") == 2
    # a long passphrase is checked in linear time and is not a repeat
    assert repeated_stretch("Zx9-" + "".join(chr(0x4E00 + i) for i in range(500))) == 0


def test_admin_cannot_set_a_weak_password_through_the_api(people: People, api: Any) -> None:
    for weak in ("          a1", "1111111111a", "Aa1Aa1Aa1A"):
        r = api(people.admin).post(
            f"/api/v1/users/{people.clerk_a.pk}/password",
            {"password": weak},
            content_type="application/json",
        )
        assert r.status_code == 422, weak
        assert r.json()["errors"][0]["field"] == "password"
    people.clerk_a.refresh_from_db()
    assert people.clerk_a.check_password(PASSWORD)


def test_weak_password_refused_on_my_password_page(people: People) -> None:
    client = Client()
    client.post("/login/", {"username": "member_a", "password": PASSWORD})
    r = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "Aa1Aa1Aa1A", "new_password2": "Aa1Aa1Aa1A"},
    )
    assert r.status_code == 200
    assert "密码不能是一小段字符的重复（如 Aa1Aa1Aa1A）。" in r.content.decode()
    people.member_a.refresh_from_db()
    assert people.member_a.check_password(PASSWORD)


def test_user_create_refuses_a_mostly_blank_password(people: People) -> None:
    with pytest.raises(InvalidInput) as exc:
        user_create(
            actor=people.admin,
            username="newbie",
            org="371702",
            role="cadre",
            password="          a1",
        )
    assert exc.value.errors[0]["field"] == "password"
    assert not User.objects.filter(username="newbie").exists()
