"""The office's permissions, its place in the navigation and the member's notices."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import hooks
from gonghui.core.roles import grant

grant("office.view", "admin", "cadre", "leader", "clerk")
grant("office.draft", "admin", "cadre")
grant("office.approve", "admin", "cadre")
grant("office.sign", "admin", "cadre", "clerk")
grant("office.fill", "admin", "cadre", "clerk")
grant("office.manage", "admin", "cadre")
grant("office.configure", "admin")

hooks.nav_items.append(("office.view", gettext_lazy("综合办公"), "office:home"))  # type: ignore[arg-type]


def portal_card(user: Any) -> dict[str, str] | None:
    """The notices to members of the member's union and the federations above it."""
    from .selectors import member_notices

    latest = member_notices(user).first()
    if latest is None:
        return None
    return {
        "title": str(_("通知公告")),
        "body": latest.title,
        "url": reverse("office:portal_notices"),
    }


hooks.portal_cards.append(portal_card)
