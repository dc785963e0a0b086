"""Login lockout and guessing throttle: django-axes with gonghui's rules.

- Failures lock the pair (account, client address): ``AXES_LOCKOUT_PARAMETERS`` is
  ``[["username", "ip_address"]]``, so a stranger failing on ``admin`` locks only ``admin``
  *from the stranger's address*; the owner logs in from their own.
- An address failing across accounts is throttled: once the failures of one address within the
  lockout window reach ``GONGHUI_LOGIN_ADDRESS_FAILURES`` (all accounts together), every login
  from it is refused with 429, the right password included, until the window has passed.
- Each lock (a pair reaching the limit, an address reaching its limit) writes one audit row.
- Nothing axes stores carries a NUL or outgrows its column (PostgreSQL refuses both with a 500);
  the login form and the token API refuse such input before it gets here, this is the backstop.

The counts live in axes' ``AccessAttempt`` table, so they hold across web processes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

USERNAME_MAX = 150  # the User model's username column; axes' own is 255


def clean_text(value: Any, limit: int) -> str:
    """What axes may store: no NUL (PostgreSQL refuses it), at most ``limit`` characters."""
    return str(value or "").replace("\x00", "\ufffd")[:limit]


def client_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the username as axes records and matches it."""
    raw = (credentials or {}).get("username")
    if raw is None:
        raw = request.POST.get("username") if request.method == "POST" else None
    return None if raw is None else clean_text(raw, USERNAME_MAX)


def window() -> timedelta:
    cooloff: timedelta = settings.AXES_COOLOFF_TIME
    return cooloff


def address_failures(ip_address: str | None, *, now: Any = None) -> int:
    """Failed logins from one address within the window, all accounts together."""
    if not ip_address:
        return 0
    since = (now or timezone.now()) - window()
    total = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return int(total or 0)


def address_throttled(ip_address: str | None) -> bool:
    return address_failures(ip_address) >= settings.GONGHUI_LOGIN_ADDRESS_FAILURES


def current_pair_locks() -> list[dict[str, Any]]:
    """Pairs (username, address) locked now: their failures within the window reach the limit."""
    since = timezone.now() - window()
    return list(
        AccessAttempt.objects.filter(attempt_time__gte=since)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )


def current_address_locks() -> list[dict[str, Any]]:
    """Addresses throttled now, with their failures and the last of them."""
    since = timezone.now() - window()
    return list(
        AccessAttempt.objects.filter(attempt_time__gte=since)
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.GONGHUI_LOGIN_ADDRESS_FAILURES)
        .order_by("-last")
    )


def _sanitise(request: HttpRequest) -> None:
    # axes copies these from the request headers into CharFields of these sizes
    req: Any = request
    req.axes_user_agent = clean_text(getattr(req, "axes_user_agent", ""), 255)
    req.axes_path_info = clean_text(getattr(req, "axes_path_info", ""), 255)
    req.axes_http_accept = clean_text(getattr(req, "axes_http_accept", ""), 1025)


class GonghuiAxesHandler(AxesDatabaseHandler):
    """``AXES_HANDLER``: axes' database handler plus the address throttle and the audit."""

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return address_throttled(getattr(request, "axes_ip_address", None))

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        if request is None:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        _sanitise(request)
        super().user_login_failed(sender, credentials, request, **kwargs)
        # imported here: services import the models, which the handler must not load early
        from .services import login_lock_record

        ip = request.axes_ip_address
        username = client_username(request, credentials)
        if request.axes_locked_out and request.axes_failures_since_start == (
            settings.AXES_FAILURE_LIMIT
        ):
            login_lock_record(
                username=username or "", ip_address=ip, failures=settings.AXES_FAILURE_LIMIT
            )
        failures = address_failures(ip)
        if failures >= settings.GONGHUI_LOGIN_ADDRESS_FAILURES:
            if not request.axes_locked_out:
                request.gonghui_address_throttled = True
            request.axes_locked_out = True
            request.axes_credentials = credentials
            if failures == settings.GONGHUI_LOGIN_ADDRESS_FAILURES:
                login_lock_record(username=None, ip_address=ip, failures=failures)

    def user_logged_in(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        _sanitise(request)
        super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        _sanitise(request)
        super().user_logged_out(sender, request, user, **kwargs)


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the login page's 429, saying which lock holds."""
    minutes = int(window().total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {
            "minutes": minutes,
            "address_throttled": getattr(request, "gonghui_address_throttled", False),
        },
        status=429,
    )
