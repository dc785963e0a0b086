"""The union-fee demo: the seed page's "40.79万元 union fees refunded to 103 small and micro
enterprises" made true for 2020-01-01..2020-09-19 from records made through the services,
and the ledger kept alive every month up to today.

- Size data (2019) for the enterprises of the demo that pay fees: small and micro ones, some
  medium and large, two small ones tied to a bank or an insurer (excluded by the policy).
- The tax bureau's collection for 2020-01 onwards, county by county, booked by
  ``collection_book``: every payer through 2020, then two enterprises of each county every
  month up to the current one, so this month has its ledger. An enterprise without a union
  pays the founding fund.
- The 2020–2021 policy and its four half-yearly rounds; in 2020年上半年 103 enterprises are
  approved and refunded (their fees sent up from January to June: 407,900.00 元 in all), ten
  are refused with the reason, and each county's refunds go through a payment batch that is
  made, approved by another cadre, exported and confirmed by the bank on 2020-08-18.

Idempotent: months already booked are not booked again, and the round's applications are
made once. Fast: about 3,000 ledger lines in a dozen bulk statements.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from gonghui.demo.loaders import DemoAccount, Output

REFUNDED = 103
REFUND_TOTAL = Decimal("407900.00")
# a payroll of 125 元 × k gives a fee of 2.5k and an upper share of exactly k 元
PAYROLL_UNIT = Decimal("125")
BASE_K = 660
FIRST_MONTH = date(2020, 1, 1)
ALIVE_PER_COUNTY = 2
POLICY = "2020—2021年小微企业工会经费全额返还"
FINANCE = DemoAccount("finance", "cadre", "371700", "Heze2020-Caiwu", "马秀英", "市总工会财务部")

REVENUE_RULED = set("ABCDEFGHIKL")
INDUSTRY_CODES = {"F": "F52", "G": "G54", "H": "H62", "I": "I65", "K": "K702"}
# revenue and assets (万元) that put a demo enterprise of a given class in that class
FIGURES = {
    "micro": (Decimal("40"), Decimal("50")),
    "small": (Decimal("450"), Decimal("600")),
    "medium": (Decimal("8000"), Decimal("9000")),
    "large": (Decimal("60000"), Decimal("150000")),
}


def finance_accounts() -> list[DemoAccount]:
    return [FINANCE]


def _months(until: date) -> list[date]:
    out, day = [], FIRST_MONTH
    while day <= until:
        out.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return out


def _finance_user() -> Any:
    from gonghui.accounts.models import User
    from gonghui.accounts.services import user_create

    user = User.objects.filter(username=FINANCE.username).first()
    if user is None:
        user_create(
            actor=None,
            username=FINANCE.username,
            org=FINANCE.org,
            role=FINANCE.role,
            password=FINANCE.password,
            full_name=FINANCE.full_name,
            title=FINANCE.title,
        )
        user = User.objects.get(username=FINANCE.username)
    return user


def load_funds(stdout: Output, today: date | None = None) -> None:
    from django.utils import timezone

    from gonghui.accounts.models import User
    from gonghui.orgs.models import Enterprise

    from .models import EnterpriseSize, FinancialTie

    today = today or timezone.localdate()
    finance = _finance_user()
    approver = (
        User.objects.filter(username="cadre_city").first()
        or User.objects.filter(username="admin").first()
    )
    if approver is None:
        stdout.write("工会经费：缺少演示账号，跳过\n")
        return
    enterprises = list(
        Enterprise.objects.exclude(uscc="").select_related("county", "union").order_by("uscc")
    )
    if not enterprises:
        stdout.write("工会经费：没有单位，跳过\n")
        return
    organised = [e for e in enterprises if e.union_id]
    # small and micro by the 2011 rules of their own industry too: the groups judged by
    # employees alone (其他未列明行业) count 100 employees as medium
    small = [
        e
        for e in organised
        if e.size_class in ("small", "micro")
        and (e.industry in REVENUE_RULED or (e.headcount or 0) < 100)
    ]
    refunded = small[:REFUNDED]
    financial = small[REFUNDED : REFUNDED + 2]
    bigger = [e for e in organised if e.size_class in ("medium", "large")][:8]
    founding = [e for e in enterprises if not e.union_id]
    payers = refunded + financial + bigger + founding

    sizes_made = _sizes(payers, financial, finance, EnterpriseSize, FinancialTie)
    booked = _ledger(payers, refunded, finance, today)
    refunds = _refunds(refunded, financial + bigger, finance, approver)
    stdout.write(
        f"工会经费：规模数据 {sizes_made} 条，台账 {booked} 行，2020年上半年返还 {refunds} 家\n"
    )


def _sizes(payers: list[Any], financial: list[Any], by: Any, EnterpriseSize: Any, Tie: Any) -> int:
    """Each payer's 2019 figures, checked and classified by ``services.size_values`` (the
    rules of ``size_record``), written set-based: the rows in one insert and, for each, the
    audit row ``size_record`` writes (``funds.size``, its fields before nothing and after),
    in another."""
    import hashlib

    from django.utils import timezone

    from gonghui.core import audit
    from gonghui.core.auditchain import canonical
    from gonghui.core.models import AuditEntry
    from gonghui.demo import rows

    from .services import size_rules, size_values

    year = FIRST_MONTH.year - 1
    have = set(
        EnterpriseSize.objects.filter(enterprise__in=payers, year=year).values_list(
            "enterprise_id", flat=True
        )
    )
    ties = {financial[0].pk: Tie.BANK, financial[1].pk: Tie.INSURER} if len(financial) == 2 else {}
    rules = size_rules()
    made: list[Any] = []
    for e in payers:
        if e.pk in have:
            continue
        revenue, assets = FIGURES.get(e.size_class or "small", FIGURES["small"])
        values = size_values(
            year=year,
            industry_code=INDUSTRY_CODES.get(e.industry, (e.industry or "C") + "13"),
            employees=e.headcount or 20,
            revenue=revenue,
            assets=assets,
            financial_tie=ties.get(e.pk, ""),
            rules=rules,
        )
        made.append(
            EnterpriseSize(
                enterprise=e,
                county=e.county,
                year=year,
                recorded_by=by,
                **{k: getattr(values, k) for k in SIZE_FIELDS},
            )
        )
    if not made:
        return 0
    # ``updated_at`` left to ``rows.insert``, which stamps it as ``save`` would
    fields = [
        f.attname
        for f in EnterpriseSize._meta.concrete_fields
        if not f.primary_key and f.attname != "updated_at"
    ]
    ids = rows.insert(EnterpriseSize, ({f: getattr(s, f) for f in fields} for s in made))
    now = timezone.now()
    entries = []
    for pk, size in zip(ids, made, strict=True):
        size.pk = pk
        entry = {
            "at": now, "actor_id": by.pk, "actor_name": by.get_username()[:150],
            "org_id": by.org_id, "object_org_id": size.county_id, "action": "funds.size",
            "object_type": "fund_size", "object_id": str(pk), "object_repr": str(size)[:200],
            "changes": audit.diff({}, audit.snapshot(size)), "note": size.enterprise.name[:500],
            "ip": None,
        }  # fmt: skip
        entry["digest"] = hashlib.sha256(canonical(entry)).hexdigest()
        entries.append(entry)
    rows.insert(AuditEntry, entries)
    return len(made)


SIZE_FIELDS = ("industry_code", "employees", "revenue", "assets", "financial_tie",
               "group_member", "size_class", "size_reason")  # fmt: skip


def _payroll_k(e: Any, month: date, refunded_index: dict[int, int], last: int) -> int:
    """The payroll of an enterprise's month in units of 125 元. The refunded enterprises'
    first half of 2020 sums to the seed's 407,900 元 of upper shares exactly."""
    if e.pk in refunded_index and month < date(2020, 7, 1):
        return BASE_K + (20 if refunded_index[e.pk] == last and month.month == 6 else 0)
    # others: a payroll that follows the headcount, with a little seasonal movement
    return max(8, (e.headcount or 20) * 32 + (month.month % 3) * 7)


