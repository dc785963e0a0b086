"""Set-based writes for imports: many rows, one statement stream, no model instance per row.

``insert_rows`` takes tuples already in database form (strings for dates and times, ``None``
for NULL) and writes them with ``COPY ... FROM STDIN`` on PostgreSQL and ``executemany`` on
SQLite. ``db_literal`` turns one Python value into that form for the current backend.
``deferred_indexes`` drops a table's secondary indexes for a large load and builds them again
at the end, inside the caller's transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from django.db import connection, models

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def db_literal(value: Any) -> Any:
    """A value as ``insert_rows`` wants it: dates ISO, aware datetimes in Django's storage
    form (UTC text on SQLite), everything else unchanged."""
    if isinstance(value, datetime):
        if is_postgres():
            return value.isoformat()
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return value if is_postgres() else int(value)
    return value


def column_defaults(model: type[models.Model], skip: Iterable[str]) -> dict[str, Any]:
    """Database form of each concrete column's default, for the columns an import does not
    fill (``skip`` lists those it does, by column name). Keeps raw inserts correct when the
    model gains a column."""
    skipped = set(skip)
    out: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column is None or field.column in skipped:
            continue
        default = None if field.null and not field.has_default() else field.get_default()
        out[field.column] = db_literal(default)
    return out


def _copy_field(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    text = value if isinstance(value, str) else str(value)
    return text.translate(_COPY_ESCAPES) if ("\\" in text or "\t" in text or "\n" in text
                                             or "\r" in text) else text  # fmt: skip


def _copy_lines(rows: Iterable[Sequence[Any]], batch: int = 2000) -> Iterator[bytes]:
    lines: list[str] = []
    for row in rows:
        lines.append("\t".join(map(_copy_field, row)))
        if len(lines) >= batch:
            yield ("\n".join(lines) + "\n").encode()
            lines.clear()
    if lines:
        yield ("\n".join(lines) + "\n").encode()


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert ``rows`` (tuples in ``columns`` order, database form) into ``table``."""
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    # the raw cursors below raise the driver's own errors: make them Django's IntegrityError …
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if is_postgres():
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
                for block in _copy_lines(rows):
                    copy.write(block)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {qn(table)} ({cols}) VALUES ({marks})"  # noqa: S608 - names from the model's meta, quoted; values are parameters
            # sqlite3's own executemany, called past Django's wrapper: the wrapper peeks at the
            # rows through itertools.tee and so keeps every row of a generator in memory
            sqlite3.Cursor.executemany(cursor.cursor, sql.replace("%s", "?"), rows)


@contextmanager
def deferred_indexes(table: str, *, enabled: bool) -> Iterator[None]:
    """Drop ``table``'s secondary indexes and create them again on exit.

    Building an index by sorting is several times faster than inserting a million rows into
    a dozen B-trees one by one. Use it inside the load's transaction and only when the load
    is large against the table. Unique indexes and constraints stay, so duplicates still fail
    the load. On SQLite readers keep seeing the old snapshot (WAL); on PostgreSQL
    ``DROP INDEX`` holds the table's exclusive lock until the transaction commits, so readers
    of the table wait for the load: that is why the caller keeps this for loads larger than
    the table (a first roster, a migration)."""
    if not enabled:
        yield
        return
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(ix.indexrelid) FROM pg_index ix "
                "JOIN pg_class i ON i.oid = ix.indexrelid "
                "WHERE ix.indrelid = to_regclass(%s) AND NOT ix.indisunique "
                "AND NOT ix.indisprimary AND NOT ix.indisexclusion",
                [qn(table)],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {qn(name)}")
    yield
    with connection.cursor() as cursor:
        if is_postgres():
            # the load's deferred foreign-key checks must run before an index can be built
            # ("pending trigger events"); the sort of each build in memory (the default
            # 64 MB spills a million rows to disk)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, sql in indexes:
            cursor.execute(sql)


@contextmanager
def load_cache(mib: int = 64) -> Iterator[None]:
    """A larger SQLite page cache while rows are inserted (the connection's default is 2 MB):
    inserting a million rows into a unique index in random key order then mostly finds its
    pages in memory, about twice as fast. Restored on exit, before any index is built: a
    ``CREATE INDEX`` of a million rows is a third slower with the large cache (measured:
    8.5 s with 2 MB, 12.5 s with 64 MB for the member table's eleven indexes). PostgreSQL:
    nothing to do."""
    if is_postgres():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        row = cursor.fetchone()
        previous = int(row[0]) if row else -2000
        cursor.execute(f"PRAGMA cache_size = {-1024 * int(mib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


def analyze(model: type[models.Model]) -> None:
    """Refresh the planner's statistics of a table after a large load, so that the first
    searches after it do not run on the plan of an empty table. On PostgreSQL, outside a
    transaction, VACUUM too: it marks the new pages all-visible, which is what lets the
    report's counts be index-only scans instead of a million heap visits (autovacuum would
    do it later; the first reports after an import should not wait for it)."""
    table = connection.ops.quote_name(model._meta.db_table)
    vacuum = is_postgres() and not connection.in_atomic_block
    with connection.cursor() as cursor:
        if not is_postgres():
            # sample each index (as PostgreSQL does) instead of reading all of it: seconds
            # less at a million rows, and the planner needs only the proportions
            cursor.execute("PRAGMA analysis_limit = 1000")
        cursor.execute(f"{'VACUUM ' if vacuum else ''}ANALYZE {table}")  # noqa: S608 - a quoted table name


def table_count_estimate(model: type[models.Model]) -> int:
    """A cheap row count: PostgreSQL's planner estimate, SQLite's max(id) (no full scan)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            row = cursor.fetchone()
            return max(0, int(row[0])) if row else 0
        cursor.execute(f"SELECT max(id) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from the model's meta, quoted; values are parameters
        row = cursor.fetchone()
        return int(row[0] or 0) if row else 0
