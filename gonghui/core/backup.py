"""Backup and restore: one encrypted archive of the database, the files still retained and a
manifest.

The archive is a gzip tar — ``manifest.json`` first, then the database (a SQLite copy made
with the online backup API, or ``pg_dump`` custom format taken in the same snapshot as the
manifest's counts), then the data dir's ``files/``, ``uploads/`` and ``results/`` — encrypted
as a stream of AES-256-GCM chunks under a key derived with scrypt from the passphrase
(``GONGHUI_BACKUP_PASSPHRASE`` or a prompt). Each chunk's nonce holds its number and a
last-chunk flag, so a truncated, reordered or altered archive fails to decrypt.

The field key is never in the archive: the manifest names its fingerprint, and a restore run
with another key is refused as soon as the manifest is read, before anything is written.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from . import crypto

FORMAT = "gonghui-backup/1"
MAGIC = b"GONGHUI-BACKUP\x00\x01"
CHUNK = 1 << 20
SCRYPT_LOG_N = 15
FILE_DIRS = ("files", "uploads", "results")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in words."""


def key_fingerprint(field_key: str | None = None) -> str:
    raw = base64.b64decode(field_key or settings.FIELD_KEY)
    return hashlib.sha256(b"gonghui field key fingerprint\x00" + raw).hexdigest()[:32]


# --- the encrypted stream -----------------------------------------------------------------


def _derive(passphrase: str, salt: bytes, log_n: int) -> AESGCM:
    if not passphrase:
        raise BackupError("备份口令不能为空")
    key = Scrypt(salt=salt, length=32, n=1 << log_n, r=8, p=1).derive(passphrase.encode())
    return AESGCM(key)


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class EncryptingWriter(io.RawIOBase):
    def __init__(self, out: IO[bytes], passphrase: str) -> None:
        salt = os.urandom(16)
        self.header = MAGIC + salt + bytes([SCRYPT_LOG_N])
        self.aead = _derive(passphrase, salt, SCRYPT_LOG_N)
        self.out, self.buffer, self.counter = out, bytearray(), 0
        out.write(self.header)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK:
            self._emit(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def _emit(self, plain: bytes, *, last: bool) -> None:
        sealed = self.aead.encrypt(_nonce(self.counter, last), plain, self.header)
        self.out.write(struct.pack(">I", len(sealed)) + sealed)
        self.counter += 1

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self.buffer), last=True)
            self.buffer.clear()
        super().close()


