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
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from gonghui.accounts.services import token_issue
from gonghui.api import api as ninja_api
from gonghui.bargaining import services as bargaining
from gonghui.bargaining.models import Thread
from gonghui.core.metrics import all_metrics
from gonghui.core.monitoring import worker_beat
from gonghui.core.notices import object_to, open_notice
from gonghui.funds import services as funds
from gonghui.hotline import services as hotline
from gonghui.legal import services as legal
from gonghui.members.services import member_create
from gonghui.orgs.services import enterprise_save
from gonghui.payments import services as payments
from gonghui.places import services as places

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


def _honours(people: Any, tree: Any, member: Any, enterprise: Any) -> dict[str, str]:
    """A city round open for nominations with county A's nominee, and county A's competition."""
    from datetime import date

    from gonghui.honors import services as honors
    from gonghui.honors.models import Award

    round = honors.round_create(
        actor=people.city_cadre,
        org=tree.city,
        award=Award.objects.get(code="wuyi_medal"),
        title="2020年五一劳动奖章",
        year=2020,
        places=4,
        opens_on=date(2020, 3, 1),
        closes_on=date(2020, 3, 31),
    )
    honors.round_allot(actor=people.city_cadre, round=round, org=tree.county_a, places=2)
    round = honors.round_step(actor=people.city_cadre, round=round, step="open")
    nomination = honors.nomination_create(actor=people.clerk_a, round=round, member=member)
    competition = honors.competition_create(
        actor=people.cadre_a,
        org=tree.county_a,
        title="牡丹机场立功竞赛",
        project="牡丹机场",
        starts_on=date(2020, 3, 1),
        ends_on=date(2020, 12, 31),
    )
    unit = honors.competition_join(
        actor=people.cadre_a, competition=competition, enterprise=enterprise
    )
    worker, _outcome = honors.model_worker_save(
        actor=people.cadre_a,
        org=tree.county_a,
        name="王建国",
        title="山东省劳动模范",
        level="provincial",
        year=2015,
    )
    return {
        "worker_id": str(worker.pk),
        "round_id": str(round.pk),
        "nomination_id": str(nomination.pk),
        "competition_id": str(competition.pk),
        "unit_id": str(unit.pk),
        "honour_id": "999999",
        "what": "vettings",
    }


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
        # legal aid: a member of 甲公司工会 applied and asked; county A approved and assigned
        case = legal.case_create(
            actor=people.member_a,
            data={
                "facts": "x",
                "employer_name": "甲公司",
                "dispute_on": "2020-01-02",
                "consent": True,
            },
        )
        for step, data in (("complete", {}), ("approve", {}), ("assign", {"lawyer": "lawyer_a"})):
            case = legal.case_act(actor=people.cadre_a, case=case, action=step, data=data)
        consultation = legal.consultation_ask(
            actor=people.member_a, kind="legal", subject="x", text="y"
        )
        station = legal.station_save(
            actor=people.admin,
            data={"code": "S-A", "name": "站", "kind": "station", "org": "371702"},
        )
        gov = _governance(people, tree)
        place = places.place_save(
            actor=people.admin,
            data={"code": "YZ-A", "name": "驿站", "kind": "station", "org": "371702"},
        )
        place_review = places.review_start(actor=people.admin, place=place, year=2020)
        offer_campaign = bargaining.campaign_create(
            actor=people.city_cadre,
            org=tree.city,
            data={"title": "要约行动", "ends_on": "2099-12-31"},
        )
        bargaining.offer(actor=people.admin, campaign=offer_campaign, enterprises=[enterprise])
        thread = Thread.objects.get()
        contract = bargaining.contract_record(
            actor=people.admin,
            county=tree.county_a,
            data={"title": "合同", "kind": "comprehensive", "signed_on": "2020-01-02", "years": 3},
            enterprises=[enterprise],
        )
        family, grant, campaign = _assistance_records(people, tree)
        batch = payments.create_batch(
            org=tree.county_a, source="funds", purpose="返还", title="返还", by=people.cadre_a
        )
        payment = payments.add_line(
            batch,
            reference="funds.refund:1",
            amount=Decimal("100.00"),
            payee_name="王五",
            bank_account="6222021234567890123",
            by=people.cadre_a,
        )
        payments.submit(batch, by=people.cadre_a)
        payments.approve(batch, by=people.city_cadre)
        honours = _honours(people, tree, member, enterprise)
        office = _office(people, tree)
        policy = funds.policy_create(
            by=people.admin, name="返还", starts_on=date(2020, 1, 1), ends_on=date(2021, 12, 31)
        )
        refund_round = funds.round_create(
            policy=policy,
            by=people.admin,
            name="2020年上半年",
            period_start=date(2020, 1, 1),
            period_end=date(2020, 6, 1),
            opens_on=date(2020, 7, 1),
            closes_on=date(2020, 7, 31),
        )
        fee_import = funds.collection_book(county=tree.county_a, rows=[], by=people.cadre_a)
        size_import = funds.size_book(county=tree.county_a, rows=[], by=people.cadre_a)
        refund = funds.refund_apply(
            round=refund_round,
            enterprise=enterprise,
            bank_name="工商银行",
            bank_account="6222021234567890123",
            by=people.clerk_a,
            on=date(2020, 7, 10),
        )
        notice = open_notice(tree.union_a, org=tree.union_a, title="公示", by=people.clerk_a)
        worker_beat()  # a worker is alive: /readyz answers 200 (without one it is 503)
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
            "batch_id": str(batch.pk),
            "line_id": str(payment.pk),
            "case_id": str(case.pk),
            "consultation_id": str(consultation.pk),
            "station_id": str(station.pk),
            "ticket_pk": str(ticket.pk),
            "sheet": "stations",
            "policy_id": str(policy.pk),
            "import_id": str(fee_import.pk),
            "refund_id": str(refund.pk),
            "objection": str(objection.pk),
            **gov,
            "thread_id": str(thread.pk),
            "contract_id": str(contract.pk),
            "family_id": str(family.pk),
            "grant_id": str(grant.pk),
            "campaign_id": str(campaign.pk),
            **honours,
            **office,
            "place_id": str(place.pk),
            "review_id": str(place_review.pk),
            "place_code": place.code,
            "evidence_id": "999999",
        }
        # a module's ``action`` where the common one (a hotline step) is not its own
        # a path parameter whose name two modules share, by the module's prefix
        self.name_by_prefix = [
            ("/api/v1/bargaining/", "campaign_id", str(offer_campaign.pk)),
            ("/api/v1/funds/", "round_id", str(refund_round.pk)),
            ("/api/v1/governance/", "round_id", gov["round_id"]),
            ("/api/v1/honors/", "round_id", honours["round_id"]),
            ("/api/v1/office/", "meeting_id", office["office_meeting"]),
        ]
        self.action_by_prefix = [
            ("/payments/lines/", "reverse"),
            ("/payments/", "approve"),
            ("/assistance/grants/", "approve"),
            ("/assistance/campaigns/", "approve"),
            ("/assistance/", "investigate"),
            ("/bargaining/threads/", "answer"),
            ("/api/v1/bargaining/threads/", "answer"),
            ("/funds/applications/", "check"),
            ("/office/documents/", "submit"),
            ("/api/v1/office/documents/", "submit"),
            ("/places/reviews/", "submit"),
            ("/api/v1/places/reviews/", "submit"),
        ]
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
            ("/payments/lines/", str(payment.pk)),
            ("/payments/", str(batch.pk)),
            ("/legal/consultations/", str(consultation.pk)),
            ("/legal/stations/", str(station.pk)),
            ("/legal/", str(case.pk)),
            ("/portal/legal/consultations/", str(consultation.pk)),
            ("/portal/legal/cases/", str(case.pk)),
            ("/funds/imports/", str(fee_import.pk)),
            ("/funds/sizes/imports/", str(size_import.pk)),
            ("/funds/ledger/", "999999"),
            ("/funds/rounds/", str(refund_round.pk)),
            ("/funds/applications/", str(refund.pk)),
            ("/notices/", str(notice.pk)),
            ("/bargaining/campaigns/", str(offer_campaign.pk)),
            ("/bargaining/threads/", str(thread.pk)),
            ("/bargaining/contracts/", str(contract.pk)),
            ("/bargaining/letters/", "999999"),
            ("/assistance/grants/", str(grant.pk)),
            ("/assistance/campaigns/", str(campaign.pk)),
            ("/assistance/", str(family.pk)),
            ("/portal/assistance/", str(family.pk)),
            ("/honors/model-workers/", honours["worker_id"]),
            ("/honors/nominations/", honours["nomination_id"]),
            ("/honors/competitions/", honours["competition_id"]),
            ("/honors/", honours["round_id"]),
            ("/portal/honors/", honours["round_id"]),
            ("/portal/notices/", str(notice.pk)),
            ("/governance/committees/", gov["committee_id"]),
            ("/governance/meetings/", gov["meeting_id"]),
            ("/governance/elections/", gov["election_id"]),
            ("/governance/rounds/", gov["round_id"]),
            ("/governance/vote/", gov["round_id"]),
            ("/office/documents/", office["document_id"]),
            ("/office/incoming/", office["office_incoming"]),
            ("/office/notices/", office["notice_id"]),
            ("/office/calls/", office["call_id"]),
            ("/office/submissions/", office["submission_id"]),
            ("/office/tasks/", office["task_id"]),
            ("/office/meetings/", office["office_meeting"]),
            ("/places/reviews/", str(place_review.pk)),
            ("/places/", str(place.pk)),
        ]
        # ventures and activities: the more specific prefixes first
        va = _ventures_activities(people, tree, member)
        self.by_name.update(va)
        self.name_by_prefix.append(("/ventures/", "table", "parks"))
        self.action_by_prefix.append(("/activities/signups/", "checkin"))
        self.name_by_prefix.append(("/activities/", "job", "999999"))  # an import run
        self.pk_by_prefix += [
            ("/ventures/parks/", va["park_id"]),
            ("/ventures/people/", va["person_id"]),
            ("/ventures/", va["venture_id"]),
            ("/activities/photos/", "999999"),
            ("/activities/signups/", va["signup_id"]),
            ("/activities/teams/", va["team_id"]),
            ("/activities/", va["activity_id"]),
            ("/portal/activities/", va["activity_id"]),
        ]

    def fill(self, route: str) -> str:
        path = route.split(" ", 1)[1]

        def value(match: re.Match[str]) -> str:
            name = match.group(1).split(":")[-1]
            if name == "pk":
                return next(v for prefix, v in self.pk_by_prefix if path.startswith(prefix))
            if name == "action":
                own = [v for prefix, v in self.action_by_prefix if path.startswith(prefix)]
                return own[0] if own else self.by_name[name]
            own = [
                v for prefix, n, v in self.name_by_prefix if n == name and path.startswith(prefix)
            ]
            return own[0] if own else self.by_name[name]

        path = re.sub(r"<([^>]+)>", value, path)
        return re.sub(r"\{([^}]+)\}", value, path)


