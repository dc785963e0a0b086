"""``gonghui worker``: runs background tasks (django-tasks database backend) and enqueues
the periodic ones that modules declare (``core.periodic.every``)."""

from __future__ import annotations

import threading
from typing import Any

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from gonghui.core.monitoring import worker_beat
from gonghui.core.periodic import enqueue_due


class Command(DbWorkerCommand):
    help = "Run background tasks and enqueue periodic ones."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--schedule-every",
            type=float,
            default=30.0,
            help="seconds between checks for due periodic tasks (0: no scheduler)",
        )

    def handle(self, *args: Any, schedule_every: float = 30.0, **options: Any) -> None:  # type: ignore[override]
        if schedule_every > 0:
            stop = threading.Event()

            def scheduler() -> None:
                while not stop.is_set():
                    try:
                        worker_beat()  # /readyz: a worker is alive
                        enqueue_due()
                    except Exception as exc:  # noqa: BLE001 - the scheduler must keep going
                        self.stderr.write(f"periodic scheduling failed: {exc}")
                    finally:
                        close_old_connections()
                    stop.wait(schedule_every)

            threading.Thread(target=scheduler, name="gonghui-scheduler", daemon=True).start()
        super().handle(*args, **options)
