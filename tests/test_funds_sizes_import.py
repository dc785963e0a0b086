"""The enterprises' size sheet: template, import row by row (unknown credit code, bad year,
negative or unreadable figures, an unknown industry, duplicates), the refused rows as a
workbook that imports once fixed, the same sheet twice writing nothing twice, the export
that imports again, nothing half-written, scope; and the ledger's reversal from the page."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
import python_calamine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gonghui.core import audit
from gonghui.core.models import AuditEntry
from gonghui.funds import services, sizesheet
from gonghui.funds.models import EnterpriseSize, FeeLine, SizeImport

from .test_funds_core import _book, enterprise

HEADER = ["统一社会信用代码", "单位名称", "数据年度", "行业代码", "从业人员", "营业收入（万元）",
          "资产总额（万元）", "金融类关联", "属于企业集团"]  # fmt: skip


def text(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def sheet(rows: list[list[Any]], name: str = "规模数据.xlsx", header: Any = None) -> Any:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["2019年度企业规模数据"])  # a title line above the header does no harm
    ws.append(header or HEADER)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_the_size_sheet_is_imported_row_by_row(tree: Any, people: Any) -> None:
    a = enterprise(tree, people, 1)
    b = enterprise(tree, people, 2)
    c = enterprise(tree, people, 3)
    outside = enterprise(tree, people, 4, county=tree.county_b)
    rows = [
        [a.uscc, a.name, 2019, "C13", 19, 300, 100, "无", "否"],  # row 3: micro (19 < 20)
        [b.uscc, b.name, "2019", "f52", "49", "500", "10", "", ""],  # row 4: small, lower case
        [c.uscc, c.name, 2019, "C13", 50, 800, 100, "银行的子公司", "是"],  # row 5: small, a bank's
        [outside.uscc, outside.name, 2019, "C13", 5, 5, 5, "", ""],  # row 6: another county
        ["91371702XXXXXXXXX1", "坏", 2019, "C13", 5, 5, 5, "", ""],  # row 7: a bad code
        [a.uscc, a.name, 2019, "C13", 30, 300, 100, "", ""],  # row 8: row 3 again
        [b.uscc, b.name, 2018, "C13", -3, 300, 100, "", ""],  # row 9: negative employees
        [b.uscc, b.name, 2017, "C13", 3, "很多", 100, "", ""],  # row 10: revenue unreadable
        [b.uscc, b.name, 1999, "C13", 3, 3, 3, "", ""],  # row 11: a year out of range
        [b.uscc, b.name, 2016, "Z99", 3, 3, 3, "", ""],  # row 12: no such industry
        [c.uscc, c.name, 2018, "C13", 3, 3, 3, "信托", ""],  # row 13: an unknown tie
        [c.uscc, c.name, 2017, "C13", 3, 3, 3, "", "也许"],  # row 14: group neither yes nor no
        [c.uscc, c.name, 2016, "C13", "", 3, 3, "", ""],  # row 15: employees left empty
    ]
    record = sizesheet.size_import(county=tree.county_a, upload=sheet(rows), by=people.cadre_a)
    assert (record.rows, record.saved, record.unchanged, record.rejected) == (13, 3, 0, 10)
    reasons = {p["row"]: p["reason"] for p in record.problems}
    assert "未匹配到本县区的单位" in reasons[6]
    assert "统一社会信用代码不正确" in reasons[7]
    assert reasons[8] == "与第 3 行重复（同一单位同一年度）"
    assert "从业人员" in reasons[9]
    assert "营业收入应为数字" in reasons[10]
    assert "数据年度" in reasons[11]
    assert "Z99" in reasons[12] or "行业" in reasons[12]
    assert "金融类关联" in reasons[13]
    assert "属于企业集团" in reasons[14]
    assert reasons[15] == "从业人员未填写"
    got = {
        s.enterprise_id: (s.size_class, s.industry_code, s.financial_tie, s.group_member)
        for s in EnterpriseSize.objects.all()
    }
    assert got == {
        a.pk: ("micro", "C13", "", False),
        b.pk: ("small", "F52", "", False),
        c.pk: ("small", "C13", "bank", True),
    }
    assert EnterpriseSize.objects.get(enterprise=b).revenue == Decimal("500.00")
    # one audit row per size written and one for the import
    assert AuditEntry.objects.filter(action="funds.size").count() == 3
    assert AuditEntry.objects.filter(action="funds.size_import").count() == 1

    # the same sheet again: nothing written twice
    again = sizesheet.size_import(county=tree.county_a, upload=sheet(rows), by=people.cadre_a)
    assert (again.saved, again.unchanged, again.rejected) == (0, 3, 10)
    assert EnterpriseSize.objects.count() == 3
    assert AuditEntry.objects.filter(action="funds.size").count() == 3

    # the rejected rows as a workbook: the sheet's columns, then 原行号 and 错误原因
    out = io.BytesIO()
    sizesheet.rejected_workbook(record, out)
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue()))
    cells = book.get_sheet_by_index(0).to_python()
    assert cells[0] == [*HEADER, "原行号", "错误原因"]
    assert [int(r[-2]) for r in cells[1:]] == [6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    # fixed (row 9's employees), it imports as it is: row 9 is written, and row 8 — alone
    # for its year in this file — replaces row 3's figures
    fixed = [list(r) for r in cells[1:]]
    fixed[3][4] = "3"  # row 9: 3 employees instead of -3
    wb = openpyxl.Workbook()
    wb.active.append(cells[0])
    for r in fixed:
        wb.active.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    third = sizesheet.size_import(
        county=tree.county_a,
        upload=SimpleUploadedFile("规模数据-未导入.xlsx", buffer.getvalue()),
        by=people.cadre_a,
    )
    assert (third.saved, third.rejected) == (2, 8)
    assert EnterpriseSize.objects.get(enterprise=b, year=2018).size_class == "micro"
    assert EnterpriseSize.objects.get(enterprise=a, year=2019).size_class == "small"


def test_a_changed_year_is_updated_with_its_before_and_after(tree: Any, people: Any) -> None:
    a = enterprise(tree, people, 1)
    sizesheet.size_import(
        county=tree.county_a,
        upload=sheet([[a.uscc, a.name, 2019, "C13", 19, 300, 100, "", ""]]),
        by=people.cadre_a,
    )
    record = sizesheet.size_import(
        county=tree.county_a,
        upload=sheet([[a.uscc, a.name, 2019, "C13", 20, 300, 100, "", ""]]),
        by=people.cadre_a,
    )
    assert (record.saved, record.unchanged) == (1, 0)
    size = EnterpriseSize.objects.get(enterprise=a)
    assert (size.employees, size.size_class) == (20, "small")
    update = AuditEntry.objects.filter(action="funds.size").order_by("-id").first()
    assert update is not None
    assert update.changes["employees"] == {"before": 19, "after": 20}


def test_nothing_is_half_written(tree: Any, people: Any, monkeypatch: Any) -> None:
    """A failure after the new years are inserted, the changed one updated and their audit
    rows written (the import's own audit row fails) leaves the sizes as they were."""
    a = enterprise(tree, people, 1)
    b = enterprise(tree, people, 2)
    services.size_record(
        enterprise=a, year=2019, industry_code="C13", employees=19, revenue=300, assets=100,
        by=people.cadre_a,
    )  # fmt: skip
    rows = [
        [a.uscc, a.name, 2019, "C13", 25, 300, 100, "", ""],  # changed
        [b.uscc, b.name, 2019, "C13", 19, 300, 100, "", ""],  # new
    ]
    audits = AuditEntry.objects.count()

    def audit_fails(*args: Any, **kwargs: Any) -> None:
        assert EnterpriseSize.objects.get(enterprise=a).employees == 25  # written by now
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services, "_record", audit_fails)
    with pytest.raises(RuntimeError):
        sizesheet.size_import(county=tree.county_a, upload=sheet(rows), by=people.cadre_a)
    assert list(EnterpriseSize.objects.values_list("enterprise_id", "employees")) == [(a.pk, 19)]
    assert SizeImport.objects.count() == 0 and AuditEntry.objects.count() == audits


