"""Field key rotation (``gonghui rotate-field-key``) on the database the suite runs on (SQLite
or PostgreSQL).

In this process: every encrypted column of every model — found through the model fields —
moves to the new key, blind indexes and payees' keys are recomputed (a frozen payment line
included), searches match rows under either key while both are held, and nothing is left
under the old key when it is retired. In other processes, as an operator runs it: an
installation keyed by its data dir's files is rotated in small batches, the command is
killed with SIGKILL half-way, searches still find moved and unmoved people, and a second run
resumes where the first stopped and retires the old key.
"""

from __future__ import annotations

import base64
import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from gonghui.core import crypto, keyrotation
from gonghui.core.fields import blind_index_for
from gonghui.core.identifiers import citizen_id_check_char
from gonghui.core.models import AuditEntry, FieldKeyRotation, Objection, PublicNotice
from gonghui.members.models import Member
from gonghui.members.services import member_create
from gonghui.payments.models import Batch, Line
from gonghui.payments.services import payee_key

OLD = base64.b64encode(b"o" * 32).decode()
NEW = base64.b64encode(b"n" * 32).decode()


def _name(n: int) -> str:
    digits = "甲乙丙丁戊己庚辛壬癸"
    return "会" + digits[n // 100 % 10] + digits[n // 10 % 10] + digits[n % 10]


def _id(n: int) -> str:
    body = f"371702{1960 + n % 40}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return body + citizen_id_check_char(body)


@pytest.fixture
def keyed_by_files(settings: Any, tmp_path: Path) -> Path:
    """This process keyed by a data dir's key files (``OLD``), as an installation without
    ``GONGHUI_FIELD_KEY`` is; the real settings come back after the test."""
    (tmp_path / crypto.KEY_FILE).write_text(OLD + "\n")
    settings.DATA_DIR = tmp_path
    settings.FIELD_KEY_FROM_FILE = True
    settings.FIELD_KEY = OLD
    settings.FIELD_KEYS_READ = []
    crypto.reload_key_files(force=True)
    return tmp_path


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cur.fetchone()[0])


def test_every_encrypted_column_is_found_through_the_fields() -> None:
    found = {t.label: [f.name for f in t.encrypted] for t in keyrotation.tables()}
    # a sample of the modules: nobody keeps a hand list
    assert {"id_number", "phone"} <= set(found["members.Member"])
    assert any({"caller_phone", "caller_id_number"} <= set(c) for c in found.values())
    assert found["core.Objection"] == ["contact"]
    assert "payments.Line" in found
    member = next(t for t in keyrotation.tables() if t.label == "members.Member")
    assert {f.name for f in member.indexes} == {"id_number_bidx", "phone_bidx"}


