"""The payment pages and API: the whole round (new batch, lines, submit, approve by another,
bank file, confirmations, reconciliation, correction), scope, roles, masking."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from gonghui.core.models import AuditEntry
from gonghui.payments import services
from gonghui.payments.models import Batch, BatchStatus, Line, LineStatus

from .test_payments_core import ID1, approved_batch, sheet


def test_the_round_through_the_pages(tree: Any, people: Any, login: Any) -> None:
    maker, checker = login(people.cadre_a), login(people.city_cadre)
    response = maker.post(
        "/payments/new/",
        {"org": "371702", "source": "funds", "purpose": "工会经费返还", "title": "上半年返还"},
    )
    assert response.status_code == 302
    batch = Batch.objects.get()
    url = f"/payments/{batch.pk}/"
    form = {
        "reference": "funds.refund:7",
        "payee_name": "张三丰",
        "id_number": ID1,
        "bank_name": "中国银行菏泽分行",
        "bank_account": "6222 0212 3456 7890 123",
        "amount": "1500.00",
    }
    assert maker.post(f"{url}lines/", form).status_code == 302
    again = maker.post(f"{url}lines/", form)
    assert again.status_code == 422 and "重复支付" in again.content.decode()
    page = maker.get(url).content.decode()
    assert "张*丰" in page and "6222***********0123" in page
    assert "张三丰" not in page and "6222021234567890123" not in page
    assert maker.post(f"{url}submit/").status_code == 302
    refused = maker.post(f"{url}approve/")
    assert refused.status_code == 403 and "制单人" in refused.content.decode()
    assert checker.post(f"{url}approve/").status_code == 302
    assert login(people.leader).post(f"{url}bank-file.xlsx").status_code == 404
    response = maker.post(f"{url}bank-file.xlsx")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[1][2] == "6222021234567890123"
    upload = sheet([[1, "张三丰", "6222021234567890123", 1500, "成功", "", "2020-05-06"]])
    response = maker.post(f"{url}confirmations/", {"file": upload})
    assert response.status_code == 200
    assert 'data-testid="confirm-result"' in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CONFIRMED
    line_pk = batch.lines.get().pk
    response = checker.post(f"/payments/lines/{line_pk}/reverse/", {"reason": "错发"})
    assert response.status_code == 302
    assert Line.objects.get(pk=line_pk).status == LineStatus.REVERSED
    assert maker.get("/payments/").status_code == 200


def test_pages_refuse_outside_the_scope(tree: Any, people: Any, login: Any) -> None:
    batch = approved_batch(tree, people)
    line_pk = batch.lines.first().pk  # type: ignore[union-attr]
    url = f"/payments/{batch.pk}/"
    outsider = login(people.cadre_b)
    assert outsider.get(url).status_code == 404
    assert outsider.post(f"{url}bank-file.xlsx").status_code == 404
    assert outsider.post(f"/payments/lines/{line_pk}/reverse/", {"reason": "x"}).status_code == 404
    assert login(people.member_a).get("/payments/").status_code == 404
    assert login(people.clerk_a).get(url).status_code == 404
    assert login(people.leader).get(url).status_code == 200
    # a read-only leader sees the batch but takes no step
    assert login(people.leader).post(f"{url}submit/").status_code == 403
    from django.test import Client

    assert Client().get(url).status_code == 302
    page = outsider.get("/payments/").content.decode()
    assert batch.title not in page


def test_api_round_and_masking(tree: Any, people: Any, api: Any) -> None:
    maker, checker = api(people.cadre_a), api(people.city_cadre)
    response = maker.post(
        "/api/v1/payments/batches",
        {"source": "funds", "purpose": "工会经费返还", "title": "API 批次"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    batch_id = response.json()["id"]
    body = {
        "reference": "funds.refund:1",
        "amount": "300.00",
        "payee_name": "李小龙",
        "id_number": ID1,
        "bank_account": "6222021234567890123",
    }
    created = maker.post(
        f"/api/v1/payments/batches/{batch_id}/lines", body, content_type="application/json"
    )
    assert created.status_code == 201
    assert created.json()["payee_name"] == "李*龙"
    assert created.json()["bank_account"] == "6222***********0123"
    twice = maker.post(
        f"/api/v1/payments/batches/{batch_id}/lines", body, content_type="application/json"
    )
    assert twice.status_code == 422 and twice.json()["errors"][0]["field"] == "reference"
    bad = maker.post(
        f"/api/v1/payments/batches/{batch_id}/lines",
        {**body, "amount": "-1"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert checker.post(f"/api/v1/payments/batches/{batch_id}/approve").status_code == 409
    assert maker.post(f"/api/v1/payments/batches/{batch_id}/submit").status_code == 200
    assert maker.post(f"/api/v1/payments/batches/{batch_id}/approve").status_code == 403
    first = checker.post(f"/api/v1/payments/batches/{batch_id}/approve")
    second = checker.post(f"/api/v1/payments/batches/{batch_id}/approve")
    assert first.status_code == second.status_code == 200
    assert second.json()["status"] == "approved"
    assert AuditEntry.objects.filter(action="payments.approve").count() == 1
    exported = maker.post(f"/api/v1/payments/batches/{batch_id}/bank-file")
    assert exported.status_code == 200 and exported.content[:2] == b"PK"
    upload = sheet([[1, "李小龙", "6222021234567890123", "300", "失败", "账号不存在", ""]])
    result = maker.post(
        f"/api/v1/payments/batches/{batch_id}/confirmations", {"file": upload}
    ).json()
    assert (result["failed"], result["status"]) == (1, "partly")
    detail = maker.get(f"/api/v1/payments/batches/{batch_id}").json()
    assert detail["reconciliation"]["balanced"] is True
    line_id = maker.get("/api/v1/payments/lines?reference=funds.refund:1").json()["items"][0]["id"]
    again = maker.post(
        f"/api/v1/payments/lines/{line_id}/reissue",
        {"bank_account": "6228480012345678"},
        content_type="application/json",
    )
    assert again.status_code == 201 and again.json()["kind"] == "reissue"
    history = maker.get("/api/v1/payments/lines?reference=funds.refund:1").json()
    assert history["count"] == 2


@pytest.mark.parametrize("who", ["cadre_b", "member_a", "clerk_a", "lawyer_a", None])
def test_api_refuses_outside_the_scope(tree: Any, people: Any, api: Any, who: Any) -> None:
    batch = approved_batch(tree, people)
    line_id = batch.lines.first().pk  # type: ignore[union-attr]
    client = api(getattr(people, who) if who else None)
    expected = {401} if who is None else {403, 404}
    assert client.get(f"/api/v1/payments/batches/{batch.pk}").status_code in expected
    assert client.get(f"/api/v1/payments/lines/{line_id}").status_code in expected
    assert client.post(f"/api/v1/payments/batches/{batch.pk}/bank-file").status_code in expected
    assert (
        client.post(
            f"/api/v1/payments/lines/{line_id}/reverse",
            {"reason": "x"},
            content_type="application/json",
        ).status_code
        in expected
    )
    if who == "cadre_b":
        listed = client.get("/api/v1/payments/batches").json()
        assert listed["count"] == 0
    assert not AuditEntry.objects.filter(
        action__in=["payments.export", "payments.reverse"]
    ).exists()


def test_metrics_count_paid_lines_with_drill_down(tree: Any, people: Any) -> None:
    from datetime import date

    from gonghui.core import metrics

    batch = approved_batch(tree, people, n=3)
    services.export_bank_file(batch, by=people.cadre_a)
    services.import_confirmations(
        batch,
        sheet(
            [
                [1, "", "", 100, "成功", "", "2020-03-02"],
                [2, "", "", 200, "成功", "", "2020-03-03"],
                [3, "", "", 300, "失败", "户名不符", ""],
            ]
        ),
        by=people.cadre_a,
    )
    services.reverse(batch.lines.get(seq=2), reason="错发", by=people.city_cadre)
    amount = metrics.get("payments.paid_amount")
    count = metrics.get("payments.paid_lines")
    start, end = date(2020, 1, 1), date(2020, 9, 19)
    assert amount.value(tree.city, start, end) == Decimal("100.00")
    assert count.value(tree.city, start, end) == 1
    assert count.value(tree.county_b, start, end) == 0
    assert [str(x) for x in count.queryset(tree.county_a, start, end)] == [
        f"代发批次{batch.pk}第1行"
    ]


def test_the_cadre_home_page_lists_batches_waiting(tree: Any, people: Any, login: Any) -> None:
    from .test_payments_core import line, make_batch

    batch = make_batch(tree.county_a, people.cadre_a)
    line(batch, people.cadre_a)
    services.submit(batch, by=people.cadre_a)
    page = login(people.city_cadre).get("/").content.decode()
    assert "待审批的代发批次" in page and "/payments/?status=submitted" in page
    assert "代发支付" in page
    # the maker does not approve their own batch: nothing waits for them there
    from gonghui.payments.selectors import waiting_work

    assert waiting_work(people.cadre_a)["to_approve"] == 0
    assert waiting_work(people.city_cadre)["to_approve"] == 1
    assert waiting_work(people.cadre_b)["to_approve"] == 0
