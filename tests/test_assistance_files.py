"""Hardship files: the worker applies, the union investigates, deliberates and posts the
notice, the level above reviews and the family is archived with its category by rule;
duplicates name the original; reviews, exits, reveal, masking and scope."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.assistance import services
from gonghui.assistance.models import Family, Status
from gonghui.core import notices
from gonghui.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from gonghui.core.identifiers import citizen_id_check_char
from gonghui.core.models import AuditEntry
from gonghui.core.statemachine import TransitionNotAllowed

from .conftest import People, Tree

YEAR = date.today().year


def cid(body: str) -> str:
    return body + citizen_id_check_char(body)


ID_1 = cid("37170219800101001")
ID_2 = cid("37170219810202002")


@pytest.fixture
def dibao(tree: Tree, people: People) -> None:
    from django.db import transaction

    with transaction.atomic():
        for code in ("371700", "371702", "371721"):
            services.dibao_set(actor=people.city_cadre, region_code=code, year=YEAR, monthly="640")


def apply(people: People, tree: Tree, id_number: str = ID_1, **extra: Any) -> Family:
    data = {
        "org": tree.union_a.code,
        "name": "王小强",
        "id_number": id_number,
        "phone": "13800138000",
        "main_cause": "illness",
        "household_income": "30000",
        "household_size": 3,
        "bank_account": "6217000011112222333",
        "address": "牡丹区某街道1号",
        "health": "慢性病",
        "pledge": True,
        **extra,
    }
    return services.family_apply(
        actor=people.clerk_a,
        data=data,
        relatives=[{"name": "李芳", "relation": "spouse", "monthly_income": "800"}],
        expenses=[{"kind": "illness", "amount": "6000"}],
    )


def to_review(people: People, family: Family) -> Family:
    family = services.family_investigate(
        actor=people.clerk_a, family=family, data={"investigation": "属实"}
    )
    family = services.family_deliberate(actor=people.clerk_a, family=family, opinion="同意")
    family = services.family_publish(
        actor=people.clerk_a, family=family, starts_on=date.today() - timedelta(days=20)
    )
    return services.family_submit_review(actor=people.clerk_a, family=family)


def test_the_whole_procedure_archives_with_the_category_and_its_arithmetic(
    people: People, tree: Tree, dibao: None
) -> None:
    family = apply(people, tree)
    assert family.status == Status.SUBMITTED
    assert family.investigate_due is not None and family.investigate_due > family.applied_on
    family = to_review(people, family)
    assert family.status == Status.REVIEWING
    family = services.family_approve(actor=people.cadre_a, family=family, note="同意")
    family.refresh_from_db()
    assert family.status == Status.ARCHIVED
    # (30000 − 6000) ÷ 12 ÷ 3 = 666.67 ≥ 640 and < 1280
    assert (family.category, family.per_capita, family.dibao) == (
        "relative",
        "666.67",
        Decimal("640.00"),
    )
    assert family.threshold == Decimal("1280.00")
    assert "666.67" in family.explanation and "相对困难" in family.explanation
    actions = list(family.events.values_list("action", flat=True))
    assert actions == ["apply", "investigate", "deliberate", "publish", "submit_review", "approve"]
    assert AuditEntry.objects.filter(object_type="family", object_id=str(family.pk)).count() == 6


def test_the_review_waits_for_the_notice_to_pass(people: People, tree: Tree, dibao: None) -> None:
    family = apply(people, tree)
    family = services.family_investigate(
        actor=people.clerk_a, family=family, data={"investigation": "属实"}
    )
    family = services.family_deliberate(actor=people.clerk_a, family=family, opinion="同意")
    family = services.family_publish(actor=people.clerk_a, family=family)
    with pytest.raises(Conflict, match="公示"):
        services.family_submit_review(actor=people.clerk_a, family=family)
    notice = notices.notice_of(family)
    assert notice is not None and notice.days == 5
    objection = notices.object_to(notice, text="该户有经营收入", by=people.member_a)
    after = notice.ends_on + timedelta(days=1)
    with pytest.raises(Conflict, match="公示"):
        services.family_submit_review(actor=people.clerk_a, family=family, today=after)
    notices.resolve(objection, upheld=False, answer="经核实无经营收入", by=people.clerk_a)
    family = services.family_submit_review(actor=people.clerk_a, family=family, today=after)
    assert family.status == Status.REVIEWING


def test_only_the_level_above_reviews(people: People, tree: Tree, dibao: None) -> None:
    family = to_review(people, apply(people, tree))
    with pytest.raises((Forbidden, TransitionNotAllowed)):
        services.family_approve(actor=people.clerk_a, family=family)
    with pytest.raises(NotFound):
        services.family_approve(actor=people.cadre_b, family=family)
    assert Family.objects.get(pk=family.pk).status == Status.REVIEWING


def test_an_illegal_step_names_what_is_allowed(people: People, tree: Tree, dibao: None) -> None:
    family = apply(people, tree)
    with pytest.raises(TransitionNotAllowed) as exc:
        services.family_deliberate(actor=people.clerk_a, family=family, opinion="同意")
    assert "民主评议" in exc.value.detail and exc.value.extra["allowed"] == [
        "investigate",
        "reject",
    ]


def test_a_household_the_rule_does_not_qualify_cannot_be_archived(
    people: People, tree: Tree, dibao: None
) -> None:
    family = to_review(people, apply(people, tree, household_income="200000"))
    with pytest.raises(Conflict, match="不符合"):
        services.family_approve(actor=people.cadre_a, family=family)
    services.family_reject(actor=people.cadre_a, family=family, reason="收入超过标准")
    assert Family.objects.get(pk=family.pk).status == Status.REJECTED


def test_a_second_application_names_the_original(people: People, tree: Tree, dibao: None) -> None:
    original = apply(people, tree)
    with pytest.raises(Conflict) as exc:
        apply(people, tree, id_number=ID_1.lower())
    assert original.number in exc.value.detail
    assert exc.value.extra["original"] == original.number
    assert Family.objects.count() == 1


def test_a_file_kept_outside_the_actor_s_scope_is_refused_without_saying_where(
    people: People, tree: Tree, dibao: None
) -> None:
    """Typing an ID number must not tell a county cadre which union elsewhere keeps that
    worker's hardship file, its number or its state: the rule holds, the details stay."""
    original = apply(people, tree)
    with pytest.raises(Conflict) as exc:
        apply(people, tree)  # the same union: named, as above
    assert original.number in exc.value.detail
    with pytest.raises(Conflict) as exc:
        services.family_apply(
            actor=people.cadre_b,
            data={"org": tree.union_b.code, "name": "王小强", "id_number": ID_1,
                  "phone": "13800138000", "main_cause": "illness", "household_income": "30000",
                  "household_size": 3, "bank_account": "6217000011112222333",
                  "address": "曹县某街道1号", "pledge": True},
        )  # fmt: skip
    detail = exc.value.detail
    assert "其他工会" in detail
    secrets = (
        original.number,
        tree.union_a.name,
        tree.county_a.name,
        original.get_status_display(),
    )
    for secret in secrets:
        assert secret not in detail, secret
    assert "original" not in exc.value.extra
    assert Family.objects.count() == 1