@pytest.mark.django_db
def test_rotation_moves_every_value_and_searches_work_throughout(
    keyed_by_files: Path, people: Any, tree: Any
) -> None:
    numbers = [_id(n) for n in range(12)]
    members = [
        member_create(
            actor=people.clerk_a,
            org=tree.union_a,
            data={
                "name": _name(n),
                "id_number": number,
                "phone": f"138530{n:05d}",
                "joined_on": "2015-03-01",
            },
        )
        for n, number in enumerate(numbers)
    ]
    notice = PublicNotice.objects.create(
        org=tree.union_a,
        subject=members[0],
        title="公示",
        body="内容",
        starts_on="2026-01-05",
        ends_on="2026-01-09",
    )
    objection = Objection.objects.create(notice=notice, text="异议", contact="13900001111")
    batch = Batch.objects.create(
        org=tree.union_a, source="other", purpose="测试", title="批次", created_by=people.admin
    )
    key = payee_key(id_number=numbers[0], member=None, payee_name="会甲甲甲", bank_account="")
    line = Line.objects.create(
        batch=batch,
        org=tree.union_a,
        source="other",
        seq=1,
        reference="t:1",
        payee_key=str(key),
        payee_name="会甲甲甲",
        id_number=numbers[0],
        bank_account="6222020000000000001",
        amount=Decimal("100.00"),
        created_by=people.admin,
    )
    Line.objects.filter(pk=line.pk).update(frozen=True)
    old_kid, new_kid = crypto.parse_key(OLD).kid, crypto.parse_key(NEW).kid
    assert _raw("members_member", "id_number", members[0].pk).startswith(f"v1:{old_kid}:")

    before = keyrotation.dry_run(NEW)
    assert before["members.Member"]["id_number"] >= 12 and before["core.Objection"]["contact"] == 1
    assert before["payments.Line"]["bank_account"] == 1
    assert keyrotation.total_stale(before) == keyrotation.total_stale(keyrotation.dry_run(NEW))

    # half-way by hand: the ring holds both keys, half the members are moved
    settings.FIELD_KEY, settings.FIELD_KEYS_READ = NEW, [OLD]
    for member in members[:6]:
        member.save()  # re-encrypted under the primary, indexes recomputed
    assert _raw("members_member", "id_number", members[0].pk).startswith(f"v1:{new_kid}:")
    assert _raw("members_member", "id_number", members[9].pk).startswith(f"v1:{old_kid}:")
    for n in (0, 9):  # a moved and an unmoved person are both found by their whole number
        assert list(
            Member.objects.filter(id_number_bidx=blind_index_for("citizen_id", numbers[n]))
        ) == [members[n]]
        assert (
            Member.objects.filter(
                phone_bidx__in=[blind_index_for("mobile", f"138530{n:05d}")]
            ).get()
            == members[n]
        )
        assert Member.objects.get(pk=members[n].pk).id_number == numbers[n]
    settings.FIELD_KEY, settings.FIELD_KEYS_READ = OLD, []

    outcome = keyrotation.rotate(NEW, batch_size=5, settle=0)
    assert outcome.done and outcome.retired == [old_kid], outcome.as_json()
    assert keyrotation.total_stale(keyrotation.dry_run(NEW)) == 0
    # the installation now runs on the new key alone, from its key file
    assert (keyed_by_files / crypto.KEY_FILE).read_text().strip() == NEW
    assert not (keyed_by_files / crypto.READ_KEYS_FILE).exists()
    assert crypto.ring().primary.kid == new_kid and not crypto.ring().others
    for member, number in zip(members, numbers, strict=True):
        fresh = Member.objects.get(pk=member.pk)
        assert fresh.id_number == number
        assert _raw("members_member", "id_number", member.pk).startswith(f"v1:{new_kid}:")
        assert Member.objects.get(id_number_bidx=blind_index_for("citizen_id", number)) == fresh
    assert Objection.objects.get(pk=objection.pk).contact == "13900001111"
    frozen = Line.objects.get(pk=line.pk)
    assert frozen.frozen and frozen.bank_account == "6222020000000000001"
    assert frozen.payee_key == str(
        payee_key(id_number=numbers[0], member=None, payee_name="会甲甲甲", bank_account="")
    )
    assert frozen.payee_key != str(key)
    # the old key alone can no longer read anything
    settings.FIELD_KEY = OLD
    with pytest.raises(ValueError, match="does not hold"):
        Member.objects.get(pk=members[0].pk)
    settings.FIELD_KEY = NEW
    rotation = FieldKeyRotation.objects.get()
    assert rotation.state == "done" and rotation.new_kid == new_kid
    actions = list(
        AuditEntry.objects.filter(object_type="fieldkey")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["fieldkey.rotate_start", "fieldkey.rotate_finish"]
    # outside a rotation a frozen line's payee is refused by the database again
    with pytest.raises(Exception, match="approved"):
        Line.objects.filter(pk=line.pk).update(bank_account="v1:x")


@pytest.mark.django_db
def test_a_key_from_the_environment_needs_every_process_to_hold_the_new_key(
    settings: Any, people: Any, tree: Any
) -> None:
    settings.FIELD_KEY_FROM_FILE = False
    settings.FIELD_KEY, settings.FIELD_KEYS_READ = OLD, []
    member_create(
        actor=people.clerk_a,
        org=tree.union_a,
        data={"name": "王强", "id_number": _id(1), "joined_on": "2015-03-01"},
    )
    with pytest.raises(keyrotation.RotationError, match="GONGHUI_FIELD_KEYS_READ"):
        keyrotation.rotate(NEW, settle=0)
    assert not FieldKeyRotation.objects.exists()
    # processes given the new key to read: the rows move, the old key stays until the
    # environment is switched and the command runs again
    settings.FIELD_KEYS_READ = [NEW]
    outcome = keyrotation.rotate(NEW, settle=0)
    assert not outcome.done and "GONGHUI_FIELD_KEY" in outcome.message
    assert keyrotation.total_stale(keyrotation.dry_run(NEW)) == 0
    # imports wait while two keys are held
    assert crypto.rotation_in_progress()


# --- as an operator runs it: other processes, a kill, a resume ------------------------------


def _env(data_dir: Path, db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
    env["GONGHUI_DATA_DIR"] = str(data_dir)  # keyed by its own files: no GONGHUI_FIELD_KEY
    if db_url:
        env["GONGHUI_DATABASE_URL"] = db_url
    return env


def _gonghui(env: dict[str, str], *args: str, check: bool = True) -> Any:
    done = subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "gonghui", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if check:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.fixture
def installation(tmp_path: Path) -> Any:
    """A separate installation: its own data dir and database (SQLite, or a fresh PostgreSQL
    database beside the suite's), migrated."""
    db_url = ""
    name = ""
    if connection.vendor == "postgresql":
        import psycopg

        s = connection.settings_dict
        name = f"{s['NAME']}_rotation".removeprefix("test_")
        admin = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT'] or 5432}/postgres"
        with psycopg.connect(admin, autocommit=True) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            pg.execute(f'CREATE DATABASE "{name}"')
        db_url = admin.rsplit("/", 1)[0] + f"/{name}"
    data_dir = tmp_path / "var"
    env = _env(data_dir, db_url)
    _gonghui(env, "migrate", "-v", "0")
    yield data_dir, env, db_url
    if name:
        import psycopg

        with psycopg.connect(admin, autocommit=True) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sql(data_dir: Path, db_url: str, sql: str) -> list[tuple[Any, ...]]:
    if not db_url:
        with sqlite3.connect(data_dir / "gonghui.sqlite3") as db:
            return db.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(db_url) as pg:
        return pg.execute(sql).fetchall()


FIND = """
from gonghui.core.fields import blind_index_for
from gonghui.members.models import Member
import json
out = {}
for number in NUMBERS:
    m = Member.objects.filter(id_number_bidx=blind_index_for("citizen_id", number)).first()
    out[number] = m.id_number if m else None
print(json.dumps(out))
"""


def test_a_rotation_killed_half_way_resumes(installation: Any, tmp_path: Path) -> None:
    data_dir, env, db_url = installation
    old_key = (data_dir / crypto.KEY_FILE).read_text().strip()
    numbers = [_id(n) for n in range(300)]
    roster = tmp_path / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["姓名", "身份证号", "手机号"])
        for n, number in enumerate(numbers):
            out.writerow([_name(n), number, f"139{n:08d}"])
    _gonghui(
        env,
        "shell",
        "-c",
        "from gonghui.orgs.services import org_insert\n"
        "c = org_insert(code='371700', parent=None, name='菏泽市总工会', kind='city',"
        " region_code='371700')\n"
        "org_insert(code='G-1', parent=c, name='甲公司工会', kind='grassroots')",
    )
    done = _gonghui(env, "import-members", str(roster), "--org", "G-1", "--json")
    assert json.loads(done.stdout.strip().splitlines()[-1])["created"] == 300

    counted = _gonghui(env, "rotate-field-key", "--new-key", NEW, "--dry-run", "--json")
    plan = json.loads(counted.stdout.strip().splitlines()[-1])
    assert plan["by_table"]["members.Member"]["id_number"] == 300
    assert plan["by_table"]["members.Member"]["phone"] == 300
    assert plan["remaining"] == 600  # nothing else of this installation is encrypted

    rotating = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [
            sys.executable,
            "-m",
            "gonghui",
            "rotate-field-key",
            "--new-key",
            NEW,
            "--batch-size",
            "20",
            "--pause-ms",
            "150",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    moved = 0
    while time.monotonic() < deadline:
        rows = _sql(data_dir, db_url, "SELECT moved FROM core_fieldkeyrotation")
        moved = rows[0][0] if rows else 0
        if moved >= 60:
            break
        time.sleep(0.05)
    rotating.send_signal(signal.SIGKILL)
    rotating.wait(timeout=30)
    assert 60 <= moved < 300, moved
    new_kid, old_kid = crypto.parse_key(NEW).kid, crypto.parse_key(old_key).kid
    # half-way: the installation already writes under the new key and still reads the old
    assert (data_dir / crypto.KEY_FILE).read_text().strip() == NEW
    assert (data_dir / crypto.READ_KEYS_FILE).read_text().split() == [old_key]
    under = dict(
        _sql(
            data_dir,
            db_url,
            "SELECT substr(id_number, 4, 8), COUNT(*) FROM members_member GROUP BY 1",
        )
    )
    assert under[new_kid] >= 60 and under[old_kid] > 0 and sum(under.values()) == 300
    moved_id = _sql(
        data_dir,
        db_url,
        f"SELECT id FROM members_member WHERE id_number LIKE 'v1:{new_kid}:%' LIMIT 1",  # noqa: S608
    )
    # searches work throughout: the first (moved) and the last (not yet) person are found
    sample = [numbers[0], numbers[150], numbers[-1]]
    found = _gonghui(env, "shell", "-c", f"NUMBERS = {sample!r}\n{FIND}")
    assert json.loads(found.stdout.strip().splitlines()[-1]) == {n: n for n in sample}
    assert moved_id

    resumed = _gonghui(env, "rotate-field-key", "--new-key", NEW, "--batch-size", "50", "--json")
    outcome = json.loads(resumed.stdout.strip().splitlines()[-1])
    assert outcome["resumed"] and outcome["done"] and outcome["remaining"] == 0, outcome
    assert outcome["retired"] == [old_kid]
    assert 0 < outcome["moved"] <= 300 - 60 + 20  # at most the killed batch again
    assert (data_dir / crypto.KEY_FILE).read_text().strip() == NEW
    assert not (data_dir / crypto.READ_KEYS_FILE).exists()
    under = dict(
        _sql(
            data_dir, db_url, "SELECT substr(phone, 4, 8), COUNT(*) FROM members_member GROUP BY 1"
        )
    )
    assert under == {new_kid: 300}
    found = _gonghui(env, "shell", "-c", f"NUMBERS = {sample!r}\n{FIND}")
    assert json.loads(found.stdout.strip().splitlines()[-1]) == {n: n for n in sample}
    actions = [
        a
        for (a,) in _sql(
            data_dir,
            db_url,
            "SELECT action FROM core_auditentry WHERE object_type = 'fieldkey' ORDER BY id",
        )
    ]
    assert actions == ["fieldkey.rotate_start", "fieldkey.rotate_resume", "fieldkey.rotate_finish"]
    again = _gonghui(env, "rotate-field-key", "--new-key", NEW, "--dry-run", "--json")
    assert json.loads(again.stdout.strip().splitlines()[-1])["remaining"] == 0
    verify = _gonghui(env, "audit-verify", "--seal", check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_during_a_rotation_names_both_keys(settings: Any, tmp_path: Path) -> None:
    from gonghui.core.backup import backup

    settings.FIELD_KEY_FROM_FILE = False
    settings.FIELD_KEY, settings.FIELD_KEYS_READ = NEW, [OLD]
    manifest = backup(tmp_path / "during.gonghui", "口令 2026")
    assert manifest["field_key_fingerprint"] == crypto.fingerprint(NEW)
    assert manifest["read_key_fingerprints"] == [crypto.fingerprint(OLD)]
