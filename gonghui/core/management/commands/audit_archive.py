"""``gonghui audit-archive --before YYYY-MM-DD --output FILE``: move the sealed audit blocks
older than the day (and than the retention, at least 180 days) to a gzip JSON-lines file; the
seals stay, so ``audit-verify`` still walks the whole chain and checks the file against it."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gonghui.core import auditchain


class Command(BaseCommand):
    help = "Archive sealed audit blocks older than a day to a file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--before", required=True, type=date.fromisoformat)
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args: Any, before: date, output: Path, **options: Any) -> None:
        if output.exists():
            raise CommandError(f"{output} 已存在")
        moment = timezone.make_aware(datetime.combine(before, time.min))
        auditchain.seal()
        try:
            result = auditchain.archive(before=moment, output=output)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已归档 {result['blocks']} 个区块，{result['rows']} 条记录：{output}")
