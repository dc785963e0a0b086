"""Set-based writes for imports: many rows, one statement stream, no model instance per row.

``insert_rows`` takes tuples already in database form (strings for dates and times, ``None``
for NULL) and writes them with ``COPY ... FROM STDIN`` on PostgreSQL and ``executemany`` on
SQLite. ``db_literal`` turns one Python value into that form for the current backend.
``deferred_indexes`` drops a table's secondary indexes for a large load and builds them again
at the end, inside the caller's transaction; ``keys_checked_once`` checks a large load's
foreign keys once per distinct key instead of by a trigger per row (PostgreSQL).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from itertools import repeat
from typing import Any

from django.db import IntegrityError, connection, models, transaction

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


# --- rows as COPY text, prepared elsewhere (an import's worker processes) ---------------------

NULL_TEXT = "\\N"  # COPY's NULL; ``copy_text`` callers put this very object for a NULL


def copy_text(rows: Sequence[Sequence[Any]], nulls: int) -> tuple[bytes, bool]:
    """``rows`` (fields as text, ``NULL_TEXT`` for NULL — ``nulls`` of them in all) as
    ``COPY ... FROM STDIN`` text, one line per row ending in a newline, and whether the text
    is *plain*: no field needed an escape, so every backslash in it is a whole-field NULL.
    The common case costs one ``join``; a field that is not text or holds a tab, a newline,
    a carriage return or a backslash sends the rows through the escaping path. Read back
    with ``insert_copy_text`` (or ``copy_fields`` for one line)."""
    if not rows:
        return b"", True
    width = len(rows[0])
    try:
        text = "\n".join(map("\t".join, rows))
    except TypeError:  # a field that is not text
        text = ""
    if (
        text
        and text.count("\t") == len(rows) * (width - 1)
        and text.count("\n") == len(rows) - 1
        and text.count("\\") == nulls
        and "\r" not in text
    ):
        return (text + "\n").encode(), True
    lines = ("\t".join(v if v is NULL_TEXT else _copy_field(v) for v in row) for row in rows)
    return ("\n".join(lines) + "\n").encode(), False


_UNESCAPE = {"t": "\t", "n": "\n", "r": "\r"}


def _copy_unescape(field: str) -> str | None:
    if field == NULL_TEXT:
        return None
    if "\\" not in field:
        return field
    out, i = [], 0
    while i < len(field):
        char = field[i]
        if char == "\\" and i + 1 < len(field):
            i += 1
            char = _UNESCAPE.get(field[i], field[i])
        out.append(char)
        i += 1
    return "".join(out)


def copy_fields(line: bytes | str) -> list[str | None]:
    """One line of ``copy_text`` back as its fields (text or None)."""
    text = line.decode() if isinstance(line, bytes) else line
    return [_copy_unescape(f) for f in text.split("\t")]


def insert_copy_text(
    table: str,
    columns: Sequence[str],
    blocks: Iterable[tuple[bytes, bool]],
    tail: dict[str, Any],
) -> None:
    """Insert rows given as ``copy_text`` blocks (``(text, plain)``; the lines' fields in
    ``columns`` order), each row completed by the constant ``tail`` (column → value in
    database form). PostgreSQL: the text goes to ``COPY`` as it is, the tail added to each
    line by one ``replace`` per block — no Python per row. SQLite: a plain block is split by
    ``str.split`` (C) and bound as text, ``NULLIF(?, '\\N')`` making NULLs (the column
    affinity turns digits into integers); a block with escapes is decoded field by field."""
    qn = connection.ops.quote_name
    names = [*columns, *tail]
    cols = ", ".join(qn(c) for c in names)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if is_postgres():
            suffix = "".join("\t" + _copy_field(v) for v in tail.values()).encode() + b"\n"
            raw = cursor.cursor
            with raw.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
                for text, _plain in blocks:
                    copy.write(text.replace(b"\n", suffix))
            return
        rest = ", ".join(["?"] * len(tail))
        plain_sql = (
            f"INSERT INTO {qn(table)} ({cols}) VALUES ("  # noqa: S608 - names from the model's meta, quoted; values are parameters
            + ", ".join(["NULLIF(?, '\\N')"] * len(columns))
            + (f", {rest}" if tail else "")
            + ")"
        )
        escaped_sql = f"INSERT INTO {qn(table)} ({cols}) VALUES ({', '.join(['?'] * len(names))})"  # noqa: S608 - names from the model's meta, quoted; values are parameters
        extra = list(tail.values())
        for text, plain in blocks:
            lines = text.decode().split("\n")
            lines.pop()  # the text ends with a newline
            if plain:
                fields: Iterable[list[Any]] = map(str.split, lines, repeat("\t"))
                sql = plain_sql
            else:
                fields = map(copy_fields, lines)
                sql = escaped_sql
            sqlite3.Cursor.executemany(cursor.cursor, sql, map(list.__add__, fields, repeat(extra)))


@contextmanager
def deferred_indexes(
    table: str, *, enabled: bool, foreign_keys: Sequence[str] = ()
) -> Iterator[None]:
    """Drop ``table``'s secondary indexes and create them again on exit.

    Building an index by sorting is several times faster than inserting a million rows into
    a dozen B-trees one by one. Use it inside the load's transaction and only when the load
    is large against the table. Unique indexes and constraints stay, so duplicates still fail
    the load. On SQLite readers keep seeing the old snapshot (WAL); on PostgreSQL
    ``DROP INDEX`` holds the table's exclusive lock until the transaction commits, so readers
    of the table wait for the load: that is why the caller keeps this for loads larger than
    the table (a first roster, a migration).

    ``foreign_keys`` (PostgreSQL; columns of ``table``): their constraints are dropped too
    and added again at the end, which checks every row by one join instead of a trigger per
    row — a million join events checked against the members just written: 8 s of row
    locks, under a second as a join. Adding a foreign key locks the table it references
    against writes until the commit: name only columns that reference a table the load
    already holds (the members it wrote), never a table others write to (users, orgs)."""
    if not enabled:
        yield
        return
    qn = connection.ops.quote_name
    keys: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        if is_postgres():
            if foreign_keys:
                _run_queued_checks(cursor)  # a constraint with checks queued cannot be dropped
                cursor.execute(
                    "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                    "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
                    "WHERE c.conrelid = to_regclass(%s) AND c.contype = 'f' "
                    "AND cardinality(c.conkey) = 1 AND a.attname = ANY(%s)",
                    [qn(table), list(foreign_keys)],
                )
                keys = cursor.fetchall()
                for name, _definition in keys:
                    cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
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
            _run_queued_checks(cursor)
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, sql in indexes:
            cursor.execute(sql)
        for name, definition in keys:
            # the definition as PostgreSQL printed it, under its own name (migrations know it)
            cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")


@contextmanager
def keys_checked_once(tables: Sequence[str]) -> Iterator[bool]:
    """PostgreSQL, around a large load into ``tables``: their foreign keys checked once per
    distinct key at the end, instead of by a trigger per row. Yields whether it is on.

    PostgreSQL checks a foreign key by a trigger on every row inserted — a query planned,
    an executor started and stopped, the referenced row locked — even when every row of a
    roster names the same union: at a million members and their join events a third of the
    server's work. Inside this block the session's triggers are off
    (``session_replication_role = replica``, inside a savepoint: an error or a cancel undoes
    it with the rows); on a normal exit each single-column foreign key of each table is
    checked over the rows written since the entry (``id`` above the largest at entry): the
    distinct keys they name are locked ``FOR KEY SHARE``, as the trigger would have locked
    them — not for a table this transaction holds exclusively, whose rows nobody else can
    remove — and a key that does not exist fails the load with ``IntegrityError`` naming
    the constraint, the row's column and its value. Then the triggers are on again, before
    anything else the transaction writes.

    On only when every trigger of ``tables`` is a foreign key's (nothing else would be
    skipped) and the session may switch: a superuser, or since PostgreSQL 15 a role granted
    ``SET ON PARAMETER session_replication_role``. Otherwise (and on SQLite) nothing
    changes: the triggers check row by row as always. Inside the block write only new
    rows of ``tables`` (no updates or deletes, no other table)."""
    if not is_postgres() or not tables or not _may_switch_triggers(tables):
        yield False
        return
    qn = connection.ops.quote_name
    watermarks = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            previous = cursor.fetchone()[0]
            for table in tables:
                cursor.execute(f"SELECT coalesce(max(id), 0) FROM {qn(table)}")  # noqa: S608 - a quoted table name
                watermarks.append(cursor.fetchone()[0])
            cursor.execute("SET LOCAL session_replication_role = replica")
        yield True
        with connection.cursor() as cursor:
            for table, watermark in zip(tables, watermarks, strict=True):
                _check_keys_since(cursor, table, watermark)
            cursor.execute("SELECT set_config('session_replication_role', %s, true)", [previous])


def _may_switch_triggers(tables: Sequence[str]) -> bool:
    """Whether ``keys_checked_once`` may switch the triggers of ``tables`` off: this role may,
    and they have no trigger but the foreign keys' (``RI_FKey_…``, which it replaces)."""
    with connection.cursor() as cursor:
        if getattr(connection, "pg_version", 0) >= 150000:
            cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        else:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgrelid = ANY(%s::regclass[]) AND p.proname NOT LIKE 'RI\\_FKey\\_%%'",
            [[connection.ops.quote_name(t) for t in tables]],
        )
        return cursor.fetchone()[0] == 0


