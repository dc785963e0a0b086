"""The demo's legal-aid cases are written in bulk (``legal.demo.CaseWriter``): the same plans
driven through the services one by one (``case_create``, every ``case_act`` step,
``case_stage``) write exactly the same cases, applicants, claims, stages, timelines, ledger
rows and audit rows."""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import pytest
from django.utils import timezone

from gonghui.core.auditchain import row_digest
from gonghui.core.models import AuditEntry
from gonghui.demo import loaders
from gonghui.hotline import demo as hotline_demo
from gonghui.legal import demo
from gonghui.legal.models import Applicant, Case, CaseEvent, Claim, Delivered, Stage

pytestmark = pytest.mark.django_db

CASE_SKIP = {"id", "number", "ref", "updated_at"}


@pytest.fixture
def plans_and_users(db: Any) -> tuple[list[demo.CasePlan], dict[str, Any]]:
    out = io.StringIO()
    loaders.load_orgs(out)
    loaders.load_accounts(out)
    hotline_demo._desks(out)  # the county desks that check the cases
    users = demo._users(out)
    today = timezone.localdate()
    demo.load_stations(users, today)
    plans = demo.seed_plans() + demo.living_plans(today)
    # every case open at a stage of the last weeks, every refused or referred one, and every
    # fourth of the others
    sample = [
        p
        for i, p in enumerate(plans)
        if p.ref.rsplit("-", 1)[1].startswith("9")
        or {"refuse", "refer"} & {s for s, _d in p.steps}
        or i % 4 == 0
    ]
    return sample, users


def _renamed(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _renamed(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value


def _case(case: Case, names: dict[str, str]) -> dict[str, Any]:
    """Everything written about one case, its own number replaced by ``names``."""
    fields = [f.attname for f in Case._meta.concrete_fields if f.attname not in CASE_SKIP]
    audit_rows = AuditEntry.objects.filter(object_type="legal_case", object_id=str(case.pk))
    for entry in audit_rows:
        assert entry.digest == row_digest(entry)
    events = list(
        CaseEvent.objects.filter(case=case)
        .order_by("id")
        .values("action", "label", "from_status", "to_status", "actor_id", "actor_name", "at",
                "note")
    )  # fmt: skip
    for row in events:  # the day as planned, an hour by the event's own id
        at = timezone.localtime(row.pop("at"))
        assert 10 <= at.hour <= 16
        row["day"] = at.date()
    return {
        "case": {f: getattr(case, f) for f in fields},
        "applicants": list(
            Applicant.objects.filter(case=case)
            .order_by("id")
            .values_list("name", "id_number", "phone", "member_id", "is_member", "share")
        ),
        "claims": list(
            Claim.objects.filter(case=case).order_by("id").values_list("item", "amount")
        ),
        "stages": list(
            Stage.objects.filter(case=case)
            .order_by("id")
            .values_list("kind", "on", "note", "file_id", "by_id")
        ),  # fmt: skip
        "events": events,
        "ledger": list(
            Delivered.objects.filter(case=case).values_list("org_id", "kind", "on", "consultation")
        ),
        "audit": [
            _renamed(row, names)
            for row in audit_rows.order_by("id").values(
                "actor_id",
                "actor_name",
                "org_id",
                "object_org_id",
                "action",
                "object_type",
                "object_repr",
                "changes",
                "note",
                "ip",
            )
        ],  # fmt: skip
    }


def test_the_writer_writes_what_the_services_write(plans_and_users: Any) -> None:
    plans, users = plans_and_users
    steps = {s.split(":")[0] for p in plans for s, _d in p.steps}
    assert steps >= {"complete", "approve", "assign", "accept", "stage", "conclude", "close",
                     "refuse", "refer"}  # fmt: skip
    assert any(p.portal for p in plans) and any(p.workers > 1 for p in plans)

    through = [dataclasses.replace(p, ref=f"A{p.ref}", key=p.ref) for p in plans]
    made = demo.load_through_services(through, users)
    bulk = [dataclasses.replace(p, ref=f"B{p.ref}", key=p.ref) for p in plans]
    written = demo.write_cases(bulk, users, timezone.now())
    assert len(made) == len(written) == len(plans) > 20

    by_ref = {c.ref: c for c in Case.objects.filter(ref__regex=r"^[AB]DEMO-")}
    for plan in plans:
        a, b = by_ref[f"A{plan.ref}"], by_ref[f"B{plan.ref}"]
        left = _case(a, {a.number: "N"})
        right = _case(b, {b.number: "N"})
        assert left == right, plan.ref
    # the next case through the services takes the number after the writer's last
    assert Case.objects.order_by("-number").first().number == written[-1].number  # type: ignore[union-attr]