def test_without_dibao_the_approval_says_what_to_configure(people: People, tree: Tree) -> None:
    services.dibao_set(actor=people.city_cadre, region_code="371702", year=YEAR - 1, monthly="600")
    family = to_review(people, apply(people, tree))
    with pytest.raises(InvalidInput) as exc:
        services.family_approve(actor=people.cadre_a, family=family)
    assert exc.value.errors[0]["field"] == "dibao"
    assert str(YEAR) in exc.value.errors[0]["message"]


def test_the_city_standard_applies_where_a_county_has_none(people: People, tree: Tree) -> None:
    services.dibao_set(actor=people.city_cadre, region_code="371700", year=YEAR, monthly="700")
    assert services.dibao_for(tree.union_b, YEAR).monthly == Decimal("700")


def test_exit_keeps_its_reason_and_the_history(people: People, tree: Tree, dibao: None) -> None:
    family = services.family_approve(
        actor=people.cadre_a, family=to_review(people, apply(people, tree))
    )
    services.family_survey(actor=people.clerk_a, family=family, note="走访")
    family = services.family_exit(
        actor=people.clerk_a, family=family, kind="relieved", reason="子女已工作"
    )
    assert (family.status, family.exit_reason) == (Status.EXITED, "子女已工作")
    assert list(family.events.values_list("action", flat=True))[-2:] == ["survey", "exit"]
    # a new application is possible once the old file is closed
    assert apply(people, tree).number != family.number


