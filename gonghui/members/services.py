"""Writes to the member registry. Each service is one transaction with its audit row, and every
change of membership leaves a dated ``MembershipEvent`` in the union where it happened.

Rules kept here:
- one row per person (the citizen ID's blind index is unique): taking in someone who already
  has a record reuses it; someone *active* in another union is never moved by ``member_create``
  or an import — only by ``member_transfer`` (会籍接转), the receiving union's explicit step;
- the search columns (pinyin, initials, ID and phone tails) come from ``derived_columns``, the
  same function the roster import calls for its bulk path;
- plain ID numbers and phones leave the database only through ``member_reveal`` (audited).
"""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta
from functools import cache, lru_cache
from itertools import groupby
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from gonghui.accounts.models import User
from gonghui.core import audit, workdays
from gonghui.core.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from gonghui.core.fields import blind_index_for
from gonghui.core.identifiers import normalise
from gonghui.core.masking import mask_id_number, mask_phone
from gonghui.core.models import AuditEntry
from gonghui.core.roles import Role, can
from gonghui.orgs.models import Enterprise, Org, OrgKind

from .models import (
    STATUS_STEP,
    STATUS_WORKFLOW,
    TRANSFER_WORKFLOW,
    EventKind,
    JoinApplication,
    JoinStatus,
    Member,
    MemberHome,
    MembershipEvent,
    Status,
    TransferRequest,
    TransferStatus,
    TransferWay,
)
from .selectors import full_value_kind, member_search
from .validation import FIELD_LABELS, clean_member

# Unions that hold members: grassroots unions, and townships/streets, parks and industry
# unions running a 会员之家 or covering small units directly. Federations hold none.
MEMBER_ORG_KINDS = frozenset({OrgKind.GRASSROOTS, OrgKind.TOWNSHIP, OrgKind.PARK, OrgKind.INDUSTRY})
# Fields a member record takes from input (``clean_member`` keys), besides ``employer``.
MEMBER_FIELDS = tuple(FIELD_LABELS)
# Surnames whose reading differs from the character's common one (pypinyin reads 单 as dan).
_SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "区": "ou", "朴": "piao", "查": "zha",
    "盖": "ge", "乐": "yue", "覃": "qin", "召": "shao", "缪": "miao", "翟": "zhai", "种": "chong",
    "员": "yun", "黑": "he", "尉": "yu", "繁": "po", "秘": "bi", "藏": "zang", "过": "guo",
}  # fmt: skip
_NOT_LETTER = re.compile(r"[^a-z]")


# --- derived search columns -------------------------------------------------------------


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


@cache
def _char_reading(ch: str) -> str:
    """A character's most common reading, alone. Names are read character by character:
    phrase matching misreads them (``于思`` → ``yusai``) and costs ~45 µs a new name, which a
    million-row import with hundreds of thousands of distinct names cannot afford."""
    return lazy_pinyin(ch)[0]


@cache
def _char_syllable(ch: str) -> tuple[str, str]:
    """A character's reading as the pinyin column keeps it (letters only) and its initial."""
    syllable = _NOT_LETTER.sub("", _char_reading(ch).lower())
    return syllable, syllable[:1]


_CJK_ONLY = re.compile(r"[\u3400-\u9fff]+")


@lru_cache(maxsize=65536)
def name_pinyin(name: str) -> tuple[str, str]:
    """``王强`` → ``("wangqiang", "wq")``; ``单雄信`` → ``("shanxiongxin", "sxx")``. Latin
    parts are kept as lower-case letters; ü is typed ``v`` as on every pinyin keyboard."""
    if not name:
        return "", ""
    if _CJK_ONLY.fullmatch(name):
        # the common case (a roster has hundreds of thousands of distinct names): each
        # character's syllable from its cache; the same result as the general path below
        read = [_char_syllable(ch) for ch in name]
        if name[0] in _SURNAME_READINGS:
            surname = _SURNAME_READINGS[name[0]]
            read[0] = (surname, surname[:1])
        return (
            "".join([full for full, _i in read])[:120],
            "".join([initial for _f, initial in read])[:20],
        )
    syllables: list[str] = []
    for cjk, run in groupby(name, key=_is_cjk):
        text = "".join(run)
        syllables.extend(map(_char_reading, text) if cjk else text.lower().split())
    if name[0] in _SURNAME_READINGS and syllables:
        syllables[0] = _SURNAME_READINGS[name[0]]
    parts = [p for p in (_NOT_LETTER.sub("", s.lower()) for s in syllables) if p]
    return "".join(parts)[:120], "".join(p[0] for p in parts)[:20]


def derived_columns(name: str, id_number: str, phone: str) -> dict[str, str]:
    """The search columns of a member row, from cleaned values: ``name_pinyin``,
    ``name_initials``, ``id_tail`` and ``phone_tail`` (last four characters). Pinyin is
    cached per name, so a million-row import computes each distinct name once."""
    full, initials = name_pinyin(name or "")
    return {
        "name_pinyin": full,
        "name_initials": initials,
        "id_tail": (id_number or "")[-4:].upper(),
        "phone_tail": (phone or "")[-4:],
    }


