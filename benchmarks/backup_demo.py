"""Backup, restore and key rotation of the loaded Heze demo (issue 21), on SQLite and
PostgreSQL: the demo is loaded into a fresh installation, backed up (`gonghui backup`),
restored into an empty one (`gonghui restore`), every table's row count and a sample of
decrypted values (members' ID numbers and phones, 12351 callers' phones, legal-aid applicants,
assistance families) compared with the source; then the restored copy's field key is rotated
(`gonghui rotate-field-key`) and the same values read back under the new key alone.

    python benchmarks/backup_demo.py                                   # SQLite
    python benchmarks/backup_demo.py --postgres postgres://postgres@127.0.0.1:5432/bench_backup

Figures are CPU seconds of each command's process (its own and its children's: pg_dump,
pg_restore), wall seconds beside them; exit 1 if anything differs.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

FIELD_KEY = "YmFja3VwLWRlbW8tYmVuY2gta2V5LTMyLWJ5dGVzISE="  # 32 bytes, base64: benchmark only
NEW_KEY = base64.b64encode(b"backup-demo-bench-new-key-32byte").decode()
PASSPHRASE = "benchmark passphrase, not a secret"  # noqa: S105

SAMPLE = r"""
import json
from gonghui.members.models import Member
from gonghui.hotline.models import Ticket
from gonghui.legal.models import Applicant
from gonghui.assistance.models import Family
out = {}
for m in Member.objects.order_by("id")[:: max(1, Member.objects.count() // 25)][:25]:
    out[f"member:{m.pk}"] = [m.id_number, m.phone]
for o in Ticket.objects.order_by("id")[:10]:
    out[f"order:{o.pk}"] = [o.caller_name, o.caller_phone, o.content[:40]]
for p in Applicant.objects.order_by("id")[:5]:
    out[f"party:{p.pk}"] = [p.name, p.id_number]
for f in Family.objects.order_by("id")[:5]:
    out[f"file:{f.pk}"] = [f.id_number, f.household_income]
print(json.dumps(out, ensure_ascii=False))
"""


def _gonghui(env: dict[str, str], *args: str) -> tuple[str, float, float]:
    """Run one command; its stdout, CPU seconds (with its children) and wall seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "gonghui", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"gonghui {args[0]} failed")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done.stdout, round(cpu, 1), round(wall, 1)


def _last_json(text: str) -> Any:
    return json.loads(text.strip().splitlines()[-1])


def bench(label: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    src = common.child_env(label, work, field_key=FIELD_KEY, postgres=args.postgres)
    src["GONGHUI_BACKUP_PASSPHRASE"] = PASSPHRASE
    out: dict[str, Any] = {}
    _o, out["demo_cpu_s"], out["demo_wall_s"] = _gonghui(src, "demo", "--no-serve")
    before, _c, _w = _gonghui(src, "shell", "-c", SAMPLE)
    archive = work / f"{label}.gonghui"
    text, out["backup_cpu_s"], out["backup_wall_s"] = _gonghui(
        src, "backup", "--output", str(archive), "--json"
    )
    manifest = _last_json(text)
    out["tables"] = len(manifest["counts"])
    out["rows"] = sum(manifest["counts"].values())
    out["members"] = manifest["counts"]["members_member"]
    out["archive_mb"] = round(archive.stat().st_size / 2**20, 1)

    # the restored installation keyed by its data dir's file, as one without the variable is
    dst = {k: v for k, v in src.items() if k not in ("GONGHUI_FIELD_KEY", "GONGHUI_DATA_DIR")}
    target = work / f"{label}-restored"
    target.mkdir(mode=0o700)
    (target / "field_key").write_text(FIELD_KEY + "\n")
    dst["GONGHUI_DATA_DIR"] = str(target)
    if label == "postgresql":
        dst["GONGHUI_DATABASE_URL"] = common.pg_recreate(args.postgres + "_restored")
    text, out["restore_cpu_s"], out["restore_wall_s"] = _gonghui(
        dst, "restore", str(archive), "--json"
    )
    restored = _last_json(text)
    out["counts_match"] = (
        bool(restored["counts_match"]) and restored["counts"] == manifest["counts"]
    )
    out["audit_ok"] = bool(restored["audit_ok"])
    after, _c, _w = _gonghui(dst, "shell", "-c", SAMPLE)
    sample = _last_json(before)
    out["sampled_values"] = sum(len(v) for v in sample.values())
    out["values_match"] = sample == _last_json(after)

    counted, _c, _w = _gonghui(dst, "rotate-field-key", "--new-key", NEW_KEY, "--dry-run", "--json")
    out["rotate_values"] = _last_json(counted)["remaining"]
    text, out["rotate_cpu_s"], out["rotate_wall_s"] = _gonghui(
        dst, "rotate-field-key", "--new-key", NEW_KEY, "--json"
    )
    rotated = _last_json(text)
    out["rotate_done"] = rotated["done"] and rotated["remaining"] == 0
    out["rotate_rows_moved"] = rotated["moved"]
    out["key_file_is_new"] = (target / "field_key").read_text().strip() == NEW_KEY
    again, _c, _w = _gonghui(dst, "shell", "-c", SAMPLE)
    out["values_match_after_rotation"] = sample == _last_json(again)
    if label == "postgresql":
        common.pg_recreate(args.postgres + "_restored")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="")
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    args.skip_postgres = not args.postgres
    work = Path(tempfile.mkdtemp(prefix="gonghui-backup-bench-"))
    try:
        results = {"sqlite": bench("sqlite", args, work)}
        if args.postgres:
            results["postgresql"] = bench("postgresql", args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results, ensure_ascii=False, indent=1))
    ok = all(
        r["counts_match"]
        and r["audit_ok"]
        and r["values_match"]
        and r["rotate_done"]
        and r["values_match_after_rotation"]
        and r["key_file_is_new"]
        for r in results.values()
    )
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    os.umask(0o077)
    main()
