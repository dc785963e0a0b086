"""The member picker (``core.pickers``): ``member_search`` itself, so it ranks and scopes as the
roster does (name, pinyin, initials, the last digits of ID or phone)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gonghui.core import pickers
from gonghui.core.errors import InvalidInput
from gonghui.core.pickers import Option

from .models import Member
from .selectors import member_search, members_visible_to


def _option(member: Member) -> Option:
    return Option(str(member.pk), member.name, member.org.name)


def member_options(user: Any, q: str, limit: int) -> list[Option]:
    try:
        return [_option(m) for m in member_search(user, q)[:limit]]
    except InvalidInput:  # a whole ID number or mobile: only the audited lookup takes it
        return []


def member_resolve(user: Any, value: str) -> Option | None:
    value = value.strip()
    if not value.isdigit():
        return None
    member = members_visible_to(user).filter(pk=int(value)).first()
    return _option(member) if member else None


pickers.register("member", label=_("会员"), search=member_options, resolve=member_resolve)
