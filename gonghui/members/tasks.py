"""Background work of the member registry: a roster import taken from an ``ImportJob``.

Safe to run twice: the job is claimed by one conditional UPDATE (pending → running), so a
second run — a retry, a duplicate enqueue — finds nothing to do and returns the job as it is.
Enqueue with ``transaction.on_commit`` after creating the job. The upload is deleted when the
job is done or its file found unusable, unless the job keeps it for a confirmed run (the
page's preview); the hourly purge deletes it after its retention at the latest.
"""

from __future__ import annotations

import time
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.utils import timezone
from django_tasks import task

from gonghui.core import jobs, uploads
from gonghui.core.errors import ServiceError
from gonghui.core.models import ImportJob, ImportStatus
from gonghui.core.periodic import every

from .importing import IN_TRANSACTION, WRITING, member_import


def errors_path_for(job: ImportJob) -> Path:
    """The job's rejected rows: 0600 under the data dir, deleted after their retention."""
    return uploads.private_dir("results") / f"import-{job.pk}-errors.xlsx"


def _done_with_upload(job: ImportJob) -> None:
    if job.keep_upload and job.dry_run:
        return
    uploads.remove(job.file_path)
    ImportJob.objects.filter(pk=job.pk).update(file_removed_at=timezone.now())


BEAT_EVERY = 1.0  # seconds between the beats of an import writing as it checks


def run_member_import(job_id: int) -> dict[str, Any]:
    """Run one member import job to its end (the task body, callable without a worker).

    Recovery (``core.jobs``): the run beats while it works; a cancel stops it at its next
    progress, before the write (one transaction); a run that crashes, dies or is cancelled
    keeps its upload until the retention, so that the job can be retried (an unusable file
    is deleted at once: a retry would fail the same way)."""

    def work(job: ImportJob, beat: Any) -> dict[str, Any]:
        last = [0.0]

        def progress(done: int, total: int, stage: str) -> None:
            writing = stage in WRITING
            status = ImportStatus.WRITING if writing else ImportStatus.RUNNING
            if stage not in IN_TRANSACTION:
                beat(processed=done, total=total, status=status)
                return
            # inside the import's transaction (rows written as they are checked): the beat
            # from a connection of its own, so that the page sees it now and the job's row
            # is not locked against a cancel (once a second, and when the writing begins)
            now = time.monotonic()
            if writing or now - last[0] >= BEAT_EVERY:
                last[0] = now
                jobs.aside(partial(beat, processed=done, total=total, status=status))

        errors_path = errors_path_for(job)
        try:
            result = member_import(
                actor=job.actor,
                org=job.org,
                path=job.file_path,
                file_name=job.file_name,
                dry_run=job.dry_run,
                errors_path=errors_path,
                progress=progress,
            )
        except ServiceError as exc:
            # the file itself is unusable: retrying it would fail the same way
            _done_with_upload(job)
            return {"status": ImportStatus.FAILED, "message": exc.detail}
        except jobs.JobCancelled:
            raise
        except Exception as exc:
            jobs.finish(
                job.pk,
                job.attempt,
                ImportStatus.FAILED,
                message=f"{type(exc).__name__}: {str(exc)[:500]}",
            )
            raise
        _done_with_upload(job)
        return {
            "status": ImportStatus.DONE,
            "total": result.rows,
            "processed": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "rejected": result.rejected,
            "warned": result.warned,
            "errors_file": str(errors_path) if result.errors_file else "",
        }

    return jobs.run_with_recovery(job_id, work)


@task()
def import_members_job(job_id: int) -> dict[str, Any]:
    return run_member_import(job_id)


@task()
def transfers_lapse() -> dict[str, int]:
    """Complete the transfer requests nobody objected to within their working days. Safe to
    run twice: each request is re-read under lock and only a pending one is settled."""
    from .services import transfer_requests_lapse

    return {"settled": transfer_requests_lapse()}


every(timedelta(hours=1), transfers_lapse)
