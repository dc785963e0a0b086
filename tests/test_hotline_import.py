"""Import of the provincial transfer-order spreadsheet: header aliases, idempotent by the
provincial number, rejected rows with their row number and reason, the API and its owners."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gonghui.core.models import AuditEntry
from gonghui.core.spreadsheets import UnusableFile
from gonghui.hotline.importing import parse_received_at, ticket_import
from gonghui.hotline.models import Ticket
from gonghui.hotline.services import ticket_create

from .conftest import People, Tree

pytestmark = pytest.mark.django_db

HEADER = ["转办单号", "受理时间", "姓名", "来电号码", "类别", "主题", "内容", "难易程度", "备注"]
ROWS: list[list[Any]] = [
    ["SD12351-2020-000201", datetime.datetime(2020, 5, 6, 9, 30), "王小强", "13853012345",
     "求决类", "0101 拖欠工资", "公司拖欠三个月工资", "难点", "省平台"],
    ["SD12351-2020-000202", "2020/5/7 14:05", "李娜", "0530-5551234", "咨询类", "工伤认定",
     "咨询工伤认定所需材料", "", ""],
    ["SD12351-2020-000203", "2020-05-08", "张伟", "13853012346", "其他类", "欠薪", "内容", "", ""],
    ["SD12351-2020-000204", "昨天下午", "赵六", "13853012347", "求决类", "欠薪", "内容", "", ""],
    ["SD12351-2020-000205", "2020-05-08 10:00", "", "13853012348", "意见建议类", "其他",
     "建议延长服务时间", "一般", ""],
    ["SD12351-2020-000201", "2020-05-09 10:00", "王小强", "13853012345", "求决类", "欠薪",
     "重复", "", ""],
    ["", "2020-05-09 10:00", "钱七", "13853012349", "求决类", "欠薪", "内容", "", ""],
    ["SD12351-2020-000208", "2020-05-09 10:00", "孙八", "13853012350", "求决类", "不存在的分类",
     "内容", "很难", ""],
]  # fmt: skip


def _xlsx(tmp_path: Path, rows: list[list[Any]] = ROWS, header: list[str] = HEADER) -> Path:
    path = tmp_path / "转办单.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 0, ["山东省12351职工服务热线转办单"])  # a title row above the header
    sheet.write_row(1, 0, header)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            if isinstance(value, datetime.datetime):
                sheet.write_datetime(r, c, value, stamp)
            elif value != "":
                sheet.write_string(r, c, value)
    book.close()
    return path


def test_import_files_good_rows_and_rejects_bad_ones(
    people: People, tree: Tree, tmp_path: Path
) -> None:
    errors = tmp_path / "errors.xlsx"
    result = ticket_import(actor=people.operator, path=_xlsx(tmp_path), errors_path=errors)
    assert (result.rows, result.created, result.unchanged, result.rejected) == (8, 2, 0, 6)
    assert [(row, reason) for row, _cells, reason in result.rejections] == [
        (5, "类别：应为咨询类、求决类或意见建议类"),
        (6, "受理时间：时间格式不正确"),
        (7, "请填写来电人姓名"),  # the message names its field: said once
        (8, "转办单号 SD12351-2020-000201 与第 3 行重复"),
        (9, "转办单号：不能为空"),
        (10, "难易程度：应为一般、难点或特别复杂"),
    ]
    first = Ticket.objects.get(external_no="SD12351-2020-000201")
    assert (first.category, first.complexity, first.topic.code, first.channel) == (
        "demand",
        "hard",
        "0101",
        "province",
    )
    assert timezone.localtime(first.received_at).replace(tzinfo=None) == datetime.datetime(
        2020, 5, 6, 9, 30
    )
    assert first.receiving_org == tree.city
    assert first.caller_phone == "13853012345"
    assert first.status == "received"
    assert first.events.get().action == "create"
    second = Ticket.objects.get(external_no="SD12351-2020-000202")
    assert (second.category, second.complexity, second.topic.code) == ("consult", "normal", "0401")
    assert timezone.localtime(second.received_at).replace(tzinfo=None) == datetime.datetime(
        2020, 5, 7, 14, 5
    )
    assert second.caller_phone.replace("-", "") == "05305551234"
    # the rejected rows as XLSX: the original columns, the row number and the reason
    sheet = openpyxl.load_workbook(errors).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (*HEADER, "原行号", "错误原因")
    assert [r[0] for r in rows[1:]] == [
        "SD12351-2020-000203",
        "SD12351-2020-000204",
        "SD12351-2020-000205",
        "SD12351-2020-000201",
        None,
        "SD12351-2020-000208",
    ]
    assert rows[1][-2:] == (5, "类别：应为咨询类、求决类或意见建议类")
    audit = AuditEntry.objects.get(action="hotline.import")
    assert audit.note == "转办单.xlsx：8 行，新建 2，已有 0，拒绝 6"
    assert AuditEntry.objects.filter(action="hotline.create").count() == 2


def test_the_same_file_twice_creates_nothing(people: People, tree: Tree, tmp_path: Path) -> None:
    path = _xlsx(tmp_path)
    ticket_import(actor=people.operator, path=path)
    audits = AuditEntry.objects.count()
    again = ticket_import(actor=people.operator, path=path)
    assert (again.rows, again.created, again.unchanged, again.rejected) == (8, 0, 2, 6)
    assert Ticket.objects.count() == 2
    assert AuditEntry.objects.count() == audits


def test_a_number_filed_by_another_county_is_rejected(
    people: People, tree: Tree, tmp_path: Path
) -> None:
    ticket_create(
        actor=people.cadre_b,
        data={
            "external_no": "SD12351-2020-000201",
            "caller_name": "王小强",
            "category": "demand",
            "topic": "欠薪",
            "content": "曹县登记的工单",
            "received_at": "2020-05-06T09:30:00+08:00",
        },
    )
    result = ticket_import(actor=people.cadre_a, path=_xlsx(tmp_path, ROWS[:2]))
    assert (result.created, result.unchanged, result.rejected) == (1, 0, 1)
    assert result.rejections[0][0] == 3
    assert result.rejections[0][2] == "省平台工单号 SD12351-2020-000201 已被其他单位登记"
    assert Ticket.objects.get(external_no="SD12351-2020-000202").receiving_org == tree.county_a


def test_received_at_cells() -> None:
    local = timezone.localtime
    assert local(parse_received_at("2020年5月6日")).isoformat() == "2020-05-06T09:00:00+08:00"
    assert local(parse_received_at("2020.5.6 8:05")).isoformat() == "2020-05-06T08:05:00+08:00"
    assert local(parse_received_at(datetime.date(2020, 5, 6))).hour == 9
    assert parse_received_at("") is None
    with pytest.raises(ValueError):
        parse_received_at("下午三点")


def test_unusable_file_writes_nothing(people: People, tree: Tree, tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a spreadsheet")
    with pytest.raises(UnusableFile):
        ticket_import(actor=people.operator, path=junk)
    no_header = _xlsx(tmp_path, [["a", "b"]], header=["甲", "乙"])
    with pytest.raises(UnusableFile):
        ticket_import(actor=people.operator, path=no_header)
    assert Ticket.objects.count() == 0


def _csv(*rows: str) -> SimpleUploadedFile:
    text = "工单编号,来电时间,来电人,联系电话,诉求类型,问题分类,诉求内容\n" + "\n".join(rows) + "\n"
    return SimpleUploadedFile("orders.csv", text.encode("utf-8"), content_type="text/csv")


GOOD = "SD12351-2020-000301,2020-06-01 09:00,王强,13853012345,求决类,拖欠工资,拖欠工资两个月"
BAD = "SD12351-2020-000302,2020-06-01 09:10,李娜,13853012346,其他,拖欠工资,内容"


def test_api_import_answers_counts_and_rejections(people: People, tree: Tree, api: Any) -> None:
    client = api(people.operator)
    r = client.post("/api/v1/hotline/tickets/import", {"file": _csv(GOOD, BAD)})
    assert r.status_code == 200, r.content
    assert r.json() == {
        "rows": 2,
        "created": 1,
        "unchanged": 0,
        "rejected": 1,
        "rejections": [{"row": 3, "reason": "诉求类型：应为咨询类、求决类或意见建议类"}],
    }
    again = client.post("/api/v1/hotline/tickets/import", {"file": _csv(GOOD)})
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 1)
    # a county's operator files at its own org, or at one below it
    county = api(people.cadre_a).post(
        "/api/v1/hotline/tickets/import",
        {"org": "371702", "file": _csv(GOOD.replace("000301", "000303"))},
    )
    assert county.status_code == 200 and county.json()["created"] == 1
    assert Ticket.objects.get(external_no="SD12351-2020-000303").receiving_org == tree.county_a
    junk = SimpleUploadedFile("orders.xlsx", b"not a spreadsheet at all")
    r = client.post("/api/v1/hotline/tickets/import", {"file": junk})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"


def test_api_import_ownership(people: People, tree: Tree, api: Any) -> None:
    url = "/api/v1/hotline/tickets/import"
    # outside the caller's subtree: as if the org did not exist
    assert api(people.cadre_b).post(url, {"org": "371702", "file": _csv(GOOD)}).status_code == 404
    assert api(people.cadre_a).post(url, {"org": "371700", "file": _csv(GOOD)}).status_code == 404
    assert api(people.cadre_a).post(url, {"org": "nope", "file": _csv(GOOD)}).status_code == 404
    # in scope, but the role does not file orders
    assert api(people.leader).post(url, {"file": _csv(GOOD)}).status_code == 403
    assert api(people.clerk_a).post(url, {"file": _csv(GOOD)}).status_code == 403
    # no hotline role at all
    assert api(people.lawyer_a).post(url, {"file": _csv(GOOD)}).status_code == 404
    assert api(people.member_a).post(url, {"file": _csv(GOOD)}).status_code == 404
    assert api(None).post(url, {"file": _csv(GOOD)}).status_code == 401
    assert Ticket.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="hotline.").exists()


def test_import_route_is_documented(api: Any, people: People) -> None:
    schema = api(people.operator).get("/api/v1/openapi.json").json()
    assert "post" in schema["paths"]["/api/v1/hotline/tickets/import"]
