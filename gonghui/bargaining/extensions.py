"""Collective bargaining's permissions and its place in the navigation."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import hooks
from gonghui.core.roles import grant

grant("bargaining.view", "admin", "cadre", "leader", "clerk")
grant("bargaining.manage", "admin", "cadre", "clerk")
grant("bargaining.launch", "admin", "cadre")
grant("bargaining.request", "member")

hooks.nav_items.append(("bargaining.view", gettext_lazy("集体协商"), "bargaining:home"))  # type: ignore[arg-type]


def portal_card(user: Any) -> dict[str, str] | None:
    """The member's way to ask for collective bargaining at their employer."""
    return {
        "title": str(_("要求开展集体协商")),
        "body": str(_("本单位五分之一以上职工要求时，工会应当提出协商要约。")),
        "url": reverse("bargaining:request"),
    }


hooks.portal_cards.append(portal_card)