def _check_keys_since(cursor: Any, table: str, watermark: int) -> None:
    """``table``'s foreign keys over its rows above ``watermark`` (see ``keys_checked_once``)."""
    qn = connection.ops.quote_name
    cursor.execute(
        "SELECT c.conname, a.attname, c.confrelid::regclass::text, r.attname, "
        "EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = pg_backend_pid() "
        "AND l.locktype = 'relation' AND l.relation = c.confrelid "
        "AND l.mode = 'AccessExclusiveLock' AND l.granted) "
        "FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = c.confkey[1] "
        "WHERE c.conrelid = to_regclass(%s) AND c.contype = 'f' ORDER BY c.conname",
        [qn(table)],
    )
    keys = cursor.fetchall()
    shared = [key for key in keys if not key[4]]
    if shared:  # the distinct keys of every column by one pass over the new rows
        aggregates = ", ".join(
            f"array_agg(DISTINCT {qn(column)}) FILTER (WHERE {qn(column)} IS NOT NULL)"
            for _name, column, *_rest in shared
        )
        cursor.execute(f"SELECT {aggregates} FROM {qn(table)} WHERE id > %s", [watermark])  # noqa: S608 - quoted names from the catalog; values are parameters
        named = cursor.fetchone()
        for (name, column, target, target_column, _held), values in zip(shared, named, strict=True):
            if not values:
                continue
            cursor.execute(
                f"SELECT {qn(target_column)} FROM {target} WHERE {qn(target_column)} = ANY(%s) "  # noqa: S608 - quoted names from the catalog; values are parameters
                f"FOR KEY SHARE",
                [values],
            )
            missing = set(values).difference(row[0] for row in cursor.fetchall())
            if missing:
                _missing_key(table, name, column, target, min(missing))
    for name, column, target, target_column, held in keys:
        if not held:
            continue
        cursor.execute(
            f"SELECT k.{qn(column)} FROM {qn(table)} k WHERE k.id > %s "  # noqa: S608 - quoted names from the catalog; values are parameters
            f"AND k.{qn(column)} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {target} t WHERE t.{qn(target_column)} = k.{qn(column)}) LIMIT 1",
            [watermark],
        )
        row = cursor.fetchone()
        if row is not None:
            _missing_key(table, name, column, target, row[0])


def _missing_key(table: str, constraint: str, column: str, target: str, value: Any) -> None:
    raise IntegrityError(
        f'insert or update on table "{table}" violates foreign key constraint "{constraint}"\n'
        f'DETAIL:  Key ({column})=({value}) is not present in table "{target}".'
    )


def _run_queued_checks(cursor: Any) -> None:
    """PostgreSQL: run the transaction's deferred constraint checks queued so far, now."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


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
