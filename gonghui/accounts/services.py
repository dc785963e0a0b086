"""Writes to accounts: users and API tokens. Each is one transaction with its audit row."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.core.errors import Forbidden, InvalidInput, NotFound
from gonghui.core.roles import HELD_APART, Role, can
from gonghui.orgs.models import Org

from .models import ApiToken, User, hash_token

USER_FIELDS = ("full_name", "title", "email", "role")


def _org_in_scope(actor: Any, code: str) -> Org:
    org = Org.objects.filter(code=(code or "").strip()).first()
    if org is None or (actor is not None and not can(actor, "orgs.view", org)):
        raise InvalidInput.one("org", _("组织不存在：%(code)s") % {"code": code})
    if not org.active:
        raise InvalidInput.one("org", _("组织已撤销：%(code)s") % {"code": code})
    return org


def _check_role(actor: Any, role: str) -> None:
    if role not in Role.values:
        raise InvalidInput.one("role", _("未知角色：%(role)s") % {"role": role})
    # An admin below the city cannot mint a peer of a higher reach, but may create admins
    # of its own subtree; nobody but an admin creates admins.
    if actor is not None and role == Role.ADMIN and actor.role != Role.ADMIN:
        raise Forbidden(_("只有系统管理员可以创建管理员"))
    if actor is not None and role in HELD_APART:
        raise Forbidden(HELD_APART_MESSAGE)


HELD_APART_MESSAGE = _("安全管理员和安全审计员的账号只能用命令行 gonghui adduser 创建和调整")


def _not_held_apart(actor: Any, user: User) -> None:
    """The system administrator's pages never touch the security and audit administrators'
    accounts (their password, role, org, tokens, or whether they are active)."""
    if actor is not None and actor.pk != user.pk and user.role in HELD_APART:
        raise Forbidden(HELD_APART_MESSAGE)


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput([{"field": "password", "message": m} for m in exc.messages]) from exc


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    org: str,
    role: str,
    password: str | None = None,
    full_name: str = "",
    title: str = "",
    email: str = "",
) -> tuple[User, str]:
    """Create a user in ``org`` (a code). Returns the user and the password (generated when
    not given, to be handed over once). ``actor=None`` is the command line."""
    username = (username or "").strip()
    if not username:
        raise InvalidInput.one("username", _("用户名不能为空"))
    home = _org_in_scope(actor, org)
    if actor is not None and not can(actor, "users.manage", home):
        raise Forbidden(_("当前角色无权管理该组织的账号"))
    _check_role(actor, role)
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput.one("username", _("用户名已存在：%(u)s") % {"u": username})
    user = User(
        username=username,
        org=home,
        role=role,
        full_name=full_name.strip(),
        title=title.strip(),
        email=email.strip(),
    )
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc) from exc
    if password is None:
        password = secrets.token_urlsafe(9) + "7a"
    _validate_password(password, user)
    user.set_password(password)
    user.save()
    audit.record(
        actor=actor,
        action="user.create",
        object_type="user",
        object_id=user.pk,
        object_org=home,
        object_repr=user.username,
        changes=audit.diff(
            {}, audit.snapshot(user, ["username", "role", "org", "full_name", "title", "is_active"])
        ),
    )
    return user, password


@transaction.atomic
def user_update(*, actor: Any, user: User, data: dict[str, Any]) -> User:
    if not can(actor, "users.manage", user.org):
        raise (
            NotFound()
            if not can(actor, "users.view", user.org)
            else Forbidden(_("当前角色无权管理该组织的账号"))
        )
    _not_held_apart(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    fields = {k: v for k, v in data.items() if k in USER_FIELDS}
    if "role" in fields:
        _check_role(actor, fields["role"])
        if user.pk == actor.pk and fields["role"] != user.role:
            raise InvalidInput.one("role", _("不能修改自己的角色"))
    tracked = [*fields]
    if data.get("org"):
        fields["org"] = _org_in_scope(actor, data["org"])
        if not can(actor, "users.manage", fields["org"]):
            raise InvalidInput.one("org", _("组织不在管辖范围内"))
        tracked.append("org")
    before = audit.snapshot(user, tracked)
    for key, value in fields.items():
        setattr(user, key, value.strip() if isinstance(value, str) else value)
    changes = audit.diff(before, audit.snapshot(user, tracked))
    if changes:
        user.save(update_fields=list(changes))
        audit.record(
            actor=actor,
            action="user.update",
            object_type="user",
            object_id=user.pk,
            object_org=user.org,
            object_repr=user.username,
            changes=changes,
        )
    return user


@transaction.atomic
def user_set_active(*, actor: Any, user: User, active: bool) -> User:
    if not can(actor, "users.manage", user.org):
        raise NotFound()
    if user.pk == actor.pk:
        raise InvalidInput.one("is_active", _("不能停用自己的账号"))
    _not_held_apart(actor, user)
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())
        audit.record(
            actor=actor,
            action="user.activate" if active else "user.deactivate",
            object_type="user",
            object_id=user.pk,
            object_org=user.org,
            object_repr=user.username,
            changes={"is_active": {"before": not active, "after": active}},
        )
    return user


@transaction.atomic
def user_set_password(
    *, actor: Any, user: User, password: str, keep_token: ApiToken | None = None
) -> User:
    """An admin resets another's password, or a user changes their own.

    Every API token of the user is revoked (but ``keep_token``, the one a user changing their
    own password through the API is calling with) and every session of the user ends: Django
    checks a session against a hash of the password on each request, so a session opened before
    the change is logged out at its next request. The page that changes one's own password
    re-keys its own session (``update_session_auth_hash``) so that it stays."""
    if actor is not None and actor.pk != user.pk and not can(actor, "users.manage", user.org):
        raise NotFound()
    _not_held_apart(actor, user)
    _validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    tokens = ApiToken.objects.filter(user=user, revoked_at=None)
    if keep_token is not None and keep_token.user_id == user.pk:
        tokens = tokens.exclude(pk=keep_token.pk)
    revoked = tokens.update(revoked_at=timezone.now())
    changes: dict[str, Any] = {"password": {"before": "***", "after": "***"}}
    if revoked:
        changes["api_tokens_revoked"] = {"before": 0, "after": revoked}
    audit.record(
        actor=actor,
        action="user.password",
        object_type="user",
        object_id=user.pk,
        object_org=user.org,
        object_repr=user.username,
        changes=changes,
    )
    return user


# --- login locks ---------------------------------------------------------------------------


@transaction.atomic
def login_lock_record(*, username: str | None, ip_address: str | None, failures: int) -> None:
    """Audit one lock as it happens: the pair (``username``, ``ip_address``) reached the failure
    limit, or (``username=None``) the address reached its limit across accounts. The actor is
    the system; the row sits under the account's org when the account exists, so that the
    admins above it see it."""
    from .lockout import clean_text

    ip = ip_address or ""
    if username is None:
        audit.record(
            actor=None,
            action="login.throttle",
            object_type="address",
            object_id=ip,
            object_repr=ip,
            changes={"failures": {"before": None, "after": failures}},
        )
        return
    name = clean_text(username, 150)
    user = User.objects.filter(username=name).select_related("org").first()
    audit.record(
        actor=None,
        action="login.lock",
        object_type="user" if user else "login",
        object_id=user.pk if user else name,
        object_org=user.org if user else None,
        object_repr=f"{name} @ {ip}",
        changes={
            "failures": {"before": None, "after": failures},
            "address": {"before": None, "after": ip},
        },
    )


@transaction.atomic
def login_unlock(*, actor: Any, ip_address: str, username: str | None = None) -> int:
    """Lift a lock: the pair (``username``, ``ip_address``), or with ``username=None`` the
    address throttle (every failure counted from that address). Answers how many attempt rows
    were cleared; 404 when the actor may not see that lock (see ``selectors.access_login_lock``).
    """
    from axes.models import AccessAttempt

    from .selectors import access_login_lock

    lock = access_login_lock(actor, username=username, ip_address=ip_address)
    rows = AccessAttempt.objects.filter(ip_address=lock.ip_address)
    if lock.username is not None:
        rows = rows.filter(username=lock.username)
    cleared, _ = rows.delete()
    audit.record(
        actor=actor,
        action="login.unlock",
        object_type="user" if lock.user else ("login" if lock.username else "address"),
        object_id=lock.user.pk if lock.user else (lock.username or lock.ip_address),
        object_org=lock.user.org if lock.user else None,
        object_repr=f"{lock.username} @ {lock.ip_address}" if lock.username else lock.ip_address,
        changes={"failures": {"before": lock.failures, "after": 0}},
    )
    return cleared


@transaction.atomic
def token_issue(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Issue an API token; the raw value is returned once and never stored."""
    raw = "gh_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        prefix=raw[3:11],
        name=name[:100],
        expires_at=timezone.now() + timedelta(days=settings.GONGHUI_API_TOKEN_DAYS),
    )
    audit.record(
        actor=user,
        action="token.issue",
        object_type="api_token",
        object_id=token.pk,
        object_org=user.org,
        object_repr=f"{token.prefix}…",
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk and not can(actor, "users.manage", token.user.org):
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="token.revoke",
            object_type="api_token",
            object_id=token.pk,
            object_org=token.user.org,
            object_repr=f"{token.prefix}…",
        )
    return token


def token_user(raw: str) -> tuple[User, ApiToken] | None:
    """The active user behind a bearer token, or None. Touches ``last_used_at`` at most
    once a minute so that reads do not turn into writes."""
    found = (
        ApiToken.objects.select_related("user", "user__org")
        .filter(key_hash=hash_token(raw), revoked_at=None, expires_at__gt=timezone.now())
        .order_by()[:1]  # the hash is unique: no ordering to ask for
    )
    token = next(iter(found), None)
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        _touch(token, now)
    return token.user, token


def _touch(token: ApiToken, now: Any) -> None:
    """Record when a token was last used, without making a read wait for a writer: on
    SQLite, whose one writer may hold the database for a while, the touch is given up at once
    when it is busy (a later request records it) instead of waiting out the busy timeout."""
    touched = ApiToken.objects.filter(pk=token.pk)
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        touched.update(last_used_at=now)
        return
    wait_ms = int(float(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)) * 1000)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 0")
        try:
            touched.update(last_used_at=now)
        except OperationalError:
            pass  # the writer holds the database: not worth a wait
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {wait_ms}")
