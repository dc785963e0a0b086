"""API of governance (``/api/v1/governance``): committees and seats, meetings with their roll,
attendance and live quorum, agenda and motions, elections with their rounds, counts and
results, and the secret ballot (one-time codes, casting, the box anyone in scope can check
against the tally). A record outside the caller's subtree answers 404 like a missing one."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gonghui.core.api import InputSchema, Page, PageParams, paginate
from gonghui.core.errors import InvalidInput, NotFound
from gonghui.core.masking import mask_name
from gonghui.core.roles import can
from gonghui.orgs.selectors import access_org

from . import counting, selectors, services
from .models import (
    AgendaItem,
    Candidate,
    Committee,
    Election,
    Meeting,
    Round,
    RoundStatus,
    Seat,
)

router = Router(tags=["governance"])


def _viewer(request: HttpRequest) -> Any:
    user = request.user
    if not can(user, "governance.view"):
        raise NotFound()
    return user


# --- committees and seats ----------------------------------------------------------------------


class CommitteeIn(InputSchema):
    bounds = (Committee,)

    org: str = Field(..., description="工会组织代码")
    kind: str = Field(..., description="committee / standing / audit / women")
    term_number: int = Field(..., ge=1, le=99)
    term_start: datetime.date
    term_end: datetime.date
    seats: int = Field(..., ge=1, le=999)
    name: str = ""


class CommitteeOut(Schema):
    id: int
    org: str
    org_name: str
    kind: str
    name: str
    term_number: int
    term_start: datetime.date
    term_end: datetime.date
    seats: int
    active: bool

    @staticmethod
    def resolve_org(obj: Committee) -> str:
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj: Committee) -> str:
        return obj.org.name


class SeatOut(Schema):
    id: int
    person_name: str
    position: str
    position_label: str
    since: datetime.date
    until: datetime.date | None
    member_id: int | None

    @staticmethod
    def resolve_person_name(obj: Seat) -> str:
        return obj.person_name  # office holders are named in public; the API is staff-only

    @staticmethod
    def resolve_position_label(obj: Seat) -> str:
        return str(obj.get_position_display())


class ChangeOut(Schema):
    person_name: str
    kind: str
    kind_label: str
    position: str
    on: datetime.date
    meeting: str | None


class CommitteeDetail(CommitteeOut):
    current: list[SeatOut]
    changes: list[ChangeOut]

    @staticmethod
    def resolve_current(obj: Committee) -> list[Seat]:
        return list(selectors.seats_of(obj))

    @staticmethod
    def resolve_changes(obj: Committee) -> list[dict[str, Any]]:
        return [
            {
                "person_name": c.seat.person_name,
                "kind": c.kind,
                "kind_label": str(c.get_kind_display()),
                "position": c.position,
                "on": c.on,
                "meeting": c.meeting.title if c.meeting else None,
            }
            for c in selectors.changes_of(obj)[:200]
        ]


@router.get("/committees", response=Page[CommitteeOut], summary="委员会列表")
def committee_list(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    return paginate(
        selectors.committees_visible_to(_viewer(request)).order_by(
            "org__code", "-term_number", "kind"
        ),
        params,
    )


@router.post("/committees", response={201: CommitteeOut}, summary="新建委员会")
def committee_create(request: HttpRequest, payload: CommitteeIn) -> Any:
    org = access_org(_viewer(request), payload.org.strip())
    committee = services.committee_create(
        actor=request.user,
        org=org,
        kind=payload.kind,
        term_number=payload.term_number,
        term_start=payload.term_start,
        term_end=payload.term_end,
        seats=payload.seats,
        name=payload.name,
    )
    return Status(201, committee)


@router.get(
    "/committees/{committee_id}", response=CommitteeDetail, summary="委员会、现任委员与变动"
)
def committee_get(request: HttpRequest, committee_id: int) -> Committee:
    return selectors.access_committee(_viewer(request), committee_id)


class SeatIn(InputSchema):
    bounds = (Seat,)

    person_name: str
    position: str = "member"
    since: datetime.date
    kind: str = Field("elected", description="elected / by_elected")
    member_id: int | None = None
    meeting_id: int | None = None


def _meeting_of(user: Any, meeting_id: int | None) -> Meeting | None:
    return selectors.access_meeting(user, meeting_id) if meeting_id else None


@router.post(
    "/committees/{committee_id}/seats", response={201: SeatOut}, summary="任职（选举产生或增补）"
)
def seat_add(request: HttpRequest, committee_id: int, payload: SeatIn) -> Any:
    committee = selectors.access_committee(_viewer(request), committee_id)
    seat = services.seat_add(
        actor=request.user,
        committee=committee,
        person_name=payload.person_name,
        position=payload.position,
        since=payload.since,
        kind=payload.kind,
        meeting=_meeting_of(request.user, payload.meeting_id),
        member_id=payload.member_id,
    )
    return Status(201, seat)


class SeatEndIn(InputSchema):
    kind: str = Field(..., description="released / resigned")
    on: datetime.date
    meeting_id: int | None = None
    note: str = Field("", max_length=200)


@router.post("/seats/{seat_id}/end", response=SeatOut, summary="免去或辞去")
def seat_end(request: HttpRequest, seat_id: int, payload: SeatEndIn) -> Seat:
    from gonghui.core.scope import access

    seat = access(Seat.objects.all(), _viewer(request), pk=seat_id)
    return services.seat_end(
        actor=request.user,
        seat=seat,
        kind=payload.kind,
        on=payload.on,
        meeting=_meeting_of(request.user, payload.meeting_id),
        note=payload.note,
    )


# --- meetings ----------------------------------------------------------------------------------


class MeetingIn(InputSchema):
    bounds = (Meeting,)

    org: str
    kind: str = Field(..., description="plenary / standing / congress")
    title: str
    held_on: datetime.date
    committee_id: int | None = None
    place: str = ""
    presided_by: str = ""
    tellers: list[str] = Field(default_factory=list, max_length=50)
    scrutineers: list[str] = Field(default_factory=list, max_length=50)
    quorum_num: int | None = Field(None, ge=1, le=99)
    quorum_den: int | None = Field(None, ge=1, le=99)
    majority_num: int | None = Field(None, ge=1, le=99)
    majority_den: int | None = Field(None, ge=1, le=99)
    majority_base: str | None = Field(None, description="entitled / present / voted")
    min_extra_percent: int | None = Field(None, ge=0, le=100)


class MeetingOut(Schema):
    id: int
    number: str
    org: str
    kind: str
    title: str
    held_on: datetime.date
    place: str
    status: str
    status_label: str

    @staticmethod
    def resolve_org(obj: Meeting) -> str:
        return obj.org.code

    @staticmethod
    def resolve_status_label(obj: Meeting) -> str:
        return str(obj.get_status_display())


class AttendanceOut(Schema):
    entitled: int
    present: int
    needed: int = Field(..., description="法定人数：超过应到人数三分之二所需的最少到会人数")
    quorum: bool


class RollOut(Schema):
    id: int
    person_name: str
    present: bool
    checked_in_by: str


class ItemOut(Schema):
    id: int
    order: int
    kind: str
    title: str
    majority: str
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    passed: bool | None


class ElectionOut(Schema):
    id: int
    title: str
    position: str
    seats: int
    method: str
    by_election: bool
    secret_online: bool
    status: str
    status_label: str

    @staticmethod
    def resolve_status_label(obj: Election) -> str:
        return str(obj.get_status_display())


class MeetingDetail(MeetingOut):
    tellers: list[str]
    scrutineers: list[str]
    rules: dict[str, Any]
    attendance: AttendanceOut
    roll: list[RollOut]
    agenda: list[ItemOut]
    elections: list[ElectionOut]
    minutes: str
    minutes_signed_by: str

    @staticmethod
    def resolve_rules(obj: Meeting) -> dict[str, Any]:
        return {f: getattr(obj, f) for f in services.RULE_FIELDS}

    @staticmethod
    def resolve_attendance(obj: Meeting) -> dict[str, Any]:
        return attendance_of(obj)

    @staticmethod
    def resolve_roll(obj: Meeting) -> list[dict[str, Any]]:
        return [
            {
                "id": e.id,
                "person_name": mask_name(e.person_name),
                "present": e.present,
                "checked_in_by": e.checked_in_by,
            }
            for e in obj.roll.all()
        ]

    @staticmethod
    def resolve_agenda(obj: Meeting) -> list[AgendaItem]:
        return list(obj.agenda.all())

    @staticmethod
    def resolve_elections(obj: Meeting) -> list[Election]:
        return list(obj.elections.all())


def attendance_of(meeting: Meeting) -> dict[str, Any]:
    entitled, present = services.attendance(meeting)
    return {
        "entitled": entitled,
        "present": present,
        "needed": counting.quorum_needed(entitled, meeting.rules),
        "quorum": counting.quorum_reached(present, entitled, meeting.rules),
    }


def _meeting_detail(meeting: Meeting) -> Meeting:
    return meeting


@router.get("/meetings", response=Page[MeetingOut], summary="会议列表")
def meeting_list(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    return paginate(
        selectors.meetings_visible_to(_viewer(request)).order_by("-held_on", "-id"), params
    )


@router.post("/meetings", response={201: MeetingDetail}, summary="筹备会议")
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Any:
    org = access_org(_viewer(request), payload.org.strip())
    committee = (
        selectors.access_committee(_viewer(request), payload.committee_id)
        if payload.committee_id
        else None
    )
    rules = {f: getattr(payload, f) for f in services.RULE_FIELDS}
    meeting = services.meeting_create(
        actor=request.user,
        org=org,
        kind=payload.kind,
        title=payload.title,
        held_on=payload.held_on,
        committee=committee,
        place=payload.place,
        presided_by=payload.presided_by,
        tellers=payload.tellers,
        scrutineers=payload.scrutineers,
        rules=rules,
    )
    return Status(201, _meeting_detail(meeting))


@router.get(
    "/meetings/{meeting_id}", response=MeetingDetail, summary="会议：议程、应到与实到、选举"
)
def meeting_get(request: HttpRequest, meeting_id: int) -> Any:
    return _meeting_detail(selectors.access_meeting(_viewer(request), meeting_id))


@router.get(
    "/meetings/{meeting_id}/attendance", response=AttendanceOut, summary="实时到会人数与法定人数"
)
def meeting_attendance(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return attendance_of(selectors.access_meeting(_viewer(request), meeting_id))


class RollIn(InputSchema):
    from_seats: bool = Field(False, description="以委员会现任委员为应到人员")
    names: list[str] = Field(default_factory=list, max_length=2000)


@router.post("/meetings/{meeting_id}/roll", response=MeetingDetail, summary="确定应到人员")
def meeting_roll(request: HttpRequest, meeting_id: int, payload: RollIn) -> Any:
    meeting = selectors.access_meeting(_viewer(request), meeting_id)
    if payload.from_seats:
        services.roll_from_seats(actor=request.user, meeting=meeting)
    elif payload.names:
        services.roll_bulk(actor=request.user, meeting=meeting, names=payload.names)
    else:
        raise InvalidInput.one("names", _("请选择以现任委员为应到人员，或列出应到人员姓名"))
    return _meeting_detail(meeting)


class OfficersIn(InputSchema):
    tellers: list[str] = Field(..., max_length=50)
    scrutineers: list[str] = Field(..., max_length=50)


@router.post(
    "/meetings/{meeting_id}/officers", response=MeetingDetail, summary="确定计票人、监票人"
)
def meeting_officers(request: HttpRequest, meeting_id: int, payload: OfficersIn) -> Any:
    meeting = selectors.access_meeting(_viewer(request), meeting_id)
    services.meeting_set_officers(
        actor=request.user,
        meeting=meeting,
        tellers=payload.tellers,
        scrutineers=payload.scrutineers,
    )
    return _meeting_detail(meeting)


class RulesIn(InputSchema):
    quorum_num: int | None = Field(None, ge=1, le=99)
    quorum_den: int | None = Field(None, ge=1, le=99)
    majority_num: int | None = Field(None, ge=1, le=99)
    majority_den: int | None = Field(None, ge=1, le=99)
    majority_base: str | None = Field(None, description="entitled / present / voted")
    min_extra_percent: int | None = Field(None, ge=0, le=100)


@router.post(
    "/meetings/{meeting_id}/rules", response=MeetingDetail, summary="修改本次会议的计票规则"
)
def meeting_rules(request: HttpRequest, meeting_id: int, payload: RulesIn) -> Any:
    meeting = selectors.access_meeting(_viewer(request), meeting_id)
    meeting = services.meeting_set_rules(
        actor=request.user, meeting=meeting, rules=payload.dict(exclude_none=True)
    )
    return _meeting_detail(meeting)


class AgendaIn(InputSchema):
    bounds = (AgendaItem,)

    kind: str = Field(..., description="report / motion")
    title: str
    majority: str = "half_entitled"
    releases: list[int] = Field(
        default_factory=list, max_length=200, description="议案免去的委员职位编号"
    )


@router.post("/meetings/{meeting_id}/agenda", response=ItemOut, summary="增加议程（报告或议案）")
def meeting_agenda(request: HttpRequest, meeting_id: int, payload: AgendaIn) -> AgendaItem:
    meeting = selectors.access_meeting(_viewer(request), meeting_id)
    seats = list(Seat.objects.filter(org=meeting.org, pk__in=payload.releases))
    if len(seats) != len(set(payload.releases)):
        raise InvalidInput.one("releases", _("只能免去本工会的现任委员"))
    if payload.kind == "election":
        raise InvalidInput.one("kind", _("选举事项请通过“安排选举”添加"))
    return services.agenda_add(
        actor=request.user,
        meeting=meeting,
        kind=payload.kind,
        title=payload.title,
        majority=payload.majority,
        releases=seats,
    )


class CheckinIn(InputSchema):
    entry_id: int
    present: bool = True


@router.post("/meetings/{meeting_id}/checkin", response=AttendanceOut, summary="工作人员登记到会")
def meeting_checkin(request: HttpRequest, meeting_id: int, payload: CheckinIn) -> dict[str, Any]:
    meeting = selectors.access_meeting(_viewer(request), meeting_id)
    entry = selectors.access_entry(_viewer(request), meeting, payload.entry_id)
    services.check_in(actor=request.user, entry=entry, present=payload.present)
    return attendance_of(meeting)


class TokenIn(InputSchema):
    token: str = Field(..., max_length=64)


@router.post("/checkin", response=AttendanceOut, summary="会员扫码签到")
def member_checkin(request: HttpRequest, payload: TokenIn) -> dict[str, Any]:
    entry = services.check_in_by_qr(user=request.user, token=payload.token.strip())
    return attendance_of(entry.meeting)


class SignIn(InputSchema):
    signed_by: str = Field(..., max_length=50)
    text: str = ""


for _step, _summary in (("open", "宣布开会"), ("close", "宣布闭会")):

    def _make(step: str) -> Any:
        def view(request: HttpRequest, meeting_id: int) -> Any:
            meeting = selectors.access_meeting(_viewer(request), meeting_id)
            getattr(services, f"meeting_{step}")(actor=request.user, meeting=meeting)
            return _meeting_detail(meeting)

        view.__name__ = f"meeting_{step}"
        return view

    router.post(f"/meetings/{{meeting_id}}/{_step}", response=MeetingDetail, summary=_summary)(
        _make(_step)
    )


@router.post("/meetings/{meeting_id}/sign", response=MeetingDetail, summary="签发会议纪要")
def meeting_sign(request: HttpRequest, meeting_id: int, payload: SignIn) -> Any:
    meeting = selectors.access_meeting(_viewer(request), meeting_id)
    services.minutes_sign(
        actor=request.user, meeting=meeting, signed_by=payload.signed_by, text=payload.text
    )
    return _meeting_detail(meeting)


class MotionIn(InputSchema):
    votes_for: int = Field(..., ge=0, le=100000)
    votes_against: int = Field(0, ge=0, le=100000)
    votes_abstain: int = Field(0, ge=0, le=100000)


@router.post("/agenda/{item_id}/vote", response=ItemOut, summary="议案表决")
def motion_vote(request: HttpRequest, item_id: int, payload: MotionIn) -> AgendaItem:
    from gonghui.core.scope import access

    item = access(AgendaItem.objects.select_related("meeting"), _viewer(request), pk=item_id)
    return services.motion_vote(
        actor=request.user,
        item=item,
        votes_for=payload.votes_for,
        votes_against=payload.votes_against,
        votes_abstain=payload.votes_abstain,
    )


# --- elections -------------------------------------------------------------------------------


class ElectionIn(InputSchema):
    bounds = (Election,)

    committee_id: int
    title: str
    seats: int = Field(..., ge=1, le=999)
    method: str = Field(..., description="equal（等额）/ competitive（差额）")
    candidates: list[str] = Field(default_factory=list, max_length=999)
    members: list[int] = Field(
        default_factory=list, max_length=999, description="会员库中的候选人（会员编号）"
    )
    position: str = "member"
    by_election: bool = False
    secret_online: bool = False


class CandidateOut(Schema):
    id: int
    name: str
    write_in: bool
    elected: bool
    votes: int
    reason: str


class CountOut(Schema):
    candidate_id: int
    approve: int
    disapprove: int
    abstain: int


class RoundOut(Schema):
    id: int
    number: int
    seats: int
    status: str
    secret_online: bool
    entitled: int
    present: int
    issued: int
    returned: int
    valid: int
    invalid: int
    summary: str
    candidates: list[int]
    counts: list[CountOut]

    @staticmethod
    def resolve_candidates(obj: Round) -> list[int]:
        return [c.pk for c in obj.candidates.all()]

    @staticmethod
    def resolve_counts(obj: Round) -> list[dict[str, int]]:
        return [
            {
                "candidate_id": c.candidate_id,
                "approve": c.approve,
                "disapprove": c.disapprove,
                "abstain": c.abstain,
            }
            for c in obj.counts.all()
        ]


class ElectionDetail(ElectionOut):
    meeting_id: int
    committee_id: int
    candidates: list[CandidateOut]
    rounds: list[RoundOut]
    elected: list[str]

    @staticmethod
    def resolve_candidates(obj: Election) -> list[Candidate]:
        return list(obj.candidates.all())

    @staticmethod
    def resolve_rounds(obj: Election) -> list[Round]:
        return list(obj.rounds.all())

    @staticmethod
    def resolve_elected(obj: Election) -> list[str]:
        return [c.name for c in obj.candidates.filter(elected=True).order_by("-votes", "order")]


def _election_detail(election: Election) -> Election:
    return election


@router.post(
    "/meetings/{meeting_id}/elections",
    response={201: ElectionDetail},
    summary="安排选举（候选人名单）",
)
def election_create(request: HttpRequest, meeting_id: int, payload: ElectionIn) -> Any:
    meeting = selectors.access_meeting(_viewer(request), meeting_id)
    committee = selectors.access_committee(_viewer(request), payload.committee_id)
    election = services.election_create(
        actor=request.user,
        meeting=meeting,
        committee=committee,
        title=payload.title,
        seats=payload.seats,
        method=payload.method,
        candidates=payload.candidates,
        position=payload.position,
        by_election=payload.by_election,
        secret_online=payload.secret_online,
        members=_members(request.user, payload.members),
    )
    return Status(201, _election_detail(election))


def _members(user: Any, ids: list[int]) -> list[Any]:
    from gonghui.members.models import Member

    found = {m.pk: m for m in Member.objects.visible_to(user).filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise InvalidInput.one("members", _("未找到会员：%(ids)s") % {"ids": missing[:5]})
    return [found[i] for i in ids]


class CandidateIn(InputSchema):
    member: int | None = Field(None, ge=1, description="会员编号（会员库中的）")
    name: str = Field("", max_length=50, description="不在会员库中的候选人姓名")


@router.post(
    "/elections/{election_id}/candidates",
    response=ElectionDetail,
    summary="增加候选人（会员库或姓名）",
)
def candidate_add(request: HttpRequest, election_id: int, payload: CandidateIn) -> Any:
    election = selectors.access_election(_viewer(request), election_id)
    member = _members(request.user, [payload.member])[0] if payload.member else None
    services.candidate_add(actor=request.user, election=election, member=member, name=payload.name)
    return _election_detail(election)


@router.post(
    "/elections/{election_id}/candidates/{candidate_id}/remove",
    response=ElectionDetail,
    summary="移出候选人名单",
)
def candidate_remove(request: HttpRequest, election_id: int, candidate_id: int) -> Any:
    election = selectors.access_election(_viewer(request), election_id)
    candidate = election.candidates.filter(pk=candidate_id).first()
    if candidate is None:
        raise NotFound()
    services.candidate_remove(actor=request.user, election=election, candidate=candidate)
    return _election_detail(election)


@router.get("/elections", response=Page[ElectionOut], summary="选举列表")
def election_list(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    return paginate(
        selectors.elections_visible_to(_viewer(request)).order_by("-meeting__held_on", "-id"),
        params,
    )


@router.get(
    "/elections/{election_id}", response=ElectionDetail, summary="选举：候选人、轮次、计票与结果"
)
def election_get(request: HttpRequest, election_id: int) -> Any:
    return _election_detail(selectors.access_election(_viewer(request), election_id))


@router.post(
    "/elections/{election_id}/rounds",
    response={201: RoundOut},
    summary="开始一轮投票（须达法定人数）",
)
def round_open(request: HttpRequest, election_id: int) -> Any:
    election = selectors.access_election(_viewer(request), election_id)
    return Status(201, services.round_open(actor=request.user, election=election))


@router.post(
    "/elections/{election_id}/confirm", response=ElectionDetail, summary="确认任职（更新委员会）"
)
def election_confirm(request: HttpRequest, election_id: int) -> Any:
    election = selectors.access_election(_viewer(request), election_id)
    services.election_confirm(actor=request.user, election=election)
    return _election_detail(election)


class CountIn(InputSchema):
    candidate_id: int
    approve: int = Field(..., ge=0, le=1_000_000)
    disapprove: int = Field(0, ge=0, le=1_000_000)
    abstain: int = Field(0, ge=0, le=1_000_000)


class WriteInIn(InputSchema):
    name: str = Field(..., max_length=50)
    approve: int = Field(..., ge=0, le=1_000_000)


class PaperCountIn(InputSchema):
    issued: int = Field(..., ge=0, le=1_000_000)
    returned: int = Field(..., ge=0, le=1_000_000)
    valid: int = Field(..., ge=0, le=1_000_000)
    invalid: int = Field(0, ge=0, le=1_000_000)
    counts: list[CountIn] = Field(..., max_length=999)
    write_ins: list[WriteInIn] = Field(default_factory=list, max_length=999)


class OutcomeOut(Schema):
    void: bool
    quorum: bool
    base: int
    threshold: int
    elected: list[str]
    tied: list[str]
    empty_seats: int
    summary: str
    round: RoundOut


def _outcome(rnd: Round, outcome: counting.Outcome) -> dict[str, Any]:
    names = dict(rnd.election.candidates.values_list("pk", "name"))
    rnd.refresh_from_db()
    return {
        "void": outcome.void,
        "quorum": outcome.quorum,
        "base": outcome.base,
        "threshold": outcome.threshold,
        "elected": [names[int(c)] for c in outcome.elected],
        "tied": [names[int(c)] for c in outcome.tied],
        "empty_seats": outcome.empty_seats,
        "summary": outcome.summary,
        "round": rnd,
    }


@router.post("/rounds/{round_id}/count", response=OutcomeOut, summary="录入纸质选票计票结果")
def round_count(request: HttpRequest, round_id: int, payload: PaperCountIn) -> dict[str, Any]:
    rnd = selectors.access_round(_viewer(request), round_id)
    outcome = services.round_count(
        actor=request.user,
        round=rnd,
        issued=payload.issued,
        returned=payload.returned,
        valid=payload.valid,
        invalid=payload.invalid,
        counts={c.candidate_id: (c.approve, c.disapprove, c.abstain) for c in payload.counts},
        write_ins={w.name: w.approve for w in payload.write_ins},
    )
    return _outcome(rnd, outcome)


class CodeOut(Schema):
    person_name: str
    code: str


@router.post(
    "/rounds/{round_id}/codes", response=list[CodeOut], summary="发放一次性投票码（只显示一次）"
)
def round_codes(request: HttpRequest, round_id: int) -> list[dict[str, str]]:
    rnd = selectors.access_round(_viewer(request), round_id)
    return [
        {"person_name": e.person_name, "code": code}
        for e, code in services.codes_issue(actor=request.user, round=rnd)
    ]


@router.post("/rounds/{round_id}/close", response=OutcomeOut, summary="结束手机投票并计票")
def round_close(request: HttpRequest, round_id: int) -> dict[str, Any]:
    rnd = selectors.access_round(_viewer(request), round_id)
    return _outcome(rnd, services.round_close(actor=request.user, round=rnd))


class BallotIn(InputSchema):
    code: str = Field(..., max_length=32)
    choices: dict[int, str] = Field(
        default_factory=dict,
        max_length=999,
        description="候选人编号 → approve / disapprove / abstain",
    )
    write_ins: list[str] = Field(default_factory=list, max_length=99)


class CastOut(Schema):
    ok: bool


@router.post("/rounds/{round_id}/ballot", response=CastOut, summary="以一次性投票码投无记名票")
def ballot_cast(request: HttpRequest, round_id: int, payload: BallotIn) -> dict[str, bool]:
    rnd = (
        Round.objects.select_related("election", "org")
        .filter(pk=round_id, status=RoundStatus.OPEN, secret_online=True)
        .first()
    )
    if rnd is None:
        raise NotFound()
    services.ballot_cast(
        round=rnd, code=payload.code, choices=payload.choices, write_ins=payload.write_ins
    )
    return {"ok": True}


class BallotOut(Schema):
    choices: dict[str, str]
    valid: bool


class BoxOut(Schema):
    ballots: list[BallotOut]
    valid: int
    invalid: int
    counts: list[CountOut]
    matches: bool = Field(..., description="票箱合计与公布的计票结果一致")


@router.get(
    "/rounds/{round_id}/ballots", response=BoxOut, summary="票箱：全部选票（无投票人信息）与核对"
)
def round_ballots(request: HttpRequest, round_id: int) -> dict[str, Any]:
    rnd = selectors.access_round(_viewer(request), round_id)
    if not rnd.secret_online or rnd.status == RoundStatus.OPEN:
        raise NotFound()
    valid, invalid, counts, write_ins = services.ballot_box(rnd)
    published = {
        c["candidate_id"]: (c["approve"], c["disapprove"], c["abstain"])
        for c in rnd.counts.values("candidate_id", "approve", "disapprove", "abstain")
    }
    names = dict(rnd.election.candidates.values_list("name", "pk"))
    box = dict(counts)
    for name, n in write_ins.items():
        box[names[name]] = (n, 0, 0)
    box = {k: v for k, v in box.items() if k in published or any(v)}
    return {
        "ballots": list(rnd.ballots.order_by("id")),
        "valid": valid,
        "invalid": invalid,
        "counts": [
            {"candidate_id": k, "approve": a, "disapprove": d, "abstain": ab}
            for k, (a, d, ab) in sorted(box.items())
        ],
        "matches": box == published and valid == rnd.valid and invalid == rnd.invalid,
    }