class DecryptingReader(io.RawIOBase):
    def __init__(self, src: IO[bytes], passphrase: str) -> None:
        head = src.read(len(MAGIC) + 17)
        if len(head) != len(MAGIC) + 17 or not head.startswith(MAGIC):
            raise BackupError("这不是 gonghui 的备份文件")
        self.header = head
        self.aead = _derive(passphrase, head[len(MAGIC) : len(MAGIC) + 16], head[-1])
        self.src, self.pending, self.counter, self.done = src, b"", 0, False

    def readable(self) -> bool:
        return True

    def _next(self) -> None:
        size_bytes = self.src.read(4)
        if len(size_bytes) != 4:
            raise BackupError("备份文件不完整")
        sealed = self.src.read(struct.unpack(">I", size_bytes)[0])
        for last in (False, True):
            try:
                self.pending = self.aead.decrypt(_nonce(self.counter, last), sealed, self.header)
            except InvalidTag:
                continue
            self.counter += 1
            self.done = last
            return
        if self.counter == 0:
            raise BackupError("备份口令不对，或文件已损坏")
        raise BackupError("备份文件已损坏")

    def readinto(self, buf: Any) -> int:
        while not self.pending and not self.done:
            self._next()
        n = min(len(buf), len(self.pending))
        buf[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n


# --- what is in the database --------------------------------------------------------------


def _tables() -> list[str]:
    names = {
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    }
    existing = set(connection.introspection.table_names())
    return sorted(names & existing)


def _counts(cursor: Any, tables: list[str]) -> dict[str, int]:
    out = {}
    for table in tables:
        # the names come from the models, quoted: no input reaches this statement
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        out[table] = int(cursor.fetchone()[0])
    return out


def _audit_head(cursor: Any) -> str:
    cursor.execute("SELECT hash FROM core_auditseal ORDER BY number DESC LIMIT 1")
    row = cursor.fetchone()
    return row[0] if row else ""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _pg_env() -> dict[str, str]:
    s = connection.settings_dict
    env = {**os.environ}
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if s.get(key):
            env[var] = str(s[key])
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    if shutil.which(args[0]) is None:
        raise BackupError(f"找不到 {args[0]}：请安装与服务器同版本的 PostgreSQL 客户端")
    # a fixed program with arguments from the settings, no shell
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{args[0]} 失败：{done.stderr.strip()[-500:]}")


def _dump_database(folder: Path) -> tuple[Path, dict[str, int], str]:
    """The database copied into ``folder``, with its tables' counts and audit head taken from
    the same snapshot."""
    tables = _tables()
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        dst = sqlite3.connect(target)
        try:
            connection.connection.backup(dst)  # the online backup API: a consistent copy
            cur = dst.cursor()
            counts, head = _counts(cur, tables), _audit_head(cur)
        finally:
            dst.close()
        return target, counts, head
    if connection.vendor != "postgresql":
        raise BackupError(f"不支持的数据库：{connection.vendor}")
    target = folder / "database.pgdump"
    import psycopg

    s = connection.settings_dict
    with psycopg.connect(
        host=s.get("HOST") or None,
        port=s.get("PORT") or None,
        user=s.get("USER") or None,
        password=s.get("PASSWORD") or None,
        dbname=s["NAME"],
        autocommit=True,  # the transaction below is ours, with its isolation level
    ) as pg:
        pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = pg.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        pg_cur = pg.cursor()
        counts, head = _counts(pg_cur, tables), _audit_head(pg_cur)
        _run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--file", str(target)],
            _pg_env(),
        )
        pg.execute("ROLLBACK")
    return target, counts, head


# --- backup -------------------------------------------------------------------------------


def _retained_files() -> Iterator[tuple[Path, str]]:
    root = Path(settings.DATA_DIR)
    for name in FILE_DIRS:
        for path in sorted((root / name).rglob("*")) if (root / name).is_dir() else []:
            if path.is_file() and not path.is_symlink():
                yield path, path.relative_to(root).as_posix()


@contextmanager
def _staging(prefix: str) -> Iterator[Path]:
    root = Path(settings.DATA_DIR)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=root))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def backup(output: Path, passphrase: str) -> dict[str, Any]:
    """Write the archive to ``output`` (0600); returns its manifest."""
    from .auditchain import seal

    seal()  # the manifest's audit head covers all that can be sealed
    with _staging(".backup-") as folder:
        db_path, counts, head = _dump_database(folder)
        files = {rel: _sha256(path) for path, rel in _retained_files()}
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "vendor": connection.vendor,
            "field_key_fingerprint": key_fingerprint(),
            # a backup taken while a key rotation runs holds values under these keys too
            "read_key_fingerprints": [crypto.fingerprint(k.secret) for k in crypto.ring().others],
            "database": {"name": db_path.name, "sha256": _sha256(db_path)},
            "counts": counts,
            "files": files,
            "audit_head": head,
        }
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with (
            os.fdopen(fd, "wb") as raw,
            EncryptingWriter(raw, passphrase) as enc,
            tarfile.open(fileobj=enc, mode="w|gz") as tar,
        ):
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_path, arcname=f"database/{db_path.name}")
            for path, rel in _retained_files():
                if rel in files:
                    tar.add(path, arcname=f"data/{rel}")
    return manifest


# --- restore ------------------------------------------------------------------------------


@dataclass
class Restored:
    manifest: dict[str, Any]
    counts: dict[str, int]
    audit_head: str
    audit_ok: bool


def _sqlite_path() -> Path:
    return Path(str(connection.settings_dict["NAME"]))