def _ledger(payers: list[Any], refunded: list[Any], by: Any, today: date) -> int:
    from .models import FeeLine
    from .services import CENT, FEE_RATE, SheetRow, collection_book_rows

    months = _months(today.replace(day=1))
    # every payer through 2020 (the seed's year); after it, two enterprises of each county
    # keep the ledger alive month by month (enough for this month's figures, and cheap)
    alive: set[int] = set()
    per_county: dict[int, int] = defaultdict(int)
    for e in payers:
        if per_county[e.county_id] < ALIVE_PER_COUNTY:
            per_county[e.county_id] += 1
            alive.add(e.pk)
    refunded_index = {e.pk: i for i, e in enumerate(refunded)}
    last = len(refunded) - 1
    have = set(
        FeeLine.objects.filter(
            enterprise__in=[e.pk for e in payers], reversal_of__isnull=True
        ).values_list("enterprise_id", "period")
    )
    seed_year = [m for m in months if m.year == FIRST_MONTH.year]
    # each county's sheet as the tax bureau's rows: (row, credit code, month, payroll, paid)
    by_county: dict[Any, list[SheetRow]] = defaultdict(list)
    for e in payers:
        pk = e.pk
        sheet = by_county[e.county]
        for month in months if pk in alive else seed_year:
            if (pk, month) in have:
                continue
            payroll = PAYROLL_UNIT * _payroll_k(e, month, refunded_index, last)
            paid = (payroll * FEE_RATE).quantize(CENT)
            sheet.append((len(sheet) + 2, e.uscc, month, payroll, paid))
    booked = 0
    for county, sheet in by_county.items():
        if not sheet:  # every month of its payers booked already
            continue
        record = collection_book_rows(
            county=county, rows=sheet, by=by, file_name=f"{county.name}税务代征数据（演示）.xlsx"
        )
        booked += record.booked
    return booked


