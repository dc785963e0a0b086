"""Masking of sensitive values for lists, exports and the audit log."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """``371702199001011234`` → ``3717**********1234``: region prefix and last four kept."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``13800138000`` → ``138****8000``."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


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
