"""Field encryption (AES-256-GCM) and keyed blind indexes for exact lookups.

A value is stored as ``v1:<kid>:<base64(nonce | ciphertext | tag)>``, ``kid`` the first eight
hex characters of the key's fingerprint (older values, ``v1:<base64>``, name no key and are
tried with every key held). The blind index is an HMAC-SHA256 of the normalised plain value
under a key derived from the field key (HKDF, info ``gonghui blind index``), so an exact
lookup by ID number or phone needs no decryption and the index reveals nothing without the key.

The installation holds a **key ring**: ``FIELD_KEY`` (the primary: it encrypts every new value
and computes every index written) and ``FIELD_KEYS_READ`` (keys that still decrypt and are
still searched, never written: the old key while ``gonghui rotate-field-key`` moves the
values to the new one). When the keys come from the data dir's files (not the environment),
the ring follows those files within a second, so a rotation reaches every running process.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1:"
KEY_FILE = "field_key"
READ_KEYS_FILE = "field_keys_read"


def fingerprint(field_key: str) -> str:
    """A key's public name: safe to print, to store and to put in a backup's manifest."""
    raw = base64.b64decode(field_key)
    return hashlib.sha256(b"gonghui field key fingerprint\x00" + raw).hexdigest()[:32]


@dataclass(frozen=True)
class Key:
    kid: str  # the first eight characters of the fingerprint: written into every value
    aead: AESGCM
    index: bytes  # the blind index key
    secret: str  # the base64 text, for the key files of a rotation

    @property
    def prefix(self) -> str:
        return f"{PREFIX}{self.kid}:"


@lru_cache(maxsize=16)
def _key(field_key: str) -> Key:
    try:
        raw = base64.b64decode(field_key, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured("GONGHUI_FIELD_KEY must be base64") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured("GONGHUI_FIELD_KEY must decode to 32 bytes")

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(raw)

    return Key(
        kid=fingerprint(field_key)[:8],
        aead=AESGCM(derive(b"gonghui field encryption")),
        index=derive(b"gonghui blind index"),
        secret=field_key,
    )


def parse_key(field_key: str) -> Key:
    """The key of a base64 text, or ImproperlyConfigured saying what is wrong with it."""
    return _key(field_key.strip())


@dataclass(frozen=True)
class Ring:
    primary: Key
    others: tuple[Key, ...]

    @property
    def all(self) -> tuple[Key, ...]:
        return (self.primary, *self.others)

    def by_kid(self, kid: str) -> Key | None:
        for key in self.all:
            if key.kid == kid:
                return key
        return None


@lru_cache(maxsize=8)
def _ring_of(primary: str, others: tuple[str, ...]) -> Ring:
    first = _key(primary)
    rest = tuple(k for k in dict.fromkeys(_key(o) for o in others) if k.kid != first.kid)
    return Ring(first, rest)


def read_keys_text(text: str) -> list[str]:
    return [k.strip() for k in text.replace(",", "\n").splitlines() if k.strip()]


# --- the data dir's key files: followed while the installation runs on them --------------

_files_seen: dict[str, Any] = {"at": 0.0, "stamp": None}


def _files_stamp(folder: Path) -> tuple[float, ...]:
    out = []
    for name in (KEY_FILE, READ_KEYS_FILE):
        try:
            st = os.stat(folder / name)
            out.append(st.st_mtime_ns + st.st_size / 1e6)
        except FileNotFoundError:
            out.append(-1.0)
    return tuple(out)


def reload_key_files(*, force: bool = False) -> None:
    """Read the data dir's key files again if they changed (at most once a second unless
    ``force``): a rotation run by another process switches this one over."""
    if not getattr(settings, "FIELD_KEY_FROM_FILE", False):
        return
    now = time.monotonic()
    if not force and now - _files_seen["at"] < 1.0:
        return
    _files_seen["at"] = now
    folder = Path(settings.DATA_DIR)
    stamp = _files_stamp(folder)
    if stamp == _files_seen["stamp"]:
        return
    first = _files_seen["stamp"] is None
    _files_seen["stamp"] = stamp
    if first and not force:
        return  # the settings read these files at start
    try:
        primary = (folder / KEY_FILE).read_text().strip()
        read = folder / READ_KEYS_FILE
        others = read_keys_text(read.read_text()) if read.exists() else []
        _ring_of(primary, tuple(others))  # valid before it is taken
    except (OSError, ImproperlyConfigured):
        return  # a file half-written: the next look reads it again
    settings.FIELD_KEY = primary
    settings.FIELD_KEYS_READ = others


def ring() -> Ring:
    reload_key_files()
    return _ring_of(settings.FIELD_KEY, tuple(getattr(settings, "FIELD_KEYS_READ", ()) or ()))


def rotation_in_progress() -> bool:
    """More than one key held: values may be under either, so bulk writes that match by
    blind index (roster and campaign imports) wait until the rotation is done."""
    return bool(ring().others)


def _current() -> tuple[AESGCM, bytes]:
    key = ring().primary
    return key.aead, key.index


def encrypt(plain: str) -> str:
    key = ring().primary
    nonce = os.urandom(12)
    sealed = key.aead.encrypt(nonce, plain.encode(), None)
    return key.prefix + base64.b64encode(nonce + sealed).decode()


def key_of(token: str) -> str:
    """The kid a value names, "" for an older value that names none."""
    rest = token[len(PREFIX) :]
    return rest[:8] if rest[8:9] == ":" else ""


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise ValueError("not an encrypted value")
    kid = key_of(token)
    if kid:
        key = ring().by_kid(kid)
        if key is None:
            reload_key_files(force=True)
            key = ring().by_kid(kid)
        if key is None:
            raise ValueError(f"encrypted under a key this installation does not hold ({kid})")
        blob = base64.b64decode(token[len(PREFIX) + 9 :])
        return key.aead.decrypt(blob[:12], blob[12:], None).decode()
    blob = base64.b64decode(token[len(PREFIX) :])
    keys = ring().all
    for key in keys:
        try:
            return key.aead.decrypt(blob[:12], blob[12:], None).decode()
        except InvalidTag:
            if key is keys[-1]:
                raise
    raise ValueError("no key")  # pragma: no cover - the ring always holds a key


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed hash of an already-normalised value; ``purpose`` separates ID numbers from phones."""
    _, key = _current()
    return _index_with(key, value, purpose)