def member_fill_derived(member: Member) -> Member:
    """Set the derived columns of an instance before ``save`` or ``bulk_create``."""
    for key, value in derived_columns(member.name, member.id_number, member.phone).items():
        setattr(member, key, value)
    return member


# --- checks -----------------------------------------------------------------------------


def _require(actor: Any, perm: str, org: Org) -> None:
    """Outside the actor's scope answers as missing; in scope without the right, 403."""
    if not can(actor, "members.view", org) and not can(actor, perm, org):
        raise NotFound()
    if not can(actor, perm, org):
        raise Forbidden(_("当前角色无权执行此操作"))


def _check_union(org: Org, field: str = "org") -> None:
    if not org.active:
        raise InvalidInput.one(field, _("工会已撤销：%(name)s") % {"name": org.name})
    if org.kind not in MEMBER_ORG_KINDS:
        raise InvalidInput.one(
            field, _("%(kind)s不直接发展会员，请选择基层工会") % {"kind": org.get_kind_display()}
        )


def _check_day(on: date, field: str, not_before: date | None = None) -> None:
    if on > timezone.localdate():
        raise InvalidInput.one(field, _("日期不能晚于今天"))
    if not_before is not None and on < not_before:
        raise InvalidInput.one(field, _("日期不能早于%(d)s") % {"d": not_before.isoformat()})


def _as_date(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput.one(field, _("日期格式应为 YYYY-MM-DD")) from exc


def _employer(actor: Any, value: Any) -> Enterprise | None:
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, Enterprise) else value
    employer = Enterprise.objects.visible_to(actor).filter(pk=pk).first()
    if employer is None:
        raise InvalidInput.one("employer", _("工作单位不存在"))
    return employer


def _person(data: dict[str, Any], *, require_joined: bool) -> dict[str, Any]:
    raw = {k: v for k, v in data.items() if k in MEMBER_FIELDS}
    if require_joined and raw.get("joined_on") in (None, ""):
        raw["joined_on"] = timezone.localdate()
    result = clean_member(raw, today=timezone.localdate())
    if result.errors:
        raise InvalidInput(result.errors)
    return result.values


def _find_person(id_number: str, *, lock: bool = False) -> Member | None:
    qs = Member.objects.select_related("org")
    if lock:
        qs = qs.select_for_update()
    return qs.filter(id_number_bidx=blind_index_for("citizen_id", id_number)).first()


def _event(
    member: Member,
    kind: str,
    org: Org,
    on: date,
    actor: Any,
    other: Org | None = None,
    note: str = "",
) -> MembershipEvent:
    return MembershipEvent.objects.create(
        member=member,
        kind=kind,
        org=org,
        on=on,
        other_org=other,
        note=note[:200],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _audit(
    actor: Any, action: str, member: Member, changes: dict[str, Any], note: str = ""
) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type="member",
        object_id=member.pk,
        object_org=member.org,
        object_repr=member.name,
        changes=changes,
        note=note,
    )


# All that a union learns about a person held outside its scope: no union, no state.
OUT_OF_SCOPE = _("此人无法在本单位办理，请其申请会籍接转")


def _active_elsewhere(actor: Any, existing: Member) -> Conflict:
    """The refusal for a person active in another union: named only when the actor can see
    that union; otherwise the out-of-scope answer."""
    if can(actor, "members.view", existing.org):
        return Conflict(
            _("此人已是%(union)s的在会会员，请通过会籍接转转入") % {"union": existing.org.name},
            union=existing.org.code,
        )
    return Conflict(str(OUT_OF_SCOPE))


# --- full-value look-ups (an ID number or mobile typed whole) ------------------------------


class TooManyLookups(ServiceError):
    status = 429
    title = "Too Many Requests"


def _lookup_window() -> timedelta:
    return timedelta(minutes=settings.GONGHUI_LOOKUP_WINDOW_MINUTES)


def lookups_used(actor: Any) -> int:
    """The actor's audited look-ups within the current window."""
    since = timezone.now() - _lookup_window()
    return AuditEntry.objects.filter(action="member.lookup", actor=actor, at__gte=since).count()


def _masked_value(kind: str, key: str) -> str:
    return mask_id_number(key) if kind == "id_number" else mask_phone(key)


def _lookup_audit(actor: Any, kind: str, key: str, found: int, via: str) -> bool:
    """Count one look-up against the actor's budget, in its own transaction (so that it holds
    even when the caller then refuses and rolls back): an audit row ``member.lookup`` with
    the value masked, or, past the budget, ``member.lookup_refused``. False when refused."""
    with transaction.atomic():
        if getattr(actor, "pk", None) is not None:
            # one look-up at a time per user, so that two requests cannot both take the last one
            User.objects.select_for_update().filter(pk=actor.pk).first()
        allowed = lookups_used(actor) < settings.GONGHUI_LOOKUP_LIMIT
        audit.record(
            actor=actor,
            action="member.lookup" if allowed else "member.lookup_refused",
            object_type="member",
            object_id="lookup",
            object_org=getattr(actor, "org", None),
            object_repr=str(_("按完整号码查找")),
            changes={
                kind: {"before": None, "after": _masked_value(kind, key)},
                "found": {"before": None, "after": found if allowed else None},
            },
            note=via,
        )
    return allowed


