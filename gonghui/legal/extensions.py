"""The legal module's seams into the kernel's screens (``core.hooks``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import hooks

from . import selectors
from .models import Case, Consultation

hooks.nav_items.append(("legal.view", gettext_lazy("法律援助"), "legal:cases"))  # type: ignore[arg-type]


def _assigned(user: Any) -> list[dict[str, Any]]:
    return selectors.assigned_items(user, timezone.localdate())


def _portal_card(user: Any) -> dict[str, str] | None:
    cases = Case.objects.visible_to(user).count()
    asked = Consultation.objects.visible_to(user).count()
    return {
        "title": _("法律援助与咨询"),
        "body": _("我的援助申请%(c)s件，咨询%(q)s次；可申请法律援助、在线法律或心理咨询。")
        % {"c": cases, "q": asked},
        "url": reverse("legal_portal:home"),
    }


hooks.assigned_cases.append(_assigned)
hooks.portal_cards.append(_portal_card)


def _ticket_link(user: Any, ticket: Any) -> dict[str, str] | None:
    """On a 12351 order's page: the legal-aid case it became (when the user may see it), or
    the way to convert it (for those who may)."""
    from gonghui.core.roles import can

    from .models import Case

    case = Case.objects.filter(ticket=ticket).only("id", "number").first()
    if case is not None:
        if not selectors.cases_visible_to(user).filter(pk=case.pk).exists():
            return {
                "label": _("法律援助案件"),
                "text": case.number,
                "url": "#",
                "testid": "legal-case",
            }
        return {
            "label": _("法律援助案件"),
            "text": case.number,
            "url": reverse("legal:case", args=[case.pk]),
            "testid": "legal-case",
        }
    if can(user, "legal.convert"):
        return {
            "label": _("法律援助"),
            "text": _("转为法律援助案件"),
            "url": reverse("legal:from_ticket", args=[ticket.pk]),
            "testid": "to-legal",
        }
    return None


def _register_ticket_link() -> None:
    from gonghui.hotline.views import TICKET_LINKS

    if _ticket_link not in TICKET_LINKS:
        TICKET_LINKS.append(_ticket_link)


_register_ticket_link()
hooks.nav_items.append(("legal.handle", gettext_lazy("我的案件"), "legal:cases"))  # type: ignore[arg-type]
hooks.nav_items.append(("legal.answer", gettext_lazy("在线咨询"), "legal:consultations"))  # type: ignore[arg-type]


def _member_cases(user: Any, member: Any) -> dict[str, Any] | None:
    """The member's legal-aid cases the user may see, on the member's 360° page beside the
    12351 orders (a case converted from an order names it). Consultations never appear here."""
    cases = list(
        selectors.cases_visible_to(user)
        .filter(applicants__member=member)
        .select_related("ticket")
        .distinct()
        .order_by("-applied_on", "-id")[:20]
    )
    if not cases:
        return None
    return {
        "title": _("法律援助案件"),
        "items": [
            {
                "label": c.number
                + (
                    _("（来自热线工单 %(no)s）") % {"no": c.ticket.number}
                    if c.ticket is not None
                    else ""
                ),
                "value": f"{c.applied_on:%Y-%m-%d} · {c.get_status_display()}",
                "url": reverse("legal:case", args=[c.pk]),
            }
            for c in cases
        ],
    }


hooks.member_sections.append(_member_cases)
