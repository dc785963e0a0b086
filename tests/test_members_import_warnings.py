"""Roster import, round two (issue 12): errors and warnings apart, the result workbook's
warnings sheet, unchanged rows answered by their hash, and the transfer conflict that names
no other union (issue 10)."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core.fields import blind_index_for
from gonghui.core.identifiers import citizen_id_check_char
from gonghui.core.models import ImportJob
from gonghui.core.spreadsheets import read_warnings
from gonghui.members import importing
from gonghui.members.importing import member_import
from gonghui.members.models import Member
from gonghui.members.services import member_create, member_set_status, member_update
from gonghui.members.tasks import run_member_import

from .conftest import People, Tree


def cid(body: str) -> str:
    return body + citizen_id_check_char(body)


WANG = cid("37170219900101123")  # male
LI = cid("37172119850615224")  # female
ZHAO = cid("37170219800202111")  # male

JUNK_HEADER = [
    "姓名",
    "身份证号",
    "性别",
    "民族",
    "学历",
    "就业状态",
    "技能等级",
    "工作单位",
    "职工类型",
    "劳模类型",
    "证件有效期至",
    "入会日期",
]
JUNK = ["未知", "火星族", "幼儿园", "病休", "特级技师", "某某公司", "临时工", "县级劳模", "不详"]


def write(tmp_path: Path, header: list[str], rows: list[list[str]], name: str = "r.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def junk_roster(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        JUNK_HEADER,
        [[name, number, *JUNK, "2015-03-01"] for name, number in (("王强", WANG), ("赵军", ZHAO))]
        + [["李娜", LI, "女", "汉", "硕士研究生", "在职", "高级工", "乙厂", "农民工", "否", "长期",
            "2018-05-02"]],
    )  # fmt: skip


def test_junk_in_every_descriptive_column_imports_everyone_with_warnings(
    people: People, tree: Tree, tmp_path: Path
) -> None:
    errors = tmp_path / "result.xlsx"
    result = member_import(
        actor=people.clerk_a, org=tree.union_a, path=junk_roster(tmp_path), errors_path=errors
    )
    assert (result.rows, result.created, result.rejected, result.warned) == (3, 3, 0, 2)
    assert result.as_json()["warned"] == 2
    wang = Member.objects.get(id_number_bidx=blind_index_for("citizen_id", WANG))
    # sex from the ID; the free-text ethnicity kept as written; coded fields left as they are
    assert (wang.sex, wang.ethnicity, wang.education, wang.skill_level, wang.model_worker) == (
        "M",
        "火星族",
        "",
        "",
        "",
    )
    assert (wang.employment, wang.worker_type, wang.id_valid_until, wang.employer_name) == (
        "employed",
        "employee",
        "",
        "某某公司",
    )
    li = Member.objects.get(id_number_bidx=blind_index_for("citizen_id", LI))
    assert (li.ethnicity, li.education, li.employment, li.skill_level, li.worker_type) == (
        "汉族",
        "postgrad",
        "employed",
        "3",
        "migrant",
    )
    assert (li.model_worker, li.id_valid_until) == ("", "长期")
    # every warning: row, the file's own column title, the value, what was done
    assert [w for w in result.warnings if w[0] == 2] == [
        (2, "性别", "未知", "无法识别，按身份证号记为“男”"),
        (2, "民族", "火星族", "不是56个民族的名称，已按原文保存"),
        (2, "学历", "幼儿园", "无法识别，此项未导入"),
        (2, "就业状态", "病休", "无法识别，此项未导入（新会员记为“在岗”）"),
        (2, "技能等级", "特级技师", "无法识别，此项未导入"),
        (2, "职工类型", "临时工", "无法识别，此项未导入（新会员记为“职工”）"),
        (2, "劳模类型", "县级劳模", "无法识别，此项未导入"),
        (2, "证件有效期至", "不详", "无法识别，此项未导入"),
    ]
    assert {w[0] for w in result.warnings} == {2, 3}
    # the result workbook: no rejected rows, the warnings on their own sheet
    assert result.errors_file == str(errors)
    sheet = read_warnings(errors, 100)
    assert len(sheet) == len(result.warnings) == 16
    assert sheet[0] == {
        "row": "2",
        "column": "性别",
        "value": "未知",
        "action": "无法识别，按身份证号记为“男”",
    }
    assert [s["name"] for s in result.samples["warned"]] == ["王*", "赵*"]


def test_warned_rows_are_checked_again_and_known_values_kept(
    people: People, tree: Tree, tmp_path: Path
) -> None:
    """A row with a warning keeps no hash: its warnings show again on the next import. An
    unrecognised coded value leaves a known member's stored value alone."""
    first = write(tmp_path, ["姓名", "身份证号", "学历"], [["王强", WANG, "本科"]], "a.csv")
    member_import(actor=people.clerk_a, org=tree.union_a, path=first)
    junk = write(tmp_path, ["姓名", "身份证号", "学历"], [["王强", WANG, "幼儿园"]], "b.csv")
    for _ in range(2):
        result = member_import(actor=people.clerk_a, org=tree.union_a, path=junk)
        assert (result.unchanged, result.updated, result.warned, result.hashed) == (1, 0, 1, 0)
        assert result.warnings == [(2, "学历", "幼儿园", "无法识别，此项未导入")]
    wang = Member.objects.get()
    assert wang.education == "bachelor"