def _governance(people: Any, tree: Any) -> dict[str, str]:
    """A committee of county A with one seat, its meeting in session and a paper round open."""
    from datetime import date

    from gonghui.governance import services as gov

    cadre = people.cadre_a
    committee = gov.committee_create(
        actor=cadre,
        org=tree.county_a,
        kind="committee",
        term_number=1,
        term_start=date(2020, 1, 1),
        term_end=date(2024, 12, 31),
        seats=3,
    )
    day = date(2020, 1, 1)
    seat = gov.seat_add(actor=cadre, committee=committee, person_name="张三", since=day)
    meeting = gov.meeting_create(
        actor=cadre,
        org=tree.county_a,
        kind="plenary",
        title="全委会",
        held_on=date(2020, 9, 19),
        committee=committee,
    )
    gov.roll_from_seats(actor=cadre, meeting=meeting)
    gov.check_in_many(actor=cadre, meeting=meeting, entries=list(meeting.roll.all()))
    item = gov.agenda_add(actor=cadre, meeting=meeting, kind="motion", title="议案")
    election = gov.election_create(
        actor=cadre,
        meeting=meeting,
        committee=committee,
        title="增补委员",
        seats=1,
        method="equal",
        candidates=["李四"],
    )
    gov.meeting_open(actor=cadre, meeting=meeting)
    rnd = gov.round_open(actor=cadre, election=election)
    return {
        "committee_id": str(committee.pk),
        "seat_id": str(seat.pk),
        "seat_pk": str(seat.pk),
        "meeting_id": str(meeting.pk),
        "item_id": str(item.pk),
        "election_id": str(election.pk),
        "candidate_id": str(election.candidates.order_by("id").first().pk),  # type: ignore[union-attr]
        "round_id": str(rnd.pk),
    }


