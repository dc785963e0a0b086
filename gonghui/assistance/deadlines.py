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
    if not can(user, "assistance.handle") or getattr(user, "org", None) is None:
        return []
    visible = Family.objects.visible_to(user).select_related("org")
    items: list[Due] = []
    for f in visible.filter(status=Status.SUBMITTED, investigate_due__isnull=False).order_by(
        "investigate_due"
    )[:MAX_ITEMS]:
        items.append(
            Due(_("困难职工申请 %(no)s：入户调查期限") % {"no": f.number}, f.investigate_due,  # type: ignore[arg-type]
                f.get_absolute_url(), f.org)
        )  # fmt: skip
    cutoff = today + timedelta(days=LOOKAHEAD)
    survey_before = cutoff - timedelta(days=SURVEY_DAYS)
    verify_before = cutoff - timedelta(days=VERIFY_DAYS)
    archived = visible.filter(status=Status.ARCHIVED)
    for f in archived.filter(
        Q(last_survey_on__lte=survey_before)
        | Q(last_survey_on__isnull=True, archived_on__lte=survey_before)
    ).order_by("last_survey_on", "archived_on")[:MAX_ITEMS]:
        start = f.last_survey_on or f.archived_on
        assert start is not None
        items.append(
            Due(_("困难职工档案 %(no)s：半年走访") % {"no": f.number},
                start + timedelta(days=SURVEY_DAYS), f.get_absolute_url(), f.org,
                unit=CALENDAR, warn=LOOKAHEAD)
        )  # fmt: skip
    for f in archived.filter(
        Q(last_verified_on__lte=verify_before)
        | Q(last_verified_on__isnull=True, archived_on__lte=verify_before)
    ).order_by("last_verified_on", "archived_on")[:MAX_ITEMS]:
        start = f.last_verified_on or f.archived_on
        assert start is not None
        items.append(
            Due(_("困难职工档案 %(no)s：年度复核") % {"no": f.number},
                start + timedelta(days=VERIFY_DAYS), f.get_absolute_url(), f.org,
                unit=CALENDAR, warn=LOOKAHEAD)
        )  # fmt: skip
    return items
