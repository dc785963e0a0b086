"""The tamper-evident audit log: digests, sealed blocks, verification naming the first broken
link, the database refusing to rewrite history (and the PostgreSQL runtime role lacking the
privilege), archiving that keeps the chain verifiable."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from gonghui.core import audit, auditchain
from gonghui.core.models import AuditArchive, AuditEntry, AuditSeal

NOW = timedelta(0)
pg = pytest.mark.skipif("connection.vendor != 'postgresql'")


def _write(people: Any, tree: Any, n: int = 3) -> list[AuditEntry]:
    out = []
    with transaction.atomic():
        for i in range(n):
            out.append(
                audit.record(
                    actor=people.cadre_a,
                    action="org.update",
                    object_type="org",
                    object_id="371702",
                    object_org=tree.county_a,
                    changes={"name": {"before": f"旧{i}", "after": f"新{i}"}, "n": [1, 2.5]},
                    note="说明",
                )
            )
    return out


def _sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cur:
        cur.execute(statement, params or [])


def _tamper(statement: str, params: list[Any] | None = None) -> None:
    """What someone with the database owner's hands could do: lift the triggers, write."""
    if connection.vendor == "postgresql":
        _sql("SET LOCAL session_replication_role = replica")  # a superuser skips triggers
        _sql(statement, params)
        _sql("SET LOCAL session_replication_role = origin")
    else:
        _sql("DROP TRIGGER core_auditentry_no_update")
        _sql("DROP TRIGGER core_auditentry_no_delete")
        _sql(statement, params)
        auditchain.install_sqlite_triggers()


def test_rows_carry_their_digest_and_seal_into_a_verified_chain(people: Any, tree: Any) -> None:
    rows = _write(people, tree)
    for row in rows:
        fresh = AuditEntry.objects.get(pk=row.pk)
        assert fresh.digest == row.digest == auditchain.row_digest(fresh)
    assert auditchain.seal(margin=NOW) >= 1
    seals = list(AuditSeal.objects.order_by("number"))
    assert seals[0].prev_hash == auditchain.GENESIS
    assert sum(s.rows for s in seals) == AuditEntry.objects.count()
    report = auditchain.verify()
    assert report.ok, report.problems
    assert report.unsealed == 0 and report.head == seals[-1].hash
    # a second seal finds nothing new; new rows go to the next block, chained to the last
    assert auditchain.seal(margin=NOW) == 0
    _write(people, tree, 2)
    assert auditchain.seal(margin=NOW) == 1
    last = AuditSeal.objects.order_by("-number").first()
    assert last is not None and last.prev_hash == seals[-1].hash and last.rows == 2
    assert auditchain.verify().ok


def test_the_margin_keeps_recent_rows_unsealed(people: Any, tree: Any) -> None:
    _write(people, tree)
    assert auditchain.seal(margin=timedelta(minutes=5)) == 0
    report = auditchain.verify()
    assert report.ok and report.blocks == 0 and report.unsealed == AuditEntry.objects.count()


def test_an_edited_row_is_named(people: Any, tree: Any) -> None:
    rows = _write(people, tree)
    auditchain.seal(margin=NOW)
    _tamper("UPDATE core_auditentry SET note = %s WHERE id = %s", ["改过", rows[1].pk])
    report = auditchain.verify()
    assert not report.ok
    assert f"第 {rows[1].pk} 条审计记录" in report.problems[0] and "改动" in report.problems[0]


def test_an_edited_row_with_a_fresh_digest_breaks_its_block(people: Any, tree: Any) -> None:
    rows = _write(people, tree)
    auditchain.seal(margin=NOW)
    target = AuditEntry.objects.get(pk=rows[0].pk)
    target.note = "改过"
    _tamper(
        "UPDATE core_auditentry SET note = %s, digest = %s WHERE id = %s",
        ["改过", auditchain.row_digest(target), rows[0].pk],
    )
    report = auditchain.verify()
    assert not report.ok and "号区块" in report.problems[0]


def test_a_removed_row_breaks_its_block(people: Any, tree: Any) -> None:
    rows = _write(people, tree)
    auditchain.seal(margin=NOW)
    _tamper("DELETE FROM core_auditentry WHERE id = %s", [rows[2].pk])
    report = auditchain.verify()
    assert not report.ok and "现有" in report.problems[0]


