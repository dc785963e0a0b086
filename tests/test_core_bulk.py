"""Set-based writes (``core.bulk``): a load with its indexes deferred ends with the same indexes,
keeps unique constraints and foreign keys, and is undone whole on failure."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from gonghui.core import bulk
from gonghui.members.models import Member

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
