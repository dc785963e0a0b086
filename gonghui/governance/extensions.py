"""Governance's seams into the kernel's screens: the navigation entry and the member's portal
card (a meeting to check in to, a secret vote open now). 换届 due is in ``deadlines.py``."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import hooks

from . import selectors


def portal_card(user: Any) -> dict[str, str] | None:
    rounds = list(selectors.open_rounds_for_member(user)[:1])
    if rounds:
        rnd = rounds[0]
        return {
            "title": _("无记名投票"),
            "body": _("%(t)s正在投票，请领取投票码并投票。") % {"t": rnd.election.title},
            "url": reverse("governance:portal_vote", args=[rnd.pk]),
        }
    meetings = list(selectors.meetings_for_member(user)[:1])
    if meetings:
        return {
            "title": _("会议签到"),
            "body": _("您是%(t)s的应到人员，到会后扫描会场二维码签到。") % {"t": meetings[0].title},
            "url": reverse("governance:portal_meetings"),
        }
    return None


hooks.portal_cards.append(portal_card)
hooks.nav_items.append(("governance.view", gettext_lazy("组织建设"), "governance:index"))  # type: ignore[arg-type]
