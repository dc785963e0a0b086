"""The access matrix: every route — the pages from Django's URL list, the API's operations from
its OpenAPI document — run as every standing persona and anonymously, each answer's class
compared with the intended one in ``tests/access_matrix.csv``.

The file has one line per route (``GET /orgs/<str:code>/``, ``POST /api/v1/orgs``) and one
column per persona; each cell is the class of the answer:

- ``ok`` (2xx), ``redirect`` (3xx elsewhere), ``redirect-to-login`` (3xx to the login page)
- ``denied`` (401, 403), ``not-found`` (404), ``method-not-allowed`` (405)
- ``invalid`` (400, 422: the request got past access to validation), ``conflict`` (409),
  ``throttled`` (429)

A 5xx is never in the matrix. Path parameters are records of county A (牡丹区): the grassroots
union 甲公司工会, a work order dispatched to county A, a member of 甲公司工会, so ``cadre_b``
(曹县) meets them as ``not-found``. Pages are read with GET (and, where a page takes only
POST, posted empty); API operations are called with their method and an empty JSON body.
Each call runs in a transaction rolled back after it, so no call changes what the next sees.

A route missing from the file fails with the line to add, holding what it answered now: check
each cell is what the route should answer before pasting it. ``GONGHUI_WRITE_ACCESS_MATRIX=1
pytest tests/test_access_matrix.py`` rewrites the file from the answers (then review the diff).
"""

from __future__ import annotations

import copy
import csv
import os
import re
from pathlib import Path
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from gonghui.accounts.services import token_issue
from gonghui.api import api as ninja_api
from gonghui.core.metrics import all_metrics
from gonghui.core.notices import object_to, open_notice
from gonghui.hotline import services as hotline
from gonghui.members.services import member_create
from gonghui.orgs.services import enterprise_save

MATRIX = Path(__file__).with_name("access_matrix.csv")
PERSONAS = [
    "anonymous",
    "admin",
    "city_cadre",
    "leader",
    "operator",
    "cadre_a",
    "clerk_a",
    "lawyer_a",
    "member_a",
    "cadre_b",
]
LOGIN_PATH = "/login/"


def page_routes() -> list[str]:
    """Every page pattern of the URL list (the API's come from its document)."""

    def walk(patterns: list[Any], prefix: str) -> list[str]:
        found: list[str] = []
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                found.extend(walk(pattern.url_patterns, prefix + str(pattern.pattern)))
            elif isinstance(pattern, URLPattern):
                found.append("/" + prefix + str(pattern.pattern))
        return found

    return sorted({r for r in walk(get_resolver().url_patterns, "") if not r.startswith("/api/")})


def api_routes() -> list[str]:
    document = ninja_api.get_openapi_schema()
    return sorted(
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method in operations
    )


def _class(response: Any) -> str:
    status = response.status_code
    if 200 <= status < 300:
        return "ok"
    if 300 <= status < 400:
        location = response.get("Location", "")
        return "redirect-to-login" if location.startswith(LOGIN_PATH) else "redirect"
    return {
        400: "invalid",
        401: "denied",
        403: "denied",
        404: "not-found",
        405: "method-not-allowed",
        409: "conflict",
        422: "invalid",
        429: "throttled",
    }.get(status, f"error-{status}")


class Records:
    """The records whose ids fill the path parameters."""

    def __init__(self, people: Any, tree: Any) -> None:
        ticket, _ = hotline.ticket_create(
            actor=people.operator,
            data={"caller_name": "王", "category": "demand", "topic": "拖欠工资", "content": "x"},
        )
        hotline.ticket_act(
            actor=people.operator, ticket=ticket, action="dispatch", data={"org": "371702"}
        )
        member = member_create(
            actor=people.admin,
            org=tree.union_a,
            data={"name": "李四", "id_number": "11010519491231002X"},
        )
        enterprise = enterprise_save(
            actor=people.admin, county="371702", union="G-A-0001", name="甲公司"
        )
        metric = all_metrics()[0].key if all_metrics() else "none"
        notice = open_notice(tree.union_a, org=tree.union_a, title="公示", by=people.clerk_a)
        objection = object_to(notice, text="异议", by=people.member_a)
        self.by_name: dict[str, str] = {
            "code": tree.union_a.code,
            "user_id": str(people.clerk_a.pk),
            "enterprise_id": str(enterprise.pk),
            "member_id": str(member.pk),
            "ticket_id": str(ticket.pk),
            "job_id": "999999",
            "application_id": "999999",
            "token_id": "999999",
            "by": "category",
            "key": metric,
            "action": "accept",
            "fmt": "csv",
            "file_pk": "999999",
            "token": "no-such-token",
            "step": "approve",
            "request_id": "999999",
            "kind": "org",
            "objection": str(objection.pk),
        }
        # a page's ``pk`` names the record of its module
        self.pk_by_prefix = [
            ("/users/", str(people.clerk_a.pk)),
            ("/hotline/import/", "999999"),
            ("/hotline/", str(ticket.pk)),
            ("/portal/hotline/", str(ticket.pk)),
            ("/members/import/", "999999"),
            ("/members/applications/", "999999"),
            ("/members/transfer/", "999999"),
            ("/portal/transfers/", "999999"),
            ("/members/", str(member.pk)),
            ("/notices/", str(notice.pk)),
            ("/portal/notices/", str(notice.pk)),
        ]

    def fill(self, route: str) -> str:
        path = route.split(" ", 1)[1]

        def value(match: re.Match[str]) -> str:
            name = match.group(1).split(":")[-1]
            if name == "pk":
                return next(v for prefix, v in self.pk_by_prefix if path.startswith(prefix))
            return self.by_name[name]

        path = re.sub(r"<([^>]+)>", value, path)
        return re.sub(r"\{([^}]+)\}", value, path)


