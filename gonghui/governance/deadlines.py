"""换届 due on the home page (``core.deadlines``): a current committee whose term ends within
``TERM_WARNING_DAYS`` calendar days is listed for everyone whose subtree holds it, yellow
ahead of the date and red once it has passed without a new committee."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.core import deadlines
from gonghui.core.roles import can

from . import selectors


@deadlines.source("governance")
def terms_due(user: Any, today: date) -> Iterable[deadlines.Due]:
    if not can(user, "governance.view"):
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
