"""Activities: the sign-up sheet imported row by row (members by ID number or member number,
one outside the organiser's scope answering like one unknown, names, roles, hours, the same
person twice, the capacity's waiting list, attendance), nothing of a refused row written,
the same sheet again changing nothing, the refused rows as a workbook that imports again,
the template; scope on every page. And the member's 360° page: activities and ventures."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

import python_calamine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from gonghui.activities import importing, services
from gonghui.activities.models import Activity, Signup, SignupStatus
from gonghui.core.models import AuditEntry, ImportJob

from .conftest import People, Tree
from .test_activities import event, ident, members

HEADER = ["身份证号", "会员编号", "姓名", "角色", "是否签到", "志愿服务时长（小时）"]


def sheet(rows: list[list[Any]], header: list[str] = HEADER, name: str = "报名.xlsx") -> Any:
    book = Workbook()
    ws = book.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def _member(user: Any) -> Any:
    from gonghui.members.models import Member

    return Member.objects.get(user=user)


def _id(n: int) -> str:
    return ident(n)


def _wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def test_the_sheet_is_answered_row_by_row(people: People, tree: Tree, login: Any) -> None:
    users = members(tree, people, 4)
    outsider = members(tree, people, 1, org=tree.union_b)[0]  # county B: not cadre A's
    a, b, c, d = (_member(u) for u in users)
    item = event(people, tree, capacity=2, hours="3")
    rows = [
        [a.id_number, "", a.name, "志愿者", "是", "2.5"],  # 2: attended, 2.5 hours
        ["", f"{b.pk:010d}", b.name, "", "", ""],  # 3: by member number, a sign-up only
        [_member(outsider).id_number, "", _member(outsider).name, "", "", ""],  # 4: outside
        [_id(999), "", "无此人", "", "", ""],  # 5: not in the registry
        [c.id_number, "", c.name, "", "", "二十五"],  # 6: bad hours
        [c.id_number, "", "别人", "", "", ""],  # 7: another name
        ["", f"{a.pk:010d}", a.name, "", "", ""],  # 8: the same person as row 2
        [c.id_number, "", c.name, "学员", "", ""],  # 9: past the capacity: waiting
        [d.id_number, "", d.name, "", "是", ""],  # 10: attendance past the capacity
        [_wrong_check(d.id_number), "", d.name, "", "", ""],  # 11: a wrong check digit
        ["", "", "空号", "", "", ""],  # 12: neither number
        [d.id_number, "", d.name, "队长", "", ""],  # 13: a role not known
    ]
    client = login(people.cadre_a)
    answer = client.post(f"/activities/{item.pk}/import/", {"file": sheet(rows)})
    assert answer.status_code == 302
    job = ImportJob.objects.get(kind="activities")
    assert answer["Location"] == f"/activities/{item.pk}/import/{job.pk}/"
    assert (job.total, job.created, job.updated, job.unchanged, job.rejected) == (12, 3, 0, 0, 9)
    assert job.message == "其中 1 人进入候补"
    page = client.get(answer["Location"]).content.decode()
    unknown = "身份证号：会员名册中没有此人"
    reasons = {
        4: unknown,
        5: unknown,  # the same answer inside and outside the registry
        6: "志愿服务时长（小时）：请填写数字。",
        7: "姓名：与会员名册中的姓名不一致",
        8: "与第 2 行是同一人",
        10: "是否签到：名额已满（2 人），此人只能候补，候补人员不能登记签到和时长",
        11: "身份证号：身份证号校验位不正确",
        12: "身份证号：请填写身份证号或会员编号",
        13: "角色：“队长”无法识别，应为参加者、志愿者、工作人员",
    }
    for row, why in reasons.items():
        assert f'<td class="num">{row}</td>' in page and why in page, row
    signups = {s.member_id: s for s in Signup.objects.filter(activity=item)}
    assert set(signups) == {a.pk, b.pk, c.pk}  # nothing of a refused row
    assert (signups[a.pk].status, signups[a.pk].role) == ("confirmed", "volunteer")
    assert signups[a.pk].attended and signups[a.pk].hours == Decimal("2.5")
    assert (signups[b.pk].status, signups[b.pk].attended) == ("confirmed", False)
    assert (signups[c.pk].status, signups[c.pk].role) == ("waiting", "participant")
    assert AuditEntry.objects.filter(action="activities.signup_import").count() == 3
    assert AuditEntry.objects.filter(action="activities.import").count() == 1

    # the refused rows as a workbook: the sheet's columns, 原行号 and 错误原因
    download = client.get(f"/activities/{item.pk}/import/{job.pk}/errors.xlsx")
    assert download.status_code == 200
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    got = python_calamine.CalamineWorkbook.from_filelike(BytesIO(content))
    table = got.get_sheet_by_index(0).to_python()
    assert table[0] == [*HEADER, "原行号", "错误原因"]
    assert [int(r[6]) for r in table[1:]] == sorted(reasons)
    assert table[1][0] == _member(outsider).id_number  # every digit kept, as text

    # the same sheet again changes nothing; fixed rows import
    again = client.post(f"/activities/{item.pk}/import/", {"file": sheet(rows)})
    second = ImportJob.objects.filter(kind="activities").order_by("-id").first()
    assert again.status_code == 302 and second is not None
    assert (second.created, second.updated, second.unchanged, second.rejected) == (0, 0, 3, 9)
    fixed = [
        [a.id_number, "", a.name, "志愿者", "是", "4"],
        [b.id_number, "", "", "志愿者", "", ""],
    ]
    client.post(f"/activities/{item.pk}/import/", {"file": sheet(fixed)})
    third = ImportJob.objects.filter(kind="activities").order_by("-id").first()
    assert third is not None and (third.updated, third.rejected, third.errors_file) == (2, 0, "")
    a_row = Signup.objects.get(activity=item, member=a)
    assert (a_row.role, a_row.attended, a_row.hours) == ("volunteer", True, Decimal("4.0"))
    b_row = Signup.objects.get(activity=item, member=b)
    assert (b_row.role, b_row.attended) == ("volunteer", False)
    # a cancellation promotes the one waiting from the sheet, as on the portal
    services.signup_cancel(user=people.cadre_a, signup=Signup.objects.get(activity=item, member=b))
    assert Signup.objects.get(activity=item, member=c).status == SignupStatus.CONFIRMED


def test_attendance_before_the_start_and_a_cancelled_activity(
    people: People, tree: Tree, login: Any
) -> None:
    (u,) = members(tree, people, 1)
    m = _member(u)
    now = timezone.localtime()
    later = event(
        people, tree, starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=2)
    )
    client = login(people.cadre_a)
    client.post(
        f"/activities/{later.pk}/import/", {"file": sheet([[m.id_number, "", "", "", "是", ""]])}
    )
    job = ImportJob.objects.get(kind="activities")
    assert job.rejected == 1 and not Signup.objects.filter(activity=later).exists()
    services.activity_cancel(actor=people.cadre_a, activity=later, reason="下雨")
    answer = client.post(
        f"/activities/{later.pk}/import/", {"file": sheet([[m.id_number, "", "", "", "", ""]])}
    )
    assert answer.status_code == 422 and "活动已取消，不能导入报名。" in answer.content.decode()
    bad = client.post(
        f"/activities/{later.pk}/import/", {"file": SimpleUploadedFile("x.xlsx", b"nope")}
    )
    assert bad.status_code == 422 and "errorlist" in bad.content.decode()
    headless = client.post(
        f"/activities/{later.pk}/import/", {"file": sheet([["x", "y"]], header=["姓名", "角色"])}
    )
    assert headless.status_code == 422
    assert "缺少必需的列：身份证号或会员编号" in headless.content.decode()


def test_import_pages_refuse_outside_the_scope(people: People, tree: Tree, login: Any) -> None:
    (u,) = members(tree, people, 1)
    item = event(people, tree)
    upload = sheet([[_member(u).id_number, "", "", "", "", "1"], [_id(998), "", "", "", "", ""]])
    login(people.cadre_a).post(f"/activities/{item.pk}/import/", {"file": upload})
    job = ImportJob.objects.get(kind="activities")
    assert job.rejected == 1 and job.errors_file
    urls = [
        f"/activities/{item.pk}/import/",
        f"/activities/{item.pk}/import/{job.pk}/",
        f"/activities/{item.pk}/import/{job.pk}/errors.xlsx",
    ]
    for url in urls:
        assert login(people.cadre_a).get(url).status_code == 200, url
        for outsider in (people.cadre_b, people.leader, people.clerk_a, people.member_a):
            assert login(outsider).get(url).status_code == 404, (url, outsider.username)
    before = Signup.objects.count()
    for outsider in (people.cadre_b, people.leader, people.clerk_a):
        posted = login(outsider).post(
            f"/activities/{item.pk}/import/",
            {"file": sheet([[_member(u).id_number, "", "", "", "", ""]])},
        )
        assert posted.status_code == 404
    assert Signup.objects.count() == before
    # another activity's number with this job: the same 404
    other = event(people, tree)
    assert login(people.cadre_a).get(f"/activities/{other.pk}/import/{job.pk}/").status_code == 404
    assert (
        login(people.cadre_a).get(f"/activities/{item.pk}/import/{job.pk + 99}/").status_code == 404
    )
    template = login(people.cadre_a).get("/activities/import/template/")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd")
    assert login(people.leader).get("/activities/import/template/").status_code == 404
    assert login(people.member_a).get("/activities/import/template/").status_code == 404


def test_the_template_imports_as_it_is(people: People, tree: Tree) -> None:
    out = BytesIO()
    importing.template(out)
    table = python_calamine.CalamineWorkbook.from_filelike(BytesIO(out.getvalue()))
    rows = table.get_sheet_by_index(0).to_python()
    assert rows[0] == HEADER


def test_the_member_page_shows_activities_and_ventures_in_scope(
    people: People, tree: Tree, login: Any
) -> None:
    from gonghui.ventures import services as ventures

    from .test_ventures import park

    (u,) = members(tree, people, 1)
    m = _member(u)
    item = event(people, tree, hours="3")
    signup = services.signup(user=u, activity=item)
    services.check_in(actor=people.cadre_a, signup=signup)
    # a county-B activity the member joined: not county A's to see
    other = Activity.objects.create(
        org=tree.county_b,
        title="曹县读书会",
        kind="reading",
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        place="曹县",
        checkin_token="t-b",
    )
    Signup.objects.create(activity=other, member=m, status="confirmed", queued_at=timezone.now())
    venture = ventures.venture_save(
        actor=people.cadre_a,
        park=park(people, tree),
        data={
            "name": "鑫源电商",
            "industry": "F",
            "started_on": "2020-05-10",
            "founder_member": m.pk,
        },
    )
    page = login(people.cadre_a).get(f"/members/{m.pk}/").content.decode()
    assert "职工活动" in page and "报名 1 次，签到 1 次，志愿服务 3.0 小时" in page
    assert item.title in page and "曹县读书会" not in page
    assert "创业就业" in page and f"/ventures/{venture.pk}/" in page and "鑫源电商" in page
    assert m.id_number not in page  # masked like the rest of the page
    city = login(people.city_cadre).get(f"/members/{m.pk}/").content.decode()
    assert "报名 2 次" in city and "曹县读书会" in city
    # outside the member's scope: the same 404 as a missing member
    assert login(people.cadre_b).get(f"/members/{m.pk}/").status_code == 404
