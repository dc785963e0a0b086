"""The payment machinery's services: never twice, frozen once approved (in the database
too), maker and checker, the bank file, the confirmations, corrections, reconciliation."""

from __future__ import annotations

import io
import threading
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction

from gonghui.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from gonghui.core.masking import mask_bank_account
from gonghui.core.models import AuditEntry
from gonghui.payments import selectors, services
from gonghui.payments.models import Batch, BatchStatus, Line, LineKind, LineStatus

ID1 = "11010519491231002X"
ID2 = "371702199001011237"
ACCOUNT1 = "6222021234567890123"
ACCOUNT2 = "6228480012345678"


def _id(body17: str) -> str:
    from gonghui.core.identifiers import citizen_id_check_char

    return body17 + citizen_id_check_char(body17)


def make_batch(org: Any, by: Any, **kw: Any) -> Batch:
    return services.create_batch(
        org=org,
        source=kw.get("source", "funds"),
        purpose=kw.get("purpose", "工会经费返还"),
        title=kw.get("title", "2020年上半年小微企业工会经费返还"),
        by=by,
    )


def line(batch: Batch, by: Any, ref: str = "funds.refund:1", **kw: Any) -> Line:
    return services.add_line(
        batch,
        reference=ref,
        amount=kw.pop("amount", Decimal("1200.50")),
        payee_name=kw.pop("payee_name", "王小强"),
        id_number=kw.pop("id_number", ID1),
        bank_name=kw.pop("bank_name", "中国工商银行菏泽分行"),
        bank_account=kw.pop("bank_account", ACCOUNT1),
        by=by,
        **kw,
    )


def approved_batch(tree: Any, people: Any, n: int = 2) -> Batch:
    batch = make_batch(tree.county_a, people.cadre_a)
    for i in range(n):
        line(
            batch,
            people.cadre_a,
            ref=f"funds.refund:{i + 1}",
            id_number=_id(f"37170219900101{i:03d}"),
            bank_account=f"62220212345678{i:05d}",
            amount=Decimal("100.00") * (i + 1),
        )
    services.submit(batch, by=people.cadre_a)
    return services.approve(batch, by=people.city_cadre)


