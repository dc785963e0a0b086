"""Roster export: scope, masking, the audit of a full-value export, both formats."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import python_calamine

from gonghui.core.errors import Forbidden, InvalidInput
from gonghui.core.identifiers import citizen_id_check_char
from gonghui.core.models import AuditEntry
from gonghui.members.exporting import export_csv_stream, export_members
from gonghui.members.services import member_create

from .conftest import People, Tree

WANG = "37170219900101123" + citizen_id_check_char("37170219900101123")
LI = "37172119850615224" + citizen_id_check_char("37172119850615224")


def two_members(people: People, tree: Tree) -> None:
    member_create(
        actor=people.clerk_a,
        org=tree.union_a,
        data={"name": "王强", "id_number": WANG, "phone": "13800138000", "joined_on": "2015-03-01"},
    )
    member_create(
        actor=people.cadre_b,
        org=tree.union_b,
        data={"name": "李娜", "id_number": LI, "joined_on": "2016-01-01"},
    )


def xlsx_rows(path: Path) -> list[list[str]]:
    sheet = python_calamine.load_workbook(str(path)).get_sheet_by_index(0)
    return [[str(c) for c in row] for row in sheet.iter_rows()]


def test_clerk_export_is_masked_scoped_and_not_audited(
    people: People, tree: Tree, tmp_path: Path
) -> None:
    two_members(people, tree)
    out = tmp_path / "m.xlsx"
    assert export_members(people.clerk_a, out) == 1
    rows = xlsx_rows(out)
    assert rows[0][:6] == ["姓名", "性别", "民族", "身份证号", "出生日期", "手机号"]
    assert rows[1][:6] == [
        "王强",
        "男",
        "",
        "*" * 14 + WANG[-4:],
        "1990年",  # beside the ID's tail a full birth date narrows the number
        "138****8000",
    ]
    assert rows[1][-4:] == ["2015-03-01", "在会", "G-A-0001", "甲公司工会"]
    assert len(rows) == 2
    assert AuditEntry.objects.filter(action="member.export").count() == 0


def test_cadre_default_export_is_masked(people: People, tree: Tree, tmp_path: Path) -> None:
    two_members(people, tree)
    out = tmp_path / "m.xlsx"
    assert export_members(people.cadre_a, out) == 1
    rows = xlsx_rows(out)
    assert (rows[1][3], rows[1][4], rows[1][5]) == ("*" * 14 + WANG[-4:], "1990年", "138****8000")
    assert WANG not in str(rows)
    assert AuditEntry.objects.filter(action="member.export").count() == 0


def test_full_export_needs_the_right_and_a_purpose(
    people: People, tree: Tree, tmp_path: Path
) -> None:
    two_members(people, tree)
    out = tmp_path / "m.xlsx"
    # without a purpose: refused, nothing written, nothing audited
    for purpose in ("", "   ", "看看"):
        with pytest.raises(InvalidInput) as exc:
            export_members(people.cadre_a, out, full=True, purpose=purpose)
        assert exc.value.errors[0]["field"] == "purpose"
    assert not out.exists()
    # without the reveal right: refused whatever the purpose
    with pytest.raises(Forbidden):
        export_members(people.clerk_a, out, full=True, purpose="会员实名制核查")
    assert AuditEntry.objects.filter(action="member.export").count() == 0
    assert (
        export_members(
            people.cadre_a, out, q="王", status="active", full=True, purpose="会员实名制核查"
        )
        == 1
    )
    rows = xlsx_rows(out)
    assert (rows[1][3], rows[1][4], rows[1][5]) == (WANG, "1990-01-01", "13800138000")
    entry = AuditEntry.objects.get(action="member.export")
    assert (entry.actor_id, entry.object_org_id, entry.note) == (
        people.cadre_a.pk,
        tree.county_a.pk,
        "会员实名制核查",
    )
    assert entry.changes == {
        "rows": {"before": None, "after": 1},
        "format": {"before": None, "after": "xlsx"},
        "filters": {"before": None, "after": {"q": "王", "org": "", "status": "active"}},
        "purpose": {"before": None, "after": "会员实名制核查"},
    }
    assert WANG not in entry.note and WANG not in str(entry.changes)


def test_other_county_exports_nothing_of_county_a(
    people: People, tree: Tree, tmp_path: Path
) -> None:
    two_members(people, tree)
    out = tmp_path / "b.csv"
    assert export_members(people.cadre_b, out, fmt="csv") == 1
    text = out.read_text(encoding="utf-8")
    assert "王强" not in text and "李娜" in text
    assert export_members(people.cadre_b, tmp_path / "none.csv", fmt="csv", q="王强") == 0


def test_csv_stream_and_member_user(people: People, tree: Tree) -> None:
    two_members(people, tree)
    text = "".join(export_csv_stream(people.clerk_a))
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("姓名,性别,民族,身份证号")
    assert lines[1].startswith(f"王强,男,,**************{WANG[-4:]},1990年,138****8000")
    assert len(lines) == 2
    buffer = io.BytesIO()
    assert export_members(people.lawyer_a, buffer, fmt="csv") == 0
    assert buffer.getvalue().decode().lstrip("\ufeff").splitlines()[1:] == []
