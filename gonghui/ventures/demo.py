"""The demo's entrepreneurship parks: the seed's "新培育市级工友创业园36个……带动10640人就业、
205人创业，其中困难职工422人" for 2020-01-01..2020-09-19, made from records, and the years since.

- 36 municipal-level parks recognised between January and early September 2020, three or four
  in each county-level federation's area, each registered by its county;
- 205 ventures started in them in the period, each with its founder (some from the member
  registry, migrant workers among them) and the support it received;
- 10,640 people taking a job at a venture in the period — a fifth of them members of the
  registry — and 422 hardship workers among the founders and those employed: each has a file
  of the assistance archive (一户一档) archived in 2019, so the flag is read from the archive
  like any other person's; the files were closed (解困脱困) in 2021, after the jobs;
- after the period, people join and leave the ventures every year; last year's review of each
  2020 venture (most go on, some pause or close); this year a few new parks and ventures and
  their first employees, so this year's figures are alive.

Deterministic (``random.Random``) and idempotent: parks by code, ventures by (park, name),
people by (venture, ID number), archive files by number. The people go in through the module's
set-based insert (``services.people_insert``); the review through its service.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from . import services
from .models import Level, Park, Person, Role, Status, Venture

if TYPE_CHECKING:
    from gonghui.demo.loaders import Output

SEED = 2020
CITY = "371700"
ACTOR = "cadre_city"
START, END = date(2020, 1, 1), date(2020, 9, 19)
PARKS_2020, FOUNDERS_2020, JOBS_2020, HARDSHIP_2020 = 36, 205, 10640, 422
HARDSHIP_FOUNDERS = 31  # of the 422: founders; the rest are people employed
MEMBER_SHARE = 0.2  # people employed who are members of the registry
PARK_NAMES = ("农民工返乡创业园", "工友创业园", "创业孵化基地", "电商创业园", "青年工友创业园")
HOSTS = ("总工会", "人力资源和社会保障局", "经济开发区管委会", "供销合作社")
SERVICES = "场地租金减免、创业培训、创业担保贷款对接、法律咨询、工会入会服务"
VENTURE_WORDS = (
    "鑫源",
    "恒达",
    "瑞丰",
    "宏图",
    "金诚",
    "华鑫",
    "永盛",
    "德润",
    "福兴",
    "嘉禾",
    "顺通",
    "天成",
    "昌盛",
    "兴旺",
    "正阳",
    "康源",
    "富民",
    "利民",
    "益农",
    "牡丹",
)
VENTURE_KINDS = (
    ("电商服务部", "F"),
    ("木制品加工厂", "C"),
    ("服装加工厂", "C"),
    ("家政服务社", "O"),
    ("农产品合作社", "A"),
    ("物流配送站", "G"),
    ("餐饮店", "H"),
    ("汽车维修部", "O"),
    ("手工艺品工坊", "C"),
    ("养殖场", "A"),
    ("建材经营部", "F"),
    ("网络科技工作室", "I"),
)
# a county's lat/lng centre (approximate), for the parks' positions
CENTRES = {
    "371702": (35.246, 115.441),
    "371703": (35.072, 115.574),
    "371721": (34.826, 115.549),
    "371722": (34.795, 116.088),
    "371723": (34.953, 115.890),
    "371724": (35.397, 116.094),
    "371725": (35.600, 115.943),
    "371726": (35.566, 115.510),
    "371728": (35.289, 115.090),
    "371771": (35.204, 115.513),
    "371772": (35.287, 115.532),
}


def _counties() -> list[Any]:
    from gonghui.orgs.models import Org

    return list(Org.objects.filter(parent__code=CITY, kind="county").order_by("code"))


def _day(rng: random.Random, low: date, high: date) -> date:
    return low + timedelta(days=rng.randint(0, max((high - low).days, 0)))


def _people(seed: int) -> Any:
    """People not in the registry nor in the archive (their ID numbers checked against both)."""
    from gonghui.assistance.models import Family
    from gonghui.core.fields import blind_index_for
    from gonghui.members.demo import PeopleGenerator
    from gonghui.members.models import Member

    generator = PeopleGenerator(seed)
    taken = set(Member.objects.values_list("id_number_bidx", flat=True)) | set(
        Family.objects.values_list("id_number_bidx", flat=True)
    )

    def one(county: str) -> tuple[str, str, str]:
        while True:
            person = generator.person(county, (1965, 2001))
            bidx = blind_index_for("citizen_id", person.id_number)
            if bidx not in taken:
                taken.add(bidx)
                return person.name, person.id_number, bidx

    return one


def _parks(actor: Any, rng: random.Random, counties: list[Any], today: date) -> list[Park]:
    parks: list[Park] = []
    plan: list[tuple[Any, int, str, date]] = []
    for i in range(PARKS_2020):
        county = counties[i % len(counties)]
        plan.append(
            (
                county,
                i // len(counties) + 1,
                Level.MUNICIPAL,
                _day(rng, date(2020, 1, 15), date(2020, 9, 10)),
            )
        )
    # this year: two municipal, two county-level parks
    for j, kind in enumerate((Level.MUNICIPAL, Level.MUNICIPAL, Level.COUNTY, Level.COUNTY)):
        county = counties[(j * 3) % len(counties)]
        low = min(date(today.year, 1, 10), today)
        plan.append((county, 10 + j, kind, _day(rng, low, max(low, today - timedelta(days=3)))))
    for county, n, level, on in plan:
        code = f"CYY-{county.code}-{n:02d}"
        park = Park.objects.filter(code=code).first()
        if park is None:
            lat, lng = CENTRES.get(county.code, (35.25, 115.45))
            short = county.short_name or county.name.replace("总工会", "")
            park = services.park_save(
                actor=actor,
                data={
                    "code": code,
                    "name": f"{short}{rng.choice(PARK_NAMES)}（{n}号）",
                    "level": level,
                    "host": f"{short}{rng.choice(HOSTS)}",
                    "org": county.code,
                    "address": f"{short}创业路{rng.randint(1, 300)}号",
                    "latitude": f"{lat + rng.uniform(-0.08, 0.08):.6f}",
                    "longitude": f"{lng + rng.uniform(-0.08, 0.08):.6f}",
                    "area": str(rng.randrange(3000, 40000, 500)),
                    "services": SERVICES,
                    "recognized_on": on,
                },
            )
        parks.append(park)
    return parks


def _venture(
    actor: Any, rng: random.Random, park: Park, k: int, started: date, founder: dict[str, Any]
) -> Venture:
    word, (kind, industry) = (
        VENTURE_WORDS[k % len(VENTURE_WORDS)],
        VENTURE_KINDS[k % len(VENTURE_KINDS)],
    )
    name = f"{word}{kind}（{park.code[-6:]}-{k}）"
    existing = Venture.objects.filter(park=park, name=name).first()
    if existing is not None:
        return existing
    return services.venture_save(
        actor=actor,
        park=park,
        data={
            "name": name,
            "industry": industry,
            "started_on": started,
            "loans": str(rng.choice((0, 50000, 100000, 150000, 200000, 300000))),
            "rent_relief": str(rng.choice((0, 6000, 12000, 24000, 36000))),
            "training": rng.randint(0, 4),
            **founder,
        },
    )


def _members(county: Any, rng: random.Random, used: set[int]) -> list[tuple[int, str, bool, str]]:
    """Active members of the county not in the assistance archive (their hardship, if any,
    is the loader's to make: the seed's 422 must count exactly)."""
    from gonghui.assistance.models import Family
    from gonghui.members.models import Member, WorkerType
    from gonghui.members.models import Status as MemberStatus

    in_archive = Family.objects.filter(member__isnull=False).values("member_id")
    rows = list(
        Member.objects.filter(org__path__startswith=county.path, status=MemberStatus.ACTIVE)
        .exclude(pk__in=used)
        .exclude(pk__in=in_archive)
        .exclude(id_number_bidx__in=Family.objects.values("id_number_bidx"))
        .order_by("pk")
        .values_list("pk", "name", "worker_type", "id_number_bidx")[:3000]
    )
    rng.shuffle(rows)
    return [(pk, name, kind == WorkerType.MIGRANT, bidx) for pk, name, kind, bidx in rows]


def _archive(
    actor: Any,
    rng: random.Random,
    chosen: list[tuple[Any, str, int | None]],
    archived: tuple[date, date],
    exited: date | None,
    prefix: str,
) -> int:
    """Archive files (一户一档) for the chosen people: (county, ID number, member id)."""
    from gonghui.assistance.models import Category, Family, Status
    from gonghui.orgs.models import Org

    unions: dict[int, list[Any]] = {}
    made = []
    for i, (county, number, member_id) in enumerate(chosen, start=1):
        key = f"{prefix}-{i:04d}"
        if Family.objects.filter(number=key).exists():
            continue
        if county.pk not in unions:
            unions[county.pk] = list(
                Org.objects.filter(path__startswith=county.path, kind="grassroots").order_by("pk")[
                    :50
                ]
            ) or [county]
        on = _day(rng, *archived)
        made.append(
            Family(
                org=rng.choice(unions[county.pk]),
                member_id=member_id,
                number=key,
                status=Status.EXITED if exited else Status.ARCHIVED,
                category=rng.choice((Category.DEEP, Category.RELATIVE, Category.RELATIVE)),
                name="",
                id_number=number,
                main_cause=rng.choice(("illness", "unemployment", "disability", "schooling")),
                applied_on=on - timedelta(days=30),
                year=on.year,
                archived_on=on,
                last_verified_on=on,
                exit_kind="relieved" if exited else "",
                exit_reason="通过创业园就业、创业实现解困脱困" if exited else "",
                exited_on=exited,
                entered_by=actor,
            )
        )
    for family in made:
        family.name = _name_of(family)
    Family.objects.bulk_create(made, batch_size=500)
    return len(made)


_NAMES: dict[str, str] = {}


def _name_of(family: Any) -> str:
    return _NAMES.get(family.id_number, "困难职工")


def load_ventures(stdout: Output) -> None:
    from gonghui.accounts.models import User
    from gonghui.members.models import Member

    actor = User.objects.filter(username=ACTOR).select_related("org").first()
    counties = _counties()
    if actor is None or not counties:
        stdout.write("工友创业园：缺少组织或账号，跳过\n")
        return
    today = timezone.localdate()
    rng = random.Random(SEED)
    if Person.objects.filter(started_on__range=(START, END)).exists():
        stdout.write("工友创业园：已载入\n")
        _this_year(actor, rng, counties, today)
        return
    parks = _parks(actor, rng, counties, today)
    seed_parks = parks[:PARKS_2020]
    by_county = {c.pk: c for c in counties}
    person = _people(SEED + 1)
    used: set[int] = set()
    pools = {c.pk: _members(c, random.Random(SEED + c.pk), used) for c in counties}

    def take_member(county: Any) -> tuple[int, str, bool, str] | None:
        pool = pools[county.pk]
        while pool:
            row = pool.pop()
            if row[0] not in used:
                used.add(row[0])
                return row
        return None

    # 205 founders: the first of each park's ventures with the hardship founders among them
    ventures: list[Venture] = []
    hardship: list[tuple[Any, str, int | None]] = []
    hardship_founders = set(rng.sample(range(FOUNDERS_2020), HARDSHIP_FOUNDERS))
    for k in range(FOUNDERS_2020):
        park = seed_parks[k % PARKS_2020]
        county = by_county[park.org_id]
        started = _day(rng, park.recognized_on, END)
        member = take_member(county) if rng.random() < 0.35 and k not in hardship_founders else None
        if member is not None:
            founder: dict[str, Any] = {"founder_member": str(member[0])}
        else:
            name, number, _bidx = person(county.code)
            _NAMES[number] = name
            founder = {
                "founder_name": name,
                "founder_id_number": number,
                "founder_migrant": rng.random() < 0.6,
            }
            if k in hardship_founders:
                hardship.append((county, number, None))
        ventures.append(_venture(actor, rng, park, k, started, founder))
    # 10,640 people employed, spread over the ventures (some employ many, most a few dozen)
    weights = [rng.paretovariate(1.6) for _ in ventures]
    total = sum(weights)
    counts = [max(1, int(JOBS_2020 * w / total)) for w in weights]
    counts[-1] += JOBS_2020 - sum(counts)
    while counts[-1] < 1:  # keep every count positive while the total stays exact
        i = counts.index(max(counts))
        counts[i] -= 1
        counts[-1] += 1
    rows: list[services.PersonRow] = []
    plain: list[int] = []  # indexes of rows not from the registry (hardship candidates)
    for venture, n in zip(ventures, counts, strict=True):
        county = by_county[venture.org_id]
        for _ in range(n):
            started = _day(rng, venture.started_on, END)
            member = take_member(county) if rng.random() < MEMBER_SHARE else None
            if member is not None:
                rows.append(
                    services.PersonRow(
                        venture, member[0], member[1], "", member[3], started, None, member[2]
                    )
                )
            else:
                name, number, bidx = person(county.code)
                _NAMES[number] = name
                plain.append(len(rows))
                rows.append(
                    services.PersonRow(
                        venture, None, name, number, bidx, started, None, rng.random() < 0.55
                    )
                )
    # the hardship workers among those employed: mostly outside the registry, some members
    wanted = HARDSHIP_2020 - HARDSHIP_FOUNDERS
    members_rows = [i for i, r in enumerate(rows) if r.member_id]
    chosen = rng.sample(plain, wanted - 40) + rng.sample(members_rows, 40)
    member_ids = {rows[i].member_id: i for i in chosen if rows[i].member_id}
    numbers = {m.pk: m.id_number for m in Member.objects.filter(pk__in=list(member_ids))}
    for m_pk, name in Member.objects.filter(pk__in=list(member_ids)).values_list("pk", "name"):
        _NAMES[numbers[m_pk]] = name
    for i in chosen:
        r = rows[i]
        county = by_county[r.venture.org_id]
        hardship.append((county, numbers[r.member_id] if r.member_id else r.id_number, r.member_id))
    # archived in 2019 — in force when the jobs began — and closed in 2021 (解困脱困)
    _archive(
        actor, rng, hardship, (date(2019, 2, 1), date(2019, 12, 20)), date(2021, 3, 31), "CY2019"
    )
    # founders' hardship was read when the ventures were written: read it again now
    services.hardship_refresh()
    services.people_insert(actor=actor, rows=rows, note="演示数据")
    _later_years(actor, rng, ventures, by_county, person, today)
    _review_last_year(actor, rng, ventures, today)
    _this_year(actor, rng, counties, today, parks[PARKS_2020:])
    stdout.write(
        f"工友创业园：{len(parks)} 个园区，{Venture.objects.count()} 个创业项目，"
        f"{Person.objects.count()} 人\n"
    )


def _later_years(
    actor: Any,
    rng: random.Random,
    ventures: list[Venture],
    by_county: dict[int, Any],
    person: Any,
    today: date,
) -> None:
    """After the period: a few join each venture every year; some of the 2020 people leave."""
    rows = []
    for venture in ventures:
        county = by_county[venture.org_id]
        for year in range(2020, today.year + 1):
            low = max(date(year, 1, 1), END + timedelta(days=1))
            high = min(date(year, 12, 31), today)
            if low > high:
                continue
            for _ in range(rng.randint(0, 4)):
                name, number, bidx = person(county.code)
                rows.append(
                    services.PersonRow(
                        venture,
                        None,
                        name,
                        number,
                        bidx,
                        _day(rng, low, high),
                        None,
                        rng.random() < 0.5,
                    )
                )
    services.people_insert(actor=actor, rows=rows, note="演示数据")
    # a tenth of the period's people have left since
    leavers = list(
        Person.objects.filter(role=Role.EMPLOYEE, started_on__range=(START, END))
        .order_by("pk")
        .values_list("pk", "started_on")
    )
    for pk, started in rng.sample(leavers, len(leavers) // 10):
        Person.objects.filter(pk=pk).update(ended_on=_day(rng, started + timedelta(days=90), today))


def _review_last_year(actor: Any, rng: random.Random, ventures: list[Venture], today: date) -> None:
    year = today.year - 1
    for venture in ventures:
        if venture.reviews.filter(year=year).exists():
            continue
        roll = rng.random()
        step, note = ("confirm", "")
        if roll < 0.04:
            step, note = "close", "经营困难，创业者申请注销"
        elif roll < 0.10:
            step, note = "suspend", "季节性停产"
        services.venture_review(
            actor=actor,
            venture=venture,
            step=step,
            year=year,
            note=note,
            reviewed_on=date(year, 12, 15),
        )


def _this_year(
    actor: Any,
    rng: random.Random,
    counties: list[Any],
    today: date,
    parks: list[Park] | None = None,
) -> None:
    """This year's ventures and their first people, up to today (run again: only what is
    missing). Hardship workers among them have files archived last year, still open."""
    parks = parks or list(Park.objects.filter(recognized_on__year=today.year).order_by("code"))
    if not parks or Venture.objects.filter(started_on__year=today.year).exists():
        return
    rng = random.Random(SEED + today.year)
    person = _people(SEED + today.year)
    by_county = {c.pk: c for c in counties}
    rows = []
    hardship: list[tuple[Any, str, int | None]] = []
    for k in range(12):
        park = parks[k % len(parks)]
        county = by_county[park.org_id]
        started = _day(rng, max(park.recognized_on, date(today.year, 1, 2)), today)
        name, number, _bidx = person(county.code)
        _NAMES[number] = name
        venture = _venture(
            actor,
            rng,
            park,
            500 + k,
            started,
            {"founder_name": name, "founder_id_number": number, "founder_migrant": True},
        )
        if venture.status != Status.OPERATING:
            continue
        for _ in range(rng.randint(4, 16)):
            name, number, bidx = person(county.code)
            _NAMES[number] = name
            rows.append(
                services.PersonRow(
                    venture,
                    None,
                    name,
                    number,
                    bidx,
                    _day(rng, started, today),
                    None,
                    rng.random() < 0.5,
                )
            )
            if rng.random() < 0.06:
                hardship.append((county, number, None))
    last = today.year - 1
    _archive(actor, rng, hardship, (date(last, 1, 10), date(last, 11, 30)), None, f"CY{today.year}")
    services.people_insert(actor=actor, rows=rows, note="演示数据")
