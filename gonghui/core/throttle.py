"""Attempt counting for public forms (the QR join flow): at most ``limit`` attempts per client
address within ``window`` seconds, counted in Django's cache.

The cache is the process's memory unless the deployment configures a shared one (``CACHES``):
then the count holds across web processes. The client address is the one django-axes uses
for the login lockout (``AXES_CLIENT_IP_CALLABLE``, which is ``forwarded_address``): behind
``GONGHUI_PROXY_COUNT`` reverse proxies it is read from ``X-Forwarded-For``, so a deployment
behind a proxy configures it once for both.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def forwarded_address(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind ``GONGHUI_PROXY_COUNT`` trusted
    reverse proxies (each appending the address it saw to ``X-Forwarded-For``) the entry that
    many places from the right. Entries further left are the client's own say and are never
    believed; a missing or malformed entry falls back to ``REMOTE_ADDR``."""
    remote = request.META.get("REMOTE_ADDR") or None
    hops = int(getattr(settings, "GONGHUI_PROXY_COUNT", 0))
    if hops <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    chain = [part.strip() for part in forwarded.split(",") if part.strip()]
    if len(chain) < hops:
        return remote
    try:
        return str(ipaddress.ip_address(chain[-hops]))
    except ValueError:
        return remote


def client_address(request: HttpRequest) -> str:
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or "unknown"


def attempt(scope: str, request: HttpRequest, *, limit: int, window: int) -> bool:
    """Count one attempt of ``scope`` from the request's client; False once more than
    ``limit`` were made within the ``window`` (seconds) that began with the first."""
    key = f"gonghui:throttle:{scope}:{client_address(request)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit
