"""Issue 10, finding 4 — personal data left on disk, in dumps and in logs. Uploaded rosters
and transfer sheets are deleted after their job (and by the purge after their retention at
the latest), result workbooks after theirs; every file the program writes is 0600 in a 0700
data dir; ``dumpdata`` keeps ciphertext; no log line of a full session holds a plain ID
number or mobile."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings as django_settings
from django.core import serializers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from gonghui.core import uploads
from gonghui.core.models import ImportJob, StoredFile
from gonghui.core.tasks import housekeeping
from gonghui.members.models import Member
from gonghui.members.services import member_create
from gonghui.members.tasks import run_member_import

from .conftest import PASSWORD
from .test_members_pages import ID_WANG, PHONE_WANG, citizen_id

ROOT = Path(__file__).resolve().parent.parent
ID_LI = citizen_id("37172119850615224")
PHONE_LI = "13705301234"
CALLER_PHONE = "13953098765"


def roster(*rows: str, name: str = "名册.csv") -> SimpleUploadedFile:
    text = "姓名,身份证号码,手机,入会时间\n" + "".join(r + "\n" for r in rows)
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def modes(folder: Path) -> dict[str, int]:
    out = {".": folder.stat().st_mode & 0o777}
    for path in folder.rglob("*"):
        out[str(path.relative_to(folder))] = path.stat().st_mode & 0o777
    return out


# --- permissions ---------------------------------------------------------------------------


def test_every_file_the_program_writes_is_owner_only(tmp_path: Path) -> None:
    """A fresh process on a data dir left world-readable: after migrating and writing (WAL
    open), the dir is 0700 and the database, its -wal and -shm, and the keys are 0600."""
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)  # noqa: S103 - the world-readable dir an older version left
    (data / "old-export.xlsx").write_bytes(b"PK")
    os.chmod(data / "old-export.xlsx", 0o644)
    script = (
        "import json, os, django\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from django.db import connection\n"
        "with connection.cursor() as cur:\n"
        "    cur.execute('INSERT INTO core_periodicrun (name) VALUES (%s)', ['probe'])\n"
        "    from pathlib import Path\n"
        "    d = Path(os.environ['GONGHUI_DATA_DIR'])\n"
        "    print(json.dumps({p.name: p.stat().st_mode & 0o777 for p in d.iterdir()}\n"
        "                     | {'.': d.stat().st_mode & 0o777}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
    env.update(GONGHUI_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="gonghui.settings")
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen.pop(".") == 0o700
    assert {"gonghui.sqlite3", "gonghui.sqlite3-wal", "gonghui.sqlite3-shm"} <= set(seen)
    assert {"secret_key", "field_key", "old-export.xlsx"} <= set(seen)
    files = {name: mode for name, mode in seen.items() if name not in ("static",)}
    assert set(files.values()) == {0o600}, seen
    assert seen["static"] == 0o700


# --- uploads and results deleted ------------------------------------------------------------


def test_an_api_upload_is_deleted_when_its_job_ends(people: Any, api: Any, settings: Any) -> None:
    settings.UPLOAD_INLINE_BYTES = 16  # to the worker
    response = api(people.clerk_a).post(
        "/api/v1/members/import",
        {"org": "G-A-0001", "dry_run": "true", "file": roster(f"王强,{ID_WANG},,2015-03-01")},
    )
    assert response.status_code == 202
    job = ImportJob.objects.get()
    upload = Path(job.file_path)
    assert upload.stat().st_mode & 0o777 == 0o600
    assert upload.parent == Path(settings.DATA_DIR) / "uploads"
    assert upload.parent.stat().st_mode & 0o777 == 0o700
    run_member_import(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and not upload.exists() and job.file_removed_at is not None


def test_a_failed_job_deletes_its_upload_too(people: Any, api: Any, settings: Any) -> None:
    settings.UPLOAD_INLINE_BYTES = 4
    bad = SimpleUploadedFile("名册.csv", b"a,b,c\n1,2,3\n")  # no header the roster knows
    api(people.clerk_a).post("/api/v1/members/import", {"org": "G-A-0001", "file": bad})
    job = ImportJob.objects.get()
    run_member_import(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and not Path(job.file_path).exists()


def test_the_page_keeps_a_preview_for_its_confirm_then_deletes_it(people: Any, login: Any) -> None:
    client = login(people.clerk_a)
    client.post(
        "/members/import/",
        {"org": "G-A-0001", "file": roster(f"王强,{ID_WANG},{PHONE_WANG},2015-03-01", "李四,1,,")},
    )
    preview = ImportJob.objects.get()
    run_member_import(preview.pk)
    assert Path(preview.file_path).exists()  # the confirm reads it
    errors = Path(ImportJob.objects.get().errors_file)
    assert errors.stat().st_mode & 0o777 == 0o600
    assert errors.parent.stat().st_mode & 0o777 == 0o700
    client.post(f"/members/import/{preview.pk}/confirm/")
    job = ImportJob.objects.get(dry_run=False)
    run_member_import(job.pk)
    assert not Path(preview.file_path).exists()
    assert Member.objects.get().id_number == ID_WANG


def test_a_preview_past_its_retention_is_purged_and_cannot_be_confirmed(
    people: Any, login: Any
) -> None:
    client = login(people.clerk_a)
    client.post(
        "/members/import/", {"org": "G-A-0001", "file": roster(f"王强,{ID_WANG},,2015-03-01")}
    )
    preview = ImportJob.objects.get()
    run_member_import(preview.pk)
    later = timezone.now() + timedelta(hours=django_settings.UPLOAD_RETENTION_HOURS, minutes=1)
    assert uploads.purge_expired(later)["uploads"] == 1
    assert not Path(preview.file_path).exists()
    response = client.post(f"/members/import/{preview.pk}/confirm/", follow=True)
    assert "预览用的文件已过保留期限并删除，请重新上传。" in response.content.decode()
    assert not ImportJob.objects.filter(dry_run=False).exists()


def test_the_purge_deletes_what_is_due_and_is_safe_to_run_twice(
    people: Any, tree: Any, login: Any, settings: Any
) -> None:
    # a finished run with rejected rows, a stored file, a stray upload; all old
    login(people.clerk_a).post("/members/import/", {"org": "G-A-0001", "file": roster("李四,1,,")})
    job = ImportJob.objects.get()
    run_member_import(job.pk)
    job.refresh_from_db()
    upload, errors = Path(job.file_path), Path(job.errors_file)
    assert upload.exists() and errors.exists()
    stored = uploads.store(
        actor=people.cadre_a,
        org=tree.county_a,
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"),
        purpose="legal",
        retain_days=1,
    )
    stray = uploads.uploads_dir() / "roster-left-behind.csv"
    stray.write_text("王强")
    week = timedelta(days=settings.RESULT_RETENTION_DAYS)
    os.utime(stray, (time.time() - week.total_seconds() - 60,) * 2)
    fresh = uploads.uploads_dir() / "roster-in-use.csv"
    fresh.write_text("王强")

    # a day on: the upload and the stored file are due, the results workbook is not
    day = timezone.now() + timedelta(days=1, minutes=1)
    assert uploads.purge_expired(day) == {"uploads": 1, "results": 0, "stray": 1, "stored": 1}
    assert not upload.exists() and errors.exists() and fresh.exists() and not stray.exists()
    assert not (Path(settings.DATA_DIR) / stored.path).exists()
    assert StoredFile.objects.get().purged_at is not None
    # past the results' retention: the workbook goes, and its download with it
    later = timezone.now() + week + timedelta(minutes=1)
    assert uploads.purge_expired(later) == {"uploads": 0, "results": 1, "stray": 1, "stored": 0}
    assert not errors.exists() and not fresh.exists()
    assert login(people.clerk_a).get(f"/members/import/{job.pk}/errors.xlsx").status_code == 404
    # twice: nothing left to do, nothing fails
    assert uploads.purge_expired(later) == {"uploads": 0, "results": 0, "stray": 0, "stored": 0}


def test_housekeeping_runs_the_purge(db: Any) -> None:
    out = housekeeping.call()
    assert {"uploads", "results", "stray", "stored"} <= set(out)


# --- dumps keep ciphertext --------------------------------------------------------------------


def test_dumpdata_keeps_ciphertext_and_loads_back(people: Any, tree: Any) -> None:
    member = member_create(
        actor=people.clerk_a,
        org=tree.union_a,
        data={"name": "王强", "id_number": ID_WANG, "phone": PHONE_WANG, "joined_on": "2015-03-01"},
    )
    out = io.StringIO()
    call_command("dumpdata", "members.member", stdout=out)
    dumped = out.getvalue()
    assert ID_WANG not in dumped and PHONE_WANG not in dumped
    fields = json.loads(dumped)[0]["fields"]
    assert fields["id_number"].startswith("v1:") and fields["phone"].startswith("v1:")
    # and the dump loads back: the values decrypt, the blind indexes are the same
    Member.objects.filter(pk=member.pk).update(id_number="v1:", phone="")
    for item in serializers.deserialize("json", dumped):
        item.save()
    member.refresh_from_db()
    assert (member.id_number, member.phone) == (ID_WANG, PHONE_WANG)
    assert member.id_number_bidx == fields["id_number_bidx"]
    assert Member.objects.get(id_number_bidx=fields["id_number_bidx"]).pk == member.pk


# --- logs ---------------------------------------------------------------------------------------


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {self.format(record)}")


def test_no_plain_id_number_or_mobile_in_any_log_line(people: Any, tree: Any) -> None:
    """A demo-like session with every logger at DEBUG but the SQL one (whose parameters are
    ciphertext and blind indexes, and which logs nothing unless DEBUG is on): log in, import
    a roster with ID numbers and phones, export it, file a hotline order with the caller's
    phone, reveal both; then grep everything logged for the plain values."""
    handler = Collect()
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s %(args)s"))
    root = logging.getLogger()
    saved = root.level, {}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in ("django", "django.request", "django.server", "django.security", "gonghui",
                 "axes", "django_tasks", "django.template"):  # fmt: skip
        logger = logging.getLogger(name)
        saved[1][name] = logger.level
        logger.setLevel(logging.DEBUG)
    logging.getLogger("django.db.backends").setLevel(logging.WARNING)
    try:
        client = Client()
        assert client.post("/login/", {"username": "cadre_a", "password": PASSWORD}).status_code
        # the roster: preview, confirm, both runs
        client.post(
            "/members/import/",
            {
                "org": "G-A-0001",
                "file": roster(
                    f"王强,{ID_WANG},{PHONE_WANG},2015-03-01",
                    f"李娜,{ID_LI},{PHONE_LI},2016-01-01",
                    f"坏行,{ID_LI[:-1]},{PHONE_LI},2016-01-01",
                ),
            },
        )
        preview = ImportJob.objects.get()
        run_member_import(preview.pk)
        client.get(f"/members/import/{preview.pk}/")
        client.get(f"/members/import/{preview.pk}/errors.xlsx")
        client.post(f"/members/import/{preview.pk}/confirm/")
        job = ImportJob.objects.get(dry_run=False)
        run_member_import(job.pk)
        wang = Member.objects.get(name="王强")
        # export, reveal, a page refused and one missing (django.request logs those)
        assert client.get("/members/export.csv").status_code == 200
        assert client.get("/members/export.xlsx").status_code == 200
        assert client.post(f"/members/{wang.pk}/reveal/", {"reason": "核对"}).status_code == 200
        assert client.get("/no-such-page-probe/").status_code == 404
        # the hotline: an operator files an order with the caller's phone and reveals it
        operator = Client()
        operator.post("/login/", {"username": "operator", "password": PASSWORD})
        filed = operator.post(
            "/api/v1/hotline/tickets",
            {
                "channel": "phone",
                "caller_name": "赵六",
                "caller_phone": CALLER_PHONE,
                "caller_id_number": ID_LI,
                "category": "demand",
                "complexity": "normal",
                "topic": "欠薪",
                "content": f"来电人手机 {CALLER_PHONE}",
            },
            content_type="application/json",
        )
        ticket_id = filed.json()["id"]
        revealed = operator.post(
            f"/api/v1/hotline/tickets/{ticket_id}/reveal",
            {"reason": "回访"},
            content_type="application/json",
        )
        assert CALLER_PHONE in revealed.content.decode()
        operator.get("/hotline/export.csv?tab=all")
        # a refused write with the values in its body (422 is logged by django.request)
        bad = operator.post(
            "/api/v1/hotline/tickets",
            {"caller_phone": CALLER_PHONE, "caller_id_number": ID_WANG},
            content_type="application/json",
        )
        assert bad.status_code == 422
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        for name, level in saved[1].items():
            logging.getLogger(name).setLevel(level)
    text = "\n".join(handler.lines)
    assert "no-such-page-probe" in text  # the capture works
    assert "Unprocessable Entity" in text
    for plain in (ID_WANG, ID_LI, PHONE_WANG, PHONE_LI, CALLER_PHONE, ID_LI[:-1]):
        assert plain not in text, plain
