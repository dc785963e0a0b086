"""Every write of the union-fee module: one transaction each, with its audit row.

- ``size_record``: an enterprise's figures for a year, classified by the 2011 standard.
- ``collection_book`` / ``collection_import``: the tax bureau's collection sheet booked row by
  row (unknown credit code, bad month, negative amounts, duplicates refused with reasons);
  a month already booked with the same amounts is left as it is, so the same sheet twice
  books nothing twice. ``line_reverse``: a correction, as a reversal line.
- ``refund_apply`` → ``refund_check`` → ``refund_approve`` / ``refund_refuse``, then
  ``refund_pay`` puts a county's approved refunds in a payment batch (``payments``), and the
  bank's confirmations mark them paid (``settle``, called by the payment machinery).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, bulk, spreadsheets, uploads
from gonghui.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from gonghui.core.identifiers import validate_uscc
from gonghui.core.roles import can, in_subtree, role_can
from gonghui.core.scope import subtree_org_ids
from gonghui.core.statemachine import Transition, Workflow
from gonghui.orgs.models import Enterprise, Org
from gonghui.payments import services as payments

from . import sizes
from .models import (
    ApplicationStatus,
    CollectionImport,
    EnterpriseSize,
    FeeKind,
    FeeLine,
    FinancialTie,
    RefundApplication,
    RefundPolicy,
    RefundRound,
    SizeImport,
    SizeRule,
)

CENT = Decimal("0.01")
FEE_RATE = Decimal("0.02")  # 2% of the monthly payroll
GRASSROOTS_SHARE = Decimal("0.60")  # the grassroots union keeps 60%; 40% goes up
AMOUNT_MAX = Decimal("999999999999.99")

WORKFLOW = Workflow(
    name="funds.refund",
    states={s.value: str(s.label) for s in ApplicationStatus},
    transitions=[
        Transition("check", ("applied",), "checked", "审核", ("admin", "cadre")),
        Transition("approve", ("checked",), "approved", "批准返还", ("admin", "cadre")),
        Transition("refuse", ("applied", "checked"), "refused", "不予返还", ("admin", "cadre")),
        Transition("pay", ("approved",), "paid", "返还到账", ("admin", "cadre")),
    ],
    initial="applied",
)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def _require(by: Any, perm: str, org: Any) -> None:
    if not getattr(by, "is_authenticated", False) or not by.is_active:
        raise Forbidden(_("需要登录"))
    if not role_can(by.role, perm):
        raise Forbidden(_("当前角色无权办理工会经费业务"))
    if org is not None and not in_subtree(by, org):
        raise NotFound()


def _record(
    by: Any, action: str, obj: Any, org: Any, changes: dict[str, Any], note: str = ""
) -> None:
    audit.record(
        actor=by,
        action=action,
        object_type={
            EnterpriseSize: "fund_size",
            FeeLine: "fee_line",
            CollectionImport: "fee_import",
            RefundApplication: "refund",
            RefundPolicy: "refund_policy",
            RefundRound: "refund_round",
            SizeImport: "fund_size_import",
        }[type(obj)],
        object_id=obj.pk,
        object_org=org,
        object_repr=str(obj)[:200],
        changes=changes,
        note=note,
    )


def _created(obj: Any, fields: Iterable[str] | None = None) -> dict[str, Any]:
    return {k: {"before": None, "after": v} for k, v in audit.snapshot(obj, fields).items()}


# --- size classes ----------------------------------------------------------------------------


def size_rules() -> list[sizes.Rule]:
    return [sizes.rule_from_row(r) for r in SizeRule.objects.order_by("sort", "code")]


def _figure(value: Any, field_name: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise InvalidInput.one(field_name, _("%(label)s应为数字") % {"label": label}) from None
    if not number.is_finite() or number < 0:
        raise InvalidInput.one(field_name, _("%(label)s不能为负数") % {"label": label})
    if number > Decimal("9999999999.99"):
        raise InvalidInput.one(field_name, _("%(label)s过大") % {"label": label})
    return _money(number)


@dataclass(frozen=True)
class SizeValues:
    """An enterprise's figures of a year, checked, with the class they give and why."""

    industry_code: str
    employees: int
    revenue: Decimal
    assets: Decimal
    financial_tie: str
    group_member: bool
    size_class: str
    size_reason: str

    def differs_from(self, row: EnterpriseSize) -> bool:
        return (
            row.industry_code,
            row.employees,
            row.revenue,
            row.assets,
            row.financial_tie,
            row.group_member,
            row.size_class,
        ) != (
            self.industry_code,
            self.employees,
            self.revenue,
            self.assets,
            self.financial_tie,
            self.group_member,
            self.size_class,
        )


