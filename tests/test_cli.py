"""The ``gonghui demo`` and ``gonghui adduser`` commands."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, RequestFactory

from gonghui import cli
from gonghui.accounts.models import User
from gonghui.core.models import AuditEntry
from gonghui.demo import loaders
from gonghui.demo.management.commands.demo import Command as DemoCommand


def run_gonghui(
    *args: str, data_dir: Path | None = None, timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
    if data_dir is not None:
        env["GONGHUI_DATA_DIR"] = str(data_dir)
    return subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "gonghui", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def printed_accounts(stdout: str) -> dict[str, str]:
    """username → password, from the table ``gonghui demo`` prints."""
    rows = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) >= 4 and re.fullmatch(r"Heze2020-\w+", parts[-1]):
            rows[parts[0]] = parts[-1]
    return rows


# ``gonghui demo`` always runs on its embedded SQLite file, whatever database the suite uses:
# the PostgreSQL suite would load the very same demo into the very same kind of file again.
embedded_only = pytest.mark.skipif(
    bool(os.environ.get("GONGHUI_TEST_DATABASE_URL")),
    reason="gonghui demo runs on SQLite: the SQLite suite runs these",
)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """A data dir the demo was loaded into once (``gonghui demo --no-serve``) and what that
    first run printed: the tests that need a loaded demo share it (a load is a minute)."""
    data_dir = tmp_path_factory.mktemp("cli") / "demo-data"
    # a load is a minute and a half of CPU: the time out leaves room for a shared machine
    return data_dir, run_gonghui("demo", "--no-serve", "--data-dir", str(data_dir), timeout=1800)


@embedded_only
def test_demo_no_serve_twice_into_a_data_dir(demo_dir: tuple[Path, Any]) -> None:
    data_dir, first = demo_dir
    assert first.returncode == 0, first.stderr
    accounts = printed_accounts(first.stdout)
    # every role's account and the county hotline desks', each with its username
    assert set(accounts) == {a.username for a in loaders.all_demo_accounts()}
    assert {"rx_371703", "rx_371772"} <= set(accounts)
    assert "http://127.0.0.1:8000/" in first.stdout
    assert "新建 11 个" in first.stdout
    assert "已有 0 名" in first.stdout  # an empty data dir has no member yet
    db = data_dir / "gonghui.sqlite3"
    assert db.exists()  # --data-dir took effect before the settings were read

    def counts() -> tuple[int, ...]:
        with sqlite3.connect(db) as conn:
            return tuple(
                conn.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608
                for table in ("orgs_org", "orgs_enterprise", "accounts_user", "core_auditentry")
            )

    after_first = counts()
    assert after_first[0] > 400
    second = run_gonghui("demo", "--no-serve", f"--data-dir={data_dir}")
    assert second.returncode == 0, second.stderr
    assert printed_accounts(second.stdout) == accounts
    assert "新建 0 个" in second.stdout
    assert counts() == after_first
    # the printed passwords are the ones stored in that database
    with sqlite3.connect(db) as conn:
        stored = dict(conn.execute("select username, password from accounts_user").fetchall())
    for username, password in accounts.items():
        assert check_password(password, stored[username])

    # adduser against the same data dir: a bad role is refused with exit code 2
    bad = run_gonghui("adduser", "zhangsan", "--org", "371702", "--role", "boss", data_dir=data_dir)
    assert bad.returncode == 2
    assert "role" in bad.stderr
    good = run_gonghui(
        "adduser", "zhangsan", "--org", "371702", "--role", "cadre", data_dir=data_dir
    )
    assert good.returncode == 0, good.stderr
    assert "密码：" in good.stdout
    assert counts()[2] == after_first[2] + 1


def test_a_printed_account_logs_in(db: Any) -> None:
    out = io.StringIO()
    loaders.run_all(out, only=("orgs", "accounts"))
    DemoCommand(stdout=out)._print_accounts()
    accounts = printed_accounts(out.getvalue())
    assert len(accounts) == len(loaders.DEMO_ACCOUNTS)
    client = Client()
    request = RequestFactory().post("/login/")  # axes wants the request among the credentials
    assert client.login(request=request, username="cadre_city", password=accounts["cadre_city"])
    assert client.get("/").status_code == 200


def test_demo_refuses_a_data_dir_given_too_late(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--data-dir"):
        call_command("demo", "--no-serve", "--data-dir", str(tmp_path / "elsewhere"))


def test_cli_applies_the_data_dir_before_django_loads(monkeypatch: Any) -> None:
    monkeypatch.setenv("GONGHUI_DATA_DIR", "before")
    cli._apply_data_dir(["demo", "--no-serve", "--data-dir", "var/x1"])
    assert os.environ["GONGHUI_DATA_DIR"] == "var/x1"
    cli._apply_data_dir(["demo", "--data-dir=var/x2", "--no-serve"])
    assert os.environ["GONGHUI_DATA_DIR"] == "var/x2"
    cli._apply_data_dir(["migrate", "--data-dir=var/x3"])  # only the demo takes it
    assert os.environ["GONGHUI_DATA_DIR"] == "var/x2"


def test_adduser_with_a_generated_password(tree: Any) -> None:
    out = io.StringIO()
    call_command(
        "adduser", "wangwu", "--org", "371702", "--role", "cadre", "--full-name", "王五", stdout=out
    )
    user = User.objects.get(username="wangwu")
    assert (user.org, user.role, user.full_name) == (tree.county_a, "cadre", "王五")
    password = re.search(r"密码：(\S+)", out.getvalue())
    assert password is not None
    assert user.check_password(password.group(1))
    entry = AuditEntry.objects.get(action="user.create", object_id=str(user.pk))
    assert entry.actor is None


def test_adduser_with_a_given_password(tree: Any) -> None:
    out = io.StringIO()
    call_command(
        "adduser",
        "zhaoliu",
        "--org",
        "G-A-0001",
        "--role",
        "clerk",
        "--password",
        "Strong-pass-2024",
        stdout=out,
    )
    user = User.objects.get(username="zhaoliu")
    assert user.check_password("Strong-pass-2024")
    assert user.org == tree.union_a
    assert "Strong-pass-2024" not in out.getvalue()


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["nobody", "--org", "999999", "--role", "cadre"], "org"),
        (["nobody", "--org", "371702", "--role", "boss"], "role"),
        (["cadre_a", "--org", "371702", "--role", "cadre"], "username"),
        (["CADRE_A", "--org", "371702", "--role", "cadre"], "username"),
        (["nobody", "--org", "371702", "--role", "cadre", "--password", "12345678"], "password"),
        (["nobody", "--org", "371702", "--role", "cadre", "--password", "short1"], "password"),
    ],
)
def test_adduser_refuses_bad_input_naming_the_field(
    people: Any, args: list[str], field: str
) -> None:
    users = User.objects.count()
    with pytest.raises(CommandError) as excinfo:
        call_command("adduser", *args)
    assert excinfo.value.returncode == 2
    assert str(excinfo.value).startswith(f"{field}: ")
    assert User.objects.count() == users
    assert not AuditEntry.objects.filter(action="user.create").exists()


def test_adduser_refuses_a_deactivated_org(tree: Any) -> None:
    tree.union_b.active = False
    tree.union_b.save(update_fields=["active"])
    with pytest.raises(CommandError, match="^org: "):
        call_command("adduser", "nobody", "--org", "G-B-0001", "--role", "clerk")
    assert not User.objects.filter(username="nobody").exists()


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


@embedded_only
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_demo_serves_with_a_worker_beside_it_and_stops_both(demo_dir: tuple[Path, Any]) -> None:
    data_dir, _first = demo_dir  # loaded already: this run adds nothing, then serves
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
    demo = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "gonghui", "demo", "--data-dir", str(data_dir), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        status = None
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and status is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as r:  # noqa: S310
                    status = r.status
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        assert status == 200
        workers = _children(demo.pid)
        assert len(workers) == 1
        assert b"worker" in Path(f"/proc/{workers[0]}/cmdline").read_bytes()
    finally:
        demo.terminate()
        demo.wait(timeout=30)
    time.sleep(0.5)
    assert (
        not Path(f"/proc/{workers[0]}").exists()
        or b"Z" in Path(f"/proc/{workers[0]}/stat").read_bytes().rsplit(b")", 1)[1][:3]
    )


_FIRST_ID = (
    "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'gonghui.settings'); "
    "django.setup(); from gonghui.members.models import Member; "
    "m = Member.objects.order_by('id').first(); print(m.pk, m.id_number)"
)


def _first_id(env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", _FIRST_ID], capture_output=True, text=True, env=env, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


# the PostgreSQL suite's server: its scratch databases are named from the test database's URL
PG_TEST_URL = os.environ.get("GONGHUI_TEST_DATABASE_URL", "")


def _pg_scratch(suffix: str) -> str:
    base, _, name = PG_TEST_URL.partition("?")[0].rpartition("/")
    return f"{base}/{name}_{suffix}"


def _pg_admin(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{url.rpartition('/')[0]}/postgres", autocommit=True) as pg:
        for sql in statements:
            pg.execute(sql)


def _pg_recreate(url: str) -> None:
    name = url.rpartition("/")[2]
    _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')


def _pg_drop(url: str) -> None:
    _pg_admin(url, f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')


@dataclass(frozen=True)
class Install:
    """An installation the commands run against: a data dir, and a PostgreSQL database's URL
    (empty for the data dir's own SQLite file)."""

    data_dir: Path
    database_url: str = ""

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONGHUI_")}
        env["GONGHUI_DATA_DIR"] = str(self.data_dir)
        if self.database_url:
            env["GONGHUI_DATABASE_URL"] = self.database_url
        return {**env, **extra}

    def run(self, *args: str, timeout: int = 600, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "gonghui", *args],
            capture_output=True, text=True, timeout=timeout, check=False, env=self.env(**extra),
        )  # fmt: skip

    def counts(self) -> dict[str, int]:
        """Every table's row count; empty for a database with no table (or none at all)."""
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url) as pg:
                tables = [
                    r[0]
                    for r in pg.execute(
                        "select tablename from pg_tables where schemaname = 'public'"
                    )
                ]
                return {t: pg.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}  # type: ignore[index]  # noqa: S608
        path = self.data_dir / "gonghui.sqlite3"
        if not path.exists():
            return {}
        with sqlite3.connect(path) as conn:
            tables = [
                r[0] for r in conn.execute("select name from sqlite_master where type='table'")
            ]
            return {t: conn.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}  # noqa: S608


