"""Field key rotation: every encrypted value of every model moved to a new key, in batches,
resumable, the old key retired only when nothing still uses it.

``rotate(new_key)`` (the command ``gonghui rotate-field-key``):

1. **switch** — the new key becomes the primary and the old one a read key
   (``core.crypto``'s ring). An installation whose keys are the data dir's files is switched by
   rewriting them (``field_key`` ← new, ``field_keys_read`` ← old): every running process
   follows within a second, writes under the new key and searches under both. An installation
   keyed by the environment must first give every process the new key in
   ``GONGHUI_FIELD_KEYS_READ`` (else they could not read moved rows); the command then moves
   the rows and asks for the environment to be switched.
2. **move** — every model's encrypted columns (found through the model fields: each
   ``EncryptedTextField``; the ``BlindIndexField``s fed by them; other keyed hashes registered
   with ``register_keyed_hash``) are read in primary-key order, ``batch_size`` rows a
   transaction: a value not under the new key is decrypted, encrypted again and its blind
   indexes recomputed; the row is written only if it still holds what was read (a concurrent
   edit wins, and the next pass takes it). Each batch records the table's last key in the
   rotation's row in the same transaction: a kill loses at most one batch of work and the
   next run resumes there.
3. **retire** — a pass over every table counts the values still under another key; at zero
   the old key is dropped from the ring (its file rewritten) and the rotation is done. Every
   step leaves an audit row (started, resumed, finished, with counts and fingerprints).

A dry run counts, per table and column, the values still to move, and writes nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from . import audit, crypto
from .fields import NORMALISERS, BlindIndexField, EncryptedTextField

# "app_label.Model" → [(column, fn(instance) → its keyed hash under the primary key)]
KEYED_HASHES: dict[str, list[tuple[str, Callable[[Any], str]]]] = {}


def register_keyed_hash(model: str, field_name: str, fn: Callable[[Any], str]) -> None:
    """A column holding a keyed hash that is not a ``BlindIndexField`` (payments' payee key):
    every row's value is recomputed by ``fn`` during a rotation."""
    KEYED_HASHES.setdefault(model, []).append((field_name, fn))


class RotationError(Exception):
    """A rotation that cannot start or go on; the message says why, in words."""


@dataclass
class Table:
    model: type[models.Model]
    encrypted: list[EncryptedTextField]
    indexes: list[BlindIndexField]  # fed by one of ``encrypted``
    keyed: list[tuple[str, Callable[[Any], str]]]

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def db_table(self) -> str:
        return self.model._meta.db_table


def tables() -> list[Table]:
    """Every concrete model with an encrypted column, found through its fields."""
    out = []
    for model in apps.get_models():
        meta = model._meta
        if not meta.managed or meta.proxy:
            continue
        encrypted = [f for f in meta.concrete_fields if isinstance(f, EncryptedTextField)]
        keyed = KEYED_HASHES.get(meta.label, [])
        if not encrypted and not keyed:
            continue
        names = {f.name for f in encrypted}
        indexes = [
            f for f in meta.concrete_fields if isinstance(f, BlindIndexField) and f.source in names
        ]
        out.append(Table(model, encrypted, indexes, keyed))
    return sorted(out, key=lambda t: t.label)


# --- counting -------------------------------------------------------------------------------


def _q(name: str | None) -> str:
    return connection.ops.quote_name(str(name))


def _stale(column: str | None) -> str:
    """SQL: the column holds a value not under the new key (parameter: its prefix + '%')."""
    return f"({_q(column)} IS NOT NULL AND {_q(column)} <> '' AND {_q(column)} NOT LIKE %s)"


def count_stale(new: crypto.Key) -> dict[str, dict[str, int]]:
    """Per table and column, the values not yet under ``new``."""
    out: dict[str, dict[str, int]] = {}
    like = new.prefix + "%"
    with connection.cursor() as cur:
        for table in tables():
            if not table.encrypted:
                continue
            parts = ", ".join(
                f"SUM(CASE WHEN {_stale(f.column)} THEN 1 ELSE 0 END)" for f in table.encrypted
            )
            cur.execute(
                f"SELECT COUNT(*), {parts} FROM {_q(table.db_table)}",  # noqa: S608 - model names
                [like] * len(table.encrypted),
            )
            row = cur.fetchone()
            out[table.label] = {"rows": int(row[0])} | {
                f.name: int(v or 0) for f, v in zip(table.encrypted, row[1:], strict=True)
            }
    return out


def total_stale(counts: dict[str, dict[str, int]]) -> int:
    return sum(v for cols in counts.values() for k, v in cols.items() if k != "rows")


# --- the key files --------------------------------------------------------------------------


def _write_secret(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _set_ring(primary: str, others: list[str]) -> None:
    """The ring of this process and, for a file-keyed installation, of every other one."""
    if settings.FIELD_KEY_FROM_FILE:
        folder = Path(settings.DATA_DIR)
        # the read keys first: a process that sees the new primary already holds the old key
        read = folder / crypto.READ_KEYS_FILE
        if others:
            _write_secret(read, "\n".join(others) + "\n")
        _write_secret(folder / crypto.KEY_FILE, primary + "\n")
        if not others:
            read.unlink(missing_ok=True)
    settings.FIELD_KEY = primary
    settings.FIELD_KEYS_READ = others
    crypto.reload_key_files(force=True)


# --- moving ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    new_kid: str
    old_kids: list[str]
    moved: int = 0
    remaining: dict[str, dict[str, int]] = field(default_factory=dict)
    retired: list[str] = field(default_factory=list)
    done: bool = False
    resumed: bool = False
    message: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "new_key": self.new_kid,
            "old_keys": self.old_kids,
            "moved": self.moved,
            "remaining": total_stale(self.remaining),
            "remaining_by_table": {
                t: {k: v for k, v in c.items() if k != "rows" and v}
                for t, c in self.remaining.items()
                if total_stale({t: c})
            },
            "retired": self.retired,
            "done": self.done,
            "resumed": self.resumed,
            "message": self.message,
        }


def _same(column: str | None) -> str:
    op = "IS NOT DISTINCT FROM" if connection.vendor == "postgresql" else "IS"
    return f"{_q(column)} {op} %s"


def _fetch(table: Table, new: crypto.Key, last: int, size: int, every: bool) -> list[Any]:
    """The next rows after ``last`` holding a value to move (``every``: all rows, for keyed
    hashes), locked until the caller's transaction ends."""
    pk = table.model._meta.pk
    assert pk is not None
    cols = [pk.column, *(f.column for f in table.encrypted)]
    where = " OR ".join(_stale(f.column) for f in table.encrypted) if not every else ""
    params_where = [new.prefix + "%"] * len(table.encrypted) if where else []
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    sql = (
        f"SELECT {', '.join(_q(c) for c in cols)} FROM {_q(table.db_table)} "  # noqa: S608
        f"WHERE {_q(pk.column)} > %s{' AND (' + where + ')' if where else ''} "
        f"ORDER BY {_q(pk.column)} LIMIT %s{lock}"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [last, *params_where, size])
        return list(cur.fetchall())


def _move_rows(table: Table, rows: list[tuple[Any, ...]], new: crypto.Key) -> int:
    """Write the rows' values under the new key (the caller's transaction); returns how many
    rows were written."""
    pk = table.model._meta.pk
    assert pk is not None
    encrypt = crypto.encryptor()
    sets = [f.column for f in table.encrypted] + [f.column for f in table.indexes]
    keyed = [name for name, _fn in table.keyed]
    sets += [table.model._meta.get_field(name).column for name in keyed]  # type: ignore[union-attr]
    sql = (
        f"UPDATE {_q(table.db_table)} SET {', '.join(f'{_q(c)} = %s' for c in sets)} "  # noqa: S608
        f"WHERE {_q(pk.column)} = %s AND " + " AND ".join(_same(f.column) for f in table.encrypted)
    )
    instances = table.model._default_manager.in_bulk([r[0] for r in rows]) if table.keyed else {}
    written = 0
    with connection.cursor() as cur:
        for row in rows:
            key, stored = row[0], row[1:]
            plain = [crypto.decrypt(v) if v else v for v in stored]
            values: list[Any] = [encrypt(p) if p else p for p in plain]
            by_name = {f.name: p for f, p in zip(table.encrypted, plain, strict=True)}
            for index in table.indexes:
                source = by_name.get(index.source) or ""
                normalise = NORMALISERS.get(index.purpose, lambda v: v.strip())
                values.append(
                    crypto.blind_index(normalise(source), purpose=index.purpose) if source else ""
                )
            obj = instances.get(key)
            for _name, fn in table.keyed:
                values.append(str(fn(obj)) if obj is not None else "")
            cur.execute(sql, [*values, key, *stored])
            written += cur.rowcount
    return written


def _audit(rotation: Any, action: str, changes: dict[str, Any], note: str = "") -> None:
    audit.record(
        actor=None,
        action=action,
        object_type="fieldkey",
        object_id=rotation.pk,
        object_repr=f"{rotation.old_kids} → {rotation.new_kid}",
        changes=changes,
        note=note,
    )


def rotate(
    new_key: str,
    *,
    batch_size: int = 1000,
    pause: float = 0.0,
    say: Callable[[str], None] = lambda _s: None,
    settle: float = 2.0,
) -> Outcome:
    from .models import FieldKeyRotation, RotationState

    new = crypto.parse_key(new_key)
    ring = crypto.ring()
    if settings.FIELD_KEY_FROM_FILE or ring.primary.kid == new.kid:
        pass
    elif ring.by_kid(new.kid) is None:
        raise RotationError(
            "本安装的密钥来自环境变量：请先把新密钥加入每个进程的 GONGHUI_FIELD_KEYS_READ 并重启"
            "（它们才能读出已换成新密钥的记录），再运行本命令"
        )
    old = [k for k in ring.all if k.kid != new.kid]
    switched = ring.primary.kid != new.kid
    if switched:
        _set_ring(new.secret, [k.secret for k in old])
        say(f"新密钥 {new.kid} 已成为主密钥，旧密钥 {', '.join(k.kid for k in old)} 仍可读")
    outcome = Outcome(new.kid, [k.kid for k in old])
    with transaction.atomic():
        rotation = (
            FieldKeyRotation.objects.select_for_update()
            .filter(new_kid=new.kid, state=RotationState.RUNNING)
            .first()
        )
        if rotation is None:
            rotation = FieldKeyRotation.objects.create(
                new_kid=new.kid, old_kids=",".join(k.kid for k in old)
            )
            counts = count_stale(new)
            _audit(
                rotation,
                "fieldkey.rotate_start",
                {"remaining": total_stale(counts)},
                note=f"{','.join(k.kid for k in old)} → {new.kid}",
            )
        else:
            outcome.resumed = True
            _audit(
                rotation,
                "fieldkey.rotate_resume",
                {"moved": rotation.moved},
                note=f"{rotation.old_kids} → {new.kid}",
            )
        rotation.runs += 1
        rotation.save(update_fields=["runs", "updated_at"])
    started = time.monotonic()
    for _attempt in range(3):
        moved = _one_pass(rotation, new, batch_size, pause, say)
        outcome.moved += moved
        # a write that began under the old key before every process switched lands within
        # a second or two: count after that
        time.sleep(max(0.0, settle - (time.monotonic() - started)))
        outcome.remaining = count_stale(new)
        if not total_stale(outcome.remaining):
            break
        with transaction.atomic():
            rotation.progress = {}
            rotation.passes += 1
            rotation.save(update_fields=["progress", "passes", "updated_at"])
    if total_stale(outcome.remaining):
        outcome.message = (
            f"仍有 {total_stale(outcome.remaining)} 个值在旧密钥下（有进程还在用旧密钥写入）："
            "旧密钥保留；请确认每个进程都已换用新密钥后再运行一次"
        )
        return outcome
    if not settings.FIELD_KEY_FROM_FILE and os.environ.get("GONGHUI_FIELD_KEY", "").strip() != (
        new.secret
    ):
        outcome.message = (
            "记录已全部换成新密钥。请把每个进程的 GONGHUI_FIELD_KEY 换成新密钥、"
            "GONGHUI_FIELD_KEYS_READ 换成旧密钥并重启，再运行一次本命令：它会补上这期间"
            "用旧密钥写入的记录，然后退役旧密钥"
        )
        return outcome
    retired = [k.kid for k in crypto.ring().others]
    _set_ring(new.secret, [])
    with transaction.atomic():
        rotation.state = RotationState.DONE
        rotation.finished_at = timezone.now()
        rotation.save(update_fields=["state", "finished_at", "updated_at"])
        _audit(
            rotation,
            "fieldkey.rotate_finish",
            {"moved": rotation.moved, "retired": ",".join(retired)},
            note=f"{rotation.old_kids} → {new.kid}",
        )
    outcome.retired, outcome.done = retired, True
    if not settings.FIELD_KEY_FROM_FILE:
        outcome.message = "旧密钥已不再使用：可从每个进程的 GONGHUI_FIELD_KEYS_READ 中删去"
    else:
        outcome.message = "旧密钥已不再使用，已从数据目录的密钥文件中删去"
    return outcome


def _one_pass(rotation: Any, new: crypto.Key, size: int, pause: float, say: Any) -> int:
    moved = 0
    for table in tables():
        last = int(rotation.progress.get(table.label, 0))
        every = bool(table.keyed) and rotation.passes == 0
        while True:
            with transaction.atomic():
                rows = _fetch(table, new, last, size, every)
                if not rows:
                    break
                written = _move_rows(table, rows, new)
                last = rows[-1][0]
                rotation.progress = {**rotation.progress, table.label: last}
                rotation.moved += written
                rotation.save(update_fields=["progress", "moved", "updated_at"])
            moved += written
            say(f"{table.label}：至 #{last}，本批 {written} 行")
            if pause:
                time.sleep(pause)  # outside the transaction: nobody waits on it
    return moved


def dry_run(new_key: str) -> dict[str, dict[str, int]]:
    return count_stale(crypto.parse_key(new_key))
