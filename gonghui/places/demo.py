"""The demo's service places: Heze's outdoor-worker stations ("Heze has 560+", DOMAIN.md —
566 open on 2020-09-19, and a few dozen more each year since), the city's and each county's
workers' cultural palace, 职工之家 of grassroots unions and 会员之家 of the townships that
run one; the yearly star reviews (each year's confirmed by the city early the next year,
this year's under way at every step) and members' ratings month by month up to today.

Positions are spread around each county's seat (``geo.CENTRES``), so the map and the
nearest search have something true to draw. Members rate from a pool of demo member accounts
(``places-rater-NNN``, with no password: nobody logs in as them). Deterministic
(``random.Random(2020)``) and idempotent: places by code, reviews by (place, year), ratings
by (place, member, month). History is written in bulk; this year's open reviews go through
the services (with a small evidence file each), as a user would take them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from . import checklists, geo, services
from .models import Kind, Place, Rating, Review, ReviewEvent, ReviewStatus

if TYPE_CHECKING:
    from gonghui.demo.loaders import Output

SEED = 2020
CITY = "371700"
STATIONS_2020 = 566
PERIOD_END = date(2020, 9, 19)
STATIONS_A_YEAR = 36
RATERS = 150
HOMES_PER_COUNTY = 8
STREETS = ("中华路", "人民路", "长江路", "黄河路", "和平路", "康庄路", "牡丹路", "青年路",
           "建设路", "解放街", "府前街", "东方红大街", "南京路", "八一路", "北京路")  # fmt: skip
SPOTS = ("环卫所", "加油站", "银行网点", "社区服务中心", "公交站", "快递网点", "商场", "医院",
         "政务服务中心", "汽车站")  # fmt: skip
STATION_SERVICES = "饮水、休息、手机充电、饭菜加热、如厕、应急药箱"
EVIDENCE_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
    "9c6360000002000100e221bc330000000049454e44ae426082"
)


def _counties() -> list[Any]:
    from gonghui.orgs.models import Org

    return list(
        Org.objects.filter(parent__code=CITY, kind="county", code__in=list(geo.CENTRES)).order_by(
            "code"
        )
    )


def _children(county: Any, kind: str) -> list[Any]:
    from gonghui.orgs.models import Org

    return list(Org.objects.filter(path__startswith=county.path, kind=kind).order_by("code"))


def _point(rng: random.Random, code: str, spread: float) -> tuple[float, float]:
    _n, lng, lat = geo.CENTRES[code]
    return (
        round(lng + rng.uniform(-spread, spread) / geo.SCALE, 6),
        round(lat + rng.uniform(-spread, spread), 6),
    )


def _checklist(rng: random.Random, kind: str, full: float) -> dict[str, bool]:
    """Most places meet every item; the others miss one or two."""
    keys = [k for k, _l in checklists.items(kind)]
    missing = set() if rng.random() < full else set(rng.sample(keys, rng.randint(1, 2)))
    return {k: k not in missing for k in keys}


@dataclass(frozen=True)
class Home:
    """One kind of home the demo holds in every county: whose homes they are, and how their
    rows read. The draws of ``owners`` and ``opened`` are the loader's stream: their order is
    what keeps the demo's figures the same."""

    kind: str
    prefix: str
    suffix: str
    hours: str
    services: str
    full: float
    owners: Callable[[random.Random, Any], list[Any]]
    name: Callable[[Any], str]
    address: Callable[[Any, Any], str]
    opened: Callable[[random.Random, int], date]


def _sampled_unions(rng: random.Random, county: Any) -> list[Any]:
    unions = _children(county, "grassroots")
    return rng.sample(unions, min(HOMES_PER_COUNTY, len(unions)))


def _workers_home_opened(rng: random.Random, i: int) -> date:
    # every third home opened before 2020; randint's bounds decide the draws, so both stay
    if i % 3:
        return date(rng.randint(2012, 2020), rng.randint(1, 12), 1)
    return date(rng.randint(2012, 2019), rng.randint(1, 12), 1)