def size_values(
    *,
    year: Any,
    industry_code: Any,
    employees: Any,
    revenue: Any,
    assets: Any,
    financial_tie: str = "",
    group_member: bool = False,
    rules: list[sizes.Rule] | None = None,
) -> SizeValues:
    """Check one year's figures and classify them; ``InvalidInput`` names the field."""
    try:
        year_value = int(str(year).strip())
    except (TypeError, ValueError):
        raise InvalidInput.one("year", _("数据年度应为四位年份，如 2019")) from None
    if not 2000 <= year_value <= 2100:
        raise InvalidInput.one("year", _("数据年度不正确"))
    code = re.sub(r"\s", "", str(industry_code or "")).upper()
    if not re.fullmatch(r"[A-T](\d{2,4})?", code):
        raise InvalidInput.one("industry_code", _("行业代码应为门类字母加行业代码，如 C13、F52"))
    try:
        people = Decimal(str(employees).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise InvalidInput.one("employees", _("从业人员应为不小于零的整数")) from None
    if not people.is_finite() or people < 0 or people != people.to_integral_value():
        raise InvalidInput.one("employees", _("从业人员应为不小于零的整数"))
    if people > 10_000_000:
        raise InvalidInput.one("employees", _("从业人员过大"))
    revenue_value = _figure(revenue, "revenue", _("营业收入"))
    assets_value = _figure(assets, "assets", _("资产总额"))
    if financial_tie not in FinancialTie.values:
        raise InvalidInput.one("financial_tie", _("未知的金融类关联"))
    rule, why = sizes.rule_for(code, rules if rules is not None else size_rules())
    if rule is None:
        raise InvalidInput.one("industry_code", why)
    classified = sizes.classify(
        rule, employees=int(people), revenue=revenue_value, assets=assets_value
    )
    return SizeValues(
        industry_code=code,
        employees=int(people),
        revenue=revenue_value,
        assets=assets_value,
        financial_tie=financial_tie,
        group_member=bool(group_member),
        size_class=classified.size_class,
        size_reason=classified.reason,
    )


def _size_save(
    enterprise: Enterprise, year: int, values: SizeValues, by: Any, note: str = ""
) -> tuple[EnterpriseSize, bool]:
    """Write one year's figures (inside the caller's transaction), audited; ``(row, changed)``."""
    row = EnterpriseSize.objects.filter(enterprise=enterprise, year=year).first()
    if row is not None and not values.differs_from(row):
        return row, False
    before = audit.snapshot(row) if row else {}
    row = row or EnterpriseSize(enterprise=enterprise, year=year, recorded_by=by)
    row.county_id = enterprise.county_id
    row.industry_code = values.industry_code
    row.employees = values.employees
    row.revenue = values.revenue
    row.assets = values.assets
    row.financial_tie = values.financial_tie
    row.group_member = values.group_member
    row.size_class = values.size_class
    row.size_reason = values.size_reason
    row.recorded_by = by
    row.save()
    changes = audit.diff(before, audit.snapshot(row))
    if changes:
        _record(by, "funds.size", row, enterprise.county, changes, note=note or enterprise.name)
    return row, True


def size_record(
    *,
    enterprise: Enterprise,
    year: int,
    industry_code: str,
    employees: int,
    revenue: Any,
    assets: Any,
    financial_tie: str = "",
    group_member: bool = False,
    by: Any,
) -> EnterpriseSize:
    """An enterprise's figures of a year, classified now and stored with the reasoning."""
    _require(by, "funds.manage", enterprise.county)
    values = size_values(
        year=year,
        industry_code=industry_code,
        employees=employees,
        revenue=revenue,
        assets=assets,
        financial_tie=financial_tie,
        group_member=group_member,
    )
    with transaction.atomic():
        row, _changed = _size_save(enterprise, int(year), values, by)
    return row


# The columns of a size record as the set-based import writes them (``size_book``).
_SIZE_FIGURES = ("industry_code", "employees", "revenue", "assets", "financial_tie",
                 "group_member", "size_class", "size_reason")  # fmt: skip
_SIZE_COLUMNS = ("enterprise_id", "county_id", "year", *_SIZE_FIGURES, "recorded_by_id",
                 "created_at", "updated_at")  # fmt: skip
# what ``SizeValues.differs_from`` compares: a year recorded alike is left alone
_SIZE_COMPARED = _SIZE_FIGURES[:7]


def _size_snapshot(
    enterprise_id: int, county_code: str, year: int, figures: tuple[Any, ...], recorded_by: int
) -> dict[str, Any]:
    """``audit.snapshot`` of a size record, from its values (no instance, no query): the
    enterprise and the recorder by id, the county by its code, amounts as text."""
    out: dict[str, Any] = {
        "enterprise": str(enterprise_id),
        "county": county_code,
        "year": year,
    }
    for name, value in zip(_SIZE_FIGURES, figures, strict=True):
        out[name] = str(value) if isinstance(value, Decimal) else value
    out["recorded_by"] = str(recorded_by)
    return out


def _size_update(rows: list[tuple[Any, ...]]) -> None:
    """One ``UPDATE … FROM`` a staging table of ``(id, county_id, *figures, recorded_by_id,
    updated_at)`` rows (filled by ``core.bulk.insert_rows``): every changed year in one
    statement, inside the caller's transaction."""
    from django.db import connection

    qn = connection.ops.quote_name
    table = qn(EnterpriseSize._meta.db_table)
    names = ("id", "county_id", *_SIZE_FIGURES, "recorded_by_id", "updated_at")
    money = "numeric(12, 2)" if bulk.is_postgres() else "decimal"
    when = "timestamp with time zone" if bulk.is_postgres() else "datetime"
    types = ("bigint", "bigint", "varchar(8)", "integer", money, money, "varchar(12)",
             "boolean", "varchar(8)", "text", "bigint", when)  # fmt: skip
    staging = "funds_size_staging"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        cols = ", ".join(f"{qn(n)} {t}" for n, t in zip(names, types, strict=True))
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} ({cols})")
        bulk.insert_rows(staging, names, rows)
        sets = ", ".join(f"{qn(n)} = s.{qn(n)}" for n in names[1:])
        cursor.execute(
            f"UPDATE {table} SET {sets} FROM {staging} s WHERE {table}.{qn('id')} = s.{qn('id')}"  # noqa: S608 - names from the model's meta, quoted; values went through the staging table
        )
        cursor.execute(f"DROP TABLE {staging}")