def _too_many() -> TooManyLookups:
    minutes = settings.GONGHUI_LOOKUP_WINDOW_MINUTES
    return TooManyLookups(
        _("完整号码查找过于频繁：每%(m)s分钟最多%(n)s次，请稍后再试。")
        % {"m": minutes, "n": settings.GONGHUI_LOOKUP_LIMIT}
    )


def member_lookup(*, actor: Any, value: str, status: str | None = None) -> list[Member]:
    """Members matching a whole ID number or mobile, among those the actor may see (at most
    50). A look-up, not a search: it never travels in an address (the API and the page take it
    by POST), each one is an audit row with the value masked, and a user gets
    ``GONGHUI_LOOKUP_LIMIT`` of them per ``GONGHUI_LOOKUP_WINDOW_MINUTES`` (then 429)."""
    kind = full_value_kind(value)
    if not kind:
        raise InvalidInput.one("q", _("请输入完整的18位身份证号或11位手机号"))
    key = normalise(value)
    found = list(member_search(actor, key, status=status, lookup=True)[:50])
    if not _lookup_audit(actor, kind, key, len(found), "lookup"):
        raise _too_many()
    return found


def _person_seen(actor: Any, id_number: str, via: str) -> None:
    """A step that answers differently when a person with this ID number exists (a refusal
    naming the conflict) is a look-up too: audited, and refused past the budget."""
    if not _lookup_audit(actor, "id_number", id_number, 1, via):
        raise _too_many()


# --- members ----------------------------------------------------------------------------


def _take_in(
    *,
    actor: Any,
    org: Org,
    values: dict[str, Any],
    on: date,
    existing: Member | None,
    employer: Enterprise | None = None,
    note: str = "",
) -> Member:
    """Create the person's row, or re-admit a person whose membership ended (one row per
    person). The caller has ruled out a person active anywhere."""
    before = audit.snapshot(existing) if existing is not None else {}
    member = existing or Member()
    for key, value in values.items():
        setattr(member, key, value)
    if employer is not None:
        member.employer = employer
        member.employer_name = member.employer_name or employer.name
    member.org = org
    member.joined_on = on
    member.status = Status.ACTIVE
    member.status_since = on
    member_fill_derived(member)
    member.save()
    _event(member, EventKind.JOIN, org, on, actor, note=note)
    changes = audit.diff(before, audit.snapshot(member))
    _audit(actor, "member.rejoin" if existing else "member.create", member, changes, note)
    return member


def _refuse_active(actor: Any, org: Org, existing: Member) -> Conflict:
    if existing.org_id == org.pk:
        return Conflict(_("此人已是本工会会员"), member=existing.pk)
    return _active_elsewhere(actor, existing)


def member_create(*, actor: Any, org: Org, data: dict[str, Any]) -> Member:
    """Admit a person to ``org``. ``data`` holds raw values keyed by field name (as the form,
    the API and the import give them); ``joined_on`` defaults to today. A person already
    active somewhere is refused (409: naming the union only when the actor can see it); the
    refusal tells that the person exists, so it is counted and audited as a look-up. A former
    member is re-admitted."""
    _require(actor, "members.manage", org)
    _check_union(org)
    values = _person(data, require_joined=True)
    employer = _employer(actor, data.get("employer"))
    seen = _find_person(values["id_number"])
    if seen is not None and seen.status == Status.ACTIVE:
        _person_seen(actor, values["id_number"], "member.create")
        raise _refuse_active(actor, org, seen)
    with transaction.atomic():
        existing = _find_person(values["id_number"], lock=True)
        if existing is not None and existing.status == Status.ACTIVE:  # since the check above
            raise _refuse_active(actor, org, existing)
        joined = values.pop("joined_on")
        return _take_in(
            actor=actor, org=org, values=values, on=joined, existing=existing, employer=employer
        )


def member_update(*, actor: Any, member: Member, data: dict[str, Any]) -> Member:
    """Change a member's record. Only the keys present in ``data`` change; a new ID number
    re-derives sex and birth date and must not belong to another person (a refusal that tells
    the number exists, so it is counted and audited as a look-up first)."""
    _require(actor, "members.manage", member.org)
    if data.get("id_number"):
        check = clean_member({"name": member.name, "id_number": data["id_number"]})
        new = check.values.get("id_number")
        if new and new != member.id_number:
            other = _find_person(new)
            if other is not None and other.pk != member.pk:
                _person_seen(actor, new, "member.update")
                raise InvalidInput.one("id_number", _("该身份证号已属于另一条会员记录"))
    return _member_update(actor=actor, member=member, data=data)


