from __future__ import annotations

import pytest
from django.db import connection

from gonghui.core import crypto
from gonghui.core.fields import blind_index_for


def test_encrypt_roundtrip_and_nonce_uniqueness() -> None:
    a, b = crypto.encrypt("11010519491231002X"), crypto.encrypt("11010519491231002X")
    assert a != b
    assert a.startswith("v1:") and "11010519491231002X" not in a
    assert crypto.decrypt(a) == crypto.decrypt(b) == "11010519491231002X"


def test_tampered_ciphertext_fails() -> None:
    from cryptography.exceptions import InvalidTag

    token = crypto.encrypt("13800138000")
    head, body = token[:10], token[10:]
    flipped = head + ("A" if body[0] != "A" else "B") + body[1:]
    with pytest.raises((InvalidTag, ValueError)):
        crypto.decrypt(flipped)


def test_blind_index_is_keyed_normalised_and_purpose_bound() -> None:
    assert blind_index_for("citizen_id", "11010519491231002x") == blind_index_for(
        "citizen_id", "110105491231002"
    )
    assert blind_index_for("mobile", "+86 13800138000") == blind_index_for("mobile", "13800138000")
    assert crypto.blind_index("x", purpose="a") != crypto.blind_index("x", purpose="b")


def test_key_change_changes_the_index(settings: object) -> None:
    import base64

    before = crypto.blind_index("13800138000", purpose="mobile")
    settings.FIELD_KEY = base64.b64encode(b"k" * 32).decode()  # type: ignore[attr-defined]
    assert crypto.blind_index("13800138000", purpose="mobile") != before


def test_bad_field_key_is_refused(settings: object) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.FIELD_KEY = base64_of(b"short")  # type: ignore[attr-defined]
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")


def base64_of(raw: bytes) -> str:
    import base64

    return base64.b64encode(raw).decode()


@pytest.mark.django_db
def test_encrypted_field_stores_ciphertext_only() -> None:
    """A scratch model would need a migration; the kernel's field is exercised on a raw
    table with the field's own conversion functions instead."""
    from gonghui.core.fields import EncryptedTextField

    field = EncryptedTextField(mask="id_number")
    stored = field.get_prep_value("11010519491231002X")
    with connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE enc_probe (v TEXT)")
        cur.execute("INSERT INTO enc_probe (v) VALUES (%s)", [stored])
        cur.execute("SELECT v FROM enc_probe")
        raw = cur.fetchone()[0]
    assert "11010519491231002X" not in raw
    assert field.from_db_value(raw, None, connection) == "11010519491231002X"
    assert field.get_prep_value(stored) == stored  # already encrypted: not encrypted twice
