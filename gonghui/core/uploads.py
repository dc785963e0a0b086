"""The one guard every uploaded file goes through, and the files the program keeps.

Every upload — a roster, the hotline's transfer sheet, a later module's attachment — is
received by ``receive``: copied in blocks into a 0600 file under the data dir while its bytes
are counted (refused past ``GONGHUI_UPLOAD_MAX_MB``), its type read from its first bytes
(magic) and checked against its extension, and, for a zip-based workbook (XLSX, ODS), its
archive checked by ``check_archive`` before anything parses it:

- the sizes in the zip's central directory: the total inflated size
  (``GONGHUI_UPLOAD_MAX_INFLATED_MB``) and the compression ratio (``GONGHUI_UPLOAD_MAX_RATIO``);
- then every member inflated as a stream, block by block, counting what really comes out (a
  directory that lies about sizes is caught here: Python's zipfile stops at the declared size
  and the CRC check fails) and counting the worksheets' ``<row`` elements
  (``GONGHUI_UPLOAD_MAX_ROWS``).

python-calamine reads a whole sheet into memory before the first row is seen, so these checks
must come first; ``core.spreadsheets.iter_raw_rows`` runs them for every workbook it opens (so
the command line is guarded too) and counts CSV rows while streaming them.

Refusals are ``UploadRefused`` (an ``InvalidInput`` on the field ``file``) with a message in
Chinese that names the limit and says what to do.

``StoredFile`` rows (``store``) are the kept attachments: sha256, owner org, purpose,
retention date, a 0600 file under ``<data dir>/files``; ``purge_expired`` (the hourly
housekeeping) deletes what has passed its retention, import uploads and result workbooks
included.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import uuid
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import InvalidInput

BLOCK = 1024 * 1024
# below this inflated size an archive's ratio does not matter: a small file of one repeated
# value compresses very well and harms nobody
RATIO_FLOOR = 32 * 1024 * 1024

# extension → the kind its first bytes must show
SPREADSHEET_TYPES: dict[str, str] = {
    ".csv": "text",
    ".txt": "text",
    ".xlsx": "zip",
    ".xlsm": "zip",
    ".ods": "zip",
    ".xls": "ole",
}
ATTACHMENT_TYPES: dict[str, str] = {
    ".pdf": "pdf",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".gif": "gif",
    ".webp": "riff",
    ".wav": "riff",
    ".mp3": "mp3",
    ".amr": "amr",
    ".m4a": "mp4",
    ".docx": "zip",
    ".xlsx": "zip",
    ".doc": "ole",
    ".xls": "ole",
    ".txt": "text",
}


class UploadRefused(InvalidInput):
    """An upload over a limit, of the wrong type, or damaged: nothing was kept or parsed."""

    def __init__(self, message: str) -> None:
        super().__init__([{"field": "file", "message": message}], detail=message)


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_inflated: int
    max_ratio: int
    max_rows: int
    max_cells: int
    inline_bytes: int

    @classmethod
    def current(cls) -> Limits:
        return cls(
            max_bytes=settings.UPLOAD_MAX_BYTES,
            max_inflated=settings.UPLOAD_MAX_INFLATED_BYTES,
            max_ratio=settings.UPLOAD_MAX_RATIO,
            max_rows=settings.UPLOAD_MAX_ROWS,
            max_cells=settings.UPLOAD_MAX_CELLS,
            inline_bytes=settings.UPLOAD_INLINE_BYTES,
        )


def _size(n: int) -> str:
    if n >= 1024**3 and n % 1024**3 == 0:
        return f"{n // 1024**3} GB"
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} MB"
    return f"{max(1, n // 1024)} KB"


SPLIT = "请拆分为多个文件后分别导入"


def too_many_bytes(limit: int) -> UploadRefused:
    return UploadRefused(
        _("文件超过 %(limit)s 的大小上限，%(what)s。") % {"limit": _size(limit), "what": _(SPLIT)}
    )


def too_many_rows(limit: int) -> UploadRefused:
    return UploadRefused(
        _("文件超过 %(limit)s 行的上限，%(what)s。") % {"limit": f"{limit:,}", "what": _(SPLIT)}
    )


def too_inflated(limit: int) -> UploadRefused:
    return UploadRefused(
        _("文件解压后超过 %(limit)s，%(what)s。") % {"limit": _size(limit), "what": _(SPLIT)}
    )


def damaged() -> UploadRefused:
    return UploadRefused(
        _("无法读取该 Excel 文件：文件已损坏；请用 Excel 打开后另存为 XLSX 再上传。")
    )


# --- type --------------------------------------------------------------------------------


def sniff(head: bytes) -> str:
    """The kind of a file from its first bytes."""
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF"):
        return "riff"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "mp3"
    if head.startswith(b"#!AMR"):
        return "amr"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head and b"\x00" not in head:
        return "text"
    return "unknown"


def _labels(allowed: Mapping[str, str]) -> str:
    return "、".join(sorted({ext.lstrip(".").upper() for ext in allowed}))


def check_type(head: bytes, name: str, allowed: Mapping[str, str]) -> str:
    """The extension of ``name`` must be one of ``allowed`` and agree with the first bytes."""
    ext = Path(name or "").suffix.lower()
    if ext not in allowed:
        raise UploadRefused(
            _("不支持的文件类型（%(ext)s），请上传 %(allowed)s 文件。")
            % {"ext": ext or _("无扩展名"), "allowed": _labels(allowed)}
        )
    if not head:
        raise UploadRefused(_("文件是空的。"))
    if sniff(head) != allowed[ext]:
        raise UploadRefused(
            _("文件内容与扩展名 %(ext)s 不符，请用 Excel 打开后另存为 %(allowed)s 再上传。")
            % {"ext": ext, "allowed": _labels(allowed)}
        )
    return allowed[ext]


# --- archives (XLSX, ODS) ------------------------------------------------------------------

_XLSX_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_ODS_CONTENT = "content.xml"


def check_archive(path: str | Path, limits: Limits | None = None, *, stream: bool = True) -> None:
    """Refuse a zip whose inflated size, ratio, rows or cells pass the limits: from the
    central directory first, then (``stream``) by inflating every member block by block,
    scanning the worksheets as they come (see module doc and ``SheetScan``). Without
    ``stream`` only the directory is read: what the request does before handing a large file
    to the worker, which streams it before parsing."""
    limits = limits or Limits.current()
    path = Path(path)
    on_disk = max(1, path.stat().st_size)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            declared = sum(info.file_size for info in members)
            if declared > limits.max_inflated:
                raise too_inflated(limits.max_inflated)
            _check_ratio(declared, on_disk, limits)
            if not stream:
                return
            inflated = 0
            for info in members:
                scan: SheetScan | None = None
                if _XLSX_SHEET.match(info.filename):
                    scan = XlsxScan(limits)
                elif info.filename == _ODS_CONTENT:
                    scan = OdsScan(limits)
                with archive.open(info) as member:
                    while block := member.read(BLOCK):
                        inflated += len(block)
                        if inflated > limits.max_inflated:
                            raise too_inflated(limits.max_inflated)
                        if scan is not None:
                            scan.feed(block)
                if scan is not None:
                    scan.close()
            _check_ratio(inflated, on_disk, limits)
    except UploadRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise damaged() from exc
    except (OSError, ValueError, RuntimeError) as exc:  # bad compression data, encrypted
        raise damaged() from exc


def too_many_cells(limit: int, rows: int, cols: int) -> UploadRefused:
    return UploadRefused(
        _(
            "表格范围超过 %(limit)s 个单元格（%(rows)s 行 × %(cols)s 列），"
            "请删除多余的行和列，或拆分为多个文件后分别导入。"
        )
        % {"limit": f"{limit:,}", "rows": f"{rows:,}", "cols": f"{cols:,}"}
    )


class SheetScan:
    """Reads a worksheet's XML as it inflates and refuses it once the sheet python-calamine
    would build passes the limits: calamine allocates a rectangle from the first to the last
    cell (height × width), so a few far-apart or repeated cells are a bomb of their own. Tags
    cut at a block's edge are carried over to the next block."""

    CARRY = 64 * 1024

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.carry = b""

    def feed(self, block: bytes) -> None:
        data = self.carry + block
        cut = data.rfind(b">") + 1
        self.carry = data[cut:]
        if len(self.carry) > self.CARRY:
            raise damaged()
        self.scan(data[:cut])

    def close(self) -> None:
        self.scan(self.carry)
        self.carry = b""

    def scan(self, data: bytes) -> None:
        raise NotImplementedError

    def check(self, rows: int, cols: int, cells: int = 0) -> None:
        if rows > self.limits.max_rows + 1:  # + the header row
            raise too_many_rows(self.limits.max_rows)
        if max(rows * cols, cells) > self.limits.max_cells:
            raise too_many_cells(self.limits.max_cells, rows, cols)


