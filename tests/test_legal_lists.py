"""Legal aid's lists at any size: the lawyer's and the centre's case lists and the consultation
queue cut their page first and count the applicants for that page's rows only, so the number
of queries is the same for 3 cases as for 30 and for 50 rows as for 500; the counts shown are
exact (a group case's workers, the centre's to-do); the city sees every case without a
subtree condition and a county only its own; psychological content stays out of every list."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.legal import selectors, services
from gonghui.legal.models import Case, Consultation

pytestmark = pytest.mark.django_db


def _apply(actor: Any, workers: int, org: str = "") -> Case:
    data: dict[str, Any] = {
        "facts": "拖欠工资",
        "employer_name": "甲公司",
        "dispute_on": "2026-01-05",
        "consent": True,
        "applicants": [{"name": f"工人{i}"} for i in range(workers)],
    }
    if org:
        data["org"] = org
    return services.case_create(actor=actor, data=data)


def _queries(client: Any, url: str) -> tuple[int, Any]:
    client.get(url)  # the session's first request writes what a later one does not
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response


def test_the_case_lists_take_as_many_queries_at_any_size(
    people: Any, tree: Any, login: Any, api: Any
) -> None:
    for n in (1, 3, 12):
        _apply(people.cadre_a, n)
    lawyer_case = _apply(people.cadre_a, 2)
    for step in ("complete", "approve"):
        services.case_act(actor=people.cadre_a, case=lawyer_case, action=step)
    services.case_act(
        actor=people.cadre_a,
        case=lawyer_case,
        action="assign",
        data={"lawyer": people.lawyer_a.username},
    )
    pages = {
        people.city_cadre: ["/legal/", "/legal/?tab=all", "/legal/?tab=open"],
        people.cadre_a: ["/legal/", "/legal/?tab=all"],
        people.lawyer_a: ["/legal/", "/legal/?tab=all"],
    }
    apis = ["/api/v1/legal/cases?limit=50", "/api/v1/legal/cases?limit=500"]
    before: dict[tuple[str, str], int] = {}
    for user, urls in pages.items():
        client = login(user)
        for url in urls:
            before[(user.username, url)] = _queries(client, url)[0]
        for url in apis:
            before[(user.username, url)] = _queries(api(user), url)[0]
    for _ in range(25):
        _apply(people.cadre_a, 4)
    for user, urls in pages.items():
        client = login(user)
        for url in urls:
            assert _queries(client, url)[0] == before[(user.username, url)], url
        counts = {_queries(api(user), url)[0] for url in apis}
        assert counts == {before[(user.username, apis[0])]}, (user.username, counts)


def test_each_row_shows_its_own_workers_and_the_counts_are_exact(
    people: Any, api: Any, login: Any
) -> None:
    sizes = {_apply(people.cadre_a, n).number: n for n in (1, 2, 7)}
    body = api(people.city_cadre).get("/api/v1/legal/cases?limit=2").json()
    assert body["count"] == 3 and len(body["items"]) == 2
    body = api(people.city_cadre).get("/api/v1/legal/cases").json()
    assert {i["number"]: i["workers"] for i in body["items"]} == sizes
    assert {i["number"]: i["group"] for i in body["items"]} == {k: v > 1 for k, v in sizes.items()}
    page = login(people.cadre_a).get("/legal/?tab=all").content.decode()
    for number in sizes:
        assert number in page
    assert page.count("群体") == 2
    todo = selectors.centre_todo(people.cadre_a)
    assert (todo["applied"], todo["complete"], todo["approved"], todo["concluded"]) == (3, 0, 0, 0)


def test_the_city_sees_every_case_and_a_county_only_its_own(people: Any, tree: Any) -> None:
    mine = _apply(people.cadre_a, 1)
    theirs = _apply(people.cadre_b, 1)
    city = set(selectors.case_list(people.city_cadre).values_list("number", flat=True))
    assert city == {mine.number, theirs.number}
    # the city's subtree is the whole tree: no condition at all, the list walks its index
    assert " WHERE " not in str(selectors.case_list(people.city_cadre).query)
    county = set(selectors.case_list(people.cadre_a).values_list("number", flat=True))
    assert county == {mine.number}
    assert selectors.case_list(people.lawyer_a).count() == 0
    assert selectors.centre_todo(people.city_cadre)["applied"] == 2
    assert selectors.centre_todo(people.cadre_b)["applied"] == 1


def test_the_consultation_queue_takes_as_many_queries_and_hides_psychological_content(
    people: Any, login: Any, api: Any
) -> None:
    def ask(n: int) -> None:
        for i in range(n):
            services.consultation_ask(
                actor=people.member_a,
                kind="psych" if i % 2 else "legal",
                subject=f"失眠的秘密{i}",
                text="最近压力很大",
            )

    ask(2)
    urls = ["/legal/consultations/", "/api/v1/legal/consultations?limit=50"]
    users = [people.city_cadre, people.cadre_a]
    before = {(u.username, url): _queries(login(u), url)[0] for u in users for url in urls[:1]}
    ask(10)
    for u in users:
        count, response = _queries(login(u), urls[0])
        assert count == before[(u.username, urls[0])]
        assert "失眠的秘密" not in response.content.decode()
        body = api(u).get(urls[1]).json()
        assert body["count"] == Consultation.objects.count() == 12
        assert all(item["subject"] is None for item in body["items"])
        assert all(item["asker"] is None for item in body["items"] if item["kind"] == "psych")
