"""The activities module's permissions, navigation and the member's portal card."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import hooks
from gonghui.core.roles import grant

grant("activities.view", "admin", "cadre", "leader", "clerk")
grant("activities.manage", "admin", "cadre", "clerk")
grant("activities.join", "member")

hooks.nav_items.append(("activities.view", gettext_lazy("职工活动"), "activities:home"))  # type: ignore[arg-type]


def portal_card(user: Any) -> dict[str, str] | None:
    """The member's way to the activities they may join, theirs and their hours."""
    return {
        "title": str(_("职工活动")),
        "body": str(_("报名读书、志愿服务等活动，扫码签到，查看我的志愿服务时长。")),
        "url": reverse("activities_portal:list"),
    }


hooks.portal_cards.append(portal_card)
