"""Member registry services: create, update, transfer, status, reveal, QR join, portal login."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from gonghui.core.identifiers import citizen_id_check_char
from gonghui.core.models import AuditEntry
from gonghui.members.models import JoinApplication, Member, MembershipEvent, TransferRequest
from gonghui.members.selectors import member_history, members_home_flags
from gonghui.members.services import (
    derived_columns,
    join_apply,
    join_approve,
    join_reject,
    member_create,
    member_home_set,
    member_portal_account,
    member_reveal,
    member_set_status,
    member_transfer,
    member_update,
    transfer_approve,
)
from gonghui.orgs.services import org_insert

from .conftest import People, Tree


def citizen_id(body: str) -> str:
    return body + citizen_id_check_char(body)


ID_WANG = citizen_id("37170219900101123")  # male, born 1990-01-01
ID_LI = citizen_id("37172119850615224")  # female, born 1985-06-15
PHONE = "13853012345"


def wang(**extra: Any) -> dict[str, Any]:
    return {
        "name": "王强",
        "id_number": ID_WANG,
        "phone": PHONE,
        "joined_on": "2015-03-01",
        "employer_name": "甲公司",
        **extra,
    }


def kinds(member: Member) -> list[tuple[str, str]]:
    return [(e.kind, e.org.code) for e in member_history(member)]


def audit_actions(member: Member) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="member", object_id=str(member.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- derived columns ------------------------------------------------------------------------


def test_derived_columns() -> None:
    assert derived_columns("王强", ID_WANG, PHONE) == {
        "name_pinyin": "wangqiang",
        "name_initials": "wq",
        "id_tail": ID_WANG[-4:],
        "phone_tail": "2345",
    }
    assert derived_columns("单雄信", "11010519491231002x", "") == {
        "name_pinyin": "shanxiongxin",
        "name_initials": "sxx",
        "id_tail": "002X",
        "phone_tail": "",
    }
    assert derived_columns("吕布", "", "")["name_pinyin"] == "lvbu"
    assert derived_columns("阿依古丽·买买提", "", "")["name_initials"] == "aygl" + "mmt"


# --- create ------------------------------------------------------------------------------


def test_create_member(people: People, tree: Tree) -> None:
    member = member_create(actor=people.clerk_a, org=tree.union_a, data=wang())
    member.refresh_from_db()
    assert (member.name, member.sex, member.birth_date) == ("王强", "M", date(1990, 1, 1))
    assert (member.name_pinyin, member.name_initials) == ("wangqiang", "wq")
    assert (member.id_tail, member.phone_tail) == (ID_WANG[-4:], "2345")
    assert (member.joined_on, member.status, member.status_since) == (
        date(2015, 3, 1),
        "active",
        date(2015, 3, 1),
    )
    assert kinds(member) == [("join", "G-A-0001")]
    entry = AuditEntry.objects.get(action="member.create")
    assert entry.object_org == tree.union_a
    assert entry.changes["id_number"]["after"] == "*" * 14 + ID_WANG[-4:]
    assert entry.changes["phone"]["after"] == "138****2345"
    assert entry.changes["name"]["after"] == "王*"
    # the plain values are nowhere in the audit row, and the table holds ciphertext
    assert ID_WANG not in str(entry.changes) and PHONE not in str(entry.changes)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM members_member")
        raw_id, raw_phone = cursor.fetchone()
    assert raw_id.startswith("v1:") and raw_phone.startswith("v1:")


def test_create_defaults_join_date_to_today(people: People, tree: Tree) -> None:
    data = wang()
    del data["joined_on"]
    member = member_create(actor=people.clerk_a, org=tree.union_a, data=data)
    assert member.joined_on == timezone.localdate()


def test_create_rejects_bad_input_naming_fields(people: People, tree: Tree) -> None:
    with pytest.raises(InvalidInput) as exc:
        member_create(
            actor=people.clerk_a,
            org=tree.union_a,
            data=wang(id_number="371702199001011230", phone="12345", sex="女"),
        )
    assert [e["field"] for e in exc.value.errors] == ["id_number", "phone"]
    with pytest.raises(InvalidInput) as exc:
        member_create(actor=people.clerk_a, org=tree.union_a, data=wang(sex="女"))
    assert exc.value.errors == [{"field": "sex", "message": "性别与身份证号不符"}]
    assert Member.objects.count() == 0


def test_create_refuses_out_of_scope_and_wrong_role(people: People, tree: Tree) -> None:
    with pytest.raises(NotFound):
        member_create(actor=people.cadre_b, org=tree.union_a, data=wang())
    with pytest.raises(Forbidden):
        member_create(actor=people.leader, org=tree.union_a, data=wang())
    with pytest.raises(NotFound):
        member_create(actor=people.member_a, org=tree.union_a, data=wang())
    with pytest.raises(InvalidInput) as exc:
        member_create(actor=people.cadre_a, org=tree.county_a, data=wang())
    assert exc.value.errors[0]["field"] == "org"
    assert Member.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="member").exists()


def test_one_active_membership_per_person(people: People, tree: Tree) -> None:
    member_create(actor=people.clerk_a, org=tree.union_a, data=wang())
    # another county learns no more than that it cannot take the person in here
    with pytest.raises(Conflict) as exc:
        member_create(actor=people.cadre_b, org=tree.union_b, data=wang(name="王 强"))
    assert exc.value.detail == "此人无法在本单位办理，请其申请会籍接转"
    assert exc.value.extra == {}
    # the city sees both unions: it is told where the person is
    city_union = org_insert(code="G-C-0001", parent=tree.city, name="丙公司工会", kind="grassroots")
    with pytest.raises(Conflict) as exc:
        member_create(actor=people.city_cadre, org=city_union, data=wang())
    assert exc.value.detail == "此人已是甲公司工会的在会会员，请通过会籍接转转入"
    with pytest.raises(Conflict) as exc:
        member_create(actor=people.clerk_a, org=tree.union_a, data=wang())
    assert exc.value.detail == "此人已是本工会会员"
    assert Member.objects.count() == 1
    # each refusal told that the number exists: each is an audited look-up, the number masked
    lookups = AuditEntry.objects.filter(action="member.lookup").order_by("id")
    assert [(e.actor_id, e.note) for e in lookups] == [
        (people.cadre_b.pk, "member.create"),
        (people.city_cadre.pk, "member.create"),
        (people.clerk_a.pk, "member.create"),
    ]
    assert ID_WANG not in str([e.changes for e in lookups])


def test_former_member_is_readmitted_on_the_same_row(people: People, tree: Tree) -> None:
    member = member_create(actor=people.clerk_a, org=tree.union_a, data=wang())
    member_set_status(
        actor=people.clerk_a, member=member, status="withdrawn", on=date(2019, 1, 1), note="离职"
    )
    again = member_create(actor=people.cadre_b, org=tree.union_b, data=wang(joined_on="2020-05-01"))
    assert again.pk == member.pk
    again.refresh_from_db()
    assert (again.org, again.status, again.joined_on) == (tree.union_b, "active", date(2020, 5, 1))
    assert kinds(again) == [("join", "G-B-0001"), ("withdraw", "G-A-0001"), ("join", "G-A-0001")]
    assert audit_actions(again) == ["member.create", "member.withdraw", "member.rejoin"]


# --- update ------------------------------------------------------------------------------


def test_update_changes_only_what_is_given(people: People, tree: Tree) -> None:
    member = member_create(actor=people.clerk_a, org=tree.union_a, data=wang())
    member_update(
        actor=people.clerk_a, member=member, data={"name": "王小强", "phone": "13900001111"}
    )
    member.refresh_from_db()
    assert (member.name, member.name_pinyin, member.name_initials) == (
        "王小强",
        "wangxiaoqiang",
        "wxq",
    )
    assert (member.phone, member.phone_tail, member.employer_name) == (
        "13900001111",
        "1111",
        "甲公司",
    )
    entry = AuditEntry.objects.get(action="member.update")
    assert entry.changes == {
        "name": {"before": "王*", "after": "王*强"},
        "phone": {"before": "138****2345", "after": "139****1111"},
    }
    assert [e.kind for e in member_history(member)] == ["update", "join"]
    # nothing changed: no audit row, no event
    member_update(actor=people.clerk_a, member=member, data={"name": "王小强"})
    assert AuditEntry.objects.filter(action="member.update").count() == 1


def test_update_refuses_out_of_scope_and_duplicate_id(people: People, tree: Tree) -> None:
    member = member_create(actor=people.clerk_a, org=tree.union_a, data=wang())
    member_create(
        actor=people.cadre_b,
        org=tree.union_b,
        data={"name": "李红", "id_number": ID_LI, "joined_on": "2010-01-01"},
    )
    with pytest.raises(NotFound):
        member_update(actor=people.cadre_b, member=member, data={"name": "张三"})
    with pytest.raises(InvalidInput) as exc:
        member_update(actor=people.clerk_a, member=member, data={"id_number": ID_LI})
    assert exc.value.errors[0]["field"] in ("id_number", "sex")
    member.refresh_from_db()
    assert member.name == "王强"


# --- transfer ----------------------------------------------------------------------------


def test_transfer_within_scope_is_one_step(people: People, tree: Tree) -> None:
    member = member_create(actor=people.clerk_a, org=tree.union_a, data=wang())
    user, _pw = member_portal_account(actor=people.clerk_a, member=member)
    # the city manages both unions: one step
    moved = member_transfer(
        actor=people.city_cadre,
        member=member,
        to_org=tree.union_b,
        on=date(2020, 6, 1),
        note="调动",
    )
    moved.refresh_from_db()
    assert (moved.org, moved.status, moved.status_since) == (
        tree.union_b,
        "active",
        date(2020, 6, 1),
    )
    events = [
        (e.kind, e.org.code, e.other_org.code if e.other_org else None)
        for e in member_history(moved)
    ]
    assert events == [
        ("transfer_in", "G-B-0001", "G-A-0001"),
        ("transfer_out", "G-A-0001", "G-B-0001"),
        ("join", "G-A-0001", None),
    ]
    user.refresh_from_db()
    assert user.org == tree.union_b
    entry = AuditEntry.objects.get(action="member.transfer")
    assert entry.changes["org"] == {"before": "G-A-0001", "after": "G-B-0001"}


def test_transfer_refusals(people: People, tree: Tree) -> None:
    member = member_create(actor=people.clerk_a, org=tree.union_a, data=wang())
    # the sending side cannot push a member into a union it does not manage
    with pytest.raises(NotFound):
        member_transfer(actor=people.clerk_a, member=member, to_org=tree.union_b)
    # the receiving side cannot pull a member from a union outside its scope
    with pytest.raises(Conflict) as exc:
        member_transfer(actor=people.cadre_b, member=member, to_org=tree.union_b)
    assert exc.value.detail == "此人无法在本单位办理，请其申请会籍接转"
    with pytest.raises(Conflict):
        member_transfer(actor=people.cadre_a, member=member, to_org=tree.union_a)
    with pytest.raises(InvalidInput):
        member_transfer(
            actor=people.city_cadre, member=member, to_org=tree.union_b, on=date(2010, 1, 1)
        )
    member_set_status(actor=people.clerk_a, member=member, status="suspended", on=date(2020, 1, 1))
    with pytest.raises(Conflict):
        member_transfer(actor=people.city_cadre, member=member, to_org=tree.union_b)
    member.refresh_from_db()
    assert member.org == tree.union_a
    assert not MembershipEvent.objects.filter(kind__startswith="transfer").exists()


# --- status ------------------------------------------------------------------------------


def test_status_steps_follow_the_workflow(people: People, tree: Tree) -> None:
    member = member_create(actor=people.clerk_a, org=tree.union_a, data=wang())
    member_set_status(actor=people.clerk_a, member=member, status="suspended", on=date(2020, 1, 1))
    member_set_status(actor=people.clerk_a, member=member, status="active", on=date(2020, 2, 1))
    member_set_status(actor=people.clerk_a, member=member, status="withdrawn", on=date(2020, 3, 1))
    with pytest.raises(Conflict) as exc:
        member_set_status(actor=people.clerk_a, member=member, status="suspended")
    assert exc.value.extra["allowed"] == ["reinstate"]
    member.refresh_from_db()
    assert (member.status, member.status_since) == ("withdrawn", date(2020, 3, 1))
    assert [e.kind for e in member_history(member)] == ["withdraw", "reinstate", "suspend", "join"]
    with pytest.raises(NotFound):
        member_set_status(actor=people.cadre_b, member=member, status="active")
    with pytest.raises(Forbidden):
        member_set_status(actor=people.leader, member=member, status="active")
    with pytest.raises(InvalidInput):
        member_set_status(
            actor=people.clerk_a,
            member=member,
            status="active",
            on=timezone.localdate() + timedelta(days=1),
        )


# --- reveal ------------------------------------------------------------------------------


def test_reveal_is_for_pii_holders_and_audited(people: People, tree: Tree) -> None:
    member = member_create(actor=people.clerk_a, org=tree.union_a, data=wang())
    assert member_reveal(actor=people.cadre_a, member=member, reason="核实身份") == {
        "id_number": ID_WANG,
        "phone": PHONE,
    }
    entry = AuditEntry.objects.get(action="member.reveal")
    assert (entry.actor, entry.note, entry.object_org) == (people.cadre_a, "核实身份", tree.union_a)
    assert ID_WANG not in str(entry.changes) and PHONE not in str(entry.changes)
    with pytest.raises(Forbidden):
        member_reveal(actor=people.clerk_a, member=member)
    with pytest.raises(NotFound):
        member_reveal(actor=people.cadre_b, member=member)
    assert AuditEntry.objects.filter(action="member.reveal").count() == 1


# --- QR join -----------------------------------------------------------------------------


def apply_li(tree: Tree) -> JoinApplication:
    return join_apply(
        org=tree.union_a,
        data={
            "name": "李红",
            "id_number": ID_LI,
            "phone": "13700001234",
            "ethnicity": "汉",
            "education": "本科",
            "employer_name": "甲公司",
            "worker_type": "农民工",
        },
    )


def test_join_apply_and_approve(people: People, tree: Tree) -> None:
    application = apply_li(tree)
    assert (application.status, application.sex, application.birth_date) == (
        "pending",
        "F",
        date(1985, 6, 15),
    )
    assert application.details == {
        "ethnicity": "汉族",
        "education": "bachelor",
        "employer_name": "甲公司",
        "worker_type": "migrant",
    }
    # a second application while one waits: the same answer, nothing stored twice
    assert apply_li(tree).pk == application.pk
    assert JoinApplication.objects.count() == 1
    with pytest.raises(NotFound):
        join_approve(actor=people.cadre_b, application=application)
    member = join_approve(actor=people.clerk_a, application=application, on=date(2020, 8, 1))
    member.refresh_from_db()
    assert (member.name, member.org, member.joined_on, member.worker_type, member.education) == (
        "李红",
        tree.union_a,
        date(2020, 8, 1),
        "migrant",
        "bachelor",
    )
    assert member.phone == "13700001234"
    application.refresh_from_db()
    assert (application.status, application.member, application.decided_by) == (
        "approved",
        member,
        people.clerk_a,
    )
    with pytest.raises(Conflict):
        join_approve(actor=people.clerk_a, application=application)
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["join.apply", "member.create", "join.approve"]
    assert ID_LI not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_join_from_a_member_active_elsewhere_is_a_transfer(people: People, tree: Tree) -> None:
    member = member_create(
        actor=people.cadre_b,
        org=tree.union_b,
        data={"name": "李红", "id_number": ID_LI, "joined_on": "2012-01-01"},
    )
    # the clerk of A does not manage B: approving files a request, the member stays in B
    application = apply_li(tree)
    join_approve(actor=people.clerk_a, application=application, on=date(2020, 8, 1))
    member.refresh_from_db()
    assert member.org == tree.union_b
    application.refresh_from_db()
    assert (application.status, application.member) == ("approved", None)
    request = TransferRequest.objects.get()
    assert (request.status, request.from_org, request.to_org) == (
        "pending",
        tree.union_b,
        tree.union_a,
    )
    # B releases: the member moves, both histories show it
    transfer_approve(actor=people.cadre_b, request=request)
    assert [(e.kind, e.org.code) for e in member_history(member)] == [
        ("transfer_in", "G-A-0001"),
        ("transfer_out", "G-B-0001"),
        ("join", "G-B-0001"),
    ]
    assert Member.objects.count() == 1


def test_join_of_a_member_within_the_approvers_scope_moves_at_once(
    people: People, tree: Tree
) -> None:
    member = member_create(
        actor=people.cadre_b,
        org=tree.union_b,
        data={"name": "李红", "id_number": ID_LI, "joined_on": "2012-01-01"},
    )
    join_approve(actor=people.city_cadre, application=apply_li(tree), on=date(2020, 8, 1))
    member.refresh_from_db()
    assert member.org == tree.union_a
    assert not TransferRequest.objects.exists()


def test_join_reject_and_bad_applications(people: People, tree: Tree) -> None:
    application = apply_li(tree)
    with pytest.raises(InvalidInput):
        join_reject(actor=people.clerk_a, application=application, reason=" ")
    join_reject(actor=people.clerk_a, application=application, reason="非本单位职工")
    application.refresh_from_db()
    assert (application.status, application.reason) == ("rejected", "非本单位职工")
    with pytest.raises(InvalidInput) as exc:
        join_apply(org=tree.union_a, data={"name": "李红", "id_number": ID_LI})
    assert exc.value.errors == [{"field": "phone", "message": "手机号不能为空"}]
    with pytest.raises(NotFound):
        join_apply(org=tree.county_a, data={"name": "李红", "id_number": ID_LI, "phone": PHONE})
    assert Member.objects.count() == 0


# --- portal account ----------------------------------------------------------------------


def test_portal_account(people: People, tree: Tree) -> None:
    member = member_create(actor=people.clerk_a, org=tree.union_a, data=wang())
    with pytest.raises(NotFound):
        member_portal_account(actor=people.cadre_b, member=member)
    user, password = member_portal_account(actor=people.clerk_a, member=member)
    assert (user.username, user.role, user.org, user.full_name) == (
        f"m{member.pk}",
        "member",
        tree.union_a,
        "王强",
    )
    assert user.check_password(password)
    member.refresh_from_db()
    assert member.user == user
    with pytest.raises(Conflict):
        member_portal_account(actor=people.clerk_a, member=member)
    assert User.objects.filter(role="member").count() == 2  # member_a and this one


# --- 会员之家 ------------------------------------------------------------------------------


def test_member_home_flags(people: People, tree: Tree) -> None:
    with pytest.raises(NotFound):
        member_home_set(actor=people.clerk_a, org=tree.street_a)  # above the clerk's union
    with pytest.raises(Forbidden):
        member_home_set(actor=people.leader, org=tree.street_a)
    member_home_set(actor=people.cadre_a, org=tree.street_a, threshold=3)
    for i in range(4):
        body = f"3717021990021{i}10{i}"
        member_create(
            actor=people.cadre_a,
            org=tree.street_a,
            data={
                "name": f"张{'一二三四'[i]}",
                "id_number": citizen_id(body),
                "joined_on": "2020-01-02",
                "employer_name": "丙物流",
            },
        )
    member_create(
        actor=people.cadre_a,
        org=tree.street_a,
        data={
            "name": "赵六",
            "id_number": citizen_id("37170219900301105"),
            "joined_on": "2020-01-02",
            "employer_name": "丁快递",
        },
    )
    flags = members_home_flags(people.cadre_a)
    assert [(f.home.code, f.employer_name, f.count, f.threshold) for f in flags] == [
        ("371702001", "丙物流", 4, 3),
    ]
    assert members_home_flags(people.cadre_b) == []
    assert [f.employer_name for f in members_home_flags(people.admin)] == ["丙物流"]
