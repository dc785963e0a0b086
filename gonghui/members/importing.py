"""The member roster import (名册导入): a spreadsheet in, members created or updated, every
rejected row reported with its reason.

Two stages, so that an interruption leaves nothing half-written and the page can show
progress:

1. **check** (no transaction): read the sheet (``core.spreadsheets``), clean each chunk
   column by column (``columns.clean_rows``: ``clean_member``'s results, each distinct text
   of a column cleaned once) with the search columns (pinyin, tails), the blind indexes and the
   ciphertexts; drop repeats of a person within the file; look the people up by blind
   index, one query per chunk; decide per row: *create*, *update*,
   *unchanged* or *reject*. Rows to create are spilled to a temporary file in database form.
   On a large file the CPU work runs in worker processes (one per core).
2. **write** (one transaction): insert the new members (``COPY`` on PostgreSQL,
   ``executemany`` on SQLite), their join events in one ``INSERT … SELECT``, the updates,
   and one audit row with the counts. A preview (``dry_run``) stops after stage 1. A load
   of at least ``DEFER_INDEXES_FROM`` new members that is larger than the table (a first
   roster, a migration) drops the secondary indexes and builds them again by sorting
   (``core.bulk.deferred_indexes``): several times faster, but on PostgreSQL readers of the
   member table wait until the import commits. On PostgreSQL such a load opens its
   transaction before the check and writes each chunk's new members and their join events
   as soon as they are decided (``_Stream``), so that the server stores rows while the
   workers check the next ones. ``result.timings`` has each stage's seconds.

Errors and warnings: a row is rejected only for what makes the person unusable or wrong
(no name, a bad or contradictory ID, a bad mobile, an impossible date, a duplicate, a
transfer conflict). A descriptive value that is not recognised (education, ethnicity, worker
type … — see ``validation.clean_member(lenient=True)``) imports the person, keeps the text
where the field is free text, and is listed in ``result.warnings`` and in the warnings sheet
of the result workbook (row, column, value, what was done).

Unchanged rows cost a hash: each member written by an import keeps a keyed hash of its
row's cells (``Member.import_hash``) and the time it was written (``import_stamp``). A row
whose hash is held by an active member of this union that nobody changed since
(``updated_at = import_stamp``) is *unchanged* without being cleaned, encrypted or looked up.
Rows with warnings keep no hash, so a re-import reports their warnings again.

Rules: a person active (or suspended) in another union is rejected as a transfer conflict
that names no union (the answer says only that the person cannot be taken in here and must
apply for a transfer); a person whose membership ended is taken in again (counted as
updated, with a join event); running the same file twice changes nothing the second time.
A preview (``dry_run``) is no existence oracle: a person held by another union, or whose
membership elsewhere ended, counts there as a new person; only the import itself, a write on
record, rejects or takes them in.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import struct
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial
from itertools import compress, repeat
from operator import getitem, methodcaller, not_
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gonghui.core import audit, bulk, crypto, spreadsheets
from gonghui.core.errors import Forbidden, InvalidInput, NotFound
from gonghui.core.masking import mask_name
from gonghui.core.models import ImportJob
from gonghui.core.roles import can
from gonghui.core.spreadsheets import Sheet, cell_text, open_sheet, write_errors, write_template
from gonghui.core.uploads import Received
from gonghui.orgs.models import Org

from .columns import clean_rows
from .models import EventKind, Member, MembershipEvent, Status
from .services import MEMBER_ORG_KINDS
from .validation import FIELD_LABELS, CleanResult, RowCleaner

log = logging.getLogger(__name__)

# Header texts that name each field (compared after ``spreadsheets.header_key``: width,
# spaces, "*" marks and "(…)" hints do not matter). The first is the template's.
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "会员姓名", "职工姓名", "名字"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码", "身份证件号码"),
    "sex": ("性别",),
    "ethnicity": ("民族",),
    "birth_date": ("出生日期", "出生年月", "生日"),
    "phone": ("手机号", "手机", "联系电话", "手机号码", "移动电话", "电话", "联系方式"),
    "education": ("学历", "文化程度", "最高学历"),
    "employment": ("就业状态", "在岗状态"),
    "skill_level": ("技能等级", "职业技能等级"),
    "employer_name": ("工作单位", "单位", "单位名称", "工作单位名称", "所在单位"),
    "worker_type": ("职工类型", "人员类型", "用工类型", "用工形式"),
    "model_worker": ("劳模类型", "劳模", "劳动模范"),
    "joined_on": ("入会时间", "入会日期", "入会年月"),
    "id_valid_until": ("证件有效期至", "证件有效期", "身份证有效期"),
}
REQUIRED = ("name", "id_number")
TEMPLATE_EXAMPLE = {
    "name": "王强",
    "id_number": "11010519491231002X",
    "sex": "男",
    "ethnicity": "汉族",
    "phone": "13800138000",
    "education": "本科",
    "employer_name": "某某有限公司",
    "worker_type": "职工",
    "joined_on": "2020-05-01",
}

# Member columns the import fills (database column names), in the order of a prepared row.
COLUMNS = (
    "name",
    "name_pinyin",
    "name_initials",
    "sex",
    "ethnicity",
    "id_number",
    "id_number_bidx",
    "id_tail",
    "id_valid_until",
    "birth_date",
    "education",
    "employment",
    "skill_level",
    "phone",
    "phone_bidx",
    "phone_tail",
    "employer_name",
    "worker_type",
    "model_worker",
    "joined_on",
    "import_hash",
)
_POS = {name: i for i, name in enumerate(COLUMNS)}
_HASH = _POS["import_hash"]
# a new version invalidates every stored row hash (a rule of the checks changed)
ROW_HASH_VERSION = "1"
CONFLICT = "此人无法在本单位导入，请其申请会籍接转"
# Fields an existing record is compared on (phone through its blind index).
_COMPARED = (
    "name",
    "sex",
    "ethnicity",
    "birth_date",
    "education",
    "employment",
    "skill_level",
    "employer_name",
    "worker_type",
    "model_worker",
    "joined_on",
    "id_valid_until",
)
_DERIVED = ("name_pinyin", "name_initials", "id_tail", "phone_tail")
CHUNK = 5000
PARALLEL_FROM = 20000  # rows; below this the worker processes cost more than they save
SAMPLES = 20  # rows per outcome kept for the preview page
ANALYZE_FROM = 50_000  # rows created: refresh the planner's statistics afterwards
# rows created (and more than the table holds): drop the secondary indexes for the load and
# build them again after it (``core.bulk.deferred_indexes``)
DEFER_INDEXES_FROM = 50_000


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warned: int = 0  # rows imported (or unchanged) with at least one warning
    hashed: int = 0  # unchanged rows answered by their row hash alone (not in the JSON)
    errors_file: str = ""
    dry_run: bool = False
    unknown_columns: list[str] = field(default_factory=list)
    # the preview: a few rows per outcome, names and IDs masked
    samples: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {
            "created": [],
            "updated": [],
            "unchanged": [],
            "rejected": [],
            "warned": [],
        }
    )
    # every rejected row: (row number, original cells, reason)
    rejections: list[tuple[int, list[Any], str]] = field(default_factory=list, repr=False)
    # every warning: (row number, the file's column title, the value, what was done)
    warnings: list[tuple[int, str, str, str]] = field(default_factory=list, repr=False)
    header: list[str] = field(default_factory=list, repr=False)
    # seconds per stage (check, insert, indexes, events, updates, analyze), for the log and
    # the benchmark
    timings: dict[str, float] = field(default_factory=dict, repr=False)

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] = round(time.perf_counter() - started, 3)

    def as_json(self) -> dict[str, Any]:
        """The CLI contract (PRODUCT.md)."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "warned": self.warned,
            "errors_file": self.errors_file or None,
        }

    def wants_sample(self, outcome: str) -> bool:
        return len(self.samples[outcome]) < SAMPLES

    def _sample(self, outcome: str, item: dict[str, Any]) -> None:
        if self.wants_sample(outcome):
            self.samples[outcome].append(item)


