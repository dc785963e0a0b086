"""The demo's activities: the seed's 2020 — the 4th "书香三八" reading campaign, "爱祖国·爱家乡·
奋进新时代", the founding of the city's 新时代文明实践送温暖志愿服务队 and its monthly visits, the
national cyber-security week's volunteer day of 2020-09-20 — and, every month since, reading
sessions, volunteer service and talks, with this month's still open for sign-up (one already
full, with its waiting list; the demo member signed up to one).

History is written with ``bulk_create`` (attendances as they were taken); the services write
what users do from then on. Deterministic and idempotent: an activity by (org, title, start).
"""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from .models import Activity, Kind, Signup, SignupStatus, Team, TeamMember, TeamRole

if TYPE_CHECKING:
    from gonghui.demo.loaders import Output

SEED = 2020
CITY = "371700"
TEAM_NAME = "菏泽市新时代文明实践送温暖志愿服务队"
ACTOR = "cadre_city"
PLAN_2020 = [
    # (title, kind, day, hours, capacity, attendees, volunteer hours)
    ("第四届“书香三八”读书活动启动仪式", Kind.READING, date(2020, 3, 6), 3, 300, 260, 0),
    ("“阅读强素质·奋斗建新功”女职工读书分享会", Kind.READING, date(2020, 4, 23), 2, 120, 104, 0),
    ("“爱祖国·爱家乡·奋进新时代”主题宣讲", Kind.CAMPAIGN, date(2020, 5, 12), 2, 0, 180, 0),
    ("送温暖志愿服务队成立暨首次入户走访", Kind.VOLUNTEER, date(2020, 5, 20), 4, 40, 36, 4),
    ("“双城同创”志愿服务", Kind.VOLUNTEER, date(2020, 6, 18), 3, 60, 52, 3),
    ("夏季高温慰问一线职工志愿服务", Kind.VOLUNTEER, date(2020, 7, 22), 4, 40, 38, 4),
    ("“弘扬三种精神·共圆百年梦想”主题教育", Kind.CAMPAIGN, date(2020, 8, 14), 2, 0, 150, 0),
    ("困难职工子女助学志愿服务", Kind.VOLUNTEER, date(2020, 8, 26), 3, 30, 28, 3),
    ("国家网络安全宣传周志愿活动", Kind.VOLUNTEER, date(2020, 9, 20), 4, 50, 46, 4),
]
MONTHLY = [
    ("{m}月职工读书会", Kind.READING, 2, 80, 0),
    ("{m}月送温暖入户走访", Kind.VOLUNTEER, 4, 30, 4),
    ("{m}月网络安全与防诈骗讲座", Kind.CAMPAIGN, 2, 0, 0),
]


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def load_activities(stdout: Output) -> None:
    from gonghui.accounts.models import User
    from gonghui.members.models import Member
    from gonghui.orgs.models import Org

    city = Org.objects.filter(code=CITY).first()
    actor = User.objects.filter(username=ACTOR).first()
    if city is None or actor is None:
        stdout.write("职工活动：缺少组织或账号，跳过\n")
        return
    rng = random.Random(SEED)
    today = timezone.localdate()
    pool = list(
        Member.objects.filter(status="active").order_by("pk").values_list("pk", flat=True)[:6000]
    )
    if len(pool) < 400:
        stdout.write("职工活动：会员不足，跳过\n")
        return
    team, made = Team.objects.get_or_create(
        org=city,
        name=TEAM_NAME,
        defaults={
            "founded_on": date(2020, 5, 20),
            "description": "成立于2020年5月，开展送温暖入户走访、双城同创等志愿服务。",
        },
    )
    volunteers = rng.sample(pool, 40)
    if made:
        TeamMember.objects.bulk_create(
            [
                TeamMember(
                    team=team,
                    member_id=pk,
                    role=TeamRole.LEADER if i == 0 else TeamRole.MEMBER,
                    joined_on=date(2020, 5, 20) if i < 30 else date(2021, 3, 1) + timedelta(days=i),
                )
                for i, pk in enumerate(volunteers)
            ]
        )
    plan = [(t, k, _at(d, 9), h, c, n, v) for t, k, d, h, c, n, v in PLAN_2020]
    day = date(2020, 10, 15)
    while day <= today + timedelta(days=20):
        for j, (title, kind, hours, capacity, vhours) in enumerate(MONTHLY):
            when = day + timedelta(days=j * 7)
            if when > today + timedelta(days=20):
                continue
            attendees = 0 if when >= today else int((capacity or 90) * rng.uniform(0.6, 0.95))
            plan.append(
                (
                    f"{when.year}年" + title.format(m=when.month),
                    kind,
                    _at(when, 14),
                    hours,
                    capacity,
                    attendees,
                    vhours,
                )
            )
        day = (day.replace(day=1) + timedelta(days=32)).replace(day=15)
    have = set(Activity.objects.filter(org=city).values_list("title", "starts_at"))
    written = 0
    for title, kind, starts, length, capacity, attendees, vhours in plan:
        if (title, starts) in have:
            continue
        activity = Activity.objects.create(
            org=city,
            title=title,
            kind=kind,
            team=team if kind == Kind.VOLUNTEER else None,
            starts_at=starts,
            ends_at=starts + timedelta(hours=length),
            place=rng.choice(
                ("菏泽市职工服务中心", "市总工会职工书屋", "牡丹区各社区", "菏泽市图书馆")
            ),
            capacity=capacity,
            hours=Decimal(vhours),
            checkin_token=secrets.token_urlsafe(24),
            created_by=actor,
        )
        written += 1
        people = volunteers[:attendees] if kind == Kind.VOLUNTEER else rng.sample(pool, attendees)
        queued = starts - timedelta(days=5)
        Signup.objects.bulk_create(
            [
                Signup(
                    activity=activity,
                    member_id=pk,
                    status=SignupStatus.CONFIRMED,
                    queued_at=queued + timedelta(minutes=i),
                    attended=True,
                    checked_in_at=starts + timedelta(minutes=rng.randint(-20, 15)),
                    checked_in_by="qr" if rng.random() < 0.8 else "clerk",
                    hours=Decimal(vhours),
                )
                for i, pk in enumerate(people)
            ]
        )
        if starts.date() >= today and capacity:
            # still open: half full, or (the first volunteer visit) full with a waiting list
            full = kind == Kind.VOLUNTEER
            taken = capacity if full else capacity // 2
            chosen = rng.sample(pool, taken + (3 if full else 0))
            Signup.objects.bulk_create(
                [
                    Signup(
                        activity=activity,
                        member_id=pk,
                        status=SignupStatus.CONFIRMED if i < taken else SignupStatus.WAITING,
                        queued_at=timezone.now() - timedelta(hours=taken + 3 - i),
                    )
                    for i, pk in enumerate(chosen)
                ]
            )
    _demo_member(today)
    stdout.write(f"职工活动：{written} 场活动，志愿服务队 {team.roll.count()} 人\n")


def _demo_member(today: date) -> None:
    """The demo member is signed up to the next reading session they can reach."""
    from gonghui.members.models import Member

    member = Member.objects.filter(user__username="member").first()
    if member is None:
        return
    upcoming = (
        Activity.objects.filter(starts_at__date__gte=today, kind=Kind.READING, cancelled=False)
        .order_by("starts_at")
        .first()
    )
    if upcoming is None or Signup.objects.filter(activity=upcoming, member=member).exists():
        return
    Signup.objects.create(
        activity=upcoming, member=member, status=SignupStatus.CONFIRMED, queued_at=timezone.now()
    )


__all__: list[Any] = ["load_activities"]
