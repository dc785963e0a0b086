"""The hotline's background tasks: yellow and red cards, run hourly by the worker (and by
``gonghui hotline-tick``); a large transfer sheet's import. Both safe to run twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django_tasks import task

from gonghui.core.periodic import every


@task()
def hotline_tick() -> dict[str, int]:
    from .services import tickets_tick

    return tickets_tick()


every(timedelta(hours=1), hotline_tick)


@task()
def import_transfer_job(job_id: int) -> dict[str, Any]:
    from .importing import run_import_job

    return run_import_job(job_id)
