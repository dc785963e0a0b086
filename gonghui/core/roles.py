"""Roles and what each may do. Modules add their own permissions with ``grant``.

A permission is held *in* the user's home org's subtree only: ``can(user, perm, org)`` checks
both the role and that ``org`` lies under the user's home org.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")
    AUDITOR = "auditor", _("安全审计员")
    CADRE = "cadre", _("工会干部")
    LEADER = "leader", _("领导（只读）")
    OPERATOR = "operator", _("热线话务员")
    CLERK = "clerk", _("基层工会专干")
    LAWYER = "lawyer", _("律师/调解员")
    COUNSELLOR = "counsellor", _("心理咨询师")
    MEMBER = "member", _("会员")


# Separated duties (三员分立, 等保 2.0): the system administrator runs users, orgs and settings
# but neither reads the audit nor reveals personal data; the security administrator holds the
# login locks, the policies and the key operations; the audit administrator reads and exports
# the audit and nothing else. The last two are held apart: their accounts are made and changed
# only on the command line (``gonghui adduser``), never by the system administrator's pages.
HELD_APART = frozenset({Role.SECADMIN.value, Role.AUDITOR.value})
STAFF_ROLES = frozenset(r.value for r in Role if r != Role.MEMBER)
# Lawyers and counsellors see only what is assigned to them, never a whole subtree.
ASSIGNEE_ROLES = frozenset({Role.LAWYER.value, Role.COUNSELLOR.value})
SUBTREE_ROLES = STAFF_ROLES - ASSIGNEE_ROLES

PERMISSIONS: dict[str, set[str]] = {r.value: set() for r in Role}


def grant(perm: str, *roles: str) -> None:
    for role in roles:
        PERMISSIONS[role].add(perm)


grant("orgs.view", "admin", "cadre", "leader", "operator", "clerk", "lawyer", "counsellor")
grant("orgs.manage", "admin", "cadre")
grant("users.view", "admin", "cadre", "secadmin")
grant("users.manage", "admin")
grant("audit.view", "auditor", "cadre", "leader")
grant("audit.export", "auditor")
grant("audit.verify", "auditor", "secadmin")
grant("security.policies", "secadmin")
grant("pii.reveal", "cadre")
grant("portal.use", "member")
# public notices (公示): staff of the subtree read them; cadres and clerks record and answer
# objections (the notices themselves are posted by the module whose decision they show)
grant("notices.view", "admin", "cadre", "leader", "clerk")
grant("notices.manage", "admin", "cadre", "clerk")


def role_can(role: str, perm: str) -> bool:
    return perm in PERMISSIONS.get(role, set())


def in_subtree(user: Any, org: Any) -> bool:
    """Is ``org`` the user's home org or below it? (materialised path prefix)"""
    home = getattr(user, "org", None)
    return bool(home is not None and org is not None and org.path.startswith(home.path))


def can(user: Any, perm: str, org: Any = None) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not role_can(user.role, perm):
        return False
    return org is None or in_subtree(user, org)
