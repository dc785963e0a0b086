"""Benchmark: legal aid's lists at 100,000 cases and 200,000 consultations, on SQLite and
PostgreSQL, each list beside its floor in the same run.

Data (``setup``): the Heze demo tree and accounts, two lawyers and a counsellor at each county
federation, 2,000 member accounts, then ``--cases`` cases (default 100,000) applied
2019-01-01..2020-12-31 at the counties' centres (10 % at the city's), spread over the
services and statuses (about 70 % closed), the assigned ones shared among the county's
lawyers, one applicant each and one in ten a group case of 2–30 workers; and
``--consultations`` consultations (default 200,000), legal (70 %) and psychological, asked by
the members, most answered and closed, assigned to the county's lawyers or counsellor.
Written with raw bulk inserts; the encrypted fields (facts, names, subjects) hold real
ciphertext.

Measured, in one process per database, with Django's test ``Client`` logged in, ``--reps``
requests each after one warm-up: the lawyer's case list (``/legal/`` to-do and all tabs, the
list API), the centre's (the city's and a county's cadre: ``/legal/``, its "all" tab, the list
API at ``limit=50`` and ``limit=500``, whose query counts must be equal), the consultation
queue (the counsellor's and the lawyer's ``/legal/consultations/``, the cadre's, the API) —
p50 / p95 / max wall milliseconds, the measuring process's CPU milliseconds (p50: all of
SQLite's work, only the client side of PostgreSQL's) and the queries per request; **beside
each, its floor**: the same first page read by the bare query (the scope filter, the order,
50 rows' values and the count, no page), so that the list's own cost shows on a loaded
machine. Target (PRODUCT.md): p95 ≤ 100 ms, a fixed number of queries.

Usage::

    python benchmarks/legal_lists.py [--cases 100000] [--consultations 200000] [--reps 30]
        [--postgres postgres://postgres@127.0.0.1:5432/bench_legal] [--skip-postgres]
        [--keep DIR]     # set up once (slow), measure again later with the same DIR
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import common  # benchmarks/common.py: run as a script, its folder is on sys.path

ROOT = Path(__file__).resolve().parent.parent
FIELD_KEY = "bGVnYWwtYmVuY2htYXJrLWtleS0zMi1ieXRlcyEhISE="  # 32 bytes, base64: benchmark only
TZ = ZoneInfo("Asia/Shanghai")
FIRST, LAST = date(2019, 1, 1), date(2020, 12, 31)
STATUSES = [("closed", 70), ("applied", 4), ("complete", 3), ("approved", 3), ("assigned", 5),
            ("in_progress", 10), ("concluded", 3), ("refused", 2)]  # fmt: skip
ASSIGNED = {"assigned", "in_progress", "concluded", "closed"}
OUTCOMES = ["won", "settled", "partly_won", "lost"]


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    import django

    django.setup()


def step_setup(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import transaction

    _django()
    call_command("migrate", verbosity=0)
    from gonghui.accounts.models import User
    from gonghui.core import bulk, crypto
    from gonghui.demo import loaders
    from gonghui.legal.models import Applicant, Case, Consultation, Service
    from gonghui.orgs.models import Org

    started = time.perf_counter()
    loaders.run_all(io.StringIO(), only=("orgs", "accounts"))
    city = Org.objects.get(code="371700")
    counties = list(Org.objects.filter(kind="county").order_by("code"))
    unions = list(Org.objects.filter(kind="grassroots").values_list("id", "path"))
    staff: dict[int, dict[str, list[int]]] = {}
    for county in [*counties, city]:
        lawyers = [
            User.objects.create(username=f"bench_lawyer_{county.code}_{i}", role="lawyer",
                                org=county, full_name=f"律师{county.code}{i}").pk
            for i in range(2)
        ]  # fmt: skip
        counsellor = User.objects.create(
            username=f"bench_counsellor_{county.code}", role="counsellor", org=county,
            full_name=f"咨询师{county.code}",
        ).pk  # fmt: skip
        staff[county.pk] = {"lawyer": lawyers, "psych": [counsellor]}
    User.objects.get_or_create(
        username="bench_cadre_city", defaults={"role": "cadre", "org": city, "full_name": "市"}
    )
    User.objects.get_or_create(
        username="bench_cadre_county",
        defaults={"role": "cadre", "org": counties[0], "full_name": "县"},
    )
    member_cols = ["username", "password", "role", "org_id", "full_name", "is_active",
                   "date_joined"]  # fmt: skip
    member_defaults = bulk.column_defaults(User, member_cols)
    now = bulk.db_literal(datetime.now(TZ))
    by_county = {c.pk: [u for u, p in unions if p.startswith(c.path)] or [c.pk] for c in counties}
    with transaction.atomic():
        bulk.insert_rows(
            User._meta.db_table,
            member_cols + list(member_defaults),
            (
                (f"bench_member_{n}", "!", "member",
                 by_county[counties[n % len(counties)].pk][0], f"会员{n}", True, now,
                 *member_defaults.values())
                for n in range(2000)
            ),
        )  # fmt: skip
    members = list(User.objects.filter(username__startswith="bench_member_").values_list(
        "id", "org_id"))  # fmt: skip
    rng = random.Random(13)
    seal = crypto.encryptor()
    statuses = [s for s, w in STATUSES for _ in range(w)]
    services = list(Service.values)
    span = (LAST - FIRST).days
    case_cols = ["number", "org_id", "status", "service", "channel", "facts", "employer_name",
                 "dispute_on", "applied_on", "lawyer_id", "assigned_on", "consent", "outcome",
                 "amount_recovered", "workers_helped", "closed_on", "filed_by_id", "created_at",
                 "updated_at"]  # fmt: skip
    case_defaults = bulk.column_defaults(Case, case_cols)
    lit = bulk.db_literal
    facts = seal("拖欠工资，请求工会提供法律援助。")  # one ciphertext: the list never reads it

    def cases() -> Any:
        for n in range(args.cases):
            centre = city if rng.random() < 0.1 else counties[n % len(counties)]
            status = rng.choice(statuses)
            applied = FIRST + timedelta(days=rng.randrange(span))
            lawyer = rng.choice(staff[centre.pk]["lawyer"]) if status in ASSIGNED else None
            closed = status == "closed"
            yield (f"FY{applied:%Y}{n:07d}", centre.pk, status, rng.choice(services), "portal",
                   facts, f"菏泽某公司{n % 5000}", lit(applied - timedelta(days=30)),
                   lit(applied), lawyer, lit(applied + timedelta(days=10)) if lawyer else None,
                   True, rng.choice(OUTCOMES) if closed else "",
                   f"{rng.randrange(0, 50000)}.00" if closed else "0", 1 if closed else 0,
                   lit(applied + timedelta(days=60)) if closed else None, rng.choice(members)[0],
                   now, now, *case_defaults.values())  # fmt: skip

    with transaction.atomic():
        bulk.insert_rows(Case._meta.db_table, case_cols + list(case_defaults), cases())
    name = seal("张三")
    app_cols = ["case_id", "name", "id_number", "phone", "is_member", "share"]

    # the ids first: on PostgreSQL a server-side cursor cannot be read on the connection
    # that is in the middle of a COPY (the setup waited there for ever)
    case_ids = list(Case.objects.order_by("id").values_list("id", flat=True))

    def applicants() -> Any:
        for case_id in case_ids:
            for _ in range(rng.randrange(2, 30) if rng.random() < 0.1 else 1):
                yield (case_id, name, "", "", True, "0")

    with transaction.atomic():
        bulk.insert_rows(Applicant._meta.db_table, app_cols, applicants())
    con_cols = ["kind", "org_id", "asker_id", "anonymous", "subject", "status", "assignee_id",
                "asked_at", "asked_on", "first_response_at", "answered_on", "closed_at",
                "crisis", "created_at", "updated_at"]  # fmt: skip
    con_defaults = bulk.column_defaults(Consultation, con_cols)
    subject = seal("加班费怎么算")
    county_of = {u: c for c, us in by_county.items() for u in us}

    def consultations() -> Any:
        for _n in range(args.consultations):
            asker, org = rng.choice(members)
            county = county_of.get(org, counties[0].pk)
            kind = "legal" if rng.random() < 0.7 else "psych"
            status = rng.choices(("closed", "answered", "waiting"), (80, 12, 8))[0]
            at = datetime(2019, 1, 1, 9, tzinfo=TZ) + timedelta(minutes=rng.randrange(span * 1440))
            answered = at + timedelta(hours=rng.randrange(1, 48)) if status != "waiting" else None
            yield (kind, org, asker, rng.random() < 0.2, subject, status,
                   rng.choice(staff[county]["lawyer" if kind == "legal" else "psych"]),
                   lit(at), lit(at.date()), lit(answered),
                   lit(answered.date()) if answered else None,
                   lit(answered + timedelta(days=1)) if status == "closed" and answered else None,
                   rng.random() < 0.002, lit(at), lit(at), *con_defaults.values())  # fmt: skip

    with transaction.atomic():
        bulk.insert_rows(Consultation._meta.db_table, con_cols + list(con_defaults),
                         consultations())  # fmt: skip
    for model in (Org, User, Case, Applicant, Consultation):
        bulk.analyze(model)
    return {
        "setup_s": round(time.perf_counter() - started, 1),
        "cases": Case.objects.count(),
        "applicants": Applicant.objects.count(),
        "consultations": Consultation.objects.count(),
    }


def _who() -> dict[str, Any]:
    from django.db.models import Count

    from gonghui.accounts.models import User
    from gonghui.legal.models import Consultation

    lawyer = (
        User.objects.filter(role="lawyer", username__startswith="bench_lawyer_3717")
        .annotate(n=Count("consultations"))
        .order_by("-n")
        .first()
    )
    counsellor = User.objects.filter(
        pk=Consultation.objects.filter(kind="psych").values("assignee_id")[:1]
    ).first()
    return {
        "lawyer": lawyer,
        "counsellor": counsellor,
        "city cadre": User.objects.get(username="bench_cadre_city"),
        "county cadre": User.objects.get(username="bench_cadre_county"),
    }


REQUESTS = {
    "lawyer": [
        ("case list /legal/ (to do)", "/legal/"),
        ("case list /legal/?tab=all", "/legal/?tab=all"),
        ("case API limit=50", "/api/v1/legal/cases?limit=50"),
        ("case API limit=500", "/api/v1/legal/cases?limit=500"),
        ("consultation queue", "/legal/consultations/"),
        ("consultation API limit=50", "/api/v1/legal/consultations?limit=50"),
    ],
    "counsellor": [
        ("consultation queue", "/legal/consultations/"),
        ("consultation API limit=50", "/api/v1/legal/consultations?limit=50"),
        ("consultation API limit=500", "/api/v1/legal/consultations?limit=500"),
    ],
    "city cadre": [
        ("case list /legal/ (to do)", "/legal/"),
        ("case list /legal/?tab=all", "/legal/?tab=all"),
        ("case API limit=50", "/api/v1/legal/cases?limit=50"),
        ("case API limit=500", "/api/v1/legal/cases?limit=500"),
        ("consultation queue", "/legal/consultations/"),
        ("consultation API limit=50", "/api/v1/legal/consultations?limit=50"),
    ],
    "county cadre": [
        ("case list /legal/ (to do)", "/legal/"),
        ("case list /legal/?tab=all", "/legal/?tab=all"),
        ("case API limit=50", "/api/v1/legal/cases?limit=50"),
        ("consultation queue", "/legal/consultations/"),
    ],
}


def _floor(user: Any, path: str) -> Any:
    """The bare read behind a list: scope, order, 50 rows' values and the count."""
    from gonghui.legal.models import Case, Consultation

    if "consultation" in path:
        qs = Consultation.objects.visible_to(user).order_by("-asked_at", "-id")
        fields = ["id", "kind", "status", "asked_at", "assignee_id", "crisis"]
    else:
        qs = Case.objects.visible_to(user).order_by("-applied_on", "-id")
        fields = ["id", "number", "status", "service", "employer_name", "applied_on"]
    return lambda: (list(qs.values(*fields)[:50]), qs.count())


