"""Reading and writing the spreadsheets users keep (CSV, XLSX, XLS, ODS).

``open_sheet(path, aliases=..., required=...)`` finds the header row among the first rows
(the one that names the most known columns, so a title line or two above it does no harm),
maps each field to its column through the aliases, and streams the data rows with their
spreadsheet row numbers. A file that is not a spreadsheet, is empty, or has no recognisable
header raises ``UnusableFile`` with a message for the user.

``write_errors`` writes the rejected rows back as XLSX: the original columns, the original row
number (``原行号``) and the reason (``错误原因``). The two added columns are not aliases of any
field, so the file, once fixed, imports as it is. Warnings (rows imported with a value not
used as written) go to a second sheet, which an import does not read.

Everything streams: CSV through ``csv.reader``, workbooks through python-calamine's
``iter_rows``, the errors file through xlsxwriter's ``constant_memory`` mode. Every file
opened passes the upload guard first (``core.uploads``): a workbook's archive is checked
before calamine reads it, and rows are counted as they stream, refused past the limit.

``rows_to_csv`` neutralises formulas: a text cell starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return is written with a leading ``'`` (OWASP's advice for CSV injection),
while real numbers — ``-12.5`` as a number — stay numbers.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import compress, islice
from pathlib import Path
from typing import IO, Any

import python_calamine
import xlsxwriter
from django.utils.translation import gettext as _

from . import uploads

ROW_NUMBER_HEADER = "原行号"
REASON_HEADER = "错误原因"
HEADER_SCAN_ROWS = 20
_SNIFF_BYTES = 64 * 1024
# "身份证号(必填)", "*姓名", "入会日期(YYYY-MM-DD)", "手机号:" all name the same column.
_HEADER_NOISE = re.compile(r"[\s*＊:：]|[(（\[【].*?[)）\]】]")


# Not a spreadsheet, empty, no recognisable header, or past an upload limit: nothing can be
# imported. One class with the upload guard's refusals, so every caller catches both.
UnusableFile = uploads.UploadRefused


def header_key(text: Any) -> str:
    """How a header cell is compared with the aliases: NFKC, no spaces, marks or hints."""
    folded = unicodedata.normalize("NFKC", "" if text is None else str(text))
    return _HEADER_NOISE.sub("", folded).lower()


def cell_text(value: Any) -> str:
    """A cell as the user would read it: ``13800138000.0`` → ``13800138000``, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


@dataclass
class Sheet:
    """An opened spreadsheet: the header and a one-pass iterator over its data rows."""

    file_name: str
    header: list[str]
    header_row: int  # 1-based row number of the header in the spreadsheet
    columns: dict[str, int]  # field → column index
    unknown: list[str]  # header cells that name no field (kept in the errors file)
    rows: Iterator[tuple[int, list[Any]]] = field(repr=False)  # (row number, cells)
    # ``batches`` of the same rows (the sheet is read once: by ``rows`` or by ``batches``)
    _batches: Callable[[int], Iterator[tuple[list[int], list[list[Any]]]]] | None = field(
        default=None, repr=False
    )

    def batches(self, size: int) -> Iterator[tuple[list[int], list[list[Any]]]]:
        """The data rows ``size`` at a time as (row numbers, cells): what ``rows`` yields,
        read in slices and tested for blank rows a whole batch at a time (C calls only when
        no row is blank), for a reader of many rows (the roster import)."""
        if self._batches is not None:
            return self._batches(size)
        return self._rows_in_batches(size)

    def _rows_in_batches(self, size: int) -> Iterator[tuple[list[int], list[list[Any]]]]:
        while batch := list(islice(self.rows, size)):
            yield [n for n, _c in batch], [c for _n, c in batch]

    def label(self, name: str) -> str:
        """The user's own header text of a field (for error messages)."""
        index = self.columns.get(name)
        return self.header[index] if index is not None else name


