"""The tamper-evident audit log: row digests, sealed blocks chained by hash, the database's
own refusal to rewrite history, verification and archiving.

- Every row carries ``digest``, the sha256 of its content, written with it.
- The worker seals the log every few minutes into ``AuditSeal`` blocks: a block holds every
  row with ``starts_at <= at < ends_at`` in ``(at, id)`` order and its hash is
  ``sha256(previous block's hash, then each row's id and content)``. Writers never wait for a
  chain head: a block is sealed only up to the start of the oldest transaction still open
  (PostgreSQL) or under the write lock (SQLite), less a margin, so no row can still arrive in it.
- ``verify`` walks the blocks and names the first broken link: a row changed (its digest, or
  the block's hash, no longer matches), removed or slipped in (the block's count or hash).
- The database refuses UPDATE and DELETE of audit rows and seals (SQLite triggers, which
  this module installs after every ``migrate``; PostgreSQL triggers, which also refuse
  TRUNCATE); the runtime role of a PostgreSQL deployment is granted INSERT and SELECT only
  on them (``runtime_grants``). ``unlocked`` lifts the triggers for the two writers that may
  remove rows: ``flush`` (tests) and ``archive``.
"""

from __future__ import annotations

import contextvars
import gzip
import hashlib
import ipaddress
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction
from django.utils import timezone

GENESIS = "0" * 64
# the columns a row's digest covers, in this order (``id`` is added by the block hash)
CONTENT = (
    "at",
    "actor_id",
    "actor_name",
    "org_id",
    "object_org_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "note",
    "ip",
)
BLOCK_ROWS = 20_000  # most rows in one block: sealing and verifying stay bounded in memory

_unlocked: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_unlocked", default=False)


# --- content and digests ------------------------------------------------------------------


