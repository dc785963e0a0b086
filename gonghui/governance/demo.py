"""The demo's governance, every record through the services:

- the seed: 菏泽市总工会第八届委员会 (45 seats), its 常务委员会 and 经费审查委员会, elected
  2016-11-20; in 2020 five committee members and four fund-audit members leave their posts;
  the 4th plenary of 2020-09-19 (40 entitled, 36 present) releases two vice-chairs by motion,
  by-elects five committee members (差额, 6 candidates) and four fund-audit members (差额, 5
  candidates) and elects one vice-chair (等额), on paper ballots; its minutes are signed.
  So the report of 2020-01-01..2020-09-19 says 替补委员会委员 5 名、经费审查委员会委员 4 名、
  选举副主席 1 名. The 9th committee is elected at the congress of 2021-12-28.
- grassroots unions' 换届: every other month since 2020-01 one grassroots union holds its
  member congress, elects its new committee (差额, paper) and the old one steps down; the last
  three are open at each stage (in preparation, in session with a round open, closed
  awaiting minutes); other grassroots committees' terms end in the coming months (yellow) or
  have ended without a congress (red), so the 换届 to-do is alive.

People are fictional (the seed page's officials are not used). Idempotent: a meeting is keyed
by its org, kind and day; a committee by org, kind and term.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from gonghui.demo.loaders import Output

SEED_DAY = date(2020, 9, 19)
CITY = "371700"
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋"
    "蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙"
    "万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕鹏辉建国志文斌宇浩凯健俊"
    "帆帅旭宁颖琳晨欣悦"
)


def person(i: int) -> str:
    """A fictional name, the same for the same number."""
    s = SURNAMES[i % len(SURNAMES)]
    g1 = GIVEN[(i * 7 + 3) % len(GIVEN)]
    g2 = GIVEN[(i * 13 + 5) % len(GIVEN)] if i % 3 else ""
    return f"{s}{g1}{g2}"


def _names(start: int, n: int, taken: set[str]) -> list[str]:
    out: list[str] = []
    i = start
    while len(out) < n:
        name = person(i)
        i += 1
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def _actor() -> Any:
    from gonghui.accounts.models import User

    return User.objects.filter(username="cadre_city").first()


def _committee(
    actor: Any,
    org: Any,
    kind: str,
    term: int,
    start: date,
    years: int,
    seats: int,
    names: list[str],
    positions: dict[int, str] | None = None,
) -> tuple[Any, bool]:
    from . import services
    from .models import Committee

    found = Committee.objects.filter(org=org, kind=kind, term_number=term).first()
    if found is not None:
        return found, False
    end = date(start.year + years, start.month, start.day) - timedelta(days=1)
    committee = services.committee_create(
        actor=actor,
        org=org,
        kind=kind,
        term_number=term,
        term_start=start,
        term_end=end,
        seats=seats,
    )
    for i, name in enumerate(names):
        services.seat_add(
            actor=actor,
            committee=committee,
            person_name=name,
            position=(positions or {}).get(i, "member"),
            since=start,
        )
    return committee, True


def _counts(rnd: Any, votes: dict[str, int], valid: int) -> dict[int, tuple[int, int, int]]:
    out = {}
    for c in rnd.candidates.all():
        approve = votes[c.name]
        out[c.pk] = (approve, max(0, valid - approve - 1), min(1, valid - approve))
    return out


def _elect(
    actor: Any,
    meeting: Any,
    committee: Any,
    title: str,
    seats: int,
    method: str,
    votes: dict[str, int],
    *,
    position: str = "member",
    by_election: bool = False,
    confirm: bool = True,
) -> Any:
    from . import services

    election = services.election_create(
        actor=actor,
        meeting=meeting,
        committee=committee,
        title=title,
        seats=seats,
        method=method,
        candidates=list(votes),
        position=position,
        by_election=by_election,
    )
    rnd = services.round_open(actor=actor, election=election)
    present = rnd.present
    services.round_count(
        actor=actor,
        round=rnd,
        issued=present,
        returned=present,
        valid=present,
        invalid=0,
        counts=_counts(rnd, votes, present),
    )
    election.refresh_from_db()
    if confirm:
        services.election_confirm(actor=actor, election=election)
    return election


def load_seed(actor: Any, stdout: Output) -> None:
    from gonghui.orgs.models import Org

    from . import services
    from .models import Meeting, MeetingKind

    city = Org.objects.filter(code=CITY).first()
    if city is None:
        return
    if Meeting.objects.filter(org=city, kind=MeetingKind.PLENARY, held_on=SEED_DAY).exists():
        stdout.write("组织建设：八届四次全委会已有\n")
        return
    taken: set[str] = set()
    start = date(2016, 11, 20)
    committee_names = _names(0, 45, taken)
    committee, _ = _committee(actor, city, "committee", 8, start, 5, 45, committee_names)
    # 常委会: 主席, 常务副主席 and five vice-chairs (all committee members), four 常委
    standing_positions = {0: "chair", **{i: "vice_chair" for i in range(1, 7)}}
    standing, _ = _committee(
        actor, city, "standing", 8, start, 5, 11, committee_names[:11], standing_positions
    )
    audit_names = _names(200, 7, taken)
    audit, _ = _committee(actor, city, "audit", 8, start, 5, 7, audit_names, {0: "director"})
    # in 2020, five committee members and four fund-audit members leave their posts
    for i, seat in enumerate(committee.seat_set.filter(until__isnull=True).order_by("-id")[:5]):
        services.seat_end(
            actor=actor, seat=seat, kind="resigned", on=date(2020, 3 + i, 10), note="工作变动"
        )
    for i, seat in enumerate(audit.seat_set.filter(until__isnull=True).order_by("-id")[:4]):
        services.seat_end(
            actor=actor, seat=seat, kind="resigned", on=date(2020, 4 + i, 15), note="工作变动"
        )
    tellers, scrutineers = _names(400, 2, taken), _names(410, 2, taken)
    meeting = services.meeting_create(
        actor=actor,
        org=city,
        kind=MeetingKind.PLENARY,
        title="菏泽市总工会第八届委员会第四次全体会议",
        held_on=SEED_DAY,
        committee=committee,
        place="菏泽市总工会会议室",
        presided_by=committee_names[1],
        tellers=tellers,
        scrutineers=scrutineers,
    )
    services.roll_from_seats(actor=actor, meeting=meeting)  # 40 entitled
    services.check_in_many(
        actor=actor, meeting=meeting, entries=list(meeting.roll.order_by("id")[:36])
    )
    services.agenda_add(
        actor=actor,
        meeting=meeting,
        kind="report",
        title="传达全总十七届七次主席团会议、全省工会重点工作推进会议精神",
    )
    vice_chairs = list(
        standing.seat_set.filter(position="vice_chair", until__isnull=True).order_by("-id")[:2]
    )
    release = services.agenda_add(
        actor=actor,
        meeting=meeting,
        kind="motion",
        title=f"关于{'、'.join(s.person_name for s in vice_chairs)}"
        "不再担任市总工会第八届委员会常委、副主席职务的议案",
        releases=vice_chairs,
    )
    services.meeting_open(actor=actor, meeting=meeting)
    services.motion_vote(actor=actor, item=release, votes_for=36, votes_against=0, votes_abstain=0)
    newcomers = _names(300, 6, taken)
    _elect(
        actor,
        meeting,
        committee,
        "替补市总工会第八届委员会委员",
        5,
        "competitive",
        dict(zip(newcomers, (35, 34, 33, 33, 31, 12), strict=True)),
        by_election=True,
    )
    audit_new = _names(320, 5, taken)
    _elect(
        actor,
        meeting,
        audit,
        "替补经费审查委员会委员",
        4,
        "competitive",
        dict(zip(audit_new, (34, 33, 32, 30, 15), strict=True)),
        by_election=True,
    )
    _elect(
        actor,
        meeting,
        standing,
        "选举市总工会第八届委员会常委、副主席",
        1,
        "equal",
        {committee_names[20]: 35},
        position="vice_chair",
        by_election=True,
    )
    services.agenda_add(actor=actor, meeting=meeting, kind="report", title="部署下一阶段工作任务")
    services.meeting_close(actor=actor, meeting=meeting)
    services.minutes_sign(
        actor=actor, meeting=meeting, signed_by=committee_names[1], on=date(2020, 9, 21)
    )
    # the 9th committee, elected at the congress of 2021-12-28
    _committee(actor, city, "committee", 9, date(2021, 12, 28), 5, 45, _names(500, 45, taken))
    stdout.write("组织建设：八届四次全委会（替补委员 5 名、经审委员 4 名、选举副主席 1 名）\n")


def congress_days(today: date) -> list[date]:
    """The 15th of every other month from 2020-01 up to today."""
    days: list[date] = []
    y, m = 2020, 1
    while True:
        day = date(y, m, 15)
        if day > today:
            return days
        days.append(day)
        m += 2
        if m > 12:
            y, m = y + 1, m - 12


def load_grassroots(actor: Any, stdout: Output, today: date) -> None:
    from gonghui.demo.loaders import DEMO_UNION
    from gonghui.members.models import Member
    from gonghui.orgs.models import Org

    from . import services
    from .models import Committee, Meeting, MeetingKind

    demo_union = Org.objects.filter(code=DEMO_UNION).first()
    unions = list(
        Org.objects.filter(kind="grassroots", active=True)
        .exclude(code=DEMO_UNION)
        .order_by("code")[:120]
    )
    if len(unions) < 80 or demo_union is None:
        stdout.write("组织建设：基层工会不足，跳过换届演示\n")
        return
    days = congress_days(today)
    made = 0
    for n, day in enumerate(days):
        stage = len(days) - n  # 3: in preparation, 2: in session, 1: closed; else complete
        org = demo_union if stage == 2 else unions[n % 60]
        if Meeting.objects.filter(org=org, kind=MeetingKind.CONGRESS, held_on=day).exists():
            continue
        taken: set[str] = set()
        old_names = _names(1000 + n * 40, 5, taken)
        first = date(day.year - 5, day.month, day.day) + timedelta(days=2)
        old, _ = _committee(actor, org, "committee", 1, first, 5, 5, old_names, {0: "chair"})
        new = Committee.objects.filter(org=org, kind="committee", term_number=2).first()
        if new is None:
            new = services.committee_create(
                actor=actor,
                org=org,
                kind="committee",
                term_number=2,
                term_start=day,
                term_end=date(day.year + 5, day.month, day.day) - timedelta(days=1),
                seats=5,
            )
        delegates = _names(1100 + n * 40, 18, taken)
        meeting = services.meeting_create(
            actor=actor,
            org=org,
            kind=MeetingKind.CONGRESS,
            title=f"{org.name}第二次会员代表大会",
            held_on=day,
            place=f"{org.name}会议室",
            presided_by=old_names[0],
            tellers=_names(1150 + n * 40, 1, taken),
            scrutineers=_names(1160 + n * 40, 1, taken),
        )
        services.roll_bulk(actor=actor, meeting=meeting, names=old_names + delegates)
        made += 1
        member = Member.objects.filter(user__username="member", org=org).first()
        if stage == 2 and member is not None:  # the demo member votes on the phone
            services.roll_add(
                actor=actor, meeting=meeting, person_name=member.name, member_id=member.pk
            )
        if stage == 3:
            continue
        present = list(meeting.roll.order_by("id")[:20]) + list(
            meeting.roll.filter(member__isnull=False)
        )
        services.check_in_many(actor=actor, meeting=meeting, entries=present)
        services.meeting_open(actor=actor, meeting=meeting)
        candidates = _names(1170 + n * 40, 6, taken)
        votes = dict(zip(candidates, (20, 19, 18, 17, 16, 6), strict=True))
        if stage == 2:
            election = services.election_create(
                actor=actor,
                meeting=meeting,
                committee=new,
                title="选举第二届委员会委员",
                seats=5,
                method="competitive",
                candidates=candidates,
                secret_online=True,
            )
            services.round_open(actor=actor, election=election)
            continue
        _elect(actor, meeting, new, "选举第二届委员会委员", 5, "competitive", votes)
        services.meeting_close(actor=actor, meeting=meeting)
        if stage == 1:
            continue
        services.minutes_sign(actor=actor, meeting=meeting, signed_by=old_names[0], on=day)
    # terms ending soon (yellow) or ended without a congress (red)
    due = 0
    for k, org in enumerate(unions[60:72]):
        end = today + timedelta(days=(k - 3) * 15)
        start = date(end.year - 5, end.month, min(end.day, 28)) + timedelta(days=1)
        taken = set()
        _c, created = _committee(
            actor, org, "committee", 1, start, 5, 5, _names(3000 + k * 10, 5, taken), {0: "chair"}
        )
        due += created
    stdout.write(f"组织建设：基层工会换届大会新建 {made} 次，任期将满的委员会新建 {due} 个\n")


def load_governance(stdout: Output) -> None:
    from django.utils import timezone

    actor = _actor()
    if actor is None:
        stdout.write("组织建设：缺少演示账号 cadre_city，跳过\n")
        return
    load_seed(actor, stdout)
    load_grassroots(actor, stdout, timezone.localdate())
