"""Login, my password, and user management pages. Thin: selectors read, services write."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.errors import InvalidInput, ServiceError
from gonghui.core.roles import Role, can
from gonghui.core.web import form_errors, staff_page

from . import services
from .forms import (
    LoginForm,
    PasswordChangeForm,
    UnlockForm,
    UserCreateForm,
    UserEditForm,
    UserFilter,
)
from .selectors import access_user, login_locks_visible_to, users_visible_to

USERS_PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        user: Any = self.request.user
        if getattr(user, "role", "") == Role.MEMBER:
            return reverse("portal:home")
        return reverse("home")

    def get_success_url(self) -> str:
        # A member is sent to the portal whatever ``next`` says: staff pages answer them 404.
        url = self.get_redirect_url()
        user: Any = self.request.user
        if url and getattr(user, "role", "") == Role.MEMBER and not url.startswith("/portal/"):
            url = ""
        return url or self.get_default_redirect_url()


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                actor=user, user=user, password=form.cleaned_data["new_password1"]
            )
        except InvalidInput as exc:
            for err in exc.errors:
                form.add_error("new_password1", err["message"])
        else:
            update_session_auth_hash(request, user)
            return render(request, "registration/password_changed.html")
    return render(request, "registration/password_change.html", {"form": form})


def _generated_password() -> str:
    # Meets the policy (length, letters and digits) whatever token_urlsafe draws.
    return secrets.token_urlsafe(9) + "7a"


@staff_page("users.view")
def users(request: HttpRequest) -> HttpResponse:
    form = UserFilter(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = users_visible_to(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(rows, USERS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/users.html",
        {
            "form": form,
            "page": page,
            "can_manage": can(request.user, "users.manage"),
        },
    )


@staff_page("users.manage")
def user_create(request: HttpRequest) -> HttpResponse:
    actor: Any = request.user
    home_code = actor.org.code if actor.org else ""
    initial = {"org": request.GET.get("org") or home_code, "role": Role.MEMBER}
    form = UserCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.user_create(actor=actor, **form.cleaned_data)
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            # The generated password is shown on this one answer and never again.
            return render(
                request,
                "accounts/password_shown.html",
                {"target": user, "password": password, "created": True},
            )
    return render(request, "accounts/user_form.html", {"form": form})


@staff_page("users.view")
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Any = request.user
    target = access_user(actor, pk)
    can_manage = can(actor, "users.manage", target.org)
    initial = {
        "full_name": target.full_name,
        "title": target.title,
        "role": target.role,
        "org": target.org.code if target.org else "",
    }
    form = UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=actor, user=target, data=form.cleaned_data)
        except InvalidInput as exc:
            form_errors(form, exc)
        else:
            return redirect("user_detail", pk=target.pk)
    return render(
        request,
        "accounts/user_detail.html",
        {"target": target, "form": form, "can_manage": can_manage},
    )


@require_POST
@staff_page("users.view")
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Any = request.user
    target = access_user(actor, pk)
    try:
        services.user_set_active(actor=actor, user=target, active=request.POST.get("active") == "1")
    except InvalidInput as exc:
        return render(
            request,
            "accounts/user_detail.html",
            {
                "target": target,
                "can_manage": True,
                "error": exc.errors[0]["message"],
                "form": UserEditForm(
                    initial={
                        "full_name": target.full_name,
                        "title": target.title,
                        "role": target.role,
                        "org": target.org.code if target.org else "",
                    }
                ),
            },
            status=422,
        )
    return redirect("user_detail", pk=target.pk)


@require_POST
@staff_page("users.view")
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Any = request.user
    target = access_user(actor, pk)
    if not can(actor, "users.manage", target.org):
        raise PermissionDenied(_("当前角色无权管理该组织的账号"))
    password = _generated_password()
    services.user_set_password(actor=actor, user=target, password=password)
    return render(
        request,
        "accounts/password_shown.html",
        {"target": target, "password": password, "created": False},
    )


def policies() -> list[tuple[str, str]]:
    """The security policies in force (from the environment), in words."""
    from gonghui.core.models import AuditSeal

    last = AuditSeal.objects.order_by("-number").first()
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return [
        (_("密码最短长度"), f"{settings.PASSWORD_MIN_LENGTH}（GONGHUI_PASSWORD_MIN_LENGTH）"),
        (
            _("登录失败锁定"),
            _("同一账号在同一地址连续失败 %(n)s 次，锁定 %(m)s 分钟")
            % {"n": settings.AXES_FAILURE_LIMIT, "m": minutes},
        ),
        (
            _("地址暂停"),
            _("同一地址 %(m)s 分钟内失败 %(n)s 次，暂停登录")
            % {"n": settings.GONGHUI_LOGIN_ADDRESS_FAILURES, "m": minutes},
        ),
        (_("空闲会话结束"), _("%(n)s 分钟") % {"n": settings.SESSION_IDLE_MINUTES}),
        (_("API 令牌有效期"), _("%(n)s 天") % {"n": settings.GONGHUI_API_TOKEN_DAYS}),
        (_("HTTPS"), _("开启") if settings.HTTPS else _("关闭")),
        (_("审计日志保留"), _("至少 %(n)s 天") % {"n": settings.AUDIT_RETENTION_DAYS}),
        (
            _("审计链"),
            _("最新封存区块 %(n)s，%(at)s")
            % {"n": last.number, "at": last.sealed_at.astimezone().strftime("%Y-%m-%d %H:%M")}
            if last is not None
            else _("尚未封存"),
        ),
        (_("字段密钥指纹"), _field_key_fingerprint()),
    ]


def _field_key_fingerprint() -> str:
    from gonghui.core.backup import key_fingerprint

    return key_fingerprint()


@require_GET
@staff_page("security.policies")
def security_policies(request: HttpRequest) -> HttpResponse:
    """The security administrator's page: the policies in force and the key's fingerprint
    (changed on the command line: ``gonghui rotate-field-key``, ``gonghui backup``)."""
    return render(request, "accounts/policies.html", {"policies": policies()})


@staff_page("security.locks")
def login_locks(request: HttpRequest) -> HttpResponse:
    """The security administrator's page: the login locks in force, each with an unlock."""
    return render(
        request,
        "accounts/login_locks.html",
        {
            "locks": login_locks_visible_to(request.user),
            "account_limit": settings.AXES_FAILURE_LIMIT,
            "address_limit": settings.GONGHUI_LOGIN_ADDRESS_FAILURES,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )


@require_POST
@staff_page("security.locks")
def login_unlock(request: HttpRequest) -> HttpResponse:
    form = UnlockForm(request.POST)
    if not form.is_valid():
        raise Http404()
    services.login_unlock(
        actor=request.user,
        username=form.cleaned_data["username"] or None,
        ip_address=form.cleaned_data["ip_address"],
    )
    return redirect("login_locks")