def test_the_set_based_import_writes_and_audits_as_size_record(
    tree: Any, people: Any, monkeypatch: Any, django_assert_max_num_queries: Any
) -> None:
    """New years inserted, changed ones updated in one statement, unchanged ones left: the
    rows and their ``funds.size`` audit rows are what ``size_record`` would write (the audit
    snapshot before and after, a digest that verifies), looked up in chunks, in a number of
    queries that does not grow with the sheet."""
    from gonghui.core.auditchain import row_digest

    monkeypatch.setattr(services, "LOOKUP_CHUNK", 3)
    made = [enterprise(tree, people, n) for n in range(1, 11)]
    for e in made[:4]:  # 2019 recorded for four by another cadre: two change, two stay
        services.size_record(
            enterprise=e, year=2019, industry_code="C13", employees=19, revenue=300,
            assets=100, by=people.admin,
        )  # fmt: skip
    before = {s.pk: audit.snapshot(s) for s in EnterpriseSize.objects.all()}
    rows = [
        [e.uscc, e.name, 2019, "C13", 19, 300, 100, "", ""]
        if i in (2, 3)
        else [e.uscc, e.name, 2019, "C13", 40 + i, 300, "100.5", "", ""]
        for i, e in enumerate(made)
    ] + [[made[0].uscc, made[0].name, 2018, "F52", 3, 3, 3, "保险公司的子公司", "是"]]
    audits = AuditEntry.objects.count()
    with django_assert_max_num_queries(30):
        record = sizesheet.size_import(county=tree.county_a, upload=sheet(rows), by=people.cadre_a)
    assert (record.rows, record.saved, record.unchanged, record.rejected) == (11, 9, 2, 0)
    entries = list(AuditEntry.objects.filter(action="funds.size", actor=people.cadre_a))
    assert len(entries) == 9 and AuditEntry.objects.count() == audits + 10
    for entry in entries:
        row = EnterpriseSize.objects.get(pk=int(entry.object_id))
        assert entry.changes == audit.diff(before.get(row.pk, {}), audit.snapshot(row))
        assert (entry.object_org_id, entry.object_repr, entry.note) == (
            tree.county_a.pk, str(row), "规模数据.xlsx",
        )  # fmt: skip
        assert entry.digest == row_digest(entry)
    two = EnterpriseSize.objects.get(enterprise=made[0], year=2019)
    assert (two.employees, two.assets, two.recorded_by_id) == (
        40,
        Decimal("100.50"),
        people.cadre_a.pk,
    )
    kept = EnterpriseSize.objects.get(enterprise=made[2], year=2019)
    assert (kept.assets, kept.recorded_by_id) == (Decimal("100.00"), people.admin.pk)
    old = EnterpriseSize.objects.get(enterprise=made[0], year=2018)
    assert (old.industry_code, old.financial_tie, old.group_member) == ("F52", "insurer", True)
    assert old.size_class and old.size_reason

    # the same sheet again: nothing written, no audit row but the import's
    again = sizesheet.size_import(county=tree.county_a, upload=sheet(rows), by=people.cadre_a)
    assert (again.saved, again.unchanged, again.rejected) == (0, 11, 0)
    assert AuditEntry.objects.count() == audits + 11
    assert EnterpriseSize.objects.count() == 11


