"""Every write of governance: one transaction, one audit row (``governance.*``), errors that
name the field. A record outside the actor's subtree answers as missing (``NotFound``); in
scope without the right, 403.

The secret ballot: ``codes_issue`` hands each attendee one code (recording *who* received one
in ``CodeIssued`` and, apart, only the code's hash in ``VoteCode``), ``ballot_cast`` takes a
code and the choices and writes a ``Ballot`` that names neither; its audit row names no one.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from gonghui.core.roles import can

from . import counting
from .models import (
    AgendaItem,
    Ballot,
    Candidate,
    ChangeKind,
    CodeIssued,
    Committee,
    CommitteeKind,
    Election,
    ElectionMethod,
    ElectionStatus,
    ItemKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MotionMajority,
    Position,
    RollEntry,
    Round,
    RoundCount,
    RoundStatus,
    Seat,
    SeatChange,
    VoteCode,
)
from .workflow import ELECTION, MEETING

NAME_MAX = 50


def _require(actor: Any, org: Any, perm: str = "governance.manage") -> None:
    if actor is None:  # the demo loader and management commands act as the system
        return
    if not can(actor, "governance.view", org) and not can(actor, perm, org):
        raise NotFound()
    if not can(actor, perm, org):
        raise Forbidden(_("当前角色无权执行此操作"))


def _role(actor: Any) -> str | None:
    return getattr(actor, "role", None)


def _name(value: str, field: str) -> str:
    name = (value or "").strip()
    if not name:
        raise InvalidInput.one(field, _("请填写姓名"))
    if len(name) > NAME_MAX:
        raise InvalidInput.one(field, _("姓名不能超过 %(n)d 个字") % {"n": NAME_MAX})
    return name


def _names(values: Iterable[str], field: str) -> list[str]:
    out: list[str] = []
    for v in values:
        name = _name(v, field)
        if name not in out:
            out.append(name)
    return out


def _audit(
    actor: Any, action: str, obj: Any, changes: dict[str, Any] | None = None, note: str = ""
) -> None:
    audit.record(
        actor=actor,
        action=f"governance.{action}",
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        object_org=obj.org,
        object_repr=str(obj)[:200],
        changes=changes or {},
        note=note,
    )


def _member(actor: Any, member_id: int | None, field: str) -> Any:
    if not member_id:
        return None
    from gonghui.members.models import Member

    qs = Member.objects.all() if actor is None else Member.objects.visible_to(actor)
    member = qs.filter(pk=member_id).first()
    if member is None:
        raise InvalidInput.one(field, _("未找到该会员"))
    return member


# --- committees and seats ----------------------------------------------------------------------


def committee_create(
    *,
    actor: Any,
    org: Any,
    kind: str,
    term_number: int,
    term_start: date,
    term_end: date,
    seats: int,
    name: str = "",
) -> Committee:
    _require(actor, org)
    if kind not in CommitteeKind.values:
        raise InvalidInput.one("kind", _("委员会类别不正确"))
    if term_number < 1:
        raise InvalidInput.one("term_number", _("届次至少为 1"))
    if term_end <= term_start:
        raise InvalidInput.one("term_end", _("任期届满日期应晚于任期开始日期"))
    if seats < 1:
        raise InvalidInput.one("seats", _("职数至少为 1"))
    if Committee.objects.filter(org=org, kind=kind, term_number=term_number).exists():
        raise Conflict(_("该工会本届的这一委员会已经存在"))
    if not name:
        name = _("%(org)s第%(n)s届%(kind)s") % {
            "org": org.name,
            "n": chinese_number(term_number),
            "kind": CommitteeKind(kind).label,
        }
    with transaction.atomic():
        committee = Committee.objects.create(
            org=org,
            kind=kind,
            term_number=term_number,
            name=name[:100],
            term_start=term_start,
            term_end=term_end,
            seats=seats,
        )
        _audit(actor, "committee_create", committee, audit.diff({}, audit.snapshot(committee)))
    return committee


def chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def seat_add(
    *,
    actor: Any,
    committee: Committee,
    person_name: str,
    position: str = Position.MEMBER,
    since: date,
    kind: str = ChangeKind.ELECTED,
    meeting: Meeting | None = None,
    member_id: int | None = None,
    note: str = "",
) -> Seat:
    _require(actor, committee.org)
    name = _name(person_name, "person_name")
    if position not in Position.values:
        raise InvalidInput.one("position", _("职务不正确"))
    if kind not in (ChangeKind.ELECTED, ChangeKind.BY_ELECTED):
        raise InvalidInput.one("kind", _("新任职只能是选举产生或增补"))
    member = _member(actor, member_id, "member")
    with transaction.atomic():
        taken = Seat.objects.select_for_update().filter(committee=committee, until__isnull=True)
        if taken.count() >= committee.seats:
            raise Conflict(
                _("%(c)s职数 %(n)d 已满，请先免去或辞去后再增补")
                % {"c": committee.name, "n": committee.seats}
            )
        if taken.filter(person_name=name, position=position).exists():
            raise Conflict(_("%(name)s已在该委员会任此职务") % {"name": name})
        seat = Seat.objects.create(
            org=committee.org,
            committee=committee,
            person_name=name,
            member=member,
            position=position,
            since=since,
        )
        SeatChange.objects.create(
            org=committee.org,
            committee=committee,
            seat=seat,
            kind=kind,
            position=position,
            on=since,
            meeting=meeting,
            note=note[:200],
        )
        _audit(
            actor,
            f"seat_{kind}",
            seat,
            audit.diff({}, audit.snapshot(seat, ["person_name", "position", "since"])),
            note=meeting.title if meeting else "",
        )
    return seat


def seat_end(
    *,
    actor: Any,
    seat: Seat,
    kind: str,
    on: date,
    meeting: Meeting | None = None,
    note: str = "",
) -> Seat:
    _require(actor, seat.org)
    if kind not in (ChangeKind.RELEASED, ChangeKind.RESIGNED):
        raise InvalidInput.one("kind", _("离任只能是免去或辞去"))
    with transaction.atomic():
        seat = Seat.objects.select_for_update().get(pk=seat.pk)
        if seat.until is not None:
            raise Conflict(
                _("%(name)s已于 %(d)s 离任") % {"name": seat.person_name, "d": seat.until}
            )
        if on < seat.since:
            raise InvalidInput.one("on", _("离任日期不能早于任职日期"))
        seat.until = on
        seat.save(update_fields=["until", "updated_at"])
        SeatChange.objects.create(
            org=seat.org,
            committee=seat.committee,
            seat=seat,
            kind=kind,
            position=seat.position,
            on=on,
            meeting=meeting,
            note=note[:200],
        )
        _audit(
            actor,
            f"seat_{kind}",
            seat,
            {"until": {"before": None, "after": on.isoformat()}},
            note=meeting.title if meeting else note,
        )
    return seat


# --- meetings -------------------------------------------------------------------------------------


def _meeting_number(org: Any, held_on: date) -> str:
    prefix = f"HY{held_on.year}-{org.code}-"
    n = Meeting.objects.filter(number__startswith=prefix).count() + 1
    while Meeting.objects.filter(number=f"{prefix}{n:03d}").exists():
        n += 1
    return f"{prefix}{n:03d}"


RULE_FIELDS = (
    "quorum_num",
    "quorum_den",
    "majority_num",
    "majority_den",
    "majority_base",
    "min_extra_percent",
)


def _check_rules(rules: dict[str, Any]) -> None:
    for num, den in (("quorum_num", "quorum_den"), ("majority_num", "majority_den")):
        n, d = rules.get(num, 1), rules.get(den, 2)
        if not (isinstance(d, int) and d >= 1 and isinstance(n, int) and 1 <= n < d):
            raise InvalidInput.one(num, _("比例应为小于 1 的正分数"))
    base = rules.get("majority_base", counting.ENTITLED)
    if base not in (counting.ENTITLED, counting.PRESENT, counting.VOTED):
        raise InvalidInput.one("majority_base", _("过半数的基数不正确"))
    extra = rules.get("min_extra_percent", 5)
    if not (isinstance(extra, int) and 0 <= extra <= 100):
        raise InvalidInput.one("min_extra_percent", _("差额比例应在 0 至 100 之间"))


def meeting_create(
    *,
    actor: Any,
    org: Any,
    kind: str,
    title: str,
    held_on: date,
    committee: Committee | None = None,
    place: str = "",
    presided_by: str = "",
    tellers: Sequence[str] = (),
    scrutineers: Sequence[str] = (),
    rules: dict[str, Any] | None = None,
) -> Meeting:
    _require(actor, org)
    if kind not in MeetingKind.values:
        raise InvalidInput.one("kind", _("会议类别不正确"))
    title = (title or "").strip()
    if not title:
        raise InvalidInput.one("title", _("请填写会议名称"))
    if committee is not None and committee.org_id != org.pk:
        raise InvalidInput.one("committee", _("委员会不属于该工会"))
    rules = {k: v for k, v in (rules or {}).items() if k in RULE_FIELDS and v is not None}
    _check_rules(rules)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            org=org,
            committee=committee,
            kind=kind,
            number=_meeting_number(org, held_on),
            title=title[:150],
            held_on=held_on,
            place=place[:150],
            presided_by=presided_by[:50],
            tellers=_names(tellers, "tellers"),
            scrutineers=_names(scrutineers, "scrutineers"),
            checkin_token=secrets.token_urlsafe(24),
            **rules,
        )
        _audit(
            actor,
            "meeting_create",
            meeting,
            audit.diff({}, audit.snapshot(meeting, ["title", "kind", "held_on", "place"])),
        )
    return meeting


def meeting_set_officers(
    *, actor: Any, meeting: Meeting, tellers: Sequence[str], scrutineers: Sequence[str]
) -> Meeting:
    """Tellers (计票人) and scrutineers (监票人): nobody may be both, nor a candidate."""
    _require(actor, meeting.org)
    tellers_, scrutineers_ = _names(tellers, "tellers"), _names(scrutineers, "scrutineers")
    both = set(tellers_) & set(scrutineers_)
    if both:
        raise InvalidInput.one(
            "scrutineers", _("%(n)s不能同时担任计票人和监票人") % {"n": "、".join(sorted(both))}
        )
    standing = set(
        Candidate.objects.filter(election__meeting=meeting).values_list("name", flat=True)
    ) & (set(tellers_) | set(scrutineers_))
    if standing:
        raise InvalidInput.one(
            "tellers", _("候选人不能担任计票人或监票人：%(n)s") % {"n": "、".join(sorted(standing))}
        )
    with transaction.atomic():
        before = {"tellers": meeting.tellers, "scrutineers": meeting.scrutineers}
        meeting.tellers, meeting.scrutineers = tellers_, scrutineers_
        meeting.save(update_fields=["tellers", "scrutineers", "updated_at"])
        _audit(
            actor,
            "officers",
            meeting,
            audit.diff(before, {"tellers": tellers_, "scrutineers": scrutineers_}),
        )
    return meeting


def meeting_set_rules(*, actor: Any, meeting: Meeting, rules: dict[str, Any]) -> Meeting:
    """The meeting's own counting rules (quorum, majority and its base, the 差额 share): the
    statutory defaults unless this union's rules differ. Fixed once the first round opens."""
    _require(actor, meeting.org)
    unknown = sorted(set(rules) - set(RULE_FIELDS))
    if unknown:
        raise InvalidInput.one(unknown[0][:40], _("不是计票规则的项目"))
    merged = {f: getattr(meeting, f) for f in RULE_FIELDS}
    merged.update({k: v for k, v in rules.items() if v is not None})
    _check_rules(merged)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status not in (MeetingStatus.PREPARING, MeetingStatus.IN_SESSION):
            raise Conflict(_("会议已闭会，计票规则不能再改"))
        if Round.objects.filter(election__meeting=locked).exists():
            raise Conflict(_("已经开始投票，计票规则不能再改"))
        before = {f: getattr(locked, f) for f in RULE_FIELDS}
        changed = [f for f in RULE_FIELDS if before[f] != merged[f]]
        if not changed:
            return locked
        for f in changed:
            setattr(locked, f, merged[f])
        locked.save(update_fields=[*changed, "updated_at"])
        _audit(
            actor,
            "rules",
            locked,
            {f: {"before": before[f], "after": merged[f]} for f in changed},
        )
    return locked


