"""The ventures module's permissions, its place in the navigation and the ventures section of a
member's 360° page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import hooks
from gonghui.core.roles import grant

grant("ventures.view", "admin", "cadre", "leader", "clerk")
grant("ventures.manage", "admin", "cadre")

hooks.nav_items.append(("ventures.view", gettext_lazy("工友创业园"), "ventures:home"))  # type: ignore[arg-type]


def member_ventures(user: Any, member: Any) -> dict[str, Any] | None:
    """The member's ventures as founder or employee that the user may see (the people of
    the user's subtree): venture, park, role, dates and state; no ID numbers."""
    from .selectors import people_visible_to

    people = list(people_visible_to(user).filter(member=member).order_by("-started_on", "-id")[:20])
    if not people:
        return None
    items = []
    for p in people:
        dates = f"{p.started_on:%Y-%m-%d}" + (f" 至 {p.ended_on:%Y-%m-%d}" if p.ended_on else "")
        flags = [str(_("困难职工")) if p.hardship else "", str(_("农民工")) if p.migrant else ""]
        items.append(
            {
                "label": f"{p.venture.name}（{p.venture.park.name}）",
                "value": " · ".join(
                    x
                    for x in (p.get_role_display(), dates, p.venture.get_status_display(), *flags)
                    if x
                ),
                "url": reverse("ventures:venture", args=[p.venture_id]),
            }
        )
    return {"title": _("创业就业"), "items": items}


hooks.member_sections.append(member_ventures)
