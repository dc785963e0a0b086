"""What assistance adds to the kernel's screens (core.hooks seams): the nav entry, the hardship
section of a member's 360° page (masked: category and state, never income), and the portal
card "困难帮扶"."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import hooks


def member_files(user: Any, member: Any) -> dict[str, Any] | None:
    """The member's hardship files the user may see: number, category and state only."""
    from .models import Family

    files = list(
        Family.objects.visible_to(user).filter(member=member).order_by("-applied_on", "-id")[:10]
    )
    if not files:
        return None
    return {
        "title": _("困难职工档案"),
        "items": [
            {
                "label": f.number,
                "value": " · ".join(
                    x
                    for x in (
                        f.get_status_display(),
                        f.get_category_display() if f.category else "",
                    )
                    if x
                ),
                "url": reverse("assistance:detail", args=[f.pk]),
            }
            for f in files
        ],
    }


def portal_card(user: Any) -> dict[str, str] | None:
    from .models import PENDING_STATUSES, Family

    pending = Family.objects.visible_to(user).filter(status__in=PENDING_STATUSES).count()
    body = (
        _("%(n)d 件申请办理中") % {"n": pending}
        if pending
        else _("困难职工帮扶：自测是否符合条件、在线申请、查看进度")
    )
    return {"title": _("困难帮扶"), "body": body, "url": reverse("assistance_portal:home")}


hooks.member_sections.append(member_files)
hooks.portal_cards.append(portal_card)
hooks.nav_items.append(("assistance.view", gettext_lazy("困难帮扶"), "assistance:files"))  # type: ignore[arg-type]