def size_book(
    *,
    county: Org,
    rows: Iterable[dict[str, Any]],
    by: Any,
    file_name: str = "",
    sha256: str = "",
    header: list[str] | None = None,
) -> SizeImport:
    """Register the size figures of a sheet for ``county``'s enterprises. Each row: ``row``
    (its number in the sheet), ``cells`` (as read, for the rejected-rows workbook),
    ``uscc``, ``year``, ``industry_code``, ``employees``, ``revenue``, ``assets``,
    ``financial_tie``, ``group_member`` (or ``error``: a cell the reader could not take).

    Set-based, like the collection sheet's booking: every row is checked in memory first
    (``size_values``, the rules of ``size_record``); the enterprises are found one query per
    ``LOOKUP_CHUNK`` credit codes and their recorded years one per ``LOOKUP_CHUNK``
    enterprises, as values (no model instance per row); then, in one transaction with the
    import's record and its audit row, the new years go in through ``core.bulk.insert_rows``,
    the changed ones in one ``UPDATE … FROM`` a staging table, and each year written gets its
    ``funds.size`` audit row (its fields before and after, as ``size_record`` writes it) in one
    more insert. A year whose figures are already recorded as they are is left alone — the same
    sheet twice writes nothing twice; a failure writes nothing."""
    _require(by, "funds.manage", county)
    rows = list(rows)
    rules = size_rules()
    problems: list[dict[str, Any]] = []
    checked_codes: dict[tuple[type, Any], tuple[str, str]] = {}
    codes: set[str] = set()
    for row in rows:
        if row.get("error"):
            continue
        code, error = _uscc_checked(row.get("uscc", ""), checked_codes)
        if error:
            row["error"] = _("统一社会信用代码不正确：%(e)s") % {"e": error}
        else:
            row["uscc"] = code
            codes.add(code)
    below = dict(subtree_org_ids(county).values_list("id", "code"))
    enterprises: dict[str, tuple[int, int]] = {}  # credit code → (id, county)
    ordered = sorted(codes)
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        for uscc, pk, county_id in (
            Enterprise.objects.filter(uscc__in=ordered[start : start + LOOKUP_CHUNK])
            .order_by()
            .values_list("uscc", "id", "county_id")
        ):
            if county_id in below:
                enterprises[uscc] = (pk, county_id)
    # (enterprise, year) → (id, county, *figures, recorded_by)
    recorded: dict[tuple[int, int], tuple[Any, ...]] = {}
    ids = sorted(pk for pk, _c in enterprises.values())
    for start in range(0, len(ids), LOOKUP_CHUNK):
        for found in (
            EnterpriseSize.objects.filter(enterprise_id__in=ids[start : start + LOOKUP_CHUNK])
            .order_by()
            .values_list(
                "enterprise_id", "year", "id", "county_id", *_SIZE_FIGURES, "recorded_by_id"
            )  # fmt: skip
        ):
            recorded[(found[0], found[1])] = found[2:]
    seen: dict[tuple[str, int], int] = {}
    new: list[tuple[int, int, int, SizeValues]] = []  # (enterprise, county, year, values)
    changed: list[tuple[int, int, int, SizeValues, tuple[Any, ...]]] = []  # … and as recorded
    unchanged = 0
    for row in rows:
        number = int(row.get("row") or 0)

        def refuse(reason: str, row: dict[str, Any] = row, number: int = number) -> None:
            problems.append(
                {
                    "row": number,
                    "uscc": str(row.get("uscc") or ""),
                    "reason": reason,
                    "cells": row.get("cells", []),
                }
            )

        if row.get("error"):
            refuse(row["error"])
            continue
        hit = enterprises.get(row["uscc"])
        if hit is None:
            refuse(_("统一社会信用代码 %(code)s 未匹配到本县区的单位") % {"code": row["uscc"]})
            continue
        try:
            values = size_values(
                year=row.get("year"),
                industry_code=row.get("industry_code"),
                employees=row.get("employees"),
                revenue=row.get("revenue"),
                assets=row.get("assets"),
                financial_tie=row.get("financial_tie") or "",
                group_member=bool(row.get("group_member")),
                rules=rules,
            )
        except InvalidInput as exc:
            refuse("；".join(e["message"] for e in exc.errors))
            continue
        year = int(str(row.get("year")).strip())
        key = (row["uscc"], year)
        if key in seen:
            refuse(_("与第 %(n)d 行重复（同一单位同一年度）") % {"n": seen[key]})
            continue
        seen[key] = number
        enterprise_id, county_id = hit
        known = recorded.get((enterprise_id, year))
        if known is None:
            new.append((enterprise_id, county_id, year, values))
        elif known[2 : 2 + len(_SIZE_COMPARED)] == tuple(
            getattr(values, f) for f in _SIZE_COMPARED
        ):
            unchanged += 1
        else:
            changed.append((enterprise_id, county_id, year, values, known))
    name = (file_name or _("规模数据"))[-200:]
    saved = len(new) + len(changed)
    with transaction.atomic():
        now = timezone.now()
        stamp = bulk.db_literal(now)
        made: dict[tuple[int, int], int] = {}
        if new:
            defaults = bulk.column_defaults(EnterpriseSize, _SIZE_COLUMNS)
            tail = (*defaults.values(),)
            bulk.insert_rows(
                EnterpriseSize._meta.db_table,
                (*_SIZE_COLUMNS, *defaults),
                (
                    (eid, cid, year, *(bulk.db_literal(getattr(v, f)) for f in _SIZE_FIGURES),
                     by.pk, stamp, stamp, *tail)
                    for eid, cid, year, v in new
                ),
            )  # fmt: skip
            # their ids, by the unique (enterprise, year): exact whoever else writes meanwhile
            for year in sorted({year for _e, _c, year, _v in new}):
                of_year = sorted(eid for eid, _c, y, _v in new if y == year)
                for start in range(0, len(of_year), LOOKUP_CHUNK):
                    for eid, pk in (
                        EnterpriseSize.objects.filter(
                            year=year, enterprise_id__in=of_year[start : start + LOOKUP_CHUNK]
                        )
                        .order_by()
                        .values_list("enterprise_id", "id")
                    ):
                        made[(eid, year)] = pk
        county_codes = below
        if changed:
            _size_update(
                [
                    (known[0], cid, *(bulk.db_literal(getattr(v, f)) for f in _SIZE_FIGURES),
                     by.pk, stamp)
                    for _eid, cid, _year, v, known in changed
                ]
            )  # fmt: skip
            # a year recorded under another county (the enterprise has moved since): its code
            moved = {known[1] for *_x, known in changed} - set(below)
            county_codes = below | dict(Org.objects.filter(id__in=moved).values_list("id", "code"))

        def trail() -> Iterator[tuple[Any, Any, str, dict[str, Any], str]]:
            """Each year's audit row, made as it is written (a list of 200,000 diffs would
            hold a gigabyte)."""
            for eid, cid, year, v in new:
                figures = tuple(getattr(v, f) for f in _SIZE_FIGURES)
                after = _size_snapshot(eid, below[cid], year, figures, by.pk)
                yield made[(eid, year)], cid, f"{eid} {year}", audit.diff({}, after), name
            for eid, cid, year, v, known in changed:
                before = _size_snapshot(eid, county_codes[known[1]], year, known[2:-1], known[-1])
                figures = tuple(getattr(v, f) for f in _SIZE_FIGURES)
                after = _size_snapshot(eid, below[cid], year, figures, by.pk)
                yield known[0], cid, f"{eid} {year}", audit.diff(before, after), name

        audit.record_rows(actor=by, action="funds.size", object_type="fund_size", items=trail())
        record = SizeImport.objects.create(
            county=county,
            file_name=name,
            sha256=sha256,
            rows=len(rows),
            saved=saved,
            unchanged=unchanged,
            rejected=len(problems),
            header=list(header or []),
            problems=problems[:5000],
            created_by=by,
        )
        _record(
            by,
            "funds.size_import",
            record,
            county,
            {
                "counts": {
                    "before": None,
                    "after": {
                        "rows": len(rows),
                        "saved": saved,
                        "unchanged": unchanged,
                        "rejected": len(problems),
                    },
                }
            },
            note=name,
        )
    return record


