"""Every read of the legal module, scoped.

Cases: staff with ``legal.view`` see their subtree's cases; a lawyer their own; a member the
cases they filed or are an applicant of (``Case.scope_*``). ``access_case`` answers the same
404 for missing and forbidden.

Consultations: ``consultations_visible_to`` follows the same scope, but the *content* (subject,
messages) of a psychological consultation is readable only by its asker and its assigned
counsellor (``can_read``); everybody else gets ``Consultation`` rows whose ``subject`` is
never shown and the messages are never loaded. A legal consultation is readable by the asker,
its assignee and the cadres of the subtree; an anonymous asker is never named to cadres.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from gonghui.core.errors import NotFound
from gonghui.core.roles import ASSIGNEE_ROLES, Role, can
from gonghui.core.scope import access

from .models import (
    CENTRE_TODO,
    OPEN_STATUSES,
    Applicant,
    Case,
    CaseEvent,
    Consultation,
    ConsultKind,
    ConsultStatus,
    Staff,
    Station,
)
from .workflow import WORKFLOW


def _sees_cases(user: Any) -> bool:
    role = getattr(user, "role", None)
    return role in ASSIGNEE_ROLES or role == Role.MEMBER or can(user, "legal.view")


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """The user's cases with what a list row shows (``org``, ``lawyer``); the applicants are
    counted for a page's rows only (``with_workers``), never for the whole scope."""
    if not _sees_cases(user):
        return Case.objects.none()
    return Case.objects.visible_to(user).select_related("org", "lawyer")


def with_workers(cases: Iterable[Case]) -> list[Case]:
    """The page's cases, each with its applicants counted (``Case.workers_count``): one
    grouped query over the page's ids, whatever the page size, instead of a count annotated
    on the whole scope before the page is cut (at 100,000 cases the city's list grouped every
    case's applicants to show fifty)."""
    rows = list(cases)
    if not rows:
        return rows
    counts = dict(
        Applicant.objects.filter(case_id__in=[c.pk for c in rows])
        .order_by()
        .values_list("case_id")
        .annotate(n=Count("*"))
        .values_list("case_id", "n")
    )
    for c in rows:
        c._applicant_count = counts.get(c.pk, 0)  # type: ignore[attr-defined]
    return rows


def case_list(
    user: Any,
    *,
    status: str = "",
    open_only: bool = False,
    q: str = "",
    org: Any = None,
) -> QuerySet[Case]:
    qs = cases_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(employer_name__icontains=q))
    return qs.order_by("-applied_on", "-id")


def access_case(user: Any, case_id: Any) -> Case:
    if not _sees_cases(user):
        raise NotFound()
    return access(
        Case.objects.select_related("org", "lawyer", "station", "employer", "ticket", "filed_by"),
        user,
        pk=case_id,
    )


def case_actions(user: Any, case: Case) -> list[tuple[str, str]]:
    """The steps this user may take on this case now, as (name, label)."""
    role = getattr(user, "role", None)
    out = []
    for t in WORKFLOW.allowed(case.status, role):
        if role == Role.LAWYER and case.lawyer_id != user.pk:
            continue
        staff = role not in (Role.LAWYER, Role.MEMBER)
        manages = can(user, "legal.manage", case.org)
        resubmits = t.name == "resubmit" and can(user, "legal.apply", case.org)
        if staff and not manages and not resubmits:
            continue
        out.append((t.name, t.label))
    return out


def case_timeline(case: Case) -> list[CaseEvent]:
    return list(case.events.select_related("actor").all())


def lawyers_for(case: Case) -> QuerySet[Any]:
    """Lawyers a case may be assigned to: of the centre's subtree, or of an org above it."""
    from gonghui.accounts.models import User

    ids = [int(i) for i in case.org.path.strip("/").split("/") if i]
    return (
        User.objects.filter(role=Role.LAWYER, is_active=True)
        .filter(Q(org__path__startswith=case.org.path) | Q(org_id__in=ids))
        .order_by("full_name", "username")
    )


def centre_todo(user: Any) -> dict[str, int]:
    """What waits for the centre (cadres with ``legal.manage``) in the subtree."""
    if not can(user, "legal.manage"):
        return {}
    # the waiting statuses only, grouped: an index range per status (``legal_case_status``),
    # not a pass over every case of the subtree
    by_status = dict(
        Case.objects.visible_to(user)
        .filter(status__in=CENTRE_TODO)
        .order_by()
        .values_list("status")
        .annotate(n=Count("*"))
        .values_list("status", "n")
    )
    counts = {str(s.value): by_status.get(s.value, 0) for s in CENTRE_TODO}
    consults = (
        Consultation.objects.visible_to(user)
        .filter(status__in=(ConsultStatus.WAITING, ConsultStatus.ANSWERED))
        .filter(Q(crisis=True) | Q(assignee__isnull=True))
        .aggregate(
            crisis=Count("id", filter=Q(crisis=True)),
            unassigned=Count("id", filter=Q(assignee__isnull=True)),
        )
    )
    return {**counts, **consults}


