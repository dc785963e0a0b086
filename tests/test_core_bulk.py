"""Set-based writes (``core.bulk``): a load with its indexes deferred ends with the same indexes,
keeps unique constraints and foreign keys, and is undone whole on failure."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from gonghui.core import bulk, jobs
from gonghui.members.models import Member, MembershipEvent

from .conftest import Tree

TABLE = Member._meta.db_table


def index_definitions(table: str) -> dict[str, str]:
    """Every index of ``table`` by name, with its definition (unique ones included)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table]
            )
        else:
            cursor.execute(
                "SELECT name, coalesce(sql, 'auto') FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s",
                [table],
            )
        return dict(cursor.fetchall())


def member_rows(org_id: int, keys: list[str]) -> tuple[list[str], list[tuple[Any, ...]]]:
    now = bulk.db_literal(timezone.now())
    columns = "name sex id_number id_number_bidx id_tail birth_date joined_on org_id status "
    columns += "status_since created_at updated_at"
    defaults = bulk.column_defaults(Member, columns.split())
    rows = [
        (
            "王强",
            "M",
            "v1:x",
            key,
            key[-4:],
            "1990-01-01",
            "2015-03-01",
            org_id,
            "active",
            "2015-03-01",
            now,
            now,
            *defaults.values(),
        )  # fmt: skip
        for key in keys
    ]
    return [*columns.split(), *defaults], rows


def test_deferred_indexes_come_back_as_they_were(tree: Tree) -> None:
    before = index_definitions(TABLE)
    assert len(before) > 5
    columns, rows = member_rows(tree.union_a.pk, [f"bidx{i:04d}" for i in range(300)])
    with transaction.atomic(), bulk.deferred_indexes(TABLE, enabled=True):
        dropped = index_definitions(TABLE)
        # only the unique index (and, on PostgreSQL, the primary key) stays during the load
        assert len(dropped) < len(before)
        assert set(dropped) <= set(before)
        bulk.insert_rows(TABLE, columns, rows)
    assert index_definitions(TABLE) == before
    assert Member.objects.filter(org=tree.union_a, name="王强").count() == 300
    # the rebuilt indexes serve lookups
    found = Member.objects.filter(id_number_bidx="bidx0123").values_list("id_tail", flat=True)
    assert list(found) == ["0123"]


def test_deferred_indexes_keep_unique_constraints_and_roll_back_whole(tree: Tree) -> None:
    before = index_definitions(TABLE)
    columns, rows = member_rows(tree.union_a.pk, ["same", "other", "same"])
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        bulk.deferred_indexes(TABLE, enabled=True),
    ):
        bulk.insert_rows(TABLE, columns, rows)
    assert Member.objects.count() == 0
    assert index_definitions(TABLE) == before


def test_deferred_indexes_check_foreign_keys(tree: Tree) -> None:
    """A row naming an org that does not exist fails the load, indexes deferred or not."""
    columns, rows = member_rows(987654, ["k1"])
    with pytest.raises(IntegrityError), transaction.atomic():
        with bulk.deferred_indexes(TABLE, enabled=True):
            bulk.insert_rows(TABLE, columns, rows)
        if connection.vendor == "sqlite":
            # SQLite checks deferred foreign keys at commit; Django's test transaction never
            # commits, so ask as Django's own constraint check does
            connection.check_constraints(table_names=[TABLE])
    assert Member.objects.count() == 0


