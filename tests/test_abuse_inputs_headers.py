"""Issue 10, findings 9 and 11: each test performs the attack and asserts the refusal.

9: inputs that answered 500 (a 64-bit offset, NUL bytes, text longer than its column) are
refused with 422 naming the field, in the API and on the pages, and nothing is written.
11: a strict Content-Security-Policy, ``no-store`` for signed-in answers, problem+json for
unknown API routes, and a county that returned a work order sees it as it left it.
"""

from __future__ import annotations

import re
from typing import Any

import annotated_types
import pytest

from gonghui.core.api import InputSchema, PageParams
from gonghui.core.models import AuditEntry
from gonghui.hotline import services as hotline_services
from gonghui.hotline.models import Ticket
from gonghui.orgs.models import Enterprise, Org

LISTS = [
    "/api/v1/orgs",
    "/api/v1/enterprises",
    "/api/v1/users",
    "/api/v1/audit",
    "/api/v1/members",
    "/api/v1/members/applications",
    "/api/v1/hotline/tickets",
    "/api/v1/auth/tokens",
]


def _fields(response: Any) -> list[str]:
    assert response["Content-Type"] == "application/problem+json", response.content
    return [e["field"] for e in response.json()["errors"]]


# --- finding 9: bounds --------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
def test_a_64_bit_offset_is_refused_on_every_list(people: Any, api: Any, url: str) -> None:
    response = api(people.admin).get(url, {"offset": "9223372036854775808"})
    assert response.status_code == 422
    assert _fields(response) == ["offset"]
    assert "1000000000" in response.json()["errors"][0]["message"]


def test_the_largest_offset_allowed_answers_an_empty_page(people: Any, api: Any) -> None:
    response = api(people.admin).get("/api/v1/orgs", {"offset": 1_000_000_000})
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize("url", LISTS)
def test_nul_in_a_query_is_refused_on_every_list(people: Any, api: Any, url: str) -> None:
    response = api(people.admin).get(url, {"q": "牡丹\x00"})
    assert response.status_code == 422
    assert _fields(response) == ["q"]