def rules_in_words(rules: counting.Rules) -> list[str]:
    """A meeting's counting rules as the page and the minutes say them."""
    base = {
        counting.ENTITLED: _("应到人数"),
        counting.PRESENT: _("实到人数"),
        counting.VOTED: _("有效票数"),
    }[rules.majority_base]
    return [
        _("选举时到会人数须超过应到人数的 %(n)d/%(d)d。")
        % {"n": rules.quorum_num, "d": rules.quorum_den},
        _("候选人须获得超过%(base)s %(n)d/%(d)d 的赞成票始得当选。")
        % {"base": base, "n": rules.majority_num, "d": rules.majority_den},
        _("差额选举的候选人数至少多于应选名额 %(p)d%%。") % {"p": rules.min_extra_percent},
    ]


def _step(meeting: Meeting, actor: Any, name: str) -> None:
    MEETING.check(meeting.status, name, _role(actor))


def agenda_add(
    *,
    actor: Any,
    meeting: Meeting,
    kind: str,
    title: str,
    majority: str = MotionMajority.HALF_ENTITLED,
    releases: Sequence[Seat] = (),
) -> AgendaItem:
    _require(actor, meeting.org)
    if meeting.status not in (MeetingStatus.PREPARING, MeetingStatus.IN_SESSION):
        raise Conflict(_("会议已闭会，不能再增加议程"))
    if kind not in ItemKind.values:
        raise InvalidInput.one("kind", _("议程类别不正确"))
    if majority not in MotionMajority.values:
        raise InvalidInput.one("majority", _("表决规则不正确"))
    title = (title or "").strip()
    if not title:
        raise InvalidInput.one("title", _("请填写议程"))
    for seat in releases:
        if seat.org_id != meeting.org_id or seat.until is not None:
            raise InvalidInput.one("releases", _("只能免去本工会的现任委员"))
    with transaction.atomic():
        order = meeting.agenda.count() + 1
        item = AgendaItem.objects.create(
            org=meeting.org,
            meeting=meeting,
            order=order,
            kind=kind,
            title=title[:200],
            majority=majority,
        )
        if releases:
            item.releases.set(releases)
        _audit(
            actor, "agenda_add", meeting, {"agenda_item": {"before": None, "after": title[:200]}}
        )
    return item


