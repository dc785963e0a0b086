"""The demo's honours and competitions, every record made through the services.

For the seed's report period (2020-01-01..2020-09-19) the records give the page's figures:
18 collectives (菏泽市五一劳动奖状) and 120 "抗疫先锋" (菏泽市五一劳动奖章) named in April, 74
"菏泽工匠" candidates passed up in the summer (with two more stopped by vetting, which do not
count), 36 "农民工之星" named in August, and 10 key-project labour competitions begun in the
spring (牡丹机场, 鲁南高铁, 黄河滩区居民迁建 …).

The current year is alive: its 五一 rounds named in spring, a 工人先锋号 round taking
nominations (proposals arriving every month so far, places allotted to the counties), a
菏泽工匠 round in its online vote, a 农民工之星 round on public notice (one objection waiting),
and a labour competition begun every month up to today.

Idempotent: a round is keyed by its title (which holds its year), a competition by its
organiser and title; what exists is left alone. Fast: a few hundred service calls.
"""

from __future__ import annotations

import contextlib
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gonghui.demo.loaders import Output

from . import services
from .models import Award, Competition, CompetitionStatus, Nomination, Round, Tag

SEED = 2020_16
CITY = "371700"
ACTOR = "cadre_city"

PROJECTS = [
    ("牡丹机场", "菏泽牡丹机场建设"),
    ("鲁南高铁", "鲁南高铁菏泽段建设"),
    ("黄河滩区居民迁建", "黄河滩区居民迁建工程"),
    ("京九高铁", "京九高铁（雄商段）菏泽段"),
    ("东明石化", "东明石化新材料项目"),
    ("巨野煤电", "巨野煤电一体化项目"),
    ("菏泽港", "菏泽内河航运港口建设"),
    ("城区棚改", "中心城区棚户区改造"),
    ("现代医药港", "菏泽现代医药港"),
    ("济菏高速", "济菏高速改扩建"),
]
# (name, weight): each scored out of 100
INDICATORS = [
    ("工程进度", 30),
    ("安全生产", 30),
    ("工程质量", 20),
    ("技术创新", 10),
    ("文明施工", 10),
]
PHASES = ["启动", "推进", "决赛/总结"]
TEAMS = ["第一项目部", "第二项目部", "钢筋班组", "机电安装班组", "测量班组"]
CRAFT_SCORING: list[dict[str, Any]] = [
    {"key": "basic", "label": "基本条件", "max": 20},
    {"key": "skill", "label": "绝技绝活", "max": 30},
    {"key": "innovation", "label": "创新成果", "max": 30},
    {"key": "lead", "label": "传帮带作用", "max": 20},
]
QUOTAS = [
    {"tag": "frontline", "op": "min", "percent": 60},
    {"tag": "unit_head", "op": "max", "percent": 15},
    {"tag": "woman", "op": "min", "percent": 20},
]


def _award(code: str) -> Award:
    return Award.objects.get(code=code)


def _members(rng: random.Random, n: int, on: date, *, migrant: bool = False) -> list[Any]:
    """``n`` members in good standing on ``on``, spread over the city (every k-th by id)."""
    from gonghui.members.models import Member, Status, WorkerType

    qs = Member.objects.filter(status=Status.ACTIVE, joined_on__lte=on).select_related("org")
    if migrant:
        qs = qs.filter(worker_type=WorkerType.MIGRANT)
    ids = list(qs.order_by("id").values_list("id", flat=True))
    if len(ids) < n:
        return list(qs.filter(id__in=ids))
    step = len(ids) // n
    offset = rng.randrange(step)
    chosen = [ids[offset + i * step] for i in range(n)]
    by_id = {m.pk: m for m in qs.filter(id__in=chosen)}
    return [by_id[i] for i in chosen]


def _enterprises(rng: random.Random, n: int) -> list[Any]:
    from gonghui.orgs.models import Enterprise

    ids = list(Enterprise.objects.order_by("id").values_list("id", flat=True))
    if not ids:
        return []
    picked = rng.sample(ids, min(n, len(ids)))
    by_id = {e.pk: e for e in Enterprise.objects.filter(id__in=picked).select_related("county")}
    return [by_id[i] for i in picked]


def _tags(rng: random.Random) -> list[str]:
    tags = []
    if rng.random() < 0.72:
        tags.append(Tag.FRONTLINE.value)
    elif rng.random() < 0.35:
        tags.append(Tag.UNIT_HEAD.value)
    if rng.random() < 0.5:
        tags.append(Tag.INDUSTRIAL.value)
    return tags