def test_a_long_unknown_ethnicity_is_cut_to_the_column(
    people: People, tree: Tree, tmp_path: Path
) -> None:
    text = "某" * 25
    path = write(tmp_path, ["姓名", "身份证号", "民族"], [["王强", WANG, text]])
    result = member_import(actor=people.clerk_a, org=tree.union_a, path=path)
    assert result.created == 1
    assert Member.objects.get().ethnicity == "某" * 20
    assert result.warnings == [(2, "民族", text, "不是56个民族的名称，已保存前20字")]


def test_result_workbook_reimports_cleanly_once_fixed(
    people: People, tree: Tree, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    header = ["姓名", "身份证号", "手机", "学历", "民族"]
    path = write(
        tmp_path,
        header,
        [["王强", WANG, "12345", "幼儿园", "汉"], ["李娜", LI, "13800138000", "博士后", "穿青人"]],
    )
    errors = tmp_path / "result.xlsx"
    first = member_import(actor=people.clerk_a, org=tree.union_a, path=path, errors_path=errors)
    assert (first.created, first.rejected, first.warned) == (1, 1, 1)
    book = load_workbook(errors)
    assert book.sheetnames == ["未导入的行", "导入提示"]
    notes = [c.value for c in book["导入提示"][2]]
    assert notes == [3, "民族", "穿青人", "不是56个民族的名称，已按原文保存"]
    rejected = book["未导入的行"]
    assert rejected["C2"].value == "12345" and rejected["F2"].value == 2
    # the clerk fixes the phone and the education on the first sheet, imports the file
    rejected["C2"] = "13900000001"
    rejected["D2"] = "初中及以下"
    book.save(errors)
    second = member_import(actor=people.clerk_a, org=tree.union_a, path=errors)
    assert (second.rows, second.created, second.rejected, second.warned) == (1, 1, 0, 0)
    wang = Member.objects.get(id_number_bidx=blind_index_for("citizen_id", WANG))
    assert (wang.phone, wang.education, wang.ethnicity) == ("13900000001", "junior", "汉族")


def test_unchanged_rows_are_answered_by_their_hash_until_the_record_changes(
    people: People, tree: Tree, tmp_path: Path
) -> None:
    header = ["姓名", "身份证号", "手机", "学历"]
    rows = [["王强", WANG, "13800138000", "本科"], ["李娜", LI, "", "大专"]]
    path = write(tmp_path, header, rows)
    member_import(actor=people.clerk_a, org=tree.union_a, path=path)
    again = member_import(actor=people.clerk_a, org=tree.union_a, path=path)
    assert (again.unchanged, again.hashed, again.updated) == (2, 2, 0)
    # someone edits 王强 on his page: his hash no longer holds, the file's phone comes back
    wang = Member.objects.get(id_number_bidx=blind_index_for("citizen_id", WANG))
    member_update(actor=people.clerk_a, member=wang, data={"phone": "13900000009"})
    third = member_import(actor=people.clerk_a, org=tree.union_a, path=path)
    assert (third.unchanged, third.hashed, third.updated) == (1, 1, 1)
    wang.refresh_from_db()
    assert wang.phone == "13800138000"
    fourth = member_import(actor=people.clerk_a, org=tree.union_a, path=path)
    assert (fourth.unchanged, fourth.hashed) == (2, 2)
    # another union's import of the same rows is no hash match (and a conflict)
    other = member_import(actor=people.cadre_b, org=tree.union_b, path=path)
    assert (other.hashed, other.rejected) == (0, 2)


def test_a_repeat_of_a_hashed_row_is_still_a_repeat(
    people: People, tree: Tree, tmp_path: Path
) -> None:
    header = ["姓名", "身份证号", "手机"]
    row = ["王强", WANG, "13800138000"]
    path = write(tmp_path, header, [row, row, ["王强", WANG, "13900000001"]])
    for _ in range(2):
        result = member_import(actor=people.clerk_a, org=tree.union_a, path=path)
        reasons = {n: r for n, _c, r in result.rejections}
        assert reasons == {
            3: "身份证号：与第 2 行是同一人，重复的行未导入",
            4: "身份证号：与第 2 行是同一人，重复的行未导入",
        }
    assert result.hashed == 1
    # the person's changed row first, the unchanged one after it: the first one counts
    path = write(tmp_path, header, [["王强", WANG, "13900000001"], row], "b.csv")
    result = member_import(actor=people.clerk_a, org=tree.union_a, path=path)
    assert (result.updated, result.rejected, result.hashed) == (1, 1, 0)
    assert result.rejections[0][2] == "身份证号：与第 2 行是同一人，重复的行未导入"


def test_dry_run_is_no_existence_oracle(people: People, tree: Tree, api: Any) -> None:
    """A preview of a one-row file answers alike for a member of another county's union and
    for a stranger (issue 10): free and unaudited, it would otherwise tell who is a member
    anywhere. The import itself rejects the member, naming no union."""
    member_create(actor=people.cadre_b, org=tree.union_b, data={"name": "李娜", "id_number": LI})
    ended = member_create(
        actor=people.cadre_b, org=tree.union_b, data={"name": "王强", "id_number": WANG}
    )
    member_set_status(actor=people.cadre_b, member=ended, status="withdrawn", note="离职")

    def preview(name: str, number: str, dry_run: bool = True) -> dict[str, Any]:
        upload = SimpleUploadedFile(
            "roster.csv", f"姓名,身份证号码\n{name},{number}\n".encode(), content_type="text/csv"
        )
        r = api(people.clerk_a).post(
            "/api/v1/members/import",
            {"org": "G-A-0001", "file": upload, "dry_run": "true" if dry_run else "false"},
        )
        assert r.status_code == 200, r.content
        assert tree.union_b.name not in r.content.decode()
        return {k: v for k, v in r.json().items() if k not in ("sample", "timings")}

    stranger = preview("赵敏", ZHAO)
    assert (stranger["created"], stranger["rejected"], stranger["updated"]) == (1, 0, 0)
    assert preview("李娜", LI) == stranger  # active in 乙公司工会
    assert preview("王强", WANG) == stranger  # a member there once
    real = preview("李娜", LI, dry_run=False)
    assert real["rejections"] == [
        {"row": 2, "reason": "身份证号码：此人无法在本单位导入，请其申请会籍接转"}
    ]


def test_api_reports_warnings_apart(people: People, tree: Tree, api: Any) -> None:
    upload = SimpleUploadedFile(
        "roster.csv",
        f"姓名,身份证号码,学历\n王强,{WANG},幼儿园\n".encode(),
        content_type="text/csv",
    )
    r = api(people.clerk_a).post("/api/v1/members/import", {"org": "G-A-0001", "file": upload})
    body = r.json()
    assert (body["created"], body["rejected"], body["warned"]) == (1, 0, 1)
    assert body["warnings"] == [
        {"row": 2, "column": "学历", "value": "幼儿园", "action": "无法识别，此项未导入"}
    ]


def test_cli_json_gains_warned(
    tree: Tree, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    errors = tmp_path / "out.xlsx"
    out = StringIO()
    call_command(
        "import_members", str(junk_roster(tmp_path)), org=tree.union_a.code, json=True,
        errors=str(errors), stdout=out,
    )  # fmt: skip
    assert json.loads(out.getvalue().strip().splitlines()[-1]) == {
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "warned": 2,
        "errors_file": str(errors),
    }
    assert "有提示 2" in capsys.readouterr().err


def test_job_and_page_show_warned_apart(
    people: People, tree: Tree, login: Any, tmp_path: Path
) -> None:
    job = importing.import_job_start(
        actor=people.clerk_a,
        org=tree.union_a,
        path=junk_roster(tmp_path),
        file_name="名册.csv",
        dry_run=True,
        enqueue=False,
    )
    run_member_import(job.pk)
    job = ImportJob.objects.get(pk=job.pk)
    assert (job.created, job.rejected, job.warned) == (3, 0, 2)
    html = login(people.clerk_a).get(f"/members/import/{job.pk}/").content.decode()
    assert 'data-testid="warned">2<' in html and 'data-testid="rejected">0<' in html
    assert 'data-testid="warned-rows"' in html and "幼儿园" in html
    assert "下载导入提示（XLSX）" in html


# --- the hash path agrees with the full check, on generated files of every edge -------------

# each list: a few good values (drawn more often) and every edge the checks know
NAMES = ["王强", "李娜", "欧阳 明", "阿依古丽·买买提", "王强", "李娜", "A", "", "王强1"]
IDS = [
    WANG,
    LI,
    ZHAO,
    WANG,
    LI,
    WANG.lower(),
    "３７１７０２" + ZHAO[6:],
    WANG[:17] + "0",
    "123",
    "",
]
SEXES = ["", "", "男", "女", "未知", "Ｍ"]
EDUCATION = ["", "本科", "本科", "硕士研究生", "初中及以下", "幼儿园", "21"]
ETHNICITY = ["", "", "汉", "蒙族", "火星族", "某" * 25]
PHONES = ["", "13800138000", "13800138000", "138 0013 8000", "12345"]
JOINED = [
    "2015-03-01",
    "2015-03-01",
    "2015年3月1日",
    "42000",
    "",
    "去年",
    "2099-01-01",
    "1970-01-01",
]

ROW = st.tuples(
    st.sampled_from(NAMES),
    st.sampled_from(IDS),
    st.sampled_from(SEXES),
    st.sampled_from(EDUCATION),
    st.sampled_from(ETHNICITY),
    st.sampled_from(PHONES),
    st.sampled_from(JOINED),
)


def _outcome(result: importing.ImportResult) -> tuple[Any, ...]:
    return (
        result.rows,
        result.created,
        result.updated,
        result.unchanged,
        result.rejected,
        result.warned,
        sorted((n, r) for n, _c, r in result.rejections),
        sorted(result.warnings),
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first=st.lists(ROW, min_size=1, max_size=8),
    picks=st.lists(st.integers(0, 7), max_size=10),
    extra=st.lists(ROW, max_size=4),
    data=st.data(),
)
def test_hash_path_agrees_with_the_full_check(
    people: People,
    tree: Tree,
    tmp_path: Path,
    first: list[Any],
    picks: list[int],
    extra: list[Any],
    data: Any,
) -> None:
    """Import a generated file, then another made of some of its rows (repeated, in any
    order) and new ones: the outcome with the stored row hashes equals the outcome with
    every row checked in full."""
    Member.objects.all().delete()
    second = data.draw(st.permutations([first[i % len(first)] for i in picks] + extra))
    header = ["姓名", "身份证号", "性别", "学历", "民族", "手机", "入会日期"]
    first_path = write(tmp_path, header, [list(r) for r in first], "first.csv")
    second_path = write(tmp_path, header, [list(r) for r in second], "second.csv")
    member_import(actor=people.clerk_a, org=tree.union_a, path=first_path)
    fast = member_import(actor=people.clerk_a, org=tree.union_a, path=second_path, dry_run=True)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE members_member SET import_hash = NULL")
    full = member_import(actor=people.clerk_a, org=tree.union_a, path=second_path, dry_run=True)
    assert full.hashed == 0
    assert _outcome(fast) == _outcome(full)