# --- the ledger ------------------------------------------------------------------------------


def parse_period(value: Any) -> date | None:
    """``2020-01``, ``2020年1月``, ``202001``, ``2020-01-31`` or a date → the month's first day."""
    if isinstance(value, datetime):  # a workbook's date cell: a date, or it matches no month
        value = value.date()
    if isinstance(value, date):
        return value.replace(day=1)
    text = spreadsheets.cell_text(value).strip()
    match = re.fullmatch(r"(\d{4})\s*[-/.年]?\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})?\s*日?)?", text)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def _amount(value: Any) -> Decimal | None:
    text = spreadsheets.cell_text(value).strip().replace(",", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number < 0 or number > AMOUNT_MAX:
        return None
    return _money(number)


# A sheet's look-ups go by this many credit codes (or enterprises) a query: few round trips,
# well inside SQLite's 32,766 parameters and PostgreSQL's 65,535.
LOOKUP_CHUNK = 2000
# The rows one import keeps in ``CollectionImport.problems`` (the counts keep them all).
PROBLEMS_KEPT = 1000

_FEE_COLUMNS = (
    "county_id", "enterprise_id", "period", "kind", "payroll", "due", "paid", "grassroots_share",
    "upper_share", "source_import_id", "source_row", "booked_by_id", "created_at", "updated_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Payer:
    """What the booking needs of a matched enterprise."""

    id: int
    county_id: int
    kind: str  # FeeKind: the fee with a union, the founding fund without one


@dataclass(frozen=True, slots=True)
class _Booked:
    payroll: Decimal
    paid: Decimal


def _uscc_checked(value: Any, cache: dict[tuple[type, Any], tuple[str, str]]) -> tuple[str, str]:
    """``(normalised code, "")`` or ``("", the reason)``, once per distinct cell (a file of
    several months of the same enterprises repeats its codes)."""
    key = (type(value), value)
    hit = cache.get(key)
    if hit is None:
        try:
            hit = (validate_uscc(value), "")
        except ValidationError as exc:
            hit = ("", exc.messages[0])
        cache[key] = hit
    return hit


def _payers(codes: Iterable[str], county: Org) -> dict[str, _Payer]:
    """The enterprises of ``county``'s subtree among ``codes``, by credit code: one query per
    ``LOOKUP_CHUNK`` codes (no model instances)."""
    below = set(subtree_org_ids(county).values_list("id", flat=True))
    found: dict[str, _Payer] = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        for uscc, pk, county_id, union_id in Enterprise.objects.filter(
            uscc__in=ordered[start : start + LOOKUP_CHUNK]
        ).values_list("uscc", "id", "county_id", "union_id"):
            if county_id in below:
                kind = FeeKind.FEE if union_id else FeeKind.FOUNDING
                found[uscc] = _Payer(pk, county_id, kind)
    return found


def _booked_months(
    enterprise_ids: Iterable[int], months: set[date]
) -> dict[tuple[int, date, str], _Booked]:
    """The live lines (booked, not reversed, not a reversal) of these enterprises in these
    months, by (enterprise, month, kind): one query per ``LOOKUP_CHUNK`` enterprises, reading
    only the months the sheet names (a year of ledger is not read for one month's sheet).

    The query seeks ``fee_line_key`` (enterprise, month) and nothing else. A reversal line is
    told apart here, in Python, not by ``reversal_of IS NULL`` in the query: SQLite's planner
    takes that term to the unique index on ``reversal_of`` (a unique index answers one row,
    it reckons) and so read every booked line of the ledger once per chunk — each month's
    sheet cost more than the one before (43 s of CPU for the lookups of month 12 of 200,000
    enterprises, 0.1 s now). No ordering either: the model's would join the enterprises to
    sort by name."""
    ids = sorted(enterprise_ids)
    out: dict[tuple[int, date, str], _Booked] = {}
    if not months:
        return out
    for start in range(0, len(ids), LOOKUP_CHUNK):
        for eid, period, kind, payroll, paid, reverses in (
            FeeLine.objects.filter(
                enterprise_id__in=ids[start : start + LOOKUP_CHUNK],
                period__in=sorted(months),
                reversed_by__isnull=True,
            )
            .order_by()
            .values_list("enterprise_id", "period", "kind", "payroll", "paid", "reversal_of_id")
        ):
            if reverses is None:
                out[(eid, period, kind)] = _Booked(payroll, paid)
    return out


# One row of a sheet as read: (row number, credit code, month, payroll, amount paid).
SheetRow = tuple[int, Any, Any, Any, Any]


def collection_book(
    *,
    county: Org,
    rows: Iterable[dict[str, Any]],
    by: Any,
    file_name: str = "",
    sha256: str = "",
) -> CollectionImport:
    """Book the rows of a collection sheet for ``county``'s enterprises. Each row:
    ``row`` (its number in the sheet), ``uscc``, ``period``, ``payroll``, ``paid`` (and
    ``name``, shown only). Rows that cannot be booked are listed with their reason; the rest
    are booked together, in one transaction with the import's record and audit row."""
    return collection_book_rows(
        county=county,
        rows=[
            (
                int(r.get("row") or 0),
                r.get("uscc", ""),
                r.get("period"),
                r.get("payroll"),
                r.get("paid"),
            )
            for r in rows
        ],  # fmt: skip
        by=by,
        file_name=file_name,
        sha256=sha256,
    )


def collection_book_rows(
    *, county: Org, rows: list[SheetRow], by: Any, file_name: str = "", sha256: str = ""
) -> CollectionImport:
    """``collection_book`` on rows as tuples ``(row, uscc, period, payroll, paid)``, set-based.

    Every row is read and checked in memory first (credit code and its check character,
    month, amounts as Decimal to the fen, the same enterprise and month twice in the file);
    then one query per ``LOOKUP_CHUNK`` credit codes finds the enterprises and one per
    ``LOOKUP_CHUNK`` enterprises the months already booked; the new lines go in through
    ``core.bulk.insert_rows`` (``executemany`` / ``COPY``) in the transaction of the import's
    record and its one audit row with the counts. The answers are the row-by-row rules'
    (each row refused for the first rule it breaks, in the order: credit code, enterprise,
    month, payroll, amount paid, duplicate, already booked with other amounts); a month
    already booked with the same amounts is counted unchanged, so the same sheet twice books
    nothing twice; a failure writes nothing."""
    _require(by, "funds.manage", county)
    codes: dict[tuple[type, Any], tuple[str, str]] = {}
    periods: dict[tuple[type, Any], date | None] = {}
    checked: list[tuple[int, str, str, date | None]] = []  # (row, uscc, error, month)
    wanted: set[str] = set()
    months: set[date] = set()
    for number, raw_code, raw_period, _payroll, _paid in rows:
        code, error = _uscc_checked(raw_code, codes)
        key = (type(raw_period), raw_period)  # 1 and True are equal keys, not equal months
        if key in periods:
            period = periods[key]
        else:
            period = periods[key] = parse_period(raw_period)
        if code:
            wanted.add(code)
            if period is not None:
                months.add(period)
        checked.append((number, code, error, period))
    payers = _payers(wanted, county)
    booked = _booked_months((p.id for p in payers.values()), months)

    problems: list[dict[str, Any]] = []

    def refuse(number: int, field: str, reason: str) -> None:
        problems.append({"row": number, "field": field, "reason": reason})

    unchanged = 0
    seen: dict[tuple[str, date], int] = {}
    new: list[tuple[Any, ...]] = []
    for (number, code, error, period), (_n, _c, _p, raw_payroll, raw_paid) in zip(
        checked, rows, strict=True
    ):
        if error:
            refuse(number, "uscc", _("统一社会信用代码不正确：%(e)s") % {"e": error})
            continue
        payer = payers.get(code)
        if payer is None:
            refuse(
                number, "uscc", _("统一社会信用代码 %(code)s 未匹配到本县区的单位") % {"code": code}
            )
            continue
        if period is None:
            refuse(number, "period", _("所属期无法识别（应为 2020-01 这样的年月）"))
            continue
        payroll = _amount(raw_payroll)
        if payroll is None:
            refuse(number, "payroll", _("工资总额应为不小于零的金额"))
            continue
        paid = _amount(raw_paid)
        if paid is None:
            refuse(number, "paid", _("实缴金额应为不小于零的金额"))
            continue
        pair = (code, period)
        first = seen.get(pair)
        if first is not None:
            refuse(number, "period", _("与第 %(n)d 行重复（同一单位同一月份）") % {"n": first})
            continue
        seen[pair] = number
        kind = payer.kind
        known = booked.get((payer.id, period, kind))
        if known is not None:
            if known.payroll == payroll and known.paid == paid:
                unchanged += 1
            else:
                refuse(
                    number,
                    "paid",
                    _("该单位 %(m)s 已入账（实缴 %(paid)s 元），金额不同；如需更正请先冲正原记录")
                    % {"m": f"{period:%Y-%m}", "paid": known.paid},
                )
            continue
        if kind == FeeKind.FEE:
            grassroots = _money(paid * GRASSROOTS_SHARE)
            upper = paid - grassroots
        else:  # the founding fund is held above until a union is founded
            grassroots, upper = Decimal("0.00"), paid
        due = _money(payroll * FEE_RATE)
        new.append(
            (payer.county_id, payer.id, period, kind, payroll, due, paid, grassroots, upper, number)
        )
    with transaction.atomic():
        record = CollectionImport.objects.create(
            county=county,
            file_name=(file_name or _("征收数据"))[-200:],
            sha256=sha256,
            rows=len(rows),
            booked=len(new),
            unchanged=unchanged,
            rejected=len(problems),
            problems=problems[:PROBLEMS_KEPT],
            created_by=by,
        )
        if new:
            now = bulk.db_literal(timezone.now())
            defaults = bulk.column_defaults(FeeLine, _FEE_COLUMNS)
            tail = (*defaults.values(),)
            with bulk.load_cache():
                bulk.insert_rows(
                    FeeLine._meta.db_table,
                    (*_FEE_COLUMNS, *defaults),
                    # the line as collected, then its import, row, booker and times
                    ((*x[:9], record.pk, x[9] or None, by.pk, now, now, *tail) for x in new),
                )
        _record(
            by,
            "funds.import",
            record,
            county,
            {
                "counts": {
                    "before": None,
                    "after": {
                        "rows": len(rows),
                        "booked": len(new),
                        "unchanged": unchanged,
                        "rejected": len(problems),
                    },
                }
            },
            note=record.file_name,
        )
    return record


COLLECTION_ALIASES: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "纳税人识别号", "社会信用代码", "信用代码"),
    "name": ("单位名称", "纳税人名称", "企业名称"),
    "period": ("所属期", "所属月份", "税款所属期", "费款所属期", "月份"),
    "payroll": ("工资总额", "计费工资总额", "缴费基数", "计征依据"),
    "paid": ("实缴金额", "入库金额", "实缴", "征收金额", "实缴工会经费"),
}