def _refunds(refunded: list[Any], refused: list[Any], finance: Any, approver: Any) -> int:
    from gonghui.payments import services as payments
    from gonghui.payments.models import LineStatus

    from .models import ApplicationStatus, RefundApplication, RefundPolicy, RefundRound
    from .services import refund_apply, refund_approve, refund_check, refund_pay, refund_refuse

    policy, _ = RefundPolicy.objects.get_or_create(
        name=POLICY,
        defaults={
            "basis": "全国总工会关于小微企业工会经费全额返还支持政策",
            "starts_on": date(2020, 1, 1),
            "ends_on": date(2021, 12, 31),
        },
    )
    rounds = {}
    for name, start, end, opens, closes in (
        ("2020年上半年", date(2020, 1, 1), date(2020, 6, 1), date(2020, 7, 1), date(2020, 7, 31)),
        ("2020年下半年", date(2020, 7, 1), date(2020, 12, 1), date(2021, 1, 4), date(2021, 1, 29)),
        ("2021年上半年", date(2021, 1, 1), date(2021, 6, 1), date(2021, 7, 1), date(2021, 7, 30)),
        ("2021年下半年", date(2021, 7, 1), date(2021, 12, 1), date(2022, 1, 4), date(2022, 1, 28)),
    ):
        rounds[name], _ = RefundRound.objects.get_or_create(
            policy=policy,
            name=name,
            defaults={
                "period_start": start,
                "period_end": end,
                "opens_on": opens,
                "closes_on": closes,
            },
        )
    first = rounds["2020年上半年"]
    if RefundApplication.objects.filter(round=first).exists():
        return RefundApplication.objects.filter(round=first, status="paid").count()
    for i, e in enumerate(refunded + refused):
        app = refund_apply(
            round=first,
            enterprise=e,
            bank_name="中国工商银行菏泽分行",
            bank_account=f"16110000{i + 1:011d}",
            by=finance,
            on=date(2020, 7, 6 + i % 20),
        )
        app = refund_check(app, by=finance)
        if app.eligible:
            refund_approve(app, by=finance, on=date(2020, 7, 28))
        else:
            refund_refuse(
                app, reason="经审核不符合小微企业工会经费返还条件", by=finance, on=date(2020, 7, 28)
            )
    counties = {e.county_id: e.county for e in refunded}
    for county in sorted(counties.values(), key=lambda c: c.code):
        if not RefundApplication.objects.filter(
            round=first, county=county, status=ApplicationStatus.APPROVED
        ).exists():
            continue
        batch = refund_pay(county=county, round=first, by=finance)
        payments.submit(batch, by=finance)
        payments.approve(batch, by=approver)
        payments.export_bank_file(batch, by=finance)
        payments.record_results(
            batch,
            [(line, LineStatus.PAID, "", date(2020, 8, 18)) for line in batch.lines.all()],
            by=finance,
        )
    return RefundApplication.objects.filter(round=first, status="paid").count()
