"""Scoped reads of work orders: ``tickets_visible_to``, ``access_ticket``, and which steps a
user may take on an order right now (``ticket_actions``)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet

from gonghui.core.errors import NotFound
from gonghui.core.roles import can, in_subtree

from .models import OPEN_STATUSES, Status, Ticket, TicketEvent, TicketOrg, Topic, is_overdue
from .workflow import NOTES, WHO, WORKFLOW


def tickets_visible_to(user: Any) -> QuerySet[Ticket]:
    """The orders on whose path the user's subtree lies (a member: their own), with what a
    list row shows."""
    return Ticket.objects.visible_to(user).select_related(
        "topic", "topic__parent", "receiving_org", "handler_org"
    )


def tickets_filtered(
    user: Any,
    *,
    status: str = "",
    overdue: bool | None = None,
    org: Any = None,
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
    external_no: str = "",
    changed_since: datetime | None = None,
) -> QuerySet[Ticket]:
    """The list API's filters: ``org`` keeps the orders whose path enters that org's subtree;
    ``overdue`` the open ones past their due date and the closed ones closed late;
    ``external_no`` the order of that provincial number; ``changed_since`` the orders whose
    handling changed after that moment (a step, a supervision notice, the member's rating)."""
    from django.utils import timezone

    qs = tickets_visible_to(user)
    if status:  # as the user sees it: an order their org returned, with the status it left with
        qs = with_status(user, qs, [status])
    if external_no:
        qs = qs.filter(pk__in=Ticket.objects.pushed_as(external_no).values("pk"))
    if changed_since is not None:
        qs = qs.filter(updated_at__gt=changed_since)
    if org is not None:
        qs = qs.filter(id__in=Ticket.objects.on_path_of(org).values("id"))
    if start:
        qs = qs.filter(received_on__gte=start)
    if end:
        qs = qs.filter(received_on__lte=end)
    if overdue is not None:
        today = today or timezone.localdate()
        late = Q(status=Status.CLOSED, closed_on_time=False) | (
            Q(status__in=OPEN_STATUSES, due_on__lt=today)
        )
        qs = qs.filter(late) if overdue else qs.exclude(late)
    return qs


# the order's long encrypted texts, which no list shows: left unread (and undecrypted)
LIST_DEFERRED = ("content", "answer", "result", "caller_id_number")
# the list API's order (the model's default; the ticket_received_at index serves it)
NEWEST_FIRST = ("-received_at", "-id")
# the order of a poll for changes: oldest change first (the ticket_changed index serves it),
# so that the last row's ``updated_at`` is where the next poll starts
OLDEST_CHANGE_FIRST = ("updated_at", "id")
# the list API's row: its field → the column or the related column it reads
ROW_COLUMNS = {
    "id": "id",
    "number": "number",
    "external_no": "external_no",
    "status": "status",
    "channel": "channel",
    "received_at": "received_at",
    "caller_name": "caller_name",
    "caller_phone": "caller_phone",
    "category": "category",
    "complexity": "complexity",
    "topic": "topic__code",
    "topic_name": "topic__name",
    "urgency": "urgency",
    "receiving_org": "receiving_org__code",
    "handler_org": "handler_org__code",
    "due_on": "due_on",
    "card": "card",
    "wages_recovered": "wages_recovered",
    "workers": "workers",
    "satisfaction": "satisfaction",
    "closed_at": "closed_at",
    "closed_on_time": "closed_on_time",
    "reopen_count": "reopen_count",
    "updated_at": "updated_at",
}


def page_of(
    qs: QuerySet[Ticket], ordering: Sequence[str], start: int, stop: int
) -> QuerySet[Ticket]:
    """Orders ``start``..``stop`` of ``qs`` in ``ordering`` (which must end with the id, a
    total order), in one query of two steps: the filters and the sort run on the ids alone
    (an index serves them when it can), then only the page's rows are read in full — not
    every matching row carried through the sort. The rows are those of slicing ``qs``."""
    ids = qs.order_by(*ordering).values("pk")[start:stop]
    return Ticket.objects.filter(pk__in=ids).order_by(*ordering)


def ticket_rows(
    qs: QuerySet[Ticket],
    start: int,
    stop: int,
    today: date | None = None,
    ordering: Sequence[str] = NEWEST_FIRST,
    user: Any = None,
) -> list[dict[str, Any]]:
    """The list API's rows ``start``..``stop`` of ``qs`` (newest first unless ``ordering``
    says otherwise) as plain values,
    ``ROW_COLUMNS`` and ``overdue``, read as columns: no model instance per row (building
    500 instances and their related orgs and topics cost more than the query). Caller name
    and phone are decrypted, not yet masked."""
    from django.utils import timezone

    today = today or timezone.localdate()
    names = list(ROW_COLUMNS)
    page = page_of(qs, ordering, start, stop)
    rows = [
        dict(zip(names, values, strict=True)) for values in page.values_list(*ROW_COLUMNS.values())
    ]
    if user is not None:
        left = returned_out(user, [row["id"] for row in rows])
        for row in rows:
            if (was := left.get(row["id"])) is not None:
                as_left(row, was)
    for row in rows:
        row["overdue"] = is_overdue(row["status"], row["due_on"], row["closed_on_time"], today)
    return rows


def as_left(row: dict[str, Any], was: dict[str, Any]) -> None:
    """A list row (``ROW_COLUMNS``) of an order the user's org returned, as it left it."""
    for name, value in was.items():
        if name == "handler_org":
            row[name] = value.code if value is not None else None
        elif name == "status":
            row[name] = value or row[name]
        elif name in row:
            row[name] = value


def access_ticket(user: Any, ticket_id: Any) -> Ticket:
    """One order the user may see, or NotFound for missing and forbidden alike."""
    try:
        return tickets_visible_to(user).get(pk=int(ticket_id))
    except (Ticket.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def returned_by(user: Any, ticket: Ticket) -> TicketEvent | None:
    """The return (退单) by which the order left the staff user's subtree, when it has not
    come back: neither received nor held there now. Such a user sees the order as it left
    it — the timeline up to that return, none of what the next handler wrote. None when the
    order is the user's to see whole (received or held in the subtree, or never returned
    from it)."""
    home = getattr(user, "org", None)
    if home is None or getattr(user, "role", "") == "member":
        return None
    for org in (ticket.receiving_org, ticket.handler_org):
        if org is not None and org.path.startswith(home.path):
            return None
    return (
        ticket.events.filter(action="return", org__path__startswith=home.path)
        .order_by("-at", "-id")
        .first()
    )


def returned_out(user: Any, ticket_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """``returned_by`` for a list's rows: of the orders ``ticket_ids``, those that left the
    staff user's subtree by a return and have not come back → how each stood when it left:
    ``status``, the ``handler_org`` (an ``Org``, or None when back at the receiving org) and
    the later fields emptied (``_LATER_FIELDS``, wages, workers). Two queries a page."""
    base = _returns_out(user)
    if base is None or not ticket_ids:
        return {}
    returns = base.filter(ticket_id__in=list(ticket_ids)).values_list(
        "ticket_id", "org_id", "to_status", "ticket__receiving_org_id"
    )
    last: dict[int, tuple[int, str, int]] = {}
    for ticket_id, org_id, to_status, receiving_id in returns:
        last[ticket_id] = (org_id, to_status, receiving_id)
    if not last:
        return {}
    from gonghui.orgs.models import Org

    via = {
        (t, o): v
        for t, o, v in TicketOrg.objects.filter(ticket_id__in=list(last)).values_list(
            "ticket_id", "org_id", "via_id"
        )
    }
    backs = {v for (t, o), v in via.items() if v is not None}
    orgs = Org.objects.in_bulk(backs)
    out: dict[int, dict[str, Any]] = {}
    for ticket_id, (org_id, to_status, receiving_id) in last.items():
        back = via.get((ticket_id, org_id))
        out[ticket_id] = {
            **_LATER_FIELDS,
            "status": to_status or None,
            "handler_org": None if back in (None, receiving_id) else orgs.get(back),
            "wages_recovered": Decimal(0),
            "workers": 0,
        }
    return out


def _returns_out(user: Any) -> QuerySet[TicketEvent] | None:
    """The returns (退单) by the staff user's subtree of orders that have not come back to it
    (neither received nor held there now); None for a user with no such view."""
    home = getattr(user, "org", None)
    if home is None or getattr(user, "role", "") == "member":
        return None
    return (
        TicketEvent.objects.filter(action="return", org__path__startswith=home.path)
        .exclude(ticket__receiving_org__path__startswith=home.path)
        .exclude(ticket__handler_org__path__startswith=home.path)
        .order_by("ticket_id", "at", "id")
    )


def statuses_as_seen(user: Any, qs: QuerySet[Ticket]) -> dict[int, tuple[str, str]]:
    """Of the orders of ``qs``, those the user's org returned and that have not come back:
    id → (the status it has now, the status it left with). For the queue's tabs and status
    filters, which must count and file such an order under the status it left with."""
    returns = _returns_out(user)
    if returns is None:
        return {}
    out: dict[int, tuple[str, str]] = {}
    for ticket_id, to_status, status in returns.filter(ticket__in=qs.values("pk")).values_list(
        "ticket_id", "to_status", "ticket__status"
    ):
        out[ticket_id] = (status, to_status or status)
    return out


def with_status(user: Any, qs: QuerySet[Ticket], statuses: Collection[str]) -> QuerySet[Ticket]:
    """The orders of ``qs`` whose status, as the user sees it (``statuses_as_seen``), is one
    of ``statuses``."""
    seen = statuses_as_seen(user, qs)
    if not seen:
        return qs.filter(status__in=list(statuses))
    keep = [pk for pk, (_now, left) in seen.items() if left in statuses]
    return qs.filter((Q(status__in=list(statuses)) & ~Q(pk__in=list(seen))) | Q(pk__in=keep))


# What the steps after a return write on the order itself: shown empty to the org that
# returned it, as the order stood when it left.
_LATER_FIELDS = {
    "result": "",
    "answer": "",
    "satisfaction": "",
    "closed_at": None,
    "closed_on_time": None,
}


def ticket_timeline(
    user: Any, ticket: Ticket, until: TicketEvent | None = None
) -> QuerySet[TicketEvent]:
    """The order's events, oldest first; a member does not see internal notes; ``until``
    (the return of ``returned_by``) ends it."""
    qs = ticket.events.select_related("org", "actor")
    if getattr(user, "role", "") == "member":
        qs = qs.filter(internal=False)
    if until is not None:
        qs = qs.filter(id__lte=until.pk)
    return qs


def ticket_detail(user: Any, ticket_id: Any) -> Ticket:
    """``access_ticket`` with the timeline and attachments prefetched; for an org that
    returned the order, the order as it left it (``returned_by``)."""
    ticket = access_ticket(user, ticket_id)
    until = returned_by(user, ticket)
    ticket = (
        Ticket.objects.filter(pk=ticket.pk)
        .select_related("topic", "topic__parent", "receiving_org", "handler_org", "member")
        .prefetch_related(
            Prefetch("events", queryset=ticket_timeline(user, ticket, until)), "attachments"
        )
        .get()
    )
    if until is not None:
        ticket.status = until.to_status or ticket.status
        from gonghui.orgs.models import Org

        # held, as it left, by the org that had sent it down (none: back at the receiving org)
        back = (
            TicketOrg.objects.filter(ticket=ticket, org=until.org)
            .values_list("via_id", flat=True)
            .first()
        )
        ticket.handler_org = (
            None if back in (None, ticket.receiving_org_id) else Org.objects.get(pk=back)
        )
        ticket.wages_recovered = Decimal(0)
        ticket.workers = 0
        for name, value in _LATER_FIELDS.items():
            setattr(ticket, name, value)
    ticket.returned_by = until  # type: ignore[attr-defined]
    return ticket


def org_for_step(ticket: Ticket, who: str) -> int | None:
    """The id of the org at which the actor of a step must sit."""
    if who == "receiving":
        return ticket.receiving_org_id
    if who == "holder":
        return ticket.holder_id
    if who == "dispatcher":
        return ticket.dispatcher_org_id or ticket.receiving_org_id
    return None


def acts_for(user: Any, org_id: int | None, org: Any = None) -> bool:
    """Does the user sit at that org? (an admin acts anywhere in their subtree)"""
    if org_id is None or not getattr(user, "is_authenticated", False):
        return False
    if user.org_id == org_id:
        return True
    if user.role == "admin":
        from gonghui.orgs.models import Org

        target = org if org is not None and org.pk == org_id else Org.objects.get(pk=org_id)
        return in_subtree(user, target)
    return False


def is_above_holder(user: Any, ticket: Ticket) -> bool:
    """Is the user's org strictly above the holder, on the order's path (督办)?"""
    holder = ticket.handler_org or ticket.receiving_org
    home = getattr(user, "org", None)
    if home is None or home.pk == holder.pk or not holder.path.startswith(home.path):
        return False
    return ticket.path.filter(org_id=home.pk).exists() or user.role == "admin"


def may_take(user: Any, ticket: Ticket, name: str) -> bool:
    """Does the user sit at the org that takes this step? (roles and state checked apart)
    The receiving org may always reassign, as well as the dispatcher."""
    if acts_for(user, org_for_step(ticket, WHO[name])):
        return True
    return name == "reassign" and acts_for(user, ticket.receiving_org_id)


def ticket_actions(user: Any, ticket: Ticket) -> list[tuple[str, str]]:
    """The steps this user may take on this order now: ``[(name, label)]``. The callback's
    and the quality check's outcomes are one step each here (``callback``, ``check``)."""
    if not can(user, "hotline.view") or user.role == "member":
        return []
    out: list[tuple[str, str]] = []
    for t in WORKFLOW.allowed(ticket.status, user.role):
        if t.name in {"reopen", "check_fail"}:
            continue  # the outcome of callback / check
        if t.name == "answer" and ticket.category != "consult":
            continue
        if may_take(user, ticket, t.name):
            out.append((t.name, t.label))
    for note in NOTES.values():
        if ticket.status not in note.states or user.role not in note.roles:
            continue
        holder_ok = note.who == "holder" and acts_for(user, ticket.holder_id)
        if holder_ok or (note.who == "above" and is_above_holder(user, ticket)):
            out.append((note.name, note.label))
    return out


def topic_find(value: str) -> Topic | None:
    """A topic by code or by name (an active one; a second-level name wins a tie)."""
    value = (value or "").strip()
    if not value:
        return None
    topic = Topic.objects.filter(code=value, active=True).first()
    if topic is None:
        topic = (
            Topic.objects.filter(name=value, active=True)
            .order_by(F("parent_id").desc(nulls_last=True), "sort")
            .first()
        )
    return topic


def topics_active() -> QuerySet[Topic]:
    return Topic.objects.filter(active=True).select_related("parent")


__all__ = [
    "access_ticket",
    "acts_for",
    "is_above_holder",
    "may_take",
    "org_for_step",
    "page_of",
    "ticket_actions",
    "returned_by",
    "returned_out",
    "statuses_as_seen",
    "with_status",
    "ticket_detail",
    "ticket_rows",
    "ticket_timeline",
    "tickets_filtered",
    "tickets_visible_to",
    "topic_find",
    "topics_active",
]
