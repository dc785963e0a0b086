"""The places' permissions, their place in the navigation and the member's portal card."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import hooks
from gonghui.core.roles import grant

grant("places.view", "admin", "cadre", "leader", "clerk")
grant("places.manage", "admin", "cadre", "clerk")
grant("places.review", "admin", "cadre")
grant("places.rate", "member")

hooks.nav_items.append(("places.view", gettext_lazy("服务阵地"), "places:list"))  # type: ignore[arg-type]


def portal_card(user: Any) -> dict[str, str] | None:
    """The member's way to the nearest station and to rating a place."""
    return {
        "title": str(_("找驿站、评阵地")),
        "body": str(_("查找附近的户外劳动者驿站和职工之家，扫描门口的二维码为服务打分。")),
        "url": reverse("places:portal_find"),
    }


hooks.portal_cards.append(portal_card)
