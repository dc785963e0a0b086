"""Request-wide guards of the kernel.

- ``AuditContextMiddleware``: the client address for audit rows written during the request.
- ``NulRefusalMiddleware``: a NUL character anywhere in the path, the query string, a form or
  a JSON body is refused before any view reads it (PostgreSQL cannot store one and no user
  means to type one): 422, naming the field, as problem+json under ``/api/`` and as a page
  elsewhere. Multipart bodies are left to the forms (Django's text fields refuse NUL, naming
  the field) and the API's schemas (``BoundedText``), so that an upload's handlers are still
  the view's to choose.
- ``SecurityHeadersMiddleware``: a strict Content-Security-Policy on every answer (scripts and
  styles only from the site's own static files), and ``Cache-Control: no-store, private``
  on every answer to a signed-in user or a token (they may show revealed values).
- ``ApiProblemMiddleware``: every error under ``/api/`` is ``application/problem+json``
  (unknown routes and methods, CSRF failures), never an HTML page.
- ``TreeAnswersMiddleware``: within a GET or HEAD request, whether an org spans the whole
  tree (``scope.spans_whole_tree``) and its subtree's ids (``scope.subtree_org_id_list``)
  are asked of the database once per org, however many lists and figures of the page ask
  them; a request that writes asks afresh each time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .audit import request_ip
from .scope import spans_remembered
from .throttle import forwarded_address

API_PREFIX = "/api/"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

Handler = Callable[[HttpRequest], HttpResponse]


class AuditContextMiddleware:
    """Makes the client address available to audit rows written during the request: the one
    the login lockout uses (``throttle.forwarded_address``), so that behind
    ``GONGHUI_PROXY_COUNT`` reverse proxies an audit row names the client, not the proxy,
    and never an address the client wrote into ``X-Forwarded-For`` itself."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request_ip.set(forwarded_address(request))
        try:
            return self.get_response(request)
        finally:
            request_ip.reset(token)


class TreeAnswersMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with spans_remembered():
            return self.get_response(request)


def problem_response(status: int, title: str, detail: str, **extra: Any) -> HttpResponse:
    """An RFC 9457 answer built without the API (``core`` imports no app)."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/problem+json",
    )


def _json_nul_fields(value: Any, prefix: str = "") -> Iterator[str]:
    """Dotted names of the values (or keys) of a JSON document that hold a NUL."""
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if "\x00" in str(key):
                yield name.replace("\x00", "")
            else:
                yield from _json_nul_fields(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_nul_fields(item, f"{prefix}.{index}" if prefix else str(index))
    elif isinstance(value, str) and "\x00" in value:
        yield prefix


def nul_fields(request: HttpRequest) -> list[str]:
    """The names of the inputs of ``request`` that hold a NUL character."""
    found: list[str] = []
    if "\x00" in request.path:
        found.append("path")
    found.extend(
        key.replace("\x00", "")
        for key, values in request.GET.lists()
        if "\x00" in key or any("\x00" in v for v in values)
    )
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return found
    content_type = request.content_type or ""
    if content_type == "application/x-www-form-urlencoded":
        try:
            form = request.POST
        except Exception:  # noqa: BLE001 - a broken body is the view's to refuse
            return found
        found.extend(
            key.replace("\x00", "")
            for key, values in form.lists()
            if "\x00" in key or any("\x00" in v for v in values)
        )
    elif content_type.endswith("json"):
        body = request.body
        if b"\\u0000" in body or b"\x00" in body:
            try:
                document = json.loads(body)
            except ValueError:
                return [*found, "body"]
            found.extend(_json_nul_fields(document) or ["body"])
    return found


class NulRefusalMiddleware:
    """Refuses a NUL character in any input with 422 naming the field."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = nul_fields(request)
        if not fields:
            return self.get_response(request)
        message = _("不能包含空字符（NUL）")
        errors = [{"field": name, "message": message} for name in fields]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        if request.path.startswith(API_PREFIX):
            return problem_response(422, "Invalid input", detail, errors=errors)
        return render(request, "422.html", {"errors": errors}, status=422)


class SecurityHeadersMiddleware:
    """Content-Security-Policy everywhere; ``no-store`` for whatever a signed-in user sees."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or "HTTP_AUTHORIZATION" in request.META:
            patch_cache_control(response, no_store=True, private=True)
        return response


_REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
}


class ApiProblemMiddleware:
    """Errors under ``/api/`` that no API handler wrote (an unknown route, a method the route
    does not take, Django's CSRF refusal) become problem+json too."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not request.path.startswith(API_PREFIX)
            or response.status_code < 400
            or "json" in response.headers.get("Content-Type", "")
        ):
            return response
        status = response.status_code
        details = {
            404: _("没有这个接口或记录"),
            405: _("该接口不接受此请求方法"),
        }
        replaced = problem_response(
            status,
            _REASONS.get(status, response.reason_phrase),
            str(details.get(status, response.reason_phrase)),
        )
        if "Allow" in response.headers:
            replaced.headers["Allow"] = response.headers["Allow"]
        for name in ("WWW-Authenticate", "Retry-After"):
            if name in response.headers:
                replaced.headers[name] = response.headers[name]
        return replaced


class UploadSizeMiddleware:
    """Refuses a request body larger than the upload limit before Django reads it (413), so
    an oversize upload is never spooled to disk; the message is the upload guard's."""

    SLACK = 256 * 1024  # the form's other fields and the multipart framing

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.UPLOAD_MAX_BYTES + self.SLACK:
            return self.refuse(request, settings.UPLOAD_MAX_BYTES)
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest, limit: int) -> HttpResponse:
        import json

        from .uploads import too_many_bytes

        message = too_many_bytes(limit).detail
        if request.path.startswith("/api/"):
            body = {
                "type": "about:blank",
                "title": "Payload Too Large",
                "status": 413,
                "detail": message,
                "errors": [{"field": "file", "message": message}],
            }
            return HttpResponse(
                json.dumps(body, ensure_ascii=False),
                status=413,
                content_type="application/problem+json",
            )
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
