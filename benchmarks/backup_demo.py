"""Backup, restore and key rotation of the loaded Heze demo (issue 21), on SQLite and
PostgreSQL: the demo is loaded into a fresh installation, backed up (`gonghui backup`),
restored into an empty one (`gonghui restore`), every table's row count and a sample of
decrypted values (members' ID numbers and phones, 12351 callers' phones, legal-aid applicants,
assistance families) compared with the source; then the restored copy's field key is rotated
(`gonghui rotate-field-key`) and the same values read back under the new key alone.

    python benchmarks/backup_demo.py                                   # SQLite
    python benchmarks/backup_demo.py --postgres postgres://postgres@127.0.0.1:5432/bench_backup
    python benchmarks/backup_demo.py --no-sqlite --no-rotate --postgres postgres://…

Figures are CPU seconds of each command's process (its own and its children's: pg_dump,
pg_restore), wall seconds beside them, and its peak RSS (the largest of the command and those
children; not the PostgreSQL server's); the archive's size; the load average before and after
each database's run (the machine may be shared). Exit 1 if anything differs.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
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


def _gonghui(env: dict[str, str], *args: str) -> tuple[str, float, float, float]:
    """Run one command; its stdout, CPU seconds (with its children), wall seconds and peak
    RSS in MB (the largest of the command's process and the children it waited for:
    ``pg_dump``, ``pg_restore``; the PostgreSQL server's own memory is not in it)."""
    wall = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "gonghui", *args], env=env, stdout=out, stderr=err
        )
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - wall
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        sys.stderr.write(stdout[-3000:] + stderr[-3000:])
        raise SystemExit(f"gonghui {args[0]} failed")
    cpu = usage.ru_utime + usage.ru_stime
    return stdout, round(cpu, 1), round(wall, 1), round(usage.ru_maxrss / 1024)


def _pg_drop(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _last_json(text: str) -> Any:
    return json.loads(text.strip().splitlines()[-1])


def bench(label: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    src = common.child_env(label, work, field_key=FIELD_KEY, postgres=args.postgres)
    src["GONGHUI_BACKUP_PASSPHRASE"] = PASSPHRASE
    out: dict[str, Any] = {}
    _o, out["demo_cpu_s"], out["demo_wall_s"], out["demo_peak_mb"] = _gonghui(
        src, "demo", "--no-serve"
    )
    before, *_ = _gonghui(src, "shell", "-c", SAMPLE)
    archive = work / f"{label}.gonghui"
    text, out["backup_cpu_s"], out["backup_wall_s"], out["backup_peak_mb"] = _gonghui(
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
    text, out["restore_cpu_s"], out["restore_wall_s"], out["restore_peak_mb"] = _gonghui(
        dst, "restore", str(archive), "--json"
    )
    restored = _last_json(text)
    # the restore compares every table's count with the manifest's itself
    out["counts_match"] = bool(restored["counts_match"]) and restored["rows"] == out["rows"]
    out["audit_ok"] = bool(restored["audit_ok"])
    after, *_ = _gonghui(dst, "shell", "-c", SAMPLE)
    sample = _last_json(before)
    out["sampled_values"] = sum(len(v) for v in sample.values())
    out["values_match"] = sample == _last_json(after)

    if not args.no_rotate:
        _rotate(out, dst, target, sample)
    if label == "postgresql":
        _pg_drop(args.postgres + "_restored")
        _pg_drop(args.postgres)
    return out


def _rotate(out: dict[str, Any], dst: dict[str, str], target: Path, sample: Any) -> None:
    counted, *_ = _gonghui(dst, "rotate-field-key", "--new-key", NEW_KEY, "--dry-run", "--json")
    out["rotate_values"] = _last_json(counted)["remaining"]
    text, out["rotate_cpu_s"], out["rotate_wall_s"], out["rotate_peak_mb"] = _gonghui(
        dst, "rotate-field-key", "--new-key", NEW_KEY, "--json"
    )
    rotated = _last_json(text)
    out["rotate_done"] = rotated["done"] and rotated["remaining"] == 0
    out["rotate_rows_moved"] = rotated["moved"]
    out["key_file_is_new"] = (target / "field_key").read_text().strip() == NEW_KEY
    again, *_ = _gonghui(dst, "shell", "-c", SAMPLE)
    out["values_match_after_rotation"] = sample == _last_json(again)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres",
        default="",
        help="a PostgreSQL URL: its database and "
        "the one named with _restored are created afresh and dropped after",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--no-rotate", action="store_true", help="backup and restore only")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gonghui-backup-bench-"))
    results: dict[str, Any] = {"load_average_before": [round(x, 1) for x in os.getloadavg()]}
    try:
        for label in ("sqlite", "postgresql"):
            if (label == "sqlite" and not args.no_sqlite) or (
                label == "postgresql" and args.postgres
            ):
                results[label] = bench(label, args, work)
                results[f"load_average_after_{label}"] = [round(x, 1) for x in os.getloadavg()]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results, ensure_ascii=False, indent=1))
    checks = ["counts_match", "audit_ok", "values_match"]
    if not args.no_rotate:
        checks += ["rotate_done", "values_match_after_rotation", "key_file_is_new"]
    runs = [r for r in results.values() if isinstance(r, dict)]
    raise SystemExit(0 if runs and all(r[c] for r in runs for c in checks) else 1)


if __name__ == "__main__":
    os.umask(0o077)
    main()
