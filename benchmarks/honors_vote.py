"""Benchmark: a craftsman vote (工匠网络投票) of 1,000,000 members over 100 candidates.

One fresh database per run (SQLite, then PostgreSQL unless ``--skip-postgres``), one process:

1. **setup** (not timed as a figure): the city, a county, a grassroots union; a 菏泽工匠 round
   with 100 candidates of the registry taken through nomination and selection to the vote;
   ``--votes`` members (default 1,000,000) inserted set-based.
2. **floor** (the baseline): the same vote rows inserted with no check at all — one
   ``INSERT … SELECT`` over the members, under the same unique constraint and indexes —
   for all but the members who vote below; the candidates' counters are then set from the rows.
3. **service**: ``--sample`` members (default 1,000) vote through ``services.vote_cast`` in
   process (the member's record, the candidate, the address's daily limit and burst check,
   the vote row under its unique constraint, the counter raised with ``F()``, the audit row),
   each then trying a second time (refused by the constraint): CPU per vote, extrapolated to
   a million.
4. **http**: for each ``--concurrency`` level (a list: ``16,8,4``), ``--http`` fresh members
   (default 2,000) vote through ``POST /api/v1/honors/rounds/{id}/votes`` against gunicorn
   (``--workers`` × ``--threads``, default 2 × 4; database connections kept,
   ``--conn-max-age`` 60; the cache in Redis, ``--cache``) from that many client threads,
   each member sending two votes at once; meanwhile a city cadre, in a process of its own,
   reads the live count (``GET …/results``, refreshed from the counters at most once per
   ``--refresh`` second) every 50 ms: its p50 / p95 as the client waits, and the server's own
   time per request (votes and reads) from gunicorn's access log (``%(D)s``). The server's CPU
   seconds per member come from ``/proc``; the load average is printed before and after.
5. **count**: the live count in process at a million votes (``selectors.vote_counts``, the
   candidates' counters) beside grouping the million rows (``selectors.vote_count_drift``,
   what the count cost before the counters), p50 / p95 of 50 calls each.
6. **check**: exactly ``--votes`` vote rows, one per member; every counter equal to its
   rows; every member's second vote refused (each HTTP member one 201 and one 409); the
   cadre's last read (after one refresh) equal to the rows.

The last lines printed per database are a table of the HTTP figures by concurrency.

Peak memory: this process's maximum RSS after each phase, and the gunicorn workers' own.

Usage::

    python benchmarks/honors_vote.py [--votes 1000000] [--sample 1000] [--http 2000]
        [--workers 2] [--threads 4] [--concurrency 16,8,4] [--cache redis://127.0.0.1:6379/0]
        [--postgres postgres://postgres@127.0.0.1:5432/bench_honors] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from common import child_env, run, run_step  # noqa: E402

FIELD_KEY = "Z29uZ2h1aSBiZW5jaG1hcmsgZmllbGQga2V5IDMyYnk="  # 32 bytes, base64: benchmark only
CANDIDATES = 100
SURNAMES = "张王李刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静磊强军洋勇艳杰涛明超秀霞平刚桂"


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _member_columns(org_id: int, first: int) -> tuple[list[str], list[str], list[Any]]:
    """Columns, SQL expressions over ``n`` (1..N) and parameters for set-based members."""
    from datetime import date

    from django.utils import timezone

    from gonghui.core import crypto
    from gonghui.members.models import Member

    now = timezone.now()
    special: dict[str, tuple[str, list[Any]]] = {
        "name": ("'会员' || CAST(n AS TEXT)", []),
        "name_pinyin": ("'huiyuan' || CAST(n AS TEXT)", []),
        "name_initials": ("'hy'", []),
        "sex": ("CASE WHEN n %% 2 = 0 THEN 'F' ELSE 'M' END", []),
        # one real ciphertext for every row: what the page decrypts, never searched here
        "id_number": ("%s", [crypto.encrypt("371702198501010011")]),
        "id_number_bidx": ("'bench' || CAST(n + %s AS TEXT)", [first]),
        "id_tail": ("'0000'", []),
        "org_id": ("%s", [org_id]),
        "birth_date": ("%s", [date(1985, 1, 1)]),
        "joined_on": ("%s", [date(2019, 1, 1)]),
        "status_since": ("%s", [date(2019, 1, 1)]),
        "created_at": ("%s", [now]),
        "updated_at": ("%s", [now]),
    }
    cols, exprs, params = [], [], []
    for f in Member._meta.concrete_fields:
        if f.primary_key:
            continue
        cols.append(f.column)
        if f.column in special:
            expr, p = special[f.column]
        elif f.null:
            expr, p = "NULL", []
        elif f.has_default():
            expr, p = "%s", [f.get_default()]
        else:
            expr, p = "''", []
        exprs.append(expr)
        params.extend(p)
    return cols, exprs, params


def _insert_members(n: int, org_id: int, first: int = 0) -> None:
    from django.db import connection, transaction

    cols, exprs, params = _member_columns(org_id, first)
    sql = (
        "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < %s) "
        f"INSERT INTO members_member ({', '.join(cols)}) "
        f"SELECT {', '.join(exprs)} FROM seq"
    )
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, [n, *params])


def _setup(args: argparse.Namespace) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    import django

    django.setup()
    from datetime import date

    from django.core.management import call_command

    from gonghui.accounts.models import User
    from gonghui.honors import services
    from gonghui.honors.models import Award
    from gonghui.members.services import member_create
    from gonghui.orgs.services import org_insert

    call_command("migrate", verbosity=0)
    city = org_insert(
        code="371700", parent=None, name="菏泽市总工会", kind="city", region_code="371700"
    )
    county = org_insert(
        code="371702", parent=city, name="牡丹区总工会", kind="county", region_code="371702"
    )
    union = org_insert(code="G-0001", parent=county, name="牡丹区机械制造工会", kind="grassroots")
    cadre = User.objects.create(username="bench", role="cadre", org=city, full_name="测试")
    admin = User.objects.create(username="bench-admin", role="admin", org=city, full_name="管理")
    round = services.round_create(
        actor=cadre,
        org=city,
        award=Award.objects.get(code="craftsman"),
        title="2020年菏泽工匠",
        year=2020,
        places=CANDIDATES,
        opens_on=date(2020, 3, 1),
        closes_on=date(2020, 3, 31),
        vote_enabled=True,
        vote_daily_limit=100_000,
        results_live=True,
    )
    round = services.round_step(actor=cadre, round=round, step="open")
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    noms = []
    for i in range(CANDIDATES):
        body = f"37170219800101{i:03d}"
        check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
        member = member_create(
            actor=admin,
            org=union,
            data={"name": SURNAMES[i % 20] + GIVEN[i // 20 % 20] + GIVEN[(i * 7 + 3) % 20],
                  "id_number": body + check, "joined_on": "2019-01-01"},
        )  # fmt: skip
        nom = services.nomination_create(actor=cadre, round=round, org=union, member=member)
        services.nomination_select(actor=cadre, nomination=nom)
        noms.append(nom.pk)
    services.round_step(actor=cadre, round=round, step="close")
    round = services.round_step(actor=cadre, round=round, step="vote")
    t = time.process_time()
    wall = time.perf_counter()
    _insert_members(args.votes, union.pk)
    return {
        "round": round,
        "cadre": cadre,
        "union": union,
        "noms": noms,
        "members_cpu_s": round_(time.process_time() - t),
        "members_wall_s": round_(time.perf_counter() - wall),
    }


def round_(x: float, n: int = 1) -> float:
    return round(x, n)


def _voters(union: Any, count: int, offset: int) -> list[Any]:
    """``count`` members (after the first ``offset``) given member logins, set-based."""
    from gonghui.accounts.models import User
    from gonghui.members.models import Member

    ids = list(
        Member.objects.filter(org=union, name__startswith="会员")
        .order_by("id")
        .values_list("id", flat=True)[offset : offset + count]
    )
    users = User.objects.bulk_create(
        [
            User(username=f"voter{offset + i}", role="member", org=union, full_name="会员")
            for i in range(len(ids))
        ],
        batch_size=2000,
    )
    if users[0].pk is None:  # backends that do not return ids from bulk inserts
        users = list(User.objects.filter(username__startswith="voter").order_by("id"))[-len(ids) :]
    for member_id, user in zip(ids, users, strict=True):
        Member.objects.filter(pk=member_id).update(user=user)
    return users


def _floor(ctx: dict[str, Any], skip_members: int, rows: int) -> dict[str, Any]:
    """The baseline: ``rows`` vote rows inserted with no check, set-based."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gonghui.honors.models import Nomination

    noms = ctx["noms"]
    assert noms == list(range(noms[0], noms[0] + len(noms))), "candidate ids are contiguous"
    now = timezone.now()
    cpu, wall = time.process_time(), time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO honors_vote (round_id, nomination_id, member_id, cast_at, cast_on, "
            "address, flagged) "
            "SELECT %s, %s + (m.id %% %s), m.id, %s, %s, '', %s FROM members_member m "
            "WHERE m.org_id = %s AND m.user_id IS NULL AND m.name LIKE %s",
            [ctx["round"].pk, noms[0], len(noms), now, now.date(), False, ctx["union"].pk,
             "会员%"],
        )  # fmt: skip
        inserted = cur.rowcount
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert inserted == rows, (inserted, rows)
    # the counters from the rows (what the votes through the service keep up one by one)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "UPDATE honors_nomination SET vote_count = (SELECT COUNT(*) FROM honors_vote v "
            "WHERE v.nomination_id = honors_nomination.id) WHERE round_id = %s",
            [ctx["round"].pk],
        )
    assert Nomination.objects.filter(round=ctx["round"]).count() == len(noms)
    return {
        "votes": rows,
        "cpu_s": round_(cpu),
        "wall_s": round_(wall),
        "cpu_us_per_vote": round_(cpu / rows * 1e6),
        "rss_mb": _rss_mb(),
    }