def _at(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _ip(value: str | None) -> str | None:
    return str(ipaddress.ip_address(value)) if value else None


def canonical(values: dict[str, Any]) -> bytes:
    """One row's content as bytes, the same before it is written and after it is read back
    from either database (JSON round-trips through text; times in UTC to the microsecond)."""
    changes = json.loads(json.dumps(values.get("changes") or {}))
    out = [
        _at(values["at"]),
        values.get("actor_id"),
        values.get("actor_name") or "",
        values.get("org_id"),
        values.get("object_org_id"),
        values.get("action") or "",
        values.get("object_type") or "",
        values.get("object_id") or "",
        values.get("object_repr") or "",
        changes,
        values.get("note") or "",
        _ip(values.get("ip")),
    ]
    return json.dumps(out, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def row_digest(entry: Any) -> str:
    return hashlib.sha256(canonical({k: getattr(entry, k) for k in CONTENT})).hexdigest()


def _rows(qs: Any) -> Iterator[dict[str, Any]]:
    yield from qs.order_by("at", "id").values("id", "digest", *CONTENT).iterator(chunk_size=2000)


def _block_hash(
    prev: str, rows: Iterable[dict[str, Any]], problems: list[str] | None = None
) -> tuple[str, int, int | None, int | None]:
    h = hashlib.sha256(prev.encode())
    count, first, last = 0, None, None
    for row in rows:
        content = canonical(row)
        if (
            problems is not None
            and row["digest"]
            and row["digest"] != hashlib.sha256(content).hexdigest()
        ):
            problems.append(
                f"第 {row['id']} 条审计记录（{_local(row['at'])}，{row['action']}）已被改动"
            )
        h.update(f"{row['id']}\t".encode())
        h.update(content)
        h.update(b"\n")
        count += 1
        first = row["id"] if first is None else min(first, row["id"])
        last = row["id"] if last is None else max(last, row["id"])
    return h.hexdigest(), count, first, last


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


# --- sealing ------------------------------------------------------------------------------


def _safe_until(margin: timedelta) -> datetime:
    """The time before which no row can still arrive: the oldest open transaction's start
    (PostgreSQL) or now (SQLite: the seal holds the write lock), less ``margin`` for the
    clocks of the web processes."""
    conn = default_connection
    if conn.vendor == "postgresql":
        with conn.cursor() as cur:
            cur.execute(
                "SELECT LEAST(clock_timestamp(), COALESCE((SELECT min(xact_start) "
                "FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL), clock_timestamp()))"
            )
            (until,) = cur.fetchone()
        return until - margin
    return timezone.now() - margin


def seal_block(*, margin: timedelta | None = None, upto: datetime | None = None) -> Any:
    """Seal the next block, if rows are waiting for one; returns it (or ``None``). ``upto``
    ends the block earlier than it could (a block per day when sealing a backlog)."""
    from .models import AuditEntry, AuditSeal

    margin = timedelta(seconds=settings.AUDIT_SEAL_MARGIN_SECONDS) if margin is None else margin
    with transaction.atomic():
        if default_connection.vendor == "postgresql":
            # one sealer at a time: a transaction-scoped advisory lock
            with default_connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(8015721)")
        last = AuditSeal.objects.order_by("-number").first()
        until = _safe_until(margin)
        if upto is not None:
            until = min(until, upto)
        start = last.ends_at if last is not None else None
        qs = AuditEntry.objects.filter(at__lt=until)
        if start is not None:
            qs = qs.filter(at__gte=start)
        cutoff = qs.order_by("at", "id").values_list("at", flat=True)[BLOCK_ROWS : BLOCK_ROWS + 1]
        if cutoff and (start is None or cutoff[0] > start):
            until = cutoff[0]
            qs = qs.filter(at__lt=until)
        if start is None:
            first = qs.order_by("at").values_list("at", flat=True).first()
            if first is None:
                return None
            start = first
        prev = last.hash if last is not None else GENESIS
        digest, count, first_id, last_id = _block_hash(prev, _rows(qs))
        if not count:
            return None
        return AuditSeal.objects.create(
            number=(last.number + 1) if last is not None else 1,
            starts_at=start,
            ends_at=until,
            rows=count,
            first_id=first_id,
            last_id=last_id,
            prev_hash=prev,
            hash=digest,
        )


def seal(*, margin: timedelta | None = None, upto: datetime | None = None) -> int:
    """Seal every block that can be sealed; returns how many."""
    n = 0
    while seal_block(margin=margin, upto=upto) is not None:
        n += 1
    return n


# --- verification -------------------------------------------------------------------------


@dataclass
class Report:
    blocks: int = 0
    rows: int = 0
    archived_blocks: int = 0
    unsealed: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def text(self) -> str:
        if self.ok:
            return (
                f"审计链完整：{self.blocks} 个区块（其中已归档 {self.archived_blocks} 个），"
                f"{self.rows} 条记录已核对，{self.unsealed} 条尚未封存；"
                f"最新区块哈希 {self.head}"
            )
        return "审计链断裂：" + self.problems[0]


def verify() -> Report:
    """Walk every block in order; the first problem found is the first broken link."""
    from .models import AuditArchive, AuditEntry, AuditSeal

    report = Report()
    archived = AuditArchive.objects.order_by("-upto_number").first()
    archived_upto = archived.upto_number if archived is not None else 0
    prev, first_open = GENESIS, None
    for block in AuditSeal.objects.order_by("number").iterator():
        report.blocks += 1
        if block.number != report.blocks:
            report.problems.append(f"缺少第 {report.blocks} 号区块")
            return report
        if block.prev_hash != prev:
            report.problems.append(f"第 {block.number} 号区块与上一区块的链接不符")
            return report
        prev = block.hash
        if block.number <= archived_upto:
            report.archived_blocks += 1
            continue
        if first_open is None:
            first_open = block
        rows = AuditEntry.objects.filter(at__gte=block.starts_at, at__lt=block.ends_at)
        problems: list[str] = []
        digest, count, _, _ = _block_hash(block.prev_hash, _rows(rows), problems)
        if problems:
            report.problems.append(problems[0])
            return report
        if count != block.rows or digest != block.hash:
            report.problems.append(
                f"第 {block.number} 号区块（{_local(block.starts_at)} 至 {_local(block.ends_at)}）"
                f"不符：封存 {block.rows} 条，现有 {count} 条"
                + ("" if count != block.rows else "，内容已被改动")
            )
            return report
        report.rows += count
    report.head = prev
    floor = (
        first_open.starts_at
        if first_open is not None
        else (archived.ends_at if archived is not None else None)
    )
    if floor is not None:
        early = AuditEntry.objects.filter(at__lt=floor).order_by("at", "id").first()
        if early is not None:
            report.problems.append(
                f"第 {early.pk} 条审计记录（{_local(early.at)}）不在任何封存区块中，是事后插入的"
            )
            return report
    last = AuditSeal.objects.order_by("-number").first()
    tail = AuditEntry.objects.all()
    if last is not None:
        tail = tail.filter(at__gte=last.ends_at)
    # rows not yet sealed: their own digests at least
    for row in _rows(tail):
        report.unsealed += 1
        if row["digest"] and row["digest"] != hashlib.sha256(canonical(row)).hexdigest():
            report.problems.append(
                f"第 {row['id']} 条审计记录（{_local(row['at'])}，{row['action']}）已被改动"
            )
            return report
    return report


# --- archiving ----------------------------------------------------------------------------


def archive(*, before: datetime, output: Path) -> dict[str, Any]:
    """Move the sealed blocks ending on or before ``before`` (at least the retention old) to
    a gzip JSON-lines file, verified first; the seals stay, so the chain still verifies and
    the file verifies against them (``verify_archive``)."""
    from .models import AuditArchive, AuditEntry, AuditSeal

    keep = timedelta(days=settings.AUDIT_RETENTION_DAYS)
    if before > timezone.now() - keep:
        raise ValueError(f"审计记录至少保留 {settings.AUDIT_RETENTION_DAYS} 天")
    report = verify()
    if not report.ok:
        raise ValueError(report.text())
    done = AuditArchive.objects.order_by("-upto_number").first()
    blocks = list(
        AuditSeal.objects.filter(
            number__gt=done.upto_number if done else 0, ends_at__lte=before
        ).order_by("number")
    )
    if not blocks:
        return {"blocks": 0, "rows": 0}
    ends_at = blocks[-1].ends_at
    rows = 0
    with gzip.open(output, "wt", encoding="utf-8") as fh:
        for block in blocks:
            fh.write(json.dumps({"block": _seal_json(block)}, ensure_ascii=False) + "\n")
            qs = AuditEntry.objects.filter(at__gte=block.starts_at, at__lt=block.ends_at)
            for row in _rows(qs):
                fh.write(json.dumps({"row": _row_json(row)}, ensure_ascii=False) + "\n")
                rows += 1
    sha = hashlib.sha256(output.read_bytes()).hexdigest()
    with transaction.atomic(), unlocked():
        AuditEntry.objects.filter(at__lt=ends_at)._raw_delete(AuditEntry.objects.db)
        AuditArchive.objects.create(
            upto_number=blocks[-1].number,
            ends_at=ends_at,
            rows=rows,
            file_name=str(output)[:500],
            sha256=sha,
        )
    return {"blocks": len(blocks), "rows": rows, "sha256": sha}


def _seal_json(block: Any) -> dict[str, Any]:
    return {
        "number": block.number,
        "starts_at": _at(block.starts_at),
        "ends_at": _at(block.ends_at),
        "rows": block.rows,
        "prev_hash": block.prev_hash,
        "hash": block.hash,
    }


def _row_json(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "at": _at(row["at"])}


def verify_archive(path: Path) -> list[str]:
    """Problems of an archive file checked against the seals still in the database."""
    from .models import AuditSeal

    seals = {s.number: s for s in AuditSeal.objects.all()}
    problems: list[str] = []
    block: dict[str, Any] | None = None
    buffer: list[dict[str, Any]] = []

    def close() -> None:
        if block is None:
            return
        seal_row = seals.get(block["number"])
        rows = [
            {**r, "at": datetime.strptime(r["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)}
            for r in buffer
        ]
        digest, count, _, _ = _block_hash(block["prev_hash"], rows, problems)
        if seal_row is None or seal_row.hash != digest or seal_row.rows != count:
            problems.append(f"归档文件中的第 {block['number']} 号区块与封存记录不符")

    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            if "block" in item:
                close()
                block, buffer = item["block"], []
            else:
                buffer.append(item["row"])
    close()
    return problems


# --- the database's own refusal -----------------------------------------------------------


@contextmanager
def unlocked(conn: Any = None) -> Iterator[None]:
    """Let this thread's connection remove audit rows (flush, archive). On PostgreSQL a
    session setting the triggers read; the runtime role still lacks the privilege."""
    conn = conn or default_connection
    token = _unlocked.set(True)
    pg = conn.vendor == "postgresql"
    try:
        if pg:
            with conn.cursor() as cur:
                cur.execute("SET gonghui.audit_unlock = 'on'")
        yield
    finally:
        _unlocked.reset(token)
        if pg:
            with conn.cursor() as cur:
                cur.execute("RESET gonghui.audit_unlock")


def _is_unlocked() -> int:
    return 1 if _unlocked.get() else 0


def on_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    """SQLite: the function the append-only triggers ask (another program opening the file
    does not have it, and its UPDATE or DELETE fails)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("gonghui_audit_unlocked", 0, _is_unlocked)


SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"""
    for table in ("core_auditentry", "core_auditseal")
] + [
    f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
WHEN gonghui_audit_unlocked() = 0
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"""
    for table in ("core_auditentry", "core_auditseal")
]


def install_sqlite_triggers(sender: Any = None, using: str = "default", **kwargs: Any) -> None:
    """After every ``migrate``: a migration that rebuilds the table on SQLite drops them."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cur:
        for sql in SQLITE_TRIGGERS:
            cur.execute(sql)


AUDIT_TABLES = ("core_auditentry", "core_auditseal", "core_auditarchive")


def runtime_grants(role: str) -> list[str]:
    """The privileges of the PostgreSQL role the web processes and workers run as: every
    table's rows, but only INSERT and SELECT on the audit tables (no UPDATE, DELETE or
    TRUNCATE); migrations run as the owner. Run again after each ``migrate``."""
    from psycopg import sql

    name = sql.Identifier(role).as_string(None)
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {name}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {name}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {name}",
    ]
    for table in AUDIT_TABLES:
        statements.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {name}")
    return statements