@pytest.fixture(scope="module")
def demo_install(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Install]:
    """The loaded demo the backup round trip takes: in the SQLite suite the data dir the other
    demo tests share; in the PostgreSQL suite the demo loaded once into a scratch database
    beside the suite's (committed, so ``pg_dump`` sees it, which the suite's own database,
    wrapped in each test's transaction, would not), dropped afterwards."""
    if not PG_TEST_URL:
        data_dir, first = request.getfixturevalue("demo_dir")
        assert first.returncode == 0, first.stderr
        yield Install(data_dir)
        return
    install = Install(tmp_path_factory.mktemp("cli-pg") / "demo-data", _pg_scratch("demo"))
    _pg_recreate(install.database_url)
    try:
        first = install.run("demo", "--no-serve", timeout=1800)
        assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-3000:]
        yield install
    finally:
        _pg_drop(install.database_url)


def test_the_loaded_demo_backs_up_and_restores(demo_install: Install, tmp_path: Path) -> None:
    """Issue 21's round trip on the whole demo, on the database the suite runs on: `gonghui
    backup` of the loaded installation (on PostgreSQL, pg_dump inside the encrypted archive),
    then `gonghui restore` into an empty data dir (and empty database): another field key is
    refused before anything is written; the installation's key gives back the same rows in
    every table, the same audit chain and a member's ID number revealed alike."""
    from gonghui.core.identifiers import parse_citizen_id

    source = demo_install
    passphrase = "只有管理员知道的口令 2026"
    archive = tmp_path / "demo.gonghui"
    made = source.run("backup", "--output", str(archive), GONGHUI_BACKUP_PASSPHRASE=passphrase)
    assert made.returncode == 0, made.stderr
    key = (source.data_dir / "field_key").read_text().strip()
    assert key.encode() not in archive.read_bytes()
    target = Install(tmp_path / "restored", _pg_scratch("demo_restored") if PG_TEST_URL else "")
    if target.database_url:
        _pg_recreate(target.database_url)
    try:
        other_key = base64.b64encode(b"k" * 32).decode()
        refused = target.run(
            "restore", str(archive), GONGHUI_FIELD_KEY=other_key,
            GONGHUI_BACKUP_PASSPHRASE=passphrase,
        )  # fmt: skip
        assert refused.returncode != 0 and "字段密钥不符" in refused.stderr
        assert target.counts() == {}
        assert not any((target.data_dir / d).exists() for d in ("files", "uploads", "results"))

        restored = {"GONGHUI_FIELD_KEY": key, "GONGHUI_BACKUP_PASSPHRASE": passphrase}
        done = target.run("restore", str(archive), "--json", **restored)
        assert done.returncode == 0, done.stderr
        outcome = json.loads(done.stdout.strip().splitlines()[-1])
        assert outcome["counts_match"] and outcome["audit_ok"] and outcome["rows"] > 100_000

        original = source.counts()
        assert target.counts() == original
        assert original["members_member"] > 40_000 and original["core_auditentry"] > 1_000
        # the audit chain: whole on both sides, the same blocks and rows, the same head
        chains = [source.run("audit-verify"), target.run("audit-verify", **restored)]
        assert [c.returncode for c in chains] == [0, 0], [c.stderr for c in chains]
        assert chains[0].stdout == chains[1].stdout
        assert outcome["audit_head"] in chains[1].stdout

        revealed = _first_id(target.env(**restored))
        assert revealed == _first_id(source.env())
        parse_citizen_id(revealed.split()[1])  # a whole, valid ID number, decrypted after restore
    finally:
        if target.database_url:
            _pg_drop(target.database_url)
