"""Masking of sensitive values for lists, exports and the audit log."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """``371702199001011234`` → ``**************1234``: the last four characters only.

    The region prefix is not shown: with the check character in the tail, a birth date seen
    elsewhere and the dozen region codes of one city, ``3717**********1234`` left a single
    candidate for most people. Four characters of eighteen leave the region and the birth
    date to guess (thousands of candidates), and a guess can only be confirmed through the
    audited, rate-limited full-number look-up."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``13800138000`` → ``138****8000``."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_birth_date(value: object) -> str:
    """A birth date beside a masked ID number narrows the ID to a few candidates: users without
    the reveal right see the year only (``1990年``)."""
    if not value:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return f"{text[:4]}年"


def mask_name(value: str | None) -> str:
    """``王小强`` → ``王*强``; two characters keep the surname only."""
    if not value:
        return ""
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_text(value: str | None) -> str:
    """Free text (consultation content, health notes) never appears; only its length does."""
    if not value:
        return ""
    return f"[已隐藏 {len(value)} 字]"


def mask_generic(value: object) -> str:
    text = "" if value is None else str(value)
    if not text:
        return ""
    if len(text) <= 4:
        return "*" * len(text)
    return text[:2] + "*" * (len(text) - 4) + text[-2:]


def mask_bank_account(value: str | None) -> str:
    """``6222021234567890123`` → ``6222 **** **** 0123``-like: the bank's first four digits
    (which only name the card's issuer) and the last four, as bank slips print them; a short
    number keeps only its last two."""
    if not value:
        return ""
    digits = "".join(value.split())
    if len(digits) <= 8:
        return "*" * max(len(digits) - 2, 0) + digits[-2:]
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]