def roll_from_seats(*, actor: Any, meeting: Meeting) -> int:
    """The roll of those entitled: every current seat of the meeting's committee (a person
    holding several positions is entitled once). Returns how many were added."""
    _require(actor, meeting.org)
    if meeting.committee is None:
        raise InvalidInput.one("committee", _("该会议没有指定委员会，请逐一添加应到人员"))
    if meeting.status != MeetingStatus.PREPARING:
        raise Conflict(_("会议已开始，应到人员名单不能再改"))
    with transaction.atomic():
        have = set(meeting.roll.values_list("person_name", flat=True))
        rows = []
        for seat in meeting.committee.seat_set.filter(until__isnull=True).order_by("id"):
            if seat.person_name in have:
                continue
            have.add(seat.person_name)
            rows.append(
                RollEntry(
                    org=meeting.org,
                    meeting=meeting,
                    seat=seat,
                    member_id=seat.member_id,
                    person_name=seat.person_name,
                )
            )
        RollEntry.objects.bulk_create(rows)
        _audit(actor, "roll", meeting, {"rows": {"before": None, "after": len(rows)}})
    return len(rows)


def roll_add(
    *, actor: Any, meeting: Meeting, person_name: str, member_id: int | None = None
) -> RollEntry:
    _require(actor, meeting.org)
    if meeting.status != MeetingStatus.PREPARING:
        raise Conflict(_("会议已开始，应到人员名单不能再改"))
    name = _name(person_name, "person_name")
    member = _member(actor, member_id, "member")
    with transaction.atomic():
        if meeting.roll.filter(person_name=name).exists():
            raise Conflict(_("%(n)s已在应到人员名单中") % {"n": name})
        entry = RollEntry.objects.create(
            org=meeting.org, meeting=meeting, person_name=name, member=member
        )
        _audit(
            actor,
            "roll",
            meeting,
            {"person_name": {"before": None, "after": audit.masking.mask_name(name)}},
        )
    return entry