Progress = Callable[[int, int, str], None]  # (rows checked, rows estimated, stage)
# stages reported from inside the import's write transaction (a stream's, see ``_Stream``):
# a progress call that writes to the database must do it from a connection of its own
IN_TRANSACTION = frozenset({"check-write", "finish"})
# stages that say the rows are being written (the job's status "writing")
WRITING = frozenset({"write", "finish"})


@dataclass(frozen=True)
class _Context:
    """What a worker needs to prepare rows (pickled once per chunk; small)."""

    columns: tuple[tuple[str, int], ...]
    labels: tuple[tuple[str, str], ...]
    has_joined: bool
    today: date
    hash_key: bytes  # keys the row hashes (derived from the field key, this union, the columns)


# --- stage 1, per row: pure CPU, runs in worker processes -----------------------------------


def _reason(errors: list[dict[str, str]], labels: dict[str, str]) -> str:
    """One reason per problem, each naming its column once: a message that already begins
    with the column's name or another name of its field ("身份证号校验位不正确" in a column
    headed 公民身份号码) is not prefixed with the column again."""
    parts = []
    for e in errors:
        label = labels.get(e["field"], e["field"])
        message = str(e["message"])
        names = (label, *ALIASES.get(e["field"], ()))
        parts.append(message if message.startswith(names) else f"{label}：{message}")
    return "；".join(parts)


def row_hash(key: bytes, cells: list[Any]) -> int:
    """The keyed hash of a row's cells as read (a signed 64-bit integer, the column's type)."""
    try:
        text = "\x1f".join(cells)  # a CSV row: all text
    except TypeError:
        text = "\x1f".join(cell_text(c) for c in cells)
    digest = hashlib.blake2b(text.encode(), digest_size=8, key=key).digest()
    return int.from_bytes(digest, "big", signed=True)


# A chunk as the workers get it: the row numbers; each row's hash and the member holding it
# (both lists None for a first roster: no member holds any, the worker computes the hashes);
# the cells of the rows to check (those no member's hash answers) — packed into one text
# (cells joined by US, rows by RS: one string to pickle instead of thousands of lists) when
# every cell is text without those two characters, else as lists.
Job = tuple[
    _Context,
    list[int],
    list[int] | None,
    list[int | None] | None,
    str | None,
    list[list[Any]] | None,
]
_CELL, _ROW = "\x1f", "\x1e"


def _pack(rows: list[list[Any]]) -> tuple[str | None, list[list[Any]] | None]:
    """The rows as one text when they split back into exactly the same cells."""
    if not rows or not all(rows):
        return None, rows
    try:
        text = _ROW.join(map(_CELL.join, rows))
    except TypeError:  # a cell that is not text (a workbook's number or date)
        return None, rows
    if text.count(_ROW) != len(rows) - 1 or text.count(_CELL) != sum(map(len, rows)) - len(rows):
        return None, rows  # a cell holds a separator
    return text, None


def _unpack(text: str | None, rows: list[list[Any]] | None) -> list[list[Any]]:
    if text is None:
        return rows or []
    return [row.split(_CELL) for row in text.split(_ROW)]


@dataclass
class Prepared:
    """One chunk checked and encoded, column by column (cheap to pickle to the reading
    process): per row its number, its ``key`` — None for a rejected row, ``"same"`` for a
    row whose hash a member holds (nothing else done), else the person (the ID's first 17
    digits) — and its ``payload``: the reason, the member's id, or the ID's blind index.
    ``rows``: the rows that passed, in the file's order, already in the insert's form —
    ``COPY`` text (``core.bulk.copy_text``: one line per row, the ``COLUMNS`` and
    ``status_since``), ``plain`` when no field needed an escape — so that the reading process
    passes them on to the spill file as bytes (dropping the few lines of repeats and known
    people) and the write stage hands them to ``COPY`` or ``executemany`` without a Python
    object per field; ``row(i)`` decodes one (a sample, a warning, an update). ``warned``:
    row → the unrecognised values (rows that have any)."""

    numbers: list[int]
    keys: list[int | str | None]
    payloads: list[Any]
    rows: bytes
    plain: bool
    warned: dict[int, tuple[tuple[str, str, str], ...]]
    _lines: list[bytes] | None = None

    def lines(self) -> list[bytes]:
        if self._lines is None:
            self._lines = self.rows.split(b"\n")[:-1]
        return self._lines

    def row(self, at: int) -> tuple[Any, ...]:
        """The ``at``-th row that passed, in ``COLUMNS`` order (database form)."""
        fields: list[Any] = bulk.copy_fields(self.lines()[at])[: len(COLUMNS)]
        digest = fields[_HASH]
        fields[_HASH] = None if digest is None else int(digest)
        return tuple(fields)