def _index_with(key: bytes, value: str, purpose: str) -> str:
    # hmac.digest is the one-shot C path: a third of hmac.new(...).digest() on import hot paths
    digest = hmac.digest(key, f"{purpose}\x00{value}".encode(), "sha256")
    return base64.b32encode(digest[:20]).decode().rstrip("=").lower()


def blind_index_all(value: str, *, purpose: str) -> list[str]:
    """The value's blind index under every key held, the primary's first: what a search
    looks for while a rotation has moved some rows and not others."""
    return list(dict.fromkeys(_index_with(k.index, value, purpose) for k in ring().all))


def encryptor() -> Callable[[str], str]:
    """``encrypt`` for a batch (an import): the key is looked up once and the random nonces
    are drawn from the OS 12 KiB at a time — each nonce is still 96 fresh random bits used
    once, only the system calls are fewer."""
    key = ring().primary
    seal, prefix = key.aead.encrypt, key.prefix
    b64 = base64.b64encode
    buf, at = b"", 0

    def encrypt_one(plain: str) -> str:
        nonlocal buf, at
        if at + 12 > len(buf):
            buf, at = os.urandom(12 * 1024), 0
        nonce = buf[at : at + 12]
        at += 12
        return prefix + b64(nonce + seal(nonce, plain.encode(), None)).decode()

    return encrypt_one


def _hmac_states(purpose: str) -> tuple[Any, Any]:
    """SHA-256 states that have absorbed the padded key — the inner one also the purpose
    prefix —: RFC 2104's HMAC with the key schedule done once, not once per value."""
    _, key = _current()
    block = hashlib.sha256().block_size
    padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded) + f"{purpose}\x00".encode())
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))
    return inner, outer


def blind_indexer(purpose: str) -> Callable[[str], str]:
    """``blind_index`` for a batch, with the key and the purpose prefix bound once (the same
    digest as ``hmac.digest``, at less than half its cost per value)."""
    inner, outer = _hmac_states(purpose)
    triples, pairs = _b32_tables()
    low80 = (1 << 80) - 1

    def index_one(value: str) -> str:
        h = inner.copy()
        h.update(value.encode())
        o = outer.copy()
        o.update(h.digest())
        # the same text as base64.b32encode(digest[:20]).lower(): 160 bits in two halves of
        # eighty (integers of three machine digits shift cheaply), fifteen bits (three
        # characters) a look-up, the ten bits that straddle the halves as one pair
        n = int.from_bytes(o.digest()[:20], "big")
        hi, lo = n >> 80, n & low80
        return (
            triples[hi >> 65]
            + triples[(hi >> 50) & 32767]
            + triples[(hi >> 35) & 32767]
            + triples[(hi >> 20) & 32767]
            + triples[(hi >> 5) & 32767]
            + pairs[((hi & 31) << 5) | (lo >> 75)]
            + triples[(lo >> 60) & 32767]
            + triples[(lo >> 45) & 32767]
            + triples[(lo >> 30) & 32767]
            + triples[(lo >> 15) & 32767]
            + triples[lo & 32767]
        )

    return index_one


def blind_indexes(purpose: str) -> Callable[[list[str]], list[str]]:
    """``blind_index`` of many values at once (an import's chunk): the HMACs one by one,
    their base32 text for the whole list in 32 operations on one large integer."""
    inner, outer = _hmac_states(purpose)

    def index_many(values: list[str]) -> list[str]:
        if not values:
            return []
        digests = []
        for value in values:
            h = inner.copy()
            h.update(value.encode())
            o = outer.copy()
            o.update(h.digest())
            digests.append(o.digest()[:20].rjust(32, b"\0"))
        return _b32_many(digests)

    return index_many


def _b32_many(padded: list[bytes]) -> list[str]:
    """``base64.b32encode(d).lower()`` of 20-byte digests, each given padded to 32 bytes in
    front: all of them as one integer of 256-bit slots; the k-th five bits of every slot
    moved at once into byte k of its slot, the bytes mapped onto the alphabet."""
    n = len(padded)
    whole = int.from_bytes(b"".join(padded), "big")
    low5 = int.from_bytes(_SLOT_ONE * n, "big") * 31  # the five low bits of every slot
    spread = 0
    for k in range(32):
        spread |= ((whole >> (155 - 5 * k)) & low5) << (8 * (31 - k))
    text = spread.to_bytes(32 * n, "big").translate(_B32_BYTES).decode("ascii")
    return [text[i : i + 32] for i in range(0, 32 * n, 32)]


_B32_LOWER = "abcdefghijklmnopqrstuvwxyz234567"
_B32_BYTES = bytes.maketrans(bytes(range(32)), _B32_LOWER.encode())
_SLOT_ONE = bytes(31) + b"\x01"


@lru_cache(maxsize=1)
def _b32_tables() -> tuple[list[str], list[str]]:
    """Every three- and two-character run of the lower-case base32 alphabet, by value."""
    pairs = [a + b for a in _B32_LOWER for b in _B32_LOWER]
    return [a + pair for a in _B32_LOWER for pair in pairs], pairs
