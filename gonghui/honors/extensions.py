"""What honours add to the kernel's screens (core.hooks seams): the nav entry, the honours
section of a member's 360° page, and the portal card "评选投票 / 我的荣誉"."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import hooks


def member_honours(user: Any, member: Any) -> dict[str, Any] | None:
    """The member's honours and nominations that the user may see."""
    from .models import Honour, Nomination, NominationStatus

    honours = list(
        Honour.objects.visible_to(user).filter(member=member).select_related("award")[:20]
    )
    pending = list(
        Nomination.objects.visible_to(user)
        .filter(member=member, status__in=(NominationStatus.PROPOSED, NominationStatus.SELECTED))
        .select_related("round")[:20]
    )
    if not honours and not pending:
        return None
    items = [
        {
            "label": h.award.name,
            "value": f"{h.named_on:%Y-%m-%d} · {h.certificate_no}",
        }
        for h in honours
    ] + [
        {
            "label": n.round.title,
            "value": _("候选（%(s)s）") % {"s": n.get_status_display()},
            "url": reverse("honors:nomination", args=[n.pk]),
        }
        for n in pending
    ]
    return {"title": _("荣誉与评选"), "items": items}


def portal_card(user: Any) -> dict[str, str] | None:
    from . import selectors

    voting = selectors.rounds_visible_to(user).count()
    mine = selectors.honours_visible_to(user).count()
    if not voting and not mine:
        return None
    parts = []
    if voting:
        parts.append(_("%(n)d 项评选正在网络投票") % {"n": voting})
    if mine:
        parts.append(_("我的荣誉 %(n)d 项") % {"n": mine})
    return {
        "title": _("评选投票与我的荣誉"),
        "body": "；".join(parts),
        "url": reverse("honors_portal:list"),
    }


hooks.member_sections.append(member_honours)
hooks.portal_cards.append(portal_card)
hooks.nav_items.append(("honors.view", gettext_lazy("评先评优"), "honors:rounds"))  # type: ignore[arg-type]
hooks.nav_items.append(("honors.view", gettext_lazy("劳动竞赛"), "honors:competitions"))  # type: ignore[arg-type]
hooks.nav_items.append(("honors.view", gettext_lazy("劳模库"), "honors:model_workers"))  # type: ignore[arg-type]
