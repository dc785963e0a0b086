"""Background jobs that recover: heartbeat, the reaper, cancel and retry (``ImportJob``).

- ``claim`` takes a pending job (one conditional UPDATE, so a duplicate run finds nothing)
  and gives it a new ``attempt``; ``heartbeat`` beats for it from a thread every
  ``JOB_HEARTBEAT_SECONDS`` while the work runs (a worker killed mid-job stops beating).
- ``beat`` is the work's own progress call: it records progress only while this attempt still
  holds the job and no cancel was asked for, and raises ``JobCancelled`` otherwise, so a
  cancel or a retry stops an old run at its next progress — before its write transaction,
  whose rows therefore commit whole or not at all. A run that writes while it works (a first
  big roster on PostgreSQL) beats through ``aside``, from a connection of its own: its
  progress shows at once, and a cancel stops it inside its transaction, which rolls back.
- ``reap`` (the worker, every minute) marks a running job failed once its heartbeat is older
  than ``GONGHUI_JOB_TIMEOUT_SECONDS``; ``job_cancel`` and ``job_retry`` are the services
  behind the page's and the API's buttons (audited).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .errors import Conflict
from .models import ImportJob, ImportStatus

ACTIVE = (ImportStatus.RUNNING, ImportStatus.WRITING)


class JobCancelled(Exception):
    """This attempt no longer holds its job (cancelled, reaped and retried)."""


def claim(job_id: int) -> int | None:
    """Take a pending job; the attempt number, or ``None`` if another run has it."""
    now = timezone.now()
    with transaction.atomic():
        claimed = ImportJob.objects.filter(
            pk=job_id, status=ImportStatus.PENDING, cancel_requested=False
        ).update(
            status=ImportStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempt=F("attempt") + 1,
        )
        if not claimed:
            return None
        return int(ImportJob.objects.values_list("attempt", flat=True).get(pk=job_id))


def aside(work: Callable[[], Any]) -> Any:
    """``work()`` on a database connection of its own (a helper thread's), outside the
    caller's transaction, and its result (or its exception) here."""

    def run() -> Any:
        try:
            return work()
        finally:
            connection.close()  # the helper thread's own connection

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="job-aside") as pool:
        return pool.submit(run).result()


def _holds(job_id: int, attempt: int) -> Any:
    return ImportJob.objects.filter(
        pk=job_id, attempt=attempt, status__in=ACTIVE, cancel_requested=False
    )


def beat(job_id: int, attempt: int, **fields: Any) -> None:
    """Progress of this attempt (and a heartbeat); ``JobCancelled`` once it lost the job."""
    if not _holds(job_id, attempt).update(heartbeat_at=timezone.now(), **fields):
        raise JobCancelled(job_id)


@contextmanager
def heartbeat(job_id: int, attempt: int) -> Iterator[None]:
    """Beat from a thread while the body runs: long writes make no progress calls."""
    stop = threading.Event()
    every = settings.JOB_HEARTBEAT_SECONDS

    def run() -> None:
        try:
            while not stop.wait(every):
                # SQLite may be busy under the import's own write lock: the next beat
                with contextlib.suppress(Exception):
                    ImportJob.objects.filter(pk=job_id, attempt=attempt, status__in=ACTIVE).update(
                        heartbeat_at=timezone.now()
                    )
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=f"job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def finish(job_id: int, attempt: int, status: str, **fields: Any) -> bool:
    """The attempt's outcome, unless a newer attempt holds the job. A run whose write has
    committed records DONE even if the reaper gave up on it meanwhile: it is the truth."""
    qs = ImportJob.objects.filter(pk=job_id, attempt=attempt)
    if status != ImportStatus.DONE:
        qs = qs.exclude(status__in=(ImportStatus.DONE, ImportStatus.CANCELLED))
    return bool(qs.update(status=status, finished_at=timezone.now(), **fields))


def timeout() -> timedelta:
    return timedelta(seconds=settings.JOB_TIMEOUT_SECONDS)


def is_stale(job: ImportJob, now: Any = None) -> bool:
    now = now or timezone.now()
    seen = job.heartbeat_at or job.started_at
    return job.status in ACTIVE and (seen is None or seen < now - timeout())


