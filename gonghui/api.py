"""The HTTP API under ``/api/v1/`` (django-ninja): auth, errors as problem+json, routers.

Authentication: ``Authorization: Bearer <token>`` from ``POST /api/v1/auth/token``, or the
browser session (then CSRF applies to writes). Errors follow RFC 9457 with ``title``,
``status``, ``detail`` and, for invalid input, ``errors: [{"field", "message"}]``.
Lists take ``limit`` (default 50, at most 500) and ``offset`` and answer
``{"items", "count"}`` through ``gonghui.core.api.paginate``.
Every module adds its router at the end of this file; neither domain code nor the module
routers import this file.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import APIKeyCookie

# Module routers never import this file (it imports them); the shared pieces live beside them.
from gonghui.accounts.api import BearerAuth, auth_router, users_router
from gonghui.activities.api import router as activities_router
from gonghui.assistance.api import router as assistance_router
from gonghui.bargaining.api import router as bargaining_router
from gonghui.core.api import Page, PageParams, paginate
from gonghui.core.api import router as audit_router
from gonghui.core.errors import InvalidInput, ServiceError
from gonghui.funds.api import router as funds_router
from gonghui.governance.api import router as governance_router
from gonghui.honors.api import router as honors_router
from gonghui.hotline.api import router as hotline_router
from gonghui.legal.api import router as legal_router
from gonghui.members.api import router as members_router
from gonghui.office.api import router as office_router
from gonghui.orgs.api import enterprises_router
from gonghui.orgs.api import router as orgs_router
from gonghui.payments.api import router as payments_router
from gonghui.places.api import router as places_router
from gonghui.reports.api import router as reports_router
from gonghui.ventures.api import router as ventures_router

__all__ = ["BearerAuth", "Page", "PageParams", "SessionAuth", "api", "paginate", "problem"]


class SessionAuth(APIKeyCookie):
    """The logged-in browser session; CSRF is enforced for its writes."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a logged-in session there is nothing for CSRF to protect: answer 401
        # (not ninja's 403 "CSRF check Failed") so that anonymous clients learn to log in.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if key and user is not None and user.is_authenticated and user.is_active:
            return user
        return None


class OrjsonRenderer(JSONRenderer):
    """The JSON of ninja's own renderer — dates and times written as Django writes them,
    Decimals as strings, lazy translations as text — produced by orjson: the types it knows
    natively (text, numbers, lists, objects) never reach Python code, so a list of 500 work
    orders renders in a fraction of the time. Non-ASCII text is written as UTF-8 instead of
    ``\\u`` escapes (the response says ``charset=utf-8``)."""

    _encoder = NinjaJSONEncoder()

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        return orjson.dumps(
            data,
            default=self._encoder.default,
            option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS,
        )