@transaction.atomic
def _member_update(*, actor: Any, member: Member, data: dict[str, Any]) -> Member:
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    raw = {k: v for k, v in data.items() if k in MEMBER_FIELDS}
    raw.setdefault("name", member.name)
    raw.setdefault("id_number", member.id_number)
    result = clean_member(raw, today=timezone.localdate())
    if result.errors:
        raise InvalidInput(result.errors)
    values = result.values
    changed_keys = [k for k in values if k in raw or k in ("sex", "birth_date")]
    if "id_number" in data and values["id_number"] != member.id_number:
        other = _find_person(values["id_number"])
        if other is not None and other.pk != member.pk:
            raise InvalidInput.one("id_number", _("该身份证号已属于另一条会员记录"))
    # The status date follows the join date while nothing happened since joining; after a
    # later change (a transfer, a suspension) the join date may not move past it.
    follows = member.status_since == member.joined_on
    if "joined_on" in values and not follows and values["joined_on"] > member.status_since:
        raise InvalidInput.one("joined_on", _("入会日期不能晚于最近一次会籍变动日期"))
    tracked = [*changed_keys, *(["status_since"] if "joined_on" in values else [])]
    if "employer" in data:
        member.employer = _employer(actor, data.get("employer"))
        if member.employer is not None and "employer_name" not in data:
            values["employer_name"] = member.employer.name
            tracked.append("employer_name")
        tracked.append("employer")
    before = audit.snapshot(member, tracked)
    for key in changed_keys:
        setattr(member, key, values[key])
    if "employer_name" in tracked:
        member.employer_name = values["employer_name"]
    if "joined_on" in values and follows:
        member.status_since = values["joined_on"]
    changes = audit.diff(before, audit.snapshot(member, tracked))
    if not changes:
        return member
    member_fill_derived(member)
    fields = [*changes, "name_pinyin", "name_initials", "id_tail", "phone_tail", "updated_at"]
    if "id_number" in changes:
        fields.append("id_number_bidx")
    if "phone" in changes:
        fields.append("phone_bidx")
    member.save(update_fields=fields)
    labels = "、".join(str(FIELD_LABELS.get(k, k)) for k in changes)
    _event(member, EventKind.UPDATE, member.org, timezone.localdate(), actor, note=labels)
    _audit(actor, "member.update", member, changes)
    return member


def _move(
    *, actor: Any, member: Member, to_org: Org, on: date, note: str
) -> dict[str, dict[str, Any]]:
    """Move a locked, active member to ``to_org``: events in both unions, the portal login
    follows. Returns the audit diff."""
    source = member.org
    before = audit.snapshot(member, ["org", "status_since"])
    member.org = to_org
    member.status_since = on
    member.save(update_fields=["org", "status_since", "updated_at"])
    _event(member, EventKind.TRANSFER_OUT, source, on, actor, other=to_org, note=note)
    _event(member, EventKind.TRANSFER_IN, to_org, on, actor, other=source, note=note)
    if member.user_id is not None:
        User.objects.filter(pk=member.user_id).update(org=to_org)
    return audit.diff(before, audit.snapshot(member, ["org", "status_since"]))


def _transferable(member: Member, to_org: Org) -> None:
    if member.status != Status.ACTIVE:
        raise Conflict(
            _("会籍状态为“%(s)s”，不能接转；请办理入会") % {"s": member.get_status_display()}
        )
    if member.org_id == to_org.pk:
        raise Conflict(_("该会员已在本工会"))


@transaction.atomic
def member_transfer(
    *, actor: Any, member: Member, to_org: Org, on: date | None = None, note: str = ""
) -> Member:
    """会籍接转 in one step, within the actor's own scope: the actor manages both the union
    the member leaves and ``to_org``. A member outside that scope is refused with no more than
    ``OUT_OF_SCOPE``: the receiving union applies instead (``transfer_apply``)."""
    _require(actor, "members.manage", to_org)
    _check_union(to_org, "to_org")
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    if not can(actor, "members.manage", member.org):
        raise Conflict(str(OUT_OF_SCOPE))
    _transferable(member, to_org)
    on = on or timezone.localdate()
    _check_day(on, "on", not_before=member.status_since)
    changes = _move(actor=actor, member=member, to_org=to_org, on=on, note=note)
    _audit(actor, "member.transfer", member, changes, note)
    return member


# --- 会籍接转 across scopes: a request the releasing side answers ------------------------------

_NOT_FOUND_FOR_TRANSFER = _("未找到姓名与身份证号相符的在会会员；如是新会员，请登记入会")


def _person_for_transfer(actor: Any, id_number: str, name: str, via: str) -> Member | None:
    """The active member with this ID number *and* name (both as the person gives them), or
    None. The look-up is audited and counted; a wrong name answers as an unknown number. The
    audit row's ``found`` counts only a person the actor may see: the actor reads their own
    audit rows, and a look-up must not tell them who is a member elsewhere."""
    result = clean_member({"name": name or "-", "id_number": id_number})
    key = result.values.get("id_number")
    if not key:
        raise InvalidInput.one("id_number", _("身份证号无效"))
    person = _find_person(key)
    found = person is not None and person.status == Status.ACTIVE
    if found and person is not None:
        found = result.values.get("name") == person.name
    seen = found and person is not None and can(actor, "members.view", person.org)
    if not _lookup_audit(actor, "id_number", key, int(seen), via):
        raise _too_many()
    return person if found else None


