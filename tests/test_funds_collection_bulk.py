"""The collection sheet's set-based booking gives the row-by-row rules' answers.

``per_row`` below is the import as it was written first: each row checked, its enterprise
looked up and its month's booked line read one query at a time. A sheet with every kind of
bad row (and the good ones around them, a month already booked alike and one booked with
other amounts, a reversed month booked again) goes through both; the rejected rows (row,
column, reason), the counts and the lines booked must be the same. A failure after the lines
are inserted leaves nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from gonghui.core.identifiers import uscc_with_check, validate_uscc
from gonghui.core.models import AuditEntry
from gonghui.core.scope import subtree_org_ids
from gonghui.funds import services
from gonghui.funds.models import CollectionImport, FeeKind, FeeLine
from gonghui.orgs.models import Enterprise

from .test_funds_core import enterprise


@dataclass
class Expected:
    booked: list[tuple[Any, ...]] = field(default_factory=list)
    unchanged: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)


def per_row(county: Any, rows: list[dict[str, Any]]) -> Expected:
    """The row-by-row rules, one query per row, nothing written."""
    out = Expected()
    seen: dict[tuple[str, date], int] = {}
    for row in rows:
        number = int(row.get("row") or 0)
        try:
            code = validate_uscc(row.get("uscc", ""))
        except ValidationError as exc:
            out.problems.append((number, "uscc", f"统一社会信用代码不正确：{exc.messages[0]}"))
            continue
        found = Enterprise.objects.filter(uscc=code, county__in=subtree_org_ids(county)).first()
        if found is None:
            out.problems.append((number, "uscc", f"统一社会信用代码 {code} 未匹配到本县区的单位"))
            continue
        period = services.parse_period(row.get("period"))
        if period is None:
            out.problems.append((number, "period", "所属期无法识别（应为 2020-01 这样的年月）"))
            continue
        payroll = services._amount(row.get("payroll"))
        if payroll is None:
            out.problems.append((number, "payroll", "工资总额应为不小于零的金额"))
            continue
        paid = services._amount(row.get("paid"))
        if paid is None:
            out.problems.append((number, "paid", "实缴金额应为不小于零的金额"))
            continue
        if (code, period) in seen:
            out.problems.append(
                (number, "period", f"与第 {seen[(code, period)]} 行重复（同一单位同一月份）")
            )
            continue
        seen[(code, period)] = number
        kind = FeeKind.FEE if found.union_id else FeeKind.FOUNDING
        live = FeeLine.objects.filter(
            enterprise=found,
            period=period,
            kind=kind,
            reversal_of__isnull=True,
            reversed_by__isnull=True,
        ).first()
        if live is not None:
            if (live.payroll, live.paid) == (payroll, paid):
                out.unchanged += 1
            else:
                out.problems.append(
                    (
                        number,
                        "paid",
                        f"该单位 {period:%Y-%m} 已入账（实缴 {live.paid} 元），金额不同；"
                        "如需更正请先冲正原记录",
                    )
                )
            continue
        grassroots = (paid * Decimal("0.6")).quantize(Decimal("0.01")) if kind == "fee" else 0
        out.booked.append(
            (
                found.pk,
                found.county_id,
                period,
                kind,
                payroll,
                (payroll * Decimal("0.02")).quantize(Decimal("0.01")),
                paid,
                Decimal(grassroots),
                paid - grassroots,
                number or None,
            )
        )
    return out


def booked_by(record: CollectionImport) -> list[tuple[Any, ...]]:
    return [
        (x.enterprise_id, x.county_id, x.period, x.kind, x.payroll, x.due, x.paid,
         x.grassroots_share, x.upper_share, x.source_row)
        for x in FeeLine.objects.filter(source_import=record).order_by("source_row", "id")
    ]  # fmt: skip


def test_the_bulk_path_answers_as_the_row_by_row_rules(tree: Any, people: Any) -> None:
    a = enterprise(tree, people, 1)
    b = enterprise(tree, people, 2, union=False)  # pays the founding fund
    c = enterprise(tree, people, 3)
    outside = enterprise(tree, people, 4, county=tree.county_b)
    # already booked before the sheet: January of ``a`` and of ``c``; ``c``'s is reversed
    services.collection_book(
        county=tree.county_a,
        rows=[
            {"row": 2, "uscc": a.uscc, "period": "2020-01", "payroll": 100000, "paid": 2000},
            {"row": 3, "uscc": c.uscc, "period": "2020-01", "payroll": 50000, "paid": 1000},
            {"row": 4, "uscc": a.uscc, "period": "2020-02", "payroll": 100000, "paid": 2000},
        ],
        by=people.cadre_a,
    )
    reversed_line = FeeLine.objects.get(enterprise=c, period=date(2020, 1, 1))
    services.line_reverse(line=reversed_line, reason="税务更正", by=people.cadre_a)
    unknown = uscc_with_check("91371702000009999")  # valid, no such enterprise
    sheet: list[tuple[Any, Any, Any, Any]] = [
        (a.uscc, "2020-01", 100000, 2000),  # booked alike: unchanged
        (a.uscc, "2020年2月", "100000", "2100"),  # booked with other amounts
        (a.uscc.lower(), "202003", 100000.0, Decimal("2000")),  # lower case: the same code
        (f" {a.uscc[:6]} {a.uscc[6:]} ", date(2020, 4, 30), "100,000.00", "2,000"),  # spaces
        (b.uscc, datetime(2020, 1, 1), "50000", "1000"),  # the founding fund
        (c.uscc, "2020-01", 52000, 1040),  # the reversed month, booked again
        (c.uscc, "2020-02", "12345.675", "246.915"),  # rounded to the fen
        (outside.uscc, "2020-01", 1, 1),  # another county's enterprise
        (unknown, "2020-01", 1, 1),  # no such enterprise
        ("91371702MA3C12345X", "2020-01", 1, 1),  # bad check character
        ("12345", "2020-01", 1, 1),  # not a credit code
        ("", "2020-01", 1, 1),  # empty
        (None, "2020-01", 1, 1),  # empty cell
        (a.uscc, "2020-13", 1, 1),  # no such month
        (a.uscc, "1999-05", 1, 1),  # out of range
        (a.uscc, "下个月", 1, 1),  # not a month
        (a.uscc, None, 1, 1),  # empty month
        (a.uscc, "2020-05", -5, 1),  # negative payroll
        (a.uscc, "2020-05", "十万", 1),  # payroll not a number
        (a.uscc, "2020-05", None, 1),  # empty payroll
        (a.uscc, "2020-05", "1e400", 1),  # too large
        (a.uscc, "2020-05", "NaN", 1),  # not finite
        (a.uscc, "2020-05", 100000, "-1"),  # negative amount paid
        (a.uscc, "2020-05", 100000, ""),  # empty amount paid
        (a.uscc, "2020-05", 100000, "1000000000000"),  # past the largest amount
        (a.uscc, "2020-06", 100000, 2000),  # good
        (a.uscc, "2020-06", 100000, 2000),  # duplicate in the file
        (a.uscc.lower(), "2020年6月", 1, 1),  # duplicate under another spelling
        (a.uscc, "2020-13", -1, -1),  # several faults: the first rule broken is named
        (b.uscc, "2020-01", "50000", "1000"),  # duplicate of the founding-fund row
    ]
    rows = [
        {"row": n, "uscc": u, "name": "", "period": p, "payroll": pay, "paid": paid}
        for n, (u, p, pay, paid) in enumerate(sheet, start=2)
    ]
    expected = per_row(tree.county_a, rows)
    audits = AuditEntry.objects.filter(action="funds.import").count()
    record = services.collection_book(county=tree.county_a, rows=rows, by=people.cadre_a)
    got = [(p["row"], p["field"], p["reason"]) for p in record.problems]
    assert got == expected.problems
    assert (record.rows, record.booked, record.unchanged, record.rejected) == (
        len(sheet),
        len(expected.booked),
        expected.unchanged,
        len(expected.problems),
    )
    assert booked_by(record) == expected.booked
    # every kind of refusal is in the sheet
    assert len(expected.booked) == 6 and expected.unchanged == 1
    kinds = ("代码不正确", "未匹配到本县区", "所属期无法识别", "工资总额应为", "实缴金额应为",
             "重复", "请先冲正")  # fmt: skip
    assert all(any(k in p[2] for p in expected.problems) for k in kinds)
    # one audit row for the import, naming the counts
    assert AuditEntry.objects.filter(action="funds.import").count() == audits + 1
    entry = AuditEntry.objects.filter(action="funds.import").latest("id")
    assert entry.changes["counts"]["after"] == {
        "rows": len(sheet),
        "booked": 6,
        "unchanged": 1,
        "rejected": len(expected.problems),
    }
    # the same sheet again books nothing twice, and still answers alike
    again_expected = per_row(tree.county_a, rows)
    again = services.collection_book(county=tree.county_a, rows=rows, by=people.cadre_a)
    assert again.booked == 0 and again.unchanged == 7
    assert [(p["row"], p["field"], p["reason"]) for p in again.problems] == (
        again_expected.problems
    )


def test_a_sheet_of_many_enterprises_is_looked_up_in_chunks(
    tree: Any, people: Any, monkeypatch: pytest.MonkeyPatch, django_assert_max_num_queries: Any
) -> None:
    """More codes than a chunk: every one is matched, in a bounded number of queries."""
    monkeypatch.setattr(services, "LOOKUP_CHUNK", 3)
    made = [enterprise(tree, people, n, union=n % 2 == 0) for n in range(1, 11)]
    rows = [
        {"row": i + 2, "uscc": e.uscc, "period": f"2020-{m:02d}", "payroll": 1000 * (i + 1),
         "paid": 20 * (i + 1)}
        for i, e in enumerate(made) for m in (1, 2)
    ]  # fmt: skip
    expected = per_row(tree.county_a, rows)
    # 10 enterprises by 3: 4 look-ups of codes and 4 of booked months, and the writes
    with django_assert_max_num_queries(20):
        record = services.collection_book(county=tree.county_a, rows=rows, by=people.cadre_a)
    assert record.booked == 20 and not record.problems
    assert booked_by(record) == expected.booked
    again = services.collection_book(county=tree.county_a, rows=rows, by=people.cadre_a)
    assert (again.booked, again.unchanged) == (0, 20)


def test_a_failure_after_the_lines_are_written_leaves_nothing(
    tree: Any, people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = enterprise(tree, people, 1)

    def audit_fails(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the audit row could not be written")

    monkeypatch.setattr(services, "_record", audit_fails)
    with pytest.raises(RuntimeError):
        services.collection_book(
            county=tree.county_a,
            rows=[{"row": 2, "uscc": a.uscc, "period": "2020-01", "payroll": 1000, "paid": 20}],
            by=people.cadre_a,
        )
    assert not FeeLine.objects.exists() and not CollectionImport.objects.exists()


def test_a_month_imported_again_books_nothing_twice(tree: Any, people: Any) -> None:
    """The same month's sheet as a file, imported again after one of its lines was reversed
    and booked anew: every line is found booked alike, the ledger holds the same lines."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    made = [enterprise(tree, people, n, union=n % 3 != 0) for n in range(1, 8)]
    lines = ["统一社会信用代码,纳税人名称,所属期,工资总额,实缴金额"] + [
        f"{e.uscc},{e.name},2020-03,{10000 * n}.00,{200 * n}.00"
        for n, e in enumerate(made, start=1)
    ]
    content = ("\n".join(lines) + "\n").encode("utf-8-sig")

    def sheet() -> Any:
        return SimpleUploadedFile("征收数据-2020-03.csv", content)

    first = services.collection_import(county=tree.county_a, upload=sheet(), by=people.cadre_a)
    assert (first.booked, first.unchanged, first.rejected) == (7, 0, 0)
    line = FeeLine.objects.get(enterprise=made[0], period=date(2020, 3, 1))
    services.line_reverse(line=line, reason="税务更正", by=people.cadre_a)
    rebooked = services.collection_import(county=tree.county_a, upload=sheet(), by=people.cadre_a)
    assert (rebooked.booked, rebooked.unchanged) == (1, 6)
    ledger = sorted(FeeLine.objects.values_list("id", "enterprise_id", "kind", "paid"))
    again = services.collection_import(county=tree.county_a, upload=sheet(), by=people.cadre_a)
    assert (again.booked, again.unchanged, again.rejected) == (0, 7, 0)
    assert sorted(FeeLine.objects.values_list("id", "enterprise_id", "kind", "paid")) == ledger
    assert len(ledger) == 9  # seven lines, a reversal and the month booked anew


def test_the_already_booked_lookup_seeks_the_ledger_key(tree: Any, people: Any) -> None:
    """The lookup reads the sheet's months of the sheet's enterprises through ``fee_line_key``
    and no other way in: SQLite took ``reversal_of IS NULL`` to the unique index on the
    reversals and read the whole ledger once per chunk (each month slower than the last)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a = enterprise(tree, people, 1)
    services.collection_book(
        county=tree.county_a,
        rows=[{"row": 2, "uscc": a.uscc, "period": "2020-01", "payroll": 1000, "paid": 20}],
        by=people.cadre_a,
    )
    with CaptureQueriesContext(connection) as queries:
        found = services._booked_months([a.pk], {date(2020, 1, 1)})
    assert list(found) == [(a.pk, date(2020, 1, 1), "fee")]
    (sql,) = [q["sql"] for q in queries.captured_queries]
    if connection.vendor != "sqlite":
        return  # PostgreSQL's planner has statistics; the lookup is the same query
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = [row[-1] for row in cursor.fetchall()]
    assert any("USING INDEX fee_line_key (enterprise_id=? AND period=?)" in p for p in plan), plan
    assert not any("(reversal_of_id=?)" in p and "LEFT-JOIN" not in p for p in plan), plan
