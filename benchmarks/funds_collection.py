"""Benchmark: a year of the tax bureau's monthly collection sheets for 200,000 enterprises
(2.4 million fee lines) imported and booked, then a refund round computed for all of them —
on SQLite and PostgreSQL, each beside its baseline in the same run.

Data (``setup``): the Heze demo tree and accounts, ``--enterprises`` enterprises (default
200,000) spread over the counties with valid credit codes, 70 % with a grassroots union
(the rest pay the founding fund), each with its 2019 size record classified by the 2011
standard (sizes drawn so that most are small or micro), the 2020–2021 refund policy and its
2020 first-half round; then twelve CSV sheets ``2020-01`` … ``2020-12`` as the tax bureau
writes them (credit code, name, month, payroll, amount paid), 0.5 % of their rows bad
(a broken credit code, an unreadable month, a negative amount).

Measured, each step in its own process (so its peak memory is its own), on one database:

1. **floor**: the twelve files read with ``csv.reader`` and inserted with no checks — each
   credit code looked up in one dictionary, the 2 % and the 60/40 split computed, nothing
   validated — through ``core.bulk.insert_rows`` (``executemany`` / ``COPY``), in one
   transaction rolled back afterwards: what moving the rows costs at least.
2. **import**: ``funds.services.collection_import`` on each file, exactly what the import
   page runs (upload guard, header detection, every row checked, matched by credit code,
   duplicates and already-booked months looked up, booked with its audit row).
3. **re-import**: the January file again: every row already booked, nothing written.
4. **round**: ``round_assess_all`` (set-based) for every enterprise, beside the baseline of
   ``assess`` one enterprise at a time (what answering each application costs), measured on
   ``--sample`` enterprises and extrapolated.

5. **sizes**: the enterprises' size-class sheet (``funds.sizesheet.size_import``) for every
   enterprise: a new year (every row inserted), then the same year with one row in five
   changed (updated), 0.5 % of the rows bad.

Printed: wall and CPU seconds (the measuring process's: all of SQLite's work, the client
side of PostgreSQL's), peak RSS, rows booked / rejected / unchanged, lines per CPU second.

Usage::

    python benchmarks/funds_collection.py [--enterprises 200000] [--months 12]
        [--postgres postgres://postgres@127.0.0.1:5432/bench_funds] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import common  # benchmarks/common.py: run as a script, its folder is on sys.path

ROOT = Path(__file__).resolve().parent.parent
FIELD_KEY = "ZnVuZHMtYmVuY2htYXJrLWtleS0zMi1ieXRlcyEhISE="  # 32 bytes, base64: benchmark only
BAD_SHARE = 0.005
SIZE_HEADER = ["统一社会信用代码", "单位名称", "数据年度", "行业代码", "从业人员",
               "营业收入（万元）", "资产总额（万元）", "金融类关联", "属于企业集团"]  # fmt: skip


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    import django

    django.setup()


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _cadre() -> Any:
    from gonghui.accounts.models import User
    from gonghui.orgs.models import Org

    city = Org.objects.get(code="371700")
    user, _ = User.objects.get_or_create(
        username="bench_funds", defaults={"role": "cadre", "org": city, "full_name": "财务"}
    )
    return user


def _sheet_path(work: Path, month: int) -> Path:
    return work / f"征收数据-2020-{month:02d}.csv"


def step_setup(args: argparse.Namespace) -> dict[str, Any]:
    import io

    from django.core.management import call_command
    from django.db import transaction

    _django()
    call_command("migrate", verbosity=0)
    from gonghui.accounts.models import User
    from gonghui.core import bulk
    from gonghui.core.identifiers import uscc_with_check
    from gonghui.demo import loaders
    from gonghui.funds import services, sizes
    from gonghui.funds.models import EnterpriseSize
    from gonghui.orgs.models import Enterprise, Org

    started = time.perf_counter()
    loaders.run_all(io.StringIO(), only=("orgs", "accounts"))
    cadre = _cadre()
    admin = User.objects.filter(role="admin").first() or User.objects.create(
        username="bench_admin", role="admin", org=cadre.org
    )
    counties = list(Org.objects.filter(kind="county").values_list("id", "path", "region_code"))
    unions = list(Org.objects.filter(kind="grassroots").values_list("id", "path"))
    tree = {cid: [u for u, p in unions if p.startswith(path)] for cid, path, _ in counties}
    region = {cid: (code or "371700")[:6] for cid, _, code in counties}
    rng = random.Random(15)
    plan: list[tuple[str, str, int, int | None]] = []
    for n in range(args.enterprises):
        cid = counties[n % len(counties)][0]
        union = rng.choice(tree[cid]) if tree[cid] and rng.random() < 0.7 else None
        plan.append(
            (uscc_with_check(f"91{region[cid]}{n:09d}"), f"菏泽基准{n}号有限公司", cid, union)
        )
    columns = ["uscc", "name", "county_id", "union_id", "created_at", "updated_at"]
    defaults = bulk.column_defaults(Enterprise, columns)
    now = bulk.db_literal(Enterprise._meta.get_field("created_at").get_default())
    with transaction.atomic():
        bulk.insert_rows(
            Enterprise._meta.db_table,
            columns + list(defaults),
            ((u, name, c, un, now, now, *defaults.values()) for u, name, c, un in plan),
        )
    ids = dict(Enterprise.objects.values_list("uscc", "id"))
    rules = services.size_rules()
    rule, _ = sizes.rule_for("C13", rules)
    assert rule is not None
    size_cols = ["enterprise_id", "county_id", "year", "industry_code", "employees", "revenue",
                 "assets", "financial_tie", "group_member", "size_class", "size_reason",
                 "recorded_by_id", "created_at", "updated_at"]  # fmt: skip
    size_defaults = bulk.column_defaults(EnterpriseSize, size_cols)

    def size_rows() -> Any:
        for uscc, _name, cid, _union in plan:
            employees = rng.choice((5, 12, 30, 80, 150, 450))
            revenue = Decimal(rng.choice((50, 250, 900, 3000, 50000)))
            c = sizes.classify(rule, employees=employees, revenue=revenue, assets=Decimal(0))
            yield (ids[uscc], cid, 2019, "C13", employees, revenue, Decimal("0.00"), "",
                   False, c.size_class, c.reason, cadre.pk, now, now,
                   *size_defaults.values())  # fmt: skip

    with transaction.atomic():
        bulk.insert_rows(
            EnterpriseSize._meta.db_table, size_cols + list(size_defaults), size_rows()
        )
    from datetime import date

    policy = services.policy_create(
        by=admin, name="2020—2021年小微企业工会经费全额返还", starts_on=date(2020, 1, 1),
        ends_on=date(2021, 12, 31),
    )  # fmt: skip
    services.round_create(
        policy=policy, by=admin, name="2020年上半年", period_start=date(2020, 1, 1),
        period_end=date(2020, 6, 1), opens_on=date(2020, 7, 1), closes_on=date(2020, 7, 31),
    )  # fmt: skip
    for model in (Org, Enterprise, EnterpriseSize):
        bulk.analyze(model)
    payroll = {uscc: rng.randrange(20_000, 2_000_000) for uscc, *_ in plan}
    bad = 0
    for month in range(1, args.months + 1):
        with _sheet_path(args.work, month).open("w", newline="", encoding="utf-8-sig") as f:
            out = csv.writer(f)
            out.writerow(["统一社会信用代码", "纳税人名称", "所属期", "工资总额", "实缴金额"])
            for uscc, name, _cid, _union in plan:
                base = payroll[uscc]
                row = [uscc, name, f"2020-{month:02d}", f"{base}.00", f"{base * 2 // 100}.00"]
                if rng.random() < BAD_SHARE:
                    bad += 1
                    which = rng.randrange(3)
                    row[(0, 2, 4)[which]] = ("91X", "2020年13月", "-5")[which]
                out.writerow(row)
    # the size sheets: every enterprise's 2020 figures (a new year: inserted), then the same
    # sheet with one row in five changed (those updated, the rest unchanged)
    for path, changed in ((_size_path(args.work, 0), 0.0), (_size_path(args.work, 1), 0.2)):
        pick = random.Random(16)
        with path.open("w", newline="", encoding="utf-8-sig") as f:
            out = csv.writer(f)
            out.writerow(SIZE_HEADER)
            for n, (uscc, name, _cid, _union) in enumerate(plan):
                employees = 5 + n % 400 + (1 if pick.random() < changed else 0)
                row = [uscc, name, "2020", "C13", str(employees), str(50 + n % 5000), "0", "无",
                       "否"]  # fmt: skip
                if pick.random() < BAD_SHARE:
                    which = pick.randrange(3)
                    row[(0, 4, 5)[which]] = ("91X", "-3", "很多")[which]
                out.writerow(row)
    return {
        "setup_s": round(time.perf_counter() - started, 1),
        "enterprises": Enterprise.objects.count(),
        "sizes": EnterpriseSize.objects.count(),
        "lines_in_sheets": args.enterprises * args.months,
        "bad_rows": bad,
    }


def _size_path(work: Path, n: int) -> Path:
    return work / f"规模数据-2020-{n}.csv"


def step_sizes(args: argparse.Namespace) -> dict[str, Any]:
    """The size-class sheet of every enterprise (``sizesheet.size_import``, what the page
    runs): first a new year (every row inserted), then the same year with one row in five
    changed (updated in one statement, the rest unchanged)."""
    _django()
    from django.core.files import File

    from gonghui.funds import sizesheet
    from gonghui.orgs.models import Org

    user, city = _cadre(), Org.objects.get(code="371700")
    out: dict[str, Any] = {}
    for n, label in ((0, "new"), (1, "changed")):
        path = _size_path(args.work, n)
        cpu, wall = time.process_time(), time.perf_counter()
        with path.open("rb") as f:
            record = sizesheet.size_import(county=city, upload=File(f, name=path.name), by=user)
        out[label] = {
            "seconds": round(time.perf_counter() - wall, 1),
            "cpu": round(time.process_time() - cpu, 1),
            "rows": record.rows, "saved": record.saved, "unchanged": record.unchanged,
            "rejected": record.rejected,
        }  # fmt: skip
    out["rss_mb"] = _rss_mb()
    return out


def step_floor(args: argparse.Namespace) -> dict[str, Any]:
    _django()
    from django.db import transaction

    from gonghui.core import bulk
    from gonghui.funds.models import FeeLine
    from gonghui.orgs.models import Enterprise

    user = _cadre()
    cpu, wall = time.process_time(), time.perf_counter()
    known = {u: (i, c, un) for u, i, c, un in Enterprise.objects.values_list(
        "uscc", "id", "county_id", "union_id")}  # fmt: skip
    columns = ["county_id", "enterprise_id", "period", "kind", "payroll", "due", "paid",
               "grassroots_share", "upper_share", "booked_by_id", "note", "created_at",
               "updated_at"]  # fmt: skip
    defaults = bulk.column_defaults(FeeLine, columns)
    now = bulk.db_literal(FeeLine._meta.get_field("created_at").get_default())
    inserted = 0

    def rows() -> Any:
        nonlocal inserted
        for month in range(1, args.months + 1):
            with _sheet_path(args.work, month).open(encoding="utf-8-sig", newline="") as f:
                reader = csv.reader(f)
                next(reader)
                for uscc, _name, period, payroll, paid in reader:
                    hit = known.get(uscc)
                    if hit is None or paid.startswith("-") or "月" in period:
                        continue
                    amount = Decimal(paid)
                    keep = (amount * Decimal("0.6")).quantize(Decimal("0.01"))
                    inserted += 1
                    yield (hit[1], hit[0], f"{period}-01", "fee" if hit[2] else "founding",
                           payroll, (Decimal(payroll) * Decimal("0.02")).quantize(Decimal("0.01")),
                           paid, keep, amount - keep, user.pk, "", now, now,
                           *defaults.values())  # fmt: skip

    with transaction.atomic():
        bulk.insert_rows(FeeLine._meta.db_table, columns + list(defaults), rows())
        transaction.set_rollback(True)  # the import that follows starts from the same database
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"seconds": round(wall, 1), "cpu": round(cpu, 1), "rows": inserted, "rss_mb": _rss_mb()}


def _import(args: argparse.Namespace, months: list[int]) -> dict[str, Any]:
    _django()
    from django.core.files import File

    from gonghui.funds import services
    from gonghui.orgs.models import Org

    user, city = _cadre(), Org.objects.get(code="371700")
    cpu, wall = time.process_time(), time.perf_counter()
    totals = {"rows": 0, "booked": 0, "unchanged": 0, "rejected": 0}
    per_month: list[float] = []
    for month in months:
        path = _sheet_path(args.work, month)
        started = time.process_time()
        with path.open("rb") as f:
            record = services.collection_import(
                county=city, upload=File(f, name=path.name), by=user
            )
        per_month.append(round(time.process_time() - started, 1))
        for key in totals:
            totals[key] += getattr(record, key)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "seconds": round(wall, 1), "cpu": round(cpu, 1), "rss_mb": _rss_mb(),
        "cpu_per_month": per_month, **totals,
    }  # fmt: skip


def step_import(args: argparse.Namespace) -> dict[str, Any]:
    return _import(args, list(range(1, args.months + 1)))


def step_reimport(args: argparse.Namespace) -> dict[str, Any]:
    return _import(args, [1])


def step_round(args: argparse.Namespace) -> dict[str, Any]:
    _django()
    from gonghui.funds import services
    from gonghui.funds.models import RefundRound
    from gonghui.orgs.models import Enterprise

    rnd = RefundRound.objects.select_related("policy").get()
    cpu, wall = time.process_time(), time.perf_counter()
    whole = services.round_assess_all(rnd)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    eligible = [a for a in whole.values() if a.eligible]
    picked = random.Random(15).sample(sorted(whole), min(args.sample, len(whole)))
    sample = list(Enterprise.objects.filter(pk__in=picked).select_related("union"))
    one_cpu, one_wall = time.process_time(), time.perf_counter()
    mismatches = 0
    for e in sample:
        single = services.assess(e, rnd)
        got = whole.get(e.pk)
        if got is None or (got.eligible, got.amount) != (single.eligible, single.amount):
            mismatches += 1
    one_cpu, one_wall = time.process_time() - one_cpu, time.perf_counter() - one_wall
    scale = len(whole) / max(1, len(sample))
    return {
        "enterprises": len(whole),
        "eligible": len(eligible),
        "amount": str(sum((a.amount for a in eligible), Decimal("0.00"))),
        "seconds": round(wall, 1), "cpu": round(cpu, 1), "rss_mb": _rss_mb(),
        "baseline_sample": len(sample), "baseline_mismatches": mismatches,
        "baseline_seconds_all": round(one_wall * scale, 1),
        "baseline_cpu_all": round(one_cpu * scale, 1),
    }  # fmt: skip


STEPS = {
    "setup": step_setup,
    "floor": step_floor,
    "import": step_import,
    "reimport": step_reimport,
    "round": step_round,
    "sizes": step_sizes,
}


def bench(label: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    if label == "sqlite" and args.no_sqlite:
        return {}
    env = common.child_env(label, work, field_key=FIELD_KEY, postgres=args.postgres)
    options = ["--enterprises", str(args.enterprises), "--months", str(args.months),
               "--sample", str(args.sample), "--work", str(work / label)]  # fmt: skip
    out: dict[str, Any] = {}
    for step in STEPS:
        print(f"[{label}] {step} …", file=sys.stderr, flush=True)
        out[step] = common.run_step(__file__, step, env, options)
        print(f"[{label}] {step}: {out[step]}", file=sys.stderr, flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=200_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--sample", type=int, default=1000, help="enterprises assessed one by one")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/bench_funds")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--child", choices=sorted(STEPS))
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    results = common.run(args, STEPS, bench, name="funds")
    if not results:
        return
    print(f"load average {os.getloadavg()[0]:.1f}")
    for label, r in results.items():
        if not r:
            continue
        imp, floor = r["import"], r["floor"]
        print(
            f"\n{label}: {r['setup']['enterprises']:,} enterprises, "
            f"{r['setup']['lines_in_sheets']:,} sheet rows ({r['setup']['bad_rows']:,} bad)"
        )
        print(
            f"  floor   {floor['seconds']:>8.1f} s  CPU {floor['cpu']:>7.1f} s  "
            f"{floor['rows']:,} rows  peak {floor['rss_mb']} MB"
        )
        print(
            f"  import  {imp['seconds']:>8.1f} s  CPU {imp['cpu']:>7.1f} s  booked "
            f"{imp['booked']:,} rejected {imp['rejected']:,}  peak {imp['rss_mb']} MB  "
            f"CPU/floor {imp['cpu'] / max(floor['cpu'], 0.01):.2f}×"
        )
        re = r["reimport"]
        print(
            f"  re-import one month {re['seconds']:.1f} s  CPU {re['cpu']:.1f} s  "
            f"unchanged {re['unchanged']:,} booked {re['booked']}  peak {re['rss_mb']} MB"
        )
        per = imp["cpu_per_month"]
        print(
            f"  CPU a month: first {per[0]:.1f} s, last {per[-1]:.1f} s "
            f"(min {min(per):.1f}, max {max(per):.1f}): {per}"
        )
        rd = r["round"]
        print(
            f"  round   {rd['seconds']:>8.1f} s  CPU {rd['cpu']:>7.1f} s  {rd['enterprises']:,} "
            f"assessed, {rd['eligible']:,} eligible, {rd['amount']} 元  peak {rd['rss_mb']} MB"
        )
        print(
            f"  baseline: assess one by one, {rd['baseline_sample']} measured → all "
            f"{rd['baseline_seconds_all']:.1f} s (CPU {rd['baseline_cpu_all']:.1f} s); "
            f"mismatches {rd['baseline_mismatches']}"
        )
        sz = r["sizes"]
        for label in ("new", "changed"):
            x = sz[label]
            print(
                f"  size sheet ({label}) {x['seconds']:.1f} s  CPU {x['cpu']:.1f} s  "
                f"{x['rows']:,} rows: saved {x['saved']:,}, unchanged {x['unchanged']:,}, "
                f"rejected {x['rejected']:,}"
            )
        print(f"  size sheets: peak {sz['rss_mb']} MB")


if __name__ == "__main__":
    main()
