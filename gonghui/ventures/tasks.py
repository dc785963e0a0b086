"""The ventures module's background task: the hardship flags read again from the archive
every night (files archived or exited since)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from gonghui.core.periodic import every


@task()
def ventures_hardship_refresh() -> int:
    from .services import hardship_refresh

    return hardship_refresh()


every(timedelta(hours=24), ventures_hardship_refresh)
