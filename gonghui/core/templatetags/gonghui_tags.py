"""Template filters of the web shell."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.conf import settings

register = template.Library()


@register.filter
def minutes(value: Any) -> int:
    """Whole minutes of a timedelta; the lockout window from settings when none is given."""
    if not isinstance(value, timedelta):
        value = settings.AXES_COOLOFF_TIME
    return int(value.total_seconds() // 60)


@register.filter
def described(entries: Any) -> list[Any]:
    """Audit rows in words (``core.audit.describe``): ``{% for e in rows|described %}``."""
    from gonghui.core.audit import describe

    return describe(entries)


@register.filter
def person(user: Any) -> str:
    """A user as people name them: full name (the username when none is set) and org,
    ``王建国（牡丹区总工会）``."""
    if user is None:
        return ""
    name = getattr(user, "full_name", "") or user.get_username()
    org = getattr(user, "org", None)
    return f"{name}（{org.name}）" if org is not None else str(name)


@register.filter(name="can")
def can_filter(user: Any, perm: str) -> bool:
    """``{% if user|can:"hotline.stats" %}``: does the user's role hold the permission?"""
    from gonghui.core.roles import can

    return can(user, perm)