def collection_import(*, county: Org, upload: Any, by: Any) -> CollectionImport:
    """The tax bureau's sheet (XLSX or CSV) through the upload guard, then ``collection_book``."""
    _require(by, "funds.manage", county)
    received = spreadsheets.save_upload(upload, prefix="funds-collection-")
    try:
        sheet = spreadsheets.open_sheet(
            received.path,
            aliases=COLLECTION_ALIASES,
            required=("uscc", "period", "payroll", "paid"),
            file_name=received.name,
        )

        def cell(cells: list[Any], name: str) -> Any:
            index = sheet.columns.get(name)
            return cells[index] if index is not None and index < len(cells) else None

        rows: list[SheetRow] = [
            (
                number,
                spreadsheets.cell_text(cell(cells, "uscc")),
                cell(cells, "period"),
                cell(cells, "payroll"),
                cell(cells, "paid"),
            )
            for number, cells in sheet.rows
        ]
        return collection_book_rows(
            county=county, rows=rows, by=by, file_name=received.name, sha256=received.sha256
        )
    finally:
        uploads.remove(received.path)


def line_reverse(*, line: FeeLine, reason: str, by: Any) -> FeeLine:
    """Correct a booked month: a reversal line with the negative amounts, linked to it (the
    original is never edited); the month can then be booked again."""
    _require(by, "funds.manage", line.county)
    reason = str(reason or "").strip()
    if not reason:
        raise InvalidInput.one("reason", _("请填写冲正原因"))
    with transaction.atomic():
        locked = FeeLine.objects.select_for_update().get(pk=line.pk)
        if locked.reversal_of_id or FeeLine.objects.filter(reversal_of=locked).exists():
            raise Conflict(_("该记录已冲正或本身是冲正记录"))
        reversal = FeeLine.objects.create(
            county_id=locked.county_id,
            enterprise_id=locked.enterprise_id,
            period=locked.period,
            kind=locked.kind,
            payroll=-locked.payroll,
            due=-locked.due,
            paid=-locked.paid,
            grassroots_share=-locked.grassroots_share,
            upper_share=-locked.upper_share,
            reversal_of=locked,
            note=reason[:200],
            booked_by=by,
        )
        _record(by, "funds.reverse", reversal, line.county, _created(reversal), note=reason)
    return reversal


