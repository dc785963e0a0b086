"""Benchmark: the 12351 hotline at 100,000 work orders, on SQLite and PostgreSQL.

Data: the Heze demo tree and demo accounts, then ``--tickets`` work orders (default 100,000)
received 2019-01-01..2020-12-31 by the city's hotline (90 %) or a county federation,
dispatched to a county and on to one of its grassroots unions, spread over categories,
topics, statuses (about 80 % closed), yellow/red cards, satisfaction and wages recovered;
each with its path rows (receiving org, handler county, handler union) and two or three
timeline events. Written with raw bulk inserts; caller name, phone and content hold real
ciphertext (the list decrypts the caller's name), the phone its real blind index.

Measured, in a fresh process per database, with Django's test ``Client`` (a session login)
as the city's hotline operator and as a county cadre (牡丹区), ``--reps`` requests each after
one warm-up: the queue page ``/hotline/`` (first page, the "to do" tab) and its "open" tab,
the list API with ``limit=50`` and ``limit=500`` (their query counts must be equal), with
a status, an overdue and an org filter, and as the provincial platform's poll for changes
(``changed_since``); the statistics API and the statistics page for 2020-01-01..2020-09-19
— p50 / p95 / max, the measuring process's CPU time per request
(p50: all of SQLite's work, only the client side of PostgreSQL's — wall time on a shared
machine includes waiting for a core) and the queries per request, against the
PRODUCT.md targets (list pages and list APIs: a fixed number of queries whatever the page
size, p95 ≤ 100 ms). Then, once each and without a target, the city operator's export of
every order as XLSX and as CSV: seconds, size, queries and the growth of peak memory.

Usage::

    python benchmarks/hotline.py [--tickets 100000] [--reps 50]
        [--postgres postgres://postgres@127.0.0.1:5432/bench_hotline] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import common  # benchmarks/common.py: run as a script, its folder is on sys.path

ROOT = Path(__file__).resolve().parent.parent
FIRST, LAST = date(2019, 1, 1), date(2020, 12, 31)
FIELD_KEY = "aG90bGluZS1iZW5jaG1hcmsta2V5LTMyLWJ5dGVzISE="  # 32 bytes, base64: benchmark only
TZ = ZoneInfo("Asia/Shanghai")
PERIOD = "from=2020-01-01&to=2020-09-19"
SINCE = "2020-12-01T00:00:00%2B08:00"  # the provincial platform's poll for results
USERS = {"operator": ("city operator", "371700"), "cadre_mudan": ("county cadre", "371702")}
# (label, path, target p95 in ms or None, a list whose query count must not depend on size)
REQUESTS: list[tuple[str, str, float | None]] = [
    ("queue page /hotline/", "/hotline/", 100),
    ("list API limit=50", "/api/v1/hotline/tickets?limit=50", 100),
    ("list API limit=500", "/api/v1/hotline/tickets?limit=500", 100),
    ("queue tab open", "/hotline/?tab=open", 100),
    ("list API status=closed", "/api/v1/hotline/tickets?status=closed&limit=50", 100),
    ("list API overdue=true", "/api/v1/hotline/tickets?overdue=true&limit=50", 100),
    ("list API org=371702", "/api/v1/hotline/tickets?org=371702&limit=50", 100),
    ("list API changed_since", f"/api/v1/hotline/tickets?changed_since={SINCE}&limit=50", 100),
    ("stats API", f"/api/v1/hotline/stats?org={{org}}&{PERIOD}", None),
    ("stats page", "/hotline/stats/?org={org}&start=2020-01-01&end=2020-09-19", None),
]
STATUSES = [  # (status, weight): the share of each among the orders
    ("closed", 80), ("received", 2), ("dispatched", 3), ("accepted", 6),
    ("extension_requested", 1), ("returned", 1), ("replied", 3), ("called_back", 2),
    ("reopened", 1), ("checked", 1),
]  # fmt: skip
AFTER_REPLY = {"replied", "called_back", "reopened", "checked", "closed"}


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    import django

    django.setup()


def _tree() -> tuple[int, dict[int, list[int]]]:
    """The city's id and, per county federation, the grassroots unions beneath it."""
    from gonghui.orgs.models import Org

    city = Org.objects.get(code="371700").pk
    counties = list(Org.objects.filter(kind="county").values_list("id", "path"))
    unions = list(Org.objects.filter(kind="grassroots").values_list("id", "path"))
    tree = {cid: [u for u, p in unions if p.startswith(cpath)] for cid, cpath in counties}
    return city, {c: us for c, us in tree.items() if us}


