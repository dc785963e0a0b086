"""The HTTP API under ``/api/v1/`` (django-ninja): auth, errors as problem+json, routers.

Authentication: ``Authorization: Bearer <token>`` from ``POST /api/v1/auth/token``, or the
browser session (then CSRF applies to writes). Errors follow RFC 9457 with ``title``,
``status``, ``detail`` and, for invalid input, ``errors: [{"field", "message"}]``.
Every module adds its router here; domain code never imports this file.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from gonghui.accounts.services import token_user
from gonghui.core.errors import InvalidInput, ServiceError


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_user(token)
        if found is None:
            return None
        request.user, request.auth_token = found  # type: ignore[attr-defined]
        return request.user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session; ninja enforces CSRF for it."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


api = NinjaAPI(
    title="gonghui API",
    version="1",
    description="智慧工会平台接口。认证:`POST /api/v1/auth/token` 取得令牌,"
    "之后以 `Authorization: Bearer <token>` 调用。错误为 application/problem+json。",
    auth=[BearerAuth(), SessionAuth(csrf=True)],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def problem(
    request: HttpRequest, status: int, title: str, detail: str = "", **extra: Any
) -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = "application/problem+json"
    return response


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    extra = dict(exc.extra)
    if isinstance(exc, InvalidInput):
        extra["errors"] = exc.errors
    return problem(request, exc.status, exc.title, exc.detail, **extra)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        errors.append({"field": ".".join(loc), "message": err.get("msg", "")})
    return problem(request, 422, "Invalid input", "输入有误", errors=errors)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(request, 401, "Unauthorized", "需要登录或有效的令牌")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(request, exc.status_code, HttpResponse(status=exc.status_code).reason_phrase,
                   str(exc))


def _register_routers() -> None:
    from gonghui.accounts.api import router as accounts_router
    from gonghui.core.api import router as audit_router
    from gonghui.orgs.api import router as orgs_router

    api.add_router("/", accounts_router)
    api.add_router("/orgs", orgs_router)
    api.add_router("/audit", audit_router)


_register_routers()
