"""Separated duties (三员分立): the system administrator runs users and orgs but neither reads
the audit nor reveals personal data; the security administrator holds the locks and the
policies; the audit administrator reads and exports the audit and nothing else. The system
administrator's pages never touch the other two's accounts. Also: health and readiness."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from gonghui.accounts.models import User
from gonghui.accounts.services import user_create, user_set_password, user_update
from gonghui.core import audit
from gonghui.core.errors import Forbidden
from gonghui.core.models import AuditEntry
from gonghui.core.monitoring import worker_beat
from gonghui.core.roles import can

from .conftest import make_user

ALLOWED = (200, 302)


@pytest.fixture
def duties(people: Any, tree: Any) -> dict[str, User]:
    return {
        "admin": people.admin,
        "secadmin": make_user("secadmin", "secadmin", tree.city),
        "auditor": make_user("auditor", "auditor", tree.city),
    }


# what each page answers to each of the three: "ok" (200), or refused (403/404)
PAGES = {
    "/users/": {"admin": "ok", "secadmin": "ok", "auditor": "no"},
    "/users/new/": {"admin": "ok", "secadmin": "no", "auditor": "no"},
    "/orgs/371702/new/": {"admin": "ok", "secadmin": "no", "auditor": "no"},
    "/audit/": {"admin": "no", "secadmin": "no", "auditor": "ok"},
    "/audit/export.xlsx": {"admin": "no", "secadmin": "no", "auditor": "ok"},
    "/security/locks/": {"admin": "no", "secadmin": "ok", "auditor": "no"},
    "/security/policies/": {"admin": "no", "secadmin": "ok", "auditor": "no"},
    "/members/": {"admin": "ok", "secadmin": "no", "auditor": "no"},
    "/hotline/": {"admin": "ok", "secadmin": "no", "auditor": "no"},
    "/": {"admin": "ok", "secadmin": "ok", "auditor": "ok"},
}


@pytest.mark.parametrize("path", list(PAGES))
def test_each_administrator_reaches_only_their_pages(
    duties: dict[str, User], login: Any, path: str
) -> None:
    for role, expected in PAGES[path].items():
        status = login(duties[role]).get(path).status_code
        if expected == "ok":
            assert status == 200, (role, path, status)
        else:
            assert status in (403, 404), (role, path, status)


def test_permissions_are_apart(duties: dict[str, User], tree: Any) -> None:
    admin, sec, aud = duties["admin"], duties["secadmin"], duties["auditor"]
    assert can(admin, "users.manage") and can(admin, "orgs.manage")
    for perm in ("audit.view", "audit.export", "pii.reveal", "hotline.reveal", "security.locks"):
        assert not can(admin, perm), perm
    assert can(sec, "security.locks") and can(sec, "security.policies")
    for perm in ("audit.view", "pii.reveal", "users.manage", "orgs.manage", "members.view"):
        assert not can(sec, perm), perm
    assert can(aud, "audit.view") and can(aud, "audit.export")
    for perm in ("users.view", "pii.reveal", "orgs.view", "members.view", "security.locks"):
        assert not can(aud, perm), perm


def test_the_system_administrator_cannot_make_or_take_over_the_other_two(
    duties: dict[str, User], api: Any
) -> None:
    admin = duties["admin"]
    for role in ("secadmin", "auditor"):
        with pytest.raises(Forbidden):
            user_create(actor=admin, username=f"new_{role}", org="371700", role=role)
        with pytest.raises(Forbidden):
            user_set_password(actor=admin, user=duties[role], password="Another-Pass-2026x")
        with pytest.raises(Forbidden):
            user_update(actor=admin, user=duties[role], data={"role": "cadre"})
    cadre = User.objects.get(username="city_cadre")
    with pytest.raises(Forbidden):
        user_update(actor=admin, user=cadre, data={"role": "auditor"})
    # the command line makes them (no actor)
    made, _ = user_create(actor=None, username="aud2", org="371700", role="auditor")
    assert made.role == "auditor"
    assert api(admin).post(
        "/api/v1/users",
        {"username": "x_aud", "org": "371700", "role": "auditor"},
        content_type="application/json",
    ).status_code in (403, 404, 422)
    assert not User.objects.filter(username="x_aud").exists()


def test_the_auditor_exports_the_audit_in_words_and_the_export_is_audited(
    duties: dict[str, User], tree: Any, login: Any, tmp_path: Any
) -> None:
    with transaction.atomic():
        audit.record(
            actor=duties["admin"],
            action="org.update",
            object_type="org",
            object_id="371702",
            object_org=tree.county_a,
            changes={"name": {"before": "旧", "after": "新"}},
        )
    response = login(duties["auditor"]).get("/audit/export.xlsx")
    assert response.status_code == 200
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = [
        [c if c is not None else "" for c in r] for r in book.active.iter_rows(values_only=True)
    ]
    assert rows[0][:4] == ["时间", "操作人", "操作人所在组织", "操作"]
    assert any("旧 → 新" in " ".join(str(c) for c in row) for row in rows[1:])
    assert AuditEntry.objects.filter(action="audit.export", actor=duties["auditor"]).count() == 1


def test_home_pages_of_the_security_and_audit_administrators(
    duties: dict[str, User], login: Any
) -> None:
    page = login(duties["secadmin"]).get("/").content.decode()
    assert "安全策略" in page and "登录锁定" in page and "字段密钥指纹" in page
    page = login(duties["auditor"]).get("/").content.decode()
    assert 'data-testid="chain"' in page and "导出审计日志" in page


def test_health_and_readiness(db: Any, client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response["X-Request-ID"]
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "worker": "no heartbeat",
    }
    worker_beat()
    answer = client.get("/readyz", headers={"X-Request-ID": "proxy-abc-123"})
    assert answer.status_code == 200 and answer.json()["status"] == "ok"
    assert answer["X-Request-ID"] == "proxy-abc-123"
    assert client.get("/healthz", headers={"X-Request-ID": "bad id!"})["X-Request-ID"] != "bad id!"


def test_request_log_lines_are_json_with_the_request_id_and_no_query(
    db: Any, client: Any, caplog: Any
) -> None:
    import json
    import logging

    from gonghui.core.monitoring import JsonFormatter, RequestIdFilter

    with caplog.at_level(logging.INFO, logger="gonghui.request"):
        client.get("/healthz?id=370702199001011236", headers={"X-Request-ID": "r-1"})
    record = next(r for r in caplog.records if r.name == "gonghui.request")
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/healthz" and line["status"] == 200 and line["method"] == "GET"
    assert "370702" not in json.dumps(line)