HOMES = (
    Home(
        kind=Kind.WORKERS_HOME,
        prefix="ZGZJ",
        suffix="职工之家",
        hours="工作日 8:30-17:30",
        services="职工书屋、活动室、心理疏导、母婴室",
        full=0.5,
        owners=_sampled_unions,
        name=lambda union: union.name,
        address=lambda union, county: union.address or f"菏泽市{geo.CENTRES[county.code][0]}",
        opened=_workers_home_opened,
    ),
    Home(
        kind=Kind.MEMBERS_HOME,
        prefix="HYZJ",
        suffix="会员之家",
        hours="工作日 9:00-17:00",
        services="入会登记、法律咨询、就业信息、困难帮扶",
        full=0.6,
        owners=lambda rng, county: _children(county, "township")[:2],
        name=lambda township: township.name,
        address=lambda township, county: (
            f"菏泽市{geo.CENTRES[county.code][0]}{township.name.removesuffix('工会')}"
        ),
        opened=lambda rng, i: date(rng.randint(2018, 2020), rng.randint(1, 6), 1),
    ),
)


def _plan(counties: list[Any], today: date) -> list[Place]:
    """Every place the demo holds, as unsaved rows (deterministic)."""
    rng = random.Random(SEED)
    weights = [3 if c.code in geo.SEATS else 1 for c in counties]
    places: list[Place] = []
    # stations: 566 by the seed's day, then STATIONS_A_YEAR a year (prorated this year)
    dates: list[date] = []
    for _i in range(STATIONS_2020):
        dates.append(
            date(2016, 1, 1) + timedelta(days=rng.randint(0, (PERIOD_END - date(2016, 1, 1)).days))
        )
    for year in range(2020, today.year + 1):
        start = PERIOD_END + timedelta(days=1) if year == 2020 else date(year, 1, 1)
        end = min(today, date(year, 12, 31))
        share = (end - start).days / 365
        for _i in range(round(STATIONS_A_YEAR * share)):
            dates.append(start + timedelta(days=rng.randint(0, max(0, (end - start).days))))
    numbers: dict[str, int] = {}
    townships = {c.code: _children(c, "township") or [c] for c in counties}
    for opened in dates:
        county = rng.choices(counties, weights)[0]
        numbers[county.code] = numbers.get(county.code, 0) + 1
        owner = rng.choice(townships[county.code]) if rng.random() < 0.6 else county
        spread = 0.16 if county.code in geo.SEATS else 0.04
        lng, lat = _point(rng, county.code, spread)
        place_name = geo.CENTRES[county.code][0]
        spot = rng.choice(SPOTS)
        street = rng.choice(STREETS)
        places.append(
            Place(
                code=f"YZ-{county.code}-{numbers[county.code]:03d}",
                name=f"{place_name}{street}{spot}户外劳动者驿站",
                kind=Kind.STATION,
                org=owner,
                county=county,
                address=f"菏泽市{place_name}{street}{rng.randint(1, 999)}号{spot}内",
                longitude=lng,
                latitude=lat,
                hours=rng.choice(("全天", "7:00-19:00", "8:00-18:00", "6:30-20:30")),
                services=STATION_SERVICES,
                phone=f"0530-{rng.randint(2000000, 8999999)}",
                opened_on=opened,
                checklist=_checklist(rng, Kind.STATION, 0.7),
            )
        )
    # the cultural palaces: the city's and each county's
    city = counties[0].parent
    lng, lat = _point(rng, "371702", 0.02)
    places.append(
        Place(
            code="WHG-371700",
            name="菏泽市工人文化宫",
            kind=Kind.PALACE,
            org=city,
            county=None,
            address="菏泽市牡丹区中华路",
            longitude=lng,
            latitude=lat,
            hours="9:00-21:00",
            services="职工教育培训、文体活动、技能竞赛、普惠服务",
            opened_on=date(1986, 5, 1),
            checklist=_checklist(rng, Kind.PALACE, 1.0),
        )  # fmt: skip
    )
    for county in counties:
        if county.code not in geo.SEATS:
            continue
        lng, lat = _point(rng, county.code, 0.01)
        name = geo.CENTRES[county.code][0]
        places.append(
            Place(
                code=f"WHG-{county.code}",
                name=f"{name}工人文化宫",
                kind=Kind.PALACE,
                org=county,
                county=county,
                address=f"菏泽市{name}{rng.choice(STREETS)}{rng.randint(1, 300)}号",
                longitude=lng,
                latitude=lat,
                hours="9:00-21:00",
                services="职工教育培训、文体活动、技能竞赛、普惠服务",
                opened_on=date(rng.randint(1985, 2012), rng.randint(1, 12), 1),
                checklist=_checklist(rng, Kind.PALACE, 0.6),
            )  # fmt: skip
        )
    # 职工之家 of grassroots unions, 会员之家 of townships: one loop over the two kinds, each
    # county's homes drawn in the order the figures were first made with
    for county in counties:
        for home in HOMES:
            owners = home.owners(rng, county)
            for i, owner in enumerate(owners):
                lng, lat = _point(rng, county.code, 0.12 if county.code in geo.SEATS else 0.03)
                places.append(
                    Place(
                        code=f"{home.prefix}-{owner.code}",
                        name=f"{home.name(owner)}{home.suffix}",
                        kind=home.kind,
                        org=owner,
                        county=county,
                        address=home.address(owner, county),
                        longitude=lng,
                        latitude=lat,
                        hours=home.hours,
                        services=home.services,
                        opened_on=home.opened(rng, i),
                        checklist=_checklist(rng, home.kind, home.full),
                    )
                )
    for p in places:
        p.opened_on = min(p.opened_on, today)
    return places


