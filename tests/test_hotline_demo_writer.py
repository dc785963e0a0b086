"""The demo's 12351 orders are written in bulk (``hotline.demo.OrderWriter``): the same plans
driven through the services one by one write exactly the same orders, paths, timelines,
notices and audit rows."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.core.auditchain import row_digest
from gonghui.core.models import AuditEntry
from gonghui.demo import loaders
from gonghui.hotline import demo, services
from gonghui.hotline.models import Notification, Ticket, TicketEvent, TicketOrg, Topic
from gonghui.members.demo import PeopleGenerator
from gonghui.members.models import Member
from gonghui.orgs.models import Enterprise, Org


@pytest.fixture
def plans_and_actors(db: Any) -> tuple[list[demo.Plan], dict[str, Any]]:
    out = io.StringIO()
    loaders.load_orgs(out)
    loaders.load_accounts(out)
    actors = demo._desks(out)
    topics: dict[str, list[str]] = {}
    for code, parent in Topic.objects.filter(parent__isnull=False, active=True).values_list(
        "code", "parent__code"
    ):
        topics.setdefault(parent, []).append(code)
    employers: dict[str, list[str]] = {}
    for name, county in Enterprise.objects.order_by("uscc").values_list("name", "county__code"):
        employers.setdefault(county, []).append(name)
    now = timezone.now()
    plans = demo.build(topics, employers) + demo.living(topics, employers, now)
    # every order of the last weeks (every state), and every sixth of the others
    sample = [p for i, p in enumerate(plans) if "-9" in p.external_no[12:14] or i % 6 == 0]
    return sample, actors


def _members_calling(plans: list[demo.Plan]) -> None:
    """Two callers are members (one by two records: the latest status wins)."""
    union = Org.objects.get(code=loaders.DEMO_UNION)
    phones = [p.data["caller_phone"] for p in plans if p.data["caller_phone"].startswith("1")]
    people = PeopleGenerator(7)
    for i, (phone, since) in enumerate(
        [
            (phones[0], date(2015, 1, 1)),
            (phones[1], date(2016, 1, 1)),
            (phones[1], date(2019, 1, 1)),
        ]  # fmt: skip
    ):
        Member.objects.create(
            name=f"会员{i}", sex="M", birth_date=date(1990, 1, 1),
            id_number=people.person("371702").id_number, phone=phone,
            org=union, joined_on=since, status_since=since,
        )  # fmt: skip


def _renamed(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _renamed(v, names) for k, v in value.items()}
    if isinstance(value, str):
        for old, new in names.items():
            value = value.replace(old, new)
    return value


TICKET_SKIP = {"id", "number", "external_no"}


def _order(ticket: Ticket, names: dict[str, str]) -> dict[str, Any]:
    """Everything written about one order, its own numbers replaced by ``names``."""
    fields = [f.attname for f in Ticket._meta.concrete_fields if f.attname not in TICKET_SKIP]
    audit_rows = AuditEntry.objects.filter(object_type="ticket", object_id=str(ticket.pk))
    for entry in audit_rows:
        assert entry.digest == row_digest(entry)
    audit_list = [
        _renamed(row, names)
        for row in audit_rows.order_by("id").values(
            "actor_id", "actor_name", "org_id", "object_org_id", "action", "object_type",
            "object_repr", "changes", "note", "ip",
        )
    ]  # fmt: skip
    for row in audit_list:
        if row["action"] == "hotline.close":
            # through the services an order closes at the time of loading (and is placed at
            # its planned time afterwards), so their audit row calls every order closed
            # late; the writer records the closing as planned: on time as the order says
            on_time = row["changes"].pop("closed_on_time")["after"]
            row["on_time_as_the_order_says"] = on_time == ticket.closed_on_time
    events = [
        _renamed(row, names)
        for row in TicketEvent.objects.filter(ticket=ticket)
        .order_by("id")
        .values(
            "action",
            "from_status",
            "to_status",
            "actor_id",
            "actor_name",
            "org_id",
            "at",
            "note",
            "data",
            "internal",
        )  # fmt: skip
    ]
    for row in events:
        if row["action"] == "answer":  # a few minutes after the call began (by the order's id)
            assert (
                timedelta(minutes=4) <= row.pop("at") - ticket.received_at <= timedelta(minutes=12)
            )
    return {
        "ticket": {f: getattr(ticket, f) for f in fields},
        "day": ticket.number[:8],
        "path": list(
            TicketOrg.objects.filter(ticket=ticket)
            .order_by("id")
            .values_list("org_id", "via_id", "role", "at")
        ),
        "events": events,
        "notices": [
            _renamed(row, names)
            for row in Notification.objects.filter(ticket=ticket)
            .order_by("id")
            .values("org_id", "kind", "due_on", "message", "created_at", "read_at")
        ],
        "audit": audit_list,
    }


def test_the_writer_writes_what_the_services_write(plans_and_actors: Any) -> None:
    plans, actors = plans_and_actors
    _members_calling(plans)
    steps = {s.action for p in plans for s in p.steps}
    assert steps >= {"dispatch", "accept", "return", "extend", "approve_extension", "reply",
                     "callback", "check", "close", "supervise"}  # fmt: skip
    assert any(p.data.get("answered") for p in plans)

    through = [demo.Plan(f"A{p.external_no}", p.received_at, p.data, p.steps, p.receiver,
                         p.times) for p in plans]  # fmt: skip
    services_made = demo.load_through_services(through, actors)
    writer = demo.OrderWriter(actors, timezone.now())
    bulk = [demo.Plan(f"B{p.external_no}", p.received_at, p.data, p.steps, p.receiver,
                      p.times) for p in plans]  # fmt: skip
    writer.link_members([services._phone(p.data.get("caller_phone")) for p in bulk])
    written = [writer.add(p) for p in bulk]
    writer.write()

    assert len(services_made) == len(written) == len(plans)
    linked = 0
    for a, b in zip(services_made, written, strict=True):
        a = Ticket.objects.get(pk=a.pk)
        b = Ticket.objects.get(pk=b.pk)
        assert b.external_no == "B" + a.external_no[1:]
        names = {a.number: "N", b.number: "N", a.external_no: "X", b.external_no: "X"}
        left, right = _order(a, names), _order(b, names)
        for row in left["audit"]:
            row.pop("on_time_as_the_order_says", None)
        for row in right["audit"]:
            assert row.pop("on_time_as_the_order_says", True)
        for part in left:
            if part == "ticket":
                diff = {k: (v, right[part][k]) for k, v in left[part].items()
                        if v != right[part][k]}  # fmt: skip
                assert not diff, (a.external_no, diff)
            for x, y in zip(left[part], right[part], strict=False):
                assert x == y, (a.external_no, part, x, y)
            assert left[part] == right[part], (a.external_no, part)
        linked += a.member_id is not None
    assert linked >= 2
    # the members' second record (the later status) is the one linked
    assert Ticket.objects.filter(member__name="会员1").count() == 0
    assert Ticket.objects.filter(member__name="会员2").exists()
    # and the rows are where the pages look for them: scope, the numbers, the timeline
    assert Ticket.objects.filter(number__isnull=True).count() == 0
    assert not Ticket.objects.filter(received_at__gt=timezone.now() + timedelta(minutes=1))