api = NinjaAPI(
    renderer=OrjsonRenderer(),
    title="gonghui API",
    version="1",
    description="智慧工会平台接口。认证：`POST /api/v1/auth/token` 取得令牌，"
    "之后以 `Authorization: Bearer <token>` 调用。错误为 application/problem+json。"
    "列表接口接受 `limit`（默认 50，最大 500）与 `offset`，返回 `{items, count}`。",
    auth=[BearerAuth(), SessionAuth(csrf=True)],
    urls_namespace="api",
    docs=Swagger(),  # assets come from ninja's static files (``ninja`` in INSTALLED_APPS)
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


_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field_name(loc: Any) -> str:
    """``("body", "payload", "uscc")`` → ``uscc``; ``("query", "limit")`` → ``limit``.
    By convention every route names its body parameter ``payload``."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[2:] if parts[0] == "body" and parts[1:2] == ["payload"] else parts[1:]
    return ".".join(parts)


# pydantic's error types in the product's language (its own messages are English only);
# a type not listed keeps pydantic's message
_MESSAGES: dict[str, Any] = {
    "missing": gettext_lazy("必填"),
    "int_parsing": gettext_lazy("应为整数"),
    "int_from_float": gettext_lazy("应为整数"),
    "int_type": gettext_lazy("应为整数"),
    "float_parsing": gettext_lazy("应为数字"),
    "float_type": gettext_lazy("应为数字"),
    "decimal_parsing": gettext_lazy("应为数字"),
    "decimal_type": gettext_lazy("应为数字"),
    "bool_parsing": gettext_lazy("应为 true 或 false"),
    "bool_type": gettext_lazy("应为 true 或 false"),
    "string_type": gettext_lazy("应为文本"),
    "date_parsing": gettext_lazy("应为日期，格式 YYYY-MM-DD"),
    "date_from_datetime_parsing": gettext_lazy("应为日期，格式 YYYY-MM-DD"),
    "date_type": gettext_lazy("应为日期，格式 YYYY-MM-DD"),
    "datetime_parsing": gettext_lazy("应为时间，格式 YYYY-MM-DDTHH:MM:SS+08:00"),
    "datetime_from_date_parsing": gettext_lazy("应为时间，格式 YYYY-MM-DDTHH:MM:SS+08:00"),
    "datetime_type": gettext_lazy("应为时间，格式 YYYY-MM-DDTHH:MM:SS+08:00"),
    "json_invalid": gettext_lazy("请求体不是有效的 JSON"),
    "model_attributes_type": gettext_lazy("应为 JSON 对象"),
    "dict_type": gettext_lazy("应为 JSON 对象"),
    "list_type": gettext_lazy("应为列表"),
    "extra_forbidden": gettext_lazy("不认识的字段"),
    "nul_character": gettext_lazy("不能包含空字符（NUL）"),
}
# types whose message names a limit from the error's context
_LIMITED: dict[str, tuple[Any, str]] = {
    "greater_than_equal": (gettext_lazy("不能小于 %(limit)s"), "ge"),
    "greater_than": (gettext_lazy("应大于 %(limit)s"), "gt"),
    "less_than_equal": (gettext_lazy("不能大于 %(limit)s"), "le"),
    "less_than": (gettext_lazy("应小于 %(limit)s"), "lt"),
    "string_too_long": (gettext_lazy("最多 %(limit)s 个字符"), "max_length"),
    "string_too_short": (gettext_lazy("至少 %(limit)s 个字符"), "min_length"),
    "too_long": (gettext_lazy("最多 %(limit)s 项"), "max_length"),
    "too_short": (gettext_lazy("至少 %(limit)s 项"), "min_length"),
    "enum": (gettext_lazy("可选值：%(limit)s"), "expected"),
    "literal_error": (gettext_lazy("可选值：%(limit)s"), "expected"),
    "decimal_max_digits": (gettext_lazy("最多 %(limit)s 位数字"), "max_digits"),
    "decimal_max_places": (gettext_lazy("最多 %(limit)s 位小数"), "decimal_places"),
    "decimal_whole_digits": (gettext_lazy("整数部分最多 %(limit)s 位"), "whole_digits"),
}


def _message(err: dict[str, Any]) -> str:
    """One pydantic error as the user reads it."""
    kind = str(err.get("type", ""))
    if kind in _MESSAGES:
        return str(_MESSAGES[kind])
    if kind in _LIMITED:
        text, key = _LIMITED[kind]
        limit = (err.get("ctx") or {}).get(key)
        if limit is not None:
            return str(text) % {"limit": limit}
    return str(err.get("msg", ""))


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": _field_name(err.get("loc", ())), "message": _message(err)} for err in exc.errors
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(request, 422, "Invalid input", detail, errors=errors)


@api.exception_handler(DjangoValidationError)
def _django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    # A model's full_clean() that a service did not translate still names its fields.
    return _service_error(request, InvalidInput.from_validation_error(exc))


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem(request, 401, "Unauthorized", _("需要登录或有效的令牌"))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, 404, "Not Found", _("未找到"))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(
        request, exc.status_code, HttpResponse(status=exc.status_code).reason_phrase, str(exc)
    )


# Each module adds its router here.
api.add_router("/auth", auth_router)
api.add_router("/users", users_router)
api.add_router("/orgs", orgs_router)
api.add_router("/enterprises", enterprises_router)
api.add_router("/audit", audit_router)
api.add_router("/members", members_router)
api.add_router("/hotline", hotline_router)
api.add_router("/reports", reports_router)
api.add_router("/legal", legal_router)
api.add_router("/governance", governance_router)
api.add_router("/bargaining", bargaining_router)
api.add_router("/assistance", assistance_router)
api.add_router("/payments", payments_router)
api.add_router("/honors", honors_router)
api.add_router("/funds", funds_router)
api.add_router("/ventures", ventures_router)
api.add_router("/activities", activities_router)
api.add_router("/office", office_router)
api.add_router("/places", places_router)