def test_application_needs_the_pledge_and_a_valid_id(people: People, tree: Tree) -> None:
    with pytest.raises(InvalidInput) as exc:
        apply(people, tree, pledge=False)
    assert exc.value.errors[0]["field"] == "pledge"
    with pytest.raises(InvalidInput) as exc:
        apply(people, tree, id_number="371702198001010010")
    assert exc.value.errors[0]["field"] == "id_number"
    with pytest.raises(InvalidInput) as exc:
        apply(people, tree, household_income="-5")
    assert exc.value.errors[0]["field"] == "household_income"
    assert Family.objects.count() == 0


def test_sensitive_fields_are_encrypted_masked_and_revealed_with_an_audit_row(
    people: People, tree: Tree, dibao: None, api: Any
) -> None:
    family = apply(people, tree)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT id_number, phone, bank_account, household_income FROM assistance_family"
        )
        row = cur.fetchone()
    assert ID_1 not in row[0] and "13800138000" not in row[1] and "30000" not in row[3]
    listed = api(people.clerk_a).get("/api/v1/assistance/families").json()["items"][0]
    assert listed["name"] == "王*强" and listed["id_number"].endswith(ID_1[-4:])
    assert ID_1 not in json.dumps(listed)
    assert listed["per_capita"] == "***"  # the clerk holds no reveal right
    refused = api(people.clerk_a).post(
        f"/api/v1/assistance/families/{family.pk}/reveal", {}, content_type="application/json"
    )
    assert refused.status_code == 403
    shown = api(people.cadre_a).post(
        f"/api/v1/assistance/families/{family.pk}/reveal",
        {"reason": "核实"},
        content_type="application/json",
    )
    assert shown.status_code == 200 and shown.json()["id_number"] == ID_1
    entry = AuditEntry.objects.get(action="assistance.reveal")
    assert entry.note == "核实" and ID_1 not in json.dumps(entry.changes)
    assert ID_1 not in json.dumps(
        list(AuditEntry.objects.values_list("changes", flat=True)), ensure_ascii=False
    )


def test_scope_other_county_member_and_anonymous(
    people: People, tree: Tree, dibao: None, api: Any, login: Any
) -> None:
    family = apply(people, tree)
    url = f"/api/v1/assistance/families/{family.pk}"
    assert api(people.cadre_b).get(url).status_code == 404
    assert api(None).get(url).status_code == 401
    assert api(people.member_a).get(url).status_code == 404  # filed by the clerk, not linked
    assert api(people.cadre_b).get("/api/v1/assistance/families").json()["count"] == 0
    step = api(people.cadre_b).post(
        f"{url}/investigate", {"note": "x"}, content_type="application/json"
    )
    assert step.status_code == 404
    assert Family.objects.get(pk=family.pk).status == Status.SUBMITTED
    assert login(people.cadre_b).get(f"/assistance/{family.pk}/").status_code == 404
    assert login(people.member_a).get(f"/assistance/{family.pk}/").status_code == 404
    assert login(people.lawyer_a).get("/assistance/").status_code == 404
    assert login(people.cadre_a).get(f"/assistance/{family.pk}/").status_code == 200


def test_the_steps_through_the_api(people: People, tree: Tree, dibao: None, api: Any) -> None:
    family = apply(people, tree)
    base = f"/api/v1/assistance/families/{family.pk}"
    clerk = api(people.clerk_a)
    r = clerk.post(f"{base}/investigate", {"note": "属实", "household_income": "12000"},
                   content_type="application/json")  # fmt: skip
    assert r.status_code == 200, r.content
    assert clerk.post(
        f"{base}/approve", {"note": "x"}, content_type="application/json"
    ).status_code in (403, 409)
    r = clerk.post(f"{base}/publish", {}, content_type="application/json")
    assert r.status_code == 409 and "allowed" in r.json()


def test_the_worker_tests_eligibility_and_applies_on_the_phone(
    people: People, tree: Tree, dibao: None, login: Any
) -> None:
    client = login(people.member_a)
    page = client.get("/portal/assistance/check/")
    assert page.status_code == 200
    r = client.post(
        "/portal/assistance/check/",
        {"household_size": "3", "household_income": "18000", "rigid_expenses": "6000"},
    )
    body = r.content.decode()
    assert "深度困难" in body and "333.33" in body
    assert Family.objects.count() == 0  # the self-test writes nothing
    r = client.post(
        "/portal/assistance/apply/",
        {
            "name": "吴磊",
            "id_number": ID_2,
            "main_cause": "illness",
            "household_size": "3",
            "household_income": "18000",
            "rigid_expenses": "6000",
            "pledge": "on",
        },
    )
    family = Family.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/portal/assistance/{family.pk}/"
    assert family.filed_by == people.member_a and family.org == tree.union_a
    detail = client.get(r["Location"]).content.decode()
    assert family.number in detail and "333.33" in detail
    evidence = SimpleUploadedFile(
        "诊断证明.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf"
    )
    r = client.post(r["Location"], {"kind": "evidence", "file": evidence})
    assert r.status_code == 302
    assert family.attachments.count() == 1
    assert "困难帮扶" in client.get("/portal/").content.decode()


