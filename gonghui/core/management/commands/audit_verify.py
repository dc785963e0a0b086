"""``gonghui audit-verify``: walk the sealed blocks of the audit log and name the first broken
link (exit 1), or print the head hash to keep apart from the server (exit 0)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gonghui.core import auditchain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain (and, with --archive, an archive file)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seal", action="store_true", help="seal what can be sealed first")
        parser.add_argument("--archive", type=Path, help="also verify this archive file")

    def handle(
        self, *args: Any, seal: bool = False, archive: Path | None = None, **options: Any
    ) -> None:
        if seal:
            auditchain.seal()
        report = auditchain.verify()
        problems = list(report.problems)
        if archive is not None:
            problems += auditchain.verify_archive(archive)
        if problems:
            raise CommandError("审计链断裂：" + problems[0])
        self.stdout.write(report.text())