def test_an_unusable_sheet_is_refused_naming_the_columns(
    tree: Any, people: Any, login: Any
) -> None:
    client = login(people.cadre_a)
    bad = sheet([["x", "y"]], header=["统一社会信用代码", "单位名称"])
    response = client.post("/funds/sizes/import/", {"county": "371702", "file": bad})
    assert response.status_code == 422
    page = response.content.decode()
    assert "缺少必需的列" in page and "数据年度" in page
    exe = SimpleUploadedFile("规模.xlsx", b"MZ\x90\x00" + b"\x00" * 200)
    response = client.post("/funds/sizes/import/", {"county": "371702", "file": exe})
    assert response.status_code == 422
    assert SizeImport.objects.count() == 0


def test_the_pages_template_import_result_rejected_and_export(
    tree: Any, people: Any, login: Any
) -> None:
    a = enterprise(tree, people, 1)
    client = login(people.cadre_a)
    page = client.get("/funds/sizes/").content.decode()
    assert 'data-testid="size-import-form"' in page
    template = client.get("/funds/sizes/template.xlsx")
    assert template.status_code == 200
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(template.content))
    assert book.get_sheet_by_index(0).to_python()[0] == HEADER
    upload = sheet(
        [[a.uscc, a.name, 2019, "C13", 19, 300, 100, "", ""], ["坏", "", 2019, "C13", 1, 1, 1]]
    )
    response = client.post("/funds/sizes/import/", {"county": "371702", "file": upload})
    assert response.status_code == 302
    result = client.get(response["Location"]).content.decode()
    assert "登记 1 行" in result and "未导入 1 行" in result and "统一社会信用代码不正确" in result
    record = SizeImport.objects.get()
    rejected = client.get(f"/funds/sizes/imports/{record.pk}/rejected.xlsx")
    assert rejected.status_code == 200 and rejected["Content-Disposition"].startswith("attachment")
    # the export: the template's columns (so it imports again) with the class and reasoning
    export = client.get("/funds/sizes/export.xlsx")
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(export.content))
    cells = rows.get_sheet_by_index(0).to_python()
    assert cells[0] == [*HEADER, "规模", "划型依据"]
    assert cells[1][0] == a.uscc and cells[1][9] == "微型"
    again = sizesheet.size_import(
        county=tree.county_a,
        upload=SimpleUploadedFile("export.xlsx", export.content),
        by=people.cadre_a,
    )
    assert (again.saved, again.unchanged, again.rejected) == (0, 1, 0)
    csv = text(client.get("/funds/sizes/export.csv"))
    assert a.uscc in csv.splitlines()[1]
    # the leader (the fund audit) may read the export, not import
    leader = login(people.leader)
    assert leader.get("/funds/sizes/export.xlsx").status_code == 200
    assert leader.get(f"/funds/sizes/imports/{record.pk}/").status_code == 200
    assert leader.post("/funds/sizes/import/", {"county": "371702"}).status_code == 404


