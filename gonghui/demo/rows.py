"""Set-based writes for the demo loaders: rows as dicts, inserted with a few statements.

A loader that creates thousands of records computes them in Python — the same values, events
and audit rows the services would write, decided by the same rules — and hands them here as
``{attname: value}`` dicts. ``insert`` fills what a dict leaves out with the field's default,
prepares each value as the field would (ciphertext for an encrypted field, a blind index from
its source, JSON as text, dates in the database's form) and writes through
``core.bulk.insert_rows`` (``executemany`` on SQLite, ``COPY`` on PostgreSQL). Model
instances, ``save`` and per-value field machinery are what made the demo slow; none are used.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

from gonghui.core import bulk
from gonghui.core.fields import BlindIndexField, EncryptedTextField, blind_index_for

# Field classes whose value goes to the database as it is (exact classes: a subclass such as
# an encrypted field prepares its own).
_AS_IS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
    models.ForeignKey,
    models.OneToOneField,
    models.AutoField,
    models.BigAutoField,
)


def _preparer(field: models.Field[Any, Any]) -> Callable[[dict[str, Any]], Any]:
    """How one column's value is read from a row dict, in the database's form."""
    attname = field.attname
    kind = type(field)
    if isinstance(field, BlindIndexField):
        source, purpose = field.source, field.purpose

        def blind(row: dict[str, Any]) -> Any:
            if row.get(attname):  # computed already (to look the person up)
                return row[attname]
            plain = row.get(source) or ""
            return blind_index_for(purpose, plain) if plain else ""

        return blind
    if isinstance(field, EncryptedTextField):
        default = field.get_default()

        def encrypted(row: dict[str, Any]) -> Any:
            value = row.get(attname, default)
            return field.get_prep_value(value)

        return encrypted
    default = field.get_default() if field.has_default() or not field.null else None
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        default = timezone.now()  # what ``pre_save`` would stamp, once for the whole load
    if kind in _AS_IS:
        return lambda row: row.get(attname, default)
    if kind is models.BooleanField:
        return lambda row: bulk.db_literal(row.get(attname, default))
    if kind is models.DateField or kind is models.DateTimeField:
        return lambda row: _literal(row.get(attname, default))
    if isinstance(field, models.JSONField):
        encoder = field.encoder

        def as_json(row: dict[str, Any]) -> Any:
            value = row.get(attname, default)
            return None if value is None else json.dumps(value, cls=encoder)

        return as_json
    return lambda row: field.get_db_prep_save(row.get(attname, default), connection)


def _literal(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return bulk.db_literal(value)
    return value


def next_id(model: type[models.Model]) -> int:
    """The id after the table's largest (the demo loads in one transaction, alone)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - model name
        return int(cursor.fetchone()[0]) + 1


def insert(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` and return their ids, in order. Rows that carry ``id`` keep it (then
    every row must, and PostgreSQL's sequence is moved past them); others are numbered by the
    database above the table's largest id."""
    rows = list(rows)
    if not rows:
        return []
    explicit = "id" in rows[0]
    fields = [
        f
        for f in model._meta.concrete_fields
        if f.column is not None and (explicit or not f.primary_key)
    ]
    prepare = [_preparer(f) for f in fields]
    start = 0 if explicit else next_id(model)
    bulk.insert_rows(
        model._meta.db_table,
        [str(f.column) for f in fields],
        ([p(row) for p in prepare] for row in rows),
    )
    table = connection.ops.quote_name(model._meta.db_table)
    if explicit:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
                    cursor.execute(sql)
        return [int(row["id"]) for row in rows]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE id >= %s ORDER BY id", [start])  # noqa: S608
        ids = [int(r[0]) for r in cursor.fetchall()]
    if len(ids) != len(rows):
        raise RuntimeError(f"{model.__name__}: inserted {len(rows)} rows, found {len(ids)}")
    return ids