def _service(ctx: dict[str, Any], users: list[Any], total: int) -> dict[str, Any]:
    from gonghui.core.errors import Conflict
    from gonghui.honors import services

    round, noms = ctx["round"], ctx["noms"]
    cpu, wall = time.process_time(), time.perf_counter()
    for i, user in enumerate(users):
        services.vote_cast(
            actor=user, round=round, nomination_id=noms[i % len(noms)], address="10.0.0.1"
        )
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    refused = 0
    for user in users:
        try:
            services.vote_cast(actor=user, round=round, nomination_id=noms[0], address="10.0.0.2")
        except Conflict:
            refused += 1
    n = len(users)
    return {
        "votes": n,
        "cpu_s": round_(cpu, 2),
        "wall_s": round_(wall, 2),
        "cpu_ms_per_vote": round_(cpu / n * 1000, 2),
        "cpu_s_per_million": round_(cpu / n * total),
        "second_votes_refused": refused,
        "rss_mb": _rss_mb(),
    }


def _proc_cpu(pid: int) -> float:
    parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def _proc_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                out.append(int(entry.name))
    return out


def _serve(args: argparse.Namespace, access_log: Path, label: str) -> subprocess.Popen[bytes]:
    """gunicorn as a deployment would run it: ``--workers`` × ``--threads``, database
    connections kept (``GONGHUI_DB_CONN_MAX_AGE``), the cache in Redis when ``--cache`` names
    it (shared by the workers; else each worker's memory). The access log records each
    request's time inside the worker (``%(D)s``, µs: from reading the request to the answer
    written) — what the request costs in the server, without the client's side."""
    env = dict(os.environ)
    env["GONGHUI_DB_CONN_MAX_AGE"] = str(args.conn_max_age)
    env["GONGHUI_RESULTS_REFRESH_SECONDS"] = str(args.refresh)
    if args.cache:
        env["GONGHUI_CACHE_URL"] = args.cache
        env["GONGHUI_CACHE_PREFIX"] = f"bench-honors-{label}-{os.getpid()}"
    return subprocess.Popen(  # noqa: S603 - our own server
        [sys.executable, "-m", "gunicorn", "gonghui.wsgi", "-w", str(args.workers),
         "--threads", str(args.threads), "-b", f"127.0.0.1:{args.port}", "--timeout", "120",
         "--log-level", "warning", "--access-logfile", str(access_log),
         "--access-logformat", "%(m)s %(U)s %(s)s %(D)s"],
        env=env,
        start_new_session=True,
    )  # fmt: skip


