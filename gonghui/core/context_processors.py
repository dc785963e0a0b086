"""Navigation by role: each entry shows only to a user who holds its permission."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from . import hooks
from .roles import Role, role_can

BASE_NAV: list[tuple[str, Any, str]] = [
    ("", _("首页"), "home"),
    ("orgs.view", _("组织"), "orgs:tree"),
    ("users.view", _("账号"), "users"),
    ("audit.view", _("审计日志"), "audit"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    if user.role == Role.MEMBER:
        items: list[tuple[str, Any, str]] = [("portal.use", _("我的"), "portal:home")]
    else:
        items = [*BASE_NAV, *hooks.nav_items]
    nav = []
    for perm, label, name in items:
        if perm and not role_can(user.role, perm):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        nav.append(
            {
                "label": label,
                "url": url,
                "active": request.path == url or (url != "/" and request.path.startswith(url)),
            }
        )
    return {"nav": nav}
