"""Scoped reads of the member registry, and the search.

``member_search`` is built for a million members: every form of ``q`` becomes an equality or
a *range* predicate on an indexed column whose second column is ``org`` (so the scope check is
answered from the same index) — never ``LIKE``, which SQLite does not index for a prefix
(``LIKE`` is case-insensitive there and Django adds ``ESCAPE``). A prefix ``p`` is
``col >= p AND col < p || U+FFFF``: U+FFFF sorts after every character a name holds, in
SQLite's binary order, in PostgreSQL's ``C`` collation and in ICU's root collation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import InvalidInput, NotFound
from gonghui.core.fields import blind_index_for
from gonghui.core.identifiers import normalise
from gonghui.core.masking import mask_name
from gonghui.core.roles import Role, can
from gonghui.core.scope import access, spans_whole_tree, subtree_org_id_list, subtree_org_ids
from gonghui.orgs.models import Org

from .models import (
    JoinApplication,
    Member,
    MembershipEvent,
    Status,
    TransferRequest,
    TransferStatus,
)

_HIGH = "\uffff"
_DIGITS = re.compile(r"^\d+X?$")
_LATIN = re.compile(r"^[a-z]+$")
_ID_FULL = re.compile(r"^(\d{17}[\dX]|\d{15})$")
_MOBILE_FULL = re.compile(r"^1[3-9]\d{9}$")
# What a search in an address (GET) may hold: the four characters a mask shows. Longer tails
# were an oracle (one digit more per try, unaudited); a full number is a look-up, by POST
# (``services.member_lookup``), audited and rate-limited.
TAIL_ONLY = _("请输入身份证号或手机号的后4位；完整号码请用“按完整号码查找”")


def members_visible_to(user: Any) -> QuerySet[Member]:
    """Members of the user's subtree for staff holding ``members.view``; a member user sees
    their own record; anyone else nothing."""
    if getattr(user, "role", None) != Role.MEMBER and not can(user, "members.view"):
        return Member.objects.none()
    return Member.objects.visible_to(user).select_related("org")


def access_member(user: Any, member_id: Any) -> Member:
    """One member visible to ``user``, or NotFound for missing and forbidden alike."""
    return access(members_visible_to(user), user, pk=member_id)


def _prefix(column: str, value: str) -> Q:
    return Q(**{f"{column}__gte": value, f"{column}__lt": value + _HIGH})


def _tail_matches(qs: QuerySet[Member], digits: str) -> QuerySet[Member]:
    """Members whose ID or phone ends with the 4 ``digits`` the masked display shows."""
    return qs.filter(Q(id_tail=digits) | Q(phone_tail=digits))


def _search_base(user: Any, org: Org | None) -> QuerySet[Member]:
    """The user's members (and ``org``'s subtree) for a search by ``q``. On SQLite the scope
    check is written ``org_id + 0 IN (…)`` so that it is not answered from the ``org`` index:
    at a million members a city-wide scope is the whole table, and without statistics SQLite
    would walk it through that index instead of the ``q`` column's range. The search indexes
    carry ``org`` as their second column, so the check is still read from the index entry."""
    if getattr(user, "role", None) == Role.MEMBER:
        return members_visible_to(user)
    if not can(user, "members.view") or user.org_id is None:
        return Member.objects.none()
    qs = Member.objects.select_related("org")
    if connection.vendor != "sqlite":
        # PostgreSQL keeps statistics and picks the org index for a small scope itself, given
        # the subtree's ids; the whole tree (the city) needs no condition at all — as a
        # semi-join over a million members it was planned before the search index's range
        # and sorted (two typed letters: 400 ms at p95 instead of 60).
        for within in (user.org, org):
            if within is not None and not spans_whole_tree(within):
                qs = qs.filter(org__in=subtree_org_id_list(within))
        return qs
    # (the Django plugin for mypy does not see names made by alias())
    qs = qs.alias(scope_org=F("org_id") + 0)
    qs = qs.filter(scope_org__in=subtree_org_ids(user.org))  # type: ignore[misc]
    if org is not None:
        qs = qs.filter(scope_org__in=subtree_org_ids(org))  # type: ignore[misc]
    return qs


# A pinyin prefix matching at least this many members in scope is listed alone (see below).
_PINYIN_ALONE = 2000


def _latin_search(qs: QuerySet[Member], text: str, letters: str) -> QuerySet[Member]:
    """Latin letters, ranked: a name written exactly so (a name in latin letters) first, then
    pinyin prefixes (``wangq``: the exact reading ``wangqiang`` before ``wangqianghua``), then
    initials prefixes (``wq``: the exact initials first).

    Every answer is read in the order of one index when it can be: one letter is a pinyin and
    an initials prefix alike (the pinyin index answers it); when only pinyin or only initials
    match (three cheap probes tell), that column's index alone. When both match, the rows are
    sorted by rank — cheap while the pinyin rows are few. A prefix that already matches
    ``_PINYIN_ALONE`` members by pinyin (``zh``, ``wan`` at a city of a million) lists those
    alone, in index order: ranked after all of them, the initials matches would only begin
    past the two-thousandth row, and sorting a hundred thousand rows for it would cost a
    second; one more letter typed brings them back."""
    pinyin = _prefix("name_pinyin", letters)
    by_pinyin = qs.filter(pinyin).order_by("name_pinyin", "id")
    if len(letters) == 1:
        return by_pinyin
    initials = _prefix("name_initials", letters)
    exact = Q(name=text)
    has_exact = qs.filter(exact).exists()
    has_initials = qs.filter(initials).exclude(pinyin).exclude(exact).exists()
    pinyin_rows = by_pinyin[:_PINYIN_ALONE].count()
    if not has_exact and not has_initials:
        return by_pinyin
    if not has_exact and not pinyin_rows:
        return qs.filter(initials).order_by("name_initials", "name_pinyin", "id")
    if pinyin_rows >= _PINYIN_ALONE and not has_exact:
        return by_pinyin
    rank = Case(
        When(exact, then=Value(0)),
        When(pinyin, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    # within a rank, by the column that matched: the exact reading or initials first
    key = Case(When(pinyin, then=F("name_pinyin")), default=F("name_initials"))
    return (
        qs.filter(exact | pinyin | initials)
        .alias(rank=rank, key=key)
        .order_by("rank", "key", "name_pinyin", "id")
    )


def full_value_kind(text: str) -> str:
    """``"id_number"`` or ``"phone"`` when ``text`` is a whole ID number or mobile, else ``""``."""
    key = normalise(text or "")
    if _ID_FULL.match(key):
        return "id_number"
    if _MOBILE_FULL.match(key):
        return "phone"
    return ""


def member_search(
    user: Any,
    q: str = "",
    org: Org | str | None = None,
    status: str | None = None,
    *,
    lookup: bool = False,
) -> QuerySet[Member]:
    """Members visible to ``user``, optionally within ``org``'s subtree (an Org or its code)
    and of one ``status``, matching ``q``:

    - a full ID number (18 or 15 digits) or mobile number → exact, through the blind index,
      only with ``lookup=True`` (``services.member_lookup``, which audits and rate-limits it);
      otherwise, and for any other run of more than 4 digits, InvalidInput on ``q``;
    - 4 digits (an ID may end in X) → the end of the ID number or phone;
    - latin letters → the name exactly, then pinyin prefix (``wangq``), then initials prefix
      (``wq``), in that order;
    - anything else → name prefix (``王``, ``王强``): the exact name first.

    Best match first: the exact name or the exact ID/phone tail, then pinyin, then initials.
    A search on one column is ordered by it, so the first page comes straight off the index.
    """
    org_obj: Org | None = None
    if org is not None and org != "":
        org_obj = org if isinstance(org, Org) else Org.objects.filter(code=normalise(org)).first()
        if org_obj is None:
            return Member.objects.none()
    text = (q or "").strip()
    if not text:
        # A roster page: here the ``org`` index is the right way in (a union's members).
        qs = members_visible_to(user)
        if org_obj is not None:
            qs = qs.filter(org__in=subtree_org_ids(org_obj))
        if status:
            qs = qs.filter(status=status)
        return qs.order_by("org_id", "status", "name", "id")
    qs = _search_base(user, org_obj)
    if status:
        qs = qs.filter(status=status)
    key = normalise(text)
    if lookup and _ID_FULL.match(key):
        return qs.filter(id_number_bidx=blind_index_for("citizen_id", key)).order_by("id")
    if lookup and _MOBILE_FULL.match(key):
        return qs.filter(phone_bidx=blind_index_for("mobile", key)).order_by("name", "id")
    if lookup:
        raise InvalidInput.one("q", str(_("请输入完整的18位身份证号或11位手机号")))
    if _DIGITS.match(key):
        if len(key) < 4:
            return qs.none()
        if len(key) > 4:
            raise InvalidInput.one("q", str(TAIL_ONLY))
        return _tail_matches(qs, key).order_by("name", "id")
    letters = re.sub(r"[\s'’·]", "", text.lower())
    if _LATIN.match(letters):
        return _latin_search(qs, text, letters)
    name = "".join(text.split()) if re.search(r"[\u3400-\u9fff]", text) else text
    return qs.filter(_prefix("name", name)).order_by("name", "id")


def member_history(member: Member) -> QuerySet[MembershipEvent]:
    """The dated events of a membership, newest first, with both unions and the actor."""
    return (
        MembershipEvent.objects.filter(member=member)
        .select_related("org", "other_org", "actor")
        .order_by("-on", "-id")
    )


@dataclass(frozen=True)
class HomeFlag:
    """Members from one employer accumulated in a 会员之家: time to found a union there."""

    home: Org
    employer_name: str
    count: int
    threshold: int


def members_home_flags(user: Any) -> list[HomeFlag]:
    """Employers with at least ``threshold`` active members in one of the user's 会员之家
    (``MemberHome``), most members first."""
    rows = list(
        members_visible_to(user)
        .filter(status=Status.ACTIVE, org__member_home__active=True)
        .exclude(employer_name="")
        .values("org_id", "employer_name")
        .annotate(n=Count("id"), threshold=F("org__member_home__threshold"))
        .filter(n__gte=F("threshold"))
        .order_by("-n", "employer_name")
    )
    homes = Org.objects.in_bulk({r["org_id"] for r in rows})
    return [HomeFlag(homes[r["org_id"]], r["employer_name"], r["n"], r["threshold"]) for r in rows]


def join_applications_visible_to(user: Any, status: str | None = None) -> QuerySet[JoinApplication]:
    """The approval queue of the user's unions, oldest pending first."""
    if not can(user, "members.manage"):
        return JoinApplication.objects.none()
    qs = JoinApplication.objects.visible_to(user).select_related("org", "member")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("created_at", "id")


