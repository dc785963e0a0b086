"""The member roster import: every edge of issue 3 item 2, the CLI contract, the job task."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core import management
from django.core.management import call_command
from django.db import connection

from gonghui import cli
from gonghui.core import bulk
from gonghui.core.errors import Forbidden, InvalidInput, NotFound
from gonghui.core.fields import blind_index_for
from gonghui.core.identifiers import citizen_id_check_char
from gonghui.core.models import AuditEntry, ImportJob, ImportStatus
from gonghui.core.spreadsheets import UnusableFile, cell_text, open_sheet
from gonghui.members import importing
from gonghui.members.importing import ALIASES, import_job_start, member_import
from gonghui.members.models import Member, MembershipEvent
from gonghui.members.services import member_create, member_set_status
from gonghui.members.tasks import run_member_import

from .conftest import People, Tree

HEADER = ["序号", "姓名", "性别", "公民身份号码", "手机", "学历", "入会时间"]


def cid(body: str) -> str:
    return body + citizen_id_check_char(body)


WANG = cid("37170219900101123")  # male
LI = cid("37172119850615224")  # female
ZHAO = cid("37170219800202111")  # male


def roster(tmp_path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    path = tmp_path / "roster.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@dataclass
class Streamed:
    on: bool  # the import writes as it checks
    blocks: list[bytes]  # what the stream wrote, a block per chunk
    keys_once: bool = False  # its foreign keys checked once at the end, not row by row


@pytest.fixture(params=["after", "streamed", "streamed, keys row by row"])
def streamed(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Streamed:
    """Every way of writing: after the check, and as the check goes (``_Stream``: a first
    big roster on PostgreSQL), forced here on a small file read in chunks of two rows, so
    that a person's repeat lies in a later chunk than the row already written — with its
    foreign keys checked once at the end (``bulk.keys_checked_once``, this test role may)
    or, as for a role that may not, by the triggers row by row."""
    out = Streamed(request.param != "after", [], request.param == "streamed")
    if out.on:
        if connection.vendor != "postgresql":
            pytest.skip("an import writes as it checks on PostgreSQL only")
        if not out.keys_once:
            monkeypatch.setattr(bulk, "_may_switch_triggers", lambda tables: False)
        # whatever the planner's row estimate of the table says after earlier tests
        monkeypatch.setattr(importing, "_streams", lambda new_rows: True)
        monkeypatch.setattr(importing, "CHUNK", 2)
        write = importing._Stream.write

        def spy(stream: Any, text: bytes, plain: bool) -> None:
            out.blocks.append(text)
            write(stream, text, plain)

        monkeypatch.setattr(importing._Stream, "write", spy)
    return out


def three(tmp_path: Path) -> Path:
    return roster(
        tmp_path,
        [
            ["1", "王强", "男", WANG, "138 0013 8000", "本科", "2015-03-01"],
            ["2", "李娜", "女", LI.lower(), "", "大专", "2018年5月2日"],
            ["3", "赵 军", "", "３７１７０２" + ZHAO[6:], "13953012345", "", "42000"],
        ],
    )


def test_import_creates_members_with_events_and_one_audit_row(
    people: People, tree: Tree, tmp_path: Path, streamed: Streamed
) -> None:
    result = member_import(actor=people.clerk_a, org=tree.union_a, path=three(tmp_path))
    assert len(streamed.blocks) == (2 if streamed.on else 0)  # two chunks of the three rows
    assert ("keys" in result.timings) == streamed.keys_once
    assert result.as_json() == {
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "warned": 0,
        "errors_file": None,
    }
    wang = Member.objects.get(id_number_bidx=blind_index_for("citizen_id", WANG))
    assert (wang.name, wang.sex, wang.phone, wang.education, wang.org_id) == (
        "王强",
        "M",
        "13800138000",
        "bachelor",
        tree.union_a.pk,
    )
    assert (wang.name_pinyin, wang.name_initials, wang.id_tail, wang.phone_tail) == (
        "wangqiang",
        "wq",
        WANG[-4:],
        "8000",
    )
    assert (wang.joined_on, wang.status, wang.status_since) == (
        date(2015, 3, 1),
        "active",
        date(2015, 3, 1),
    )
    zhao = Member.objects.get(id_number_bidx=blind_index_for("citizen_id", ZHAO))
    assert (zhao.name, zhao.joined_on) == ("赵军", date(2014, 12, 27))  # Excel serial 42000
    li = Member.objects.get(id_number_bidx=blind_index_for("citizen_id", LI))
    assert (li.id_number, li.phone, li.joined_on) == (LI, "", date(2018, 5, 2))
    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute("SELECT id_number, phone FROM members_member WHERE id = %s", [wang.pk])
        stored = cursor.fetchone()
    assert stored[0].startswith("v1:") and WANG not in stored[0]
    assert stored[1].startswith("v1:")
    events = MembershipEvent.objects.filter(member=wang)
    assert [(e.kind, e.on, e.org_id, e.actor_id, e.note) for e in events] == [
        ("join", date(2015, 3, 1), tree.union_a.pk, people.clerk_a.pk, "名册导入")
    ]
    assert MembershipEvent.objects.count() == 3
    entries = AuditEntry.objects.filter(action="member.import")
    assert [(e.actor_id, e.object_org_id, e.note) for e in entries] == [
        (people.clerk_a.pk, tree.union_a.pk, "roster.csv")
    ]
    assert entries[0].changes["counts"]["created"] == 3
    assert WANG not in json.dumps(entries[0].changes)


def test_same_file_again_changes_nothing(people: People, tree: Tree, tmp_path: Path) -> None:
    path = three(tmp_path)
    member_import(actor=people.clerk_a, org=tree.union_a, path=path)
    before = list(Member.objects.values_list("id", "updated_at"))
    audits = AuditEntry.objects.count()
    again = member_import(actor=people.clerk_a, org=tree.union_a, path=path)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 0)
    assert list(Member.objects.values_list("id", "updated_at")) == before
    assert AuditEntry.objects.count() == audits
    assert MembershipEvent.objects.count() == 3


def test_changed_rows_update_only_their_columns(people: People, tree: Tree, tmp_path: Path) -> None:
    member_import(actor=people.clerk_a, org=tree.union_a, path=three(tmp_path))
    changed = roster(
        tmp_path,
        [["1", "王强", "男", WANG, "13900000001", "研究生", "2015-03-01"]],
        header=HEADER,
    )
    result = member_import(actor=people.clerk_a, org=tree.union_a, path=changed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert result.samples["updated"] == [
        {"row": 2, "name": "王*", "id_tail": WANG[-4:], "changed": ["学历", "手机号"]}
    ]
    wang = Member.objects.get(id_number_bidx=blind_index_for("citizen_id", WANG))
    assert (wang.phone, wang.phone_tail, wang.education) == ("13900000001", "0001", "postgrad")
    assert wang.phone_bidx == blind_index_for("mobile", "13900000001")
    update = MembershipEvent.objects.filter(member=wang, kind="update").get()
    assert update.note == "学历、手机号"
    # a column the file does not carry is left alone
    no_phone = roster(tmp_path, [["王强", WANG]], header=["姓名", "身份证号"])
    result = member_import(actor=people.clerk_a, org=tree.union_a, path=no_phone)
    assert (result.updated, result.unchanged) == (0, 1)


def test_duplicates_conflicts_and_bad_rows_are_reported(
    people: People, tree: Tree, tmp_path: Path, streamed: Streamed
) -> None:
    """A repeat of a person written in an earlier chunk is a repeat, not a person already
    registered, when the import writes as it checks (``streamed``) as well."""
    member_create(actor=people.cadre_b, org=tree.union_b, data={"name": "李娜", "id_number": LI})
    path = roster(
        tmp_path,
        [
            ["1", "王强", "男", WANG, "13800138000", "本科", "2015-03-01"],
            ["2", "李娜", "女", LI, "", "", "2018-05-02"],
            ["3", "王强", "男", WANG, "13800138000", "本科", "2015-03-01"],
            ["4", "赵军", "女", ZHAO, "", "", "2015-03-01"],
            ["5", "钱七", "", WANG[:17] + "0", "12345", "", "2015-03-01"],
            ["6", "孙八", "", cid("37170219900101145"), "", "博士后", "去年"],
        ],
    )
    errors = tmp_path / "errors.xlsx"
    result = member_import(actor=people.clerk_a, org=tree.union_a, path=path, errors_path=errors)
    assert (result.rows, result.created, result.rejected) == (6, 1, 5)
    assert len(streamed.blocks) == (1 if streamed.on else 0)
    reasons = {number: reason for number, _cells, reason in result.rejections}
    assert reasons == {
        # no other union named (issue 10)
        3: "公民身份号码：此人无法在本单位导入，请其申请会籍接转",
        4: "公民身份号码：与第 2 行是同一人，重复的行未导入",
        5: "性别与身份证号不符",  # the message names its field: the column is not repeated
        6: "身份证号校验位不正确；手机号应为11位、以1开头的号码：12345",
        7: "入会日期无法识别：去年",
    }
    assert "乙公司" not in str(result.rejections)
    li = Member.objects.get(id_number_bidx=blind_index_for("citizen_id", LI))
    assert li.org_id == tree.union_b.pk  # never moved
    assert result.errors_file == str(errors)
    sheet = open_sheet(errors, aliases=ALIASES, required=("name", "id_number"))
    rows = [[cell_text(c) for c in cells] for _n, cells in sheet.rows]
    assert [row[-2:] for row in rows] == [[str(n), reasons[n]] for n in (3, 4, 5, 6, 7)]
    assert rows[1][:7] == ["3", "王强", "男", WANG, "13800138000", "本科", "2015-03-01"]


def test_fixed_errors_file_imports(people: People, tree: Tree, tmp_path: Path) -> None:
    path = roster(tmp_path, [["1", "王强", "男", WANG, "12345", "本科", "2015-03-01"]])
    errors = tmp_path / "errors.xlsx"
    first = member_import(actor=people.clerk_a, org=tree.union_a, path=path, errors_path=errors)
    assert (first.created, first.rejected) == (0, 1)
    # the clerk fixes the phone in the errors file and imports it as it is
    from openpyxl import load_workbook

    book = load_workbook(errors)
    book.active["E2"] = "13800138000"
    book.save(errors)
    second = member_import(actor=people.clerk_a, org=tree.union_a, path=errors)
    assert (second.rows, second.created, second.rejected) == (1, 1, 0)
    assert second.unknown_columns == ["序号", "原行号", "错误原因"]


def test_former_member_elsewhere_is_taken_in_again(
    people: People, tree: Tree, tmp_path: Path, streamed: Streamed
) -> None:
    li = member_create(
        actor=people.cadre_b,
        org=tree.union_b,
        data={"name": "李娜", "id_number": LI, "joined_on": "2010-01-01"},
    )
    member_set_status(
        actor=people.cadre_b, member=li, status="withdrawn", on=date(2020, 1, 1), note="离职"
    )
    path = roster(
        tmp_path,
        [
            ["1", "李娜", "女", LI, "", "", "2021-03-01"],
            ["2", "王强", "男", WANG, "", "", "2015-03-01"],
        ],
    )
    result = member_import(actor=people.clerk_a, org=tree.union_a, path=path)
    assert (result.created, result.updated, result.rejected) == (1, 1, 0)
    assert len(streamed.blocks) == (1 if streamed.on else 0)
    li.refresh_from_db()
    assert (li.org_id, li.status, li.joined_on, li.status_since) == (
        tree.union_a.pk,
        "active",
        date(2021, 3, 1),
        date(2021, 3, 1),
    )
    join = MembershipEvent.objects.filter(member=li, kind="join", org=tree.union_a).get()
    assert (join.on, join.note) == (date(2021, 3, 1), "名册导入：重新入会")
    assert Member.objects.count() == 2
    # the new member's join event is written whichever way the rows were
    assert MembershipEvent.objects.filter(kind="join", note="名册导入").count() == 1


def test_dry_run_writes_nothing(people: People, tree: Tree, tmp_path: Path) -> None:
    result = member_import(
        actor=people.clerk_a, org=tree.union_a, path=three(tmp_path), dry_run=True
    )
    assert (result.created, result.dry_run) == (3, True)
    assert [s["row"] for s in result.samples["created"]] == [2, 3, 4]
    assert Member.objects.count() == 0
    assert AuditEntry.objects.filter(action="member.import").count() == 0


def test_unusable_file_writes_nothing(people: People, tree: Tree, tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("会议纪要\n今天开会\n", encoding="utf-8")
    with pytest.raises(UnusableFile):
        member_import(actor=people.clerk_a, org=tree.union_a, path=path)
    assert Member.objects.count() == 0


def test_interrupted_write_leaves_nothing(
    people: People, tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(**_kwargs: Any) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(importing, "_join_events", boom)
    with pytest.raises(RuntimeError):
        member_import(actor=people.clerk_a, org=tree.union_a, path=three(tmp_path))
    assert Member.objects.count() == 0
    assert MembershipEvent.objects.count() == 0
    assert AuditEntry.objects.filter(action="member.import").count() == 0


def test_a_result_workbook_that_cannot_be_written_leaves_nothing_written(
    people: People,
    tree: Tree,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    streamed: Streamed,
) -> None:
    """The workbook is written beside the rows (a thread of its own), inside the import's
    one transaction: when it fails (a full disk) the import fails and nothing is written,
    as when the workbook was written before the rows."""

    def full_disk(*_args: Any, **_kwargs: Any) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(importing, "write_errors", full_disk)
    path = roster(
        tmp_path,
        [
            ["1", "王强", "男", WANG, "13800138000", "本科", "2015-03-01"],
            ["2", "李娜", "女", LI[:-1] + ("0" if LI[-1] != "0" else "1"), "", "", ""],
        ],
    )
    errors = tmp_path / "errors.xlsx"
    with pytest.raises(OSError, match="No space"):
        member_import(actor=people.clerk_a, org=tree.union_a, path=path, errors_path=errors)
    assert len(streamed.blocks) == (1 if streamed.on else 0)  # the stream had written one
    assert Member.objects.count() == 0
    assert MembershipEvent.objects.count() == 0
    assert AuditEntry.objects.filter(action="member.import").count() == 0


def test_worker_processes_give_the_same_result(
    people: People, tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "CHUNK", 2)
    monkeypatch.setattr(importing, "PARALLEL_FROM", 1)
    path = roster(
        tmp_path,
        [
            ["1", "王强", "男", WANG, "", "", "2015-03-01"],
            ["2", "李娜", "女", LI, "", "", "2015-03-01"],
            ["3", "王强", "男", WANG, "", "", "2015-03-01"],
            ["4", "赵军", "女", ZHAO, "", "", "2015-03-01"],
            ["5", "赵军", "男", ZHAO, "", "", "2015-03-01"],
        ],
    )
    result = member_import(actor=people.clerk_a, org=tree.union_a, path=path, workers=2)
    assert (result.rows, result.created, result.rejected) == (5, 3, 2)
    assert [n for n, _c, _r in result.rejections] == [4, 5]
    assert sorted(Member.objects.values_list("name", flat=True)) == ["李娜", "王强", "赵军"]


def test_worker_processes_agree_on_a_second_roster(
    people: People, tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second roster through the workers (chunks of two: some rows answered by their
    hash, some packed for the check, a chunk whose rows are not all new) says and writes
    what the same file says in one process."""
    monkeypatch.setattr(importing, "CHUNK", 2)
    monkeypatch.setattr(importing, "PARALLEL_FROM", 1)
    first = [
        ["1", "王强", "男", WANG, "13800138000", "本科", "2015-03-01"],
        ["2", "李娜", "女", LI, "", "硕士研究生", "2015-03-01"],
    ]
    second = [
        first[0],  # unchanged: its hash
        ["2", "李娜", "女", LI, "13900139000", "硕士研究生", "2015-03-01"],  # a new mobile
        ["3", "赵军", "男", ZHAO, "", "幼儿园", "2016-03-01"],  # new, with a warning
        ["4", "王强", "男", WANG, "13800138000", "本科", "2015-03-01"],  # a repeat
        ["5", "孙丽", "女", cid("37170219920305222"), "12345", "", "2016-03-01"],  # bad mobile
        # a separator character in a cell (the chunk goes as lists): a space in a name
        ["6", "周\x1f伟", "男", cid("37170219930405111"), "", "", "2016-03-01"],
    ]
    answers = []
    for workers in (1, 2):
        Member.objects.all().delete()
        member_import(actor=people.clerk_a, org=tree.union_a, path=roster(tmp_path, first))
        result = member_import(
            actor=people.clerk_a, org=tree.union_a, path=roster(tmp_path, second), workers=workers
        )
        members = sorted(
            Member.objects.values_list("name", "phone_tail", "education", "import_hash")
        )
        answers.append((result.as_json(), result.rejections, result.warnings, members))
        assert (result.created, result.updated, result.unchanged) == (2, 1, 1)
        assert [n for n, _c, _r in result.rejections] == [5, 6]  # the header is row 1
        assert Member.objects.filter(name="周伟").exists()
    assert answers[0] == answers[1]