def step_setup(args: argparse.Namespace) -> dict[str, Any]:
    import io

    from django.core.management import call_command
    from django.db import transaction

    _django()
    call_command("migrate", verbosity=0)
    from gonghui.core import bulk, crypto
    from gonghui.demo import loaders
    from gonghui.hotline.models import Ticket, TicketEvent, TicketOrg, Topic
    from gonghui.orgs.models import Org

    loaders.run_all(io.StringIO(), only=("orgs", "accounts"))
    city, tree = _tree()
    counties = list(tree)
    topics = list(Topic.objects.exclude(parent=None).values_list("id", flat=True))
    rng = random.Random(12351)
    seal, phone_bidx = crypto.encryptor(), crypto.blind_indexer("mobile")
    started = time.perf_counter()
    span = (LAST - FIRST).days + 1
    statuses = [s for s, w in STATUSES for _ in range(w)]
    columns = ["number", "channel", "received_at", "received_on", "caller_name", "caller_phone",
               "caller_phone_bidx", "employer", "category", "complexity", "topic_id", "content",
               "urgency", "answered_on_spot", "status", "receiving_org_id", "handler_org_id",
               "dispatcher_org_id", "county_id", "dispatched_at", "dispatched_on", "due_on",
               "card", "result", "replied_at", "wages_recovered", "workers", "satisfaction",
               "called_back_at", "closed_at", "closed_on", "closed_on_time", "reopen_count",
               "created_at", "updated_at"]  # fmt: skip
    defaults = bulk.column_defaults(Ticket, columns)
    columns += list(defaults)
    tail = tuple(defaults.values())
    lit = bulk.db_literal
    plans: list[tuple[int, int, int | None, int | None, str, list[tuple[str, str, str, Any]]]] = []

    def tickets() -> Any:
        for n in range(args.tickets):
            on = FIRST + timedelta(days=rng.randrange(span))
            at = datetime(on.year, on.month, on.day, rng.randrange(8, 18), rng.randrange(60),
                          tzinfo=TZ)  # fmt: skip
            county = rng.choice(counties)
            receiving = city if rng.random() < 0.9 else county
            category = rng.choices(("consult", "demand", "suggestion"), (30, 60, 10))[0]
            on_spot = category == "consult" and rng.random() < 0.7
            status = "closed" if on_spot else rng.choice(statuses)
            dispatched = not on_spot and status != "received"
            union = rng.choice(tree[county]) if dispatched else None
            handler = union if dispatched and status != "returned" else (
                county if dispatched else None)  # fmt: skip
            d_at = at + timedelta(hours=rng.randrange(1, 30)) if dispatched else None
            due = on + timedelta(days=rng.choice((7, 15, 15, 30))) if not on_spot else on
            replied = at + timedelta(days=rng.randrange(2, 25)) if status in AFTER_REPLY else None
            closed = status == "closed"
            c_at = (at if on_spot else replied + timedelta(days=rng.randrange(1, 5))) if closed \
                else None  # fmt: skip
            c_on = c_at.astimezone(TZ).date() if c_at else None
            satisfaction = (rng.choices(("satisfied", "basically_satisfied", "dissatisfied"),
                                        (70, 20, 10))[0]
                            if status in ("called_back", "checked", "closed") and not on_spot
                            else "")  # fmt: skip
            card = "" if closed else rng.choices(("", "yellow", "red"), (70, 15, 15))[0]
            wages = f"{rng.randrange(0, 200000)}.00" if category == "demand" and closed else "0"
            number = f"12351{on:%Y%m%d}{n:06d}"
            events: list[tuple[str, str, str, Any]] = [("receive", "", "received", at)]
            if dispatched:
                events.append(("dispatch", "received", "dispatched", d_at))
            if closed:
                events.append(("close", "checked", "closed", c_at))
            plans.append((receiving, county, union if dispatched else None, handler, number,
                          events))  # fmt: skip
            yield (number, "phone" if receiving == city else "province", lit(at), lit(on),
                   seal(f"来电人{n}"), seal(f"139{n:08d}"), phone_bidx(f"139{n:08d}"),
                   f"菏泽某公司{n % 5000}", category, "normal", rng.choice(topics),
                   seal(f"工单诉求内容 {n}:拖欠工资,请求协调解决。"), "normal", on_spot, status,
                   receiving, handler, (county if handler == union else receiving)
                   if dispatched else None, county, lit(d_at), lit(d_at.date()) if d_at else None,
                   lit(due), card, seal("已协调解决") if replied else "", lit(replied), wages,
                   rng.randrange(1, 30) if category == "demand" else 0, satisfaction,
                   lit(replied + timedelta(days=1)) if satisfaction else None, lit(c_at),
                   lit(c_on), lit(c_on <= due) if c_on else None,
                   1 if status == "reopened" else 0, lit(at), lit(c_at or at),
                   *tail)  # fmt: skip

    with (
        transaction.atomic(),
        bulk.deferred_indexes(Ticket._meta.db_table, enabled=True),
    ):
        bulk.insert_rows(Ticket._meta.db_table, columns, tickets())
    ids = dict(Ticket.objects.values_list("number", "id"))

    def path_rows() -> Any:
        for receiving, county, union, _handler, number, events in plans:
            tid, at = ids[number], lit(events[0][3])
            yield (tid, receiving, None, "receiving", at)
            if union is not None:
                d_at = lit(events[1][3])
                if county != receiving:
                    yield (tid, county, receiving, "handler", d_at)
                yield (tid, union, county, "handler", d_at)

    def event_rows() -> Any:
        for receiving, _county, _union, handler, number, events in plans:
            tid = ids[number]
            for action, before, after, at in events:
                org = receiving if action != "close" else (handler or receiving)
                yield (tid, action, before, after, None, "基准", org, lit(at), "", "{}",
                       lit(False))  # fmt: skip

    with transaction.atomic():
        path_cols = ["ticket_id", "org_id", "via_id", "role", "at"]
        with bulk.deferred_indexes(TicketOrg._meta.db_table, enabled=True):
            bulk.insert_rows(TicketOrg._meta.db_table, path_cols, path_rows())
        ev_cols = ["ticket_id", "action", "from_status", "to_status", "actor_id", "actor_name",
                   "org_id", "at", "note", "data", "internal"]  # fmt: skip
        with bulk.deferred_indexes(TicketEvent._meta.db_table, enabled=True):
            bulk.insert_rows(TicketEvent._meta.db_table, ev_cols, event_rows())
    # the org tree too: its path LIKE is what scope reads, and a fresh table's estimate (one
    # row for the city's subtree) would pick nested loops over every order
    for model in (Org, Ticket, TicketOrg, TicketEvent):
        bulk.analyze(model)
    return {
        "load_s": round(time.perf_counter() - started, 1),
        "tickets": Ticket.objects.count(),
        "paths": TicketOrg.objects.count(),
        "events": TicketEvent.objects.count(),
        "counties": len(counties),
    }


