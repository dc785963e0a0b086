"""The hotline's periodic task: yellow and red cards, run daily by the worker (and by
``gonghui hotline-tick``). Safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from gonghui.core.periodic import every


@task()
def hotline_tick() -> dict[str, int]:
    from .services import tickets_tick

    return tickets_tick()


every(timedelta(hours=1), hotline_tick)
