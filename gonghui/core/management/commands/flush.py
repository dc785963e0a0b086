"""``flush`` empties every table, the audit log included: the one writer besides the archive
that the append-only triggers let remove audit rows (tests between transactional cases)."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from gonghui.core.auditchain import unlocked


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        with unlocked(connections[options.get("database") or "default"]):
            super().handle(**options)