def _row_hashes(key: bytes, rows: list[list[Any]], text: str | None) -> list[int]:
    """``row_hash`` of each row; from the packed text (each row's cells already joined by
    US there) by C calls only."""
    if text is None:
        return [row_hash(key, cells) for cells in rows]
    keyed = partial(hashlib.blake2b, digest_size=8, key=key)
    digests = map(_DIGEST, map(keyed, map(str.encode, text.split(_ROW))))
    return list(map(_SIGNED, digests))


_DIGEST = methodcaller("digest")
_SIGNED = partial(int.from_bytes, byteorder="big", signed=True)
_FIRST17, _LAST4 = slice(0, 17), slice(-4, None)


def _prepare_chunk(job: Job) -> Prepared:
    """Clean (``columns.clean_rows``: ``validation.RowCleaner``'s answers, column by column)
    and encode one chunk (see ``Prepared``), column by column too: the rows that passed
    become the insert's text (``core.bulk.copy_text``) without a Python frame per row."""
    ctx, numbers, digests, holders, text, cells_list = job
    rows = _unpack(text, cells_list)
    cleaner = _cleaner(ctx, translation.get_language())
    if digests is None:
        digests = _row_hashes(ctx.hash_key, rows, text)
    else:  # the reading process hashed every row: keep the hashes of the rows checked here
        digests = [d for d, h in zip(digests, holders or (), strict=True) if h is None]
    cleaned = clean_rows(cleaner, rows)
    rejected = list(map(isinstance, cleaned, repeat(CleanResult)))
    if any(rejected):
        kept = list(map(not_, rejected))
        passed: list[Any] = list(compress(cleaned, kept))
        digests = list(compress(digests, kept))
    else:
        passed = cleaned
    # per row of the chunk: its key and payload (see Prepared), the held rows' "same" first
    ids = [c[5] for c in passed]
    person = iter(map(int, map(getitem, ids, repeat(_FIRST17))))  # type: ignore[arg-type]
    labels = dict(ctx.labels)
    checked = iter(cleaned)
    keys: list[int | str | None] = []
    payloads: list[Any] = []
    if holders is None and not any(rejected):
        keys = list(person)
        payloads = [None] * len(keys)
    else:
        for holder in holders or repeat(None, len(numbers)):
            if holder is not None:
                keys.append("same")
                payloads.append(holder)
                continue
            result = next(checked)
            if isinstance(result, CleanResult):
                keys.append(None)
                payloads.append(_reason(result.errors, labels))
            else:
                keys.append(next(person))
                payloads.append(None)  # its blind index, below
    prepared = Prepared(numbers, keys, payloads, b"", True, {})
    if not passed:
        return prepared
    columns = list(zip(*passed, strict=True))
    warned = columns[16]
    if any(warned):
        numbers_passed = [n for n, k in zip(numbers, keys, strict=True) if type(k) is int]
        prepared.warned = {n: w for n, w in zip(numbers_passed, warned, strict=True) if w}
    # the encryptions and blind indexes of the whole chunk, column by column
    encrypt = crypto.encryptor()
    id_indexes = crypto.blind_indexes("citizen_id")(ids)
    phones = columns[11]
    given = [p for p in phones if p]
    phone_indexes = crypto.blind_indexes("mobile")(given)
    phone_tokens = list(map(encrypt, given))
    if len(given) < len(phones):  # rows without a mobile: empty text there
        at = iter(range(len(given)))
        places = [next(at) if p else -1 for p in phones]
        phone_tokens = [phone_tokens[i] if i >= 0 else "" for i in places]
        phone_indexes = [phone_indexes[i] if i >= 0 else "" for i in places]
    # each row in the insert's form: text fields, NULL as bulk.NULL_TEXT (see Prepared)
    null = bulk.NULL_TEXT
    valid: Any = columns[7]
    nulls = 0
    if None in valid:
        valid = [null if v is None else v for v in valid]
        nulls += valid.count(null)
    hashes: Any = map(str, digests)
    if any(warned):  # a row with warnings keeps no hash
        hashes = [null if w else h for w, h in zip(warned, hashes, strict=True)]
        nulls += sum(1 for w in warned if w)
    joined = columns[15]
    out_rows = list(
        zip(
            columns[0],  # name
            columns[1],  # pinyin
            columns[2],  # initials
            columns[3],  # sex
            columns[4],  # ethnicity
            map(encrypt, ids),
            id_indexes,
            map(getitem, ids, repeat(_LAST4)),
            valid,
            columns[6],  # birth date
            columns[8],  # education
            columns[9],  # employment
            columns[10],  # skill level
            phone_tokens,
            phone_indexes,
            map(getitem, phones, repeat(_LAST4)),
            columns[12],  # employer
            columns[13],  # worker type
            columns[14],  # model worker
            joined,
            hashes,
            joined,  # status_since
            strict=True,
        )
    )
    prepared.rows, prepared.plain = bulk.copy_text(out_rows, nulls)
    indexes = iter(id_indexes)
    payloads[:] = [next(indexes) if p is None else p for p in payloads]
    return prepared


@lru_cache(maxsize=2)
def _cleaner(ctx: _Context, language: str | None) -> RowCleaner:
    """One ``RowCleaner`` per import and process: its caches of distinct texts serve every
    chunk the process checks (a worker checks many). Keyed by the language too: the
    warnings' wording is cached with them."""
    return RowCleaner(dict(ctx.columns), today=ctx.today)


# --- stage 1, driver ---------------------------------------------------------------------------


def _estimate_rows(path: Path) -> int:
    """Rows in the file, for the progress bar: newlines of a CSV, the sheet height of a book."""
    with path.open("rb") as fh:
        head = fh.read(8)
        if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            return 0  # calamine reports it once the sheet is open; see _check
        fh.seek(0)
        return sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))