def test_large_load_path_gives_the_same_members_events_and_indexes(
    people: People, tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path of a first big roster (indexes dropped for the load and built again, the
    join events' foreign key to the members too on PostgreSQL, the statistics refreshed) on
    a small file: the same members and join events, every index and key back, and the
    members found by search."""
    from .test_core_bulk import foreign_keys, index_definitions

    before = {
        table: index_definitions(table)
        for table in (Member._meta.db_table, MembershipEvent._meta.db_table)
    }
    keys_before = (
        foreign_keys(MembershipEvent._meta.db_table) if connection.vendor == "postgresql" else {}
    )
    monkeypatch.setattr(importing, "DEFER_INDEXES_FROM", 1)
    monkeypatch.setattr(importing, "ANALYZE_FROM", 1)
    result = member_import(actor=people.clerk_a, org=tree.union_a, path=three(tmp_path))
    assert (result.created, result.rejected) == (3, 0)
    assert {"rows", "insert", "events", "analyze"} <= set(result.timings)
    assert {table: index_definitions(table) for table in before} == before
    if keys_before:
        assert foreign_keys(MembershipEvent._meta.db_table) == keys_before
    assert MembershipEvent.objects.filter(kind="join", org=tree.union_a).count() == 3
    from gonghui.members.selectors import member_search

    assert [m.name for m in member_search(people.clerk_a, "wangqiang")] == ["王强"]


def test_import_refuses_outsiders_and_readers(people: People, tree: Tree, tmp_path: Path) -> None:
    path = three(tmp_path)
    with pytest.raises(NotFound):
        member_import(actor=people.cadre_b, org=tree.union_a, path=path)
    with pytest.raises(NotFound):
        member_import(actor=people.member_a, org=tree.union_a, path=path)
    with pytest.raises(Forbidden):
        member_import(actor=people.leader, org=tree.union_a, path=path)
    with pytest.raises(InvalidInput):
        member_import(actor=people.cadre_a, org=tree.county_a, path=path)
    assert Member.objects.count() == 0
    assert AuditEntry.objects.filter(action="member.import").count() == 0


def test_cli_contract(tree: Tree, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    errors = tmp_path / "out.xlsx"
    call_command(
        "import_members", str(three(tmp_path)), "--org", "G-A-0001", "--json",
        "--errors", str(errors), stdout=out,
    )  # fmt: skip
    assert json.loads(out.getvalue().strip().splitlines()[-1]) == {
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "warned": 0,
        "errors_file": None,
    }
    assert "共 3 行：新增 3" in capsys.readouterr().err
    assert AuditEntry.objects.get(action="member.import").actor_name == "cli"


def test_cli_dry_run(tree: Tree, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    call_command(
        "import_members", str(three(tmp_path)), "--org", "G-A-0001", "--dry-run", "--json",
        stdout=out,
    )  # fmt: skip
    assert json.loads(out.getvalue().strip().splitlines()[-1])["created"] == 3
    assert "[预览，未写入]" in capsys.readouterr().err
    assert Member.objects.count() == 0


def test_cli_takes_the_product_name(monkeypatch: pytest.MonkeyPatch) -> None:
    # run_from_argv closes every connection when it ends, so only the name mapping is run
    seen: list[list[str]] = []
    monkeypatch.setattr(management, "execute_from_command_line", seen.append)
    cli.main(["import-members", "f.csv", "--org", "X"])
    assert seen == [["gonghui", "import_members", "f.csv", "--org", "X"]]


def test_cli_unusable_file_exits_2(tree: Tree, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    out = io.StringIO()
    with pytest.raises(SystemExit) as caught:
        call_command("import_members", str(path), "--org", "G-A-0001", "--json", stdout=out)
    assert caught.value.code == 2
    assert json.loads(out.getvalue().strip().splitlines()[-1]) == {"error": "文件是空的"}


def test_job_runs_once_and_reports(people: People, tree: Tree, tmp_path: Path) -> None:
    job = import_job_start(
        actor=people.clerk_a,
        org=tree.union_a,
        path=three(tmp_path),
        file_name="名册.csv",
        enqueue=False,
    )
    assert job.status == ImportStatus.PENDING
    outcome = run_member_import(job.pk)
    assert outcome["status"] == "done"
    job.refresh_from_db()
    assert (job.status, job.total, job.processed, job.created, job.rejected, job.percent) == (
        "done",
        3,
        3,
        3,
        0,
        100,
    )
    assert job.finished_at is not None and job.errors_file == ""
    again = run_member_import(job.pk)
    assert again == {"job": job.pk, "status": "done", "skipped": True}
    assert Member.objects.count() == 3
    assert AuditEntry.objects.filter(action="member.import").count() == 1


def test_job_of_an_unusable_file_fails_with_its_message(
    people: People, tree: Tree, tmp_path: Path
) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"")
    job = import_job_start(
        actor=people.clerk_a, org=tree.union_a, path=path, file_name="x.csv", enqueue=False
    )
    assert run_member_import(job.pk)["status"] == "failed"
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", "文件是空的")


def test_job_start_refuses_outsiders(people: People, tree: Tree, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        import_job_start(
            actor=people.cadre_b,
            org=tree.union_a,
            path=three(tmp_path),
            file_name="r.csv",
            enqueue=False,
        )
    assert ImportJob.objects.count() == 0
    job = import_job_start(
        actor=people.clerk_a,
        org=tree.union_a,
        path=three(tmp_path),
        file_name="r.csv",
        enqueue=False,
    )
    assert list(importing.import_jobs_visible_to(people.cadre_a)) == [job]
    assert list(importing.import_jobs_visible_to(people.cadre_b)) == []


def test_template_reads_back_with_every_field(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    importing.template(path)
    sheet = open_sheet(path, aliases=ALIASES, required=("name", "id_number"))
    assert list(sheet.columns) == list(ALIASES)
    assert [cell_text(c) for c in next(sheet.rows)[1]][:2] == ["王强", "11010519491231002X"]


def test_batch_crypto_helpers_match_the_single_ones(db: Any) -> None:
    from gonghui.core import crypto

    index = crypto.blind_indexer("citizen_id")
    for value in (WANG, LI, "", "13800138000", "王强"):
        assert index(value) == crypto.blind_index(value, purpose="citizen_id")
    encrypt = crypto.encryptor()
    tokens = [encrypt(str(n)) for n in range(2500)]  # crosses the nonce buffer's refill
    assert [crypto.decrypt(t) for t in tokens] == [str(n) for n in range(2500)]
    assert len({t[:19] for t in tokens}) == 2500  # every nonce differs


def test_odd_characters_in_cells_are_stored_as_written(
    people: People, tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new members travel from the checking workers to the insert as COPY text: a
    backslash, a literal "\\N", a tab or a line break in a cell comes out of the import as
    the per-row path keeps it (in one process and through the workers alike)."""
    monkeypatch.setattr(importing, "CHUNK", 2)
    monkeypatch.setattr(importing, "PARALLEL_FROM", 1)
    header = [*HEADER, "工作单位"]
    rows = [
        ["1", "王强", "男", WANG, "", "", "2015-03-01", "甲\\乙公司"],
        ["2", "李娜", "女", LI, "", "", "2015-03-01", "\\N"],
        ["3", "赵军", "男", ZHAO, "", "", "2015-03-01", "丙\t丁\n公司"],
        ["4", "孙丽", "女", cid("37170219920305222"), "", "", "2015-03-01", "普通公司"],
    ]
    answers = []
    for workers in (1, 2):
        Member.objects.all().delete()
        result = member_import(
            actor=people.clerk_a, org=tree.union_a, path=roster(tmp_path, rows, header),
            workers=workers,
        )  # fmt: skip
        assert result.created == 4
        answers.append(dict(Member.objects.values_list("name", "employer_name")))
    assert answers[0] == answers[1]
    assert answers[0]["王强"] == "甲\\乙公司"
    assert answers[0]["李娜"] == "\\N"
    assert answers[0]["孙丽"] == "普通公司"
    assert "丙" in answers[0]["赵军"] and "丁" in answers[0]["赵军"]
