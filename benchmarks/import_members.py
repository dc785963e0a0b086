"""Member roster import at scale, beside the raw-insert floor, then search at that size.

    python benchmarks/import_members.py                      # 1,000,000 rows, SQLite
    python benchmarks/import_members.py --rows 100000 \\
        --postgres postgres://postgres@127.0.0.1:5432/bench_members

For each database: a fresh migrated database; the **floor** (the same file read with
``csv.reader`` and inserted with no validation, no encryption, no dedupe — the same
``core.bulk.insert_rows``, i.e. ``executemany`` / ``COPY``, with the same index handling, in
one transaction, into a copy of the same empty database); the **import** through the real
path (``members.importing.member_import``, as ``gonghui import-members`` runs it); the
**re-import** of the same file (everything unchanged); then **search** p50/p95 through
``members.selectors.member_search`` as a city cadre (the widest scope) over names, pinyin,
initials, ID and phone tails and full numbers. Each step runs in its own process so that its
peak memory (``ru_maxrss``; the import's worker processes reported beside it) is its own.
On PostgreSQL each timed step starts on a settled server (``pg_settle``: no autovacuum
running, a ``CHECKPOINT``) and the floor's database is dropped once measured.

``--baseline DIR`` measures another source tree of gonghui in the same run, beside this one
(``git archive main | tar -x -C DIR``): its own database, migrated by its own migrations,
the same file, the same floor; its import and re-import run just before this tree's.

Targets (PRODUCT.md): ≤ 30 s per million rows, ≤ 1 GB, within 4× the floor, search p95 ≤ 100
ms. The figures depend on the machine: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# the code measured: this tree, or (``--baseline``) another source tree of gonghui
sys.path.insert(0, os.environ.get("BENCH_SOURCE") or str(HERE.parent))

FIELD_KEY = "Z29uZ2h1aSBiZW5jaG1hcmsgZmllbGQga2V5IDMyYnk="  # 32 bytes, base64: benchmark only
UNION = "BENCH-0001"


# --- child steps (run with the database in the environment) ---------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    import django

    django.setup()


def _usage(started: float, cpu: float) -> dict[str, Any]:
    self_ = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": time.perf_counter() - started,
        "cpu": (self_.ru_utime + self_.ru_stime + kids.ru_utime + kids.ru_stime) - cpu,
        "rss_mb": self_.ru_maxrss / 1024,
        "workers_rss_mb": kids.ru_maxrss / 1024,
    }


def _cpu_now() -> float:
    s = resource.getrusage(resource.RUSAGE_SELF)
    k = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + k.ru_utime + k.ru_stime


def step_setup(_args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command

    _django()
    call_command("migrate", verbosity=0)
    from gonghui.accounts.models import User
    from gonghui.orgs.services import org_insert

    city = org_insert(code="371700", parent=None, name="菏泽市总工会", kind="city")
    county = org_insert(code="371702", parent=city, name="牡丹区总工会", kind="county")
    org_insert(code=UNION, parent=county, name="基准测试公司工会", kind="grassroots")
    User.objects.create(username="bench_cadre", role="cadre", org=city, full_name="基准")
    return {}


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def step_floor(args: argparse.Namespace) -> dict[str, Any]:
    """The same rows, no validation: cells mapped to columns as they are."""
    import csv

    _django()
    from django.db import transaction
    from django.utils import timezone

    from gonghui.core import bulk
    from gonghui.members.models import Member
    from gonghui.orgs.models import Org

    org_id = Org.objects.get(code=UNION).pk
    started, cpu = time.perf_counter(), _cpu_now()
    now = bulk.db_literal(timezone.now())
    columns = ["name", "sex", "ethnicity", "id_number", "id_number_bidx", "id_tail",
               "birth_date", "phone", "phone_bidx", "phone_tail", "employer_name", "education",
               "worker_type", "joined_on", "org_id", "status", "status_since", "created_at",
               "updated_at"]  # fmt: skip
    defaults = bulk.column_defaults(Member, columns)
    columns += list(defaults)
    tail = tuple(defaults.values())

    def rows() -> Any:
        with open(args.file, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            for n, r in enumerate(reader):
                ident = r[4]
                birth = f"{ident[6:10]}-{ident[10:12]}-{ident[12:14]}"
                if not _DATE.match(birth) or ident[10:12] > "12" or ident[12:14] > "28":
                    birth = "1970-01-01"
                joined = r[9] if _DATE.match(r[9]) else "2000-01-01"
                yield (r[1], r[2][:1], r[3], ident, f"{ident}-{n}", ident[-4:], birth, r[5],
                       r[5], r[5][-4:], r[7], r[6], r[8], joined, org_id, "active", joined, now,
                       now, *tail)  # fmt: skip

    with (
        transaction.atomic(),
        bulk.deferred_indexes(Member._meta.db_table, enabled=args.rows >= 50_000),
    ):
        bulk.insert_rows(Member._meta.db_table, columns, rows())
    out = _usage(started, cpu)
    out["rows"] = Member.objects.count()
    return out


def step_import(args: argparse.Namespace) -> dict[str, Any]:
    _django()
    from gonghui.members.importing import member_import
    from gonghui.orgs.models import Org

    org = Org.objects.get(code=UNION)
    started, cpu = time.perf_counter(), _cpu_now()
    stages: dict[str, float] = {}

    def progress(_done: int, _total: int, stage: str) -> None:
        if stage == "write" and "check" not in stages:
            stages["check"] = time.perf_counter() - started

    errors = Path(args.file).with_suffix(".errors.xlsx")
    result = member_import(
        actor=None, org=org, path=args.file, errors_path=errors, progress=progress,
        workers=args.workers,
    )  # fmt: skip
    out = _usage(started, cpu)
    out.update(result.as_json())
    out["check_seconds"] = stages.get("check", out["seconds"])
    out["stages"] = result.timings
    return out


def step_search(args: argparse.Namespace) -> dict[str, Any]:
    import csv

    _django()
    from gonghui.accounts.models import User
    from gonghui.members.selectors import member_search
    from gonghui.members.services import name_pinyin

    user = User.objects.get(username="bench_cadre")
    rng = random.Random(11)
    sample: list[list[str]] = []
    with open(args.file, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        for i, row in enumerate(reader):
            if i % max(1, args.rows // 2000) == 0:
                sample.append(row)
    kinds: dict[str, list[str]] = {
        "surname": [r[1][0] for r in sample],
        "name": [r[1] for r in sample],
        "pinyin": [name_pinyin(r[1])[0] for r in sample],
        "initials": [name_pinyin(r[1])[1] for r in sample],
        # what one has typed after two letters: pinyin and initials prefixes both match
        "two letters": [name_pinyin(r[1])[0][:2] for r in sample],
        "id tail": [r[4][-4:] for r in sample],
        "phone tail": [r[5][-4:] for r in sample],
        "id full": [r[4] for r in sample],
        "phone full": [r[5] for r in sample],
    }
    times: dict[str, list[float]] = {k: [] for k in kinds}
    for kind, values in kinds.items():
        for q in rng.sample(values, min(args.queries, len(values))):
            t = time.perf_counter()
            list(member_search(user, q, lookup=kind.endswith("full"))[:20])
            times[kind].append((time.perf_counter() - t) * 1000)
    every = sorted(x for v in times.values() for x in v)
    # the roster list with no search text, as the list API serves it: the first page of 50
    # and the count of the whole scope (a city cadre: every member)
    from gonghui.core.api import PageParams, paginate

    lists: dict[str, list[float]] = {}
    for label, options in (("list, all", {}), ("list, active", {"status": "active"})):
        lists[label] = []
        for _ in range(21):
            t = time.perf_counter()
            paginate(member_search(user, "", **options), PageParams(limit=50, offset=0))
            lists[label].append((time.perf_counter() - t) * 1000)
        lists[label] = sorted(lists[label][1:])  # the first one warms the cache
    return {
        "queries": len(every),
        "p50_ms": statistics.median(every),
        "p95_ms": every[int(len(every) * 0.95) - 1],
        "max_ms": every[-1],
        "p95_by_kind": {k: sorted(v)[int(len(v) * 0.95) - 1] for k, v in times.items() if v},
        "list_p95_ms": {k: v[int(len(v) * 0.95) - 1] for k, v in lists.items()},
    }


STEPS = {"setup": step_setup, "floor": step_floor, "import": step_import, "search": step_search}


# --- driver --------------------------------------------------------------------------------------


def run_step(
    step: str, env: dict[str, str], args: argparse.Namespace, source: str = ""
) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", step, "--file", str(args.file),
           "--rows", str(args.rows), "--queries", str(args.queries)]  # fmt: skip
    if args.workers is not None:
        cmd += ["--workers", str(args.workers)]
    env = {**env, "BENCH_SOURCE": source} if source else env
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"step {step} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def pg_settle(url: str | None) -> None:
    """Before a timed step on PostgreSQL: wait until no autovacuum worker runs (a million
    rows just written by the step before — the floor's table, an import's events — are
    vacuumed in the background on the same two cores), then ``CHECKPOINT``, so that no step
    inherits the dirty pages and the WAL of the one before. Each step starts on the same
    quiet server. SQLite (``url`` None): nothing to do."""
    if not url:
        return
    import psycopg

    base = url.rpartition("/")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
            ).fetchone()
            if not row or not row[0]:
                break
            time.sleep(1)
        conn.execute("CHECKPOINT")


def pg_drop(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_recreate(url: str, name: str, template: str | None = None) -> str:
    import psycopg

    base, _, _db = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        extra = f' TEMPLATE "{template}"' if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{extra}')
    return f"{base}/{name}"


def bench_database(label: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
    env.update(GONGHUI_FIELD_KEY=FIELD_KEY, GONGHUI_SECRET_KEY="bench-" * 8)
    if label == "sqlite":
        data = work / "sqlite"
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True)
        env_main = {**env, "GONGHUI_DATA_DIR": str(data)}
        run_step("setup", env_main, args)
        floor_dir = work / "sqlite-floor"
        shutil.rmtree(floor_dir, ignore_errors=True)
        shutil.copytree(data, floor_dir)
        env_floor = {**env, "GONGHUI_DATA_DIR": str(floor_dir)}
    else:
        url = args.postgres
        name = url.rsplit("/", 1)[1]
        main_url = pg_recreate(url, name)
        env_main = {**env, "GONGHUI_DATA_DIR": str(work / "pg"), "GONGHUI_DATABASE_URL": main_url}
        (work / "pg").mkdir(exist_ok=True)
        run_step("setup", env_main, args)
        floor_url = pg_recreate(url, f"{name}_floor", template=name)
        env_floor = {**env, "GONGHUI_DATA_DIR": str(work / "pg"), "GONGHUI_DATABASE_URL": floor_url}
    print(f"[{label}] floor …", file=sys.stderr, flush=True)
    pg = None if label == "sqlite" else args.postgres
    pg_settle(pg)
    floor = run_step("floor", env_floor, args)
    if pg:
        pg_drop(env_floor["GONGHUI_DATABASE_URL"])  # its million rows are vacuumed otherwise
    base: dict[str, Any] = {}
    if args.baseline:
        source = str(args.baseline.resolve())
        if label == "sqlite":
            base_dir = work / "sqlite-baseline"
            shutil.rmtree(base_dir, ignore_errors=True)
            base_dir.mkdir(parents=True)
            env_base = {**env, "GONGHUI_DATA_DIR": str(base_dir)}
        else:
            base_url = pg_recreate(args.postgres, f"{args.postgres.rsplit('/', 1)[1]}_baseline")
            env_base = {**env_main, "GONGHUI_DATABASE_URL": base_url}
        run_step("setup", env_base, args, source)
        print(f"[{label}] baseline import …", file=sys.stderr, flush=True)
        pg_settle(pg)
        base["import"] = run_step("import", env_base, args, source)
        print(f"[{label}] baseline re-import …", file=sys.stderr, flush=True)
        pg_settle(pg)
        base["reimport"] = run_step("import", env_base, args, source)
        if label == "sqlite":
            shutil.rmtree(base_dir, ignore_errors=True)
    print(f"[{label}] import …", file=sys.stderr, flush=True)
    pg_settle(pg)
    first = run_step("import", env_main, args)
    print(f"[{label}] re-import …", file=sys.stderr, flush=True)
    pg_settle(pg)
    again = run_step("import", env_main, args)
    print(f"[{label}] search …", file=sys.stderr, flush=True)
    pg_settle(pg)
    search = run_step("search", env_main, args)
    if label == "sqlite":
        shutil.rmtree(floor_dir, ignore_errors=True)
    return {"floor": floor, "import": first, "reimport": again, "search": search, "base": base}


def _rss(step: dict[str, Any]) -> str:
    return f"{step['rss_mb']:.0f}+{step['workers_rss_mb']:.0f}"


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace, gen_s: float) -> None:
    load = os.getloadavg()
    size = args.file.stat().st_size / 1e6
    print(f"\nmember import benchmark: {args.rows:,} rows ({args.bad:.0%} bad), "
          f"{os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, "
          f"roster generated in {gen_s:.1f} s ({size:.0f} MB CSV)")  # fmt: skip
    head = f"{'':24}" + "".join(f"{label:>16}" for label in results)
    print(head)
    print("-" * len(head))

    def line(title: str, fn: Any) -> None:
        print(f"{title:24}" + "".join(f"{fn(r):>16}" for r in results.values()))

    line("floor seconds", lambda r: f"{r['floor']['seconds']:.1f}")
    line("floor rows/s", lambda r: f"{args.rows / r['floor']['seconds']:,.0f}")
    line("floor CPU seconds", lambda r: f"{r['floor']['cpu']:.1f}")
    line("floor peak RSS MB", lambda r: f"{r['floor']['rss_mb']:.0f}")
    if args.baseline:
        line("baseline import seconds", lambda r: f"{r['base']['import']['seconds']:.1f}")
        line("  of which checking", lambda r: f"{r['base']['import']['check_seconds']:.1f}")
        line("  CPU seconds (all procs)", lambda r: f"{r['base']['import']['cpu']:.1f}")
        line("  peak RSS MB (+ worker)", lambda r: _rss(r["base"]["import"]))
        line(
            "  / floor", lambda r: f"{r['base']['import']['seconds'] / r['floor']['seconds']:.2f}x"
        )
        line("baseline re-import s", lambda r: f"{r['base']['reimport']['seconds']:.1f}")
        line("  CPU seconds (all procs)", lambda r: f"{r['base']['reimport']['cpu']:.1f}")
        line(
            "  / floor",
            lambda r: f"{r['base']['reimport']['seconds'] / r['floor']['seconds']:.2f}x",
        )
    line("import seconds", lambda r: f"{r['import']['seconds']:.1f}")
    line("  of which checking", lambda r: f"{r['import']['check_seconds']:.1f}")
    line("  check: hash look-up", lambda r: f"{r['import']['stages'].get('hashes', 0):.1f}")
    line("  CPU seconds (all procs)", lambda r: f"{r['import']['cpu']:.1f}")
    line("  write: insert", lambda r: f"{r['import']['stages'].get('insert', 0):.1f}")
    line("  write: insert + indexes", lambda r: f"{r['import']['stages'].get('rows', 0):.1f}")
    line("  write: join events", lambda r: f"{r['import']['stages'].get('events', 0):.1f}")
    line("  statistics (ANALYZE)", lambda r: f"{r['import']['stages'].get('analyze', 0):.1f}")
    line("import rows/s", lambda r: f"{args.rows / r['import']['seconds']:,.0f}")
    line("import peak RSS MB", lambda r: f"{r['import']['rss_mb']:.0f}")
    line("  workers peak RSS MB", lambda r: f"{r['import']['workers_rss_mb']:.0f}")
    line("import / floor", lambda r: f"{r['import']['seconds'] / r['floor']['seconds']:.2f}x")
    line("  CPU import / floor", lambda r: f"{r['import']['cpu'] / r['floor']['cpu']:.2f}x")
    line(
        "created/rejected/warned",
        lambda r: (
            f"{r['import']['created']}/{r['import']['rejected']}/{r['import'].get('warned', 0)}"
        ),
    )
    line("re-import seconds", lambda r: f"{r['reimport']['seconds']:.1f}")
    line("  of which checking", lambda r: f"{r['reimport']['check_seconds']:.1f}")
    line("  / floor", lambda r: f"{r['reimport']['seconds'] / r['floor']['seconds']:.2f}x")
    line("  CPU seconds (all procs)", lambda r: f"{r['reimport']['cpu']:.1f}")
    line("  peak RSS MB (+ worker)", lambda r: _rss(r["reimport"]))
    line("re-import unchanged", lambda r: f"{r['reimport']['unchanged']}")
    line("search p50 ms", lambda r: f"{r['search']['p50_ms']:.1f}")
    line("search p95 ms", lambda r: f"{r['search']['p95_ms']:.1f}")
    line("search max ms", lambda r: f"{r['search']['max_ms']:.1f}")
    for kind in next(iter(results.values()))["search"]["p95_by_kind"]:
        line(f"  p95 {kind}", lambda r, k=kind: f"{r['search']['p95_by_kind'][k]:.1f}")
    for kind in next(iter(results.values()))["search"]["list_p95_ms"]:
        line(f"  p95 {kind} (+count)", lambda r, k=kind: f"{r['search']['list_p95_ms'][k]:.1f}")
    million = 1_000_000 / args.rows
    print("\ntargets: import ≤ 30 s per 1M rows, peak ≤ 1 GB, ≤ 2x floor (issue 12), "
          "re-import ≤ 1x floor, search p95 ≤ 100 ms")  # fmt: skip
    for label, r in results.items():
        per_m = r["import"]["seconds"] * million
        print(f"  {label}: {per_m:.1f} s per 1M rows; "
              f"{r['import']['seconds'] / r['floor']['seconds']:.2f}x floor; "
              f"peak {r['import']['rss_mb'] + r['import']['workers_rss_mb']:.0f} MB "
              f"(main + one worker); search p95 {r['search']['p95_ms']:.1f} ms")  # fmt: skip
    if args.json:
        print(json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--bad", type=float, default=0.02, help="share of bad rows")
    parser.add_argument("--postgres", help="postgres://…/DBNAME (dropped and created)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--workers", type=int, default=None, help="checking processes")
    parser.add_argument("--queries", type=int, default=100, help="search queries per kind")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "gonghui-bench")
    parser.add_argument("--json", action="store_true", help="also print the raw figures")
    parser.add_argument("--baseline", type=Path, help="another gonghui source tree to compare")
    parser.add_argument("--child", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(STEPS[args.child](args)))
        return
    from benchmarks.roster import write_csv

    args.work.mkdir(parents=True, exist_ok=True)
    args.file = args.work / f"roster-{args.rows}-{args.bad}.csv"
    started = time.perf_counter()
    if not args.file.exists():
        print(f"generating {args.rows:,} rows …", file=sys.stderr, flush=True)
        write_csv(args.file, args.rows, bad=args.bad)
    gen_s = time.perf_counter() - started
    results: dict[str, dict[str, Any]] = {}
    if not args.no_sqlite:
        results["sqlite"] = bench_database("sqlite", args, args.work)
    if args.postgres:
        results["postgresql"] = bench_database("postgresql", args, args.work)
    report(results, args, gen_s)


if __name__ == "__main__":
    main()