def _county_of(org: Any, counties: dict[int, Any]) -> Any:
    """The county federation above ``org`` (its nominating level), else the org itself."""
    for part in org.path.strip("/").split("/"):
        if int(part) in counties:
            return counties[int(part)]
    return org


def _round(
    actor: Any,
    city: Any,
    code: str,
    title: str,
    year: int,
    places: int,
    opens_on: date,
    closes_on: date,
    **extra: Any,
) -> Round | None:
    """A new round (None when it exists), opened for nominations."""
    if Round.objects.filter(org=city, title=title).exists():
        return None
    round = services.round_create(
        actor=actor,
        org=city,
        award=_award(code),
        title=title,
        year=year,
        places=places,
        opens_on=opens_on,
        closes_on=closes_on,
        **extra,
    )
    return services.round_step(actor=actor, round=round, step="open", today=opens_on)


def _nominate(
    actor: Any,
    round: Round,
    rng: random.Random,
    counties: dict[int, Any],
    on: date,
    *,
    members: list[Any] | None = None,
    enterprises: list[Any] | None = None,
    select: bool = True,
    deeds: str = "",
) -> list[Nomination]:
    out = []
    for i, nominee in enumerate(members or enterprises or []):
        org = nominee.org if members else nominee.county
        day = on + timedelta(days=i % 20)
        nom = services.nomination_create(
            actor=actor,
            round=round,
            org=_county_of(org, counties),
            member=nominee if members else None,
            enterprise=nominee if enterprises else None,
            team=TEAMS[i % len(TEAMS)] if round.award.kind == "team" else "",
            tags=_tags(rng) if members else [],
            deeds=deeds,
            nominated_on=day,
        )
        if select:
            nom = services.nomination_select(actor=actor, nomination=nom)
        out.append(nom)
    return out


def _publish_and_name(actor: Any, round: Round, publish_on: date, name_on: date) -> None:
    services.round_step(actor=actor, round=round, step="close", today=publish_on)
    services.round_step(actor=actor, round=round, step="publish", today=publish_on)
    services.round_step(actor=actor, round=round, step="name", today=name_on)


def _season_2020(actor: Any, city: Any, counties: dict[int, Any], out: Output) -> None:
    rng = random.Random(SEED)
    made = 0
    r = _round(
        actor,
        city,
        "wuyi_award",
        "2020年抗疫先进集体（菏泽市五一劳动奖状）",
        2020,
        18,
        date(2020, 3, 2),
        date(2020, 3, 20),
        criteria="直接参与新冠肺炎确诊患者救治、病毒检验处置等工作中涌现出的先进集体。",
    )
    if r is not None:
        _nominate(
            actor,
            r,
            rng,
            counties,
            date(2020, 3, 2),
            enterprises=_enterprises(rng, 18),
            deeds="疫情防控期间坚守一线，组织有力，成效显著。",
        )
        _publish_and_name(actor, r, date(2020, 4, 1), date(2020, 4, 20))
        made += 1
    r = _round(
        actor,
        city,
        "wuyi_medal",
        "2020年抗疫先锋（菏泽市五一劳动奖章）",
        2020,
        120,
        date(2020, 3, 2),
        date(2020, 3, 20),
        quota_rules=QUOTAS,
        criteria="直接参与新冠肺炎确诊患者救治、病毒检验处置等工作的一线人员。",
    )
    if r is not None:
        _nominate(
            actor,
            r,
            rng,
            counties,
            date(2020, 3, 2),
            members=_members(rng, 120, date(2020, 3, 1)),
            deeds="疫情防控期间冲锋在前，表现突出。",
        )
        _publish_and_name(actor, r, date(2020, 4, 1), date(2020, 4, 20))
        made += 1
    r = _round(
        actor,
        city,
        "craftsman",
        "2020年“菏泽工匠”选树",
        2020,
        80,
        date(2020, 6, 1),
        date(2020, 8, 31),
        quota_rules=QUOTAS,
        scoring=CRAFT_SCORING,
        drop_extremes=True,
        vote_enabled=True,
        criteria="扎根一线、技艺精湛、业绩突出、具有绝技绝活和创新成果的高技能人才。",
    )
    if r is not None:
        people = _members(rng, 76, date(2020, 6, 1))
        noms = _nominate(
            actor,
            r,
            rng,
            counties,
            date(2020, 6, 1),
            members=people[:74],
            deeds="从事本职岗位十年以上，技术革新成果显著。",
        )
        stopped = _nominate(
            actor, r, rng, counties, date(2020, 7, 1), members=people[74:], select=False
        )
        services.vetting_record(
            actor=actor,
            nomination=stopped[0],
            body="safety",
            passed=False,
            reason="所在班组当年发生一般生产安全事故",
        )
        services.vetting_record(
            actor=actor,
            nomination=stopped[1],
            body="discipline",
            passed=False,
            reason="正在接受纪律审查",
        )
        services.round_step(actor=actor, round=r, step="close", today=date(2020, 9, 1))
        services.round_step(actor=actor, round=r, step="score", today=date(2020, 10, 9))
        for nom in noms:
            services.score_submit(
                actor=actor,
                nomination=nom,
                marks={c["key"]: c["max"] - rng.randrange(0, 6) for c in CRAFT_SCORING},
            )
        services.round_step(actor=actor, round=r, step="publish", today=date(2020, 11, 2))
        services.round_step(actor=actor, round=r, step="name", today=date(2020, 11, 20))
        made += 1
    r = _round(
        actor,
        city,
        "migrant_star",
        "2020年“农民工之星”",
        2020,
        36,
        date(2020, 6, 1),
        date(2020, 7, 15),
    )
    if r is not None:
        _nominate(
            actor,
            r,
            rng,
            counties,
            date(2020, 6, 1),
            members=_members(rng, 36, date(2020, 6, 1), migrant=True),
            deeds="外出务工返乡创业，带动就业。",
        )
        _publish_and_name(actor, r, date(2020, 8, 3), date(2020, 8, 20))
        made += 1
    comps = 0
    for i, (short, project) in enumerate(PROJECTS):
        start = date(2020, 3, 1) + timedelta(days=10 * i)
        comps += _competition(
            actor,
            city,
            rng,
            f"2020年{short}重点工程立功竞赛",
            project,
            start,
            date(2020, 12, 31),
            date(2021, 1, 15),
        )
    out.write(f"评先评优（2020年）：新建评选 {made} 项、劳动竞赛 {comps} 项\n")