def test_a_row_slipped_in_before_the_chain_is_named(people: Any, tree: Any) -> None:
    _write(people, tree)
    auditchain.seal(margin=NOW)
    with transaction.atomic():
        early = AuditEntry.objects.create(
            at=timezone.now() - timedelta(days=30),
            actor_name="x",
            action="org.update",
            object_type="org",
            object_id="1",
        )
    report = auditchain.verify()
    assert not report.ok and f"第 {early.pk} 条" in report.problems[0]


def test_the_database_refuses_update_and_delete(people: Any, tree: Any) -> None:
    rows = _write(people, tree, 1)
    for statement in (
        "UPDATE core_auditentry SET note = 'x' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            _sql(statement, [rows[0].pk])
    assert AuditEntry.objects.get(pk=rows[0].pk).note == "说明"


@pg
def test_postgresql_refuses_truncate_even_to_the_owner(people: Any, tree: Any) -> None:
    _write(people, tree, 1)
    with pytest.raises(DatabaseError), transaction.atomic():
        _sql("TRUNCATE core_auditentry")
    assert AuditEntry.objects.exists()


@pg
def test_postgresql_runtime_role_may_insert_and_read_but_never_rewrite(
    people: Any, tree: Any
) -> None:
    role = f"{connection.settings_dict['NAME']}_runtime"[:60]
    _sql(f'CREATE ROLE "{role}" NOLOGIN')  # rolled back with the test's transaction
    for statement in auditchain.runtime_grants(role):
        _sql(statement)
    rows = _write(people, tree, 1)
    with transaction.atomic():
        _sql(f'SET LOCAL ROLE "{role}"')
        audit.record(actor=people.admin, action="x", object_type="t", object_id=1)
        assert AuditEntry.objects.filter(action="x").exists()
        _sql("UPDATE members_member SET updated_at = updated_at WHERE false")
        _sql("RESET ROLE")
    for statement in (
        "UPDATE core_auditentry SET note = 'x' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
        "TRUNCATE core_auditentry",
        "DELETE FROM core_auditseal WHERE id = %s",
    ):
        with pytest.raises(DatabaseError) as caught, transaction.atomic():
            _sql(f'SET LOCAL ROLE "{role}"')
            # even with the archive's unlock setting: the privilege is not there
            _sql("SET LOCAL gonghui.audit_unlock = 'on'")
            _sql(statement, [rows[0].pk] if "%s" in statement else None)
        assert "permission denied" in str(caught.value)
    assert AuditEntry.objects.get(pk=rows[0].pk).note == "说明"


def test_archive_keeps_the_chain_verifiable(people: Any, tree: Any, tmp_path: Path) -> None:
    old = timezone.now() - timedelta(days=400)
    with transaction.atomic():
        for i in range(5):
            AuditEntry.objects.create(
                at=old + timedelta(minutes=i),
                actor_name="x",
                action="org.update",
                object_type="org",
                object_id=str(i),
            )
    # the old rows fill the first block (the worker seals every few minutes: small blocks)
    assert auditchain.seal(margin=NOW, upto=old + timedelta(hours=1)) == 1
    _write(people, tree)
    auditchain.seal(margin=NOW)
    total = AuditEntry.objects.count()
    out = tmp_path / "audit.jsonl.gz"
    with pytest.raises(ValueError, match="180"):
        auditchain.archive(before=timezone.now() - timedelta(days=10), output=out)
    result = auditchain.archive(before=timezone.now() - timedelta(days=200), output=out)
    assert result["rows"] == 5 and AuditEntry.objects.count() == total - 5
    assert AuditArchive.objects.get().rows == 5
    report = auditchain.verify()
    assert report.ok, report.problems
    assert report.archived_blocks == 1
    assert auditchain.verify_archive(out) == []


def test_audit_verify_command(people: Any, tree: Any) -> None:
    rows = _write(people, tree)
    out = StringIO()
    call_command("audit_verify", "--seal", stdout=out)
    assert "审计链完整" in out.getvalue()
    _tamper("UPDATE core_auditentry SET note = %s WHERE id = %s", ["改过", rows[0].pk])
    with pytest.raises(CommandError, match=f"第 {rows[0].pk} 条审计记录"):
        call_command("audit_verify", stdout=StringIO())
