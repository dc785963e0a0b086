"""Benchmark: a campaign's offer letters (要约书) as PDF, 6,000 enterprises.

Data: one county federation with one grassroots union, ``--letters`` enterprises (default
6,000) offered in one campaign. Measured in a fresh process per database: the **batch**, one
merged PDF through ``bargaining.letters.run_batch`` (what the worker runs when a county asks
for its letters), beside the **baseline**, one PDF per letter through
``bargaining.letters.letter_pdf`` for ``--sample`` letters (default 300), extrapolated to
the same number — the way a page answering one letter at a time would make them. For each:
seconds of CPU and wall time, letters per second, bytes, and the growth of peak memory.

Target (issue 19): 6,000 letters "in minutes, not hours", in the background with progress.

Usage::

    python benchmarks/bargaining_letters.py [--letters 6000] [--sample 300]
        [--postgres postgres://postgres@127.0.0.1:5432/bench_bargaining] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from common import child_env, run, run_step  # noqa: E402

FIELD_KEY = "Z29uZ2h1aSBiZW5jaG1hcmsgZmllbGQga2V5IDMyYnk="  # 32 bytes, base64: benchmark only


def _setup(letters: int) -> Any:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    import django

    django.setup()
    from datetime import date

    from django.core.management import call_command

    from gonghui.accounts.models import User
    from gonghui.bargaining import services
    from gonghui.bargaining.models import Campaign
    from gonghui.core.identifiers import uscc_with_check
    from gonghui.orgs.models import Enterprise
    from gonghui.orgs.services import org_insert

    call_command("migrate", verbosity=0)
    city = org_insert(
        code="371700", parent=None, name="菏泽市总工会", kind="city", region_code="371700"
    )
    county = org_insert(
        code="371702", parent=city, name="牡丹区总工会", kind="county", region_code="371702"
    )
    union = org_insert(code="G-0001", parent=county, name="牡丹区建筑业联合工会", kind="grassroots")
    cadre = User.objects.create(username="bench", role="cadre", org=city, full_name="测试")
    Enterprise.objects.bulk_create(
        [
            Enterprise(
                name=f"菏泽市牡丹区第{n}号建材有限公司",
                uscc=uscc_with_check(f"91371702MA{n:07d}"),
                county=county,
                union=union if n % 3 else None,
                headcount=20 + n % 200,
            )
            for n in range(1, letters + 1)
        ],
        batch_size=2000,
    )
    campaign: Campaign = services.campaign_create(
        actor=cadre,
        org=city,
        data={
            "title": "2020年集体协商集中要约行动",
            "starts_on": date(2020, 3, 2),
            "ends_on": "2020-12-31",
        },
    )
    services.offer(
        actor=cadre,
        campaign=campaign,
        enterprises=Enterprise.objects.select_related("county"),
        offered_on=date(2020, 3, 2),
    )
    return cadre, campaign, county


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step_batch(args: argparse.Namespace) -> dict[str, Any]:
    cadre, campaign, county = _setup(args.letters)
    from gonghui.bargaining import letters

    batch = letters.batch_request(actor=cadre, campaign=campaign, org=county)
    before = _rss_mb()
    cpu, wall = time.process_time(), time.perf_counter()
    result = letters.run_batch(batch.pk)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "letters": result["letters"],
        "cpu_s": round(cpu, 1),
        "wall_s": round(wall, 1),
        "per_s": round(result["letters"] / wall, 1),
        "bytes": result.get("bytes", 0),
        "rss_growth_mb": round(_rss_mb() - before, 1),
    }


def step_single(args: argparse.Namespace) -> dict[str, Any]:
    cadre, campaign, county = _setup(args.sample)
    from gonghui.bargaining import letters
    from gonghui.bargaining.models import Thread

    threads = list(Thread.objects.select_related("enterprise", "county", "union", "campaign"))
    before = _rss_mb()
    cpu, wall = time.process_time(), time.perf_counter()
    size = sum(len(letters.letter_pdf(t)) for t in threads)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    scale = args.letters / len(threads)
    return {
        "letters": args.letters,
        "measured": len(threads),
        "cpu_s": round(cpu * scale, 1),
        "wall_s": round(wall * scale, 1),
        "per_s": round(len(threads) / wall, 1),
        "bytes": int(size * scale),
        "rss_growth_mb": round(_rss_mb() - before, 1),
    }


def bench(label: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    options = ["--letters", str(args.letters), "--sample", str(args.sample)]

    def env(step: str) -> dict[str, str]:  # a fresh database for each step
        return child_env(label, work / step, field_key=FIELD_KEY, postgres=args.postgres)

    result = {
        "baseline (one PDF per letter)": run_step(__file__, "single", env("single"), options),
        "batch (one merged PDF)": run_step(__file__, "batch", env("batch"), options),
    }
    print(f"--- {label} (load average {os.getloadavg()[0]:.1f}) ---")
    for name, figures in result.items():
        print(f"{name:32} " + "  ".join(f"{k}={v}" for k, v in figures.items()))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=6000)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/bench_bargaining")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    run(args, {"batch": step_batch, "single": step_single}, bench, name="bargaining")


if __name__ == "__main__":
    main()
