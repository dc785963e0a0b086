"""Jobs that recover: a roster import whose worker died is found by its silent heartbeat and
marked failed; it can be cancelled or retried from the page and the API (audited, in scope
only); a cancel stops a running import before anything is written; an old run that lost its
job can no longer write progress or an outcome over the new one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from gonghui.core import jobs
from gonghui.core.errors import Conflict
from gonghui.core.models import AuditEntry, ImportJob, ImportStatus
from gonghui.members import importing, tasks
from gonghui.members.importing import import_job_start
from gonghui.members.models import Member
from gonghui.members.tasks import run_member_import

from .test_members_import import three


def _job(people: Any, tree: Any, tmp_path: Path) -> ImportJob:
    return import_job_start(
        actor=people.clerk_a,
        org=tree.union_a,
        path=three(tmp_path),
        file_name="名册.csv",
        enqueue=False,
    )


def _died(job: ImportJob, minutes: int = 30) -> int:
    """A worker took the job, then was killed: its heartbeat stops."""
    attempt = jobs.claim(job.pk)
    assert attempt is not None
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.WRITING, heartbeat_at=timezone.now() - timedelta(minutes=minutes)
    )
    return attempt


def test_a_job_whose_worker_died_is_marked_failed_then_retried(
    people: Any, tree: Any, tmp_path: Path, api: Any
) -> None:
    job = _job(people, tree, tmp_path)
    old = _died(job)
    fresh = _job(people, tree, tmp_path)
    jobs.claim(fresh.pk)  # beating just now: left alone
    assert jobs.reap() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "心跳" in job.message
    assert ImportJob.objects.get(pk=fresh.pk).status == ImportStatus.RUNNING
    assert jobs.reap() == 0  # safe twice
    assert Member.objects.count() == 0  # nothing half-written

    answer = api(people.clerk_a).get(f"/api/v1/members/import/{job.pk}").json()
    assert answer["status"] == "failed" and answer["can_retry"] and not answer["can_cancel"]
    response = api(people.clerk_a).post(f"/api/v1/members/import/{job.pk}/retry")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "pending"
    assert AuditEntry.objects.filter(action="import.retry", object_id=str(job.pk)).count() == 1
    assert run_member_import(job.pk)["status"] == "done"
    job.refresh_from_db()
    assert (job.status, job.created, job.attempt) == (ImportStatus.DONE, 3, old + 1)
    assert Member.objects.count() == 3
    # the dead run, if it ever woke up, can write neither progress nor an outcome
    with pytest.raises(jobs.JobCancelled):
        jobs.beat(job.pk, old, processed=1)
    assert not jobs.finish(job.pk, old, ImportStatus.FAILED, message="x")
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE
    # a finished job is neither retried nor cancelled
    assert api(people.clerk_a).post(f"/api/v1/members/import/{job.pk}/retry").status_code == 409
    assert api(people.clerk_a).post(f"/api/v1/members/import/{job.pk}/cancel").status_code == 409


def test_cancel_a_waiting_job_from_the_page(
    people: Any, tree: Any, tmp_path: Path, login: Any
) -> None:
    job = _job(people, tree, tmp_path)
    client = login(people.clerk_a)
    page = client.get(f"/members/import/{job.pk}/")
    assert 'data-testid="cancel"' in page.content.decode()
    response = client.post(f"/members/import/{job.pk}/cancel/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED
    assert run_member_import(job.pk)["skipped"]  # the queued task finds nothing to do
    assert Member.objects.count() == 0
    assert AuditEntry.objects.filter(action="import.cancel").count() == 1
    page = client.get(f"/members/import/{job.pk}/").content.decode()
    assert "已取消" in page and 'data-testid="retry"' in page
    client.post(f"/members/import/{job.pk}/retry/")
    assert run_member_import(job.pk)["status"] == "done"
    assert Member.objects.count() == 3


def test_cancel_a_dead_job_at_once(people: Any, tree: Any, tmp_path: Path, api: Any) -> None:
    job = _job(people, tree, tmp_path)
    _died(job)
    answer = api(people.clerk_a).post(f"/api/v1/members/import/{job.pk}/cancel").json()
    assert answer["status"] == "cancelled" and answer["can_retry"]


def test_a_running_job_stops_at_its_next_progress_before_writing(
    people: Any, tree: Any, tmp_path: Path
) -> None:
    job = _job(people, tree, tmp_path)
    seen: list[str] = []

    def work(running: ImportJob, progress: Any) -> dict[str, Any]:
        progress(processed=1, total=3)
        seen.append("checked")
        # the clerk presses 取消 while the worker is checking
        jobs.job_cancel(job=running, actor=people.clerk_a)
        assert ImportJob.objects.get(pk=running.pk).cancel_requested
        progress(processed=3, total=3, status=ImportStatus.WRITING)
        seen.append("wrote")  # never reached
        return {}

    outcome = jobs.run_with_recovery(job.pk, work)
    assert outcome["status"] == "cancelled" and seen == ["checked"]
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED and job.finished_at is not None
    with pytest.raises(Conflict):
        jobs.job_cancel(job=job, actor=people.clerk_a)


def test_only_the_jobs_union_may_cancel_or_retry(
    people: Any, tree: Any, tmp_path: Path, api: Any, login: Any
) -> None:
    job = _job(people, tree, tmp_path)
    for path in (
        f"/api/v1/members/import/{job.pk}/cancel",
        f"/api/v1/members/import/{job.pk}/retry",
    ):
        assert api(None).post(path).status_code == 401
        assert api(people.cadre_b).post(path).status_code == 404
        assert api(people.member_a).post(path).status_code in (403, 404)
        assert api(people.leader).post(path).status_code in (403, 404)
    for path in (f"/members/import/{job.pk}/cancel/", f"/members/import/{job.pk}/retry/"):
        assert login(people.cadre_b).post(path).status_code == 404
        assert login(people.leader).post(path).status_code in (403, 404)
        assert login(people.member_a).post(path).status_code in (302, 403, 404)
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.PENDING
    assert not AuditEntry.objects.filter(action__startswith="import.").exists()


@pytest.mark.django_db(transaction=True)
def test_a_cancel_stops_an_import_writing_as_it_checks(
    people: Any, tree: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first big roster on PostgreSQL is written as it is checked, inside the import's
    transaction (``importing._Stream``): its progress is recorded from a connection of its
    own, so that the page sees it and a cancel pressed meanwhile (committed elsewhere)
    stops the run at its next progress — and everything it wrote is rolled back."""
    if connection.vendor != "postgresql":
        pytest.skip("an import writes as it checks on PostgreSQL only")
    monkeypatch.setattr(importing, "_streams", lambda new_rows: True)
    monkeypatch.setattr(importing, "CHUNK", 1)
    monkeypatch.setattr(tasks, "BEAT_EVERY", 0)
    job = _job(people, tree, tmp_path)
    seen: list[tuple[int, bool]] = []
    write = importing._Stream.write

    def write_then_cancel(stream: Any, text: bytes, plain: bool) -> None:
        write(stream, text, plain)

        def page() -> tuple[int, bool]:
            shown = ImportJob.objects.get(pk=job.pk)
            if shown.processed:  # the first chunk's progress is on the page: cancel
                jobs.job_cancel(job=shown, actor=people.clerk_a)
            return shown.processed, ImportJob.objects.get(pk=job.pk).cancel_requested

        seen.append(jobs.aside(page))  # the page, meanwhile, from its own connection

    monkeypatch.setattr(importing._Stream, "write", write_then_cancel)
    outcome = run_member_import(job.pk)
    assert outcome["status"] == "cancelled"
    # row 1 written (nothing on the page yet), its progress shown, row 2 written and the
    # cancel asked for, which its progress saw: no third row
    assert seen == [(0, False), (1, True)]
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED
    assert Member.objects.count() == 0  # the rows written rolled back with the rest


