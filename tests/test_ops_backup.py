"""Backup and restore round trip on the database the suite runs on (SQLite or PostgreSQL):
a small dataset with encrypted ID numbers, a retained file and a sealed audit chain goes into
one encrypted archive and comes back into an empty data dir (or database) in another process;
a wrong field key or passphrase is refused before anything is written."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from gonghui.core import auditchain, crypto
from gonghui.core.backup import MAGIC, BackupError, backup, key_fingerprint
from gonghui.core.identifiers import citizen_id_check_char
from gonghui.members.models import Member
from gonghui.members.services import member_create

pytestmark = pytest.mark.django_db(transaction=True)
PASSPHRASE = "一句只有管理员知道的话 2026"
RESTORE_DB = f"{connection.settings_dict['NAME']}_restore".removeprefix("test_")


def _id(body: str) -> str:
    return body + citizen_id_check_char(body)


def _dataset(people: Any, tree: Any) -> tuple[Member, str]:
    number = _id("37170219900101123")
    member = member_create(
        actor=people.clerk_a,
        org=tree.union_a,
        data={
            "name": "王强",
            "id_number": number,
            "phone": "13853012345",
            "joined_on": "2015-03-01",
        },
    )
    member_create(
        actor=people.clerk_a,
        org=tree.union_a,
        data={"name": "李娜", "id_number": _id("37172119850615224"), "joined_on": "2016-05-01"},
    )
    folder = Path(settings.DATA_DIR) / "files" / "evidence"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("证据")
    return member, number


def _pg_admin(sql: str) -> None:
    import psycopg

    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"], port=s["PORT"] or None, user=s["USER"], dbname="postgres", autocommit=True
    ) as pg:
        pg.execute(sql)


def _pg_url(name: str) -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT'] or 5432}/{name}"


def _restore(archive: Path, data_dir: Path, *, key: str, passphrase: str) -> Any:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
    env.update(
        GONGHUI_DATA_DIR=str(data_dir),
        GONGHUI_FIELD_KEY=key,
        GONGHUI_BACKUP_PASSPHRASE=passphrase,
    )
    if connection.vendor == "postgresql":
        env["GONGHUI_DATABASE_URL"] = _pg_url(RESTORE_DB)
    return subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "gonghui", "restore", str(archive), "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture
def restore_db() -> Any:
    if connection.vendor == "postgresql":
        _pg_admin(f'DROP DATABASE IF EXISTS "{RESTORE_DB}"')
        _pg_admin(f'CREATE DATABASE "{RESTORE_DB}"')
    yield
    if connection.vendor == "postgresql":
        _pg_admin(f'DROP DATABASE IF EXISTS "{RESTORE_DB}" WITH (FORCE)')


def _query(data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    if connection.vendor == "sqlite":
        with sqlite3.connect(data_dir / "gonghui.sqlite3") as db:
            return db.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(_pg_url(RESTORE_DB)) as pg:
        return pg.execute(sql).fetchall()


def _tables(data_dir: Path) -> int:
    if connection.vendor == "sqlite":
        path = data_dir / "gonghui.sqlite3"
        return _query(data_dir, "SELECT COUNT(*) FROM sqlite_master")[0][0] if path.exists() else 0
    return _query(
        data_dir, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='public'"
    )[0][0]


def test_backup_round_trip(people: Any, tree: Any, tmp_path: Path, restore_db: Any) -> None:
    member, number = _dataset(people, tree)
    auditchain.seal(margin=auditchain.timedelta(0))
    archive = tmp_path / "backup.gonghui"
    manifest = backup(archive, PASSPHRASE)
    assert archive.stat().st_mode & 0o777 == 0o600
    raw = archive.read_bytes()
    assert raw.startswith(MAGIC)
    # nothing readable: not the key, not a name, not the manifest
    assert settings.FIELD_KEY.encode() not in raw and "王强".encode() not in raw
    assert b"field_key_fingerprint" not in raw
    assert manifest["field_key_fingerprint"] == key_fingerprint()
    assert manifest["counts"]["members_member"] == 2
    assert manifest["files"] == {
        "files/evidence/a.txt": __import__("hashlib").sha256("证据".encode()).hexdigest()
    }
    assert manifest["audit_head"] == auditchain.verify().head

    target = tmp_path / "restored"
    done = _restore(archive, target, key=settings.FIELD_KEY, passphrase=PASSPHRASE)
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["counts_match"] and outcome["audit_ok"]
    assert outcome["audit_head"] == manifest["audit_head"]
    assert (target / "files" / "evidence" / "a.txt").read_text() == "证据"
    for table, count in manifest["counts"].items():
        assert _query(target, f"SELECT COUNT(*) FROM {table}")[0][0] == count, table  # noqa: S608
    (stored,) = _query(target, f"SELECT id_number FROM members_member WHERE id = {member.pk}")  # noqa: S608
    assert crypto.decrypt(stored[0]) == number
    # a restore never writes over an installation
    again = _restore(archive, target, key=settings.FIELD_KEY, passphrase=PASSPHRASE)
    assert again.returncode != 0 and "不是空的" in again.stderr


def test_restore_with_another_key_or_passphrase_writes_nothing(
    people: Any, tree: Any, tmp_path: Path, restore_db: Any
) -> None:
    _dataset(people, tree)
    archive = tmp_path / "backup.gonghui"
    backup(archive, PASSPHRASE)
    other_key = base64.b64encode(b"k" * 32).decode()
    target = tmp_path / "restored"
    done = _restore(archive, target, key=other_key, passphrase=PASSPHRASE)
    assert done.returncode != 0 and "字段密钥不符" in done.stderr
    assert _tables(target) == 0 and not (target / "files").exists()
    done = _restore(archive, target, key=settings.FIELD_KEY, passphrase="不对的口令")
    assert done.returncode != 0 and "口令不对" in done.stderr
    assert _tables(target) == 0 and not (target / "files").exists()


def test_a_truncated_or_altered_archive_is_refused(tmp_path: Path) -> None:
    import io

    from gonghui.core.backup import DecryptingReader, EncryptingWriter

    out = io.BytesIO()
    with EncryptingWriter(out, PASSPHRASE) as enc:
        enc.write(os.urandom(3 * (1 << 20) + 5))
    whole = out.getvalue()
    assert len(DecryptingReader(io.BytesIO(whole), PASSPHRASE).read()) == 3 * (1 << 20) + 5
    for broken in (whole[:-40], whole[: len(whole) // 2], whole[:200] + b"x" + whole[201:]):
        with pytest.raises(BackupError):
            DecryptingReader(io.BytesIO(broken), PASSPHRASE).read()
