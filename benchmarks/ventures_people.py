"""Benchmark: the people a park's ventures employ, imported from one sheet.

Data: a county with one park and 200 ventures, 2,000 members in its registry, 400 hardship
files in the assistance archive; a sheet of ``--rows`` people (default 10,640: the seed's
2020) spread over the ventures, a fifth of them members (found by the blind index of their
ID number) and the archive's people among them. Measured in a fresh process per database:
the **import** (``ventures.registry.import_file``: the upload guard, every row checked, the
registry and the archive read in bulk, one set-based insert) and the **re-import** of the
same sheet (nothing changes). Seconds of CPU and wall time, rows per second, peak memory
growth.

Target (issue 20): 10k+ employee rows load in a few seconds.

Usage::

    python benchmarks/ventures_people.py [--rows 10640]
        [--postgres postgres://postgres@127.0.0.1:5432/bench_ventures] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import io
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
VENTURES = 200


def _ident(n: int) -> str:
    """A distinct valid ID number for each ``n`` (a birth day per thousand, the sequence)."""
    from datetime import date, timedelta

    from gonghui.core.identifiers import citizen_id_check_char

    body = f"371702{date(1970, 1, 1) + timedelta(days=n // 1000):%Y%m%d}{n % 1000:03d}"
    return body + citizen_id_check_char(body)


def _setup(rows: int) -> tuple[Any, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    import django

    django.setup()
    from datetime import date

    import xlsxwriter
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from gonghui.accounts.models import User
    from gonghui.assistance.models import Family
    from gonghui.members.models import Member
    from gonghui.orgs.services import org_insert
    from gonghui.ventures import registry, services

    call_command("migrate", verbosity=0)
    city = org_insert(code="371700", parent=None, name="菏泽市总工会", kind="city")
    county = org_insert(code="371702", parent=city, name="牡丹区总工会", kind="county")
    union = org_insert(code="G-0001", parent=county, name="牡丹区联合工会", kind="grassroots")
    cadre = User.objects.create(username="bench", role="cadre", org=city, full_name="测试")
    numbers = [_ident(n) for n in range(rows)]
    Member.objects.bulk_create(
        [
            Member(
                name="会员甲",
                sex="M",
                id_number=numbers[i],
                birth_date=date(1980, 1, 1),
                org=union,
                joined_on=date(2019, 1, 1),
                status_since=date(2019, 1, 1),
            )
            for i in range(0, rows, 5)
        ],
        batch_size=1000,
    )
    Family.objects.bulk_create(
        [
            Family(
                org=union,
                number=f"B{i:06d}",
                name="困难职工",
                id_number=numbers[i],
                main_cause="illness",
                applied_on=date(2019, 1, 1),
                status="archived",
                archived_on=date(2019, 2, 1),
            )
            for i in range(3, rows, rows // 400)
        ],
        batch_size=1000,
    )
    park = services.park_save(
        actor=cadre,
        data={
            "code": "CYY-1",
            "name": "创业园",
            "level": "municipal",
            "host": "牡丹区总工会",
            "org": "371702",
            "recognized_on": "2020-01-10",
        },
    )
    names = []
    for v in range(VENTURES):
        venture = services.venture_save(
            actor=cadre,
            park=park,
            data={
                "name": f"项目{v}",
                "industry": "C",
                "started_on": "2020-02-01",
                "founder_name": "创业者",
                "founder_id_number": _ident(rows * 3 + v),
            },
        )
        names.append(venture.name)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, [label for _n, label in registry.PEOPLE_COLUMNS])
    for i, number in enumerate(numbers, start=1):
        sheet.write_row(
            i, 0, ["CYY-1", names[i % VENTURES], "工人", number, "2020-06-01", "", "否"]
        )
    book.close()
    return cadre, lambda: SimpleUploadedFile("people.xlsx", buffer.getvalue())


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step_import(args: argparse.Namespace) -> dict[str, Any]:
    cadre, upload = _setup(args.rows)
    from gonghui.ventures import registry
    from gonghui.ventures.models import Person

    out: dict[str, Any] = {}
    for label in ("import", "re-import"):
        before = _rss_mb()
        cpu, wall = time.process_time(), time.perf_counter()
        result = registry.import_file(actor=cadre, upload=upload(), kind="people")
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        out[label] = {
            "rows": result["rows"],
            "saved": result["saved"],
            "rejected": result["rejected_count"],
            "cpu_s": round(cpu, 2),
            "wall_s": round(wall, 2),
            "rows_per_s": round(result["rows"] / wall),
            "rss_growth_mb": round(_rss_mb() - before, 1),
        }
    out["hardship"] = Person.objects.filter(hardship=True, role="employee").count()
    out["members"] = Person.objects.filter(member__isnull=False).count()
    return out


def bench(label: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    env = child_env(label, work, field_key=FIELD_KEY, postgres=args.postgres)
    result = run_step(__file__, "import", env, ["--rows", str(args.rows)])
    print(f"--- {label} (load average {os.getloadavg()[0]:.1f}) ---")
    for name, figures in result.items():
        text = (
            "  ".join(f"{k}={v}" for k, v in figures.items())
            if isinstance(figures, dict)
            else figures
        )
        print(f"{name:12} {text}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10640)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/bench_ventures")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    run(args, {"import": step_import}, bench, name="ventures")


if __name__ == "__main__":
    main()