def _chunks(
    sheet: Sheet, ctx: _Context, held: dict[int, int], cells_of: dict[int, list[list[Any]]]
) -> Iterator[Job]:
    """The rows in chunks (``Job``), each with its hash and the member holding that hash (if
    any). Each chunk's original cells are remembered (for the result workbook), under its
    first row number, as it is sent out; the classifier forgets them once the chunk is
    decided. At most a few chunks are held."""
    key = ctx.hash_key
    for numbers, every in sheet.batches(CHUNK):
        cells_of[numbers[0]] = every
        if not held:  # a first roster: the workers hash the rows
            yield (ctx, numbers, None, None, *_pack(every))
            continue
        digests = [row_hash(key, cells) for cells in every]
        holders = list(map(held.get, digests))
        todo = [cells for cells, holder in zip(every, holders, strict=True) if holder is None]
        yield (ctx, numbers, digests, holders, *_pack(todo))


def _held_hashes(org: Org) -> dict[int, int]:
    """Row hash → member id of this union's active members unchanged since an import wrote
    them (one query; about 100 bytes a member in memory)."""
    qn = connection.ops.quote_name
    sql = (
        f"SELECT import_hash, id FROM {qn(Member._meta.db_table)} "  # noqa: S608 - names from the model's meta, quoted; values are parameters
        "WHERE org_id = %s AND status = %s AND import_hash IS NOT NULL "
        "AND import_stamp = updated_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [org.pk, Status.ACTIVE.value])
        return dict(cursor.fetchall())


@dataclass
class _Existing:
    id: int
    org_id: int
    status: str
    status_since: date
    values: dict[str, str]  # _COMPARED fields as strings, plus "phone_bidx"


def _lookup(bidxs: list[str], below: int | None = None) -> dict[str, _Existing]:
    """The people of a chunk already in the registry, by blind index: one query, no ORM
    objects (dates come back as text on SQLite, as dates on PostgreSQL). ``below``: only
    members up to this id — the registry before an import that is writing as it checks
    (``_Stream``), whose own rows are not "already there"."""
    if not bidxs or below == 0:  # no one was registered when the stream began
        return {}
    qn = connection.ops.quote_name
    fields = ("id_number_bidx", "id", "org_id", "status", "status_since", *_COMPARED, "phone_bidx")
    params: list[Any]
    if bulk.is_postgres():
        # one array parameter: psycopg splits a query text at its placeholders on every
        # call, which for 5,000 of them took 40 ms a chunk (8 s of a million-row import)
        condition, params = "id_number_bidx = ANY(%s)", [list(bidxs)]
    else:
        condition, params = f"id_number_bidx IN ({', '.join(['%s'] * len(bidxs))})", list(bidxs)
    sql = (
        f"SELECT {', '.join(qn(f) for f in fields)} FROM {qn(Member._meta.db_table)} "  # noqa: S608 - names from the model's meta, quoted; values are parameters
        f"WHERE {condition}"
    )
    if below is not None:
        sql += " AND id <= %s"
        params.append(below)
    out: dict[str, _Existing] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for row in rows:
        values = {
            name: (value.isoformat() if isinstance(value, date) else value)
            for name, value in zip(fields[5:], row[5:], strict=True)
        }
        since = row[4] if isinstance(row[4], date) else date.fromisoformat(row[4])
        out[row[0]] = _Existing(row[1], row[2], row[3], since, values)
    return out


@dataclass
class _Plan:
    result: ImportResult
    spill: IO[bytes]  # the rows to create: framed blocks of COPY text (``_spilled``)
    # (id, row, changed, rejoin date or "" when the person stays a member)
    updates: list[tuple[int, tuple[Any, ...], list[str], str]]
    phone_compared: bool
    id_label: str = ""  # the file's own header of the ID column, for reasons
    labels: dict[str, str] = field(default_factory=dict)  # field → the file's column title
    order: dict[str, int] = field(default_factory=dict)  # field → its column in the file
    # member id → the row number that claimed it (a second row of the same person is a repeat)
    claimed: dict[int, int] = field(default_factory=dict)
    # a preview: it says nothing of people held by another union (see ``_classify``)
    dry_run: bool = False
    stream: _Stream | None = None  # a first big roster on PostgreSQL: written as it is checked

    def keep(self, text: bytes, plain: bool) -> None:
        """Rows to create (a block of ``COPY`` text): written now when the import streams,
        else spilled for the write stage."""
        if self.stream is not None:
            self.stream.write(text, plain)
            return
        self.spill.write(_FRAME.pack(len(text), plain))
        self.spill.write(text)


class _Stream:
    """A first big roster on PostgreSQL, written while it is checked.

    Opened in the import's own transaction (``writing``), before the first chunk: the
    member table's secondary indexes dropped (``core.bulk.deferred_indexes``, as the write
    stage does for such a load), the foreign keys checked at the end of each statement
    instead of all at the end — or, where the database role may, once per distinct key when
    the stream finishes (``core.bulk.keys_checked_once``: every member and every join event
    names the same union, which a trigger per row looked up two million times). Each
    chunk's new members go to ``COPY`` as soon as they are decided, so that PostgreSQL
    stores them while the workers check the next chunks — the server's work and the
    client's on two cores at once instead of one after the other.
    A decided row is final (a later row of the same person is the one rejected), so
    nothing written has to be taken back; an error or a cancel rolls the whole import back.
    Each chunk's join events follow its members at once (``_join_events`` over the ids it
    was given), the events' indexes deferred too when the load is larger than their table.
    The people already registered are looked up below ``watermark`` (the largest member
    id when the import began), never among the rows it wrote itself. Readers of the member
    table wait from the first chunk on, as they do for the write of such a load."""

    def __init__(self, writing: ExitStack, org: Org, actor: Any, new_rows: int) -> None:
        writing.enter_context(transaction.atomic())
        self.org, self.actor = org, actor
        self.stamp = timezone.now()
        self.stamp_db = bulk.db_literal(self.stamp)
        self.watermark = self.events_upto = _max_id()
        self.tail = _member_tail(org, self.stamp)
        self.seconds = 0.0  # in COPY and the join events (and their checks), for the timings
        # each foreign key checked once per distinct key at the end, where the role may
        self._keys = ExitStack()
        self.keys_once = self._keys.enter_context(
            bulk.keys_checked_once([Member._meta.db_table, MembershipEvent._meta.db_table])
        )
        writing.push(self._keys)
        self._indexes = ExitStack()
        self._indexes.enter_context(bulk.deferred_indexes(Member._meta.db_table, enabled=True))
        writing.push(self._indexes)  # on an error: closed before the rollback, nothing built
        self._event_indexes = ExitStack()
        self._event_indexes.enter_context(
            bulk.deferred_indexes(
                MembershipEvent._meta.db_table,
                enabled=new_rows > bulk.table_count_estimate(MembershipEvent),
                # else the events' key to the members, by one join instead of a row lock each
                foreign_keys=[] if self.keys_once else ["member_id"],
            )
        )
        writing.push(self._event_indexes)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def write(self, text: bytes, plain: bool) -> None:
        started = time.perf_counter()
        bulk.insert_copy_text(
            Member._meta.db_table, [*COLUMNS, "status_since"], [(text, plain)], self.tail
        )
        upto = _max_id()
        _join_events(
            org=self.org,
            actor=self.actor,
            stamp=self.stamp_db,
            watermark=self.events_upto,
            upto=upto,
        )
        self.events_upto = upto
        self.seconds += time.perf_counter() - started

    def finish(self, result: ImportResult) -> None:
        """The checks deferred again and the indexes built: the members' (timed as the
        write's "rows"), the join events' ("events")."""
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        with result.timed("keys") if self.keys_once else nullcontext():
            self._keys.close()
        self._indexes.close()
        result.timings["insert"] = round(self.seconds, 3)
        result.timings["rows"] = round(self.seconds + time.perf_counter() - started, 3)
        with result.timed("events"):
            self._event_indexes.close()


def _member_tail(org: Org, stamp: Any) -> dict[str, Any]:
    """The columns every new member of this import shares (database form), the model's
    defaults for those the import does not fill."""
    now_db = bulk.db_literal(stamp)
    extra = {
        "org_id": org.pk,
        "status": Status.ACTIVE.value,
        "created_at": now_db,
        "updated_at": now_db,
        "import_stamp": now_db,  # the row hash holds while updated_at stays this
    }
    return extra | bulk.column_defaults(Member, [*COLUMNS, *extra, "status_since"])


def _streams(new_rows: int) -> bool:
    """Whether an import of about ``new_rows`` people not yet answered by their hash writes
    as it checks (``_Stream``): PostgreSQL, a load for which the write stage would drop the
    indexes anyway."""
    return (
        bulk.is_postgres()
        and new_rows >= DEFER_INDEXES_FROM
        and new_rows > bulk.table_count_estimate(Member)
    )


def _label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def _hash_key(org: Org, columns: dict[str, int], has_joined: bool) -> bytes:
    """The key of this import's row hashes: secret (derived from the field key through a
    blind index), and different for another union or another column layout."""
    layout = ",".join(f"{name}:{i}" for name, i in sorted(columns.items()))
    text = f"{ROW_HASH_VERSION}|{org.pk}|{layout}|{int(has_joined)}"
    return crypto.blind_index(text, purpose="import_row").encode()[:64]


def _check(
    *,
    org: Org,
    path: Path,
    file_name: str,
    progress: Progress | None,
    workers: int | None,
    dry_run: bool = False,
    writing: ExitStack | None = None,
    actor: Any = None,
) -> _Plan:
    """Stage 1. ``writing``: where an import (not a preview) may open its write transaction
    early, to write a first big roster as it is checked (``_Stream``)."""
    sheet = open_sheet(path, aliases=ALIASES, required=REQUIRED, file_name=file_name)
    result = ImportResult(header=sheet.header, unknown_columns=sheet.unknown)
    present = set(sheet.columns) | {"sex", "birth_date"}  # the ID always gives these two
    compared = [name for name in _COMPARED if name in present]
    if "joined_on" not in sheet.columns:
        present.add("joined_on")  # defaults to today for new members; not compared
    labels = {name: sheet.label(name) for name in sheet.columns}
    labels.setdefault("sex", _label("sex"))
    labels.setdefault("birth_date", _label("birth_date"))
    has_joined = "joined_on" in sheet.columns
    ctx = _Context(
        columns=tuple(sheet.columns.items()),
        labels=tuple(labels.items()),
        has_joined=has_joined,
        today=timezone.localdate(),
        hash_key=_hash_key(org, sheet.columns, has_joined),
    )
    estimate = max(0, _estimate_rows(path) - sheet.header_row)
    spill = tempfile.TemporaryFile(prefix="gonghui-import-")  # noqa: SIM115 - closed by member_import
    plan = _Plan(result, spill, [], "phone" in sheet.columns, sheet.label("id_number"), labels)
    plan.order = dict(sheet.columns)
    plan.dry_run = dry_run
    seen: dict[int, int] = {}  # person key → row number of the first occurrence
    cells_of: dict[int, list[list[Any]]] = {}  # a chunk's first row number → its cells
    with result.timed("hashes"):
        held = _held_hashes(org)
    if writing is not None and _streams(estimate - len(held)):
        plan.stream = _Stream(writing, org, actor, estimate - len(held))
    n_workers = workers if workers is not None else _default_workers(plan.stream is not None)
    chunks = _chunks(sheet, ctx, held, cells_of)
    pool = None
    # rows a member's hash already answers cost the workers nothing: count only the others;
    # a stream keeps one worker apart from the reading process, which waits on the server
    if (n_workers > 1 or (plan.stream is not None and workers is None)) and (
        estimate == 0 or estimate - len(held) >= PARALLEL_FROM
    ):
        # fork: the workers inherit the settings and the field key; they never touch the
        # database (and os._exit on the way out closes no inherited connection)
        pool = multiprocessing.get_context("fork").Pool(n_workers)
        window = 2 * max(n_workers, 2)
        prepared_chunks: Iterator[Prepared] = _bounded_imap(pool, chunks, window=window)
    else:
        prepared_chunks = map(_prepare_chunk, chunks)
    try:
        for prepared in prepared_chunks:
            _classify(plan, org, prepared, cells_of, seen, compared)
            if progress is not None:
                stage = "check" if plan.stream is None else "check-write"
                progress(result.rows, max(estimate, result.rows), stage)
    finally:
        if pool is not None:
            pool.terminate()
        _cleaner.cache_clear()  # its caches of this file's texts are not kept past the check
    return plan


def _default_workers(streaming: bool) -> int:
    """Checking processes: one per core — one fewer when the import writes as it checks
    (``_Stream``) to a database on this machine, whose server process storing the rows is
    then the other one. Measured at a million rows on two cores: 48.8 s with one worker,
    58.9 s with two, which fought the server for the cores (84 against 104 CPU seconds)."""
    cores = os.cpu_count() or 1
    if streaming and _database_is_local():
        return max(1, cores - 1)
    return cores


def _database_is_local() -> bool:
    host = str(connection.settings_dict.get("HOST") or "")
    return host in ("", "localhost", "127.0.0.1", "::1") or host.startswith("/")


def _bounded_imap(pool: Any, jobs: Iterator[Job], *, window: int) -> Iterator[Prepared]:
    """``pool.imap(_prepare_chunk, jobs)`` with at most ``window`` chunks in flight:
    ``imap`` reads its input to the end at once, which would hold the whole file in memory."""
    pending: deque[Any] = deque()
    for job in jobs:
        pending.append(pool.apply_async(_prepare_chunk, (job,)))
        if len(pending) >= window:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def _repeat(plan: _Plan, first: int) -> str:
    return _("%(col)s：与第 %(n)d 行是同一人，重复的行未导入") % {
        "col": plan.id_label,
        "n": first,
    }


def _classify(
    plan: _Plan,
    org: Org,
    prepared: Prepared,
    cells_of: dict[int, list[list[Any]]],
    seen: dict[int, int],
    compared: list[str],
) -> None:
    """Decide each row of a chunk, in the file's order: a repeat of an earlier row's person
    is rejected, whichever way either row was recognised (by its hash or by its ID). The
    rows to create go to the spill file as the worker wrote them (``COPY`` text): the whole
    block when they are all the chunk's rows that passed, else their lines picked out."""
    result = plan.result
    claimed = plan.claimed
    keys, payloads, warned = prepared.keys, prepared.payloads, prepared.warned
    existing = _lookup(
        [b for k, b in zip(keys, payloads, strict=True) if type(k) is int],
        below=None if plan.stream is None else plan.stream.watermark,
    )
    numbers = prepared.numbers
    chunk_cells = cells_of.pop(numbers[0])
    result.rows += len(numbers)
    samples_wanted = SAMPLES - len(result.samples["created"])
    creates: list[int] = []  # places among the chunk's rows that passed
    at = -1  # the place of the current row among them
    for place, (number, key, payload) in enumerate(zip(numbers, keys, payloads, strict=True)):
        if key is None:
            _reject(result, number, chunk_cells[place], payload)
            continue
        if key == "same":
            first = claimed.setdefault(payload, number)
            if first != number:
                _reject(result, number, chunk_cells[place], _repeat(plan, first))
                continue
            result.unchanged += 1
            result.hashed += 1
            continue  # no sample: the preview shows what an import changes
        at += 1
        # a person known to the registry is claimed by member id (by the first of its rows,
        # whether recognised by hash or by ID); a new person by the ID itself
        found = existing.get(payload) if existing else None
        if found is not None and plan.dry_run and found.org_id != org.pk:
            # A preview is no existence oracle (issue 10): a person held by another union, or
            # once a member elsewhere, shows as a new person. Free and unaudited, a preview of
            # a one-row file would otherwise tell whether anyone is a member anywhere; the
            # import itself rejects the row (``CONFLICT``) and is a write on record.
            found = None
        first = seen.setdefault(key, number) if found is None else number  # type: ignore[arg-type]
        if first != number:
            _reject(result, number, chunk_cells[place], _repeat(plan, first))
            continue
        warnings = warned.get(number, ())
        if found is None:
            creates.append(at)
            result.created += 1
            if samples_wanted:
                samples_wanted -= 1
                result._sample("created", _show(number, prepared.row(at)))
            if warnings:
                _warn(plan, number, prepared.row(at), warnings)
            continue
        row = prepared.row(at)
        skip = tuple(w[0] for w in warnings if w[0] not in ("sex", "ethnicity"))
        first = claimed.setdefault(found.id, number)
        if first != number:
            _reject(result, number, chunk_cells[place], _repeat(plan, first))
            continue
        if found.status in (Status.ACTIVE, Status.SUSPENDED) and found.org_id != org.pk:
            # the other union is not named: a clerk learns nothing of people outside their
            # scope (issue 10)
            _reject(result, number, chunk_cells[place], f"{plan.id_label}：{_(CONFLICT)}")
            continue
        rejoin = found.status not in (Status.ACTIVE, Status.SUSPENDED)
        changed = [
            name
            for name in compared
            if found.values[name] != row[_POS[name]]
            and not (rejoin and name == "joined_on")
            and name not in skip
        ]
        if plan.phone_compared and found.values["phone_bidx"] != row[_POS["phone_bidx"]]:
            changed.append("phone")
        moved_since_joining = found.status_since.isoformat() != found.values["joined_on"]
        if (
            "joined_on" in changed
            and moved_since_joining
            and row[_POS["joined_on"]] > found.status_since.isoformat()
        ):
            _reject(result, number, chunk_cells[place], _("入会日期：不能晚于最近一次会籍变动日期"))
            continue
        _warn(plan, number, row, warnings)
        if not changed and not rejoin:
            result.unchanged += 1
            if result.wants_sample("unchanged"):
                result._sample("unchanged", _show(number, row))
            continue
        rejoin_on = ""
        if rejoin:
            # the join date given, unless it lies before the membership ended: then today
            given, ended = row[_POS["joined_on"]], found.status_since.isoformat()
            rejoin_on = given if given > ended else timezone.localdate().isoformat()
        plan.updates.append((found.id, row, changed, rejoin_on))
        result.updated += 1
        result._sample("updated", {**_show(number, row), "changed": [_label(c) for c in changed]})
    if not creates:
        return
    if len(creates) == at + 1:
        text = prepared.rows  # every row that passed: as the worker wrote them
    else:
        lines = prepared.lines()
        text = b"".join([lines[i] + b"\n" for i in creates])
    plan.keep(text, prepared.plain)


def _warn(plan: _Plan, number: int, row: tuple[Any, ...], warnings: tuple[Any, ...]) -> None:
    if not warnings:
        return
    result = plan.result
    result.warned += 1
    warnings = tuple(sorted(warnings, key=lambda w: plan.order.get(w[0], len(plan.order))))
    for name, value, action in warnings:
        result.warnings.append((number, plan.labels.get(name, _label(name)), value, action))
    if result.wants_sample("warned"):
        shown = "；".join(f"{plan.labels.get(n, _label(n))}“{v}”{a}" for n, v, a in warnings)
        result._sample("warned", {**_show(number, row), "warning": shown})


def _show(number: int, row: tuple[Any, ...]) -> dict[str, Any]:
    return {"row": number, "name": mask_name(row[0]), "id_tail": row[_POS["id_tail"]]}


def _reject(result: ImportResult, number: int, cells: list[Any], reason: str) -> None:
    result.rejected += 1
    result.rejections.append((number, cells, reason))


def _finish_reasons(plan: _Plan) -> None:
    """Sort the rejected rows and keep the first few for the preview."""
    result = plan.result
    result.rejections.sort(key=lambda item: item[0])
    for number, _cells, reason in result.rejections[:SAMPLES]:
        result._sample("rejected", {"row": number, "reason": reason})


# --- stage 2: one transaction ----------------------------------------------


_FRAME = struct.Struct("<I?")  # a spilled block: its length, whether it is plain


def _spilled(spill: IO[bytes]) -> Iterator[tuple[bytes, bool]]:
    """The spilled blocks of ``COPY`` text (see ``Prepared``), one chunk's rows each."""
    spill.seek(0)
    while head := spill.read(_FRAME.size):
        size, plain = _FRAME.unpack(head)
        yield spill.read(size), plain


def _write(*, actor: Any, org: Org, plan: _Plan, file_name: str, stamp: Any) -> None:
    """Stage 2, in the import's one transaction (opened by the caller, or by the stream
    when the rows were written as they were checked)."""
    result = plan.result
    table = Member._meta.db_table
    now_db = bulk.db_literal(stamp)
    with transaction.atomic(savepoint=False):
        if plan.stream is not None:
            plan.stream.finish(result)  # the rows and their join events are written
        else:
            watermark = _max_id()
            big = result.created >= DEFER_INDEXES_FROM and (
                result.created > bulk.table_count_estimate(Member)
            )
            # "rows": the insert (timed alone) and the index rebuild after it
            with (
                result.timed("rows"),
                bulk.deferred_indexes(table, enabled=big),
                result.timed("insert"),
                bulk.load_cache(),
            ):
                bulk.insert_copy_text(
                    table,
                    [*COLUMNS, "status_since"],
                    _spilled(plan.spill),
                    _member_tail(org, stamp),
                )
            if result.created:
                events_big = big and result.created > bulk.table_count_estimate(MembershipEvent)
                with (
                    result.timed("events"),
                    bulk.deferred_indexes(
                        MembershipEvent._meta.db_table,
                        enabled=events_big,
                        foreign_keys=["member_id"],
                    ),
                ):
                    _join_events(org=org, actor=actor, stamp=now_db, watermark=watermark)
        if plan.updates:
            with result.timed("updates"):
                _apply_updates(org=org, actor=actor, plan=plan, stamp=stamp)
        audit.record(
            actor=actor or "cli",
            action="member.import",
            object_type="org",
            object_id=org.pk,
            object_org=org,
            object_repr=org.name,
            changes={"counts": result.as_json() | {"errors_file": None}},
            note=file_name,
        )


def _max_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT max(id) FROM {connection.ops.quote_name(Member._meta.db_table)}")  # noqa: S608 - names from the model's meta, quoted; values are parameters
        row = cursor.fetchone()
    return int(row[0] or 0) if row else 0


def _join_events(
    *, org: Org, actor: Any, stamp: Any, watermark: int, upto: int | None = None
) -> None:
    """One join event per member created by this import, in one statement: the members of
    this union stamped with this import's creation time, above the id watermark taken in
    the same transaction (and up to ``upto``: a stream's chunk, a range the primary key
    serves whatever the planner thinks of the table's size)."""
    qn = connection.ops.quote_name
    events = MembershipEvent._meta.db_table
    members = Member._meta.db_table
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    # SQLite: the new members by their rowid range, not through an index on the union
    # (``+``: no index for that term), which visited a million rows in the index's order
    # instead of the table's (2.9 s against 0.7 s at a million)
    org_term = "org_id" if bulk.is_postgres() else "+org_id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(events)} (member_id, org_id, kind, {qn('on')}, other_org_id, "  # noqa: S608 - names from the model's meta, quoted; values are parameters
            f"note, actor_id, at) SELECT id, org_id, %s, joined_on, NULL, %s, %s, %s "
            f"FROM {qn(members)} WHERE {org_term} = %s AND created_at = %s AND id > %s"
            + ("" if upto is None else " AND id <= %s"),
            [EventKind.JOIN.value, _("名册导入"), actor_id, stamp, org.pk, stamp, watermark]
            + ([] if upto is None else [upto]),
        )