def _competition(
    actor: Any,
    org: Any,
    rng: random.Random,
    title: str,
    project: str,
    starts_on: date,
    ends_on: date,
    today: date,
) -> int:
    """A competition with its phases (启动, 推进, 决赛/总结), weighted indicators, four units and
    their scores in every phase begun by ``today`` — so its page shows a ranking."""
    if Competition.objects.filter(org=org, title=title).exists():
        return 0
    comp = services.competition_create(
        actor=actor,
        org=org,
        title=title,
        project=project,
        starts_on=starts_on,
        ends_on=ends_on,
        indicators=[name for name, _w in INDICATORS],
        description=f"围绕{project}开展安全、质量、进度、创新立功竞赛。",
    )
    for name, weight in INDICATORS:
        services.competition_indicator_save(
            actor=actor, competition=comp, name=name, weight=weight, max_score=100
        )
    span = (ends_on - starts_on).days
    bounds = [
        starts_on,
        starts_on + timedelta(days=span // 3),
        starts_on + timedelta(days=2 * span // 3),
    ]
    phases = [
        services.competition_phase_save(
            actor=actor,
            competition=comp,
            name=name,
            starts_on=bounds[k],
            ends_on=(bounds[k + 1] - timedelta(days=1)) if k < 2 else ends_on,
            position=k + 1,
        )
        for k, name in enumerate(PHASES)
    ]
    if starts_on <= today:
        comp = services.competition_step(actor=actor, competition=comp, step="start")
    units = [
        services.competition_join(
            actor=actor, competition=comp, enterprise=enterprise, team=TEAMS[j % len(TEAMS)]
        )
        for j, enterprise in enumerate(_enterprises(rng, 4))
    ]
    if comp.status == CompetitionStatus.RUNNING:
        indicators = list(comp.indicator_rows.all())
        entries = [
            services.ScoreEntry(
                unit=unit,
                indicator=indicator,
                phase=phase,
                score=Decimal(100 - rng.randrange(3, 30) - 4 * j),
            )
            for phase in phases
            if phase.starts_on <= today
            for j, unit in enumerate(units)
            for indicator in indicators
        ]
        services.competition_scores_save(
            actor=actor, competition=comp, entries=entries, source="演示数据"
        )
    if ends_on < today and comp.status == CompetitionStatus.RUNNING:
        services.competition_step(actor=actor, competition=comp, step="finish")
    return 1


def _nominate_from_ranking(actor: Any, year: int) -> None:
    """The newest running competition's top two teams proposed for the year's 工人先锋号 (a
    proposal each, for the counties to weigh; nothing when they are already proposed)."""
    comp = (
        Competition.objects.filter(status=CompetitionStatus.RUNNING, starts_on__year=year)
        .order_by("-starts_on")
        .first()
    )
    round = Round.objects.filter(title=f"{year}年菏泽市工人先锋号").first()
    if comp is None or round is None:
        return
    top = list(comp.units.exclude(rank=None).order_by("rank", "id")[:2])
    with contextlib.suppress(services.ServiceError):
        services.competition_nominate(
            actor=actor, competition=comp, round=round, units=top, select=False
        )


def _this_year(actor: Any, city: Any, counties: dict[int, Any], today: date, out: Output) -> None:
    from gonghui.core import notices

    year = today.year
    rng = random.Random(SEED + year)
    jan = date(year, 1, 5)
    made = 0
    if today >= date(year, 5, 1):
        r = _round(
            actor,
            city,
            "wuyi_medal",
            f"{year}年菏泽市五一劳动奖章",
            year,
            30,
            date(year, 2, 10),
            date(year, 3, 10),
            quota_rules=QUOTAS,
        )
        if r is not None:
            _nominate(
                actor,
                r,
                rng,
                counties,
                date(year, 2, 10),
                members=_members(rng, 30, date(year, 2, 1)),
            )
            _publish_and_name(actor, r, date(year, 3, 20), date(year, 4, 20))
            made += 1
    r = _round(
        actor, city, "pioneer", f"{year}年菏泽市工人先锋号", year, 40, jan, date(year, 12, 31)
    )
    if r is not None:
        for i, county in enumerate(sorted(counties.values(), key=lambda o: o.code)):
            services.round_allot(actor=actor, round=r, org=county, places=3 if i < 10 else 2)
        months = (today.year - jan.year) * 12 + today.month
        enterprises = _enterprises(rng, months * 2)
        for i, enterprise in enumerate(enterprises):
            day = min(today, date(year, 1 + i // 2, 5 + 10 * (i % 2)))
            nom = services.nomination_create(
                actor=actor,
                round=r,
                org=_county_of(enterprise.county, counties),
                enterprise=enterprise,
                team=TEAMS[i % len(TEAMS)],
                nominated_on=day,
            )
            if i % 3 == 0:
                # the county's places may be used up: then it stays a proposal
                with contextlib.suppress(services.Conflict):
                    services.nomination_select(actor=actor, nomination=nom)
        made += 1
    r = _round(
        actor,
        city,
        "craftsman",
        f"{year}年“菏泽工匠”选树",
        year,
        20,
        jan,
        max(jan, today - timedelta(days=20)),
        quota_rules=QUOTAS,
        scoring=CRAFT_SCORING,
        drop_extremes=True,
        vote_enabled=True,
        vote_daily_limit=50,
    )
    if r is not None:
        _nominate(actor, r, rng, counties, jan, members=_members(rng, 20, jan))
        services.round_step(actor=actor, round=r, step="close", today=today)
        services.round_step(actor=actor, round=r, step="vote", today=today)
        made += 1
    r = _round(
        actor,
        city,
        "migrant_star",
        f"{year}年“农民工之星”",
        year,
        12,
        jan,
        max(jan, today - timedelta(days=30)),
    )
    if r is not None:
        noms = _nominate(actor, r, rng, counties, jan, members=_members(rng, 12, jan, migrant=True))
        services.round_step(actor=actor, round=r, step="close", today=today)
        services.round_step(actor=actor, round=r, step="publish", today=today)
        notice = notices.notice_of(noms[0])
        if notice is not None:
            notices.object_to(
                notice, text="反映该同志长期不在本单位务工，请核实。", name="匿名", today=today
            )
        made += 1
    comps = 0
    for month in range(1, today.month + 1):
        short, project = PROJECTS[(month - 1) % len(PROJECTS)]
        start = date(year, month, 3)
        if start > today:
            break
        comps += _competition(
            actor,
            city,
            rng,
            f"{year}年{month}月{short}劳动竞赛",
            project,
            start,
            start + timedelta(days=90),
            today,
        )
    if comps:
        _nominate_from_ranking(actor, year)
    out.write(f"评先评优（{year}年）：新建评选 {made} 项、劳动竞赛 {comps} 项\n")


def load_honors(stdout: Output) -> None:
    from gonghui.accounts.models import User
    from gonghui.orgs.models import Org, OrgKind

    actor = User.objects.filter(username=ACTOR).select_related("org").first()
    city = Org.objects.filter(code=CITY).first()
    if actor is None or city is None or not Award.objects.exists():
        stdout.write("评先评优：缺少演示账号或组织，跳过\n")
        return
    counties = {o.pk: o for o in Org.objects.filter(parent=city, kind=OrgKind.COUNTY)}
    _season_2020(actor, city, counties, stdout)
    _this_year(actor, city, counties, timezone.localdate(), stdout)
