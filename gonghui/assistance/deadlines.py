"""The assistance items due on every user's home page (``core.deadlines`` source): the
investigation of an application (5 working days), the half-yearly survey and the yearly
re-verification of archived families. Only the files the user handles (scoped)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from gonghui.core import deadlines
from gonghui.core.deadlines import CALENDAR, Due
from gonghui.core.roles import can

from .models import Family, Status
from .workflow import SURVEY_DAYS, VERIFY_DAYS

LOOKAHEAD = 14  # calendar days before a survey or re-verification falls due
MAX_ITEMS = 50


@deadlines.source("assistance")
def due(user: Any, today: date) -> Iterable[Due]:
    """One query: applications awaiting investigation, archived families whose survey or
    re-verification falls due within ``LOOKAHEAD`` days (or is past)."""
    if not can(user, "assistance.handle") or getattr(user, "org", None) is None:
        return []
    cutoff = today + timedelta(days=LOOKAHEAD)
    survey_before = cutoff - timedelta(days=SURVEY_DAYS)
    verify_before = cutoff - timedelta(days=VERIFY_DAYS)
    survey = Q(last_survey_on__lte=survey_before) | Q(
        last_survey_on__isnull=True, archived_on__lte=survey_before
    )
    verify = Q(last_verified_on__lte=verify_before) | Q(
        last_verified_on__isnull=True, archived_on__lte=verify_before
    )
    rows = (
        Family.objects.visible_to(user)
        .filter(
            Q(status=Status.SUBMITTED, investigate_due__isnull=False)
            | Q(status=Status.ARCHIVED) & (survey | verify)
        )
        .select_related("org")
        .order_by("investigate_due", "archived_on", "id")[:MAX_ITEMS]
    )
    items: list[Due] = []
    for f in rows:
        url = f.get_absolute_url()
        if f.status == Status.SUBMITTED and f.investigate_due is not None:
            label = _("困难职工申请 %(no)s：入户调查期限") % {"no": f.number}
            items.append(Due(label, f.investigate_due, url, f.org))
            continue
        surveyed = f.last_survey_on or f.archived_on
        verified = f.last_verified_on or f.archived_on
        if surveyed is not None and surveyed <= survey_before:
            label = _("困难职工档案 %(no)s：半年走访") % {"no": f.number}
            when = surveyed + timedelta(days=SURVEY_DAYS)
            items.append(Due(label, when, url, f.org, unit=CALENDAR, warn=LOOKAHEAD))
        if verified is not None and verified <= verify_before:
            label = _("困难职工档案 %(no)s：年度复核") % {"no": f.number}
            when = verified + timedelta(days=VERIFY_DAYS)
            items.append(Due(label, when, url, f.org, unit=CALENDAR, warn=LOOKAHEAD))
    return items