def access_join_application(user: Any, application_id: Any) -> JoinApplication:
    return access(join_applications_visible_to(user), user, pk=application_id)


# --- 会籍接转 requests ------------------------------------------------------------------------


def transfer_requests_visible_to(
    user: Any, *, side: str = "", status: str | None = None
) -> QuerySet[TransferRequest]:
    """Requests the user's unions are party to: ``side="in"`` those it applied for (the
    receiving side), ``"out"`` those asking it to release a member, ``""`` both. A member user
    sees the requests about themselves."""
    qs = TransferRequest.objects.select_related("member", "from_org", "to_org")
    if getattr(user, "role", None) == Role.MEMBER and getattr(user, "is_authenticated", False):
        qs = qs.filter(member__user=user)
    elif not can(user, "members.view") or user.org_id is None:
        return TransferRequest.objects.none()
    else:
        path = user.org.path
        receiving = Q(to_org__path__startswith=path)
        releasing = Q(from_org__path__startswith=path)
        both = receiving | releasing
        qs = qs.filter(receiving if side == "in" else releasing if side == "out" else both)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def access_transfer_request(user: Any, request_id: Any) -> TransferRequest:
    """One request the user is party to, or NotFound for missing and forbidden alike."""
    try:
        return transfer_requests_visible_to(user).get(pk=int(request_id))
    except (TransferRequest.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def transfer_requests_pending_count(user: Any, side: str) -> int:
    return transfer_requests_visible_to(user, side=side, status=TransferStatus.PENDING).count()


def transfer_view(user: Any, req: TransferRequest) -> dict[str, Any]:
    """A request as ``user``'s side may see it (the API's and the pages' one shape)."""
    if getattr(user, "role", None) == Role.MEMBER:
        side = "self"
    elif req.from_org is not None and can(user, "members.view", req.from_org):
        side = "out"
    else:
        side = "in"
    releasing = side in ("out", "self")
    # what the receiving side typed (the member's own name when found): the same either way
    name = (
        req.member.name
        if releasing and req.member
        else (req.name or (req.member.name if req.member else ""))
    )
    return {
        "id": req.pk,
        "side": side,
        "member": req.member_id if side == "out" else None,
        "name": name if releasing else mask_name(name),
        "from_org": req.from_org.code if releasing and req.from_org else None,
        "from_org_name": req.from_org.name if releasing and req.from_org else None,
        "to_org": req.to_org.code,
        "to_org_name": req.to_org.name,
        "status": req.status,
        "status_label": req.get_status_display(),
        "on": req.on,
        "due_on": req.due_on,
        "note": req.note,
        "reason": req.reason,
        "way": req.get_way_display() if req.way else "",
        "request": req,
    }