def _call(client: Client, route: str, url: str) -> Any:
    method = route.split(" ", 1)[0]
    cookies = copy.deepcopy(client.cookies)  # a call that logs out must not log out the next
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif route.split(" ", 1)[1].startswith("/api/"):
            response = client.generic(method, url, "{}", content_type="application/json")
        else:
            response = client.post(url, {})
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def _clients(people: Any) -> tuple[dict[str, Client], dict[str, Client]]:
    """Per persona: a client with a session (pages) and one with a bearer token (API)."""
    pages: dict[str, Client] = {"anonymous": Client()}
    apis: dict[str, Client] = {"anonymous": Client()}
    for name in PERSONAS[1:]:
        user = getattr(people, name)
        pages[name] = Client()
        pages[name].force_login(user)
        _, raw = token_issue(user=user)
        apis[name] = Client(headers={"Authorization": f"Bearer {raw}"})
    return pages, apis


def observed_matrix(people: Any, tree: Any) -> dict[str, dict[str, str]]:
    records = Records(people, tree)
    pages, apis = _clients(people)
    routes = [f"GET {r}" for r in page_routes()]
    answers: dict[str, dict[str, str]] = {}
    for route in routes:
        url = records.fill(route)
        answers[route] = {p: _class(_call(pages[p], route, url)) for p in PERSONAS}
        if answers[route]["admin"] == "method-not-allowed":  # a page that takes only POST
            post = "POST " + route.split(" ", 1)[1]
            answers[post] = {p: _class(_call(pages[p], post, url)) for p in PERSONAS}
    for route in api_routes():
        url = records.fill(route)
        answers[route] = {p: _class(_call(apis[p], route, url)) for p in PERSONAS}
    return answers


def read_matrix() -> tuple[list[str], dict[str, dict[str, str]]]:
    with MATRIX.open(newline="") as fh:
        reader = csv.DictReader(fh)
        columns = list(reader.fieldnames or [])
        return columns, {row["route"]: row for row in reader}


def write_matrix(answers: dict[str, dict[str, str]]) -> None:
    with MATRIX.open("w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["route", *PERSONAS])
        for route in sorted(answers):
            writer.writerow([route, *(answers[route][p] for p in PERSONAS)])


def test_every_route_answers_every_persona_as_the_matrix_says(people: Any, tree: Any) -> None:
    answers = observed_matrix(people, tree)
    server_errors = [
        f"{route} as {persona}: {cls}"
        for route, row in answers.items()
        for persona, cls in row.items()
        if cls.startswith("error-5")
    ]
    assert server_errors == [], "server errors: " + "; ".join(server_errors)
    if os.environ.get("GONGHUI_WRITE_ACCESS_MATRIX") == "1":
        write_matrix(answers)
    columns, expected = read_matrix()
    problems: list[str] = []
    missing_personas = [p for p in PERSONAS if p not in columns]
    if missing_personas:
        problems.append(f"{MATRIX.name} has no column for: {', '.join(missing_personas)}")
    for route in sorted(answers):
        observed = answers[route]
        if route not in expected:
            line = ",".join([route, *(observed[p] for p in PERSONAS)])
            problems.append(f"route missing from {MATRIX.name}; review, then add the line: {line}")
            continue
        for persona in PERSONAS:
            want = expected[route].get(persona) or "(missing)"
            if want != observed[persona]:
                problems.append(
                    f"{route} as {persona}: expected {want}, answered {observed[persona]}"
                )
    problems.extend(
        f"{MATRIX.name} names a route that no longer exists: {route}"
        for route in sorted(set(expected) - set(answers))
    )
    assert problems == [], "\n".join(problems)
