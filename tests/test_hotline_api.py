"""The hotline API: push (idempotent), list, detail, every step route, stats, ownership."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from gonghui.hotline.models import Ticket

PUSH = {
    "external_no": "SD12351-2020-000123",
    "received_at": "2020-09-25T10:00:00+08:00",
    "channel": "province",
    "caller_name": "王小强",
    "caller_phone": "13800138000",
    "category": "demand",
    "complexity": "normal",
    "topic": "欠薪",
    "content": "公司拖欠三个月工资",
}


def _push(client: Any, **extra: Any) -> Any:
    return client.post(
        "/api/v1/hotline/tickets", {**PUSH, **extra}, content_type="application/json"
    )


def test_push_twice_creates_one_order(people: Any, api: Any) -> None:
    client = api(people.operator)
    first = _push(client)
    assert first.status_code == 201
    body = first.json()
    assert (body["status"], body["due_on"], body["topic"]) == ("received", "2020-10-22", "01")
    assert body["caller_phone"] == "138****8000"
    assert body["caller_name"] == "王*强"
    again = _push(client)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert Ticket.objects.count() == 1


def test_push_bad_input_is_422_naming_fields(people: Any, api: Any) -> None:
    response = _push(api(people.operator), category="other", topic="nothing")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert sorted(e["field"] for e in response.json()["errors"]) == ["category", "topic"]
    assert Ticket.objects.count() == 0


def test_steps_over_the_api(people: Any, api: Any) -> None:
    op, county = api(people.operator), api(people.cadre_a)
    tid = _push(op).json()["id"]
    url = f"/api/v1/hotline/tickets/{tid}"

    def post(client: Any, action: str, **data: Any) -> Any:
        return client.post(f"{url}/{action}", data, content_type="application/json")

    assert post(op, "dispatch", org="371702", note="请办理").json()["status"] == "dispatched"
    assert post(county, "accept").json()["actions"] == [
        "dispatch",
        "return",
        "extend",
        "reply",
        "progress",
    ]
    assert post(county, "extend", days=7, reason="调查").json()["status"] == "extension_requested"
    assert post(op, "approve-extension", approved=True).json()["due_on"] == "2020-11-02"
    body = post(county, "reply", result="已追回", wages_recovered="8000.00", workers=2).json()
    assert (body["status"], body["wages_recovered"]) == ("replied", "8000.00")
    assert post(op, "callback", satisfaction="satisfied").json()["status"] == "called_back"
    assert post(op, "check", passed=True).json()["status"] == "checked"
    closed = post(op, "close")
    assert closed.json()["status"] == "closed"
    detail = op.get(url).json()
    assert [e["action"] for e in detail["timeline"]] == [
        "create", "dispatch", "accept", "extend", "approve_extension", "reply", "callback",
        "check", "close",
    ]  # fmt: skip
    assert detail["timeline"][1]["org"] == "371700"
    assert detail["content"] == "公司拖欠三个月工资"


def test_illegal_step_is_409_with_allowed(people: Any, api: Any) -> None:
    op = api(people.operator)
    tid = _push(op).json()["id"]
    response = op.post(f"/api/v1/hotline/tickets/{tid}/close", {}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["allowed"] == ["answer", "dispatch"]
    bad = op.post(
        f"/api/v1/hotline/tickets/{tid}/callback",
        {"satisfaction": "meh"},
        content_type="application/json",
    )
    assert bad.status_code == 422


def test_ownership_other_county_gets_404_and_nothing_changes(people: Any, api: Any) -> None:
    op = api(people.operator)
    tid = _push(op).json()["id"]
    op.post(
        f"/api/v1/hotline/tickets/{tid}/dispatch",
        {"org": "371702"},
        content_type="application/json",
    )
    outsider = api(people.cadre_b)
    assert outsider.get(f"/api/v1/hotline/tickets/{tid}").status_code == 404
    response = outsider.post(
        f"/api/v1/hotline/tickets/{tid}/accept", {}, content_type="application/json"
    )
    assert response.status_code == 404
    assert outsider.get("/api/v1/hotline/tickets").json() == {"items": [], "count": 0}
    assert api(people.lawyer_a).get(f"/api/v1/hotline/tickets/{tid}").status_code == 404
    assert api(None).get("/api/v1/hotline/tickets").status_code == 401
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.events.count()) == ("dispatched", 2)


def test_list_filters(people: Any, api: Any) -> None:
    op = api(people.operator)
    tid = _push(op).json()["id"]
    _push(op, external_no="", received_at="2020-10-10T09:00:00+08:00")
    op.post(
        f"/api/v1/hotline/tickets/{tid}/dispatch",
        {"org": "371702"},
        content_type="application/json",
    )
    assert op.get("/api/v1/hotline/tickets").json()["count"] == 2
    assert op.get("/api/v1/hotline/tickets?status=dispatched").json()["count"] == 1
    assert op.get("/api/v1/hotline/tickets?org=371702").json()["count"] == 1
    assert op.get("/api/v1/hotline/tickets?from=2020-10-01&to=2020-10-31").json()["count"] == 1
    assert op.get("/api/v1/hotline/tickets?overdue=true").json()["count"] == 2
    assert api(people.cadre_a).get("/api/v1/hotline/tickets").json()["count"] == 1


def test_the_platform_takes_results_back_by_polling_changes(people: Any, api: Any) -> None:
    """``changed_since`` lists the orders whose handling changed after that moment, oldest
    change first; the platform polls again from the last ``updated_at`` it took.
    ``external_no`` finds the order of a provincial number."""
    op, county = api(people.operator), api(people.cadre_a)
    first = _push(op).json()
    second = _push(op, external_no="SD12351-2020-000124").json()
    _push(op, external_no="")
    url = "/api/v1/hotline/tickets"

    def poll(since: str) -> list[dict[str, Any]]:
        response = op.get(url, {"changed_since": since})
        assert response.status_code == 200
        return list(response.json()["items"])

    start = poll("2000-01-01T00:00:00+08:00")
    assert [t["id"] for t in start][:2] == [first["id"], second["id"]]
    cursor = start[-1]["updated_at"]
    assert poll(cursor) == []

    def step(tid: int, action: str, client: Any, **data: Any) -> None:
        response = client.post(f"{url}/{tid}/{action}", data, content_type="application/json")
        assert response.status_code == 200, response.content

    step(second["id"], "dispatch", op, org="371702")
    step(first["id"], "dispatch", op, org="371702")
    step(second["id"], "accept", county)
    step(second["id"], "reply", county, result="已追回工资", wages_recovered="5000")
    changed = poll(cursor)
    # each changed order once, in the order of its last change
    assert [(t["id"], t["status"]) for t in changed] == [
        (first["id"], "dispatched"),
        (second["id"], "replied"),
    ]
    assert changed[1]["wages_recovered"] == "5000.00"
    assert poll(changed[-1]["updated_at"]) == []
    # a time without an offset is Beijing time; a bad one is 422 naming the field
    beijing = datetime.fromisoformat(cursor).astimezone(ZoneInfo("Asia/Shanghai"))
    assert len(poll(beijing.replace(tzinfo=None).isoformat())) == 2
    bad = op.get(url, {"changed_since": "yesterday"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "changed_since"
    found = op.get(url, {"external_no": "SD12351-2020-000124"}).json()
    assert [t["id"] for t in found["items"]] == [second["id"]]
    assert op.get(url, {"external_no": "SD-NONE"}).json()["count"] == 0
    # off the caller's path: nothing, whatever the filter
    other = api(people.cadre_b)
    assert other.get(url, {"external_no": "SD12351-2020-000124"}).json()["count"] == 0
    assert other.get(url, {"changed_since": cursor}).json()["count"] == 0


def test_stats_route_and_scope(people: Any, api: Any) -> None:
    op = api(people.operator)
    _push(op)
    body = (
        api(people.city_cadre)
        .get("/api/v1/hotline/stats?org=371700&from=2020-01-01&to=2020-12-31")
        .json()
    )
    assert body == {
        "org": "371700",
        "from": "2020-01-01",
        "to": "2020-12-31",
        "received": 1,
        "dispatched": 0,
        "closed": 0,
        "closed_on_time": 0,
        "on_time_rate": None,
        "callback_rate": None,
        "satisfaction_rate": None,
        "reopen_rate": None,
        "wages_recovered": "0.00",
    }
    denied = api(people.cadre_b).get(
        "/api/v1/hotline/stats?org=371702&from=2020-01-01&to=2020-12-31"
    )
    assert denied.status_code == 404
    by = api(people.city_cadre).get(
        "/api/v1/hotline/stats/topic?org=371700&from=2020-01-01&to=2020-12-31"
    )
    assert [(r["key"], r["received"]) for r in by.json()] == [("01", 1)]