def _apply_updates(*, org: Org, actor: Any, plan: _Plan, stamp: Any) -> None:
    """Changed people: only the columns the file carries (and their derived ones). Former
    members are taken in again: this union, active, a join event dated the join date given
    (today when that date lies before their membership ended)."""
    qn = connection.ops.quote_name
    table = qn(Member._meta.db_table)
    now_db = bulk.db_literal(stamp)
    today = timezone.localdate()
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    events: list[tuple[Any, ...]] = []
    groups: dict[tuple[str, ...], list[list[Any]]] = {}
    for member_id, row, changed, rejoin_on in plan.updates:
        cols: list[str] = []
        for name in changed:
            if name == "phone":
                cols += ["phone", "phone_bidx", "phone_tail"]
            elif name == "name":
                cols += ["name", "name_pinyin", "name_initials"]
            else:
                cols.append(name)
        cols += ["import_hash", "import_stamp"]
        values = [*(row[_POS[c]] for c in cols[:-1]), now_db]
        if rejoin_on:
            on = rejoin_on
            cols += ["org_id", "status", "status_since", "joined_on"]
            values += [org.pk, Status.ACTIVE.value, on, on]
            events.append((member_id, org.pk, EventKind.JOIN.value, on, _("名册导入：重新入会")))
        else:
            if "joined_on" in changed:
                cols.append("status_since")  # it follows the join date (checked in _classify)
                values.append(row[_POS["joined_on"]])
            events.append(
                (
                    member_id,
                    org.pk,
                    EventKind.UPDATE.value,
                    today.isoformat(),
                    "、".join(_label(c) for c in changed),
                )
            )
        groups.setdefault(tuple(cols), []).append([*values, now_db, member_id])
    with connection.cursor() as cursor:
        for cols_key, rows in groups.items():
            sets = ", ".join(f"{qn(c)} = %s" for c in (*cols_key, "updated_at"))
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", rows)  # noqa: S608 - names from the model's meta, quoted; values are parameters
    bulk.insert_rows(
        MembershipEvent._meta.db_table,
        ["member_id", "org_id", "kind", "on", "note", "other_org_id", "actor_id", "at"],
        ((*e, None, actor_id, now_db) for e in events),
    )


