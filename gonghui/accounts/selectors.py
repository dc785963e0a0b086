from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gonghui.core.roles import can
from gonghui.core.scope import access

from .models import User


def users_visible_to(user: Any, *, q: str = "", role: str = "", org: str = "") -> QuerySet[User]:
    if not can(user, "users.view"):
        return User.objects.none()
    qs = User.objects.visible_to(user).select_related("org")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if role:
        qs = qs.filter(role=role)
    if org:
        qs = qs.filter(org__code=org)
    return qs.order_by("org__path", "username")


def access_user(user: Any, pk: int) -> User:
    if not can(user, "users.view") and getattr(user, "pk", None) != pk:
        from gonghui.core.errors import NotFound

        raise NotFound()
    return access(User.objects.select_related("org"), user, pk=pk)
