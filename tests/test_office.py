"""The office: a document through its type's approval chain to its number (unique under
parallel signing), distribution to exactly its recipients, receipts and reminders; incoming
documents; a two-level data call from template to merged workbook; a task's cards across
National Day 2020; meetings with QR check-in; notices with read counts; the figures; and scope
refusals on every page and endpoint."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from gonghui.core.errors import Conflict, InvalidInput, NotFound
from gonghui.core.metrics import Tally
from gonghui.core.metrics import get as metric
from gonghui.core.models import AuditEntry
from gonghui.office import selectors, services, workflow
from gonghui.office.models import (
    Call,
    ChainStep,
    DocCounter,
    Document,
    Incoming,
    Receipt,
    Submission,
    SubStatus,
    Task,
)

from .conftest import People, Tree, make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def draft(people: People, **extra: Any) -> Document:
    data = {"title": "关于开展职工书屋建设的通知", "doc_type": "notice", "body": "各县区总工会："}
    data.update(extra)
    return services.document_create(actor=extra.pop("actor", people.city_cadre), data=data)


def issue(people: People, doc: Document) -> Document:
    actor = people.city_cadre if doc.org.code == "371700" else people.cadre_a
    doc = services.document_act(actor=actor, document=doc, action="submit")
    while doc.status == "review":
        doc = services.document_act(actor=actor, document=doc, action=f"pass{doc.step}")
    return doc


def sent_to_counties(people: People, tree: Tree, **extra: Any) -> Document:
    doc = issue(people, draft(people, **extra))
    services.document_distribute(
        actor=people.city_cadre, document=doc, orgs=[tree.county_a, tree.county_b]
    )
    doc.refresh_from_db()
    return doc


# --- approval chains and numbers ------------------------------------------------------------


def test_a_notice_passes_its_chain_and_gets_its_number(people: People, tree: Tree) -> None:
    doc = draft(people)
    assert [s.label for s in workflow.chain("notice")] == ["核稿", "签发"]
    doc = services.document_act(actor=people.city_cadre, document=doc, action="submit")
    assert (doc.status, doc.step, doc.number) == ("review", 1, "")
    with pytest.raises(Conflict) as err:
        services.document_act(actor=people.city_cadre, document=doc, action="pass2")
    assert "核稿" in err.value.detail  # names what is allowed
    doc = services.document_act(actor=people.city_cadre, document=doc, action="pass1")
    assert (doc.status, doc.step) == ("review", 2)
    doc = services.document_act(actor=people.city_cadre, document=doc, action="pass2")
    year = timezone.localdate().year
    assert doc.status == "issued"
    assert doc.number == f"菏工发〔{year}〕1号"
    assert (
        AuditEntry.objects.filter(object_type="office_document", object_id=str(doc.pk)).count() == 4
    )


def test_sequences_run_per_type_and_year_and_are_never_reused(people: People, tree: Tree) -> None:
    year = timezone.localdate().year
    first = issue(people, draft(people))
    second = issue(people, draft(people, title="第二份"))
    letter = issue(people, draft(people, title="函", doc_type="letter"))
    assert [first.number_seq, second.number_seq, letter.number_seq] == [1, 2, 1]
    assert letter.number == f"菏工函〔{year}〕1号"
    # a returned draft keeps no number; the counter never goes back
    third = draft(people, title="第三份")
    third = services.document_act(actor=people.city_cadre, document=third, action="submit")
    third = services.document_act(
        actor=people.city_cadre, document=third, action="return", data={"reason": "改标题"}
    )
    assert (third.status, third.number) == ("draft", "")
    third = issue(people, third)
    assert third.number_seq == 3
    assert DocCounter.objects.get(org=tree.city, doc_type="notice", year=year).last == 3
    # a county numbers on its own
    county = issue(people, draft(people, actor=people.cadre_a))
    assert county.number == f"牡工发〔{year}〕1号"


def test_return_needs_a_reason(people: People, tree: Tree) -> None:
    doc = services.document_act(actor=people.city_cadre, document=draft(people), action="submit")
    with pytest.raises(InvalidInput) as err:
        services.document_act(actor=people.city_cadre, document=doc, action="return")
    assert err.value.errors[0]["field"] == "reason"


def test_the_chain_is_data_changed_without_code(people: People, tree: Tree) -> None:
    services.chain_set(actor=people.admin, doc_type="letter", labels=["核稿", "会签", "签发"])
    assert list(ChainStep.objects.filter(doc_type="letter").values_list("label", flat=True)) == [
        "核稿",
        "会签",
        "签发",
    ]
    doc = draft(people, doc_type="letter")
    doc = services.document_act(actor=people.city_cadre, document=doc, action="submit")
    for step in (1, 2):
        doc = services.document_act(actor=people.city_cadre, document=doc, action=f"pass{step}")
        assert doc.status == "review"
    doc = services.document_act(actor=people.city_cadre, document=doc, action="pass3")
    assert doc.status == "issued"
    # refused while a letter is on its way through the chain
    busy = services.document_act(
        actor=people.city_cadre, document=draft(people, doc_type="letter"), action="submit"
    )
    assert busy.status == "review"
    with pytest.raises(Conflict):
        services.chain_set(actor=people.admin, doc_type="letter", labels=["签发"])
    with pytest.raises(NotFound):  # only the administrator configures
        services.chain_set(actor=people.city_cadre, doc_type="notice", labels=["签发"])


def test_only_the_senders_own_staff_take_steps(people: People, tree: Tree) -> None:
    doc = draft(people)
    for outsider in (people.cadre_a, people.cadre_b, people.clerk_a):
        with pytest.raises(NotFound):
            services.document_act(actor=outsider, document=doc, action="submit")
    assert Document.objects.get(pk=doc.pk).status == "draft"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writes need PostgreSQL")
def test_numbers_stay_unique_when_documents_are_signed_at_once(tree: Tree) -> None:
    from django.db import connections

    signers = [make_user(f"signer{i}", "cadre", tree.city) for i in range(8)]
    docs = []
    for user in signers:
        doc = services.document_create(
            actor=user, data={"title": f"通知{user.pk}", "doc_type": "notice"}
        )
        doc = services.document_act(actor=user, document=doc, action="submit")
        docs.append(services.document_act(actor=user, document=doc, action="pass1"))
    errors: list[Exception] = []
    barrier = threading.Barrier(len(docs))

    def sign(user: Any, doc: Document) -> None:
        try:
            barrier.wait()
            services.document_act(actor=user, document=doc, action="pass2")
        except Exception as exc:  # noqa: BLE001 - any failure fails the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=pair) for pair in zip(signers, docs, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    seqs = sorted(Document.objects.values_list("number_seq", flat=True))
    assert seqs == list(range(1, 9))
    assert Document.objects.values("number").distinct().count() == 8


# --- distribution, receipts, reminders, security --------------------------------------------


def test_a_document_reaches_exactly_its_recipients(people: People, tree: Tree) -> None:
    doc = issue(people, draft(people))
    count = services.document_distribute(
        actor=people.city_cadre, document=doc, orgs=[tree.county_a], subtree=True
    )
    assert count == 3  # county A, its street, the street's union … and nothing of county B
    assert set(Receipt.objects.values_list("org__code", flat=True)) == {
        "371702",
        "371702001",
        "G-A-0001",
    }
    assert selectors.documents_for(people.cadre_a).filter(pk=doc.pk).exists()
    assert selectors.documents_for(people.clerk_a).filter(pk=doc.pk).exists()
    assert not selectors.documents_for(people.cadre_b).filter(pk=doc.pk).exists()


def test_distribution_by_level(people: People, tree: Tree) -> None:
    doc = issue(people, draft(people))
    services.document_distribute(actor=people.city_cadre, document=doc, kinds=["grassroots"])
    assert set(Receipt.objects.values_list("org__code", flat=True)) == {"G-A-0001", "G-B-0001"}
    with pytest.raises(Conflict):  # sent once
        services.document_distribute(actor=people.city_cadre, document=doc, kinds=["county"])


def test_a_draft_cannot_be_distributed_nor_seen_by_recipients(people: People, tree: Tree) -> None:
    doc = draft(people)
    with pytest.raises(Conflict):
        services.document_distribute(actor=people.city_cadre, document=doc, orgs=[tree.county_a])
    assert not selectors.documents_for(people.cadre_a).filter(pk=doc.pk).exists()


def test_only_the_recipient_orgs_staff_sign(people: People, tree: Tree) -> None:
    doc = sent_to_counties(people, tree)
    receipt_a = Receipt.objects.get(document=doc, org=tree.county_a)
    for stranger in (people.cadre_b, people.clerk_a, people.city_cadre, people.leader):
        with pytest.raises(NotFound):
            services.receipt_sign(actor=stranger, receipt=receipt_a)
    services.receipt_sign(actor=people.cadre_a, receipt=receipt_a)
    receipt_a.refresh_from_db()
    assert receipt_a.signed_by == people.cadre_a
    incoming = Incoming.objects.get(receipt=receipt_a)
    assert (incoming.org, incoming.their_number, incoming.source) == (
        tree.county_a,
        doc.number,
        "菏泽市总工会",
    )
    with pytest.raises(Conflict):
        services.receipt_sign(actor=people.cadre_a, receipt=receipt_a)


def test_reminders_reach_only_the_unsigned(people: People, tree: Tree, login: Any) -> None:
    doc = sent_to_counties(people, tree)
    services.receipt_sign(
        actor=people.cadre_a, receipt=Receipt.objects.get(document=doc, org=tree.county_a)
    )
    assert services.receipts_remind(actor=people.city_cadre, document=doc) == 1
    assert services.receipts_remind(actor=people.city_cadre, document=doc) == 1
    b = Receipt.objects.get(document=doc, org=tree.county_b)
    assert (b.reminders, Receipt.objects.get(document=doc, org=tree.county_a).reminders) == (2, 0)
    page = login(people.city_cadre).get(f"/office/documents/{doc.pk}/").content.decode()
    assert "已签收 1 / 2" in page
    office = login(people.cadre_b).get("/office/").content.decode()
    assert doc.title in office and "已催办" in office
    with pytest.raises(NotFound):  # a recipient does not remind
        services.receipts_remind(actor=people.cadre_b, document=doc)


def test_an_internal_document_is_not_for_a_clerk(people: People, tree: Tree, login: Any) -> None:
    doc = issue(people, draft(people, security="internal"))
    services.document_distribute(
        actor=people.city_cadre, document=doc, orgs=[tree.county_a], subtree=True
    )
    assert selectors.documents_for(people.cadre_a).filter(pk=doc.pk).exists()
    assert not selectors.documents_for(people.clerk_a).filter(pk=doc.pk).exists()
    assert login(people.clerk_a).get(f"/office/documents/{doc.pk}/").status_code == 404
    with pytest.raises(NotFound):
        services.receipt_sign(
            actor=people.clerk_a, receipt=Receipt.objects.get(document=doc, org=tree.union_a)
        )


def test_attachments_are_guarded_and_previewed_safely(
    people: People, tree: Tree, login: Any
) -> None:
    doc = draft(people)
    exe = SimpleUploadedFile("setup.exe", b"MZ\x90\x00" + b"\x00" * 100)
    with pytest.raises(InvalidInput):
        services.document_attach(actor=people.city_cadre, document=doc, upload=exe)
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00binary")
    with pytest.raises(InvalidInput):
        services.document_attach(actor=people.city_cadre, document=doc, upload=fake)
    link = services.document_attach(
        actor=people.city_cadre, document=doc, upload=SimpleUploadedFile("正文.pdf", PDF)
    )
    assert link.file.size == len(PDF) and len(link.file.sha256) == 64
    client = login(people.city_cadre)
    url = f"/office/documents/{doc.pk}/files/{link.pk}/"
    preview = client.get(url + "?preview=1")
    assert preview.status_code == 200
    assert preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"].startswith("inline")
    assert preview["X-Content-Type-Options"] == "nosniff"
    assert b"".join(preview.streaming_content) == PDF
    assert client.get(url)["Content-Disposition"].startswith("attachment")
    assert login(people.cadre_b).get(url + "?preview=1").status_code == 404


# --- incoming -------------------------------------------------------------------------------


def test_incoming_is_proposed_decided_circulated_and_filed(people: People, tree: Tree) -> None:
    item = services.incoming_register(
        actor=people.cadre_a, data={"title": "省总来文", "source": "山东省总工会"}
    )
    with pytest.raises(InvalidInput):
        services.incoming_act(actor=people.cadre_a, item=item, action="propose")
    item = services.incoming_act(
        actor=people.cadre_a, item=item, action="propose", text="拟请分管领导阅示"
    )
    item = services.incoming_act(
        actor=people.cadre_a, item=item, action="decide", text="请组织部办理"
    )
    item = services.incoming_act(actor=people.cadre_a, item=item, action="circulate", text="已阅")
    item = services.incoming_act(actor=people.cadre_a, item=item, action="file")
    assert item.status == "filed"
    assert list(item.comments.values_list("step", flat=True)) == ["propose", "decide", "circulate"]
    with pytest.raises(NotFound):
        services.incoming_act(actor=people.cadre_b, item=item, action="file")


# --- data calls -----------------------------------------------------------------------------

COLUMNS = "单位名称|文本|必填\n职工书屋数|整数|必填\n投入金额（万元）|数字\n建成日期|日期"


def _xlsx(rows: list[list[Any]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(["单位名称（必填）", "职工书屋数（必填）", "投入金额（万元）", "建成日期"])
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("填报.xlsx", buffer.getvalue())


def _city_call(people: People, tree: Tree, **extra: Any) -> Call:
    data = {
        "title": "职工书屋建设情况",
        "columns": COLUMNS,
        "deadline": timezone.localdate() + timedelta(days=10),
    }
    data.update(extra)
    return services.call_create(actor=people.city_cadre, data=data, kinds=["county"])


def test_a_two_level_call_from_template_to_merged_workbook(
    people: People, tree: Tree, login: Any
) -> None:
    call = _city_call(people, tree)
    assert set(call.submissions.values_list("org__code", flat=True)) == {"371702", "371721"}
    sub_a = Submission.objects.get(call=call, org=tree.county_a)
    # the template names the columns
    template = login(people.cadre_a).get(f"/office/calls/{call.pk}/template.xlsx")
    header = [c.value for c in load_workbook(BytesIO(template.content)).active[1]]
    assert header == ["单位名称（必填）", "职工书屋数（必填）", "投入金额（万元）", "建成日期"]
    # county A passes it down to its grassroots unions
    child = services.call_pass_down(actor=people.cadre_a, submission=sub_a, kinds=["grassroots"])
    union_sub = Submission.objects.get(call=child, org=tree.union_a)
    # the union uploads a sheet with bad rows: refused row by row, nothing kept
    bad = _xlsx(
        [
            ["甲公司", "三", "1.5", "2020-05-01"],
            ["", 2, None, "2020-13-01"],
            ["甲公司二", 1, None, None],
        ]
    )
    with pytest.raises(InvalidInput) as err:
        services.submission_upload(actor=people.clerk_a, submission=union_sub, upload=bad)
    messages = [e["message"] for e in err.value.errors]
    assert messages == [
        "第 2 行：“职工书屋数”应为整数：三",
        "第 3 行：“单位名称”必填；“建成日期”应为日期（2020-09-19）：2020-13-01",
    ]
    assert union_sub.rows.count() == 0
    good = _xlsx([["甲公司", 3, "1.5", "2020-05-01"], ["甲公司二", 1, None, None]])
    assert services.submission_upload(actor=people.clerk_a, submission=union_sub, upload=good) == 2
    services.submission_submit(actor=people.clerk_a, submission=union_sub)
    # county A consolidates its union's rows and adds one of its own
    services.submission_fill(
        actor=people.cadre_a,
        submission=sub_a,
        rows=[{"单位名称": "牡丹区总工会机关", "职工书屋数": 1}],
    )
    assert services.submission_consolidate(actor=people.cadre_a, submission=sub_a) == 2
    services.submission_submit(actor=people.cadre_a, submission=sub_a)
    # the city: county B missing, reminded; then late after the deadline by the daily tick
    assert services.submissions_remind(actor=people.city_cadre, call=call) == 1
    assert services.tick(call.deadline + timedelta(days=1))["late"] == 1
    progress = selectors.call_progress(call)
    assert (progress.submitted, progress.late, progress.missing) == (1, 1, 1)
    merged = login(people.city_cadre).get(f"/office/calls/{call.pk}/merged.xlsx")
    rows = [[c.value for c in r] for r in load_workbook(BytesIO(merged.content)).active]
    assert rows[0][:5] == ["来源单位", "来源单位代码", "报送单位", "原行号", "单位名称"]
    assert [(r[0], r[2], r[4], r[5]) for r in rows[1:]] == [
        ("牡丹区总工会", "牡丹区总工会", "牡丹区总工会机关", 1),
        ("甲公司工会", "牡丹区总工会", "甲公司", 3),
        ("甲公司工会", "牡丹区总工会", "甲公司二", 1),
    ]
    assert rows[2][1] == "G-A-0001"
    # county B sees nothing of county A's answer
    assert login(people.cadre_b).get(f"/office/submissions/{sub_a.pk}/").status_code == 404
    assert login(people.cadre_b).get(f"/office/calls/{call.pk}/merged.xlsx").status_code == 404


def test_a_submission_is_filled_only_by_its_org(people: People, tree: Tree) -> None:
    call = _city_call(people, tree)
    sub_a = Submission.objects.get(call=call, org=tree.county_a)
    for stranger in (people.cadre_b, people.city_cadre, people.clerk_a):
        with pytest.raises(NotFound):
            services.submission_fill(
                actor=stranger, submission=sub_a, rows=[{"单位名称": "x", "职工书屋数": 1}]
            )
    with pytest.raises(InvalidInput) as err:
        services.submission_submit(actor=people.cadre_a, submission=sub_a)
    assert err.value.errors[0]["field"] == "rows"


def test_a_column_bound_to_a_metric_is_prefilled_with_its_link(people: People, tree: Tree) -> None:
    doc = issue(people, draft(people, actor=people.cadre_a))
    services.document_distribute(actor=people.cadre_a, document=doc, kinds=["grassroots"])
    today = timezone.localdate()
    call = _city_call(
        people,
        tree,
        columns="发文数|整数|必填|office.documents_sent",
        period_start=date(today.year, 1, 1),
        period_end=today,
    )
    sub_a = Submission.objects.get(call=call, org=tree.county_a)
    pre = selectors.prefill(call, tree.county_a)
    assert pre["c1"]["value"] == 1
    assert pre["c1"]["url"].startswith("/reports/figures/office.documents_sent/?org=371702")
    with pytest.raises(InvalidInput) as err:
        _city_call(
            people, tree, columns="x|整数||no.such_metric", period_start=today, period_end=today
        )
    assert "no.such_metric" in err.value.errors[0]["message"]
    assert sub_a.status == SubStatus.PENDING


# --- tasks ----------------------------------------------------------------------------------


def test_a_tasks_cards_across_national_day_2020(people: People, tree: Tree) -> None:
    task = services.task_create(
        actor=people.city_cadre,
        owner=tree.county_a,
        data={"title": "报送职工书屋名单", "workdays": 3, "assigned_on": date(2020, 9, 30)},
    )
    # 10-01..10-08 off; 10-09 (Fri), 10-10 (makeup Saturday), 10-12 (Mon)
    assert task.due_on == date(2020, 10, 12)
    cards = {}
    for day in (date(2020, 10, 8), date(2020, 10, 10), date(2020, 10, 12), date(2020, 10, 13)):
        services.tick(day)
        cards[day.isoformat()] = Task.objects.get(pk=task.pk).card
    assert cards == {
        "2020-10-08": "",
        "2020-10-10": "yellow",
        "2020-10-12": "yellow",
        "2020-10-13": "red",
    }
    assert services.tick(date(2020, 10, 13))["cards"] == 0  # safe to run twice
    report = services.task_report(actor=people.cadre_a, task=task, text="已汇总一半", percent=50)
    assert report.percent == 50
    with pytest.raises(NotFound):
        services.task_report(actor=people.cadre_b, task=task, text="x", percent=1)
    with pytest.raises(InvalidInput):
        services.task_close(actor=people.cadre_a, task=task, outcome="已报送", evidence=None)
    task = services.task_close(
        actor=people.cadre_a,
        task=task,
        outcome="已报送",
        evidence=SimpleUploadedFile("名单.pdf", PDF),
    )
    assert (task.status, task.card, task.evidence.sha256 != "") == ("closed", "", True)
    # closed on a later day than its due date: overdue in the figure
    assert (
        metric("office.tasks_overdue").value(tree.city, date(2020, 10, 1), date(2020, 10, 31)) == 1
    )


# --- meetings and notices -------------------------------------------------------------------


def test_meeting_sign_up_and_qr_check_in(people: People, tree: Tree, login: Any) -> None:
    meeting = services.meeting_create(
        actor=people.city_cadre,
        data={"title": "县区总工会主席会议", "starts_at": datetime(2020, 9, 18, 9, 0)},
        orgs=[tree.county_a],
    )
    services.meeting_signup(actor=people.cadre_a, meeting=meeting)
    with pytest.raises(Conflict):
        services.meeting_signup(actor=people.cadre_a, meeting=meeting)
    with pytest.raises(NotFound):
        services.meeting_signup(actor=people.cadre_b, meeting=meeting)
    row = services.meeting_checkin(actor=people.cadre_a, token=meeting.checkin_token)
    assert row.checked_in_at is not None
    with pytest.raises(NotFound):
        services.meeting_checkin(actor=people.cadre_b, token=meeting.checkin_token)
    client = login(people.city_cadre)
    qr = client.get(f"/office/meetings/{meeting.pk}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert login(people.cadre_a).get(f"/office/meetings/{meeting.pk}/qr.svg").status_code == 404
    assert login(people.cadre_b).get(f"/office/checkin/{meeting.checkin_token}/").status_code == 404


def test_notices_count_their_readers(people: People, tree: Tree, login: Any) -> None:
    tree_notice = services.notice_publish(
        actor=people.city_cadre, data={"title": "国庆放假通知", "body": "10月1日至8日放假。"}
    )
    to_members = services.notice_publish(
        actor=people.cadre_a,
        data={"title": "会员福利", "body": "电影票。", "audience": "members"},
    )
    for user in (people.cadre_a, people.cadre_b, people.cadre_a):
        login(user).get(f"/office/notices/{tree_notice.pk}/")
    assert tree_notice.reads.count() == 2
    page = login(people.member_a).get(f"/office/portal/notices/?open={to_members.pk}")
    assert "电影票" in page.content.decode()
    assert to_members.reads.count() == 1
    assert login(people.cadre_b).get(f"/office/notices/{to_members.pk}/").status_code == 404


# --- figures --------------------------------------------------------------------------------


def test_figures_agree_with_their_records(people: People, tree: Tree) -> None:
    doc = sent_to_counties(people, tree)
    services.receipt_sign(
        actor=people.cadre_a, receipt=Receipt.objects.get(document=doc, org=tree.county_a)
    )
    call = _city_call(people, tree)
    sub = Submission.objects.get(call=call, org=tree.county_a)
    services.submission_fill(actor=people.cadre_a, submission=sub, rows=[{"c1": "x", "c2": "2"}])
    services.submission_submit(actor=people.cadre_a, submission=sub)
    today = timezone.localdate()
    start, end = date(today.year, 1, 1), call.deadline
    tally = Tally(tree.city)
    assert tally.value(metric("office.documents_sent"), start, end) == 1
    assert tally.rate(metric("office.receipt_rate"), start, end) == 50
    assert tally.rate(metric("office.calls_on_time_rate"), start, end) == 50
    assert Tally(tree.county_b).rate(metric("office.receipt_rate"), start, end) is None
    assert list(metric("office.receipt_rate").queryset(tree.city, start, end)) == [
        Receipt.objects.get(document=doc, org=tree.county_a)
    ]


def test_every_figure_opens_its_records(people: People, tree: Tree, login: Any) -> None:
    doc = sent_to_counties(people, tree)
    services.receipt_sign(
        actor=people.cadre_a, receipt=Receipt.objects.get(document=doc, org=tree.county_a)
    )
    services.task_create(
        actor=people.city_cadre,
        owner=tree.county_a,
        data={"title": "督办一", "workdays": 1, "assigned_on": date(2020, 9, 1)},
    )
    client = login(people.city_cadre)
    year = timezone.localdate().year
    for key, shown in (
        ("office.documents_sent", doc.number),
        ("office.receipt_rate", "牡丹区总工会"),
        ("office.calls_on_time_rate", ""),
        ("office.tasks_overdue", "督办一"),
    ):
        start = "2020-01-01" if key == "office.tasks_overdue" else f"{year}-01-01"
        end = "2020-12-31" if key == "office.tasks_overdue" else timezone.localdate().isoformat()
        page = client.get(f"/reports/figures/{key}/?org=371700&from={start}&to={end}")
        assert page.status_code == 200, key
        assert shown in page.content.decode(), key


# --- home and scope -------------------------------------------------------------------------


def test_home_pages_show_unsigned_documents_open_calls_and_due_tasks(
    people: People, tree: Tree, login: Any
) -> None:
    doc = sent_to_counties(people, tree)
    _city_call(people, tree)
    services.task_create(
        actor=people.city_cadre, owner=tree.county_a, data={"title": "督办一", "workdays": 1}
    )
    page = login(people.cadre_a).get("/").content.decode()
    assert "待签收的公文" in page and "待报送的信息" in page and "办理中的督办事项" in page
    office = login(people.cadre_a).get("/office/").content.decode()
    assert 'data-testid="unsigned-count">1<' in office and doc.title in office
    assert 'data-testid="calls-count">1<' in office
    assert 'data-testid="tasks-count">1<' in office


def _records(people: People, tree: Tree) -> dict[str, Any]:
    doc = issue(people, draft(people))
    services.document_distribute(actor=people.city_cadre, document=doc, orgs=[tree.county_a])
    link = None
    own = draft(people, actor=people.cadre_a)
    link = services.document_attach(
        actor=people.cadre_a, document=own, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    call = services.call_create(
        actor=people.cadre_a,
        data={"title": "县区报送", "columns": COLUMNS, "deadline": timezone.localdate()},
        kinds=["grassroots"],
    )
    task = services.task_create(
        actor=people.cadre_a, owner=tree.union_a, data={"title": "督办", "workdays": 5}
    )
    meeting = services.meeting_create(
        actor=people.cadre_a,
        data={"title": "会议", "starts_at": datetime(2020, 9, 18, 9, 0)},
        orgs=[tree.union_a],
    )
    notice = services.notice_publish(actor=people.cadre_a, data={"title": "通知", "body": "x"})
    incoming = services.incoming_register(
        actor=people.cadre_a, data={"title": "来文", "source": "x"}
    )
    return {
        "doc": doc,
        "own": own,
        "link": link,
        "call": call,
        "sub": call.submissions.get(),
        "task": task,
        "meeting": meeting,
        "notice": notice,
        "incoming": incoming,
        "receipt": Receipt.objects.get(document=doc, org=tree.county_a),
    }


def test_pages_refuse_those_outside_their_scope(people: People, tree: Tree, login: Any) -> None:
    r = _records(people, tree)
    pages = [
        f"/office/documents/{r['own'].pk}/",
        f"/office/documents/{r['own'].pk}/edit/",
        f"/office/documents/{r['own'].pk}/files/{r['link'].pk}/",
        f"/office/documents/{r['doc'].pk}/",
        f"/office/calls/{r['call'].pk}/",
        f"/office/calls/{r['call'].pk}/template.xlsx",
        f"/office/calls/{r['call'].pk}/merged.xlsx",
        f"/office/submissions/{r['sub'].pk}/",
        f"/office/tasks/{r['task'].pk}/",
        f"/office/tasks/{r['task'].pk}/evidence/",
        f"/office/meetings/{r['meeting'].pk}/",
        f"/office/meetings/{r['meeting'].pk}/qr.svg",
        f"/office/meetings/{r['meeting'].pk}/minutes/",
        f"/office/checkin/{r['meeting'].checkin_token}/",
        f"/office/notices/{r['notice'].pk}/",
        f"/office/incoming/{r['incoming'].pk}/",
    ]
    outsider = login(people.cadre_b)
    member = login(people.member_a)
    for url in pages:
        assert outsider.get(url).status_code == 404, url
        assert member.get(url).status_code == 404, url
    posts = [
        f"/office/documents/{r['doc'].pk}/sign/",
        f"/office/documents/{r['doc'].pk}/remind/",
        f"/office/documents/{r['own'].pk}/step/submit/",
        f"/office/documents/{r['own'].pk}/attach/",
        f"/office/documents/{r['own'].pk}/distribute/",
        f"/office/calls/{r['call'].pk}/remind/",
    ]
    for url in posts:
        assert outsider.post(url).status_code == 404, url
    assert Receipt.objects.get(pk=r["receipt"].pk).signed_at is None
    assert Document.objects.get(pk=r["own"].pk).status == "draft"
    for url in ("/office/", "/office/documents/", "/office/calls/", "/office/tasks/"):
        assert member.get(url).status_code == 404
        assert outsider.get(url).status_code == 200
    assert login(people.lawyer_a).get("/office/").status_code == 404
    assert login(people.cadre_a).get("/office/chains/").status_code == 404
    assert login(people.admin).get("/office/chains/").status_code == 200


def test_api_refuses_those_outside_its_scope(people: People, tree: Tree, api: Any) -> None:
    r = _records(people, tree)
    gets = [
        f"/api/v1/office/documents/{r['own'].pk}",
        f"/api/v1/office/documents/{r['doc'].pk}/receipts",
        f"/api/v1/office/notices/{r['notice'].pk}",
        f"/api/v1/office/calls/{r['call'].pk}",
        f"/api/v1/office/calls/{r['call'].pk}/submissions",
        f"/api/v1/office/submissions/{r['sub'].pk}",
        f"/api/v1/office/tasks/{r['task'].pk}",
        f"/api/v1/office/meetings/{r['meeting'].pk}",
    ]
    outsider = api(people.cadre_b)
    for url in gets:
        assert outsider.get(url).status_code == 404, url
    posts = [
        (f"/api/v1/office/documents/{r['own'].pk}/steps/submit", {}),
        (f"/api/v1/office/documents/{r['doc'].pk}/distribute", {"orgs": ["371721"]}),
        (f"/api/v1/office/documents/{r['doc'].pk}/remind", {}),
        (f"/api/v1/office/receipts/{r['receipt'].pk}/sign", {}),
        (f"/api/v1/office/calls/{r['call'].pk}/remind", {}),
        (f"/api/v1/office/submissions/{r['sub'].pk}/rows", {"rows": [{"c1": "x", "c2": 1}]}),
        (f"/api/v1/office/submissions/{r['sub'].pk}/submit", {}),
        (f"/api/v1/office/submissions/{r['sub'].pk}/consolidate", {}),
        (f"/api/v1/office/submissions/{r['sub'].pk}/pass-down", {"kinds": ["grassroots"]}),
        (f"/api/v1/office/tasks/{r['task'].pk}/progress", {"text": "x", "percent": 1}),
        (f"/api/v1/office/meetings/{r['meeting'].pk}/signup", {}),
    ]
    for url, body in posts:
        assert outsider.post(url, body, content_type="application/json").status_code == 404, url
    assert Receipt.objects.get(pk=r["receipt"].pk).signed_at is None
    assert api(people.member_a).get("/api/v1/office/documents").status_code == 403
    assert api(None).get("/api/v1/office/documents").status_code == 401
    assert outsider.get("/api/v1/office/documents").json()["count"] == 0


def test_api_walks_a_document_to_its_receipt(people: People, tree: Tree, api: Any) -> None:
    city = api(people.city_cadre)
    made = city.post(
        "/api/v1/office/documents",
        {"title": "关于表彰的决定", "doc_type": "decision"},
        content_type="application/json",
    )
    assert made.status_code == 201
    doc_id = made.json()["id"]
    assert made.json()["actions"] == ["submit"]
    for action in ("submit", "pass1", "pass2", "pass3"):
        answer = city.post(
            f"/api/v1/office/documents/{doc_id}/steps/{action}", {}, content_type="application/json"
        )
        assert answer.status_code == 200, answer.content
    assert answer.json()["number"].startswith("菏工决〔")
    illegal = city.post(
        f"/api/v1/office/documents/{doc_id}/steps/pass1", {}, content_type="application/json"
    )
    assert illegal.status_code == 409
    sent = city.post(
        f"/api/v1/office/documents/{doc_id}/distribute",
        {"orgs": ["371702"]},
        content_type="application/json",
    )
    assert sent.json() == {"count": 1}
    county = api(people.cadre_a)
    unsigned = county.get("/api/v1/office/receipts?unsigned=true").json()
    assert unsigned["count"] == 1
    receipt_id = unsigned["items"][0]["id"]
    signed = county.post(f"/api/v1/office/receipts/{receipt_id}/sign")
    assert signed.status_code == 200 and signed.json()["signed_at"]
    rows = city.get(f"/api/v1/office/documents/{doc_id}/receipts").json()
    assert [r["org"] for r in rows if r["signed_at"]] == ["371702"]


def test_a_call_built_from_the_citys_own_template(people: People, tree: Tree, login: Any) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["*单位名称", "职工人数（必填）", "建会日期", "备注"])
    sheet.append(["文本", "整数", "日期", ""])
    buffer = BytesIO()
    book.save(buffer)
    client = login(people.city_cadre)
    answer = client.post(
        "/office/calls/",
        {
            "title": "建会情况",
            "deadline": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "kinds": ["county"],
            "template": SimpleUploadedFile("模板.xlsx", buffer.getvalue()),
        },
    )
    assert answer.status_code == 302
    call = Call.objects.get(title="建会情况")
    assert [(c["label"], c["type"], c["required"]) for c in call.columns] == [
        ("单位名称", "text", True),
        ("职工人数", "int", True),
        ("建会日期", "date", False),
        ("备注", "text", False),
    ]
    exe = SimpleUploadedFile("模板.xlsx", b"MZ\x90\x00")
    page = client.post(
        "/office/calls/",
        {"title": "坏模板", "deadline": "2099-01-01", "kinds": ["county"], "template": exe},
    )
    assert page.status_code == 200 and not Call.objects.filter(title="坏模板").exists()
    assert "文件内容与扩展名" in page.content.decode()


def test_members_read_their_notices_in_the_portal(people: People, tree: Tree, login: Any) -> None:
    services.notice_publish(
        actor=people.city_cadre,
        data={"title": "职工疗休养报名", "body": "报名截止五月十日。", "audience": "members"},
    )
    portal = login(people.member_a).get("/portal/").content.decode()
    assert "职工疗休养报名" in portal
    assert login(people.member_a).get("/office/").status_code == 404
