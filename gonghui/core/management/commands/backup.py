"""``gonghui backup --output FILE``: one encrypted archive of the database, the retained files
and a manifest (counts, checksums, the field key's fingerprint — never the key itself)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gonghui.core.backup import BackupError, backup

from ._passphrase import passphrase


class Command(BaseCommand):
    help = "Back up the database and the retained files into one encrypted archive."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", required=True, type=Path)
        parser.add_argument("--json", action="store_true", help="print the manifest as JSON")

    def handle(self, *args: Any, output: Path, **options: Any) -> None:
        if output.exists():
            raise CommandError(f"{output} 已存在")
        secret = passphrase(confirm=True)
        try:
            manifest = backup(output, secret)
        except BackupError as exc:
            output.unlink(missing_ok=True)
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(manifest, ensure_ascii=False))
            return
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"已备份到 {output}：{len(manifest['counts'])} 张表 {rows} 行，"
            f"{len(manifest['files'])} 个文件；字段密钥指纹 {manifest['field_key_fingerprint']}"
            "（密钥本身不在备份里，请另行保管）"
        )
