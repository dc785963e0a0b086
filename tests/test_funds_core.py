"""Union fees: the 2011 size standard at its boundaries, the collection sheet (row by row,
twice books nothing twice), reversal, the refund round (eligibility with its reasons,
exclusions, the founding fund after founding, one application per round), payment through
the shared machinery, the letter, scope."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from gonghui.core.identifiers import uscc_with_check
from gonghui.core.models import AuditEntry
from gonghui.funds import services, sizes
from gonghui.funds.models import FeeKind, FeeLine, RefundApplication
from gonghui.orgs.models import Enterprise
from gonghui.payments import services as payments
from gonghui.payments.models import LineStatus

RULES: list[sizes.Rule] = []


def rules() -> list[sizes.Rule]:
    if not RULES:
        RULES.extend(services.size_rules())
    return RULES


def klass(code: str, employees: int, revenue: Any, assets: Any = 0) -> str:
    rule, why = sizes.rule_for(code, rules())
    assert rule is not None, why
    return sizes.classify(
        rule, employees=employees, revenue=Decimal(revenue), assets=Decimal(assets)
    ).size_class


@pytest.mark.parametrize(
    ("code", "employees", "revenue", "assets", "expected"),
    [
        # 工业: large 1000 and 40000; medium 300 and 2000; small 20 and 300
        ("C13", 1000, 40000, 0, "large"),
        ("C13", 999, 40000, 0, "medium"),
        ("C13", 1000, "39999.99", 0, "medium"),
        ("C13", 300, 2000, 0, "medium"),
        ("C13", 299, 2000, 0, "small"),
        ("C13", 300, "1999.99", 0, "small"),
        ("C13", 20, 300, 0, "small"),
        ("C13", 19, 300, 0, "micro"),
        ("C13", 20, "299.99", 0, "micro"),
        ("D44", 20, 300, 0, "small"),
        # 零售业 (F52): medium 50 and 500; small 10 and 100
        ("F52", 50, 500, 0, "medium"),
        ("F52", 49, 500, 0, "small"),
        ("F52", 10, 100, 0, "small"),
        ("F52", 9, 100, 0, "micro"),
        # 批发业 (F51): small needs 5 and 1000
        ("F51", 5, 1000, 0, "small"),
        ("F51", 5, "999.99", 0, "micro"),
        # 建筑业: revenue and assets
        ("E47", 0, 6000, 5000, "medium"),
        ("E47", 0, 6000, "4999.99", "small"),
        ("E47", 0, 300, 300, "small"),
        ("E47", 0, 300, "299.99", "micro"),
        # 农、林、牧、渔业: revenue alone
        ("A01", 0, 500, 0, "medium"),
        ("A01", 0, 50, 0, "small"),
        ("A01", 0, "49.99", 0, "micro"),
        # 房地产开发经营 (K701) and 物业管理 (K702)
        ("K701", 0, 1000, 5000, "medium"),
        ("K701", 0, 100, 2000, "small"),
        ("K702", 100, 500, 0, "small"),
        ("K702", 99, 500, 0, "micro"),
        # 租赁和商务服务业: employees and assets
        ("L72", 100, 0, 8000, "medium"),
        ("L72", 10, 0, 100, "small"),
        # 软件和信息技术服务业 (I65): small needs revenue 50
        ("I65", 10, 50, 0, "small"),
        ("I65", 10, "49.99", 0, "micro"),
        # 其他未列明行业: employees alone
        ("P83", 100, 0, 0, "medium"),
        ("P83", 10, 0, 0, "small"),
        ("P83", 9, 0, 0, "micro"),
    ],
)
def test_size_classes_at_the_boundaries(
    db: Any, code: str, employees: int, revenue: Any, assets: Any, expected: str
) -> None:
    assert klass(code, employees, revenue, assets) == expected


def test_a_split_section_needs_its_division(db: Any) -> None:
    rule, why = sizes.rule_for("F", rules())
    assert rule is None and "F51 批发业" in why and "F52 零售业" in why
    rule, _ = sizes.rule_for("C", rules())
    assert rule is not None and rule.name == "工业"


def test_the_reasoning_is_in_words(db: Any) -> None:
    rule, _ = sizes.rule_for("C13", rules())
    assert rule is not None
    result = sizes.classify(rule, employees=250, revenue=Decimal("1200"), assets=Decimal("0"))
    assert "按“工业”标准" in result.reason
    assert "中型需从业人员≥300人且营业收入≥2000万元——不满足" in result.reason
    assert result.reason.endswith("划为小型企业。")


# --- the ledger and the refund round ---------------------------------------------------------


def enterprise(tree: Any, people: Any, n: int, *, union: bool = True, county: Any = None) -> Any:
    from gonghui.orgs.services import enterprise_save

    county = county or tree.county_a
    return enterprise_save(
        actor=people.admin,
        county=county.code,
        union=(tree.union_a.code if county == tree.county_a else tree.union_b.code)
        if union
        else None,
        name=f"测试{n}号有限公司",
        uscc=uscc_with_check(f"91{county.code}{n:09d}"),
    )


def collection(rows: list[list[Any]]) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["统一社会信用代码", "纳税人名称", "所属期", "工资总额", "实缴金额"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("征收数据.xlsx", buffer.getvalue())


def test_the_collection_sheet_is_booked_row_by_row(tree: Any, people: Any) -> None:
    a = enterprise(tree, people, 1)
    b = enterprise(tree, people, 2, union=False)
    outside = enterprise(tree, people, 3, county=tree.county_b)
    sheet = [
        [a.uscc, a.name, "2020-01", 100000, 2000],
        [a.uscc, a.name, "2020年2月", 100000, 2000],
        [b.uscc, b.name, "202001", 50000, 1000],
        [outside.uscc, outside.name, "2020-01", 1, 1],  # another county's
        ["91371702MA3C12345X", "无此单位", "2020-01", 1, 1],  # bad check character
        [a.uscc, a.name, "2020-13", 1, 1],  # bad month
        [a.uscc, a.name, "2020-03", -5, 1],  # negative
        [a.uscc, a.name, "2020-01", 100000, 2000],  # duplicate in the file
    ]
    record = services.collection_import(
        county=tree.county_a, upload=collection(sheet), by=people.cadre_a
    )
    assert (record.rows, record.booked, record.rejected) == (8, 3, 5)
    assert [p["row"] for p in record.problems] == [5, 6, 7, 8, 9]
    assert "与第 2 行重复" in record.problems[-1]["reason"]
    fee = FeeLine.objects.get(enterprise=a, period=date(2020, 1, 1))
    assert (fee.kind, fee.due, fee.grassroots_share, fee.upper_share) == (
        FeeKind.FEE,
        Decimal("2000.00"),
        Decimal("1200.00"),
        Decimal("800.00"),
    )
    founding = FeeLine.objects.get(enterprise=b)
    assert founding.kind == FeeKind.FOUNDING and founding.upper_share == Decimal("1000.00")
    # the same sheet again books nothing twice
    again = services.collection_import(
        county=tree.county_a, upload=collection(sheet[:3]), by=people.cadre_a
    )
    assert (again.booked, again.unchanged, again.rejected) == (0, 3, 0)
    changed = services.collection_import(
        county=tree.county_a,
        upload=collection([[a.uscc, a.name, "2020-01", 100000, 2100]]),
        by=people.cadre_a,
    )
    assert changed.rejected == 1 and "请先冲正" in changed.problems[0]["reason"]
    # a reversal, then the corrected month books
    services.line_reverse(line=fee, reason="税务更正", by=people.cadre_a)
    with pytest.raises(Conflict):
        services.line_reverse(line=fee, reason="again", by=people.cadre_a)
    fixed = services.collection_import(
        county=tree.county_a,
        upload=collection([[a.uscc, a.name, "2020-01", 105000, 2100]]),
        by=people.cadre_a,
    )
    assert fixed.booked == 1
    total = sum(x.paid for x in FeeLine.objects.filter(enterprise=a, period=date(2020, 1, 1)))
    assert total == Decimal("2100.00")


def test_imports_refuse_other_counties_and_roles(tree: Any, people: Any) -> None:
    with pytest.raises(NotFound):
        services.collection_import(county=tree.county_a, upload=collection([]), by=people.cadre_b)
    for who in (people.leader, people.clerk_a, people.operator):
        with pytest.raises(Forbidden):
            services.collection_import(county=tree.county_a, upload=collection([]), by=who)


def _policy(people: Any) -> Any:
    policy = services.policy_create(
        by=people.admin,
        name="2020—2021年小微企业工会经费全额返还",
        starts_on=date(2020, 1, 1),
        ends_on=date(2021, 12, 31),
    )
    return services.round_create(
        policy=policy,
        by=people.admin,
        name="2020年上半年",
        period_start=date(2020, 1, 1),
        period_end=date(2020, 6, 1),
        opens_on=date(2020, 7, 1),
        closes_on=date(2020, 7, 31),
    )


def _book(tree: Any, people: Any, e: Any, months: int = 6, payroll: int = 100000) -> None:
    rows = [
        {"row": i + 2, "uscc": e.uscc, "period": f"2020-{i + 1:02d}", "payroll": payroll,
         "paid": payroll * Decimal("0.02")}
        for i in range(months)
    ]  # fmt: skip
    services.collection_book(county=e.county, rows=rows, by=people.city_cadre)


def _size(people: Any, e: Any, employees: int, revenue: int, tie: str = "") -> None:
    services.size_record(
        enterprise=e,
        year=2019,
        industry_code="C13",
        employees=employees,
        revenue=revenue,
        assets=100,
        financial_tie=tie,
        by=people.city_cadre,
    )


def apply(round: Any, e: Any, by: Any) -> RefundApplication:
    return services.refund_apply(
        round=round,
        enterprise=e,
        bank_name="工商银行",
        bank_account="6222021234567890123",
        by=by,
        on=date(2020, 7, 10),
    )


def test_the_refund_round_from_application_to_payment(tree: Any, people: Any) -> None:
    round = _policy(people)
    small = enterprise(tree, people, 1)
    medium = enterprise(tree, people, 2)
    bank_owned = enterprise(tree, people, 3)
    for e, employees, revenue, tie in (
        (small, 50, 800, ""),
        (medium, 400, 5000, ""),
        (bank_owned, 50, 800, "bank"),
    ):
        _size(people, e, employees, revenue, tie)
        _book(tree, people, e)
    first = apply(round, small, people.clerk_a)
    assert first.eligible and first.amount == Decimal("4800.00")  # 6 × 800 元 sent up
    assert any("划为小型企业" in line for line in first.explanation)
    with pytest.raises(Conflict) as exc:
        apply(round, small, people.clerk_a)
    assert first.number in exc.value.detail
    refused = apply(round, medium, people.cadre_a)
    assert not refused.eligible and any("规模为中型" in x for x in refused.explanation)
    excluded = apply(round, bank_owned, people.cadre_a)
    assert not excluded.eligible and any("银行的子公司" in x for x in excluded.explanation)
    # outside the window, or by someone else's clerk
    with pytest.raises(InvalidInput):
        services.refund_apply(
            round=round, enterprise=medium, bank_name="x", bank_account="62220212345678",
            by=people.cadre_a, on=date(2020, 8, 1),
        )  # fmt: skip
    with pytest.raises((NotFound, Forbidden)):
        apply(round, small, people.cadre_b)
    # the county decides
    services.refund_check(first, by=people.cadre_a)
    with pytest.raises(Forbidden):
        services.refund_approve(first, by=people.clerk_a)
    services.refund_approve(first, by=people.cadre_a)
    services.refund_check(refused, by=people.cadre_a)
    with pytest.raises(Conflict):
        services.refund_approve(refused, by=people.cadre_a)
    with pytest.raises(InvalidInput):
        services.refund_refuse(refused, reason="", by=people.cadre_a)
    services.refund_refuse(refused, reason="中型企业不在返还范围", by=people.cadre_a)
    # paid through the payment machinery only
    batch = services.refund_pay(county=tree.county_a, round=round, by=people.cadre_a)
    line = batch.lines.get()
    assert (line.reference, line.amount, batch.source) == (
        f"funds.refund:{first.pk}",
        Decimal("4800.00"),
        "funds",
    )
    with pytest.raises(InvalidInput):
        services.refund_pay(county=tree.county_a, round=round, by=people.cadre_a)
    payments.submit(batch, by=people.cadre_a)
    payments.approve(batch, by=people.city_cadre)
    payments.export_bank_file(batch, by=people.cadre_a)
    payments.record_results(
        batch, [(line, LineStatus.PAID, "", date(2020, 8, 18))], by=people.cadre_a
    )
    first.refresh_from_db()
    assert first.status == "paid" and first.paid_on == date(2020, 8, 18)
    assert AuditEntry.objects.filter(action="funds.pay", object_id=str(first.pk)).exists()
    # the figures and their drill-down
    from gonghui.core import metrics

    start, end = date(2020, 1, 1), date(2020, 9, 19)
    assert metrics.get("funds.refund_amount").value(tree.city, start, end) == Decimal("4800.00")
    assert metrics.get("funds.refund_enterprises").value(tree.city, start, end) == 1
    assert metrics.get("funds.refund_enterprises").value(tree.county_b, start, end) == 0
    assert list(metrics.get("funds.refund_enterprises").queryset(tree.city, start, end)) == [small]
    assert metrics.get("funds.collected").value(tree.county_a, start, end) == Decimal("36000.00")


def test_the_founding_fund_is_refunded_once_a_union_is_founded(tree: Any, people: Any) -> None:
    round = _policy(people)
    e = enterprise(tree, people, 5, union=False)
    _size(people, e, 30, 500)
    _book(tree, people, e, months=2, payroll=50000)
    before = services.assess(e, round)
    assert not before.eligible and any("尚未建立工会" in x for x in before.lines)
    Enterprise.objects.filter(pk=e.pk).update(union=tree.union_a)
    e.refresh_from_db()
    after = services.assess(e, round)
    assert after.eligible and after.amount == Decimal("2000.00")
    assert any("已建立工会，一并返还" in x for x in after.lines)


def test_a_second_policy_works_without_code(tree: Any, people: Any) -> None:
    policy = services.policy_create(
        by=people.admin,
        name="半额返还（测试）",
        starts_on=date(2020, 1, 1),
        ends_on=date(2020, 12, 31),
        share=Decimal("0.5"),
        classes="micro",
    )
    round = services.round_create(
        policy=policy, by=people.admin, name="上半年", period_start=date(2020, 1, 1),
        period_end=date(2020, 6, 1), opens_on=date(2020, 7, 1), closes_on=date(2020, 7, 31),
    )  # fmt: skip
    micro = enterprise(tree, people, 7)
    _size(people, micro, 10, 100)
    _book(tree, people, micro, months=1)
    result = services.assess(micro, round)
    assert result.eligible and result.amount == Decimal("400.00")  # half of 800
    with pytest.raises(Forbidden):
        services.policy_create(
            by=people.city_cadre, name="x", starts_on=date(2020, 1, 1), ends_on=date(2020, 2, 1)
        )


def test_the_letter_is_a_pdf(tree: Any, people: Any) -> None:
    from gonghui.core.pdf import pdf_available
    from gonghui.funds.letters import refund_letter

    if not pdf_available():
        pytest.skip("no CJK font installed")
    round = _policy(people)
    e = enterprise(tree, people, 8)
    _size(people, e, 50, 800)
    _book(tree, people, e)
    data = refund_letter(apply(round, e, people.clerk_a))
    assert data.startswith(b"%PDF")
