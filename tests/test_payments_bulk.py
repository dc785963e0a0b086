"""Many payees at once (``payments.add_lines``): the per-line checks row by row, the
never-pay-twice rule against the database and within the call, overrides kept with their
reason, one audit row per call, and a number of queries that grows by chunks, not by rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.core.errors import Forbidden, NotFound
from gonghui.core.identifiers import citizen_id_check_char
from gonghui.core.models import AuditEntry
from gonghui.core.statemachine import TransitionNotAllowed
from gonghui.payments import services
from gonghui.payments.models import Line
from gonghui.payments.services import LineIn

from .test_payments_core import line, make_batch


def cid(n: int) -> str:
    body = f"37170219900101{n:03d}"
    return body + citizen_id_check_char(body)


def item(n: int, ref: str = "assistance.campaign:1", **kw: Any) -> LineIn:
    return LineIn(
        reference=ref,
        amount=kw.pop("amount", "500"),
        payee_name=kw.pop("payee_name", f"职工{n}"),
        id_number=kw.pop("id_number", cid(n)),
        bank_name="农行菏泽分行",
        bank_account=kw.pop("bank_account", f"62170000{n:08d}"),
        **kw,
    )


def test_many_lines_in_one_call_with_one_audit_row(tree: Any, people: Any) -> None:
    batch = make_batch(tree.county_a, people.cadre_a, source="assistance")
    line(batch, people.cadre_a, ref="assistance.campaign:9")  # seq 1 already there
    result = services.add_lines(
        batch, [item(n) for n in range(1, 6)], by=people.cadre_a, note="春节送温暖"
    )
    assert (result.added, result.refused, result.total) == (5, [], Decimal("2500.00"))
    lines = list(batch.lines.order_by("seq"))
    assert [x.seq for x in lines] == [1, 2, 3, 4, 5, 6]
    assert [x.pk for x in result.lines if x] == [x.pk for x in lines[1:]]
    assert lines[1].id_number == cid(1) and lines[1].bank_account == "6217000000000001"
    stored = connection.cursor()
    stored.execute("SELECT id_number, bank_account FROM payments_line WHERE id = %s", [lines[1].pk])
    assert cid(1) not in str(stored.fetchone())  # encrypted at rest
    entry = AuditEntry.objects.get(action="payments.lines_add")
    counts = entry.changes["counts"]["after"]
    assert (counts["added"], counts["refused"], counts["total"]) == (5, 0, "2500.00")
    assert entry.note == "春节送温暖" and entry.object_id == str(batch.pk)
    assert cid(1) not in str(entry.changes)
    assert AuditEntry.objects.filter(action="payments.line_add").count() == 1  # the single one


def test_bad_rows_and_second_payments_are_refused_row_by_row(tree: Any, people: Any) -> None:
    first = make_batch(tree.county_a, people.cadre_a, source="assistance")
    services.add_lines(first, [item(1), item(2)], by=people.cadre_a)
    batch = make_batch(tree.county_a, people.cadre_a, source="assistance", title="补发")
    result = services.add_lines(
        batch,
        [
            item(1),  # 0: paid (pending) in the first batch already
            item(3, amount="-5"),  # 1
            item(4, amount="abc"),  # 2
            item(5, id_number="371702199001010040"),  # 3: bad check character
            item(6, bank_account="12ab"),  # 4
            item(7),  # 5: fine
            item(7, amount="300"),  # 6: the same person again in this call
            item(2, override_reason="上半年漏发，经会议研究补发"),  # 7: second payment, with reason
            item(1, ref="assistance.campaign:2"),  # 8: another campaign is another payment
        ],
        by=people.cadre_a,
    )
    refused = {index: (field, reason) for index, field, reason in result.refused}
    assert sorted(refused) == [0, 1, 2, 3, 4, 6]
    assert refused[0][0] == "reference" and f"代发批次{first.pk}第1行" in refused[0][1]
    assert refused[1][0] == "amount" and "大于零" in refused[1][1]
    assert refused[2][0] == "amount" and "数字" in refused[2][1]
    assert refused[3][0] == "id_number"
    assert refused[4][0] == "bank_account"
    assert refused[6][0] == "reference" and "第 6 条" in refused[6][1]
    assert result.added == 3 and result.overridden == 1
    assert [x is None for x in result.lines] == [True] * 5 + [False, True, False, False]
    kept = result.lines[7]
    assert kept is not None and kept.override_reason == "上半年漏发，经会议研究补发"
    assert result.lines[8] is not None and result.lines[8].override_reason == ""
    assert [x.seq for x in batch.lines.order_by("seq")] == [1, 2, 3]
    counts = AuditEntry.objects.filter(action="payments.lines_add").latest("id").changes["counts"]
    assert counts["after"]["refused"] == 6 and counts["after"]["overridden"] == 1
    assert counts["after"]["overrides"] == ["2：上半年漏发，经会议研究补发"]


def test_an_override_on_a_first_payment_is_not_kept(tree: Any, people: Any) -> None:
    batch = make_batch(tree.county_a, people.cadre_a, source="assistance")
    result = services.add_lines(batch, [item(1, override_reason="无需理由")], by=people.cadre_a)
    assert result.lines[0] is not None and result.lines[0].override_reason == ""
    assert result.overridden == 0


def test_queries_do_not_grow_with_the_rows(tree: Any, people: Any) -> None:
    counts = []
    for size, ref in ((5, "assistance.campaign:1"), (300, "assistance.campaign:2")):
        batch = make_batch(tree.county_a, people.cadre_a, source="assistance", title=ref)
        with CaptureQueriesContext(connection) as queries:
            result = services.add_lines(
                batch, [item(n, ref=ref) for n in range(1, size + 1)], by=people.cadre_a
            )
        assert result.added == size
        counts.append(len(queries))
    # the inserts go in chunks the database allows (SQLite: 999 parameters a statement), the
    # look-ups in chunks of 2,000 payees: a few statements more for 60 times the rows
    assert counts[1] - counts[0] <= 300 * 20 // 999 + 1, counts
    assert Line.objects.count() == 305


def test_only_a_draft_takes_lines_and_only_in_scope(tree: Any, people: Any) -> None:
    batch = make_batch(tree.county_a, people.cadre_a, source="assistance")
    services.add_lines(batch, [item(1)], by=people.cadre_a)
    services.submit(batch, by=people.cadre_a)
    with pytest.raises(TransitionNotAllowed):
        services.add_lines(batch, [item(2)], by=people.cadre_a)
    other = make_batch(tree.county_a, people.cadre_a, source="assistance", title="另一批")
    with pytest.raises(NotFound):
        services.add_lines(other, [item(3)], by=people.cadre_b)
    with pytest.raises(Forbidden):
        services.add_lines(other, [item(3)], by=people.clerk_a)
    assert Line.objects.count() == 1
