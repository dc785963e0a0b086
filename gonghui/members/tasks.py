"""Background work of the member registry: a roster import taken from an ``ImportJob``.

Safe to run twice: the job is claimed by one conditional UPDATE (pending → running), so a
second run — a retry, a duplicate enqueue — finds nothing to do and returns the job as it is.
Enqueue with ``transaction.on_commit`` after creating the job.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from gonghui.core.errors import ServiceError
from gonghui.core.models import ImportJob, ImportStatus
from gonghui.core.periodic import every

from .importing import member_import


def errors_path_for(job: ImportJob) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"import-{job.pk}-errors.xlsx"


def run_member_import(job_id: int) -> dict[str, Any]:
    """Run one member import job to its end (the task body, callable without a worker)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    job = ImportJob.objects.select_related("org", "actor").get(pk=job_id)
    if not claimed:
        return {"job": job.pk, "status": job.status, "skipped": True}

    def progress(done: int, total: int, stage: str) -> None:
        status = ImportStatus.WRITING if stage == "write" else ImportStatus.RUNNING
        ImportJob.objects.filter(pk=job_id).update(processed=done, total=total, status=status)

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
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED, message=exc.detail, finished_at=timezone.now()
        )
        return {"job": job_id, "status": ImportStatus.FAILED.value, "message": exc.detail}
    except Exception as exc:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED,
            message=f"{type(exc).__name__}: {str(exc)[:500]}",
            finished_at=timezone.now(),
        )
        raise
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.DONE,
        total=result.rows,
        processed=result.rows,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        rejected=result.rejected,
        errors_file=str(errors_path) if result.errors_file else "",
        finished_at=timezone.now(),
    )
    return {"job": job_id, "status": ImportStatus.DONE.value, **result.as_json()}


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