def foreign_keys(table: str) -> dict[str, str]:
    """PostgreSQL: every foreign key of ``table`` by name, with its definition."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = to_regclass(%s) AND contype = 'f'",
            [table],
        )
        return dict(cursor.fetchall())


@pytest.mark.parametrize("org_exists", [True, False])
def test_deferred_foreign_keys_come_back_and_check_every_row(tree: Tree, org_exists: bool) -> None:
    """A foreign key named in ``foreign_keys`` is dropped during the load and added again
    under its own name and definition, which checks the rows loaded: one naming an org that
    does not exist fails the load whole. SQLite ignores the option (its checks are the
    commit's)."""
    if connection.vendor != "postgresql":
        pytest.skip("foreign keys are dropped and added again on PostgreSQL only")
    before = foreign_keys(TABLE)
    org_key = [name for name, definition in before.items() if "(org_id)" in definition]
    assert len(org_key) == 1
    org_id = tree.union_a.pk if org_exists else 987654
    columns, rows = member_rows(org_id, ["k1", "k2"])
    with contextlib.ExitStack() as stack:
        if not org_exists:
            stack.enter_context(pytest.raises(IntegrityError))
        stack.enter_context(transaction.atomic())
        with bulk.deferred_indexes(TABLE, enabled=True, foreign_keys=["org_id"]):
            assert org_key[0] not in foreign_keys(TABLE)
            assert set(foreign_keys(TABLE)) == set(before) - set(org_key)
            bulk.insert_rows(TABLE, columns, rows)
        assert foreign_keys(TABLE) == before
    assert foreign_keys(TABLE) == before
    assert Member.objects.count() == (2 if org_exists else 0)


def test_load_cache_is_larger_during_a_load_and_restored(db: Any) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's page cache; PostgreSQL's shared buffers are the server's")

    def cache_size() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return int(cursor.fetchone()[0])

    before = cache_size()
    with bulk.load_cache(mib=64):
        assert cache_size() == -64 * 1024
    assert cache_size() == before


ODD_TEXTS = ["plain", "tab\there", "line\nbreak", "cr\rhere", "back\\slash", "\\N", "a\\Nb", ""]


def test_copy_text_reads_back_every_field_as_written() -> None:
    rows = [(text, bulk.NULL_TEXT, "x") for text in ODD_TEXTS]
    text, plain = bulk.copy_text(rows, nulls=len(rows))
    assert not plain  # fields needed escapes
    lines = text.split(b"\n")
    assert lines.pop() == b""  # one line per row, each ending in a newline
    assert [bulk.copy_fields(line) for line in lines] == [[t, None, "x"] for t in ODD_TEXTS]
    plain_text, plain = bulk.copy_text([("a", bulk.NULL_TEXT), ("b", "c")], nulls=1)
    assert (plain_text, plain) == (b"a\t\\N\nb\tc\n", True)
    # a field that is not text takes the escaping path, as COPY writes it
    assert bulk.copy_text([("a", 5, None)], nulls=0) == (b"a\t5\t\\N\n", False)


@pytest.mark.parametrize("escaped", [False, True])
def test_insert_copy_text_writes_the_rows_exactly(tree: Tree, escaped: bool) -> None:
    """Plain blocks and blocks with escapes, NULLs and a literal "\\N" among them, through
    ``COPY`` on PostgreSQL and ``executemany`` on SQLite: the same values come back."""
    columns, rows = member_rows(tree.union_a.pk, [f"k{i}" for i in range(len(ODD_TEXTS))])
    names = ODD_TEXTS if escaped else [f"name{i}" for i in range(len(ODD_TEXTS))]
    # the first two columns as COPY text (name and sex); the rest a constant tail
    width = 6
    text_rows = [
        (name, "M", "v1:x", row[3], row[4], bulk.NULL_TEXT if i % 2 else str(-7 * i))
        for i, (name, row) in enumerate(zip(names, rows, strict=True))
    ]
    cols = [*columns[:5], "import_hash"]
    tail = dict(zip(columns[5:], rows[0][5:], strict=True))
    del tail["import_hash"]
    block = bulk.copy_text(text_rows, nulls=len(rows) // 2)
    assert block[1] is not escaped
    with transaction.atomic():
        bulk.insert_copy_text(TABLE, cols[:width], [block, bulk.copy_text([], 0)], tail)
    got = dict(Member.objects.values_list("id_number_bidx", "name"))
    assert got == {row[3]: name for name, row in zip(names, rows, strict=True)}
    hashes = dict(Member.objects.values_list("id_number_bidx", "import_hash"))
    assert [hashes[row[3]] for row in rows] == [None if i % 2 else -7 * i for i in range(len(rows))]
    assert Member.objects.filter(org=tree.union_a, status="active").count() == len(rows)


# --- foreign keys checked once per distinct key (PostgreSQL) ---------------------------------

EVENTS = MembershipEvent._meta.db_table


def replication_role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return str(cursor.fetchone()[0])


def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the foreign keys' triggers are PostgreSQL's")


def test_keys_checked_once_load_the_rows_and_turn_the_triggers_back_on(tree: Tree) -> None:
    postgres_only()
    columns, rows = member_rows(tree.union_a.pk, ["k1", "k2"])
    with transaction.atomic():
        with bulk.keys_checked_once([TABLE]) as on:
            assert on
            assert replication_role() == "replica"
            bulk.insert_rows(TABLE, columns, rows)
        assert replication_role() == "origin"
        # the triggers check row by row again: a row naming no org fails at once
        _columns, stray = member_rows(987654, ["k3"])
        with pytest.raises(IntegrityError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            bulk.insert_rows(TABLE, columns, stray)
    assert Member.objects.count() == 2


def test_keys_checked_once_fail_the_load_naming_the_missing_key(tree: Tree) -> None:
    postgres_only()
    columns, rows = member_rows(tree.union_a.pk, ["k1"])
    _columns, stray = member_rows(987654, ["k2"])
    with (
        pytest.raises(IntegrityError, match=r"org_id\)=\(987654\)"),
        transaction.atomic(),
        bulk.keys_checked_once([TABLE]),
    ):
        bulk.insert_rows(TABLE, columns, rows + stray)
    assert Member.objects.count() == 0
    assert replication_role() == "origin"


def test_keys_checked_once_are_undone_with_a_failed_load(tree: Tree) -> None:
    """An error inside the block (a duplicate here) rolls the savepoint back: the rows and
    the switched-off triggers with them, even when the caller goes on in its transaction."""
    postgres_only()
    columns, rows = member_rows(tree.union_a.pk, ["same", "same"])
    with transaction.atomic():
        with pytest.raises(IntegrityError), bulk.keys_checked_once([TABLE]):
            bulk.insert_rows(TABLE, columns, rows)
        assert replication_role() == "origin"
    assert Member.objects.count() == 0


def test_keys_to_a_table_held_exclusively_are_checked_by_a_join(tree: Tree) -> None:
    """The join events' key to the members a load wrote (the member table held
    exclusively): every member named must exist; nothing is locked row by row."""
    postgres_only()
    member_columns, members = member_rows(tree.union_a.pk, ["k1"])
    with (
        pytest.raises(IntegrityError, match=r"member_id\)=\(987654\)"),
        transaction.atomic(),
    ):
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        bulk.insert_rows(TABLE, member_columns, members)
        member = Member.objects.values_list("pk", flat=True).get()
        with bulk.keys_checked_once([EVENTS]) as on:
            assert on
            columns = ["member_id", "org_id", "kind", "on", "note", "at"]
            now = bulk.db_literal(timezone.now())
            event = ["join", "2015-03-01", "", now]
            bulk.insert_rows(
                EVENTS,
                columns,
                [(member, tree.union_a.pk, *event), (987654, tree.union_a.pk, *event)],
            )
    assert MembershipEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_keys_checked_once_lock_what_they_name_as_the_trigger_would(tree: Tree) -> None:
    """The union the rows name is locked ``FOR KEY SHARE`` until the load commits: no one
    may delete it meanwhile (``FOR UPDATE`` is refused), anyone may still edit it."""
    postgres_only()
    columns, rows = member_rows(tree.union_a.pk, ["k1", "k2"])

    def try_lock(mode: str) -> str:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                sql = f"SELECT id FROM orgs_org WHERE id = %s FOR {mode} NOWAIT"  # noqa: S608 - a lock mode of this test's
                cursor.execute(sql, [tree.union_a.pk])
                return "locked" if cursor.fetchall() else "missing"
        except OperationalError:
            return "refused"

    with transaction.atomic():
        with bulk.keys_checked_once([TABLE]):
            bulk.insert_rows(TABLE, columns, rows)
        assert jobs.aside(lambda: try_lock("UPDATE")) == "refused"
        assert jobs.aside(lambda: try_lock("NO KEY UPDATE")) == "locked"
    assert jobs.aside(lambda: try_lock("UPDATE")) == "locked"
    assert Member.objects.count() == 2


def test_keys_checked_once_need_the_right_and_only_key_triggers(tree: Tree) -> None:
    """Off (the triggers check row by row) for a role not allowed to switch them, and for
    a table with a trigger of its own (the audit's append-only one); off on SQLite."""
    if connection.vendor != "postgresql":
        with bulk.keys_checked_once([TABLE]) as on:
            assert not on
        return
    with bulk.keys_checked_once(["core_auditentry"]) as on:
        assert not on
    role = f"gonghui_nobody_{uuid.uuid4().hex[:8]}"
    with transaction.atomic():  # the role is gone with the test's transaction
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE ROLE {role}")
            cursor.execute(f"SET LOCAL ROLE {role}")
        with bulk.keys_checked_once([TABLE]) as on:
            assert not on
            assert replication_role() == "origin"
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