def sheet(rows: list[list[Any]], header: list[str] | None = None) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(header or ["序号", "户名", "账号", "金额", "处理结果", "失败原因", "交易日期"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(
        "回单.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def test_mask_bank_account() -> None:
    assert mask_bank_account("6222021234567890123") == "6222***********0123"
    assert mask_bank_account("6222 0212 3456") == "6222****3456"
    assert mask_bank_account("1234567") == "*****67"
    assert mask_bank_account("") == ""


def test_a_line_is_encrypted_and_masked_in_the_audit(tree: Any, people: Any) -> None:
    batch = make_batch(tree.county_a, people.cadre_a)
    item = line(batch, people.cadre_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, bank_account FROM payments_line WHERE id = %s", [item.pk])
        raw_id, raw_account = cursor.fetchone()
    assert ID1 not in raw_id and ACCOUNT1 not in raw_account
    row = AuditEntry.objects.get(action="payments.line_add", object_id=str(item.pk))
    text = str(row.changes)
    assert ACCOUNT1 not in text and ID1 not in text and "王小强" not in text
    assert row.changes["bank_account"]["after"] == "6222***********0123"


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("amount", {"amount": Decimal("-5")}),
        ("amount", {"amount": Decimal("0")}),
        ("amount", {"amount": "abc"}),
        ("amount", {"amount": Decimal("1.001")}),
        ("id_number", {"id_number": "371702199001011230"}),
        ("bank_account", {"bank_account": "12ab"}),
        ("payee_name", {"payee_name": "  "}),
    ],
)
def test_bad_input_names_the_field(tree: Any, people: Any, field: str, kwargs: Any) -> None:
    batch = make_batch(tree.county_a, people.cadre_a)
    with pytest.raises(InvalidInput) as exc:
        line(batch, people.cadre_a, **kwargs)
    assert exc.value.errors[0]["field"] == field
    assert not Line.objects.exists()


def test_never_pay_twice_unless_an_override_is_recorded(tree: Any, people: Any) -> None:
    first = make_batch(tree.county_a, people.cadre_a)
    line(first, people.cadre_a)
    second = make_batch(tree.county_a, people.cadre_a, title="补发")
    # the same payee known by the same ID, written differently (lower-case x, full-width)
    with pytest.raises(InvalidInput) as exc:
        line(second, people.cadre_a, id_number="11010519491231002x", amount=Decimal("5"))
    assert exc.value.errors[0]["field"] == "reference"
    assert f"代发批次{first.pk}第1行" in exc.value.errors[0]["message"]
    # another source record for the same person is another payment
    line(second, people.cadre_a, ref="funds.refund:2")
    again = line(second, people.cadre_a, override_reason="上半年漏发，经会议研究补发")
    assert again.override_reason
    entry = AuditEntry.objects.get(action="payments.line_override")
    assert entry.note == "上半年漏发，经会议研究补发"


def test_the_database_refuses_a_second_live_line(tree: Any, people: Any) -> None:
    batch = make_batch(tree.county_a, people.cadre_a)
    item = line(batch, people.cadre_a)
    copy = Line.objects.get(pk=item.pk)
    copy.pk = None
    copy.seq = 2
    with pytest.raises(DatabaseError), transaction.atomic():
        copy.save()


def test_maker_cannot_approve_and_a_second_approval_is_harmless(tree: Any, people: Any) -> None:
    batch = make_batch(tree.county_a, people.cadre_a)
    line(batch, people.cadre_a)
    with pytest.raises(Conflict):
        services.approve(batch, by=people.city_cadre)  # not submitted yet
    services.submit(batch, by=people.cadre_a)
    with pytest.raises(Forbidden):
        services.approve(batch, by=people.cadre_a)
    services.approve(batch, by=people.city_cadre)
    services.approve(batch, by=people.admin)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED and batch.approved_by == people.city_cadre
    entry = AuditEntry.objects.get(action="payments.approve")
    counts = {k: v["after"] for k, v in entry.changes.items() if v["before"] is None}
    assert counts["line_count"] == 1 and counts["total"] == "1200.50"
    assert counts["checksum"] == services.lines_signature(batch).checksum


def test_the_approval_checksum_is_the_same_on_both_databases(tree: Any, people: Any) -> None:
    """What the approver signed, recomputed by hand: every line's id, 序号, kind, 业务编号,
    户名, 开户行 and amount in 序号 order (PostgreSQL computes it in the server)."""
    import hashlib

    batch = approved_batch(tree, people, n=3)
    entry = AuditEntry.objects.get(action="payments.approve", object_id=str(batch.pk))
    lines = list(batch.lines.order_by("seq"))
    text = "\n".join(
        f"{x.pk}|{x.seq}|payment|{x.reference}|王小强|中国工商银行菏泽分行|{x.amount}"
        for x in lines
    )
    assert entry.changes["checksum"]["after"] == hashlib.sha256(text.encode()).hexdigest()
    assert entry.changes["total"]["after"] == "600.00"
    assert entry.changes["line_count"]["after"] == 3
    assert ACCOUNT1 not in str(entry.changes) and ID1 not in str(entry.changes)


def test_roles_and_scope(tree: Any, people: Any) -> None:
    with pytest.raises(NotFound):
        make_batch(tree.county_a, people.cadre_b)
    for who in (people.leader, people.clerk_a, people.operator, people.member_a):
        with pytest.raises(Forbidden):
            make_batch(tree.county_a, who)
    batch = make_batch(tree.county_a, people.cadre_a)
    line(batch, people.cadre_a)
    services.submit(batch, by=people.cadre_a)
    with pytest.raises(NotFound):
        services.approve(batch, by=people.cadre_b)
    assert not selectors.batches_visible_to(people.cadre_b).exists()
    assert selectors.batches_visible_to(people.leader).count() == 1
    assert not selectors.lines_for_reference(people.cadre_b, "funds.refund:1").exists()
    assert selectors.lines_for_reference(people.cadre_a, "funds.refund:1").count() == 1


def test_approved_lines_are_frozen_in_the_service_and_the_database(tree: Any, people: Any) -> None:
    batch = approved_batch(tree, people)
    with pytest.raises(Conflict):
        line(batch, people.cadre_a, ref="funds.refund:9")
    item = batch.lines.get(seq=1)
    with pytest.raises(Conflict):
        services.remove_line(item, by=people.cadre_a)
    # straight to the database: amount, payee and account are refused by the trigger (the
    # batch's state freezes them: approval rewrote no line)
    assert not Line.objects.filter(batch=batch, frozen=True).exists()
    for column, value in (
        ("amount", "1.00"),
        ("payee_name", "'李四'"),
        ("bank_account", "'x'"),
        ("seq", "9"),
        ("batch_id", str(make_batch(tree.county_a, people.cadre_a).pk)),
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            if column == "amount":
                cursor.execute(
                    f"UPDATE payments_line SET amount = {value} WHERE id = %s",  # noqa: S608
                    [item.pk],
                )
            else:
                cursor.execute(
                    f"UPDATE payments_line SET {column} = {value} WHERE id = %s",  # noqa: S608
                    [item.pk],
                )
    with pytest.raises(DatabaseError), transaction.atomic():
        Line.objects.filter(pk=item.pk).update(amount=Decimal("1.00"))
    # the bank's result may still be written
    Line.objects.filter(pk=item.pk).update(status=LineStatus.PAID, paid_on=date(2020, 6, 1))
    item.refresh_from_db()
    assert item.amount == Decimal("100.00") and item.status == LineStatus.PAID


def test_an_approved_batch_cannot_go_back_take_lines_or_lose_them(tree: Any, people: Any) -> None:
    """The batch's state is what freezes its lines: the database refuses to move it back to
    draft, to change who approved it, to add a line to it or move one into it, and (on
    PostgreSQL) to delete a line or the batch; a line frozen on its own stays frozen."""
    batch = approved_batch(tree, people)
    item = batch.lines.get(seq=1)
    draft = make_batch(tree.county_a, people.cadre_a)
    other = line(draft, people.cadre_a, ref="funds.refund:7")
    refused = [
        ("UPDATE payments_batch SET status = 'draft' WHERE id = %s", [batch.pk]),
        ("UPDATE payments_batch SET status = 'submitted' WHERE id = %s", [batch.pk]),
        (
            "UPDATE payments_batch SET approved_by_id = %s WHERE id = %s",
            [people.cadre_b.pk, batch.pk],
        ),
        ("UPDATE payments_batch SET purpose = 'x' WHERE id = %s", [batch.pk]),
        ("UPDATE payments_line SET batch_id = %s, seq = 99 WHERE id = %s", [batch.pk, other.pk]),
        ("UPDATE payments_line SET id = id + 100000 WHERE id = %s", [item.pk]),
    ]
    if connection.vendor == "postgresql":
        refused += [
            ("DELETE FROM payments_line WHERE id = %s", [item.pk]),
            ("DELETE FROM payments_batch WHERE id = %s", [batch.pk]),
        ]
    for sql, params in refused:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    copy = Line.objects.get(pk=other.pk)
    copy.pk, copy.batch_id, copy.seq, copy.reference = None, batch.pk, 9, "funds.refund:8"
    with pytest.raises(DatabaseError), transaction.atomic():
        copy.save()
    # moving on (exported, partly paid) and the bank's results stay allowed
    services.export_bank_file(batch, by=people.cadre_a)
    Line.objects.filter(batch=batch).update(status=LineStatus.PAID, paid_on=date(2020, 6, 1))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.EXPORTED and batch.lines.count() == 2
    # a line frozen on its own (as approval left every line before): not unfrozen, not changed
    Line.objects.filter(pk=other.pk).update(frozen=True)
    for sql in (
        "UPDATE payments_line SET frozen = (1 = 0) WHERE id = %s",
        "UPDATE payments_line SET amount = 1 WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [other.pk])
    # a draft's lines are free
    draft_line = line(
        draft, people.cadre_a, ref="funds.refund:9", id_number=_id("37170219900101099")
    )
    Line.objects.filter(pk=draft_line.pk).update(amount=Decimal("5.00"))
    services.remove_line(draft_line, by=people.cadre_a)
    assert not Line.objects.filter(pk=draft_line.pk).exists()


def test_bank_file_export_needs_the_right_and_is_audited(tree: Any, people: Any) -> None:
    batch = approved_batch(tree, people)
    with pytest.raises(Forbidden):
        services.export_bank_file(batch, by=people.leader)
    data = services.export_bank_file(batch, by=people.cadre_a)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == ["序号", "户名", "账号", "开户行", "金额", "用途", "业务编号"]
    assert rows[1][:3] == (1, "王小强", "6222021234567800000")
    assert Decimal(str(rows[2][4])) == Decimal("200.00")
    assert rows[1][5] == "工会经费返还" and rows[1][6] == "funds.refund:1"
    batch.refresh_from_db()
    assert batch.status == BatchStatus.EXPORTED
    # exporting again changes nothing but is audited again (whole numbers were shown)
    assert services.export_bank_file(batch, by=people.cadre_a)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.EXPORTED
    assert AuditEntry.objects.filter(action="payments.export").count() == 2


def test_export_before_approval_is_refused(tree: Any, people: Any) -> None:
    batch = make_batch(tree.county_a, people.cadre_a)
    line(batch, people.cadre_a)
    with pytest.raises(Conflict):
        services.export_bank_file(batch, by=people.cadre_a)


def test_confirmations_mark_lines_and_list_what_does_not_match(tree: Any, people: Any) -> None:
    batch = approved_batch(tree, people, n=3)
    services.export_bank_file(batch, by=people.cadre_a)
    upload = sheet(
        [
            [1, "王小强", "6222021234567800000", 100, "成功", "", "2020-06-30"],
            [2, "王小强", "6222021234567800001", 200, "失败", "账户已销户", ""],
            [3, "王小强", "6222021234567800002", 301, "成功", "", ""],  # wrong amount
            [9, "某人", "6222021234567800009", 10, "成功", "", ""],  # no such line
            [1, "王小强", "6222021234567800001", 100, "成功", "", ""],  # wrong account
        ]
    )
    result = services.import_confirmations(batch, upload, by=people.cadre_a)
    assert (result["paid"], result["failed"], result["unmatched"]) == (1, 1, 3)
    assert [p["row"] for p in result["problems"]] == [4, 5, 6]
    assert "金额不符" in result["problems"][0]["reason"]
    assert result["status"] == BatchStatus.PARTLY
    first, second, third = batch.lines.order_by("seq")
    assert first.status == LineStatus.PAID and first.paid_on == date(2020, 6, 30)
    assert second.status == LineStatus.FAILED and second.fail_reason == "账户已销户"
    assert third.status == LineStatus.PENDING
    # the same sheet again changes nothing
    again = services.import_confirmations(batch, sheet_again(upload), by=people.cadre_a)
    assert (again["paid"], again["failed"], again["unchanged"]) == (0, 0, 2)
    recon = selectors.reconciliation(batch)
    amounts = {b["status"]: b["amount"] for b in recon["buckets"]}
    assert recon["total"] == Decimal("600.00") and recon["balanced"]
    assert amounts["paid"] + amounts["failed"] + amounts["pending"] == recon["total"]
    # the rest arrives: every line settled
    final = sheet([[3, "王小强", "6222021234567800002", "300.00", "成功", "", "2020-07-01"]])
    assert services.import_confirmations(batch, final, by=people.cadre_a)["paid"] == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PARTLY  # line 2 failed: not every line paid


def sheet_again(upload: SimpleUploadedFile) -> SimpleUploadedFile:
    upload.seek(0)
    return SimpleUploadedFile(upload.name, upload.read(), content_type=upload.content_type)


def test_confirmations_before_export_are_refused(tree: Any, people: Any) -> None:
    batch = approved_batch(tree, people)
    with pytest.raises(Conflict):
        services.import_confirmations(batch, sheet([[1, "", "", 100, "成功"]]), by=people.cadre_a)


def test_reissue_of_a_failed_line_and_reversal_of_a_paid_one(tree: Any, people: Any) -> None:
    batch = approved_batch(tree, people)
    services.export_bank_file(batch, by=people.cadre_a)
    services.import_confirmations(
        batch,
        sheet(
            [
                [1, "王小强", "", 100, "成功", "", "2020-06-30"],
                [2, "王小强", "", 200, "失败", "户名不符", ""],
            ]
        ),
        by=people.cadre_a,
    )
    paid_line, failed_line = batch.lines.order_by("seq")
    new = services.reissue(failed_line, by=people.cadre_a, bank_account="6222 0000 1111 2222")
    assert new.kind == LineKind.REISSUE and new.original == failed_line
    assert new.amount == Decimal("200.00") and new.bank_account == "6222000011112222"
    assert new.batch.follows == batch and new.batch.status == BatchStatus.DRAFT
    failed_line.refresh_from_db()
    assert failed_line.status == LineStatus.REISSUED
    with pytest.raises(Conflict):
        services.reissue(failed_line, by=people.cadre_a)
    with pytest.raises(InvalidInput):
        services.reverse(paid_line, reason="", by=people.city_cadre)
    reversal = services.reverse(paid_line, reason="收款人重复领取，已退回", by=people.city_cadre)
    assert reversal.amount == Decimal("-100.00") and reversal.original == paid_line
    assert reversal.batch == new.batch  # one correction batch gathers both
    paid_line.refresh_from_db()
    assert paid_line.status == LineStatus.REVERSED
    with pytest.raises(Conflict):
        services.reverse(paid_line, reason="again", by=people.city_cadre)
    recon = selectors.reconciliation(batch)
    assert recon["balanced"] and recon["total"] == Decimal("300.00")
    follow = selectors.reconciliation(new.batch)
    assert follow["reversal_amount"] == Decimal("-100.00") and follow["total"] == Decimal("200")


def test_lines_for_reference_shows_the_history(tree: Any, people: Any) -> None:
    batch = approved_batch(tree, people, n=1)
    services.reverse(batch.lines.get(), reason="错发", by=people.city_cadre)
    refs = selectors.lines_for_reference(people.city_cadre, "funds.refund:1")
    assert [(x.kind, x.status) for x in refs] == [
        ("payment", "reversed"),
        ("reversal", "reversed"),
    ]


@pytest.mark.django_db(transaction=True)
def test_two_approvers_racing_approve_once(tree: Any, people: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("two connections at once: PostgreSQL (SQLite's test database is one)")
    batch = make_batch(tree.county_a, people.cadre_a)
    line(batch, people.cadre_a)
    services.submit(batch, by=people.cadre_a)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def approve(user: Any) -> None:
        try:
            barrier.wait()
            services.approve(Batch.objects.get(pk=batch.pk), by=user)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(u,)) for u in (people.city_cadre, people.admin)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED
    assert AuditEntry.objects.filter(action="payments.approve").count() == 1