def step_poll(args: argparse.Namespace) -> dict[str, Any]:
    """The cadre's screen, in a process of its own (its timings share no interpreter with the
    voting clients): ``GET …/results`` every 50 ms until ``--stop-file`` appears."""
    import requests

    s = requests.Session()
    headers = {"Authorization": f"Bearer {args.poll_token}"}
    stop = Path(args.stop_file)
    reads: list[float] = []
    totals: list[int] = []
    failed = 0
    while not stop.exists():
        t = time.perf_counter()
        answer = s.get(args.poll_url, headers=headers, timeout=120)
        took = time.perf_counter() - t
        if answer.status_code == 200:
            reads.append(took)
            totals.append(sum(r["votes"] for r in answer.json()))
        else:
            failed += 1
        time.sleep(0.05)
    return {"reads": reads, "failed": failed, "first_total": totals[:1], "last_total": totals[-1:]}


def _http(
    ctx: dict[str, Any], users: list[Any], args: argparse.Namespace, concurrency: int, label: str
) -> dict[str, Any]:
    from datetime import timedelta

    import requests
    from django.db import connections
    from django.utils import timezone

    from gonghui.accounts.models import ApiToken, hash_token
    from gonghui.accounts.services import token_issue

    raws = [f"gh_{secrets.token_urlsafe(32)}" for _ in users]
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user=u,
                key_hash=hash_token(raw),
                prefix=raw[3:11],
                name="bench",
                expires_at=timezone.now() + timedelta(days=1),
            )
            for u, raw in zip(users, raws, strict=True)
        ],
        batch_size=2000,
    )
    _, cadre_raw = token_issue(user=ctx["cadre"])
    connections.close_all()
    base = f"http://127.0.0.1:{args.port}"
    data = Path(os.environ["GONGHUI_DATA_DIR"])
    access_log = data / f"access-{concurrency}.log"
    stop_file = data / f"stop-{concurrency}"
    load_before = os.getloadavg()[0]
    server = _serve(args, access_log, label)
    poller = None
    try:
        for _ in range(120):
            if server.poll() is not None:
                raise SystemExit("gunicorn exited (is it installed? pip install -e .[deploy])")
            try:
                if requests.get(base + "/login/", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(1)
        else:
            raise SystemExit("gunicorn did not come up")
        workers = _children(server.pid)
        url = f"{base}/api/v1/honors/rounds/{ctx['round'].pk}"
        statuses: dict[int, int] = {}
        per_member: list[list[int]] = [[] for _ in users]
        lock = threading.Lock()
        local = threading.local()

        def session() -> requests.Session:
            if not hasattr(local, "s"):
                local.s = requests.Session()
            return local.s

        def vote(i: int) -> None:
            nom = ctx["noms"][i % len(ctx["noms"])]
            try:
                answer = session().post(
                    url + "/votes",
                    json={"nomination": nom},
                    headers={"Authorization": f"Bearer {raws[i]}"},
                    timeout=120,
                )
                code = answer.status_code
            except requests.RequestException:
                code = 0
            with lock:
                statuses[code] = statuses.get(code, 0) + 1
                per_member[i].append(code)

        # warm the workers as a running deployment is (their first requests load code and
        # catalogues): reads, and refused votes (no such candidate: nothing is written)
        cadre = {"Authorization": f"Bearer {cadre_raw}"}
        with ThreadPoolExecutor(args.workers * args.threads) as pool:
            for k in range(8 * args.workers * args.threads):
                pool.submit(lambda: session().get(url + "/results", headers=cadre, timeout=120))
                pool.submit(
                    lambda k=k: session().post(
                        url + "/votes",
                        json={"nomination": 0},
                        headers={"Authorization": f"Bearer {raws[k % len(raws)]}"},
                        timeout=120,
                    )
                )
        access_log.write_text("")  # the figures are the measured phase's only
        poller = subprocess.Popen(  # noqa: S603 - this script
            [sys.executable, __file__, "--child", "poll", "--poll-url", url + "/results",
             "--poll-token", cadre_raw, "--stop-file", str(stop_file)],
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        time.sleep(1)  # the poller's first reads before the votes start
        cpu_before = sum(_proc_cpu(p) for p in workers)
        wall = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            for i in range(len(users)):
                pool.submit(vote, i)  # two at once from the same member: one must be refused
                pool.submit(vote, i)
        wall = time.perf_counter() - wall
        cpu = sum(_proc_cpu(p) for p in workers) - cpu_before
        time.sleep(args.refresh + 0.5)  # one more refresh: the last reads see every vote
        stop_file.touch()
        out, _ = poller.communicate(timeout=300)
        polled = json.loads(out.strip().splitlines()[-1])
        hwm = max((_proc_hwm_mb(p) for p in workers), default=0.0)
    finally:
        if poller is not None and poller.poll() is None:
            poller.kill()
        server.terminate()
        server.wait(30)
    n = len(users)
    reads = polled["reads"]
    pairs_ok = sum(1 for codes in per_member if sorted(codes) == [201, 409])
    server_reads: list[float] = []
    server_votes: list[float] = []
    for line in access_log.read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3].isdigit() and "/honors/rounds/" in parts[1]:
            (server_reads if parts[1].endswith("/results") else server_votes).append(
                int(parts[3]) / 1_000_000
            )
    return {
        "members": n,
        "requests": 2 * n,
        "concurrency": concurrency,
        "gunicorn_workers": args.workers,
        "gunicorn_threads": args.threads,
        "cache": args.cache or "each worker's memory",
        "load_average_before": round_(load_before),
        "load_average_after": round_(os.getloadavg()[0]),
        "wall_s": round_(wall),
        "votes_per_s": round_(n / wall),
        "server_cpu_s": round_(cpu),
        "server_cpu_ms_per_vote": round_(cpu / n * 1000, 2),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "members_with_one_201_and_one_409": pairs_ok,
        "live_count_reads": len(reads),
        "live_count_failed": polled["failed"],
        "live_count_total_first_last": polled["first_total"] + polled["last_total"],
        "live_count_p50_ms": round_(_pct(reads, 50) * 1000),
        "live_count_p95_ms": round_(_pct(reads, 95) * 1000),
        "live_count_server_p50_ms": round_(_pct(server_reads, 50) * 1000, 1),
        "live_count_server_p95_ms": round_(_pct(server_reads, 95) * 1000, 1),
        "vote_server_p50_ms": round_(_pct(server_votes, 50) * 1000, 1),
        "vote_server_p95_ms": round_(_pct(server_votes, 95) * 1000, 1),
        "server_worker_peak_rss_mb": hwm,
    }


def _count(ctx: dict[str, Any]) -> dict[str, Any]:
    from gonghui.honors import selectors

    def times(fn: Any) -> list[float]:
        fn(ctx["round"])
        out = []
        for _ in range(50):
            t = time.perf_counter()
            fn(ctx["round"])
            out.append(time.perf_counter() - t)
        return out

    counters = times(selectors.vote_counts)
    grouped = times(selectors.vote_count_drift)
    # the whole request in process (middleware, token, scope, count, JSON): wall and CPU
    from django.test import Client

    from gonghui.accounts.services import token_issue

    _, raw = token_issue(user=ctx["cadre"])
    client = Client(headers={"Authorization": f"Bearer {raw}"}, SERVER_NAME="localhost")
    url = f"/api/v1/honors/rounds/{ctx['round'].pk}/results"
    assert client.get(url).status_code == 200
    walls, cpus = [], []
    for _ in range(50):
        w, c = time.perf_counter(), time.process_time()
        client.get(url)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    held: dict[str, Any] = {}
    from django.db import connection

    if connection.vendor == "sqlite":
        # the read while another connection holds SQLite's one write lock, with a token used
        # for the first time (its last use is recorded, or given up, without waiting)
        import sqlite3

        _, fresh = token_issue(user=ctx["cadre"])
        writer = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE honors_nomination SET vote_count = vote_count WHERE id < 0")
        try:
            w = time.perf_counter()
            status = client.get(url, headers={"Authorization": f"Bearer {fresh}"}).status_code
            held = {"status": status, "wall_ms": round_((time.perf_counter() - w) * 1000, 1)}
        finally:
            writer.execute("ROLLBACK")
            writer.close()
    return {
        "read_while_writer_holds_sqlite": held,
        "request_wall_p95_ms": round_(_pct(walls, 95) * 1000, 1),
        "request_cpu_p50_ms": round_(statistics.median(cpus) * 1000, 1),
        "request_cpu_p95_ms": round_(_pct(cpus, 95) * 1000, 1),
        "counters_p50_ms": round_(statistics.median(counters) * 1000, 2),
        "counters_p95_ms": round_(_pct(counters, 95) * 1000, 2),
        "group_rows_p50_ms": round_(statistics.median(grouped) * 1000),
        "group_rows_p95_ms": round_(_pct(grouped, 95) * 1000),
    }


def step_vote(args: argparse.Namespace) -> dict[str, Any]:
    load = os.getloadavg()[0]
    ctx = _setup(args)
    from gonghui.honors import selectors
    from gonghui.honors.models import Vote

    result: dict[str, Any] = {
        "load_average": round_(load),
        "setup_members": {
            "members": args.votes,
            "cpu_s": ctx["members_cpu_s"],
            "wall_s": ctx["members_wall_s"],
        },
    }
    levels = [int(c) for c in str(args.concurrency).split(",")]
    service_users = _voters(ctx["union"], args.sample, 0)
    http_users = _voters(ctx["union"], args.http * len(levels), args.sample)
    result["floor"] = _floor(ctx, 0, args.votes - args.sample - args.http * len(levels))
    result["service"] = _service(ctx, service_users, args.votes)
    result["http"] = [
        _http(ctx, http_users[k * args.http : (k + 1) * args.http], args, c, args.label)
        for k, c in enumerate(levels)
    ]
    result["count_at_1m"] = _count(ctx)
    rows = Vote.objects.filter(round=ctx["round"]).count()
    distinct = Vote.objects.filter(round=ctx["round"]).values("member").distinct().count()
    result["check"] = {
        "vote_rows": rows,
        "distinct_members": distinct,
        "expected": args.votes,
        "counters_off": len(selectors.vote_count_drift(ctx["round"])),
        "counted_total": sum(r["votes"] for r in selectors.vote_counts(ctx["round"])),
    }
    result["check"]["http_members_one_201_one_409"] = all(
        h["members_with_one_201_and_one_409"] == h["members"] for h in result["http"]
    )
    result["check"]["live_count_last_read_equals_rows"] = all(
        h["live_count_total_first_last"][-1:] == [rows] for h in result["http"][-1:]
    )
    result["peak_rss_mb"] = _rss_mb()
    result["load_average_after"] = round_(os.getloadavg()[0])
    return result


def summary(label: str, result: dict[str, Any]) -> str:
    """The figures that answer the issue's item, as a table (the JSON above has the rest)."""
    check = result["check"]
    lines = [
        f"{label}: {check['vote_rows']:,} vote rows, {check['distinct_members']:,} distinct "
        f"members (expected {check['expected']:,}); counters off their rows: "
        f"{check['counters_off']}; counted total {check['counted_total']:,}; every HTTP member "
        f"one 201 and one 409: {check['http_members_one_201_one_409']}; the last live count "
        f"read equals the rows: {check['live_count_last_read_equals_rows']}",
        "| clients | gunicorn | votes/s | live count client p50 / p95 ms | live count server "
        "p50 / p95 ms | reads | vote server p50 / p95 ms | server CPU ms per member | load "
        "before → after | p95 ≤ 100 ms |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for h in result["http"]:
        lines.append(
            f"| {h['concurrency']} | {h['gunicorn_workers']} × {h['gunicorn_threads']} | "
            f"{h['votes_per_s']} | {h['live_count_p50_ms']} / {h['live_count_p95_ms']} | "
            f"{h['live_count_server_p50_ms']} / {h['live_count_server_p95_ms']} | "
            f"{h['live_count_reads']} | {h['vote_server_p50_ms']} / {h['vote_server_p95_ms']} | "
            f"{h['server_cpu_ms_per_vote']} | {h['load_average_before']} → "
            f"{h['load_average_after']} | {'yes' if h['live_count_p95_ms'] <= 100 else 'NO'} |"
        )
    count = result["count_at_1m"]
    lines.append(
        f"in process at {check['vote_rows']:,} votes: the results request "
        f"{count['request_cpu_p50_ms']} / {count['request_cpu_p95_ms']} ms CPU p50 / p95; "
        "service vote_cast "
        f"{result['service']['cpu_ms_per_vote']} ms CPU per vote"
    )
    return "\n".join(lines)


def bench(label: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    if label == "sqlite" and args.only_postgres:
        return {}
    options = ["--votes", str(args.votes), "--sample", str(args.sample), "--http",
               str(args.http), "--workers", str(args.workers), "--threads", str(args.threads),
               "--concurrency", str(args.concurrency), "--port", str(args.port),
               "--cache", args.cache, "--conn-max-age", str(args.conn_max_age),
               "--refresh", str(args.refresh), "--label", label]  # fmt: skip
    env = child_env(label, work / "vote", field_key=FIELD_KEY, postgres=args.postgres)
    env["GONGHUI_LOGIN_ADDRESS_FAILURES"] = "100000"
    result = run_step(__file__, "vote", env, options)
    print(f"--- {label} ---")
    print(json.dumps(result, ensure_ascii=False, indent=1))
    print(summary(label, result), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--http", type=int, default=2000, help="members voting per level")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--concurrency", default="16", help="client threads; a list (16,8,4) runs each in turn"
    )
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument(
        "--cache", default="redis://127.0.0.1:6379/0", help="GONGHUI_CACHE_URL of the server"
    )
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument("--refresh", type=float, default=1.0, help="live count refresh, s")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/bench_honors")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--only-postgres", action="store_true")
    parser.add_argument("--child", default="")
    parser.add_argument("--label", default="")
    parser.add_argument("--poll-url", default="")
    parser.add_argument("--poll-token", default="")
    parser.add_argument("--stop-file", default="")
    args = parser.parse_args()
    run(args, {"vote": step_vote, "poll": step_poll}, bench, name="honors")


if __name__ == "__main__":
    main()