def _assistance_records(people: Any, tree: Any) -> tuple[Any, Any, Any]:
    """A pending hardship file of 甲公司工会, a grant to an archived one, a city campaign."""
    import datetime

    from gonghui.assistance import services as assistance

    assistance.dibao_set(
        actor=people.city_cadre, region_code="371702", year=datetime.date.today().year,
        monthly="640",
    )  # fmt: skip

    def apply(id_number: str) -> Any:
        return assistance.family_apply(
            actor=people.clerk_a,
            data={"org": tree.union_a.code, "name": "王五", "id_number": id_number,
                  "main_cause": "illness", "household_income": "12000", "pledge": True},
        )  # fmt: skip

    family = apply("11010519491231002X")
    other = apply("110105194912310038")
    other = assistance.family_investigate(
        actor=people.clerk_a, family=other, data={"investigation": "属实"}
    )
    other = assistance.family_deliberate(actor=people.clerk_a, family=other, opinion="同意")
    started = datetime.date.today() - datetime.timedelta(days=20)
    other = assistance.family_publish(actor=people.clerk_a, family=other, starts_on=started)
    other = assistance.family_submit_review(actor=people.clerk_a, family=other)
    other = assistance.family_approve(actor=people.cadre_a, family=other)
    grant = assistance.grant_create(
        actor=people.clerk_a, family=other, kind="living", period="2026", amount="500",
        fund_source="帮扶资金",
    )  # fmt: skip
    campaign = assistance.campaign_create(
        actor=people.city_cadre, org=tree.city, title="送温暖", kind="warmth", year=2026
    )
    return family, grant, campaign


