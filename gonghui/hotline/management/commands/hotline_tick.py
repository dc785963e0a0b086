"""``gonghui hotline-tick [--date YYYY-MM-DD]``: set yellow and red cards on open work orders
and notify their handlers (the worker runs the same task every hour; safe to run twice)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gonghui.hotline.services import tickets_tick


class Command(BaseCommand):
    help = "设置热线工单黄牌、红牌并通知承办单位"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=date.fromisoformat, default=None, help="按该日计算")

    def handle(self, *args: Any, **options: Any) -> None:
        result = tickets_tick(today=options["date"])
        self.stdout.write(json.dumps(result))
