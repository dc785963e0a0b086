"""Attempt counting for public forms (the QR join flow): at most ``limit`` attempts per client
address within ``window`` seconds, counted in Django's cache.

The cache is the process's memory unless the deployment configures a shared one (``CACHES``):
then the count holds across web processes. The client address is the one django-axes uses
for the login lockout (``AXES_CLIENT_IP_CALLABLE`` or ``REMOTE_ADDR``), so a deployment behind
a proxy configures it once for both.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest


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