def member_transfer_in(
    *,
    actor: Any,
    id_number: str,
    name: str,
    to_org: Org,
    on: date | None = None,
    note: str = "",
) -> Member:
    """The receiving union takes in, in one step, a member it finds by ID number and name —
    only when the member's union is within its own scope. Anyone else — a member of a union
    outside it, and a person who is no member at all — answers the same ``OUT_OF_SCOPE`` (409):
    the attempt must not tell the receiving side whether the person is a member elsewhere
    (issue 10). The user then applies (``transfer_apply``) or registers a new member."""
    _require(actor, "members.manage", to_org)
    person = _person_for_transfer(actor, id_number, name, "member.transfer_in")
    if person is None:
        raise Conflict(str(OUT_OF_SCOPE))
    return member_transfer(actor=actor, member=person, to_org=to_org, on=on, note=note)


def _request_audit(actor: Any, request: TransferRequest, step: str, before: str, note: str) -> None:
    """One row under each union party to the request: both sides' audits show it. The
    receiving side's row holds what that side gave and sees — the name as it was typed, no
    member — so a request naming a member elsewhere reads like one naming nobody."""
    for releasing, org in ((True, request.from_org), (False, request.to_org)):
        # a request naming nobody has no releasing side: its row is under no union (the
        # audit administrator reads it), so each step writes the same rows either way
        changes: dict[str, Any] = {"status": {"before": before or None, "after": request.status}}
        if releasing:
            changes["member"] = {"before": None, "after": request.member_id}
        audit.record(
            actor=actor,
            action=f"transfer.{step}",
            object_type="transfer_request",
            object_id=request.pk,
            object_org=org,
            object_repr=(
                request.member.name
                if request.member and (releasing or not request.name)
                else request.name
            ),
            changes=changes,
            note=note,
        )


def transfer_apply(
    *, actor: Any, id_number: str, name: str, to_org: Org, note: str = ""
) -> TransferRequest:
    """The receiving union applies to take in a member held outside its scope, found by ID
    number and name (an audited look-up). The releasing union approves or refuses, the
    member confirms from the portal, or it completes by itself after
    ``GONGHUI_TRANSFER_WORKDAYS`` working days without objection. A member within the
    actor's scope is moved at once (the request is recorded as released).

    Nobody to release — no active member with that number and name, or one that another
    union's request already waits for — files a request all the same, that nobody can
    approve and that lapses as void on the same day: the same answer (201, pending), the
    same work and the same audit row for the receiving side as a real request (issue 10)."""
    _require(actor, "members.manage", to_org)
    _check_union(to_org, "to_org")
    given = clean_member({"name": name or "", "id_number": id_number})
    if not given.values.get("id_number"):
        raise InvalidInput.one("id_number", _("身份证号无效"))
    if not given.values.get("name"):
        raise InvalidInput.one("name", _("姓名无效"))
    person = _person_for_transfer(actor, id_number, name, "transfer.apply")
    number, typed = given.values["id_number"], given.values["name"]
    with transaction.atomic():
        # the same statements whether or not anyone was found (pk 0 is nobody): the time an
        # application takes tells nothing either
        member = (
            Member.objects.select_for_update()
            .select_related("org")
            .filter(pk=person.pk if person is not None else 0)
            .first()
        )
        if member is not None and member.org_id == to_org.pk:
            raise Conflict(_("该会员已在本工会"))
        bidx = blind_index_for("citizen_id", number)
        if TransferRequest.objects.filter(
            to_org=to_org, id_number_bidx=bidx, status=TransferStatus.PENDING
        ).exists():
            # this union's own earlier application: the same answer, found or not
            raise Conflict(_("已有一件会籍接转申请在办理中"))
        waiting = (
            TransferRequest.objects.filter(
                member_id=member.pk if member is not None else 0, status=TransferStatus.PENDING
            )
            .values_list("to_org_id", flat=True)
            .first()
        )
        if waiting == to_org.pk:
            raise Conflict(_("已有一件会籍接转申请在办理中"))
        if waiting is not None:
            member = None  # another union's request waits: this one can only lapse
        today = timezone.localdate()
        request = TransferRequest.objects.create(
            member=member,
            from_org=member.org if member is not None else None,
            to_org=to_org,
            name=typed,
            id_number=number,
            on=today,
            due_on=workdays.add_workdays(today, settings.GONGHUI_TRANSFER_WORKDAYS),
            note=(note or "").strip()[:200],
            requested_by=actor,
        )
        _request_audit(actor, request, "apply", "", request.note)
        if member is not None and can(actor, "members.manage", member.org):
            _complete(actor, request, member, TransferWay.RELEASED, "approve")
    return request


def _releasing(request: TransferRequest) -> Org:
    if request.from_org is None:
        raise NotFound()  # a request naming nobody has no releasing side
    return request.from_org


