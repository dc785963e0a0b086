from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection, transaction

from gonghui.core import audit
from gonghui.core.errors import NotFound
from gonghui.core.metrics import Metric, all_metrics, register
from gonghui.core.models import AppendOnlyError, AuditEntry
from gonghui.core.periodic import SCHEDULE, enqueue_due
from gonghui.core.roles import can
from gonghui.core.scope import access
from gonghui.orgs.models import Org


@pytest.mark.django_db(transaction=True)
def test_audit_record_outside_a_transaction_is_refused(people: Any) -> None:
    with pytest.raises(RuntimeError):
        audit.record(actor=people.admin, action="x", object_type="t", object_id=1)


def test_audit_is_append_only(people: Any, tree: Any) -> None:
    with transaction.atomic():
        entry = audit.record(
            actor=people.admin,
            action="org.update",
            object_type="org",
            object_id="371702",
            object_org=tree.county_a,
        )
    assert entry.org_id == tree.city.pk and entry.actor_name == "admin"
    entry.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(note="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_trigger_refuses_raw_update(people: Any, tree: Any) -> None:
    from django.db import DatabaseError

    with transaction.atomic():
        entry = audit.record(
            actor=people.admin, action="x", object_type="t", object_id=1, object_org=tree.city
        )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE core_auditentry SET note = 'x' WHERE id = %s", [entry.pk])


def test_snapshot_masks_sensitive_fields(people: Any) -> None:
    class Fake:
        audit_masked = {"chair": "name", "contact_phone": "phone"}

    org = Org(
        code="X1", name="测试", kind="grassroots", chair="王小强", contact_phone="13800138000"
    )
    Org.audit_masked = Fake.audit_masked  # type: ignore[attr-defined]
    try:
        snap = audit.snapshot(org, ["chair", "contact_phone", "name"])
    finally:
        del Org.audit_masked  # type: ignore[attr-defined]
    assert snap == {"chair": "王*强", "contact_phone": "138****8000", "name": "测试"}
    assert audit.diff({"a": 1, "b": 2}, {"a": 1, "b": 3}) == {"b": {"before": 2, "after": 3}}


def test_scope_subtree_and_same_answer_for_missing_and_forbidden(people: Any, tree: Any) -> None:
    codes_a = set(Org.objects.visible_to(people.cadre_a).values_list("code", flat=True))
    assert codes_a == {"371702", "371702001", "G-A-0001"}
    assert Org.objects.visible_to(people.city_cadre).count() == 6
    assert access(Org.objects.all(), people.cadre_a, code="G-A-0001") == tree.union_a
    with pytest.raises(NotFound) as forbidden:
        access(Org.objects.all(), people.cadre_b, code="G-A-0001")
    with pytest.raises(NotFound) as missing:
        access(Org.objects.all(), people.cadre_b, code="NOPE")
    assert forbidden.value.status == missing.value.status == 404
    assert forbidden.value.detail == missing.value.detail


def test_members_see_only_their_union_and_lawyers_the_tree(people: Any, tree: Any) -> None:
    assert list(Org.objects.visible_to(people.member_a)) == [tree.union_a]
    assert Org.objects.visible_to(people.lawyer_a).count() == 3
    people.cadre_a.is_active = False
    assert Org.objects.visible_to(people.cadre_a).count() == 0


def test_can_checks_role_and_subtree(people: Any, tree: Any) -> None:
    assert can(people.cadre_a, "orgs.manage", tree.union_a)
    assert not can(people.cadre_a, "orgs.manage", tree.union_b)
    assert not can(people.leader, "orgs.manage", tree.union_a)
    assert can(people.leader, "audit.view", tree.union_b)
    assert not can(people.clerk_a, "orgs.manage", tree.union_a)


def test_metrics_registry_value_equals_records(people: Any, tree: Any) -> None:
    metric = Metric(
        key="test.grassroots_founded",
        label="基层工会",
        unit="个",
        definition="期内成立",
        records=lambda org, start, end: Org.objects.filter(
            path__startswith=org.path, kind="grassroots", founded_on__range=(start, end)
        ),
    )
    register(metric)
    try:
        Org.objects.filter(pk=tree.union_a.pk).update(founded_on=date(2020, 5, 1))
        Org.objects.filter(pk=tree.union_b.pk).update(founded_on=date(2019, 5, 1))
        assert metric.value(tree.city, date(2020, 1, 1), date(2020, 9, 19)) == 1
        assert metric.value(tree.county_b, date(2020, 1, 1), date(2020, 9, 19)) == 0
        assert metric in all_metrics()
        with pytest.raises(ValueError):
            register(
                Metric(key=metric.key, label="x", unit="", definition="", records=metric.records)
            )
    finally:
        from gonghui.core import metrics

        metrics._REGISTRY.pop(metric.key)


@pytest.mark.django_db(transaction=True)
def test_periodic_tasks_enqueue_once_per_interval() -> None:
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    assert "gonghui.core.tasks.housekeeping" in SCHEDULE
    now = timezone.now()
    first = enqueue_due(now)
    assert "gonghui.core.tasks.housekeeping" in first
    assert "gonghui.core.tasks.housekeeping" not in enqueue_due(now + timedelta(minutes=5))
    assert "gonghui.core.tasks.housekeeping" in enqueue_due(now + timedelta(hours=2))
    assert DBTaskResult.objects.filter(task_path="gonghui.core.tasks.housekeeping").count() == 2


@pytest.mark.django_db
def test_housekeeping_is_safe_to_run_twice() -> None:
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from gonghui.core.tasks import housekeeping

    s = SessionStore()
    s["x"] = 1
    s.create()
    Session.objects.filter(pk=s.session_key).update(expire_date=timezone.now() - timedelta(1))
    assert housekeeping.call()["sessions"] == 1
    assert housekeeping.call()["sessions"] == 0