def test_size_imports_are_scoped(tree: Any, people: Any, login: Any) -> None:
    a = enterprise(tree, people, 1)
    b = enterprise(tree, people, 2, county=tree.county_b)
    services.size_record(
        enterprise=b, year=2019, industry_code="C13", employees=5, revenue=5, assets=5,
        by=people.cadre_b,
    )  # fmt: skip
    record = sizesheet.size_import(
        county=tree.county_a,
        upload=sheet([[a.uscc, a.name, 2019, "C13", 5, 5, 5, "", ""], ["坏"]]),
        by=people.cadre_a,
    )
    outsider = login(people.cadre_b)
    for url in (
        f"/funds/sizes/imports/{record.pk}/",
        f"/funds/sizes/imports/{record.pk}/rejected.xlsx",
        "/funds/sizes/imports/999999/",
    ):
        assert outsider.get(url).status_code == 404, url
    export = text(outsider.get("/funds/sizes/export.csv"))
    assert b.uscc in export and a.uscc not in export
    # county B's cadre cannot import into county A
    response = outsider.post(
        "/funds/sizes/import/",
        {"county": "371702", "file": sheet([[a.uscc, a.name, 2019, "C13", 5, 5, 5, "", ""]])},
    )
    assert response.status_code in (404, 422)
    assert SizeImport.objects.count() == 1
    for who in ("member_a", "operator", "lawyer_a", "clerk_a"):
        assert login(getattr(people, who)).get("/funds/sizes/export.xlsx").status_code == 404
    assert Client().get("/funds/sizes/export.xlsx").status_code == 302


def test_the_ledger_reverses_a_line_from_the_page(tree: Any, people: Any, login: Any) -> None:
    a = enterprise(tree, people, 1)
    _book(tree, people, a, months=1)
    line = FeeLine.objects.get()
    cadre = login(people.cadre_a)
    page = cadre.get("/funds/ledger/").content.decode()
    assert f'data-testid="reverse-{line.pk}"' in page
    assert cadre.post(f"/funds/ledger/{line.pk}/reverse/", {"reason": ""}).status_code == 302
    assert FeeLine.objects.count() == 1  # no reason: nothing written
    for who in ("cadre_b", "leader", "clerk_a", "member_a"):
        response = login(getattr(people, who)).post(
            f"/funds/ledger/{line.pk}/reverse/", {"reason": "错报"}
        )
        assert response.status_code == 404, who
    assert FeeLine.objects.count() == 1
    response = cadre.post(f"/funds/ledger/{line.pk}/reverse/", {"reason": "税务更正"})
    assert response.status_code == 302
    reversal = FeeLine.objects.get(reversal_of=line)
    assert reversal.paid == -line.paid and reversal.note == "税务更正"
    page = cadre.get("/funds/ledger/").content.decode()
    assert f'data-testid="reverse-{line.pk}"' not in page  # corrected once only
    assert "（冲正）" in page
    # a second reversal of the same line is refused
    cadre.post(f"/funds/ledger/{line.pk}/reverse/", {"reason": "再冲"})
    assert FeeLine.objects.count() == 2