def step_measure(args: argparse.Namespace) -> dict[str, Any]:
    _django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gonghui.accounts.models import User

    out: dict[str, Any] = {}
    for username, (_who, org) in USERS.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        for label, template, _target in REQUESTS:
            url = template.format(org=org)
            client.get(url)  # warm-up: templates, session, the planner
            times: list[float] = []
            cpu: list[float] = []
            queries: set[int] = set()
            items = None
            for _ in range(args.reps):
                with CaptureQueriesContext(connection) as ctx:
                    started, started_cpu = time.perf_counter(), time.process_time()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - started_cpu) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{username} {url}: {response.status_code}")
                queries.add(len(ctx.captured_queries))
                slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
            if url.startswith("/api/v1/hotline/tickets"):
                body = response.json()
                items = [len(body["items"]), body["count"]]
            times.sort()
            cpu.sort()
            out[f"{username} {label}"] = {
                "cpu_p50": cpu[len(cpu) // 2],
                "p50": times[len(times) // 2],
                "p95": times[max(0, int(len(times) * 0.95) - 1)],
                "max": times[-1],
                "queries": sorted(queries),
                "items": items,
                "slowest_sql": re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", slowest["sql"])[:400],
                "slowest_s": float(slowest["time"]),
            }
    out["exports"] = _exports()
    return out


def _exports() -> dict[str, Any]:
    """The city operator's export of every order ("all" tab) as XLSX and as CSV, once each:
    seconds, rows, bytes, queries and how far the process's peak memory grew."""
    import resource

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gonghui.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="operator"))
    out: dict[str, Any] = {}
    # XLSX first: the growth of the peak is measured against the process's peak so far,
    # which includes the body of each response as the test client holds it
    for fmt in ("xlsx", "csv"):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(f"/hotline/export.{fmt}?tab=all")
            body = b"".join(response.streaming_content) if response.streaming else response.content
            seconds = time.perf_counter() - started
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak
        rows = body.count(b"\n") - 1 if fmt == "csv" else None
        out[fmt] = {
            "seconds": round(seconds, 2),
            "bytes": len(body),
            "rows": rows,
            "queries": len(ctx.captured_queries),
            "peak_grown_mb": round(grown / 1024, 1),
        }
    return out