def reap(now: Any = None) -> int:
    """Mark failed the running jobs whose worker stopped beating; returns how many."""
    now = now or timezone.now()
    limit = now - timeout()
    minutes = max(1, settings.JOB_TIMEOUT_SECONDS // 60)
    message = _(
        "处理进程已停止响应（超过 %(n)s 分钟没有心跳），未写入的部分没有写入；可以重试或取消。"
    ) % {"n": minutes}
    stale = ImportJob.objects.filter(status__in=ACTIVE, heartbeat_at__lt=limit)
    stale_old = ImportJob.objects.filter(
        status__in=ACTIVE, heartbeat_at__isnull=True, started_at__lt=limit
    )
    n = 0
    for qs in (stale, stale_old):
        n += qs.update(status=ImportStatus.FAILED, message=message, finished_at=now)
    return n


def upload_available(job: ImportJob) -> bool:
    return job.file_removed_at is None and bool(job.file_path) and Path(job.file_path).exists()


def can_cancel(job: ImportJob) -> bool:
    return job.status in (ImportStatus.PENDING, *ACTIVE) and not job.cancel_requested


def can_retry(job: ImportJob) -> bool:
    return job.status in (ImportStatus.FAILED, ImportStatus.CANCELLED) and upload_available(job)


def _record(job: ImportJob, actor: Any, action: str, before: str, after: str) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type="import_job",
        object_id=job.pk,
        object_org=job.org,
        object_repr=job.file_name[:200],
        changes={"status": {"before": before, "after": after}},
    )


def job_cancel(*, job: ImportJob, actor: Any) -> ImportJob:
    """Cancel a job: a pending one (or one whose worker died) at once; a running one at its
    next progress, before anything is written (its write is one transaction)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not can_cancel(job):
            raise Conflict(_("该任务已结束，不能取消"))
        before = job.status
        if job.status == ImportStatus.PENDING or is_stale(job):
            job.status = ImportStatus.CANCELLED
            job.finished_at = timezone.now()
            job.message = _("已取消，没有写入任何数据")
            job.save(update_fields=["status", "finished_at", "message"])
        else:
            job.cancel_requested = True
            job.message = _("正在取消……")
            job.save(update_fields=["cancel_requested", "message"])
        _record(job, actor, "import.cancel", before, job.status)
    return job


def job_retry(*, job: ImportJob, actor: Any, enqueue: Callable[[int], Any]) -> ImportJob:
    """Run a failed or cancelled job again from its upload (kept until its retention);
    the import is safe to repeat: rows already in the registry are unchanged."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not can_retry(job):
            if job.status in (ImportStatus.FAILED, ImportStatus.CANCELLED):
                raise Conflict(_("上传的文件已过保留期限并删除，请重新上传"))
            raise Conflict(_("只有失败或已取消的任务可以重试"))
        before = job.status
        for name in ("total", "processed", "created", "updated", "unchanged", "rejected", "warned"):
            setattr(job, name, 0)
        job.status = ImportStatus.PENDING
        job.cancel_requested = False
        job.message = ""
        job.errors_file = ""
        job.started_at = job.finished_at = job.heartbeat_at = None
        job.save()
        _record(job, actor, "import.retry", before, job.status)
        pk = job.pk
        transaction.on_commit(lambda: enqueue(pk))
    return job


def run_with_recovery(
    job_id: int, work: Callable[[ImportJob, Callable[..., None]], dict[str, Any]]
) -> dict[str, Any]:
    """Claim, beat and finish a job around ``work(job, progress)``, which returns the fields
    of the finished job. ``progress(**fields)`` raises ``JobCancelled`` to stop it."""
    attempt = claim(job_id)
    job = ImportJob.objects.select_related("org", "actor").get(pk=job_id)
    if attempt is None:
        return {"job": job.pk, "status": job.status, "skipped": True}

    def progress(**fields: Any) -> None:
        beat(job_id, attempt, **fields)

    try:
        with heartbeat(job_id, attempt):
            fields = work(job, progress)
    except JobCancelled:
        finish(job_id, attempt, ImportStatus.CANCELLED, message=_("已取消，没有写入任何数据"))
        return {"job": job_id, "status": ImportStatus.CANCELLED.value}
    status = ImportStatus(fields.pop("status", ImportStatus.DONE))
    finish(job_id, attempt, status, **fields)
    return {"job": job_id, "status": status.value, **fields}
