"""Governance's seams into the kernel's screens: the navigation entry, the member's portal
card (a meeting to check in to, a secret vote open now), and 换届 due as a deadline source
(``core.deadlines``): a current committee whose term ends within the warning window is on
the home page of everyone whose subtree holds it, yellow ahead and red once past."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import hooks
from gonghui.core.roles import can

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

try:  # core.deadlines is the lead's kernel piece; absent in trees that predate it
    from gonghui.core import deadlines
except ImportError:  # pragma: no cover
    deadlines = None  # type: ignore[assignment]


def terms_due(user: Any, today: date) -> Iterable[Any]:
    if deadlines is None or not can(user, "governance.view"):
        return []
    return [
        deadlines.Due(
            label=_("%(name)s：任期届满，应换届") % {"name": c.name},
            due_on=c.term_end,
            url=reverse("governance:committee", args=[c.pk]),
            org=c.org,
            unit=deadlines.CALENDAR,
            warn=selectors.TERM_WARNING_DAYS,
        )
        for c in selectors.terms_due(user, today)[:50]
    ]


if deadlines is not None:
    deadlines.source("governance")(terms_due)
