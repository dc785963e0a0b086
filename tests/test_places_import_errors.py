"""Places: the import's refused rows as a workbook (the sheet's columns, 原行号 and 错误原因)
that imports as it is once fixed; another county's cadre, a leader and a member get the same
404 as a missing import."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import python_calamine

from gonghui.core.models import ImportJob
from gonghui.places.models import Place

from .conftest import People, Tree
from .test_places import _sheet

HEADER = ["阵地编号", "名称", "类型", "所属工会代码", "经度", "纬度", "已达标条件"]


def test_the_refused_rows_download_and_import_again_once_fixed(
    login: Any, people: People, tree: Tree
) -> None:
    rows = [
        ["IM-1", "一号驿站", "户外劳动者驿站", "371702", "115.4", "35.2", "统一标识和名称"],
        ["IM-2", "二号", "游泳池", "371702", "", "", ""],
        ["IM-4", "四号", "会员之家", "371721", "", "", ""],  # county B: not cadre A's
    ]
    client = login(people.cadre_a)
    page = client.post("/places/import/", {"file": _sheet(rows)}).content.decode()
    job = ImportJob.objects.get(kind="places")
    assert (job.total, job.created, job.rejected) == (3, 1, 2) and job.org == tree.county_a
    url = f"/places/import/{job.pk}/errors.xlsx"
    assert url in page
    answer = client.get(url)
    assert answer.status_code == 200
    content = b"".join(answer.streaming_content)  # type: ignore[attr-defined]
    table = (
        python_calamine.CalamineWorkbook.from_filelike(BytesIO(content))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert table[0] == [*HEADER, "原行号", "错误原因"]
    assert [int(r[7]) for r in table[1:]] == [3, 4]
    assert table[1][8].startswith("类型：类型应为")
    assert table[2][8].startswith("所属工会代码：本单位范围内没有")
    # fixed (the type, and county A's own union), the file imports as it is
    book = [[*r[:7]] for r in table]
    book[1][2] = "户外劳动者驿站"
    book[2][3] = "371702"
    from openpyxl import Workbook

    wb = Workbook()
    for r in book:
        wb.active.append(r)
    out = BytesIO()
    wb.save(out)
    from django.core.files.uploadedfile import SimpleUploadedFile

    again = client.post(
        "/places/import/", {"file": SimpleUploadedFile("fixed.xlsx", out.getvalue())}
    )
    assert "新建 2 个" in again.content.decode() and "未导入 0 行" in again.content.decode()
    assert sorted(Place.objects.values_list("code", flat=True)) == ["IM-1", "IM-2", "IM-4"]
    fixed_job = ImportJob.objects.filter(kind="places").order_by("-id").first()
    assert fixed_job is not None and fixed_job.errors_file == ""
    assert client.get(f"/places/import/{fixed_job.pk}/errors.xlsx").status_code == 404

    # outside the scope: the same 404 as a missing import
    for outsider in (people.cadre_b, people.leader, people.member_a, people.clerk_a):
        assert login(outsider).get(url).status_code == 404, outsider.username
    assert client.get(f"/places/import/{job.pk + 99}/errors.xlsx").status_code == 404
    # the city sees its counties' imports
    assert login(people.city_cadre).get(url).status_code == 200