# --- consultations --------------------------------------------------------------------------


def consultations_visible_to(user: Any) -> QuerySet[Consultation]:
    role = getattr(user, "role", None)
    if not (role in ASSIGNEE_ROLES or role == Role.MEMBER or can(user, "legal.view")):
        return Consultation.objects.none()
    # ``subject`` is deferred: lists never load the encrypted content
    return (
        Consultation.objects.visible_to(user)
        .select_related("org", "assignee", "asker")
        .defer("subject")
        .order_by("-asked_at", "-id")
    )


def can_read(user: Any, c: Consultation) -> bool:
    """May ``user`` read the subject and the messages? Psychological: the asker and the
    assigned counsellor only. Legal: also the cadres of the subtree."""
    if user.pk in (c.asker_id, c.assignee_id):
        return True
    if c.kind == ConsultKind.PSYCH:
        return False
    return can(user, "legal.view", c.org)


def shows_asker(user: Any, c: Consultation) -> bool:
    """Is the asker's name shown? To the assignee always; to cadres unless anonymous."""
    if user.pk in (c.asker_id, c.assignee_id):
        return True
    return not c.anonymous and c.kind != ConsultKind.PSYCH


def access_consultation(user: Any, consultation_id: Any) -> Consultation:
    role = getattr(user, "role", None)
    if not (role in ASSIGNEE_ROLES or role == Role.MEMBER or can(user, "legal.view")):
        raise NotFound()
    return access(
        Consultation.objects.select_related("org", "assignee", "asker"), user, pk=consultation_id
    )


def consultation_messages(user: Any, c: Consultation) -> list[Any]:
    if not can_read(user, c):
        return []
    return list(c.messages.select_related("author").all())


def assignees_for(c: Consultation) -> QuerySet[Any]:
    from gonghui.accounts.models import User

    role = Role.COUNSELLOR if c.kind == ConsultKind.PSYCH else Role.LAWYER
    ids = [int(i) for i in c.org.path.strip("/").split("/") if i]
    return User.objects.filter(role=role, is_active=True, org_id__in=ids).order_by("username")


# --- stations -----------------------------------------------------------------------------


def stations_visible_to(user: Any) -> QuerySet[Station]:
    if not can(user, "legal.view"):
        return Station.objects.none()
    return (
        Station.objects.visible_to(user)
        .select_related("org")
        .annotate(
            staff_count=Count("staff", filter=Q(staff__active=True), distinct=True),
            open_cases=Count("cases", filter=Q(cases__status__in=OPEN_STATUSES), distinct=True),
        )
        .order_by("code")
    )


def access_station(user: Any, station_id: Any) -> Station:
    if not can(user, "legal.view"):
        raise NotFound()
    return access(Station.objects.select_related("org"), user, pk=station_id)


def staff_visible_to(user: Any) -> QuerySet[Staff]:
    if not can(user, "legal.view"):
        return Staff.objects.none()
    return Staff.objects.visible_to(user).select_related("station", "org", "user")


def assigned_items(user: Any, today: date) -> list[dict[str, Any]]:
    """The lawyer's open cases and the lawyer's or counsellor's open consultations, for the
    home page (``core.hooks.assigned_cases``): title, url, kind, status, due."""
    from .deadlines import case_limits, worst_card

    items: list[dict[str, Any]] = []
    for case in Case.objects.filter(lawyer=user, status__in=OPEN_STATUSES).select_related("org")[
        :50
    ]:
        limits = case_limits(case, today)
        first = limits[0] if limits else None
        items.append(
            {
                "title": case.number,
                "url": case.get_absolute_url(),
                "kind": str(case.get_service_display()),
                "status": str(case.get_status_display()) + (f"（{first.label}）" if first else ""),
                "due": first.due_on if first else None,
                "card": worst_card(limits),
            }
        )
    for c in Consultation.objects.filter(assignee=user).exclude(status=ConsultStatus.CLOSED)[:50]:
        items.append(
            {
                "title": ("⚠ " if c.crisis else "") + str(c),
                "url": c.get_absolute_url(),
                "kind": str(c.get_kind_display()),
                "status": str(c.get_status_display()),
                "due": today if c.crisis else None,  # a crisis comes first
                "card": "red" if c.crisis else "",
            }
        )
    return items