# --- the service ------------------------------------------------------------


def _require(actor: Any, org: Org) -> None:
    """A user must manage members in ``org`` (outside their scope: as if it did not exist).
    ``actor=None`` is the server's own operator (the CLI)."""
    if actor is None:
        return
    if not can(actor, "members.view", org) and not can(actor, "members.manage", org):
        raise NotFound()
    if not can(actor, "members.manage", org):
        raise Forbidden(_("当前角色无权导入会员"))


def check_union(org: Org) -> None:
    if not org.active:
        raise InvalidInput.one("org", _("工会已撤销：%(name)s") % {"name": org.name})
    if org.kind not in MEMBER_ORG_KINDS:
        raise InvalidInput.one(
            "org", _("%(kind)s不直接发展会员，请选择基层工会") % {"kind": org.get_kind_display()}
        )


def member_import(
    *,
    actor: Any,
    org: Org,
    path: str | Path,
    file_name: str = "",
    dry_run: bool = False,
    errors_path: str | Path | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
) -> ImportResult:
    """Import a member roster into ``org`` (see the module docstring). Raises ``UnusableFile``
    (nothing written) for a file that cannot be read as a roster. ``errors_path``: where to
    write the result workbook as XLSX — the rejected rows (a sheet that imports as it is,
    once fixed) and the warnings (a second sheet) — only when there are any."""
    _require(actor, org)
    check_union(org)
    if crypto.rotation_in_progress():
        # rows are matched by blind index, which a rotation is moving to the new key
        raise spreadsheets.UnusableFile(_("字段密钥轮换进行中，请在轮换完成后再导入"))
    path = Path(path)
    file_name = file_name or path.name
    started = time.perf_counter()
    with (
        ExitStack() as writing,  # the write transaction, when a stream opens it early
        ThreadPoolExecutor(1, thread_name_prefix="import-result") as booking,
    ):
        plan = _check(
            org=org,
            path=path,
            file_name=file_name,
            progress=progress,
            workers=workers,
            dry_run=dry_run,
            writing=None if dry_run else writing,
            actor=actor,
        )
        result = plan.result
        result.timings["check"] = round(time.perf_counter() - started, 3)
        result.dry_run = dry_run
        # the result workbook is written by a thread of its own while the rows are: the
        # write is mostly the database's work (index builds, the join events), the
        # workbook all Python (3.5 s for 20,000 rejected rows)
        try:
            _finish_reasons(plan)
            book = None
            if errors_path is not None and (result.rejections or result.warnings):
                book = booking.submit(
                    _result_book, Path(errors_path), result, translation.get_language()
                )
            if not dry_run and (result.created or result.updated):
                if progress is not None:
                    # "finish": the rows are in, inside the transaction a stream opened
                    stage = "write" if plan.stream is None else "finish"
                    progress(result.rows, result.rows, stage)
                if plan.stream is None:
                    # one transaction for the rows and the workbook: a workbook that cannot
                    # be written (a full disk) leaves nothing written, as when it came first
                    writing.enter_context(transaction.atomic())
                stamp = timezone.now() if plan.stream is None else plan.stream.stamp
                with result.timed("write"):
                    _write(actor=actor, org=org, plan=plan, file_name=file_name, stamp=stamp)
            if book is not None:
                book.result()
                result.errors_file = str(errors_path)
        finally:
            plan.spill.close()
    if result.created >= ANALYZE_FROM and not dry_run:
        with result.timed("analyze"):
            bulk.analyze(Member)
    log.info(
        "member import into %s: %s, %d unchanged by their hash, seconds %s",
        org.code,
        result.as_json(),
        result.hashed,
        result.timings,
    )
    return result