# --- refunds ---------------------------------------------------------------------------------


@dataclass
class Assessment:
    eligible: bool
    amount: Decimal
    lines: list[str]


def latest_size(enterprise: Enterprise, before_year: int) -> EnterpriseSize | None:
    """The size record the round judges by: the latest year not after the round's year."""
    return (
        EnterpriseSize.objects.filter(enterprise=enterprise, year__lte=before_year)
        .order_by("-year")
        .first()
    )


def assess(enterprise: Enterprise, round: RefundRound) -> Assessment:
    """Eligibility under the round's policy, in words: the size class and its reasoning,
    each exclusion, the fees sent up in the round's months, the founding fund once a union
    exists, and the amount."""
    policy = round.policy
    lines: list[str] = [
        _("政策：%(p)s（%(s)s 至 %(e)s）；本批次返还 %(a)s 至 %(b)s 所属期上解的工会经费。")
        % {
            "p": policy.name,
            "s": policy.starts_on,
            "e": policy.ends_on,
            "a": f"{round.period_start:%Y-%m}",
            "b": f"{round.period_end:%Y-%m}",
        }
    ]
    eligible = True
    size = latest_size(enterprise, round.period_start.year)
    if size is None:
        lines.append(_("尚无该单位的规模数据（行业、从业人员、营业收入、资产总额），无法划型。"))
        eligible = False
    else:
        lines.append(_("%(y)s年度数据：%(r)s") % {"y": size.year, "r": size.size_reason})
        if size.size_class not in policy.class_list:
            lines.append(
                _("规模为%(c)s，不在本政策返还范围（小型、微型企业）内。")
                % {"c": size.get_size_class_display()}
            )
            eligible = False
        if policy.exclude_financial and size.financial_tie:
            lines.append(
                _("排除：该单位为%(t)s，本政策不予返还。") % {"t": size.get_financial_tie_display()}
            )
            eligible = False
        if policy.exclude_group_members and size.group_member:
            lines.append(_("排除：该单位属于企业集团，本政策不予返还。"))
            eligible = False
    period = Q(period__gte=round.period_start, period__lte=round.period_end)
    sums = FeeLine.objects.filter(period, enterprise=enterprise).aggregate(
        upper=Sum("upper_share", filter=Q(kind=FeeKind.FEE)),
        founding=Sum("paid", filter=Q(kind=FeeKind.FOUNDING)),
    )
    upper = sums["upper"] or Decimal("0.00")
    founding = sums["founding"] or Decimal("0.00")
    amount = _money(upper * policy.share)
    lines.append(
        _("期内上解工会经费 %(u)s 元，返还比例 %(s)s%%，应返还 %(a)s 元。")
        % {"u": upper, "s": _money(policy.share * 100).normalize(), "a": amount}
    )
    if founding:
        if policy.refund_founding_fund and enterprise.union_id:
            amount += founding
            lines.append(
                _("期内缴纳建会筹备金 %(f)s 元，该单位已建立工会，一并返还。") % {"f": founding}
            )
        else:
            lines.append(
                _("期内缴纳建会筹备金 %(f)s 元，该单位尚未建立工会，建会后返还。") % {"f": founding}
            )
    if amount <= 0:
        lines.append(_("期内没有可返还的金额。"))
        eligible = False
    lines.append(
        _("结论：符合返还条件，返还 %(a)s 元。") % {"a": amount}
        if eligible
        else _("结论：不符合返还条件。")
    )
    return Assessment(
        eligible=eligible, amount=amount if eligible else Decimal("0.00"), lines=lines
    )


