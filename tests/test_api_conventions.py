"""What every route of the API shares: auth, problem+json, pagination, docs served locally."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from gonghui.api import api as ninja_api
from gonghui.core.models import AuditEntry
from gonghui.orgs.models import Enterprise, Org
from gonghui.orgs.services import org_insert

from .conftest import People, Tree

PROBLEM = "application/problem+json"


def operations() -> list[tuple[str, str]]:
    """Every (method, path) of the OpenAPI document, every module's routes included; path
    parameters filled with ``1`` except org codes."""
    out = []
    for path, methods in ninja_api.get_openapi_schema()["paths"].items():
        path = re.sub(r"\{[a-z_]+\}", "1", path.replace("{code}", "G-A-0001"))
        out.extend((method.upper(), path) for method in methods)
    return sorted(out)


def call(client: Client, method: str, path: str, data: Any = None) -> Any:
    return client.generic(
        method, path, data=json.dumps(data or {}), content_type="application/json"
    )


def test_openapi_document(db: Any) -> None:
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["info"]["title"] == "gonghui API"
    for path in (
        "/api/v1/auth/token",
        "/api/v1/orgs",
        "/api/v1/orgs/{code}",
        "/api/v1/orgs/{code}/move",
        "/api/v1/orgs/{code}/deactivate",
        "/api/v1/audit",
        "/api/v1/users",
        "/api/v1/enterprises",
    ):
        assert path in doc["paths"], path
    assert set(doc["paths"]["/api/v1/orgs/{code}"]) == {"get", "patch"}
    assert doc["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"


def test_docs_page_uses_only_local_assets(db: Any) -> None:
    r = Client().get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in sources
    assert "/static/ninja/swagger-ui.css" in sources
    assert all(s.startswith("/static/") for s in sources), sources
    assert "cdn" not in html.lower()
    for asset in (
        "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui.css",
        "/static/ninja/swagger-ui-init.js",
    ):
        served = Client().get(asset)
        assert served.status_code == 200, asset
        assert b"".join(served.streaming_content)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("method", "path"), operations())
def test_every_route_refuses_anonymous_with_401(people: People, method: str, path: str) -> None:
    if path == "/api/v1/auth/token":
        pytest.skip("the one route without auth")
    r = call(Client(), method, path)
    assert r.status_code == 401
    assert r["Content-Type"] == PROBLEM
    assert r.json()["status"] == 401
    assert not AuditEntry.objects.exists()


# A valid body for every write, so that the answer is about the role, not the input.
LEADER_WRITES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/orgs"): {
        "code": "G-A-0009",
        "name": "x",
        "kind": "grassroots",
        "parent": "371702001",
    },
    ("PATCH", "/api/v1/orgs/G-A-0001"): {"name": "x"},
    ("POST", "/api/v1/orgs/G-A-0001/move"): {"parent": "371702"},
    ("POST", "/api/v1/orgs/G-A-0001/deactivate"): {},
    ("POST", "/api/v1/orgs/G-A-0001/reactivate"): {},
    ("POST", "/api/v1/enterprises"): {"name": "x", "county": "371702"},
    ("PATCH", "/api/v1/enterprises/1"): {"name": "x"},
    ("POST", "/api/v1/users"): {"username": "x1", "org": "371702", "role": "clerk"},
    ("PATCH", "/api/v1/users/1"): {"full_name": "x"},
    ("POST", "/api/v1/users/1/deactivate"): {},
    ("POST", "/api/v1/users/1/activate"): {},
    ("POST", "/api/v1/users/1/password"): {"password": "Fresh-passw0rd"},
}


FOUNDATION = ("/api/v1/orgs", "/api/v1/enterprises", "/api/v1/users")


def test_leader_table_covers_every_foundation_write() -> None:
    writes = {(m, p) for m, p in operations() if m != "GET" and p.startswith(FOUNDATION)}
    assert writes == set(LEADER_WRITES)


@pytest.mark.parametrize(("method", "path"), sorted(LEADER_WRITES))
def test_leader_is_refused_every_write(
    people: People, tree: Tree, api: Any, method: str, path: str
) -> None:
    ent = Enterprise.objects.create(name="甲公司", county=tree.county_a, union=tree.union_a)
    url = path.replace("/enterprises/1", f"/enterprises/{ent.pk}")
    url = url.replace("/users/1", f"/users/{people.clerk_a.pk}")
    if path.endswith("/reactivate"):
        Org.objects.filter(code="G-A-0001").update(active=False)
    before = list(Org.objects.values_list("code", "name", "parent_id", "active"))
    r = call(api(people.leader), method, url, LEADER_WRITES[(method, path)])
    assert r.status_code == 403
    assert r["Content-Type"] == PROBLEM
    assert list(Org.objects.values_list("code", "name", "parent_id", "active")) == before
    assert Enterprise.objects.get().name == "甲公司"
    people.clerk_a.refresh_from_db()
    assert (people.clerk_a.full_name, people.clerk_a.is_active) == ("clerk_a", True)
    assert not AuditEntry.objects.exclude(action__startswith="token.").exists()


def test_problem_json_shape(people: People, api: Any) -> None:
    r = api(people.admin).get("/api/v1/orgs/NOPE")
    assert r.status_code == 404
    assert r["Content-Type"] == PROBLEM
    assert r.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "未找到",
    }


def test_pagination_default_and_bounds(people: People, tree: Tree, api: Any) -> None:
    for i in range(55):
        org_insert(code=f"G-A-2{i:03d}", parent=tree.street_a, name=f"戊{i}工会", kind="grassroots")
    client = api(people.admin)
    body = client.get("/api/v1/orgs").json()
    assert (len(body["items"]), body["count"]) == (50, 61)
    body = client.get("/api/v1/orgs", {"offset": 60}).json()
    assert (len(body["items"]), body["count"]) == (1, 61)
    assert len(client.get("/api/v1/orgs", {"limit": 500}).json()["items"]) == 61
    for params, field, message in (
        ({"limit": 501}, "limit", "不能大于 500"),
        ({"limit": 0}, "limit", "不能小于 1"),
        ({"offset": -1}, "offset", "不能小于 0"),
        ({"limit": "many"}, "limit", "应为整数"),
    ):
        r = client.get("/api/v1/orgs", params)
        assert r.status_code == 422, params
        assert r["Content-Type"] == PROBLEM
        # the field, and pydantic's message in the product's language
        assert r.json()["errors"][0] == {"field": field, "message": message}


def test_body_errors_name_the_field_in_the_users_language(people: People, api: Any) -> None:
    client = api(people.admin)
    r = client.post(
        "/api/v1/orgs", {"name": "某工会", "kind": "nonsense"}, content_type="application/json"
    )
    assert r.status_code == 422
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert errors["code"] == "必填"
    assert errors["kind"].startswith("可选值：")
    r = client.post("/api/v1/orgs", "{not json", content_type="application/json")
    assert r.status_code in (400, 422)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/orgs",
        "/api/v1/users",
        "/api/v1/audit",
        "/api/v1/enterprises",
        "/api/v1/auth/tokens",
    ],
)
def test_every_list_answers_items_and_count(people: People, api: Any, path: str) -> None:
    # the audit is not the system administrator's to read (三员分立): a cadre reads it
    r = api(people.city_cadre if path == "/api/v1/audit" else people.admin).get(path, {"limit": 1})
    assert r.status_code == 200
    assert set(r.json()) == {"items", "count"}
    assert len(r.json()["items"]) <= 1


def test_orjson_renderer_writes_what_ninjas_renderer_writes() -> None:
    """The API's renderer gives the same JSON values as ninja's json-based one for every type
    a route returns: datetimes (aware, with microseconds), dates, times, Decimals, UUIDs, lazy
    translations, text choices, nested lists and objects, non-text keys and Chinese text."""
    import datetime as dt
    import json
    import uuid
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from django.utils.translation import gettext_lazy
    from ninja.renderers import JSONRenderer

    from gonghui.api import OrjsonRenderer
    from gonghui.hotline.models import Status

    data = {
        "at": dt.datetime(2020, 9, 19, 8, 30, 5, 123456, tzinfo=ZoneInfo("Asia/Shanghai")),
        "utc": dt.datetime(2020, 9, 19, 0, 0, tzinfo=dt.UTC),
        "on": dt.date(2020, 1, 1),
        "time": dt.time(8, 30, 5, 250000),
        "amount": Decimal("1722.35"),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "label": gettext_lazy("必填"),
        "status": Status.CLOSED,
        "items": [{"name": "王强", "n": 1, "rate": 89.8, "none": None, "ok": True}],
        7: "a numeric key",
    }
    ours = OrjsonRenderer().render(None, data, response_status=200)  # type: ignore[arg-type]
    theirs = JSONRenderer().render(None, data, response_status=200)  # type: ignore[arg-type]
    assert json.loads(ours) == json.loads(theirs)
    assert "王强".encode() in ours  # UTF-8, not \u escapes