def _raters(counties: list[Any]) -> list[Any]:
    from django.contrib.auth.hashers import make_password

    from gonghui.accounts.models import User

    have = {u.username: u for u in User.objects.filter(username__startswith="places-rater-")}
    rng = random.Random(SEED + 5)
    unions = [u for c in counties for u in _children(c, "grassroots")] or counties
    family = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
    given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂"
    new = []
    for n in range(1, RATERS + 1):
        name = f"places-rater-{n:03d}"
        if name in have:
            continue
        new.append(
            User(
                username=name,
                role="member",
                org=rng.choice(unions),
                password=make_password(None),  # unusable: nobody logs in
                full_name=rng.choice(family) + rng.choice(given) + rng.choice(given),
            )  # fmt: skip
        )
    User.objects.bulk_create(new, batch_size=500)
    return list(User.objects.filter(username__startswith="places-rater-").order_by("username"))


def _months(start: date, end: date) -> list[date]:
    out, day = [], start.replace(day=1)
    while day <= end:
        out.append(day)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return out


def _insert(model: type[Any], columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Rows (in ``columns`` order, already in database form: ``core.bulk.db_literal``) written
    in one statement stream, no model instance per row; the other columns at their defaults."""
    from gonghui.core import bulk

    if not rows:
        return
    defaults = bulk.column_defaults(model, columns)
    rest = tuple(defaults.values())
    bulk.insert_rows(model._meta.db_table, [*columns, *defaults], (r + rest for r in rows))


def _ratings(places: list[Place], raters: list[Any], today: date) -> int:
    from gonghui.core.bulk import db_literal

    have = set(Rating.objects.values_list("place_id", "user_id", "month"))
    now = db_literal(timezone.now())
    new: list[tuple[Any, ...]] = []
    for place in places:
        # each place its own stream: what is drawn never depends on what is already there
        rng = random.Random(f"{SEED}-ratings-{place.code}")
        if place.kind == Kind.STATION and rng.random() < 0.5:
            continue  # about half the stations are ever rated
        quality = rng.choice((3, 4, 4, 5, 5))
        for month in _months(max(place.opened_on, date(2020, 1, 1)), today):
            day = db_literal(month)
            for user in rng.sample(raters, rng.randint(0, 3)):
                score = max(1, min(5, quality + rng.choice((-1, 0, 0, 0, 1))))
                key = (place.pk, user.pk, month)
                if key in have:
                    continue
                have.add(key)
                new.append((place.pk, user.pk, day, score, "", now))
    _insert(Rating, ["place_id", "user_id", "month", "score", "comment", "created_at"], new)
    return len(new)


def _history(places: list[Place], today: date) -> int:
    """The confirmed reviews of every past year: self-assessed in November, reviewed by the
    county in December, confirmed by the city in the first months of the next year."""
    from gonghui.core.bulk import db_literal

    have = set(Review.objects.values_list("place_id", "year"))
    reviews: list[Review] = []
    for place in places:
        for year in range(max(2019, place.opened_on.year), today.year):
            rng = random.Random(f"{SEED}-review-{place.code}-{year}")
            confirmed = date(year + 1, rng.randint(1, 4), rng.randint(1, 28))
            skipped = rng.random() < 0.35
            if (place.pk, year) in have or confirmed > today or skipped:
                continue
            cap = checklists.max_stars(place.kind, place.checklist)
            stars = rng.randint(max(1, cap - 2), cap)
            submitted = date(year, 11, rng.randint(1, 25))
            reviews.append(
                Review(
                    place=place,
                    year=year,
                    status=ReviewStatus.CONFIRMED,
                    checklist=checklists.clean(place.kind, place.checklist),
                    self_stars=min(cap, stars + rng.choice((0, 0, 1))),
                    submitted_on=submitted,
                    county_stars=stars,
                    county_on=date(year, 12, rng.randint(1, 28)),
                    stars=stars,
                    confirmed_on=confirmed,
                )  # fmt: skip
            )
    Review.objects.bulk_create(reviews, batch_size=1000)
    saved = {
        (place_id, year): (pk, stars)
        for pk, place_id, year, stars in Review.objects.filter(
            status=ReviewStatus.CONFIRMED
        ).values_list("pk", "place_id", "year", "stars")
    }
    now = db_literal(timezone.now())
    events = [
        (saved[(r.place.pk, r.year)][0], action, stars, db_literal(on), "", now, None, None)
        for r in reviews
        for action, stars, on in (
            ("submit", r.self_stars, r.submitted_on),
            ("county_pass", r.county_stars, r.county_on),
            ("confirm", r.stars, r.confirmed_on),
        )
        if on is not None
    ]  # fmt: skip
    _insert(
        ReviewEvent,
        ["review_id", "action", "stars", "on", "note", "at", "actor_id", "actor_org_id"],
        events,
    )
    # each place carries its latest confirmed stars: one UPDATE per (stars, year), not a
    # CASE of a branch per place
    latest: dict[int, tuple[int, int]] = {}
    for (place_id, year), (_pk, given) in saved.items():
        if place_id not in latest or year > latest[place_id][1]:
            latest[place_id] = (int(given or 0), int(year))
    changed: dict[tuple[int, int], list[int]] = {}
    for place in places:
        last = latest.get(place.pk)
        if last and (place.stars, place.stars_year) != last:
            place.stars, place.stars_year = last
            changed.setdefault(last, []).append(place.pk)
    for (given, year), ids in changed.items():
        Place.objects.filter(pk__in=ids).update(stars=given, stars_year=year)
    return len(reviews)


def _this_year(places: list[Place], today: date) -> int:
    """This year's reviews at every step, through the services as users take them."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gonghui.accounts.models import User

    admin = User.objects.filter(username="admin").first()
    if admin is None:
        return 0
    rng = random.Random(SEED + today.year)
    have = set(Review.objects.filter(year=today.year).values_list("place_id", flat=True))
    chosen = [p for p in places if p.kind != Kind.STATION or rng.random() < 0.05]
    chosen = [p for p in chosen if p.opened_on.year < today.year][:40]
    done = 0
    for i, place in enumerate(chosen):
        if place.pk in have:
            continue
        review = services.review_start(actor=admin, place=place, year=today.year)
        stage = i % 4  # 0: draft, 1: submitted, 2: county passed, 3: returned
        done += 1
        if stage == 0:
            continue
        cap = checklists.max_stars(place.kind, review.checklist)
        services.evidence_add(
            actor=admin,
            review=review,
            upload=SimpleUploadedFile("门牌照片.png", EVIDENCE_PNG, content_type="image/png"),
            label="门牌和服务公示照片",
        )
        services.review_act(actor=admin, review=review, action="submit", data={"self_stars": cap})
        county = (
            User.objects.filter(org=place.county, role="cadre").first() if place.county else None
        )
        reviewer = county or admin
        if stage == 1 or not services.may_take(reviewer, review, "county_pass"):
            continue
        if stage == 3:
            services.review_act(
                actor=reviewer, review=review, action="county_return",
                data={"reason": "请补充服务台账照片"},
            )  # fmt: skip
            continue
        services.review_act(
            actor=reviewer, review=review, action="county_pass", data={"county_stars": cap}
        )
    return done


def load_places(stdout: Output) -> None:
    counties = _counties()
    if not counties:
        stdout.write("服务阵地：缺少组织，跳过\n")
        return
    today = timezone.localdate()
    planned = _plan(counties, today)
    have = set(
        Place.objects.filter(code__in=[p.code for p in planned]).values_list("code", flat=True)
    )
    Place.objects.bulk_create([p for p in planned if p.code not in have], batch_size=1000)
    places = list(Place.objects.filter(code__in=[p.code for p in planned]).order_by("id"))
    raters = _raters(counties)
    rated = _ratings(places, raters, today)
    reviewed = _history(places, today)
    current = _this_year(places, today)
    stations = sum(1 for p in places if p.kind == Kind.STATION)
    stdout.write(
        f"服务阵地 {len(places)} 个（驿站 {stations} 个）；新增会员评价 {rated} 条；"
        f"历年星级评定 {reviewed} 项；本年度评定 {current} 项\n"
    )