def _kind(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "zip"  # xlsx, xlsm, ods
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"  # xls
    return "text"


def _decode_csv(path: Path) -> IO[str]:
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if b"\x00" in head:
        raise UnusableFile(_("文件不是表格（CSV 或 Excel）"))
    encoding = "utf-8-sig"
    try:
        # a multi-byte character cut at the sniff boundary is not an encoding error
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        encoding = "gb18030"  # what Excel in Chinese Windows saves as "CSV"
        try:
            codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        except UnicodeDecodeError as exc:
            raise UnusableFile(_("无法识别文件的文字编码，请另存为 UTF-8 CSV 或 XLSX")) from exc
    return path.open(encoding=encoding, errors="replace", newline="")


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    with _decode_csv(path) as fh:
        sample = fh.read(8192)
        fh.seek(0)
        first = sample.splitlines()[0] if sample else ""
        delimiter = max(",\t;", key=first.count) if first else ","
        yield from csv.reader(fh, delimiter=delimiter)


def _workbook_rows(path: Path) -> Iterator[list[Any]]:
    try:
        workbook = python_calamine.load_workbook(str(path))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except Exception as exc:  # calamine raises its own errors and plain ones for bad zips
        raise UnusableFile(_("无法读取该 Excel 文件：%(e)s") % {"e": str(exc)[:200]}) from exc
    yield from rows


def iter_raw_rows(path: str | Path) -> Iterator[list[Any]]:
    """Every row of the first sheet (or of the CSV), cells as read."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise UnusableFile(_("无法打开文件：%(e)s") % {"e": exc.strerror or exc}) from exc
    if not head:
        raise UnusableFile(_("文件是空的"))
    kind = _kind(head)
    if kind == "zip":
        uploads.check_archive(path)  # before calamine inflates anything
    rows = _workbook_rows(path) if kind in ("zip", "ole") else _csv_rows(path)
    return uploads.limit_rows(rows)


def _blank(cells: list[Any]) -> bool:
    try:
        return not "".join(cells).strip()  # a CSV row: all text, the fast path
    except TypeError:
        return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _blank_flags(rows: list[list[Any]]) -> list[bool] | None:
    """None when no row is blank (the common case, tested by C calls only), else whether
    each row is kept (not blank)."""
    try:
        if all(map(str.strip, map("".join, rows))):
            return None
    except TypeError:  # a cell that is not text (a workbook's number or date)
        pass
    return [not _blank(cells) for cells in rows]


def open_sheet(
    path: str | Path,
    *,
    aliases: Mapping[str, Iterable[str]],
    required: Iterable[str] = (),
    file_name: str = "",
) -> Sheet:
    """Open a spreadsheet and find its header (see module docstring).

    ``aliases`` maps each field to the header texts that name it; ``required`` fields must
    have a column, else the file is unusable (and the message lists what is missing)."""
    lookup: dict[str, str] = {}
    for name, texts in aliases.items():
        for text in (name, *texts):
            lookup.setdefault(header_key(text), name)
    raw = iter_raw_rows(path)
    scanned: list[tuple[int, list[Any]]] = []
    best: tuple[int, int] = (0, -1)  # (fields matched, index in scanned)
    for number, cells in enumerate(raw, start=1):
        scanned.append((number, cells))
        matched = len({lookup[k] for k in map(header_key, cells) if k in lookup})
        if matched > best[0]:
            best = (matched, len(scanned) - 1)
        if len(scanned) >= HEADER_SCAN_ROWS:
            break
    if not scanned or all(_blank(cells) for _n, cells in scanned):
        raise UnusableFile(_("文件中没有任何数据"))
    required = list(required)
    if best[1] < 0 or best[0] < min(2, len(lookup)):
        wanted = "、".join(next(iter(aliases[name]), name) for name in required) or "—"
        raise UnusableFile(_("找不到表头行：前 %(n)d 行里没有可识别的列名(需要 %(cols)s 等列)")
                           % {"n": HEADER_SCAN_ROWS, "cols": wanted})  # fmt: skip
    header_row, header_cells = scanned[best[1]]
    header = [cell_text(c).strip() for c in header_cells]
    columns: dict[str, int] = {}
    unknown: list[str] = []
    for index, text in enumerate(header):
        field_name = lookup.get(header_key(text))
        if field_name is None:
            if text:
                unknown.append(text)
        else:
            columns.setdefault(field_name, index)  # the first of two same-named columns wins
    missing = [name for name in required if name not in columns]
    if missing:
        labels = "、".join(next(iter(aliases[name]), name) for name in missing)
        raise UnusableFile(_("缺少必需的列：%(cols)s") % {"cols": labels})

    def data_rows() -> Iterator[tuple[int, list[Any]]]:
        for number, cells in scanned[best[1] + 1 :]:
            if not _blank(cells):
                yield number, cells
        for number, cells in enumerate(raw, start=len(scanned) + 1):
            if not _blank(cells):
                yield number, cells

    def batches(size: int) -> Iterator[tuple[list[int], list[list[Any]]]]:
        rest = [(n, cells) for n, cells in scanned[best[1] + 1 :] if not _blank(cells)]
        for at in range(0, len(rest), size):
            yield [n for n, _c in rest[at : at + size]], [c for _n, c in rest[at : at + size]]
        number = len(scanned) + 1  # of the next row read
        while read := list(islice(raw, size)):
            numbers = list(range(number, number + len(read)))
            number += len(read)
            flags = _blank_flags(read)
            if flags is not None:
                numbers, read = list(compress(numbers, flags)), list(compress(read, flags))
            if read:
                yield numbers, read

    return Sheet(
        file_name=file_name or Path(path).name,
        header=header,
        header_row=header_row,
        columns=columns,
        unknown=unknown,
        rows=data_rows(),
        _batches=batches,
    )


WARNING_HEADER = ("原行号", "列", "填写的内容", "处理方式")


def write_errors(
    target: str | Path | IO[bytes],
    header: list[str],
    rows: Iterable[tuple[int, list[Any], str]],
    *,
    warnings: Iterable[tuple[int, str, str, str]] = (),
) -> None:
    """The result workbook as XLSX. First sheet, the rejected rows: original columns, then
    ``原行号`` and ``错误原因`` (the sheet an import reads, so the fixed file imports as it is).
    Second sheet, when there are ``warnings`` (row number, column, value, what was done): the
    rows imported with a value that was not used as written.

    Every cell is written as text, so ID numbers and phones keep every digit and a fixed
    file reads back exactly as typed."""
    width = len(header)
    workbook = xlsxwriter.Workbook(
        target if not isinstance(target, Path) else str(target),
        {"constant_memory": True, "strings_to_numbers": False, "in_memory": False},
    )
    sheet = workbook.add_worksheet(_("未导入的行"))
    bold = workbook.add_format({"bold": True})
    text = workbook.add_format({"num_format": "@"})
    sheet.set_column(0, width + 1, 16, text)
    sheet.set_column(width + 1, width + 1, 60, text)
    for col, title in enumerate([*header, ROW_NUMBER_HEADER, REASON_HEADER]):
        sheet.write_string(0, col, title, bold)
    for out_row, (number, cells, reason) in enumerate(rows, start=1):
        for col in range(width):
            value = cells[col] if col < len(cells) else None
            if value is not None and value != "":
                sheet.write_string(out_row, col, cell_text(value))
        sheet.write_number(out_row, width, number)
        sheet.write_string(out_row, width + 1, reason)
    sheet.freeze_panes(1, 0)
    warned = iter(warnings)
    first = next(warned, None)
    if first is not None:
        notes = workbook.add_worksheet(_("导入提示"))
        notes.set_column(0, 0, 10)
        notes.set_column(1, 2, 20, text)
        notes.set_column(3, 3, 50, text)
        for col, title in enumerate(WARNING_HEADER):
            notes.write_string(0, col, title, bold)
        for out_row, (number, column, value, action) in enumerate((first, *warned), start=1):
            notes.write_number(out_row, 0, number)
            notes.write_string(out_row, 1, column)
            notes.write_string(out_row, 2, value)
            notes.write_string(out_row, 3, action)
        notes.freeze_panes(1, 0)
    workbook.close()


def write_template(
    target: str | Path | IO[bytes],
    header: list[str],
    example: list[str],
    sheet_name: str = "",
) -> None:
    """An empty template: the header, one example row, every column formatted as text."""
    workbook = xlsxwriter.Workbook(
        target if not isinstance(target, Path) else str(target), {"in_memory": True}
    )
    sheet = workbook.add_worksheet(sheet_name or _("名册"))
    bold = workbook.add_format({"bold": True})
    text = workbook.add_format({"num_format": "@"})
    sheet.set_column(0, len(header) - 1, 18, text)
    for col, title in enumerate(header):
        sheet.write_string(0, col, title, bold)
    for col, value in enumerate(example):
        sheet.write_string(1, col, value)
    workbook.close()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_rejected(path: str | Path, key_aliases: Iterable[str], limit: int) -> list[dict[str, str]]:
    """The first ``limit`` rows of a ``write_errors`` file as an import's result page lists
    them: the original row number, the cell of the column named by one of ``key_aliases``
    (the row's name or number, so the user finds it), and the reason."""
    if not Path(path).exists():
        return []
    rows = iter_raw_rows(path)
    header = [header_key(h) for h in next(rows, [])]
    keys = {header_key(a) for a in key_aliases}
    key_at = next((i for i, h in enumerate(header) if h in keys), None)
    out: list[dict[str, str]] = []
    for cells in rows:
        if len(out) >= limit:
            break
        key = cells[key_at] if key_at is not None and key_at < len(cells) else None
        out.append(
            {
                "row": cell_text(cells[-2]) if len(cells) >= 2 else "",
                "key": cell_text(key),
                "reason": cell_text(cells[-1]) if cells else "",
            }
        )
    return out


def read_warnings(path: str | Path, limit: int) -> list[dict[str, str]]:
    """The first ``limit`` warnings of a ``write_errors`` file (its second sheet): row
    number, column, value and what was done; none when the file has no such sheet."""
    if not Path(path).exists():
        return []
    try:
        workbook = python_calamine.load_workbook(str(path))
        if len(workbook.sheet_names) < 2:
            return []
        rows = workbook.get_sheet_by_index(1).iter_rows()
    except Exception:  # calamine's own errors: a file we did not write
        return []
    next(rows, None)
    out: list[dict[str, str]] = []
    for cells in rows:
        if len(out) >= limit:
            break
        row, column, value, action = (cell_text(c) for c in [*cells, "", "", "", ""][:4])
        out.append({"row": row, "column": column, "value": value, "action": action})
    return out


def save_upload(upload: Any, *, prefix: str) -> uploads.Received:
    """An uploaded spreadsheet received through the upload guard (``core.uploads.receive``)
    into a 0600 file under the data dir; the caller removes it when its job is done."""
    return uploads.receive(upload, allowed=uploads.SPREADSHEET_TYPES, prefix=prefix)


def write_rows(
    target: str | Path | IO[bytes],
    sheet_name: str,
    header: list[str],
    rows: Iterable[Iterable[Any]],
    *,
    width: int = 16,
) -> int:
    """A list as one XLSX sheet: a bold, frozen header, then the rows; returns their count.
    Numbers (not booleans) are written as numbers, so Excel can sum them; everything else as
    text (``cell_text``), so ID numbers and phones keep every digit. ``constant_memory``: a
    hundred thousand rows cost a few rows of memory — also into a ``BytesIO``, where only the
    finished (compressed) file is held: xlsxwriter's ``in_memory`` would override
    ``constant_memory`` and keep every cell (about 1 GB per two million cells)."""
    workbook = xlsxwriter.Workbook(
        str(target) if isinstance(target, Path) else target,
        {"constant_memory": True, "in_memory": False},
    )
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    sheet.set_column(0, len(header) - 1, width)
    sheet.write_row(0, 0, header, bold)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                sheet.write_number(count, col, float(value))
            else:
                sheet.write_string(count, col, cell_text(value))
    workbook.close()
    return count


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A cell as CSV text that no spreadsheet runs as a formula: text starting with ``=``,
    ``+``, ``-``, ``@``, tab or CR gets a leading ``'`` (OWASP); a number stays a number."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return cell_text(value)
    text = cell_text(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def rows_to_csv(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """CSV lines (UTF-8 with BOM first, so Excel opens Chinese text right), for streaming;
    every cell through ``csv_cell``, so no cell is a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(c) for c in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
