"""The user picker (``core.pickers``): accounts of the user's subtree, for those who manage
accounts or read the audit log; a user is chosen by full name, pinyin or username."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gonghui.core import pickers
from gonghui.core.pickers import Option
from gonghui.core.roles import Role, can

from .models import User


def _scope(user: Any) -> QuerySet[User]:
    if not (can(user, "users.view") or can(user, "audit.view")):
        return User.objects.none()
    return User.objects.visible_to(user).select_related("org")


def _option(u: User) -> Option:
    return Option(u.username, u.full_name or u.username, u.org.name if u.org is not None else "")


def user_options(user: Any, q: str, limit: int) -> list[Option]:
    users = _scope(user).order_by("org__path", "username")
    q = q.strip()
    if q and not (q.isascii() and q.isalpha()):
        users = users.filter(Q(full_name__icontains=q) | Q(username__icontains=q))
    else:
        # pinyin is matched in Python: over the staff, and members only by their username
        users = users.filter(~Q(role=Role.MEMBER) | Q(username__istartswith=q or "\0"))
    best = pickers.ranked(q, users, lambda u: (u.full_name, u.username), limit)
    return [_option(u) for u in best]


def user_resolve(user: Any, value: str) -> Option | None:
    found = _scope(user).filter(username=value.strip()).first()
    return _option(found) if found else None


pickers.register("user", label=_("用户"), search=user_options, resolve=user_resolve)
