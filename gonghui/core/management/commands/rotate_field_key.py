"""``gonghui rotate-field-key --new-key NEWKEY``: every encrypted value moved to a new field
key and every blind index recomputed, in batches, resumable; the old key retired only when
nothing still uses it (``core.keyrotation``). ``--dry-run`` counts what would move."""

from __future__ import annotations

import json
import os
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from gonghui.core import crypto, keyrotation


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field under a new field key (resumable)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--new-key",
            default="",
            help="base64 of 32 bytes (or GONGHUI_NEW_FIELD_KEY, kept out of the shell history)",
        )
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--pause-ms", type=int, default=0, help="wait between batches (a loaded server)"
        )
        parser.add_argument("--dry-run", action="store_true", help="count, write nothing")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        new_key = options["new_key"] or os.environ.get("GONGHUI_NEW_FIELD_KEY", "")
        if not new_key:
            raise CommandError(
                "请用 --new-key 或 GONGHUI_NEW_FIELD_KEY 给出新密钥（32 字节的 base64）"
            )
        try:
            new = crypto.parse_key(new_key)
        except ImproperlyConfigured as exc:
            raise CommandError(f"新密钥无效：{exc}") from exc
        if not 1 <= options["batch_size"] <= 100_000:
            raise CommandError("--batch-size 应在 1 到 100000 之间")
        if options["dry_run"]:
            counts = keyrotation.dry_run(new_key)
            if options["json"]:
                self.stdout.write(
                    json.dumps(
                        {
                            "new_key": new.kid,
                            "remaining": keyrotation.total_stale(counts),
                            "by_table": counts,
                        },
                        ensure_ascii=False,
                    )
                )
                return
            for label, cols in counts.items():
                moving = {k: v for k, v in cols.items() if k != "rows" and v}
                self.stdout.write(f"{label}：{cols['rows']} 行，待换 {moving or '无'}")
            self.stdout.write(f"共 {keyrotation.total_stale(counts)} 个值待换到新密钥 {new.kid}")
            return
        say = (lambda _s: None) if options["json"] else self.stdout.write
        try:
            outcome = keyrotation.rotate(
                new_key,
                batch_size=options["batch_size"],
                pause=options["pause_ms"] / 1000,
                say=say,
            )
        except keyrotation.RotationError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))
        else:
            left = keyrotation.total_stale(outcome.remaining)
            self.stdout.write(f"重新加密 {outcome.moved} 行；待换 {left} 个值。{outcome.message}")
        if not outcome.done and keyrotation.total_stale(outcome.remaining):
            raise SystemExit(2)