def _stats(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {
        "p50": round(times[len(times) // 2], 1),
        "p95": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
        "max": round(times[-1], 1),
    }


def step_measure(args: argparse.Namespace) -> dict[str, Any]:
    _django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    out: dict[str, Any] = {}
    for role, user in _who().items():
        client = Client()
        client.force_login(user)
        for label, url in REQUESTS[role]:
            client.get(url)  # warm-up: templates, session, the planner
            floor = _floor(user, url)
            floor()
            times, cpu, floor_times, floor_cpu = [], [], [], []
            queries: set[int] = set()
            for _ in range(args.reps):
                with CaptureQueriesContext(connection) as ctx:
                    wall, proc = time.perf_counter(), time.process_time()
                    response = client.get(url)
                    times.append((time.perf_counter() - wall) * 1000)
                    cpu.append((time.process_time() - proc) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{role} {url}: {response.status_code}")
                queries.add(len(ctx.captured_queries))
                wall, proc = time.perf_counter(), time.process_time()
                floor()
                floor_times.append((time.perf_counter() - wall) * 1000)
                floor_cpu.append((time.process_time() - proc) * 1000)
            out[f"{role}: {label}"] = {
                **_stats(times),
                "cpu_p50": _stats(cpu)["p50"],
                "queries": sorted(queries),
                "floor_p95": _stats(floor_times)["p95"],
                "floor_cpu_p50": _stats(floor_cpu)["p50"],
            }
    return out


STEPS = {"setup": step_setup, "measure": step_measure}


def bench(label: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    if label == "sqlite" and args.no_sqlite:
        return {}
    kept = work / label / "setup.json"
    reuse = bool(args.keep) and kept.exists()
    env = common.child_env(
        label, work, field_key=FIELD_KEY, postgres=args.postgres, fresh=not reuse
    )
    options = ["--cases", str(args.cases), "--consultations", str(args.consultations),
               "--reps", str(args.reps)]  # fmt: skip
    if reuse:  # the records of an earlier run with the same --keep, measured again
        setup = json.loads(kept.read_text())
    else:
        print(f"[{label}] setup …", file=sys.stderr, flush=True)
        setup = common.run_step(__file__, "setup", env, options)
        kept.write_text(json.dumps(setup))
    print(f"[{label}] {setup}; measuring …", file=sys.stderr, flush=True)
    return {"setup": setup, "measure": common.run_step(__file__, "measure", env, options)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--consultations", type=int, default=200_000)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/bench_legal")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--child", choices=sorted(STEPS))
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="keep the records in DIR; a later run with the same DIR measures them again",
    )
    args = parser.parse_args()
    results = common.run(args, STEPS, bench, name="legal")
    if not results:
        return
    print(f"load average {os.getloadavg()[0]:.1f}")
    for label, r in results.items():
        if not r:
            continue
        s = r["setup"]
        print(f"\n{label}: {s['cases']:,} cases ({s['applicants']:,} applicants), "
              f"{s['consultations']:,} consultations")  # fmt: skip
        print(f"  {'request':<48} {'p50':>7} {'p95':>7} {'max':>7} {'CPU p50':>8} "
              f"{'queries':>8} {'floor p95':>10} {'floor CPU':>10}")  # fmt: skip
        for name, m in r["measure"].items():
            q = "/".join(str(n) for n in m["queries"])
            print(f"  {name:<48} {m['p50']:>7} {m['p95']:>7} {m['max']:>7} {m['cpu_p50']:>8} "
                  f"{q:>8} {m['floor_p95']:>10} {m['floor_cpu_p50']:>10}")  # fmt: skip


if __name__ == "__main__":
    main()