def _target_is_empty() -> None:
    root = Path(settings.DATA_DIR)
    for name in FILE_DIRS:
        if (root / name).is_dir() and any((root / name).rglob("*")):
            raise BackupError(f"数据目录不是空的：{root / name} 里已有文件")
    if connection.vendor == "sqlite":
        path = _sqlite_path()
        if path.exists() and path.stat().st_size:
            with sqlite3.connect(path) as db:
                n = db.execute("SELECT COUNT(*) FROM sqlite_master WHERE type='table'").fetchone()
            if n[0]:
                raise BackupError(f"数据库不是空的：{path}")
        return
    if connection.introspection.table_names():
        raise BackupError(f"数据库不是空的：{connection.settings_dict['NAME']}")


def _safe_member(name: str) -> str:
    parts = Path(name).parts
    if not parts or Path(name).is_absolute() or ".." in parts:
        raise BackupError(f"备份文件里有不安全的路径：{name}")
    return name


def restore(archive: Path, passphrase: str) -> Restored:
    """Restore into the empty data dir (and empty database) the settings name."""
    from . import auditchain

    with archive.open("rb") as raw:
        reader = io.BufferedReader(DecryptingReader(raw, passphrase), CHUNK)
        with tarfile.open(fileobj=reader, mode="r|gz") as tar:
            members = iter(tar)
            first = next(members, None)
            if first is None or first.name != "manifest.json":
                raise BackupError("备份文件缺少清单")
            fh = tar.extractfile(first)
            manifest = json.loads(fh.read()) if fh is not None else {}
            if manifest.get("format") != FORMAT:
                raise BackupError("备份文件的格式不认识")
            if manifest["field_key_fingerprint"] != key_fingerprint():
                raise BackupError(
                    "字段密钥不符：备份要求指纹为 "
                    f"{manifest['field_key_fingerprint']} 的密钥，当前密钥的指纹是 "
                    f"{key_fingerprint()}；请用该安装的 GONGHUI_FIELD_KEY 运行"
                )
            held = {crypto.fingerprint(k.secret) for k in crypto.ring().all}
            missing = [f for f in manifest.get("read_key_fingerprints", []) if f not in held]
            if missing:
                raise BackupError(
                    "这份备份是在字段密钥轮换期间做的，还需要指纹为 "
                    f"{'、'.join(missing)} 的旧密钥：请把它放进 GONGHUI_FIELD_KEYS_READ 再恢复"
                )
            if manifest["vendor"] != connection.vendor:
                raise BackupError(
                    f"这是 {manifest['vendor']} 数据库的备份，当前是 {connection.vendor}"
                )
            _target_is_empty()
            with _staging(".restore-") as folder:
                for member in members:
                    if not member.isfile():
                        continue
                    src = tar.extractfile(member)
                    if src is None:
                        continue
                    dest = folder / _safe_member(member.name)
                    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                    with dest.open("wb") as out:
                        shutil.copyfileobj(src, out, CHUNK)
                return _apply(manifest, folder, auditchain)


def _apply(manifest: dict[str, Any], folder: Path, auditchain: Any) -> Restored:
    db_file = folder / "database" / manifest["database"]["name"]
    if not db_file.is_file() or _sha256(db_file) != manifest["database"]["sha256"]:
        raise BackupError("备份中的数据库与清单的校验和不符")
    for rel, sha in manifest["files"].items():
        path = folder / "data" / _safe_member(rel)
        if not path.is_file() or _sha256(path) != sha:
            raise BackupError(f"备份中的文件 {rel} 与清单的校验和不符")
    if connection.vendor == "sqlite":
        target = _sqlite_path()
        connections.close_all()
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        src, dst = sqlite3.connect(db_file), sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
    else:
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                str(connection.settings_dict["NAME"]),
                str(db_file),
            ],
            _pg_env(),
        )
    root = Path(settings.DATA_DIR)
    for rel in manifest["files"]:
        dest = root / rel
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.move(str(folder / "data" / rel), dest)
        os.chmod(dest, 0o600)
    with connection.cursor() as cur:
        counts = _counts(cur, sorted(manifest["counts"]))
    report = auditchain.verify()
    return Restored(
        manifest=manifest,
        counts=counts,
        audit_head=report.head if report.ok else "",
        audit_ok=report.ok and report.head == (manifest["audit_head"] or auditchain.GENESIS),
    )