def roll_bulk(*, actor: Any, meeting: Meeting, names: Sequence[str]) -> int:
    """A grassroots congress's delegates, by name (one audit row)."""
    _require(actor, meeting.org)
    if meeting.status != MeetingStatus.PREPARING:
        raise Conflict(_("会议已开始，应到人员名单不能再改"))
    with transaction.atomic():
        have = set(meeting.roll.values_list("person_name", flat=True))
        rows = [
            RollEntry(org=meeting.org, meeting=meeting, person_name=n)
            for n in _names(names, "names")
            if n not in have
        ]
        RollEntry.objects.bulk_create(rows)
        _audit(actor, "roll", meeting, {"rows": {"before": None, "after": len(rows)}})
    return len(rows)


def attendance(meeting: Meeting) -> tuple[int, int]:
    """(entitled, present) now."""
    entitled = meeting.roll.count()
    present = meeting.roll.filter(present=True).count()
    return entitled, present


def check_in(
    *, actor: Any, entry: RollEntry, present: bool = True, via: str = "clerk"
) -> RollEntry:
    """The clerk marks someone present (or absent again); ``via="qr"`` is the phone's."""
    meeting = entry.meeting
    if via == "clerk":
        _require(actor, meeting.org)
    if meeting.status not in (MeetingStatus.PREPARING, MeetingStatus.IN_SESSION):
        raise Conflict(_("会议已闭会，不能再签到"))
    with transaction.atomic():
        entry = RollEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.present == present:
            return entry
        entry.present = present
        entry.checked_in_at = timezone.now() if present else None
        entry.checked_in_by = via if present else ""
        entry.save(update_fields=["present", "checked_in_at", "checked_in_by"])
        _audit(
            actor,
            "checkin" if present else "checkout",
            meeting,
            {"present": {"before": not present, "after": present}},
            note=audit.masking.mask_name(entry.person_name),
        )
    return entry


def check_in_many(*, actor: Any, meeting: Meeting, entries: Sequence[RollEntry]) -> int:
    """The clerk marks several people present at once (the sign-in sheet at the door):
    one audit row naming how many. Returns how many were newly marked."""
    _require(actor, meeting.org)
    if meeting.status not in (MeetingStatus.PREPARING, MeetingStatus.IN_SESSION):
        raise Conflict(_("会议已闭会，不能再签到"))
    ids = [e.pk for e in entries if e.meeting_id == meeting.pk]
    with transaction.atomic():
        n = meeting.roll.filter(pk__in=ids, present=False).update(
            present=True, checked_in_at=timezone.now(), checked_in_by="clerk"
        )
        _audit(actor, "checkin", meeting, {"counts": {"before": None, "after": n}})
    return n