def _locked(request: TransferRequest) -> tuple[TransferRequest, Member]:
    request = (
        TransferRequest.objects.select_for_update(of=("self",))
        .select_related("from_org", "to_org", "member")
        .get(pk=request.pk)
    )
    if request.member_id is None:
        raise NotFound()  # a request naming nobody: no one decides it, it lapses
    member = Member.objects.select_for_update().select_related("org").get(pk=request.member_id)
    request.member = member
    return request, member


def _decide_request(actor: Any, request: TransferRequest, status: str, **fields: Any) -> None:
    request.status = status
    request.decided_at = timezone.now()
    request.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    for key, value in fields.items():
        setattr(request, key, value)
    request.save(update_fields=["status", "decided_at", "decided_by", *fields, "updated_at"])


def _complete(
    actor: Any, request: TransferRequest, member: Member, way: str, step: str
) -> TransferRequest:
    """Move the member (both unions' events and audits), or void the request when the member
    has meanwhile left the releasing union or its membership ended."""
    before = request.status
    if member.status != Status.ACTIVE or member.org_id != request.from_org_id:
        TRANSFER_WORKFLOW.check(before, "void")
        _decide_request(actor, request, TransferStatus.VOID)
        _request_audit(actor, request, "void", before, "")
        return request
    TRANSFER_WORKFLOW.check(before, step)
    on = max(timezone.localdate(), member.status_since)
    note = str(_("会籍接转申请（%(way)s）") % {"way": TransferWay(way).label})
    changes = _move(actor=actor, member=member, to_org=request.to_org, on=on, note=note)
    _decide_request(actor, request, TransferStatus.DONE, way=way)
    for org in (request.from_org, request.to_org):
        audit.record(
            actor=actor,
            action="member.transfer",
            object_type="member",
            object_id=member.pk,
            object_org=org,
            object_repr=member.name,
            changes={**changes, "request": {"before": None, "after": request.pk}},
            note=note,
        )
    _request_audit(actor, request, step, before, "")
    return request


@transaction.atomic
def transfer_approve(*, actor: Any, request: TransferRequest) -> TransferRequest:
    """The releasing union agrees: the member moves now."""
    request, member = _locked(request)
    _require(actor, "members.manage", _releasing(request))
    TRANSFER_WORKFLOW.check(request.status, "approve")
    return _complete(actor, request, member, TransferWay.RELEASED, "approve")


@transaction.atomic
def transfer_refuse(*, actor: Any, request: TransferRequest, reason: str) -> TransferRequest:
    """The releasing union objects, with a reason the receiving union reads."""
    reason = (reason or "").strip()
    request, _member = _locked(request)
    _require(actor, "members.manage", _releasing(request))
    TRANSFER_WORKFLOW.check(request.status, "refuse")
    if not reason:
        raise InvalidInput.one("reason", _("请填写不同意的理由"))
    before = request.status
    _decide_request(actor, request, TransferStatus.REFUSED, reason=reason[:200])
    _request_audit(actor, request, "refuse", before, reason[:200])
    return request


@transaction.atomic
def transfer_cancel(*, actor: Any, request: TransferRequest) -> TransferRequest:
    """The receiving union withdraws its request while it waits (one naming nobody too)."""
    request = (
        TransferRequest.objects.select_for_update(of=("self",))
        .select_related("from_org", "to_org", "member")
        .get(pk=request.pk)
    )
    _require(actor, "members.manage", request.to_org)
    TRANSFER_WORKFLOW.check(request.status, "cancel")
    before = request.status
    _decide_request(actor, request, TransferStatus.CANCELLED)
    _request_audit(actor, request, "cancel", before, "")
    return request


@transaction.atomic
def transfer_confirm(*, actor: Any, request: TransferRequest) -> TransferRequest:
    """The member confirms the move from the portal."""
    request, member = _locked(request)
    if getattr(actor, "pk", None) is None or member.user_id != actor.pk:
        raise NotFound()
    TRANSFER_WORKFLOW.check(request.status, "confirm", Role.MEMBER)
    return _complete(actor, request, member, TransferWay.CONFIRMED, "confirm")