def round_assess_all(round: RefundRound, county: Org | None = None) -> dict[int, Assessment]:
    """``assess`` for every enterprise with fees in the round's months (of ``county``'s
    subtree, or all), set-based: one query for the latest size records, one grouped sum of
    the ledger, one for the unions — the figures of a whole round (its forecast, a
    benchmark), the same answers as ``assess`` without its words (``lines`` stays empty)."""
    policy = round.policy
    lines = FeeLine.objects.filter(period__gte=round.period_start, period__lte=round.period_end)
    enterprises = Enterprise.objects.all()
    if county is not None:
        below = subtree_org_ids(county)
        lines = lines.filter(county__in=below)
        enterprises = enterprises.filter(county__in=below)
    sums = {
        row["enterprise_id"]: (row["upper"] or Decimal("0.00"), row["founding"] or Decimal("0"))
        for row in lines.values("enterprise_id")
        .order_by()
        .annotate(
            upper=Sum("upper_share", filter=Q(kind=FeeKind.FEE)),
            founding=Sum("paid", filter=Q(kind=FeeKind.FOUNDING)),
        )
        .iterator(chunk_size=5000)
    }
    unions = set(
        enterprises.filter(union__isnull=False).values_list("id", flat=True).iterator(5000)
    )
    latest: dict[int, tuple[str, str, bool]] = {}
    sizes_qs = EnterpriseSize.objects.filter(year__lte=round.period_start.year)
    if county is not None:
        sizes_qs = sizes_qs.filter(county__in=subtree_org_ids(county))
    for eid, klass, tie, group in (
        sizes_qs.order_by("enterprise_id", "-year")
        .values_list("enterprise_id", "size_class", "financial_tie", "group_member")
        .iterator(chunk_size=5000)
    ):
        latest.setdefault(eid, (klass, tie, group))
    classes = set(policy.class_list)
    out: dict[int, Assessment] = {}
    for eid, (upper, founding) in sums.items():
        size = latest.get(eid)
        eligible = (
            size is not None
            and size[0] in classes
            and not (policy.exclude_financial and size[1])
            and not (policy.exclude_group_members and size[2])
        )
        amount = _money(upper * policy.share)
        if founding and policy.refund_founding_fund and eid in unions:
            amount += founding
        eligible = eligible and amount > 0
        out[eid] = Assessment(
            eligible=eligible, amount=amount if eligible else Decimal("0.00"), lines=[]
        )
    return out


def _may_apply(by: Any, enterprise: Enterprise) -> bool:
    return can(by, "funds.apply", enterprise.county) or bool(
        enterprise.union_id and can(by, "funds.apply", enterprise.union)
    )


def refund_apply(
    *,
    round: RefundRound,
    enterprise: Enterprise,
    bank_name: str,
    bank_account: str,
    by: Any,
    on: date | None = None,
) -> RefundApplication:
    """The enterprise's application in a round (one per round: a second is refused with the
    first's number), assessed at once; the assessment is shown to the applicant."""
    if not getattr(by, "is_authenticated", False) or not _may_apply(by, enterprise):
        if getattr(by, "is_authenticated", False) and role_can(by.role, "funds.apply"):
            raise NotFound()
        raise Forbidden(_("当前角色不能申请经费返还"))
    on = on or timezone.localdate()
    if not round.opens_on <= on <= round.closes_on:
        raise InvalidInput.one(
            "round",
            _("本批次受理期为 %(a)s 至 %(b)s") % {"a": round.opens_on, "b": round.closes_on},
        )
    bank_name = str(bank_name or "").strip()
    if not bank_name or len(bank_name) > 100:
        raise InvalidInput.one("bank_name", _("请填写开户行（不超过100字）"))
    account = payments.normalise_account(bank_account)
    if not account.isdigit() or not 8 <= len(account) <= 32:
        raise InvalidInput.one("bank_account", _("银行账号应为 8 到 32 位数字"))
    with transaction.atomic():
        first = RefundApplication.objects.filter(round=round, enterprise=enterprise).first()
        if first is not None:
            raise Conflict(
                _("该单位本批次已申请：%(n)s（%(s)s）")
                % {"n": first.number, "s": first.get_status_display()}
            )
        result = assess(enterprise, round)
        app = RefundApplication.objects.create(
            round=round,
            enterprise=enterprise,
            county_id=enterprise.county_id,
            applied_on=on,
            bank_name=bank_name,
            bank_account=account,
            eligible=result.eligible,
            amount=result.amount,
            explanation=result.lines,
            applied_by=by,
        )
        _record(by, "funds.apply", app, enterprise.county, _created(app, AUDITED))
    return app


AUDITED = ("status", "eligible", "amount", "refused_reason", "bank_name", "bank_account")


def _step(
    app: RefundApplication, name: str, by: Any, apply: Any = None, note: str = ""
) -> RefundApplication:
    _require(by, "funds.manage", app.county)
    with transaction.atomic():
        locked = (
            RefundApplication.objects.select_for_update(of=("self",))
            .select_related("enterprise", "round__policy", "county")
            .get(pk=app.pk)
        )
        if locked.status == WORKFLOW.get(name).target:
            return locked  # the same step twice: nothing more to do
        WORKFLOW.check(locked.status, name, by.role)
        before = audit.snapshot(locked, AUDITED)
        locked.status = WORKFLOW.get(name).target
        fields = ["status", "updated_at"]
        if apply is not None:
            fields += apply(locked)
        locked.save(update_fields=fields)
        _record(
            by,
            f"funds.{name}",
            locked,
            locked.county,
            audit.diff(before, audit.snapshot(locked, AUDITED)),
            note=note,
        )
    return locked


def refund_check(app: RefundApplication, *, by: Any) -> RefundApplication:
    """Reviewed: the assessment is computed again on today's ledger and stored."""

    def apply(locked: RefundApplication) -> list[str]:
        result = assess(locked.enterprise, locked.round)
        locked.eligible, locked.amount, locked.explanation = (
            result.eligible,
            result.amount,
            result.lines,
        )
        return ["eligible", "amount", "explanation"]

    return _step(app, "check", by, apply)


def refund_approve(app: RefundApplication, *, by: Any, on: date | None = None) -> RefundApplication:
    def apply(locked: RefundApplication) -> list[str]:
        if not locked.eligible:
            raise Conflict(_("该单位不符合返还条件，请作出不予返还的决定并说明理由"))
        locked.decided_by = by
        locked.decided_on = on or timezone.localdate()
        return ["decided_by", "decided_on"]

    return _step(app, "approve", by, apply)


def refund_refuse(
    app: RefundApplication, *, reason: str, by: Any, on: date | None = None
) -> RefundApplication:
    reason = str(reason or "").strip()
    if not reason or len(reason) > 200:
        raise InvalidInput.one("reason", _("请填写不予返还的理由（不超过200字）"))

    def apply(locked: RefundApplication) -> list[str]:
        locked.refused_reason = reason
        locked.decided_by = by
        locked.decided_on = on or timezone.localdate()
        return ["refused_reason", "decided_by", "decided_on"]

    return _step(app, "refuse", by, apply, note=reason)