_X_ROW = re.compile(rb"<(?:\w+:)?row\b")
_X_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"(\d+)\"")
_X_CELL = re.compile(rb"<(?:\w+:)?c\b")
_X_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Za-z]+)(\d+)\"")


def _column(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number


class XlsxScan(SheetScan):
    """XLSX: the rows counted, the highest row and column referenced, the cells counted —
    with C-speed ``findall`` over each block, not a loop over every cell."""

    def __init__(self, limits: Limits) -> None:
        super().__init__(limits)
        self.rows = self.max_row = self.max_col = self.cells = 0

    def scan(self, data: bytes) -> None:
        self.rows += len(_X_ROW.findall(data))
        self.cells += len(_X_CELL.findall(data))
        refs = _X_ROW_REF.findall(data)
        if refs:
            self.max_row = max(self.max_row, max(map(int, refs)))
        cells = set(_X_CELL_REF.findall(data))
        if cells:
            self.max_row = max(self.max_row, max(int(row) for _c, row in cells))
            self.max_col = max(self.max_col, max(_column(col) for col in {c for c, _r in cells}))
        self.check(max(self.rows, self.max_row), max(self.max_col, 1), self.cells)


_O_TAG = re.compile(rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)\b([^>]*)>")
_O_ROWS = re.compile(rb'table:number-rows-repeated="(\d+)"')
_O_COLS = re.compile(rb'table:number-columns-repeated="(\d+)"')


class OdsScan(SheetScan):
    """ODS: rows and cells with their ``number-rows-repeated`` / ``number-columns-repeated``
    multiplied out as calamine does — empty rows and cells only count once data follows
    them (LibreOffice pads every sheet with a million empty repeated rows)."""

    def __init__(self, limits: Limits) -> None:
        super().__init__(limits)
        self.done_cells = 0  # earlier tables' rectangles
        self._table()

    def _table(self) -> None:
        self.rows = self.pending_rows = self.width = 0
        self._row(1)

    def _row(self, repeat: int) -> None:
        self.repeat, self.row_width, self.pending_cols, self.row_data = repeat, 0, 0, False

    def _end_row(self) -> None:
        if self.row_data:
            self.rows += self.pending_rows + self.repeat
            self.pending_rows = 0
            self.width = max(self.width, self.row_width)
            self.check(self.rows, self.width, self.done_cells + self.rows * self.width)
        else:
            self.pending_rows += self.repeat

    def scan(self, data: bytes) -> None:
        for closing, name, attrs in _O_TAG.findall(data):
            empty = attrs.endswith(b"/")
            if name == b"table":
                if closing:
                    self.done_cells += self.rows * self.width
                else:
                    self._table()
            elif name == b"table-row":
                if closing:
                    self._end_row()
                else:
                    found = _O_ROWS.search(attrs)
                    self._row(int(found.group(1)) if found else 1)
                    if empty:
                        self._end_row()
            elif not closing:  # a cell
                found = _O_COLS.search(attrs)
                repeat = int(found.group(1)) if found else 1
                if empty and b"office:value-type" not in attrs:
                    self.pending_cols += repeat
                else:
                    self.row_width += self.pending_cols + repeat
                    self.pending_cols = 0
                    self.row_data = True


def _check_ratio(inflated: int, on_disk: int, limits: Limits) -> None:
    if inflated > RATIO_FLOOR and inflated / on_disk > limits.max_ratio:
        raise UploadRefused(
            _(
                "文件解压后是原文件的 %(ratio)d 倍，超过 %(max)d 倍的上限，"
                "不像正常的表格；请用 Excel 打开后另存为 XLSX 或 CSV 再上传。"
            )
            % {"ratio": inflated // on_disk, "max": limits.max_ratio}
        )


def limit_rows(rows: Iterator[Any], limit: int | None = None) -> Iterator[Any]:
    """The rows as they stream, refused (``UploadRefused``) once past ``limit`` + one header
    row: nothing beyond the limit is ever read."""
    limit = Limits.current().max_rows if limit is None else limit
    rows = iter(rows)
    # the rows within the limit pass by C iterators only (no Python frame per row)
    return chain(islice(rows, limit + 1), _refuse_more(rows, limit))


def _refuse_more(rows: Iterator[Any], limit: int) -> Iterator[Any]:
    for _row in rows:
        raise too_many_rows(limit)
    yield from ()


# --- receiving ------------------------------------------------------------------------------


def private_dir(*parts: str) -> Path:
    """A folder under the data dir, created 0700 (and made so if it was not)."""
    folder = Path(settings.DATA_DIR).joinpath(*parts)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def uploads_dir() -> Path:
    """Where uploads wait for their job (deleted after it, or after the retention)."""
    return private_dir("uploads")


@dataclass(frozen=True)
class Received:
    path: Path
    name: str
    size: int
    sha256: str
    kind: str

    @property
    def inline(self) -> bool:
        """Small enough to handle inside the request; larger files go to the worker."""
        return self.size <= settings.UPLOAD_INLINE_BYTES


def receive(
    upload: Any,
    *,
    allowed: Mapping[str, str] = SPREADSHEET_TYPES,
    prefix: str = "upload-",
    folder: Path | None = None,
    limits: Limits | None = None,
) -> Received:
    """Copy an uploaded file (Django's ``UploadedFile`` or any binary file object) into a
    0600 file under the data dir through the guard (module docstring); the caller deletes it
    when its job is done. Refused uploads leave nothing behind."""
    limits = limits or Limits.current()
    name = str(getattr(upload, "name", "") or "")
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > limits.max_bytes:
        raise too_many_bytes(limits.max_bytes)
    folder = folder or uploads_dir()
    suffix = Path(name).suffix.lower()[:8]
    handle, target = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    path = Path(target)
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        with os.fdopen(handle, "wb") as out:
            if hasattr(upload, "seek"):
                upload.seek(0)
            blocks = upload.chunks(BLOCK) if hasattr(upload, "chunks") else _blocks(upload)
            for block in blocks:
                size += len(block)
                if size > limits.max_bytes:
                    raise too_many_bytes(limits.max_bytes)
                if len(head) < 64:
                    head += block[: 64 - len(head)]
                digest.update(block)
                out.write(block)
        kind = check_type(head, name, allowed)
        if kind == "zip" and suffix in SPREADSHEET_TYPES:
            # the directory only: cheap enough for the request; the worker (or the import
            # of a small file) streams the archive before parsing it
            check_archive(path, limits, stream=False)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Received(
        path=path, name=name or path.name, size=size, sha256=digest.hexdigest(), kind=kind
    )


def _blocks(stream: IO[bytes]) -> Iterator[bytes]:
    while block := stream.read(BLOCK):
        yield block


# --- kept files ----------------------------------------------------------------------------


def store(
    *,
    actor: Any,
    org: Any,
    upload: Any,
    purpose: str,
    retain_days: int,
    allowed: Mapping[str, str] = ATTACHMENT_TYPES,
    limits: Limits | None = None,
) -> Any:
    """Keep an uploaded file for ``retain_days`` as a ``StoredFile`` of ``org``: through the
    guard (``limits``: a module's own, smaller ones), 0600 under
    ``<data dir>/files/<purpose>``, with its sha256; one audit row."""
    from . import audit
    from .models import StoredFile

    folder = private_dir("files", re.sub(r"[^a-z0-9_-]", "", purpose.lower()) or "misc")
    received = receive(upload, allowed=allowed, prefix="", folder=folder, limits=limits)
    final = folder / f"{uuid.uuid4().hex}{received.path.suffix}"
    received.path.rename(final)
    try:
        with transaction.atomic():
            item = StoredFile.objects.create(
                org=org,
                purpose=purpose[:32],
                name=received.name[-200:],
                size=received.size,
                sha256=received.sha256,
                kind=received.kind,
                path=str(final.relative_to(Path(settings.DATA_DIR))),
                retain_until=timezone.now() + timedelta(days=retain_days),
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            audit.record(
                actor=actor,
                action="file.store",
                object_type="file",
                object_id=item.pk,
                object_org=org,
                object_repr=item.name,
                changes={"sha256": {"before": None, "after": item.sha256}},
                note=purpose,
            )
    except BaseException:
        final.unlink(missing_ok=True)
        raise
    return item


def remove(path: str | Path | None) -> None:
    """Delete a file the program wrote, if it is still there."""
    if path:
        Path(path).unlink(missing_ok=True)


def purge_expired(now: Any = None) -> dict[str, int]:
    """Delete what has passed its retention: import uploads (``GONGHUI_UPLOAD_RETENTION_HOURS``
    after their job was created), result workbooks (``GONGHUI_RESULT_RETENTION_DAYS`` after
    their job finished), stray files in the uploads folder, and expired ``StoredFile``s.
    Safe to run twice: it deletes only what is due and forgets what it deleted."""
    from .models import ImportJob, StoredFile

    now = now or timezone.now()
    upload_cutoff = now - timedelta(hours=settings.UPLOAD_RETENTION_HOURS)
    result_cutoff = now - timedelta(days=settings.RESULT_RETENTION_DAYS)
    counts = {"uploads": 0, "results": 0, "stray": 0, "stored": 0}
    # ``file_path`` stays: it ties a preview to its confirmed run
    for pk, file_path in (
        ImportJob.objects.filter(created_at__lt=upload_cutoff, file_removed_at__isnull=True)
        .exclude(file_path="")
        .values_list("pk", "file_path")
    ):
        remove(file_path)
        ImportJob.objects.filter(pk=pk).update(file_removed_at=now)
        counts["uploads"] += 1
    for pk, errors_file in (
        ImportJob.objects.filter(finished_at__lt=result_cutoff)
        .exclude(errors_file="")
        .values_list("pk", "errors_file")
    ):
        remove(errors_file)
        ImportJob.objects.filter(pk=pk).update(errors_file="")
        counts["results"] += 1
    stray_cutoff = upload_cutoff.timestamp()
    for folder in (uploads_dir(), Path(settings.MEDIA_ROOT) / "imports"):
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if entry.is_file() and entry.stat().st_mtime < min(
                stray_cutoff, result_cutoff.timestamp()
            ):
                entry.unlink(missing_ok=True)
                counts["stray"] += 1
    for item in StoredFile.objects.filter(retain_until__lt=now, purged_at__isnull=True):
        remove(Path(settings.DATA_DIR) / item.path)
        StoredFile.objects.filter(pk=item.pk).update(purged_at=now)
        counts["stored"] += 1
    return counts