def transfer_requests_lapse(today: date | None = None) -> int:
    """Complete every pending request whose working days passed without objection (the daily
    task). Each request in its own transaction, re-read under lock: safe to run twice and
    beside a union deciding at the same moment. Returns how many were settled."""
    today = today or timezone.localdate()
    due = list(
        TransferRequest.objects.filter(status=TransferStatus.PENDING, due_on__lte=today)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    settled = 0
    for pk in due:
        with transaction.atomic():
            request = TransferRequest.objects.select_for_update().filter(pk=pk).first()
            if request is None or request.status != TransferStatus.PENDING:
                continue
            if request.member_id is None:
                # naming nobody: it lapses as void, on the day a real one would complete
                _decide_request("system", request, TransferStatus.VOID)
                _request_audit("system", request, "void", TransferStatus.PENDING, "")
            else:
                request, member = _locked(request)
                _complete("system", request, member, TransferWay.LAPSED, "lapse")
            settled += 1
    return settled


@transaction.atomic
def member_set_status(
    *, actor: Any, member: Member, status: str, on: date | None = None, note: str = ""
) -> Member:
    """Withdraw (退会), suspend (停会), record a move out of the platform (转出) or reinstate
    (恢复会籍), by the member's own union or above. Illegal steps answer 409 naming the
    allowed ones (``STATUS_WORKFLOW``)."""
    _require(actor, "members.manage", member.org)
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    if status not in Status.values:
        raise InvalidInput.one("status", _("未知的会籍状态：%(s)s") % {"s": status})
    step = STATUS_STEP.get(status, "reinstate")
    STATUS_WORKFLOW.check(member.status, step)
    on = on or timezone.localdate()
    _check_day(on, "on", not_before=member.status_since)
    before = audit.snapshot(member, ["status", "status_since"])
    member.status = status
    member.status_since = on
    member.save(update_fields=["status", "status_since", "updated_at"])
    _event(member, step, member.org, on, actor, note=note)
    changes = audit.diff(before, audit.snapshot(member, ["status", "status_since"]))
    _audit(actor, f"member.{step}", member, changes, note)
    return member


@transaction.atomic
def member_reveal(*, actor: Any, member: Member, reason: str = "") -> dict[str, str]:
    """The full ID number and phone, for a user holding ``pii.reveal`` over the member's
    union. The audit row ``member.reveal`` names the fields, never their values."""
    if not can(actor, "members.view", member.org) and not (
        getattr(actor, "pk", None) is not None and member.user_id == actor.pk
    ):
        raise NotFound()
    if not can(actor, "pii.reveal", member.org):
        raise Forbidden(_("当前角色无权查看完整身份证号和手机号"))
    _audit(
        actor,
        "member.reveal",
        member,
        {"revealed": {"before": None, "after": ["id_number", "phone"]}},
        note=reason.strip()[:500],
    )
    return {"id_number": member.id_number, "phone": member.phone}


# --- the QR join flow -------------------------------------------------------------------


@transaction.atomic
def join_apply(*, org: Org, data: dict[str, Any]) -> JoinApplication:
    """A worker's application from the union's QR code (no login). The phone is required
    so that the union can reach the applicant; the join date is the approval date.

    The stranger filling in the form learns nothing about anyone's membership: a person
    already a member (here or elsewhere) or already waiting gets the same answer as anyone
    else. The union's queue shows the clerk who it is, and approval handles it (a member of
    another union becomes a transfer request). A second application for the same person
    while one waits is not stored again."""
    if org.kind not in MEMBER_ORG_KINDS or not org.active:
        raise NotFound()
    raw = {k: v for k, v in data.items() if k in MEMBER_FIELDS and k != "joined_on"}
    if not str(raw.get("phone") or "").strip():
        raise InvalidInput.one("phone", _("手机号不能为空"))
    result = clean_member(raw, today=timezone.localdate())
    if result.errors:
        raise InvalidInput(result.errors)
    values = result.values
    bidx = blind_index_for("citizen_id", values["id_number"])
    waiting = JoinApplication.objects.filter(
        org=org, id_number_bidx=bidx, status=JoinStatus.PENDING
    ).first()
    if waiting is not None:
        return waiting
    application = JoinApplication.objects.create(
        org=org,
        name=values.pop("name"),
        sex=values.pop("sex"),
        birth_date=values.pop("birth_date"),
        id_number=values.pop("id_number"),
        phone=values.pop("phone", ""),
        details={k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()},
    )
    audit.record(
        actor="public",
        action="join.apply",
        object_type="join_application",
        object_id=application.pk,
        object_org=org,
        object_repr=application.name,
        changes=audit.diff({}, audit.snapshot(application, ["org", "name", "id_number", "phone"])),
    )
    return application


def join_application_standing(actor: Any, application: JoinApplication) -> str:
    """What the clerk should know before deciding: ``""`` (nobody on record), ``"here"``
    (already a member of this union), ``"elsewhere"`` (active in another union: approval is a
    transfer — one step in the clerk's scope, else a request), ``"former"`` (re-admission)."""
    person = _find_person(application.id_number)
    if person is None:
        return ""
    if person.status != Status.ACTIVE:
        return "former"
    return "here" if person.org_id == application.org_id else "elsewhere"


def _pending(actor: Any, application: JoinApplication) -> JoinApplication:
    _require(actor, "members.manage", application.org)
    application = (
        JoinApplication.objects.select_for_update().select_related("org").get(pk=application.pk)
    )
    if application.status != JoinStatus.PENDING:
        raise Conflict(_("申请已处理：%(s)s") % {"s": application.get_status_display()})
    return application


def _decide(actor: Any, application: JoinApplication, status: str, **fields: Any) -> None:
    application.status = status
    application.decided_at = timezone.now()
    application.decided_by = actor
    for key, value in fields.items():
        setattr(application, key, value)
    application.save(update_fields=["status", "decided_at", "decided_by", *fields, "updated_at"])


@transaction.atomic
def join_approve(*, actor: Any, application: JoinApplication, on: date | None = None) -> Member:
    """Approve an application: the person becomes a member of the union from ``on`` (default
    today). A person active in another union is taken in by transfer: in one step when that
    union lies in the clerk's scope; otherwise the approval files a transfer request (the
    releasing union or the member must agree, or nobody object in time) and the member stays
    where they are until then. Someone already active here cannot be approved twice."""
    application = _pending(actor, application)
    on = on or timezone.localdate()
    _check_day(on, "on")
    org = application.org
    _check_union(org)
    existing = _find_person(application.id_number, lock=True)
    if existing is not None and existing.status == Status.ACTIVE:
        if existing.org_id == org.pk:
            raise Conflict(_("此人已是本工会会员"), member=existing.pk)
        if can(actor, "members.manage", existing.org):
            member = member_transfer(
                actor=actor,
                member=existing,
                to_org=org,
                on=max(on, existing.status_since),
                note=_("入会申请转入"),
            )
        else:
            transfer_apply(
                actor=actor,
                id_number=application.id_number,
                name=existing.name,
                to_org=org,
                note=str(_("扫码入会申请")),
            )
            # the application is settled; the member arrives when the request completes
            _decide(actor, application, JoinStatus.APPROVED)
            _join_decided_audit(actor, application)
            return existing
    else:
        values: dict[str, Any] = {
            "name": application.name,
            "sex": application.sex,
            "birth_date": application.birth_date,
            "id_number": application.id_number,
            "phone": application.phone,
        }
        details = dict(application.details)
        if details.get("birth_date"):
            details.pop("birth_date")
        values.update({k: v for k, v in details.items() if k in MEMBER_FIELDS})
        member = _take_in(
            actor=actor,
            org=org,
            values=values,
            on=on,
            existing=existing,
            note=_("扫码入会申请"),
        )
    _decide(actor, application, JoinStatus.APPROVED, member=member)
    _join_decided_audit(actor, application)
    return member


def _join_decided_audit(actor: Any, application: JoinApplication) -> None:
    audit.record(
        actor=actor,
        action="join.approve",
        object_type="join_application",
        object_id=application.pk,
        object_org=application.org,
        object_repr=application.name,
        changes={"status": {"before": JoinStatus.PENDING, "after": JoinStatus.APPROVED}},
    )


@transaction.atomic
def join_reject(*, actor: Any, application: JoinApplication, reason: str) -> JoinApplication:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.one("reason", _("请填写驳回理由"))
    application = _pending(actor, application)
    _decide(actor, application, JoinStatus.REJECTED, reason=reason[:200])
    audit.record(
        actor=actor,
        action="join.reject",
        object_type="join_application",
        object_id=application.pk,
        object_org=application.org,
        object_repr=application.name,
        changes={"status": {"before": JoinStatus.PENDING, "after": JoinStatus.REJECTED}},
        note=reason,
    )
    return application


# --- the member's own login and the 会员之家 ---------------------------------------------


@transaction.atomic
def member_portal_account(
    *, actor: Any, member: Member, username: str = "", password: str | None = None
) -> tuple[User, str]:
    """Give an active member a portal login (role ``member``, home org the member's union).
    Returns the user and the password (generated when not given, shown once). The username
    defaults to ``m<member id>`` — never the phone or ID number, which would leak into logs."""
    _require(actor, "members.manage", member.org)
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    if member.status != Status.ACTIVE:
        raise Conflict(_("只有在会会员可以开通会员账号"))
    if member.user_id is not None:
        raise Conflict(_("该会员已开通账号"))
    username = (username or "").strip() or f"m{member.pk}"
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput.one("username", _("用户名已存在：%(u)s") % {"u": username})
    user = User(username=username, role=Role.MEMBER, org=member.org, full_name=member.name)
    if password is None:
        password = secrets.token_urlsafe(9) + "7a"
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput([{"field": "password", "message": m} for m in exc.messages]) from exc
    user.set_password(password)
    user.save()
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    _audit(actor, "member.portal_account", member, {"user": {"before": None, "after": username}})
    return user, password


@transaction.atomic
def member_home_set(
    *, actor: Any, org: Org, active: bool = True, threshold: int = 10
) -> MemberHome:
    """Mark a township, street or park union as running a 会员之家 (or stop it), with the
    number of members from one employer at which the employer is flagged."""
    if not can(actor, "orgs.view", org):
        raise NotFound()
    if not can(actor, "orgs.manage", org):
        raise Forbidden(_("当前角色无权执行此操作"))
    if org.kind not in (OrgKind.TOWNSHIP, OrgKind.PARK):
        raise InvalidInput.one("org", _("会员之家设在乡镇、街道或园区工会"))
    if not 2 <= threshold <= 1000:
        raise InvalidInput.one("threshold", _("提示人数应在2至1000之间"))
    home = MemberHome.objects.select_for_update().filter(org=org).first()
    before = audit.snapshot(home, ["active", "threshold"]) if home else {}
    if home is None:
        home = MemberHome(org=org)
    home.active = active
    home.threshold = threshold
    home.save()
    audit.record(
        actor=actor,
        action="member_home.set",
        object_type="org",
        object_id=org.code,
        object_org=org,
        object_repr=org.name,
        changes=audit.diff(before, audit.snapshot(home, ["active", "threshold"])),
    )
    return home
