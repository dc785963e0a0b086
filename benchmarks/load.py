"""Load test: N concurrent staff and members doing their daily mix against gunicorn (4 workers)
with the background worker beside it, on the living demo; p50 / p95 / errors per action at
each N, and the first N at which a p95 passes 500 ms.

    python benchmarks/load.py --data-dir /tmp/load-sqlite                   # SQLite
    python benchmarks/load.py --data-dir /tmp/load-pg \\
        --database postgres://postgres@127.0.0.1:5432/load_bench            # PostgreSQL
    options: --levels 4,8,16,32 --seconds 40 --think 1.0 --workers 4 --reuse

A headless equivalent of locust (no extra dependency): each virtual user is a thread with its
own session (logged in through the login page, CSRF and all) and its own API token, looping
over its role's mix with ``--think`` seconds between requests:

- cadre (市总 and 牡丹区): home, member search by surname, the hotline queue, one order's page,
  the work report of this year;
- operator: the queue, registers a new 12351 order (API), opens it, dispatches it (API);
- clerk: home, member search by pinyin, a five-row roster import, dry run (API);
- member: the portal.

Virtual users are dealt round robin over cadre, operator, clerk, cadre, member. The demo is
loaded once into the data dir (``gonghui demo --no-serve``; ``--reuse`` keeps it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

PASSWORDS = {
    "cadre_city": "Heze2020-City",
    "cadre_mudan": "Heze2020-Mudan",
    "operator": "Heze2020-12351",
    "clerk": "Heze2020-Clerk",
    "member": "Heze2020-Member",
}
ROLES = ["cadre", "operator", "clerk", "cadre", "member"]
SURNAMES = "王李张刘陈杨赵黄周吴"
PINYIN = ["wang", "li", "zhang", "liu", "chen", "yang", "zhao", "wq", "zh"]
ROSTER = (
    "姓名,公民身份号码,手机号码,入会时间\n"
    "王小明,370702199001011236,13853000001,2020-01-01\n"
    "李小红,370702199202022228,13853000002,2020-02-01\n"
    "张大伟,370702198503033231,13853000003,2020-03-01\n"
    "刘芳芳,37070219880404422X,13853000004,2020-04-01\n"
    "陈强,370702199505055239,13853000005,2020-05-01\n"
)


def env_for(args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
    env.update(
        GONGHUI_DATA_DIR=str(args.data_dir),
        GONGHUI_SECRET_KEY="load-" * 10,
        GONGHUI_FIELD_KEY="bG9hZC10ZXN0LWZpZWxkLWtleS0zMi1ieXRlcyEhISE=",
        # a load test is many logins from one address
        GONGHUI_LOGIN_ADDRESS_FAILURES="100000",
        GONGHUI_LOOKUP_LIMIT="100000",
    )
    if args.database:
        env["GONGHUI_DATABASE_URL"] = args.database
    return env


def setup(args: argparse.Namespace, env: dict[str, str]) -> float:
    marker = Path(args.data_dir) / "load-demo-loaded"
    if args.reuse and marker.exists():
        subprocess.run(  # noqa: S603 - our own command: a kept demo gets this tree's migrations
            [sys.executable, "-m", "gonghui", "migrate", "-v", "0"], env=env, check=True
        )
        return 0.0
    if args.database:
        sys.path.insert(0, str(Path(__file__).parent))
        from common import pg_recreate

        pg_recreate(args.database)
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "gonghui", "demo", "--no-serve"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    marker.write_text("1")
    return time.perf_counter() - started


@dataclass
class Stats:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, action: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.times[action].append(seconds)
            if not ok:
                self.errors[action] += 1


class User:
    def __init__(self, base: str, role: str, n: int, stats: Stats, think: float) -> None:
        self.base, self.role, self.stats, self.think = base, role, stats, think
        self.username = {
            "cadre": "cadre_city" if n % 2 else "cadre_mudan",
            "operator": "operator",
            "clerk": "clerk",
            "member": "member",
        }[role]
        self.web = requests.Session()
        self.api = requests.Session()
        self.rng = random.Random(n)
        self.tickets: list[int] = []

    def call(self, action: str, method: str, path: str, session: Any = None, **kw: Any) -> Any:
        session = session or self.web
        started = time.perf_counter()
        try:
            response = session.request(method, self.base + path, timeout=60, **kw)
            ok = response.status_code < 400
        except requests.RequestException:
            response, ok = None, False
        self.stats.add(action, time.perf_counter() - started, ok)
        return response

    def login(self) -> None:
        password = PASSWORDS[self.username]
        self.web.get(self.base + "/login/", timeout=60)
        token = self.web.cookies.get("csrftoken", "")
        r = self.web.post(
            self.base + "/login/",
            data={"username": self.username, "password": password, "csrfmiddlewaretoken": token},
            headers={"Referer": self.base + "/login/"},
            timeout=60,
        )
        if "sessionid" not in self.web.cookies:
            raise SystemExit(f"login of {self.username} failed: {r.status_code}")
        r = self.api.post(
            self.base + "/api/v1/auth/token",
            json={"username": self.username, "password": password},
            timeout=60,
        )
        self.api.headers["Authorization"] = f"Bearer {r.json()['token']}"
        if self.role in ("cadre", "operator"):
            r = self.api.get(self.base + "/api/v1/hotline/tickets?limit=50", timeout=60)
            self.tickets = [t["id"] for t in r.json()["items"]]

    def pause(self) -> None:
        if self.think:
            time.sleep(self.rng.uniform(0.5, 1.5) * self.think)

    def one_round(self) -> None:
        rng = self.rng
        if self.role == "cadre":
            self.call("home", "GET", "/")
            self.pause()
            self.call("search", "GET", "/members/", params={"q": rng.choice(SURNAMES)})
            self.pause()
            self.call("list", "GET", "/hotline/")
            self.pause()
            if self.tickets:
                self.call("open", "GET", f"/hotline/{rng.choice(self.tickets)}/")
                self.pause()
            self.call("report", "GET", "/reports/", params={"period": "year"})
        elif self.role == "operator":
            self.call("list", "GET", "/hotline/")
            self.pause()
            r = self.call(
                "step",
                "POST",
                "/api/v1/hotline/tickets",
                session=self.api,
                json={
                    "caller_name": "来电人",
                    "caller_phone": "13800000000",
                    "category": "demand",
                    "topic": "拖欠工资",
                    "content": "工资拖欠三个月",
                },
            )
            self.pause()
            if r is not None and r.status_code < 400:
                ticket = r.json()["id"]
                self.call("open", "GET", f"/hotline/{ticket}/")
        elif self.role == "clerk":
            self.call("home", "GET", "/")
            self.pause()
            self.call("search", "GET", "/members/", params={"q": rng.choice(PINYIN)})
            self.pause()
            self.call(
                "import",
                "POST",
                "/api/v1/members/import",
                session=self.api,
                data={"org": self.clerk_org, "dry_run": "true"},
                files={"file": ("名册.csv", ROSTER.encode(), "text/csv")},
            )
        else:
            self.call("portal", "GET", "/portal/")
        self.pause()

    clerk_org = ""

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.one_round()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def level(base: str, n: int, seconds: float, think: float, clerk_org: str) -> dict[str, Any]:
    stats = Stats()
    User.clerk_org = clerk_org
    users = [User(base, ROLES[i % len(ROLES)], i, stats, think) for i in range(n)]
    for u in users:
        u.login()
    stats.times.clear()
    stats.errors.clear()
    stop = threading.Event()
    threads = [threading.Thread(target=u.run, args=(stop,), daemon=True) for u in users]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(timeout=120)
    elapsed = time.perf_counter() - started
    actions = {}
    for action, times in sorted(stats.times.items()):
        actions[action] = {
            "n": len(times),
            "p50_ms": round(percentile(times, 50) * 1000),
            "p95_ms": round(percentile(times, 95) * 1000),
            "errors": stats.errors.get(action, 0),
        }
    every = [t for times in stats.times.values() for t in times]
    return {
        "users": n,
        "requests_per_s": round(len(every) / elapsed, 1),
        "p50_ms": round(percentile(every, 50) * 1000),
        "p95_ms": round(percentile(every, 95) * 1000),
        "worst_action_p95_ms": max((a["p95_ms"] for a in actions.values()), default=0),
        "errors": sum(stats.errors.values()),
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "actions": actions,
    }


def wait_up(base: str) -> None:
    for _ in range(120):
        try:
            if requests.get(base + "/login/", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise SystemExit("gunicorn did not come up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "gonghui-load"
    )
    parser.add_argument("--database", default="", help="postgres://… (default: SQLite)")
    parser.add_argument("--levels", default="4,8,16,32")
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true", help="keep an already loaded demo")
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    env = env_for(args)
    setup_s = setup(args, env)
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "gonghui.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{args.port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        env=env,
        start_new_session=True,
    )
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gonghui", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    out: dict[str, Any] = {
        "database": "postgresql" if args.database else "sqlite",
        "gunicorn_workers": args.workers,
        "think_s": args.think,
        "seconds_per_level": args.seconds,
        "demo_load_s": round(setup_s, 1),
        "cpus": os.cpu_count(),
        "levels": [],
    }
    try:
        wait_up(base)
        clerk_org = "3717020001"  # the demo clerk's union (demo.loaders.DEMO_UNION)
        for n in [int(x) for x in args.levels.split(",")]:
            result = level(base, n, args.seconds, args.think, clerk_org)
            out["levels"].append(result)
            print(json.dumps(result, ensure_ascii=False), file=sys.stderr, flush=True)
            if result["p95_ms"] > 2000:  # far past the mark: more users say nothing new
                break
    finally:
        for proc in (server, worker):
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    passing = [lv["users"] for lv in out["levels"] if lv["p95_ms"] <= 500]
    out["max_users_p95_under_500ms"] = max(passing, default=0)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
