"""The activities module's permissions, navigation, the member's portal card and the activities
section of a member's 360° page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import hooks
from gonghui.core.roles import can, grant

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

MEMBER_SECTION_ROWS = 20


def member_activities(user: Any, member: Any) -> dict[str, Any] | None:
    """The member's sign-ups, attendance and volunteer hours at the activities the user may
    see (held in the user's subtree): the totals first, then the latest sign-ups."""
    from django.db.models import Count, Q, Sum

    from .models import Signup, SignupStatus
    from .selectors import TENTH

    if not can(user, "activities.view"):
        return None
    qs = Signup.objects.visible_to(user).filter(member=member)
    totals = qs.aggregate(
        n=Count("id", filter=~Q(status=SignupStatus.CANCELLED)),
        present=Count("id", filter=Q(attended=True)),
        hours=Sum("hours", filter=Q(attended=True)),
    )
    if not totals["n"]:
        return None
    rows = list(
        qs.exclude(status=SignupStatus.CANCELLED)
        .select_related("activity")
        .order_by("-activity__starts_at", "-id")[:MEMBER_SECTION_ROWS]
    )
    hours = Decimal(totals["hours"] or 0).quantize(TENTH)
    items = [
        {
            "label": str(_("报名、出勤与志愿服务时长")),
            "value": _("报名 %(n)d 次，签到 %(p)d 次，志愿服务 %(h)s 小时")
            % {"n": totals["n"], "p": totals["present"], "h": hours},
        }
    ] + [
        {
            "label": s.activity.title,
            "value": " · ".join(
                x
                for x in (
                    f"{timezone.localtime(s.activity.starts_at):%Y-%m-%d}",
                    s.get_role_display(),
                    s.get_status_display(),
                    str(_("已签到 %(h)s 小时") % {"h": s.hours}) if s.attended else "",
                )
                if x
            ),
            "url": reverse("activities:activity", args=[s.activity_id]),
        }
        for s in rows
    ]
    return {"title": _("职工活动"), "items": items}


hooks.member_sections.append(member_activities)
