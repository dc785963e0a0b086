"""The assistance lists as spreadsheets: the archive and a campaign's recipients exported
masked, within the user's scope and audited; the recipient sheet's template; the rows of a
recipient import that were refused, downloaded with their reasons and imported again once
fixed."""

# ruff: noqa: F811 - the ``dibao`` fixture is imported and then requested

from __future__ import annotations

import io
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.assistance import services
from gonghui.assistance.models import Recipient
from gonghui.core.models import AuditEntry

from .conftest import People, Tree
from .test_assistance_files import ID_1, apply, dibao  # noqa: F401 - the fixture
from .test_assistance_money import campaign, cid, row, rows


def _sheet(content: bytes) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def _xlsx(*lines: list[str]) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    for line in lines:
        book.active.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("名单.xlsx", buffer.getvalue())


def test_the_archive_exports_masked_within_the_scope(
    people: People, tree: Tree, login: Any, dibao: None
) -> None:
    family = apply(people, tree)
    r = login(people.clerk_a).get("/assistance/export.xlsx", {"status": "submitted"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    header, first, *rest = _sheet(r.content)
    assert header[:3] == ["档案编号", "姓名", "身份证号"] and rest == []
    assert first[0] == family.number and first[1] == "王*强" and first[4] == "已申请"
    assert ID_1 not in str(first) and first[2].endswith(ID_1[-4:])
    entry = AuditEntry.objects.get(action="assistance.export")
    assert entry.changes["counts"]["after"] == {"rows": 1, "status": "submitted"}
    # another county's cadre exports an empty list; roles outside assistance get nothing
    header, *others = _sheet(login(people.cadre_b).get("/assistance/export.xlsx").content)
    assert others == []
    assert login(people.operator).get("/assistance/export.xlsx").status_code == 404
    assert login(people.member_a).get("/assistance/export.xlsx").status_code in (302, 404)


def test_a_campaign_exports_masked_and_only_in_scope(
    people: People, tree: Tree, login: Any
) -> None:
    c = campaign(people, tree)
    services.recipients_add(actor=people.city_cadre, campaign=c, rows=rows(row(1), row(2)))
    r = login(people.city_cadre).get(f"/assistance/campaigns/{c.pk}/export.xlsx")
    assert r.status_code == 200
    header, *lines = _sheet(r.content)
    assert header[:3] == ["姓名", "身份证号", "所在单位"] and len(lines) == 2
    assert (
        lines[0][0] == "职*1" and cid(1) not in str(lines) and "6217000000000001" not in str(lines)
    )
    assert lines[0][6] == 500  # the amount as a number Excel sums
    assert login(people.cadre_b).get(f"/assistance/campaigns/{c.pk}/export.xlsx").status_code == (
        404
    )
    template = login(people.city_cadre).get("/assistance/campaigns/template.xlsx")
    assert _sheet(template.content)[0][:3] == ["姓名", "身份证号", "单位代码"]


def test_refused_rows_download_with_reasons_and_import_once_fixed(
    people: People, tree: Tree, login: Any
) -> None:
    c = campaign(people, tree)
    client = login(people.city_cadre)
    header = ["姓名", "身份证号", "单位代码", "开户行", "账号", "金额"]
    good = ["张三", cid(11), "G-A-0001", "农行", "6217000000000011", "500"]
    bad = ["李四", cid(12), "G-A-0001", "农行", "12ab", "500"]
    r = client.post(f"/assistance/campaigns/{c.pk}/import/", {"file": _xlsx(header, good, bad)})
    assert r.status_code == 302
    page = client.get(f"/assistance/campaigns/{c.pk}/").content.decode()
    assert 'data-testid="rejected"' in page
    rejected = client.get(f"/assistance/campaigns/{c.pk}/rejected.xlsx")
    assert rejected.status_code == 200
    head, line = _sheet(b"".join(rejected.streaming_content))
    assert head == [*header, "原行号", "错误原因"]
    assert line[:2] == ["李四", cid(12)] and line[6] == 3 and "银行账号" in line[7]
    # another user has no such file; another county does not see the campaign at all
    assert login(people.admin).get(f"/assistance/campaigns/{c.pk}/rejected.xlsx").status_code == (
        404
    )
    assert login(people.cadre_b).get(f"/assistance/campaigns/{c.pk}/rejected.xlsx").status_code == (
        404
    )
    # fixed in the downloaded sheet itself (its extra columns are ignored) and imported again
    fixed = [*line[:4], "6217000000000012", *line[5:]]
    r = client.post(
        f"/assistance/campaigns/{c.pk}/import/",
        {"file": _xlsx(head, [str(x) for x in fixed])},
    )
    assert r.status_code == 302
    assert sorted(Recipient.objects.values_list("name", flat=True)) == ["张三", "李四"]
    page = client.get(f"/assistance/campaigns/{c.pk}/").content.decode()
    assert 'data-testid="rejected"' not in page  # nothing refused this time
    assert client.get(f"/assistance/campaigns/{c.pk}/rejected.xlsx").status_code == 404