def _ventures_activities(people: Any, tree: Any, member: Any) -> dict[str, str]:
    """County A's park with a venture and one employee; county A's activity with 李四 signed
    up; county A's volunteer team."""
    from datetime import timedelta

    from django.utils import timezone

    from gonghui.activities import services as activities
    from gonghui.activities.models import Signup
    from gonghui.ventures import services as ventures

    park = ventures.park_save(
        actor=people.cadre_a,
        data={"code": "CYY-A", "name": "园", "level": "county", "host": "h",
              "recognized_on": "2020-01-02"},
    )  # fmt: skip
    venture = ventures.venture_save(
        actor=people.cadre_a,
        park=park,
        data={"name": "项目", "industry": "C", "started_on": "2020-02-01",
              "founder_name": "王强", "founder_id_number": "110105194912310038"},
    )  # fmt: skip
    person = ventures.person_add(
        actor=people.cadre_a,
        venture=venture,
        data={"member": member.pk, "started_on": "2020-03-01"},
    )
    now = timezone.now()
    activity = activities.activity_save(
        actor=people.cadre_a,
        org=tree.county_a,
        data={"title": "读书会", "kind": "reading", "starts_at": now, "place": "书屋",
              "ends_at": now + timedelta(hours=2), "capacity": 10},
    )  # fmt: skip
    signup = Signup.objects.create(
        activity=activity, member=member, status="confirmed", queued_at=now
    )
    team = activities.team_create(
        actor=people.cadre_a, org=tree.county_a, name="志愿队", founded_on="2020-05-20"
    )
    return {
        "park_id": str(park.pk),
        "venture_id": str(venture.pk),
        "person_id": str(person.pk),
        "activity_id": str(activity.pk),
        "signup_id": str(signup.pk),
        "team_id": str(team.pk),
    }


def _call(client: Client, route: str, url: str) -> Any:
    method = route.split(" ", 1)[0]
    cookies = copy.deepcopy(client.cookies)  # a call that logs out must not log out the next
    with transaction.atomic():
        if url.rstrip("/") == "/readyz":
            # a worker beat just now: the matrix takes minutes on a loaded machine, longer than
            # the two minutes after which /readyz calls a worker dead
            worker_beat()
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


def _office(people: Any, tree: Any) -> dict[str, str]:
    """The city's notice sent to county A alone; county A's call, task and meeting for
    甲公司工会, its notice and an incoming document."""
    from datetime import datetime

    from gonghui.office import services as office

    doc = office.document_create(
        actor=people.city_cadre, data={"title": "通知", "doc_type": "notice"}
    )
    for step in ("submit", "pass1", "pass2"):
        doc = office.document_act(actor=people.city_cadre, document=doc, action=step)
    office.document_distribute(actor=people.city_cadre, document=doc, orgs=[tree.county_a])
    call = office.call_create(
        actor=people.cadre_a,
        data={"title": "报送", "columns": "名称|文本|必填", "deadline": "2099-12-31"},
        orgs=[tree.union_a],
    )
    task = office.task_create(
        actor=people.cadre_a, owner=tree.union_a, data={"title": "督办", "workdays": 5}
    )
    meeting = office.meeting_create(
        actor=people.cadre_a,
        data={"title": "会议", "starts_at": datetime(2020, 9, 18, 9, 0)},
        orgs=[tree.union_a],
    )
    notice = office.notice_publish(actor=people.cadre_a, data={"title": "通知", "body": "x"})
    incoming = office.incoming_register(
        actor=people.cadre_a, data={"title": "来文", "source": "省总"}
    )
    return {
        "document_id": str(doc.pk),
        "receipt_id": str(doc.receipts.get().pk),
        "call_id": str(call.pk),
        "submission_id": str(call.submissions.get().pk),
        "task_id": str(task.pk),
        "office_meeting": str(meeting.pk),
        "notice_id": str(notice.pk),
        "office_incoming": str(incoming.pk),
    }