def _result_book(path: Path, result: ImportResult, language: str | None) -> None:
    """The result workbook (``write_errors``), in the import's language (from a thread)."""
    with translation.override(language):
        write_errors(path, result.header, result.rejections, warnings=result.warnings)


def template(target: str | Path | IO[bytes]) -> None:
    """The roster template: one column per field, the first alias as its title."""
    names = list(ALIASES)
    write_template(
        target,
        [ALIASES[n][0] for n in names],
        [TEMPLATE_EXAMPLE.get(n, "") for n in names],
    )


# --- background jobs --------------------------------------------------------


def save_upload(upload: Any) -> Received:
    """Receive an uploaded roster through the upload guard (``core.uploads``) for its job;
    the job deletes it when it ends."""
    return spreadsheets.save_upload(upload, prefix="roster-")


def import_job_start(
    *,
    actor: Any,
    org: Org,
    path: str | Path,
    file_name: str,
    dry_run: bool = False,
    enqueue: bool = True,
    keep_upload: bool = False,
) -> ImportJob:
    """Record an import job for ``path`` and enqueue it once the job row is committed. The
    page polls the job for progress; a preview (``dry_run``) writes nothing but the counts.
    The upload is deleted when the job ends, unless ``keep_upload`` (the page's preview,
    whose file the confirmed run reads; the retention purge deletes it at the latest)."""
    from .tasks import import_members_job

    _require(actor, org)
    check_union(org)
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind="members",
            org=org,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            file_name=file_name[:255],
            file_path=str(path),
            dry_run=dry_run,
            keep_upload=keep_upload,
        )
        if enqueue:
            transaction.on_commit(lambda: import_members_job.enqueue(job.pk))
    return job


def import_jobs_visible_to(user: Any) -> Any:
    """Member import jobs of the user's subtree, newest first."""
    return ImportJob.objects.visible_to(user).filter(kind="members").select_related("org")
