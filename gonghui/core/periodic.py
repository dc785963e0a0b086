"""Periodic tasks: modules declare ``every(interval, task)``; ``gonghui worker`` enqueues them.

The scheduler locks the task's ``PeriodicRun`` row before enqueueing, so several workers
never enqueue one period twice; the tasks themselves are still written to be safe twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone


@dataclass(frozen=True)
class Periodic:
    name: str
    interval: timedelta
    task: Any  # a django_tasks Task taking no arguments


SCHEDULE: dict[str, Periodic] = {}


def every(interval: timedelta, task: Any) -> Any:
    SCHEDULE[task.module_path] = Periodic(task.module_path, interval, task)
    return task


def enqueue_due(now: Any = None) -> list[str]:
    """Enqueue every periodic task whose interval has passed; returns the names enqueued."""
    from .models import PeriodicRun

    now = now or timezone.now()
    enqueued = []
    for item in SCHEDULE.values():
        with transaction.atomic():
            run, _ = PeriodicRun.objects.select_for_update().get_or_create(name=item.name)
            if run.last_enqueued_at and run.last_enqueued_at + item.interval > now:
                continue
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
            transaction.on_commit(item.task.enqueue)
            enqueued.append(item.name)
    return enqueued
