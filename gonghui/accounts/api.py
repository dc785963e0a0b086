"""API of accounts: tokens (``/auth``) and users (``/users``).

``BearerAuth`` lives here rather than in ``gonghui/api.py`` so that this router never
imports the file that imports it.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, cast

from django.contrib.auth import authenticate, user_logged_in
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.security import HttpBearer
from pydantic import AfterValidator, ConfigDict

from gonghui.core.api import InputSchema, Page, PageParams, no_nul, paginate
from gonghui.core.errors import Forbidden, NotFound, ServiceError
from gonghui.core.roles import PERMISSIONS, can

from .forms import PASSWORD_MAX_LENGTH
from .models import ApiToken, User
from .selectors import access_user, users_visible_to
from .services import (
    token_issue,
    token_revoke,
    token_user,
    user_create,
    user_set_active,
    user_set_password,
    user_update,
)


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_user(token)
        if found is None:
            return None
        request.user, request.auth_token = found  # type: ignore[attr-defined]
        return request.user


class BadCredentials(ServiceError):
    status = 401
    title = "Unauthorized"


class LockedOut(ServiceError):
    status = 429
    title = "Too Many Requests"


auth_router = Router(tags=["auth"])
users_router = Router(tags=["users"])


# --- tokens ---------------------------------------------------------------------------

# Text that may be stored or looked up: a NUL is refused (PostgreSQL cannot store it)
Text = Annotated[str, AfterValidator(no_nul)]


class TokenIn(InputSchema):
    username: Text = Field(..., max_length=150)
    password: Text = Field(..., max_length=PASSWORD_MAX_LENGTH)
    name: Text = Field("", max_length=100, description="令牌名称，便于区分")


class TokenOut(Schema):
    token: str = Field(..., description="只显示这一次")
    expires_at: datetime.datetime


class TokenInfo(Schema):
    id: int
    prefix: str
    name: str
    created_at: datetime.datetime
    expires_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    revoked: bool

    @staticmethod
    def resolve_revoked(obj: ApiToken) -> bool:
        return obj.revoked_at is not None


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    title: str
    email: str
    role: str
    org: str | None
    org_name: str | None
    permissions: list[str]

    @staticmethod
    def resolve_org(obj: User) -> str | None:
        return obj.org.code if obj.org is not None else None

    @staticmethod
    def resolve_org_name(obj: User) -> str | None:
        return obj.org.name if obj.org is not None else None

    @staticmethod
    def resolve_permissions(obj: User) -> list[str]:
        return sorted(PERMISSIONS.get(obj.role, set()))


def _me(request: HttpRequest) -> User:
    """The authenticated caller (every route but ``/auth/token`` requires one)."""
    return cast(User, request.user)


@auth_router.post("/token", auth=None, response=TokenOut, summary="取得令牌")
def token_create(request: HttpRequest, payload: TokenIn) -> dict[str, Any]:
    """Wrong credentials or an inactive account: 401. After too many failures of one account
    from one address (5 in 15 minutes by default) that account is refused from that address
    with 429, the right password included; after too many failures from one address across
    accounts (20 by default) every login from it is refused with 429."""
    # authenticate() runs django-axes' backend and sends user_login_failed on a failure,
    # which is what axes counts.
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        # Answered here as problem+json; left set, AxesMiddleware would swap in its HTML page.
        request.axes_locked_out = False  # type: ignore[attr-defined]
        if getattr(request, "gonghui_address_throttled", False):
            raise LockedOut(_("该地址登录失败次数过多，已暂停从该地址登录，请稍后再试。"))
        raise LockedOut(_("登录失败次数过多，账号已暂时锁定，请稍后再试。"))
    if user is None or not user.is_active:
        raise BadCredentials(_("用户名或密码错误"))
    # A successful login: axes resets the failure count, Django updates last_login.
    user_logged_in.send(sender=type(user), request=request, user=user)
    token, raw = token_issue(user=user, name=payload.name)
    return {"token": raw, "expires_at": token.expires_at}


@auth_router.post("/revoke", auth=BearerAuth(), response={204: None}, summary="吊销本令牌")
def token_revoke_current(request: HttpRequest) -> Status[None]:
    """Revoke the bearer token this call was made with (a logout for API clients)."""
    token_revoke(actor=request.user, token=request.auth_token)  # type: ignore[attr-defined]
    return Status(204, None)


@auth_router.get("/tokens", response=Page[TokenInfo], summary="我的令牌")
def token_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    # Only the caller's own tokens: scope is the user itself.
    return paginate(ApiToken.objects.filter(user=_me(request)).order_by("-created_at"), page)


@auth_router.delete("/tokens/{token_id}", response={204: None}, summary="吊销我的一个令牌")
def token_delete(request: HttpRequest, token_id: int) -> Status[None]:
    token = ApiToken.objects.filter(pk=token_id, user=_me(request)).first()
    if token is None:
        raise NotFound()
    token_revoke(actor=request.user, token=token)
    return Status(204, None)


@auth_router.get("/me", response=MeOut, summary="当前用户")
def me(request: HttpRequest) -> Any:
    return request.user


# --- users ----------------------------------------------------------------------------


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    title: str
    email: str
    role: str
    org: str | None = Field(None, description="所属组织代码")
    org_name: str | None = None
    is_active: bool
    last_login: datetime.datetime | None
    date_joined: datetime.datetime

    @staticmethod
    def resolve_org(obj: User) -> str | None:
        return obj.org.code if obj.org is not None else None

    @staticmethod
    def resolve_org_name(obj: User) -> str | None:
        return obj.org.name if obj.org is not None else None


class UserCreated(UserOut):
    password: str | None = Field(None, description="系统生成的初始密码，只显示这一次")

    @staticmethod
    def resolve_password(obj: Any) -> str | None:
        return getattr(obj, "generated_password", None)


class UserFilters(PageParams):
    q: Text = Field("", max_length=150, description="用户名或姓名")
    role: Text = Field("", max_length=16)
    org: Text = Field("", max_length=32, description="所属组织代码")


class UserIn(InputSchema):
    bounds = (User,)

    model_config = ConfigDict(extra="forbid")

    username: Text = Field(..., max_length=150)
    org: Text = Field(..., max_length=32, description="所属组织代码")
    role: Text = Field(..., max_length=16)
    password: Text | None = Field(
        None, max_length=PASSWORD_MAX_LENGTH, description="不填则生成初始密码"
    )
    full_name: Text = Field("", max_length=50)
    title: Text = Field("", max_length=100)
    email: Text = Field("", max_length=254)


class UserPatch(InputSchema):
    bounds = (User,)

    model_config = ConfigDict(extra="forbid")

    full_name: Text | None = Field(None, max_length=50)
    title: Text | None = Field(None, max_length=100)
    email: Text | None = Field(None, max_length=254)
    role: Text | None = Field(None, max_length=16)
    org: Text | None = Field(None, max_length=32)


class PasswordIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    password: Text = Field(..., max_length=PASSWORD_MAX_LENGTH)


def _require_view(user: Any) -> None:
    if not can(user, "users.view"):
        raise Forbidden(_("当前角色无权查看账号"))


def _managed_user(request: HttpRequest, user_id: int) -> User:
    """A user in the caller's scope that the caller may manage: 404 outside scope,
    403 in scope without the right."""
    _require_view(request.user)
    target = access_user(request.user, user_id)
    if not can(request.user, "users.manage", target.org):
        raise Forbidden(_("当前角色无权管理该组织的账号"))
    return target


@users_router.get("", response=Page[UserOut], summary="账号列表")
def user_list(request: HttpRequest, filters: Query[UserFilters]) -> dict[str, Any]:
    _require_view(request.user)
    qs = users_visible_to(request.user, q=filters.q.strip(), role=filters.role, org=filters.org)
    return paginate(qs, filters)


@users_router.get("/{user_id}", response=UserOut, summary="账号详情")
def user_detail(request: HttpRequest, user_id: int) -> Any:
    _require_view(request.user)
    return access_user(request.user, user_id)


@users_router.post("", response={201: UserCreated}, summary="新建账号")
def user_new(request: HttpRequest, payload: UserIn) -> Status[Any]:
    _require_view(request.user)
    user, password = user_create(
        actor=request.user,
        username=payload.username,
        org=payload.org,
        role=payload.role,
        password=payload.password,
        full_name=payload.full_name,
        title=payload.title,
        email=payload.email,
    )
    # a generated password is handed over in this answer only
    user.generated_password = None if payload.password else password  # type: ignore[attr-defined]
    return Status(201, user)


@users_router.patch("/{user_id}", response=UserOut, summary="修改账号")
def user_edit(request: HttpRequest, user_id: int, payload: UserPatch) -> Any:
    target = _managed_user(request, user_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    user_update(actor=request.user, user=target, data=data)
    return access_user(request.user, user_id)


@users_router.post("/{user_id}/deactivate", response=UserOut, summary="停用账号")
def user_deactivate(request: HttpRequest, user_id: int) -> Any:
    target = _managed_user(request, user_id)
    return user_set_active(actor=request.user, user=target, active=False)


@users_router.post("/{user_id}/activate", response=UserOut, summary="启用账号")
def user_activate(request: HttpRequest, user_id: int) -> Any:
    target = _managed_user(request, user_id)
    return user_set_active(actor=request.user, user=target, active=True)


@users_router.post("/{user_id}/password", response={204: None}, summary="重设密码")
def user_password(request: HttpRequest, user_id: int, payload: PasswordIn) -> Status[None]:
    target = _managed_user(request, user_id)
    # an admin resetting their own password keeps the token of this call; every other goes
    user_set_password(
        actor=request.user,
        user=target,
        password=payload.password,
        keep_token=getattr(request, "auth_token", None),
    )
    return Status(204, None)