def run_step(step: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    return common.run_step(
        __file__, step, env, ["--tickets", str(args.tickets), "--reps", str(args.reps)]
    )


def bench(label: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    env = common.child_env(label, work, field_key=FIELD_KEY, postgres=args.postgres)
    print(f"[{label}] loading …", file=sys.stderr, flush=True)
    setup = run_step("setup", env, args)
    print(f"[{label}] measuring …", file=sys.stderr, flush=True)
    return {"setup": setup, "requests": run_step("measure", env, args)}


def print_results(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    load = os.getloadavg()
    print(f"\n12351 hotline, {args.tickets:,} work orders {FIRST}..{LAST}, {args.reps} requests "
          f"each (targets: list pages and APIs p95 ≤ 100 ms, queries independent of the page "
          f"size); load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")  # fmt: skip
    for label, r in results.items():
        s = r["setup"]
        print(f"\n[{label}] {s['tickets']:,} orders, {s['paths']:,} path rows, "
              f"{s['events']:,} events, {s['counties']} counties "
              f"(loaded in {s['load_s']} s)")  # fmt: skip
        head = (
            f"  {'user':24}{'request':22}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'cpu p50':>9}"
            f"{'queries':>9}"
        )
        print(head + "  target")
        print("  " + "-" * (len(head) + 6))
        for username, (role, org) in USERS.items():
            who = f"{role} ({org})"
            for name, _url, target in REQUESTS:
                m = r["requests"][f"{username} {name}"]
                q = "/".join(map(str, m["queries"]))
                verdict = ("OK" if m["p95"] <= target else "OVER") if target else "—"
                rows = f"  ({m['items'][0]} of {m['items'][1]:,})" if m["items"] else ""
                print(f"  {who:24}{name:22}{m['p50']:9.1f}{m['p95']:9.1f}{m['max']:9.1f}"
                      f"{m['cpu_p50']:9.1f}{q:>9}  {verdict}{rows}")  # fmt: skip
            small = r["requests"][f"{username} list API limit=50"]["queries"]
            large = r["requests"][f"{username} list API limit=500"]["queries"]
            same = "OK" if small == large else "OVER"
            print(f"  {who:24}list API queries, limit=50 vs 500: {small} vs {large}  [{same}]")
        for fmt, e in r["requests"].pop("exports", {}).items():
            rows = f"{e['rows']:,} rows, " if e["rows"] is not None else ""
            print(f"  city operator export of every order as {fmt.upper()}: {e['seconds']} s, "
                  f"{rows}{e['bytes'] / 1e6:.1f} MB, {e['queries']} queries, "
                  f"peak memory +{e['peak_grown_mb']} MB")  # fmt: skip
        print("  slowest single query per request:")
        for key, m in r["requests"].items():
            print(f"    {key:45} {m['slowest_s'] * 1000:7.1f} ms  {m['slowest_sql'][:200]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/bench_hotline")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    steps = {"setup": step_setup, "measure": step_measure}
    results = common.run(args, steps, bench, name="hotline")
    if results:
        print_results(results, args)


if __name__ == "__main__":
    main()
