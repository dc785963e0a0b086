"""The roster import's checks over whole columns of a chunk (issue 12, item 3).

``clean_rows(cleaner, rows)`` answers every row exactly as ``RowCleaner.clean`` does (and so
as ``clean_member``), but column by column: each column of the chunk is read once, its
texts looked up in the cleaner's caches of distinct texts by ``map`` (no Python frame per
cell), the citizen IDs checked in one pass, the prepared tuples assembled by one ``zip``.
A row that any column has a doubt about — a cell that is not text, an ID or a mobile not in
the common form, an unreadable or impossible date, a sex the ID contradicts, a short row —
goes to ``RowCleaner.clean`` alone, which settles it (or hands it to ``clean_member``): the
errors and their wording are ``clean_member``'s by construction.
``tests/test_members_import_checks.py`` holds the columnar answers equal to the per-row
ones on generated files of every edge.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import repeat
from typing import Any

from .validation import (
    _CHECK_CHARS,
    _FOURTEEN,
    _NOTHING,
    _ODD,
    _ROW_DEFAULTS,
    Cleaned,
    CleanResult,
    RowCleaner,
    _region_sum,
    _Unsettled,
)

_ID18 = re.compile(r"[0-9]{17}[0-9Xx]", re.ASCII)
_MOBILE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)
_EMPLOYED = _ROW_DEFAULTS["employment"]
_EMPLOYEE = _ROW_DEFAULTS["worker_type"]


def clean_rows(cleaner: RowCleaner, rows: Sequence[list[Any]]) -> list[Cleaned | CleanResult]:
    """``[cleaner.clean(cells) for cells in rows]``, column by column."""
    count = len(rows)
    if not count:
        return []
    out: list[Any] = [None] * count
    width = cleaner._width
    wide = [i for i, cells in enumerate(rows) if len(cells) >= width]
    if len(wide) < count:
        for i in set(range(count)).difference(wide):
            out[i] = cleaner.clean(rows[i])
        if not wide:
            return out
        rows = [rows[i] for i in wide]
    m = len(rows)
    columns = list(zip(*rows, strict=False))  # each column of the chunk once
    bad = bytearray(m)  # rows the per-row path settles
    index = cleaner._index

    # names: each distinct text once (with its pinyin)
    raw_names = columns[index["name"]]  # type: ignore[index]  # required columns
    named: list[Any] = list(map(cleaner._name.get, raw_names))
    for j, got in enumerate(named):
        if got is None:
            try:
                named[j] = cleaner._clean_name(raw_names[j])
            except _Unsettled:
                bad[j] = 1
                named[j] = ("", "", "")

    # citizen IDs: the 18-character form, its birth date and check character
    births, regions, seqs = cleaner._births, cleaner._regions, cleaner._seq
    numbers: list[str] = [""] * m
    born: list[Any] = [None] * m
    sexes: list[str] = [""] * m
    for j, raw in enumerate(columns[index["id_number"]]):  # type: ignore[index]
        if type(raw) is not str:
            bad[j] = 1
            continue
        number = raw.strip()
        if len(number) != 18 or not _ID18.fullmatch(number):
            bad[j] = 1
            continue
        if number[17] == "x":
            number = number.upper()
        digits = number[6:14]
        birth = births.get(digits, _NOTHING)
        if birth is _NOTHING:
            birth = cleaner._birth(digits)
        if birth is None:
            bad[j] = 1
            continue
        region = regions.get(number[:6])
        if region is None:
            region = regions[number[:6]] = _region_sum(number[:6])
        if _CHECK_CHARS[(region + birth[2] + seqs[number[14:17]]) % 11] != number[17]:
            bad[j] = 1
            continue
        numbers[j] = number
        born[j] = birth
        sexes[j] = "M" if number[16] in _ODD else "F"

    # mobiles: 11 digits as typed (a workbook's whole-number cell read as its digits)
    phones: Any = repeat("")
    at = index["phone"]
    if at is not None:
        phones = list(columns[at])
        for j, raw in enumerate(phones):
            if type(raw) is not str:
                if type(raw) is float and raw.is_integer():
                    raw = str(int(raw))
                else:
                    bad[j] = 1
                    continue
            phone = raw.strip()
            if phone and not _MOBILE.fullmatch(phone):
                bad[j] = 1
            phones[j] = phone

    dates, date_of = cleaner._dates, cleaner._date
    # a birth date column must say what the ID says
    at = index["birth_date"]
    if at is not None:
        for j, raw in enumerate(columns[at]):
            if raw is None or (type(raw) is str and not raw.strip()) or bad[j]:
                continue
            given = date_of(raw)
            if given is None or given[0] != born[j][0]:
                bad[j] = 1

    # join dates: given (after the 14th birthday, not after today) or today
    today = cleaner.today
    joined_iso: Any
    if cleaner._joined is None:
        joined_iso = repeat(today.isoformat())
        for j, birth in enumerate(born):
            if birth is not None and today < birth[0] + _FOURTEEN:
                bad[j] = 1
    else:
        raw_joined = columns[cleaner._joined]
        joined_iso = [""] * m
        for j, got in enumerate(map(dates.get, raw_joined, repeat(_NOTHING))):
            if got is _NOTHING:  # the cache holds texts only: any other cell lands here
                got = date_of(raw_joined[j])
            if got is None or bad[j]:
                bad[j] = 1
                continue
            day = got[0]
            if day > today or day < born[j][0] + _FOURTEEN:
                bad[j] = 1
                continue
            joined_iso[j] = got[1]

    # descriptive fields: each distinct text cleaned once, looked up by ``map``
    values: dict[str, Any] = {}
    warning_columns: list[list[Any]] = []
    for field_name, at, cache in cleaner._described:
        raw_column = columns[at]
        got_column = list(map(cache.get, raw_column, repeat(_NOTHING)))
        if _NOTHING in got_column or None in got_column:
            for j, got in enumerate(got_column):
                if got is _NOTHING:  # not seen before this chunk: once per distinct text
                    raw = raw_column[j]
                    got = cache.get(raw, _NOTHING) if type(raw) is str else _NOTHING
                    if got is _NOTHING:
                        got = cleaner._described_value(field_name, raw, cache)
                    got_column[j] = got
                if got is None:
                    bad[j] = 1
                    got_column[j] = ("", None)
        field_values, field_warnings = zip(*got_column, strict=True)
        values[field_name] = field_values
        if any(field_warnings):
            warning_columns.append(list(field_warnings))
    given_sexes = values.get("sex")
    if given_sexes is not None:
        for j, given in enumerate(given_sexes):
            if given and given != sexes[j]:
                bad[j] = 1
    warned: Any = repeat(())
    if warning_columns:
        warned = [
            tuple(w for w in ws if w is not None) for ws in zip(*warning_columns, strict=True)
        ]

    def column(name: str, default: str = "") -> Any:
        found = values.get(name)
        if found is None:
            return repeat(default)
        if default:
            return [v or default for v in found]
        return found

    births_iso = [b[1] if b is not None else "" for b in born]
    assembled = zip(
        sexes,
        column("ethnicity"),
        numbers,
        births_iso,
        column("id_valid_until"),
        column("education"),
        column("employment", _EMPLOYED),
        column("skill_level"),
        phones,
        column("employer_name"),
        column("worker_type", _EMPLOYEE),
        column("model_worker"),
        joined_iso,
        warned,
        strict=False,
    )
    settled = [nm + rest for nm, rest in zip(named, assembled, strict=True)]
    if len(wide) == count:
        out = settled
        for j in _marked(bad):
            out[j] = cleaner.clean(rows[j])
        return out
    for j, i in enumerate(wide):
        out[i] = cleaner.clean(rows[j]) if bad[j] else settled[j]
    return out


def _marked(bad: bytearray) -> list[int]:
    """The positions marked in ``bad`` (found by ``bytes.find``, not a loop over every row)."""
    found = []
    at = bad.find(1)
    while at >= 0:
        found.append(at)
        at = bad.find(1, at + 1)
    return found
