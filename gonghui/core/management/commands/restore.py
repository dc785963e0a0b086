"""``gonghui restore FILE``: into an empty data dir (or empty database), run with the
installation's field key. A wrong passphrase or another field key is refused before anything
is written; afterwards the counts and the audit chain are checked against the manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gonghui.core.backup import BackupError, restore

from ._passphrase import passphrase


class Command(BaseCommand):
    help = "Restore a backup archive into an empty data dir or database."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--json", action="store_true", help="print the outcome as JSON")

    def handle(self, *args: Any, archive: Path, **options: Any) -> None:
        if not archive.is_file():
            raise CommandError(f"找不到 {archive}")
        try:
            done = restore(archive, passphrase(confirm=False))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        expected = done.manifest["counts"]
        differ = {
            t: (expected[t], done.counts.get(t))
            for t in expected
            if done.counts.get(t) != expected[t]
        }
        outcome = {
            "tables": len(expected),
            "rows": sum(done.counts.values()),
            "files": len(done.manifest["files"]),
            "counts_match": not differ,
            "audit_ok": done.audit_ok,
            "audit_head": done.audit_head,
        }
        if options["json"]:
            self.stdout.write(json.dumps(outcome, ensure_ascii=False))
        else:
            self.stdout.write(
                f"已恢复：{outcome['tables']} 张表 {outcome['rows']} 行，"
                f"{outcome['files']} 个文件；审计链{'完整' if done.audit_ok else '不符'}"
            )
        if differ or not done.audit_ok:
            raise CommandError(f"恢复后与清单不符：{differ or '审计链'}")
