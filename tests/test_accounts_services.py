from __future__ import annotations

from typing import Any

import pytest

from gonghui.accounts.services import user_create
from gonghui.core.errors import Forbidden, InvalidInput
from gonghui.core.models import AuditEntry


def test_passwords_are_argon2_and_the_audit_row_names_the_org_by_code(people: Any) -> None:
    user, password = user_create(
        actor=people.admin, username="newbie", org="371702", role="clerk", password=None
    )
    assert user.password.startswith("argon2")
    assert user.check_password(password)
    row = AuditEntry.objects.get(action="user.create", object_id=str(user.pk))
    assert row.changes["org"] == {"before": None, "after": "371702"}
    assert "argon2" not in str(row.changes)


def test_password_policy_names_the_field(people: Any) -> None:
    with pytest.raises(InvalidInput) as exc:
        user_create(
            actor=people.admin, username="weak", org="371702", role="clerk", password="12345678"
        )
    assert {e["field"] for e in exc.value.errors} == {"password"}


def test_only_admins_create_admins(people: Any) -> None:
    with pytest.raises((Forbidden, InvalidInput)):
        user_create(
            actor=people.cadre_a,
            username="boss",
            org="371702",
            role="admin",
            password="Zx9-long-password",
        )
