"""Users, their role and home org, and API tokens."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.roles import Role, can, grant
from gonghui.core.scope import ScopedQuerySet

# The security administrator: sees the login locks in force and lifts them.
grant("security.locks", "secadmin")


class UserQuerySet(ScopedQuerySet["User"]):
    pass


class GonghuiUserManager(UserManager["User"]):
    def get_queryset(self) -> UserQuerySet:
        return UserQuerySet(self.model, using=self._db)

    def visible_to(self, user: Any) -> ScopedQuerySet[User]:
        return self.get_queryset().visible_to(user)


class User(AbstractUser):
    """A person who logs in. What the role allows, it allows in ``org``'s subtree only."""

    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("所属组织"),
        null=True,  # createsuperuser asks no org; such an account sees nothing until given one
    )
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    title = models.CharField(_("职务/部门"), max_length=100, blank=True)

    objects = GonghuiUserManager()  # type: ignore[misc]  # AbstractUser declares it a ClassVar

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        indexes = [models.Index(fields=["org", "role"], name="user_org_role")]  # user list

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def can(self, perm: str, org: Any = None) -> bool:
        return can(self, perm, org)

    @classmethod
    def scope_member(cls, user: Any) -> models.Q:
        return models.Q(pk=user.pk)

    @classmethod
    def scope_assigned(cls, user: Any) -> models.Q:
        return models.Q(pk=user.pk)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the raw value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)  # lookup on every API call
    prefix = models.CharField(max_length=8)  # shown in lists so a user can tell tokens apart
    name = models.CharField(_("名称"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
