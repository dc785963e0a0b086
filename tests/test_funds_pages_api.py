"""Union-fee pages and API: the import page, the round, an application through its steps in
the pages, the letter, and scope (another county, another role, anonymous)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from gonghui.funds import services
from gonghui.funds.models import RefundApplication

from .test_funds_core import _book, _policy, _size, apply, collection, enterprise


def test_import_page_books_and_lists_refused_rows(tree: Any, people: Any, login: Any) -> None:
    a = enterprise(tree, people, 1)
    client = login(people.cadre_a)
    assert client.get("/funds/imports/").status_code == 200
    upload = collection([[a.uscc, a.name, "2020-01", 10000, 200], ["bad", "x", "2020-01", 1, 1]])
    response = client.post("/funds/imports/", {"county": "371702", "file": upload})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "入账 1 行" in page and "统一社会信用代码不正确" in page
    ledger = client.get("/funds/ledger/").content.decode()
    assert a.name in ledger and "征收数据.xlsx" in ledger
    assert login(people.cadre_b).get(response["Location"]).status_code == 404
    assert a.name not in login(people.cadre_b).get("/funds/ledger/").content.decode()
    assert login(people.leader).post("/funds/imports/", {"county": "371702"}).status_code == 403


def test_an_application_through_the_pages(tree: Any, people: Any, login: Any) -> None:
    round = _policy(people)
    e = enterprise(tree, people, 2)
    _size(people, e, 50, 800)
    _book(tree, people, e)
    app = apply(round, e, people.clerk_a)
    clerk, cadre = login(people.clerk_a), login(people.cadre_a)
    page = clerk.get(f"/funds/applications/{app.pk}/").content.decode()
    assert "划为小型企业" in page and "4800.00" in page
    assert "6222***********0123" in page and "6222021234567890123" not in page
    assert clerk.post(f"/funds/applications/{app.pk}/check/").status_code == 404
    assert cadre.post(f"/funds/applications/{app.pk}/check/").status_code == 302
    assert cadre.post(f"/funds/applications/{app.pk}/approve/").status_code == 302
    app.refresh_from_db()
    assert app.status == "approved"
    response = cadre.post(f"/funds/rounds/{round.pk}/pay/", {"county": "371702"})
    assert response.status_code == 302 and response["Location"].startswith("/payments/")
    round_page = cadre.get(f"/funds/rounds/{round.pk}/").content.decode()
    assert app.number in round_page
    outsider = login(people.cadre_b)
    assert outsider.get(f"/funds/applications/{app.pk}/").status_code == 404
    assert outsider.get(f"/funds/applications/{app.pk}/letter.pdf").status_code == 404
    assert (
        outsider.post(f"/funds/applications/{app.pk}/refuse/", {"reason": "x"}).status_code == 404
    )
    assert Client().get(f"/funds/applications/{app.pk}/").status_code == 302
    assert login(people.member_a).get("/funds/").status_code == 404


def test_apply_page_refuses_a_second_application(tree: Any, people: Any, login: Any) -> None:
    round = _policy(people)
    e = enterprise(tree, people, 3)
    RefundApplication.objects.all().delete()
    first = services.refund_apply(
        round=round, enterprise=e, bank_name="工行", bank_account="62220212345678",
        by=people.cadre_a, on=date(2020, 7, 2),
    )  # fmt: skip
    response = login(people.cadre_a).post(
        f"/funds/rounds/{round.pk}/apply/",
        {"enterprise": str(e.pk), "bank_name": "工行", "bank_account": "62220212345678"},
    )
    # outside the round's window today, or the second application: refused on the form
    assert response.status_code == 422
    assert first.number in response.content.decode() or "受理期" in response.content.decode()


@pytest.mark.parametrize("who", ["cadre_b", "member_a", "operator", None])
def test_api_refuses_outside_the_scope(tree: Any, people: Any, api: Any, who: Any) -> None:
    round = _policy(people)
    e = enterprise(tree, people, 4)
    app = apply(round, e, people.clerk_a)
    client = api(getattr(people, who) if who else None)
    expected = {401} if who is None else {403, 404}
    assert client.get(f"/api/v1/funds/applications/{app.pk}").status_code in expected
    assert client.post(f"/api/v1/funds/applications/{app.pk}/check").status_code in expected
    assert client.get(f"/api/v1/funds/applications/{app.pk}/letter").status_code in expected
    if who == "cadre_b":
        assert client.get("/api/v1/funds/ledger").json()["count"] == 0


def test_api_round_trip(tree: Any, people: Any, api: Any) -> None:
    round = _policy(people)
    e = enterprise(tree, people, 6)
    cadre = api(people.cadre_a)
    size = cadre.post(
        "/api/v1/funds/sizes",
        {"enterprise": e.pk, "year": 2019, "industry_code": "F52", "employees": 49,
         "revenue": "500", "assets": "10"},
        content_type="application/json",
    )  # fmt: skip
    assert size.status_code == 200 and size.json()["size_class"] == "small"
    _book(tree, people, e, months=1)
    app = apply(round, e, people.clerk_a)
    got = cadre.get(f"/api/v1/funds/applications/{app.pk}").json()
    assert got["eligible"] is True and got["bank_account"] == "6222***********0123"
    assert cadre.post(f"/api/v1/funds/applications/{app.pk}/check").json()["status"] == "checked"
    refused = cadre.post(
        f"/api/v1/funds/applications/{app.pk}/refuse",
        {"reason": "材料不全"},
        content_type="application/json",
    )
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert cadre.get("/api/v1/funds/ledger?uscc=" + e.uscc).json()["count"] == 1
