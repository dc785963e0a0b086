"""Kernel housekeeping, run by the worker every hour: expired sessions and login attempts,
and the files past their retention (uploads, result workbooks, stored files). Safe to run
twice: it only deletes what has already expired."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks import task

from .periodic import every


@task()
def housekeeping() -> dict[str, int]:
    from axes.models import AccessAttempt
    from django.conf import settings

    from .uploads import purge_expired

    now = timezone.now()
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    attempts, _ = AccessAttempt.objects.filter(
        attempt_time__lt=now - settings.AXES_COOLOFF_TIME
    ).delete()
    return {"sessions": sessions, "attempts": attempts, **purge_expired(now)}


every(timedelta(hours=1), housekeeping)


@task()
def audit_seal() -> dict[str, int]:
    """Seal the audit rows no open transaction can still add to (``core.auditchain``). Safe to
    run twice: a second sealer waits for the first's lock and finds nothing new."""
    from .auditchain import seal

    return {"blocks": seal()}


every(timedelta(minutes=5), audit_seal)


@task()
def jobs_reap() -> dict[str, int]:
    """Mark failed the jobs whose worker stopped beating (``core.jobs``); safe twice."""
    from .jobs import reap

    return {"failed": reap()}


every(timedelta(minutes=1), jobs_reap)