def check_in_by_qr(*, user: Any, token: str) -> RollEntry:
    """A member scans the door's QR code: their own roll entry (by their member record) is
    marked present. Anyone not on the roll is told so and nothing changes."""
    meeting = Meeting.objects.filter(checkin_token=token).first()
    if meeting is None or not token:
        raise NotFound()
    entry = (
        meeting.roll.filter(member__user=user).first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if entry is None:
        raise NotFound(_("您不在本次会议的应到人员名单中"))
    return check_in(actor=user, entry=entry, via="qr")


def meeting_open(*, actor: Any, meeting: Meeting) -> Meeting:
    _require(actor, meeting.org)
    _step(meeting, actor, "open")
    if not meeting.roll.exists():
        raise Conflict(_("请先确定应到人员名单"))
    return _move(actor, meeting, MeetingStatus.IN_SESSION, "open")


def meeting_close(*, actor: Any, meeting: Meeting) -> Meeting:
    _require(actor, meeting.org)
    _step(meeting, actor, "close")
    if meeting.elections.filter(status__in=(ElectionStatus.VOTING,)).exists():
        raise Conflict(_("仍有选举在投票中，请先计票"))
    return _move(actor, meeting, MeetingStatus.CLOSED, "close")


def _move(actor: Any, meeting: Meeting, status: str, action: str) -> Meeting:
    with transaction.atomic():
        before = meeting.status
        meeting.status = status
        meeting.save(update_fields=["status", "updated_at"])
        _audit(actor, action, meeting, {"status": {"before": before, "after": status}})
    return meeting


def minutes_sign(
    *, actor: Any, meeting: Meeting, signed_by: str, text: str = "", on: date | None = None
) -> Meeting:
    """The minutes (会议纪要) as drafted from the records (or as edited), signed."""
    from .minutes import draft

    _require(actor, meeting.org)
    _step(meeting, actor, "sign")
    signer = _name(signed_by, "signed_by")
    body = (text or "").strip() or draft(meeting)
    with transaction.atomic():
        meeting.minutes = body
        meeting.minutes_signed_by = signer
        meeting.minutes_signed_on = on or timezone.localdate()
        meeting.status = MeetingStatus.MINUTED
        meeting.save(
            update_fields=[
                "minutes",
                "minutes_signed_by",
                "minutes_signed_on",
                "status",
                "updated_at",
            ]
        )
        _audit(
            actor,
            "sign",
            meeting,
            {
                "status": {"before": MeetingStatus.CLOSED, "after": MeetingStatus.MINUTED},
                "minutes_signed_by": {"before": "", "after": signer},
            },
        )
    return meeting


MOTION_RULES = {
    MotionMajority.HALF_ENTITLED: (counting.ENTITLED, 1, 2),
    MotionMajority.HALF_PRESENT: (counting.PRESENT, 1, 2),
    MotionMajority.TWO_THIRDS_ENTITLED: (counting.ENTITLED, 2, 3),
}


def motion_vote(
    *,
    actor: Any,
    item: AgendaItem,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    on: date | None = None,
) -> AgendaItem:
    """A show of hands (举手表决) on a motion, under the motion's majority rule; a passed
    motion that releases seats ends them, naming this meeting."""
    meeting = item.meeting
    _require(actor, meeting.org)
    if meeting.status != MeetingStatus.IN_SESSION:
        raise Conflict(_("会议未在进行中，不能表决"))
    if item.kind != ItemKind.MOTION:
        raise InvalidInput.one("kind", _("只有议案需要表决"))
    if item.passed is not None:
        raise Conflict(_("该议案已表决"))
    entitled, present = attendance(meeting)
    for field, v in (
        ("votes_for", votes_for),
        ("votes_against", votes_against),
        ("votes_abstain", votes_abstain),
    ):
        if v < 0:
            raise InvalidInput.one(field, _("票数不能为负"))
    if votes_for + votes_against + votes_abstain > present:
        raise InvalidInput.one(
            "votes_for",
            _("表决票数之和（%(s)d）超过实到人数（%(p)d）")
            % {"s": votes_for + votes_against + votes_abstain, "p": present},
        )
    base_kind, num, den = MOTION_RULES[MotionMajority(item.majority)]
    base = entitled if base_kind == counting.ENTITLED else present
    passed = counting.motion_passed(votes_for, base, num, den)
    day = on or meeting.held_on
    with transaction.atomic():
        item.votes_for, item.votes_against, item.votes_abstain = (
            votes_for,
            votes_against,
            votes_abstain,
        )
        item.passed = passed
        item.save(update_fields=["votes_for", "votes_against", "votes_abstain", "passed"])
        _audit(
            actor, "motion", meeting, {"passed": {"before": None, "after": passed}}, note=item.title
        )
        if passed:
            for seat in item.releases.filter(until__isnull=True):
                seat_end(
                    actor=actor,
                    seat=seat,
                    kind=ChangeKind.RELEASED,
                    on=day,
                    meeting=meeting,
                    note=item.title,
                )
    return item


# --- elections ------------------------------------------------------------------------------------


def election_create(
    *,
    actor: Any,
    meeting: Meeting,
    committee: Committee,
    title: str,
    seats: int,
    method: str,
    candidates: Sequence[str],
    position: str = Position.MEMBER,
    by_election: bool = False,
    secret_online: bool = False,
    members: Sequence[Any] = (),
) -> Election:
    """Candidates by name (``candidates``) and from the member registry (``members``, each
    standing under their registry name and linked to their record)."""
    _require(actor, meeting.org)
    for member in members:
        if actor is not None and not _member_visible(actor, member):
            raise InvalidInput.one("members", _("未找到该会员"))
    linked = {m.name: m for m in members}
    candidates = [*candidates, *(m.name for m in members if m.name not in candidates)]
    if meeting.status not in (MeetingStatus.PREPARING, MeetingStatus.IN_SESSION):
        raise Conflict(_("会议已闭会，不能再安排选举"))
    if committee.org_id != meeting.org_id:
        raise InvalidInput.one("committee", _("委员会不属于该工会"))
    if method not in ElectionMethod.values:
        raise InvalidInput.one("method", _("选举方式应为等额或差额"))
    if position not in Position.values:
        raise InvalidInput.one("position", _("职务不正确"))
    title = (title or "").strip()
    if not title:
        raise InvalidInput.one("title", _("请填写选举事项"))
    names = _names(candidates, "candidates")
    errors = counting.slate_errors(method, seats, len(names), meeting.rules)
    if errors:
        raise InvalidInput.one("candidates", errors[0])
    clash = (set(meeting.tellers) | set(meeting.scrutineers)) & set(names)
    if clash:
        raise InvalidInput.one(
            "candidates", _("计票人、监票人不能作为候选人：%(n)s") % {"n": "、".join(sorted(clash))}
        )
    with transaction.atomic():
        election = Election.objects.create(
            org=meeting.org,
            meeting=meeting,
            committee=committee,
            title=title[:150],
            position=position,
            seats=seats,
            method=method,
            by_election=by_election,
            secret_online=secret_online,
        )
        Candidate.objects.bulk_create(
            Candidate(org=meeting.org, election=election, name=n, order=i, member=linked.get(n))
            for i, n in enumerate(names, 1)
        )
        AgendaItem.objects.create(
            org=meeting.org,
            meeting=meeting,
            order=meeting.agenda.count() + 1,
            kind=ItemKind.ELECTION,
            title=title[:200],
        )
        _audit(
            actor,
            "election_create",
            election,
            {
                "seats": {"before": None, "after": seats},
                "method": {"before": None, "after": method},
            },
            note="、".join(audit.masking.mask_name(n) for n in names)[:500],
        )
    return election


def round_open(*, actor: Any, election: Election) -> Round:
    """Open a round: refused unless the meeting is in session and MORE than two thirds of
    those entitled are present now."""
    meeting = election.meeting
    _require(actor, meeting.org)
    ELECTION.check(election.status, "open_round", _role(actor))
    if meeting.status != MeetingStatus.IN_SESSION:
        raise Conflict(_("会议未在进行中，不能投票"))
    entitled, present = attendance(meeting)
    if not counting.quorum_reached(present, entitled, meeting.rules):
        raise Conflict(
            _("到会 %(p)d 人，未超过应到 %(e)d 人的三分之二（至少需 %(n)d 人），不能进行选举。")
            % {"p": present, "e": entitled, "n": counting.quorum_needed(entitled, meeting.rules)}
        )
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        ELECTION.check(election.status, "open_round", _role(actor))
        candidates, seats = _next_candidates_stored(election)
        if not election.rounds.exists():  # the list as it stands now (candidates added since)
            errors = counting.slate_errors(
                election.method, election.seats, len(candidates), meeting.rules
            )
            if errors:
                raise Conflict(errors[0])
        number = (
            election.rounds.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        rnd = Round.objects.create(
            org=election.org,
            election=election,
            number=number,
            seats=seats,
            secret_online=election.secret_online,
            entitled=entitled,
            present=present,
        )
        rnd.candidates.set(candidates)
        election.status = ElectionStatus.VOTING
        election.save(update_fields=["status", "updated_at"])
        _audit(
            actor,
            "open_round",
            election,
            {
                "status": {
                    "before": ElectionStatus.PREPARING if number == 1 else ElectionStatus.COUNTED,
                    "after": ElectionStatus.VOTING,
                }
            },
            note=_("第%(n)d轮，应到 %(e)d 人，实到 %(p)d 人")
            % {"n": number, "e": entitled, "p": present},
        )
    return rnd


def _next_candidates_stored(election: Election) -> tuple[list[Candidate], int]:
    """Who stands in the next round and for how many seats: the first round, everyone on the
    list; after a tie at the last seat, the tied; after empty seats, those not elected."""
    last = election.rounds.filter(status=RoundStatus.COUNTED).order_by("-number").first()
    everyone = list(election.candidates.all())
    if last is None:
        return [c for c in everyone if not c.write_in] or everyone, election.seats
    remaining = election.seats - sum(1 for c in everyone if c.elected)
    tied = [c for c in everyone if c.pk in set(last.tied)]
    if tied:
        return tied, remaining
    return [c for c in everyone if not c.elected], remaining


def _write_in(election: Election, name: str) -> Candidate:
    name = _name(name, "write_ins")
    found = election.candidates.filter(name=name).first()
    if found is not None:
        return found
    order = election.candidates.count() + 1
    return Candidate.objects.create(
        org=election.org, election=election, name=name, order=order, write_in=True
    )


def round_count(
    *,
    actor: Any,
    round: Round,
    issued: int,
    returned: int,
    valid: int,
    invalid: int,
    counts: dict[int, tuple[int, int, int]],
    write_ins: dict[str, int] | None = None,
) -> counting.Outcome:
    """The clerk enters a paper round's counts: per candidate (approve, disapprove, abstain),
    write-ins by name, and the ballots issued, returned, valid and invalid. gonghui applies
    the rules and says who is elected and why."""
    election = round.election
    _require(actor, election.org)
    if round.status != RoundStatus.OPEN or round.secret_online:
        raise Conflict(_("本轮不是待计票的纸质投票"))
    for field, v in (
        ("issued", issued),
        ("returned", returned),
        ("valid", valid),
        ("invalid", invalid),
    ):
        if v < 0:
            raise InvalidInput.one(field, _("票数不能为负"))
    if issued > round.present:
        raise InvalidInput.one(
            "issued",
            _("发出选票（%(i)d）不能多于实到人数（%(p)d）") % {"i": issued, "p": round.present},
        )
    if returned <= issued and valid + invalid != returned:
        raise InvalidInput.one("valid", _("有效票与无效票之和应等于收回选票数"))
    ids = {c.pk for c in round.candidates.all()}
    unknown = set(counts) - ids
    if unknown:
        raise InvalidInput.one("counts", _("计票中有不属于本轮的候选人"))
    for a, d, ab in counts.values():
        if min(a, d, ab) < 0 or a + d + ab > valid:
            raise InvalidInput.one(
                "counts", _("每位候选人的赞成、不赞成、弃权之和不能超过有效票数")
            )
    with transaction.atomic():
        rnd = Round.objects.select_for_update().get(pk=round.pk)
        if rnd.status != RoundStatus.OPEN:
            raise Conflict(_("本轮已计票"))
        rows = {cid: counts.get(cid, (0, 0, 0)) for cid in ids}
        for name, approve in (write_ins or {}).items():
            if approve < 0 or approve > valid:
                raise InvalidInput.one("write_ins", _("另选他人的票数不正确"))
            cand = _write_in(election, name)
            rnd.candidates.add(cand)
            rows[cand.pk] = (approve, 0, 0)
        return _apply(actor, rnd, issued, returned, valid, invalid, rows)


def _apply(
    actor: Any,
    rnd: Round,
    issued: int,
    returned: int,
    valid: int,
    invalid: int,
    rows: dict[int, tuple[int, int, int]],
) -> counting.Outcome:
    election = rnd.election
    meeting = election.meeting
    outcome = counting.count(
        counting.Tally(
            seats=rnd.seats,
            entitled=rnd.entitled,
            present=rnd.present,
            issued=issued,
            returned=returned,
            valid=valid,
            invalid=invalid,
            approve={cid: a for cid, (a, _d, _ab) in rows.items()},
        ),
        meeting.rules,
    )
    RoundCount.objects.bulk_create(
        RoundCount(round=rnd, candidate_id=cid, approve=a, disapprove=d, abstain=ab)
        for cid, (a, d, ab) in rows.items()
    )
    rnd.issued, rnd.returned, rnd.valid, rnd.invalid = issued, returned, valid, invalid
    rnd.status = RoundStatus.VOID if outcome.void else RoundStatus.COUNTED
    rnd.summary = outcome.summary
    rnd.tied = [int(c) for c in outcome.tied]
    rnd.save(update_fields=["issued", "returned", "valid", "invalid", "status", "summary", "tied"])
    cands = {c.pk: c for c in election.candidates.filter(pk__in=list(rows))}
    for cid, reason in outcome.reasons.items():
        c = cands[int(cid)]
        c.votes = rows[cid][0]
        c.reason = reason[:200]
        c.elected = c.elected or cid in outcome.elected
        c.save(update_fields=["votes", "reason", "elected"])
    before = election.status
    election.status = ElectionStatus.COUNTED
    if outcome.void:
        election.status = ElectionStatus.COUNTED
    elif election.candidates.filter(elected=True).count() >= election.seats:
        election.status = ElectionStatus.DECIDED
        election.decided_on = meeting.held_on
    election.save(update_fields=["status", "decided_on", "updated_at"])
    _audit(
        actor,
        "count",
        election,
        {"status": {"before": before, "after": election.status}},
        note=outcome.summary[:500],
    )
    if outcome.void:
        return outcome
    if (
        election.status == ElectionStatus.COUNTED
        and not outcome.tied
        and outcome.empty_seats
        and not _others(election)
    ):
        # nobody left to vote for: the seats stay empty and the election ends with what it has
        election.status = ElectionStatus.DECIDED
        election.decided_on = meeting.held_on
        election.save(update_fields=["status", "decided_on", "updated_at"])
    return outcome


def _others(election: Election) -> bool:
    return election.candidates.filter(elected=False).exists()


# --- the secret ballot on the phone ----------------------------------------------------------


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def codes_issue(
    *, actor: Any, round: Round, entries: Sequence[RollEntry] | None = None
) -> list[tuple[RollEntry, str]]:
    """One one-time code per attendee present who has none yet for this round; the codes
    are returned once (to print or show) and only their hashes are kept, in shuffled order,
    apart from the list of who received one."""
    election = round.election
    if actor is not None and getattr(actor, "role", None) != "member":
        _require(actor, election.org)
    if round.status != RoundStatus.OPEN or not round.secret_online:
        raise Conflict(_("本轮不是进行中的手机投票"))
    with transaction.atomic():
        Round.objects.select_for_update().get(pk=round.pk)
        done = set(CodeIssued.objects.filter(round=round).values_list("entry_id", flat=True))
        pool = entries if entries is not None else list(election.meeting.roll.filter(present=True))
        todo = [e for e in pool if e.pk not in done and e.present]
        out = [(e, _new_code()) for e in todo]
        CodeIssued.objects.bulk_create(CodeIssued(round=round, entry=e) for e, _c in out)
        hashes = [_hash(c) for _e, c in out]
        secrets.SystemRandom().shuffle(hashes)
        VoteCode.objects.bulk_create(VoteCode(round=round, code_hash=h) for h in hashes)
        _audit(
            actor,
            "codes",
            election,
            {"counts": {"before": None, "after": len(out)}},
            note=_("第%(n)d轮") % {"n": round.number},
        )
    return out


def code_for_member(*, user: Any, round: Round) -> str:
    """A member present at the meeting takes their own code on the phone (once)."""
    entry = round.election.meeting.roll.filter(member__user=user, present=True).first()
    if entry is None:
        raise NotFound(_("您不在本次会议的到会人员名单中"))
    issued = codes_issue(actor=user, round=round, entries=[entry])
    if not issued:
        raise Conflict(_("您已领取本轮的投票码，每人只能投票一次"))
    return issued[0][1]


def ballot_cast(
    *, round: Round, code: str, choices: dict[int, str], write_ins: Sequence[str] = ()
) -> None:
    """A secret ballot. The code is spent; the ballot keeps only the choices; the audit row
    names nobody. A ballot marking more names than seats is kept as invalid."""
    if round.status != RoundStatus.OPEN or not round.secret_online:
        raise Conflict(_("本轮投票已结束，投票码已失效"))
    ids = set(round.candidates.values_list("pk", flat=True))
    if set(choices) - ids:
        raise InvalidInput.one("choices", _("选票中有不属于本轮的候选人"))
    if any(v not in ("approve", "disapprove", "abstain") for v in choices.values()):
        raise InvalidInput.one("choices", _("每位候选人只能选赞成、不赞成或弃权"))
    names = _names(write_ins, "write_ins")
    marked = sum(1 for v in choices.values() if v == "approve") + len(names)
    stored: dict[str, str] = {str(k): v for k, v in choices.items()}
    stored.update({f"+{n}": "approve" for n in names})
    with transaction.atomic():
        spent = VoteCode.objects.filter(round=round, code_hash=_hash(code), used=False).update(
            used=True
        )
        if spent != 1:
            raise Conflict(_("投票码无效或已使用，每人只能投票一次"))
        Ballot.objects.create(
            round=round, choices=stored, valid=counting.ballot_valid(marked, round.seats)
        )
        audit.record(
            actor=None,
            action="governance.ballot",
            object_type="election",
            object_id=round.election_id,
            object_org=round.org,
            object_repr=str(round.election)[:200],
            note=_("第%(n)d轮收到一张选票") % {"n": round.number},
        )


def ballot_box(round: Round) -> tuple[int, int, dict[int, tuple[int, int, int]], dict[str, int]]:
    """The ballot box added up: (valid, invalid, counts per candidate, write-ins)."""
    counts: dict[int, list[int]] = {
        c: [0, 0, 0] for c in round.candidates.values_list("pk", flat=True)
    }
    write_ins: dict[str, int] = {}
    valid = invalid = 0
    for ballot in Ballot.objects.filter(round=round).only("choices", "valid"):
        if not ballot.valid:
            invalid += 1
            continue
        valid += 1
        for key, choice in ballot.choices.items():
            if key.startswith("+"):
                write_ins[key[1:]] = write_ins.get(key[1:], 0) + 1
                continue
            slot = counts.setdefault(int(key), [0, 0, 0])
            slot[("approve", "disapprove", "abstain").index(choice)] += 1
    return valid, invalid, {k: (v[0], v[1], v[2]) for k, v in counts.items()}, write_ins


def round_close(*, actor: Any, round: Round) -> counting.Outcome:
    """Close a secret round: the codes expire, the box is counted by the same rules."""
    election = round.election
    _require(actor, election.org)
    if round.status != RoundStatus.OPEN or not round.secret_online:
        raise Conflict(_("本轮不是进行中的手机投票"))
    with transaction.atomic():
        rnd = Round.objects.select_for_update().get(pk=round.pk)
        if rnd.status != RoundStatus.OPEN:
            raise Conflict(_("本轮已计票"))
        issued = CodeIssued.objects.filter(round=rnd).count()
        valid, invalid, counts, write_ins = ballot_box(rnd)
        rows = dict(counts)
        for name, approve in write_ins.items():
            cand = _write_in(election, name)
            rnd.candidates.add(cand)
            rows[cand.pk] = (approve, 0, 0)
        VoteCode.objects.filter(
            round=rnd, used=False
        ).delete()  # unused codes expire with the round
        return _apply(actor, rnd, issued, valid + invalid, valid, invalid, rows)


def _promote(actor: Any, seat: Seat, election: Election, kind: str, day: date) -> None:
    if seat.position == election.position:
        raise Conflict(_("%(n)s已任此职务") % {"n": seat.person_name})
    before = seat.position
    seat.position = election.position
    seat.save(update_fields=["position", "updated_at"])
    SeatChange.objects.create(
        org=seat.org,
        committee=seat.committee,
        seat=seat,
        kind=kind,
        position=election.position,
        on=day,
        meeting=election.meeting,
        note=election.title[:200],
    )
    _audit(
        actor,
        f"seat_{kind}",
        seat,
        {"position": {"before": before, "after": election.position}},
        note=election.meeting.title,
    )


def election_confirm(*, actor: Any, election: Election, on: date | None = None) -> Election:
    """The result takes effect: each elected candidate gets a seat on the committee (增补 in
    a by-election), naming the meeting."""
    _require(actor, election.org)
    ELECTION.check(election.status, "confirm", _role(actor))
    day = on or election.decided_on or election.meeting.held_on
    kind = ChangeKind.BY_ELECTED if election.by_election else ChangeKind.ELECTED
    with transaction.atomic():
        for cand in election.candidates.filter(elected=True).order_by("-votes", "order"):
            holding = (
                Seat.objects.select_for_update()
                .filter(committee=election.committee, person_name=cand.name, until__isnull=True)
                .first()
            )
            if holding is not None:
                # a member elected to an office of the same committee (主席 from among the
                # 委员): the seat takes the office, the committee's headcount is unchanged
                _promote(actor, holding, election, kind, day)
                continue
            seat_add(
                actor=actor,
                committee=election.committee,
                person_name=cand.name,
                position=election.position,
                since=day,
                kind=kind,
                meeting=election.meeting,
                member_id=cand.member_id,
                note=election.title,
            )
        election.status = ElectionStatus.CONFIRMED
        election.save(update_fields=["status", "updated_at"])
        if not election.by_election:
            # 换届: the new term's committee succeeds the earlier ones of the same kind
            Committee.objects.filter(
                org=election.org,
                kind=election.committee.kind,
                term_number__lt=election.committee.term_number,
                active=True,
            ).update(active=False)
        _audit(
            actor,
            "confirm",
            election,
            {"status": {"before": ElectionStatus.DECIDED, "after": ElectionStatus.CONFIRMED}},
        )
    return election


def _member_visible(actor: Any, member: Any) -> bool:
    from gonghui.members.models import Member

    return Member.objects.visible_to(actor).filter(pk=member.pk).exists()


def candidate_add(
    *, actor: Any, election: Election, member: Any = None, name: str = ""
) -> Candidate:
    """Add a candidate while the election is being prepared: a member of the registry (the
    picker) or a name. The list's 差额 share is checked again when the first round opens."""
    _require(actor, election.org)
    if member is not None:
        if actor is not None and not _member_visible(actor, member):
            raise InvalidInput.one("member", _("未找到该会员"))
        name = member.name
    name = _name(name, "member" if member is not None else "name")
    meeting = election.meeting
    if name in set(meeting.tellers) | set(meeting.scrutineers):
        raise InvalidInput.one("member", _("计票人、监票人不能作为候选人：%(n)s") % {"n": name})
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        if election.status != ElectionStatus.PREPARING:
            raise Conflict(_("选举已开始，不能再增加候选人"))
        if election.candidates.filter(name=name).exists():
            raise Conflict(_("%(n)s已在候选人名单中") % {"n": name})
        order = election.candidates.count() + 1
        candidate = Candidate.objects.create(
            org=election.org, election=election, name=name, member=member, order=order
        )
        _audit(
            actor,
            "candidate_add",
            election,
            {"candidate": {"before": None, "after": audit.masking.mask_name(name)}},
        )
    return candidate


def candidate_remove(*, actor: Any, election: Election, candidate: Candidate) -> None:
    _require(actor, election.org)
    if candidate.election_id != election.pk:
        raise NotFound()
    with transaction.atomic():
        election = Election.objects.select_for_update().get(pk=election.pk)
        if election.status != ElectionStatus.PREPARING:
            raise Conflict(_("选举已开始，不能再修改候选人名单"))
        name = candidate.name
        candidate.delete()
        _audit(
            actor,
            "candidate_remove",
            election,
            {"candidate": {"before": audit.masking.mask_name(name), "after": None}},
        )