def test_due_items_for_the_union(people: People, tree: Tree, dibao: None) -> None:
    from gonghui.core import deadlines

    family = apply(people, tree)
    items = deadlines.for_user(people.clerk_a, today=family.investigate_due + timedelta(days=1))
    assert any(family.number in item.label and card == "red" for item, card in items)
    assert (
        deadlines.for_user(people.cadre_b, today=family.investigate_due + timedelta(days=1)) == []
    )


def test_the_dibao_table_imports_from_a_sheet_row_by_row(
    people: People, tree: Tree, login: Any
) -> None:
    import io

    import openpyxl

    from gonghui.assistance.models import DibaoStandard

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["行政区划代码", "地区", "年度", "低保标准（元/人/月）"])
    sheet.append(["371702", "牡丹区", "2025", "860"])
    sheet.append(["371721", "曹县", "2025", "-1"])
    sheet.append(["3717", "?", "2025", "800"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("低保.xlsx", buffer.getvalue())
    client = login(people.city_cadre)
    r = client.post("/assistance/dibao/import/", {"file": upload})
    assert r.status_code == 302
    assert list(DibaoStandard.objects.values_list("region_code", "year", "monthly")) == [
        ("371702", 2025, Decimal("860.00"))
    ]
    page = client.get("/assistance/dibao/").content.decode()
    assert "第 3 行" in page and "第 4 行" in page and "860.00" in page
    upload.seek(0)
    client.post("/assistance/dibao/import/", {"file": upload})
    assert DibaoStandard.objects.count() == 1
    assert login(people.clerk_a).post("/assistance/dibao/import/", {}).status_code == 404


def test_the_member_page_shows_the_file_masked(people: People, tree: Tree, login: Any) -> None:
    from gonghui.members.services import member_create

    member = member_create(
        actor=people.admin, org=tree.union_a, data={"name": "王小强", "id_number": ID_1}
    )
    family = apply(people, tree)
    assert family.member == member
    page = login(people.cadre_a).get(f"/members/{member.pk}/").content.decode()
    assert family.number in page and "已申请" in page
    assert "30000" not in page
    assert family.number not in login(people.cadre_b).get(f"/members/{member.pk}/").content.decode()


def test_history_and_evidence_through_the_api(
    people: People, tree: Tree, dibao: None, api: Any
) -> None:
    family = services.family_investigate(
        actor=people.clerk_a, family=apply(people, tree), data={"investigation": "入户核实属实"}
    )
    base = f"/api/v1/assistance/families/{family.pk}"
    history = api(people.clerk_a).get(f"{base}/history").json()
    assert [e["action"] for e in history] == ["apply", "investigate"]
    assert history[1]["label"] == "入户调查" and history[1]["note"] == "入户核实属实"
    assert history[1]["actor"] == "clerk_a" and history[1]["org"] == "甲公司工会"
    evidence = SimpleUploadedFile("诊断证明.pdf", b"%PDF-1.4\n%test\n")
    r = api(people.clerk_a).post(f"{base}/attachments", {"kind": "evidence", "file": evidence})
    assert r.status_code == 201, r.content
    assert r.json()["kind_label"] == "证明材料" and r.json()["name"] == "诊断证明.pdf"
    listed = api(people.cadre_a).get(f"{base}/attachments").json()
    assert [a["name"] for a in listed] == ["诊断证明.pdf"]
    bad = SimpleUploadedFile("x.pdf", b"%PDF-1.4\n")
    r = api(people.clerk_a).post(f"{base}/attachments", {"kind": "nope", "file": bad})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kind"
    # outside the scope: the same 404 as a missing file; nothing stored
    for path in ("history", "attachments"):
        assert api(people.cadre_b).get(f"{base}/{path}").status_code == 404
    r = api(people.cadre_b).post(f"{base}/attachments", {"kind": "evidence", "file": bad})
    assert r.status_code == 404 and family.attachments.count() == 1
    assert api(people.member_a).get(f"{base}/history").status_code == 404  # not their file
