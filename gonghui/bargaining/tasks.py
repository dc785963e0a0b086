"""Collective bargaining's background tasks: the daily tick of cards, and a campaign's offer
letters made as one PDF."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django_tasks import task

from gonghui.core.periodic import every


@task()
def bargaining_tick() -> dict[str, int]:
    from .services import threads_tick

    return threads_tick()


every(timedelta(hours=6), bargaining_tick)


@task()
def letters_job(batch_id: int) -> dict[str, Any]:
    from .letters import run_batch

    return run_batch(batch_id)
