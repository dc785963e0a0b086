"""Benchmark: the city's full work report at production size, on SQLite and PostgreSQL.

Data: the Heze demo tree (about 400 unions) and ``--members`` members (default 1,000,000)
spread over its grassroots unions, join dates 2000-01-01..2020-09-19, 3% withdrawn since, and
``--events`` transfer-in events (default 100,000), written with raw bulk inserts (encrypted
columns hold placeholders: the report never reads them), and ``--tickets`` hotline work orders
(default 100,000, received 2019–2020: the generator of ``benchmarks/hotline.py``, imported).
Whatever other modules are installed report their figures too, on whatever rows they have.

Measured, each in a fresh process per database:
- the full report of 371700 for 2020-01-01..2020-09-19: every figure, the same period of
  last year, and the breakdown by county (what the report page and the XLSX's first two
  sheets compute) — seconds and queries, cold (first run) and warm (best of 3), against the
  ≤ 1 s target (with the load average and the CPU seconds of the measuring process);
- each figure's drill-down first page as the records API answers it (the figure, its first
  50 records and their count; best of 5), the slowest of them against the ≤ 100 ms target;
- the dashboard's month-by-month trend, for information.

Usage::

    python benchmarks/report.py [--members 1000000] [--events 100000] [--tickets 100000]
        [--postgres postgres://postgres@127.0.0.1:5432/bench_report] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import common  # benchmarks/common.py: run as a script, its folder is on sys.path
import hotline  # benchmarks/hotline.py: its work-order generator

ROOT = Path(__file__).resolve().parent.parent
START, END = date(2020, 1, 1), date(2020, 9, 19)
FIELD_KEY = "cmVwb3J0LWJlbmNobWFyay1rZXktMzItYnl0ZXMhISE="


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    import django

    django.setup()


def step_setup(args: argparse.Namespace) -> dict[str, Any]:
    import io

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    _django()
    call_command("migrate", verbosity=0)
    from gonghui.core import bulk, crypto
    from gonghui.demo import loaders
    from gonghui.members.models import Member, MembershipEvent
    from gonghui.orgs.models import Org

    if args.tickets:  # the hotline's generator loads the tree (and its accounts) itself
        tickets = hotline.step_setup(argparse.Namespace(tickets=args.tickets))
    else:
        loaders.run_all(io.StringIO(), only=("orgs",))
        tickets = {"tickets": 0, "load_s": 0}
    unions = list(Org.objects.filter(kind="grassroots").values_list("id", flat=True))
    rng = random.Random(11)
    started = time.perf_counter()
    now = bulk.db_literal(timezone.now())
    first = date(2000, 1, 1)
    span = (END - first).days
    columns = ["name", "sex", "id_number", "id_number_bidx", "id_tail", "birth_date", "phone",
               "phone_bidx", "phone_tail", "joined_on", "org_id", "status", "status_since",
               "created_at", "updated_at"]  # fmt: skip
    defaults = bulk.column_defaults(Member, columns)
    columns += list(defaults)
    tail = tuple(defaults.values())
    secret = crypto.encrypt("x")  # one real ciphertext: the drill-down decrypts what it loads

    def members() -> Any:
        for n in range(args.members):
            joined = first + timedelta(days=rng.randrange(span))
            gone = rng.random() < 0.03
            since = joined + timedelta(days=rng.randrange(1, 900)) if gone else joined
            status = "withdrawn" if gone else "active"
            yield ("会员", "男", secret, f"b{n}", f"{n % 10000:04d}", "1980-01-01", secret,
                   f"p{n}", f"{n % 10000:04d}", joined.isoformat(), rng.choice(unions),
                   status, since.isoformat(), now, now, *tail)  # fmt: skip

    with (
        transaction.atomic(),
        bulk.deferred_indexes(Member._meta.db_table, enabled=True),
    ):
        bulk.insert_rows(Member._meta.db_table, columns, members())
    low = Member.objects.order_by("id").values_list("id", flat=True)[:1][0]
    high = Member.objects.order_by("-id").values_list("id", flat=True)[:1][0]
    ev_columns = ["member_id", "org_id", "kind", "on", "at"]
    ev_defaults = bulk.column_defaults(MembershipEvent, ev_columns)
    ev_columns += list(ev_defaults)
    ev_tail = tuple(ev_defaults.values())

    def events() -> Any:
        for _ in range(args.events):
            on = first + timedelta(days=rng.randrange(span))
            yield (rng.randint(low, high), rng.choice(unions), "transfer_in", on.isoformat(),
                   now, *ev_tail)  # fmt: skip

    with transaction.atomic():
        bulk.insert_rows(MembershipEvent._meta.db_table, ev_columns, events())
    bulk.analyze(Member)
    bulk.analyze(MembershipEvent)
    return {
        "load_s": round(time.perf_counter() - started + tickets["load_s"], 1),
        "tickets": tickets["tickets"],
        "members": Member.objects.count(),
        "events": MembershipEvent.objects.count(),
        "orgs": Org.objects.count(),
    }


def _timed(fn: Any) -> tuple[float, int, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        out = fn()
        elapsed = time.perf_counter() - started
    return elapsed, len(ctx.captured_queries), out


def step_measure(_args: argparse.Namespace) -> dict[str, Any]:
    load = os.getloadavg()
    _django()
    from gonghui.core import metrics
    from gonghui.orgs.models import Org
    from gonghui.reports import selectors

    city = Org.objects.get(code="371700")

    def full_report() -> Any:  # what the report page computes
        return selectors.report_page(org=city, start=START, end=END)

    cold_s, cold_q, (report, _split) = _timed(full_report)
    cpu = time.process_time()
    warm = [_timed(full_report) for _ in range(3)]
    cpu_s = (time.process_time() - cpu) / 3  # this process's CPU (SQLite's queries run in it)
    warm_s, warm_q = min(w[0] for w in warm), warm[0][1]
    drill: dict[str, Any] = {}
    for metric in metrics.all_metrics():

        def first_page(metric: Any = metric) -> Any:  # what the records API answers
            page = selectors.figure_page(metric, city, START, END, 0, 50)
            return [selectors.record_row(metric, o) for o in page.items], page.count

        _timed(first_page)
        best = min((_timed(first_page) for _ in range(5)), key=lambda t: t[0])
        drill[metric.key] = {"s": round(best[0], 4), "queries": best[1]}
    trend_s, trend_q, _ = _timed(lambda: selectors.trend(org=city, start=START, end=END))
    return {
        "figures": {f.key: str(f.value) for f in report.figures},
        "report_cold_s": round(cold_s, 3),
        "report_warm_s": round(warm_s, 3),
        "report_queries": warm_q,
        "report_cold_queries": cold_q,
        "report_cpu_s": round(cpu_s, 3),
        "load": [round(x, 1) for x in (*load, *os.getloadavg())],
        "drill": drill,
        "trend_s": round(trend_s, 3),
        "trend_queries": trend_q,
    }


def run_step(step: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    sizes = ["--members", str(args.members), "--events", str(args.events)]
    return common.run_step(__file__, step, env, [*sizes, "--tickets", str(args.tickets)])


def bench(label: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    env = common.child_env(label, work, field_key=FIELD_KEY, postgres=args.postgres)
    print(f"[{label}] loading …", file=sys.stderr, flush=True)
    setup = run_step("setup", env, args)
    print(f"[{label}] measuring …", file=sys.stderr, flush=True)
    return {"setup": setup, **run_step("measure", env, args)}


def print_results(results: dict[str, dict[str, Any]]) -> None:
    print(f"\nCity work report, 371700, {START}..{END} (target: full report ≤ 1 s, "
          "drill-down first page ≤ 100 ms)")  # fmt: skip
    for label, r in results.items():
        s = r["setup"]
        print(f"\n[{label}] {s['members']:,} members, {s['events']:,} transfer events, "
              f"{s['tickets']:,} work orders, {s['orgs']} orgs "
              f"(loaded in {s['load_s']} s)")  # fmt: skip
        ok = "OK" if r["report_warm_s"] <= 1 else "OVER"
        print(f"  load average {r['load'][:3]} before measuring, {r['load'][3:]} after")
        print(f"  full report (figures + last year + by county): cold {r['report_cold_s']} s "
              f"/ {r['report_cold_queries']} queries; warm {r['report_warm_s']} s / "
              f"{r['report_queries']} queries, {r['report_cpu_s']} s CPU in the app "
              f"process  [{ok}]")  # fmt: skip
        slow_key = max(r["drill"], key=lambda k: r["drill"][k]["s"])
        slow = r["drill"][slow_key]
        ok = "OK" if slow["s"] <= 0.1 else "OVER"
        print(f"  drill-down first page, slowest: {slow_key} {slow['s'] * 1000:.1f} ms / "
              f"{slow['queries']} queries  [{ok}]")  # fmt: skip
        for key, d in r["drill"].items():
            print(f"    {key:45} {d['s'] * 1000:7.1f} ms  {d['queries']} queries")
        print(
            f"  month-by-month trend (dashboard): {r['trend_s']} s / {r['trend_queries']} queries"
        )
        print("  figures: " + ", ".join(f"{k}={v}" for k, v in r["figures"].items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/bench_report")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    steps = {"setup": step_setup, "measure": step_measure}
    results = common.run(args, steps, bench, name="report")
    if results:
        print_results(results)


if __name__ == "__main__":
    main()
