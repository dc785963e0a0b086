"""The spreadsheet kernel: formats, header detection, aliases, the errors file read back."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import xlsxwriter

from gonghui.core.spreadsheets import (
    REASON_HEADER,
    ROW_NUMBER_HEADER,
    UnusableFile,
    cell_text,
    header_key,
    open_sheet,
    write_errors,
)

ALIASES = {
    "name": ("姓名",),
    "id_number": ("身份证号", "身份证号码", "公民身份号码"),
    "phone": ("手机号", "联系电话"),
    "joined_on": ("入会时间", "入会日期"),
}


def read(path: Path) -> tuple[dict[str, int], list[tuple[int, list[object]]], int]:
    sheet = open_sheet(path, aliases=ALIASES, required=("name", "id_number"))
    return sheet.columns, list(sheet.rows), sheet.header_row


def test_header_key_ignores_width_spaces_marks_and_hints() -> None:
    assert header_key(" *身份证号(必填)") == "身份证号"
    assert header_key("入会日期(YYYY-MM-DD)") == "入会日期"
    assert header_key("手机号:") == "手机号"
    assert header_key("Ｎａｍｅ") == "name"


def test_cell_text() -> None:
    assert cell_text(13800138000.0) == "13800138000"
    assert cell_text(1.5) == "1.5"
    assert cell_text(datetime(2020, 1, 5)) == "2020-01-05"
    assert cell_text(date(2020, 1, 5)) == "2020-01-05"
    assert cell_text(None) == ""


def test_csv_with_title_rows_blank_rows_and_aliases(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(
        "甲公司工会会员名册,,,\n"
        "制表日期 2020-09-01,,,\n"
        "序号,*姓名,公民身份号码(必填),联系电话\n"
        "1,王强,11010519491231002X,13800138000\n"
        ",,,\n"
        "2,李娜,110105194912310021,\n",
        encoding="utf-8-sig",
    )
    columns, rows, header_row = read(path)
    assert header_row == 3
    assert columns == {"name": 1, "id_number": 2, "phone": 3}
    assert rows == [
        (4, ["1", "王强", "11010519491231002X", "13800138000"]),
        (6, ["2", "李娜", "110105194912310021", ""]),
    ]


def test_csv_in_gb18030_with_tabs(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes("姓名\t身份证号码\n张伟\t11010519491231002X\n".encode("gb18030"))
    columns, rows, _ = read(path)
    assert columns == {"name": 0, "id_number": 1}
    assert rows == [(2, ["张伟", "11010519491231002X"])]


def test_xlsx_keeps_cell_types(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["姓名", "身份证号", "手机号", "入会日期"])
    sheet.write_row(1, 0, ["王强", "11010519491231002X", 13800138000])
    sheet.write_datetime(1, 3, datetime(2015, 3, 1), dates)
    book.close()
    columns, rows, _ = read(path)
    assert columns == {"name": 0, "id_number": 1, "phone": 2, "joined_on": 3}
    number, cells = rows[0]
    assert number == 2
    assert cells[:3] == ["王强", "11010519491231002X", 13800138000.0]
    assert cell_text(cells[3]) == "2015-03-01"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件是空的"),
        (b"\x00\x01\x02binary\x00", "文件不是表格（CSV 或 Excel）"),
        (b"\n\n\n", "文件中没有任何数据"),
        (b"a,b,c\n1,2,3\n", "找不到表头行"),
        ("姓名,手机号\n王强,13800138000\n".encode(), "缺少必需的列：身份证号"),
        (b"PK\x03\x04not really a zip", "无法读取该 Excel 文件"),
    ],
)
def test_unusable_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(UnusableFile) as caught:
        read(path)
    assert caught.value.detail.startswith(message)
    assert caught.value.errors[0]["field"] == "file"


def test_missing_file_is_unusable(tmp_path: Path) -> None:
    with pytest.raises(UnusableFile):
        read(tmp_path / "nope.csv")


def test_errors_file_keeps_columns_and_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "errors.xlsx"
    header = ["序号", "姓名", "身份证号码", "手机号"]
    write_errors(
        out,
        header,
        [
            (5, ["3", "王强", "11010519491231002X", 13800138000.0], "手机号:无效"),
            (9, ["7", "李娜"], "身份证号码:不能为空"),
        ],
    )
    sheet = open_sheet(out, aliases=ALIASES, required=("name", "id_number"))
    assert sheet.header == [*header, ROW_NUMBER_HEADER, REASON_HEADER]
    assert sheet.columns == {"name": 1, "id_number": 2, "phone": 3}
    assert sheet.unknown == ["序号", ROW_NUMBER_HEADER, REASON_HEADER]
    rows = list(sheet.rows)
    assert [cell_text(c) for c in rows[0][1]] == [
        "3",
        "王强",
        "11010519491231002X",
        "13800138000",
        "5",
        "手机号:无效",
    ]
    assert rows[1][0] == 3
    assert [cell_text(c) for c in rows[1][1]] == ["7", "李娜", "", "", "9", "身份证号码:不能为空"]
