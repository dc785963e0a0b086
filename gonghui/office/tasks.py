"""The office's daily tick: late data submissions flagged, task cards refreshed."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from gonghui.core.periodic import every


@task()
def office_tick() -> dict[str, int]:
    from .services import tick

    return tick()


every(timedelta(hours=6), office_tick)
