"""What the hotline adds to the kernel's screens (core.hooks seams): the nav entry, the
orders section of a member's 360° page, and the portal card "我的诉求"."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import hooks

MEMBER_SECTION_ROWS = 20


def member_tickets(user: Any, member: Any) -> dict[str, Any] | None:
    """The member's orders that the user may see (their path crosses the user's subtree)."""
    from .models import Ticket

    tickets = list(
        Ticket.objects.visible_to(user)
        .filter(member=member)
        .select_related("topic")
        .order_by("-received_at", "-id")[:MEMBER_SECTION_ROWS]
    )
    if not tickets:
        return None
    # an items section: the template form of the seam cannot pass a variable named
    # "context" through {% include ... with context=... %} (Django reserves it)
    return {
        "title": _("12351 热线工单"),
        "items": [
            {
                "label": f"{t.number} {t.topic.name}",
                "value": f"{t.received_at:%Y-%m-%d} · {t.get_status_display()}",
                "url": reverse("hotline:detail", args=[t.pk]),
            }
            for t in tickets
        ],
    }


def portal_card(user: Any) -> dict[str, str] | None:
    from .models import Status, Ticket

    qs = Ticket.objects.visible_to(user)
    open_count = qs.exclude(status=Status.CLOSED).count()
    body = (
        _("%(n)d 件办理中") % {"n": open_count}
        if open_count
        else _("职工服务热线 12351：反映问题、查看进度、评价服务")
    )
    return {"title": _("我的诉求"), "body": body, "url": reverse("portal:hotline")}


hooks.member_sections.append(member_tickets)
hooks.portal_cards.append(portal_card)
hooks.nav_items.append(("hotline.view", gettext_lazy("热线工单"), "hotline:queue"))  # type: ignore[arg-type]


def deadline_panel(org: Any, start: Any, end: Any) -> dict[str, Any] | None:
    """The dashboard's deadline picture: the orders of the subtree still open at the end of
    the period (received by then, not closed by then), by their card. One grouped query."""
    from django.db.models import Count, Q

    from .models import Ticket

    rows = (
        Ticket.objects.on_path_of(org)
        .filter(received_on__lte=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
        .order_by()
        .values("card")
        .annotate(n=Count("pk"))
    )
    counts = {row["card"]: row["n"] for row in rows}
    if not counts:
        return None
    names = {"": _("期限内"), "yellow": _("黄牌（临近期限）"), "red": _("红牌（已超期）")}
    colours = {"": "#5b8ff9", "yellow": "#f6bd16", "red": "#e8684a"}
    return {
        "title": _("热线工单办理期限"),
        "option": {
            "tooltip": {"trigger": "item"},
            "legend": {"bottom": 0},
            "series": [
                {
                    "type": "pie",
                    "radius": ["40%", "70%"],
                    "data": [
                        {
                            "name": str(names[card]),
                            "value": counts.get(card, 0),
                            "itemStyle": {"color": colours[card]},
                        }
                        for card in ("", "yellow", "red")
                    ],
                }
            ],
        },
    }


hooks.dashboard_panels.append(deadline_panel)