def test_nul_in_a_json_body_names_the_field_and_writes_nothing(
    people: Any, api: Any, tree: Any
) -> None:
    client = api(people.admin)
    before = AuditEntry.objects.count()
    response = client.patch(
        f"/api/v1/orgs/{tree.union_a.code}",
        {"address": "牡丹路\x001号"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert _fields(response) == ["address"]
    tree.union_a.refresh_from_db()
    assert tree.union_a.address == ""
    assert AuditEntry.objects.count() == before


def test_nul_in_a_path_is_refused(people: Any, api: Any) -> None:
    response = api(people.admin).get("/api/v1/orgs/3717%0000")
    assert response.status_code == 422
    assert _fields(response) == ["path"]


def test_nul_before_login_is_refused_in_the_token_call(db: Any) -> None:
    from django.test import Client

    response = Client().post(
        "/api/v1/auth/token",
        {"username": "admin\x00", "password": "x"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert _fields(response) == ["username"]


def test_nul_in_a_multipart_form_field_of_the_api(people: Any, api: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("r.csv", "姓名,身份证号\n".encode(), content_type="text/csv")
    response = api(people.admin).post(
        "/api/v1/members/import", {"file": upload, "org": "G-A-0001\x00", "dry_run": "true"}
    )
    assert response.status_code == 422
    assert _fields(response) == ["org"]


def test_text_longer_than_its_column_is_refused_with_the_limit(
    people: Any, api: Any, tree: Any
) -> None:
    client = api(people.admin)
    response = client.patch(
        f"/api/v1/orgs/{tree.union_a.code}",
        {"address": "路" * 201},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert _fields(response) == ["address"]
    assert "200" in response.json()["errors"][0]["message"]
    response = client.post(
        "/api/v1/enterprises",
        {"name": "企" * 151, "county": "371702"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert _fields(response) == ["name"]
    assert not Enterprise.objects.exists()
    # exactly the column's length is stored
    response = client.patch(
        f"/api/v1/orgs/{tree.union_a.code}",
        {"address": "路" * 200},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert Org.objects.get(pk=tree.union_a.pk).address == "路" * 200


def test_numbers_past_their_column_are_refused(people: Any, api: Any, tree: Any) -> None:
    client = api(people.admin)
    response = client.patch(
        f"/api/v1/orgs/{tree.union_a.code}", {"headcount": 2**63}, content_type="application/json"
    )
    assert response.status_code == 422
    assert _fields(response) == ["headcount"]
    ticket, _ = hotline_services.ticket_create(
        actor=people.operator,
        data={
            "caller_name": "王小强",
            "category": "demand",
            "topic": "拖欠工资",
            "content": "公司拖欠三个月工资",
        },
    )
    op = api(people.operator)
    op.post(f"/api/v1/hotline/tickets/{ticket.pk}/accept", {}, content_type="application/json")
    response = op.post(
        f"/api/v1/hotline/tickets/{ticket.pk}/reply",
        {"result": "已追回", "wages_recovered": "1e30", "workers": 2**40},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert set(_fields(response)) == {"wages_recovered", "workers"}


def test_every_api_input_schema_is_bounded() -> None:
    """A new route's body or query schema extends ``InputSchema`` (``PageParams`` for lists),
    so its text is bounded and refuses NUL; this names the one that does not."""
    from ninja.params.models import ParamModel, PathModel

    from gonghui.api import api

    unbounded = []
    for router_prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for model in operation.models:
                    if issubclass(model, PathModel):
                        continue  # a NUL in the path is refused by the middleware
                    for name, info in model.model_fields.items():
                        kind = info.annotation
                        where = f"{router_prefix}{path} {name}"
                        for inner in [kind, *getattr(kind, "__args__", ())]:
                            if isinstance(inner, type) and issubclass(inner, ParamModel):
                                continue
                            if hasattr(inner, "model_fields") and not issubclass(
                                inner, InputSchema
                            ):
                                unbounded.append(f"{where}: {inner.__name__}")
                        if kind is str and not any(
                            isinstance(m, annotated_types.MaxLen) for m in info.metadata
                        ):
                            unbounded.append(f"{where}: str")
    assert unbounded == [], "use InputSchema (gonghui.core.api) or BoundedText for: " + ", ".join(
        unbounded
    )
    assert issubclass(PageParams, InputSchema)


def test_nul_in_a_page_form_is_refused_naming_the_field(people: Any, login: Any) -> None:
    response = login(people.city_cadre).get("/orgs/", {"q": "牡丹\x00"})
    assert response.status_code == 422
    assert "q" in response.content.decode()
    assert "不能包含空字符" in response.content.decode()


def test_nul_in_the_login_form_is_refused_before_the_lockout(db: Any) -> None:
    from django.test import Client

    from gonghui.accounts.models import User

    response = Client().post(
        "/login/",
        "username=admin%00&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 422
    assert "username" in response.content.decode()
    # a multipart form is the form's to refuse (Django's text fields refuse NUL)
    response = Client().post("/login/", {"username": "admin\x00", "password": "x"})
    assert response.status_code == 200
    assert not User.objects.filter(username__startswith="admin").exists()


# --- finding 11: headers and small leaks --------------------------------------------------


def test_every_page_carries_a_strict_content_security_policy(people: Any, login: Any) -> None:
    for client, url in [(login(people.city_cadre), "/"), (login(people.admin), "/hotline/")]:
        response = client.get(url)
        assert response.status_code == 200
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy
    from django.test import Client

    assert "default-src 'self'" in Client().get("/login/")["Content-Security-Policy"]


def test_no_template_has_inline_script_or_style() -> None:
    from pathlib import Path

    import gonghui

    root = Path(gonghui.__file__).parent / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text):
            offenders.append(f"{path.relative_to(root)}: {match.group(0)}")
        for match in re.finditer(r"\sstyle=|\son[a-z]+=\"|<style", text):
            offenders.append(f"{path.relative_to(root)}: {match.group(0).strip()}")
    assert offenders == []


def test_signed_in_answers_are_not_stored(people: Any, login: Any, api: Any) -> None:
    for response in [
        login(people.city_cadre).get("/"),
        api(people.admin).get("/api/v1/members"),
        api(people.admin).get("/api/v1/auth/me"),
    ]:
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_unknown_api_routes_answer_problem_json(people: Any, api: Any) -> None:
    from django.test import Client

    for client in (Client(), api(people.admin)):
        response = client.get("/api/v1/no-such-thing")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 404
    response = api(people.admin).put("/api/v1/orgs", {}, content_type="application/json")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"


def _returned_then_replied(people: Any) -> Ticket:
    """City → county A, which returns it; the city sends it to county B, which replies."""
    act = hotline_services.ticket_act
    ticket, _ = hotline_services.ticket_create(
        actor=people.operator,
        data={
            "caller_name": "王小强",
            "category": "demand",
            "topic": "拖欠工资",
            "content": "公司拖欠三个月工资",
        },
    )
    ticket = act(actor=people.operator, ticket=ticket, action="dispatch", data={"org": "371702"})
    ticket = act(actor=people.cadre_a, ticket=ticket, action="return", data={"reason": "不属地"})
    ticket = act(actor=people.operator, ticket=ticket, action="dispatch", data={"org": "371721"})
    ticket = act(actor=people.cadre_b, ticket=ticket, action="accept", data={})
    ticket = act(
        actor=people.cadre_b,
        ticket=ticket,
        action="progress",
        data={"note": "曹县约谈乙公司老板"},
    )
    return act(
        actor=people.cadre_b,
        ticket=ticket,
        action="reply",
        data={"result": "曹县已追回全部工资", "wages_recovered": "15000", "workers": 3},
    )


def test_a_county_that_returned_an_order_sees_it_as_it_left(
    people: Any, api: Any, login: Any
) -> None:
    ticket = _returned_then_replied(people)
    body = api(people.cadre_a).get(f"/api/v1/hotline/tickets/{ticket.pk}").json()
    assert [e["action"] for e in body["timeline"]][-1] == "return"
    assert "accept" not in [e["action"] for e in body["timeline"]]
    assert (body["status"], body["result"], body["handler_org"]) == ("returned", "", None)
    assert body["wages_recovered"] in ("0", 0, "0.00")
    page = login(people.cadre_a).get(f"/hotline/{ticket.pk}/").content.decode()
    assert "曹县约谈乙公司老板" not in page and "曹县已追回全部工资" not in page
    # those who hold or received it see everything
    for user in (people.operator, people.cadre_b):
        body = api(user).get(f"/api/v1/hotline/tickets/{ticket.pk}").json()
        assert body["result"] == "曹县已追回全部工资"
        assert body["timeline"][-1]["action"] == "reply"


def test_a_county_that_returned_an_order_lists_it_as_it_left(
    people: Any, api: Any, login: Any
) -> None:
    """The lists too (the API's, the queue page's, its export): county A sees the order it
    returned as "退回", with no handler, not as county B's reply with its wages."""
    ticket = _returned_then_replied(people)
    rows = api(people.cadre_a).get("/api/v1/hotline/tickets").json()["items"]
    row = next(r for r in rows if r["id"] == ticket.pk)
    assert (row["status"], row["handler_org"], row["workers"]) == ("returned", None, 0)
    assert row["wages_recovered"] in ("0", 0, "0.00")
    page = login(people.cadre_a).get("/hotline/?tab=all").content.decode()
    assert "曹县总工会" not in page and "已办结反馈" not in page
    export = login(people.cadre_a).get("/hotline/export.csv?tab=all")
    csv = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "曹县总工会" not in csv and "15000" not in csv and "已办结反馈" not in csv
    assert "已退单" in csv
    # filed and counted under the status it left with, not the one it has now
    replied = api(people.cadre_a).get("/api/v1/hotline/tickets", {"status": "replied"}).json()
    assert replied["count"] == 0
    returned = api(people.cadre_a).get("/api/v1/hotline/tickets", {"status": "returned"}).json()
    assert [r["id"] for r in returned["items"]] == [ticket.pk]
    assert "已办结反馈" not in login(people.cadre_a).get("/hotline/?tab=replied").content.decode()
    # those who hold or received it list it as it stands
    for user in (people.operator, people.cadre_b):
        rows = api(user).get("/api/v1/hotline/tickets").json()["items"]
        assert next(r for r in rows if r["id"] == ticket.pk)["status"] == "replied"


def test_a_county_that_returned_an_order_sees_it_whole_once_it_comes_back(
    people: Any, api: Any
) -> None:
    act = hotline_services.ticket_act
    ticket, _ = hotline_services.ticket_create(
        actor=people.operator,
        data={
            "caller_name": "王小强",
            "category": "demand",
            "topic": "拖欠工资",
            "content": "欠薪",
        },
    )
    ticket = act(actor=people.operator, ticket=ticket, action="dispatch", data={"org": "371702"})
    ticket = act(actor=people.cadre_a, ticket=ticket, action="return", data={"reason": "不属地"})
    ticket = act(actor=people.operator, ticket=ticket, action="dispatch", data={"org": "371721"})
    ticket = act(actor=people.operator, ticket=ticket, action="reassign", data={"org": "371702"})
    body = api(people.cadre_a).get(f"/api/v1/hotline/tickets/{ticket.pk}").json()
    assert body["timeline"][-1]["action"] == "reassign"
    assert body["handler_org"] == "371702"


def test_a_union_that_returned_an_order_to_its_county_sees_it_as_it_left(
    people: Any, api: Any
) -> None:
    act = hotline_services.ticket_act
    ticket, _ = hotline_services.ticket_create(
        actor=people.operator,
        data={"caller_name": "王", "category": "demand", "topic": "拖欠工资", "content": "欠薪"},
    )
    ticket = act(actor=people.operator, ticket=ticket, action="dispatch", data={"org": "371702"})
    ticket = act(actor=people.cadre_a, ticket=ticket, action="accept", data={})
    ticket = act(actor=people.cadre_a, ticket=ticket, action="dispatch", data={"org": "G-A-0001"})
    ticket = act(actor=people.clerk_a, ticket=ticket, action="return", data={"reason": "非本单位"})
    ticket = act(actor=people.cadre_a, ticket=ticket, action="accept", data={})
    ticket = act(actor=people.cadre_a, ticket=ticket, action="progress", data={"note": "区里自办"})
    body = api(people.clerk_a).get(f"/api/v1/hotline/tickets/{ticket.pk}").json()
    assert (body["status"], body["handler_org"]) == ("returned", "371702")
    assert body["timeline"][-1]["action"] == "return"
    assert "区里自办" not in str(body)
