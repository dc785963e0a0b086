from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from gonghui.core.errors import NotFound
from gonghui.core.roles import can
from gonghui.core.scope import access

from . import lockout
from .models import User


def users_visible_to(user: Any, *, q: str = "", role: str = "", org: str = "") -> QuerySet[User]:
    if not can(user, "users.view"):
        return User.objects.none()
    qs = User.objects.visible_to(user).select_related("org")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if role:
        qs = qs.filter(role=role)
    if org:
        qs = qs.filter(org__code=org)
    return qs.order_by("org__path", "username")


def access_user(user: Any, pk: int) -> User:
    if not can(user, "users.view") and getattr(user, "pk", None) != pk:
        raise NotFound()
    return access(User.objects.select_related("org"), user, pk=pk)


# --- login locks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginLock:
    """A lock in force: the pair (``username``, ``ip_address``), or the address alone
    (``username`` None) throttled across accounts."""

    username: str | None
    ip_address: str
    failures: int
    last_failure: datetime.datetime
    user: User | None = None

    @property
    def until(self) -> datetime.datetime:
        return self.last_failure + lockout.window()

    @property
    def is_address(self) -> bool:
        return self.username is None


def _sees_every_lock(user: Any) -> bool:
    """Locks on names that are no account, and address throttles, concern the whole
    installation: only an admin of the top org sees them."""
    home = getattr(user, "org", None)
    return can(user, "security.locks") and home is not None and home.parent_id is None


def login_locks_visible_to(user: Any) -> list[LoginLock]:
    """The locks in force that ``user`` may see and lift, newest first: pairs of accounts in
    the user's subtree; with the top org also unknown names and throttled addresses."""
    if not can(user, "security.locks"):
        return []
    every = _sees_every_lock(user)
    pairs = lockout.current_pair_locks()
    accounts = {
        u.username: u
        for u in User.objects.filter(username__in=[p["username"] for p in pairs]).select_related(
            "org"
        )
    }
    locks: list[LoginLock] = []
    for p in pairs:
        account = accounts.get(p["username"])
        if account is None and not every:
            continue
        if account is not None and not can(user, "security.locks", account.org):
            continue
        locks.append(
            LoginLock(p["username"], p["ip_address"] or "", p["failures"], p["last"], account)
        )
    if every:
        locks += [
            LoginLock(None, a["ip_address"] or "", a["failures"], a["last"])
            for a in lockout.current_address_locks()
        ]
    return sorted(locks, key=lambda lock: lock.last_failure, reverse=True)


def access_login_lock(user: Any, *, username: str | None, ip_address: str) -> LoginLock:
    """One lock in force that ``user`` may see; NotFound for a lock that is not (or no
    longer) in force and for one outside the user's reach alike."""
    for lock in login_locks_visible_to(user):
        if lock.username == (username or None) and lock.ip_address == ip_address:
            return lock
    raise NotFound()