@pytest.mark.django_db(transaction=True)
def test_an_import_writing_as_it_checks_runs_to_its_end(
    people: Any, tree: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same streamed import, not cancelled: its beats from inside its transaction go
    aside — the last one too, when the writing is finished — so the page reads the job as
    "writing" and could lock it to cancel, and the job ends done with its counts."""
    if connection.vendor != "postgresql":
        pytest.skip("an import writes as it checks on PostgreSQL only")
    monkeypatch.setattr(importing, "_streams", lambda new_rows: True)
    monkeypatch.setattr(importing, "CHUNK", 1)
    job = _job(people, tree, tmp_path)
    shown: list[tuple[str, int]] = []
    finish = importing._Stream.finish

    def page() -> tuple[str, int]:
        with transaction.atomic():  # the cancel's own lock, refused at once if held
            found = ImportJob.objects.select_for_update(nowait=True).get(pk=job.pk)
            return found.status, found.processed

    def look_then_finish(stream: Any, result: Any) -> None:
        shown.append(jobs.aside(page))
        finish(stream, result)

    monkeypatch.setattr(importing._Stream, "finish", look_then_finish)
    assert run_member_import(job.pk)["status"] == "done"
    assert shown == [("writing", 3)]
    job.refresh_from_db()
    assert (job.status, job.created, job.processed) == (ImportStatus.DONE, 3, 3)
    assert Member.objects.count() == 3
