"""What the member registry adds to the kernel's screens and rules (core.hooks seams)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import hooks


def _active_members_blocker(org: Any) -> tuple[int, str]:
    from .models import Member, Status

    return Member.objects.filter(org=org, status=Status.ACTIVE).count(), _("名在会会员")


def _members_counter(org: Any) -> tuple[str, int]:
    from .models import Member, Status

    count = Member.objects.filter(org__path__startswith=org.path, status=Status.ACTIVE).count()
    return _("在会会员"), count


def _ecard(user: Any) -> dict[str, str] | None:
    """The portal's "my" page links the e-card once the account belongs to a member record."""
    from .models import Member

    member = Member.objects.filter(user=user).select_related("org").first()
    if member is None:
        return None
    return {
        "title": _("电子会员卡"),
        "body": f"{member.org.name} · {member.get_status_display()}",
        "url": reverse("portal:card"),
    }


def _transfer_card(user: Any) -> dict[str, str] | None:
    """A union asks to take the member in: the member may confirm from the portal."""
    from .models import TransferStatus
    from .selectors import transfer_requests_visible_to

    pending = list(transfer_requests_visible_to(user, status=TransferStatus.PENDING)[:1])
    if not pending:
        return None
    return {
        "title": _("会籍接转"),
        "body": _("%(org)s申请将您的会籍转入，请确认") % {"org": pending[0].to_org.name},
        "url": reverse("portal:transfers"),
    }


hooks.org_blockers.append(_active_members_blocker)
hooks.org_counters.append(_members_counter)
hooks.portal_cards.append(_ecard)
hooks.portal_cards.append(_transfer_card)
hooks.nav_items.append(("members.view", gettext_lazy("会员"), "members:roster"))  # type: ignore[arg-type]