def refund_pay(*, county: Org, round: RefundRound, by: Any) -> Any:
    """The county's approved refunds of a round not yet in a batch, as one payment batch of
    the shared payment machinery (source ``funds``); the batch is then submitted, approved,
    exported and confirmed there. Nothing to pay: ``InvalidInput`` on ``round``."""
    _require(by, "funds.manage", county)
    with transaction.atomic():
        apps = list(
            RefundApplication.objects.select_for_update()
            .filter(
                round=round,
                county=county,
                status=ApplicationStatus.APPROVED,
                payment_batch__isnull=True,
            )
            .select_related("enterprise")
            .order_by("id")
        )
        if not apps:
            raise InvalidInput.one("round", _("本批次没有待支付的已批准申请"))
        batch = payments.create_batch(
            org=county,
            source="funds",
            purpose=_("工会经费返还"),
            title=f"{round.name}小微企业工会经费返还（{county.short_name or county.name}）"[:150],
            by=by,
        )
        # every refund in one call: the same checks as one by one, one look-up of paid
        # lines, one insert and one audit row for the batch
        added = payments.add_lines(
            batch,
            [
                payments.LineIn(
                    reference=app.reference,
                    amount=app.amount,
                    payee_name=app.enterprise.name,
                    bank_name=app.bank_name,
                    bank_account=app.bank_account,
                )
                for app in apps
            ],
            by=by,
            note=batch.title,
        )
        if added.refused:
            index, field_name, reason = added.refused[0]
            raise InvalidInput.one(field_name, f"{apps[index].number}：{reason}")
        RefundApplication.objects.filter(pk__in=[a.pk for a in apps]).update(
            payment_batch=batch, updated_at=timezone.now()
        )
    return batch


REFERENCE = re.compile(r"^funds\.refund:(\d+)$")


def settle(batch: Any, by: Any) -> int:
    """Mark paid the refunds whose payment line of ``batch`` the bank confirmed (called by the
    payment machinery in the confirmation's transaction). Set-based; returns how many."""
    paid = {
        int(m.group(1)): line.paid_on
        for line in batch.lines.filter(status="paid").exclude(kind="reversal")
        if (m := REFERENCE.match(line.reference))
    }
    if not paid:
        return 0
    apps = list(
        RefundApplication.objects.filter(
            pk__in=paid, status=ApplicationStatus.APPROVED
        ).select_related("county")
    )
    for app in apps:
        app.status = ApplicationStatus.PAID
        app.paid_on = paid[app.pk]
    RefundApplication.objects.bulk_update(apps, ["status", "paid_on"], batch_size=1000)
    for app in apps:
        _record(
            by,
            "funds.pay",
            app,
            app.county,
            {"status": {"before": "approved", "after": "paid"}},
            note=str(batch),
        )
    return len(apps)


# --- the policy as data (admin) --------------------------------------------------------------


def policy_create(
    *,
    by: Any,
    name: str,
    starts_on: date,
    ends_on: date,
    basis: str = "",
    classes: str = "small,micro",
    share: Decimal = Decimal("1.000"),
    exclude_financial: bool = True,
    exclude_group_members: bool = False,
    refund_founding_fund: bool = True,
) -> RefundPolicy:
    """A refund policy: another period, another share, other classes — no code."""
    if not getattr(by, "is_authenticated", False) or by.role != "admin":
        raise Forbidden(_("只有系统管理员可以设置返还政策"))
    name = str(name or "").strip()
    if not name:
        raise InvalidInput.one("name", _("请填写政策名称"))
    if ends_on < starts_on:
        raise InvalidInput.one("ends_on", _("截止日期不能早于起始日期"))
    wanted = [c.strip() for c in str(classes).split(",") if c.strip()]
    if not wanted or any(c not in ("large", "medium", "small", "micro") for c in wanted):
        raise InvalidInput.one("classes", _("规模应为 large、medium、small、micro 中的一个或几个"))
    if not Decimal("0") < Decimal(share) <= Decimal("1"):
        raise InvalidInput.one("share", _("返还比例应大于0且不超过1"))
    with transaction.atomic():
        if RefundPolicy.objects.filter(name=name).exists():
            raise Conflict(_("已有同名的返还政策"))
        policy = RefundPolicy.objects.create(
            name=name,
            basis=str(basis or "").strip()[:200],
            starts_on=starts_on,
            ends_on=ends_on,
            classes=",".join(wanted),
            share=share,
            exclude_financial=exclude_financial,
            exclude_group_members=exclude_group_members,
            refund_founding_fund=refund_founding_fund,
        )
        _record(by, "funds.policy", policy, None, _created(policy))
    return policy


def round_create(
    *,
    policy: RefundPolicy,
    by: Any,
    name: str,
    period_start: date,
    period_end: date,
    opens_on: date,
    closes_on: date,
) -> RefundRound:
    if not getattr(by, "is_authenticated", False) or by.role != "admin":
        raise Forbidden(_("只有系统管理员可以设置申报批次"))
    name = str(name or "").strip()
    if not name:
        raise InvalidInput.one("name", _("请填写批次名称"))
    if period_end < period_start:
        raise InvalidInput.one("period_end", _("所属期止不能早于所属期起"))
    if period_start < policy.starts_on or period_end > policy.ends_on:
        raise InvalidInput.one("period_start", _("所属期应在政策期限之内"))
    if closes_on < opens_on:
        raise InvalidInput.one("closes_on", _("受理截止不能早于受理开始"))
    with transaction.atomic():
        if RefundRound.objects.filter(policy=policy, name=name).exists():
            raise Conflict(_("该政策已有同名的申报批次"))
        item = RefundRound.objects.create(
            policy=policy,
            name=name,
            period_start=period_start.replace(day=1),
            period_end=period_end.replace(day=1),
            opens_on=opens_on,
            closes_on=closes_on,
        )
        _record(by, "funds.policy", item, None, _created(item))
    return item
