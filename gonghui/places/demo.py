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
    # 职工之家 of grassroots unions, 会员之家 of townships
    for county in counties:
        unions = _children(county, "grassroots")
        for i, union in enumerate(rng.sample(unions, min(HOMES_PER_COUNTY, len(unions)))):
            lng, lat = _point(rng, county.code, 0.12 if county.code in geo.SEATS else 0.03)
            places.append(
                Place(
                    code=f"ZGZJ-{union.code}",
                    name=f"{union.name}职工之家",
                    kind=Kind.WORKERS_HOME,
                    org=union,
                    county=county,
                    address=union.address or f"菏泽市{geo.CENTRES[county.code][0]}",
                    longitude=lng,
                    latitude=lat,
                    hours="工作日 8:30-17:30",
                    services="职工书屋、活动室、心理疏导、母婴室",
                    opened_on=date(rng.randint(2012, 2020), rng.randint(1, 12), 1)
                    if i % 3
                    else date(rng.randint(2012, 2019), rng.randint(1, 12), 1),
                    checklist=_checklist(rng, Kind.WORKERS_HOME, 0.5),
                )  # fmt: skip
            )
        for township in _children(county, "township")[:2]:
            lng, lat = _point(rng, county.code, 0.12 if county.code in geo.SEATS else 0.03)
            places.append(
                Place(
                    code=f"HYZJ-{township.code}",
                    name=f"{township.name}会员之家",
                    kind=Kind.MEMBERS_HOME,
                    org=township,
                    county=county,
                    address=f"菏泽市{geo.CENTRES[county.code][0]}{township.name.removesuffix('工会')}",
                    longitude=lng,
                    latitude=lat,
                    hours="工作日 9:00-17:00",
                    services="入会登记、法律咨询、就业信息、困难帮扶",
                    opened_on=date(rng.randint(2018, 2020), rng.randint(1, 6), 1),
                    checklist=_checklist(rng, Kind.MEMBERS_HOME, 0.6),
                )  # fmt: skip
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


def _ratings(places: list[Place], raters: list[Any], today: date) -> int:
    have = set(Rating.objects.values_list("place_id", "user_id", "month"))
    new: list[Rating] = []
    for place in places:
        # each place its own stream: what is drawn never depends on what is already there
        rng = random.Random(f"{SEED}-ratings-{place.code}")
        if place.kind == Kind.STATION and rng.random() < 0.5:
            continue  # about half the stations are ever rated
        quality = rng.choice((3, 4, 4, 5, 5))
        for month in _months(max(place.opened_on, date(2020, 1, 1)), today):
            for user in rng.sample(raters, rng.randint(0, 3)):
                score = max(1, min(5, quality + rng.choice((-1, 0, 0, 0, 1))))
                key = (place.pk, user.pk, month)
                if key in have:
                    continue
                have.add(key)
                new.append(Rating(place=place, user=user, month=month, score=score))
    for block in range(0, len(new), 2000):
        Rating.objects.bulk_create(new[block : block + 2000])
    return len(new)


def _history(places: list[Place], today: date) -> int:
    """The confirmed reviews of every past year: self-assessed in November, reviewed by the
    county in December, confirmed by the city in the first months of the next year."""
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
    saved = {(r.place_id, r.year): r for r in Review.objects.filter(status=ReviewStatus.CONFIRMED)}
    events: list[ReviewEvent] = []
    for r in reviews:
        row = saved[(r.place.pk, r.year)]
        events += [
            ReviewEvent(review=row, action=action, stars=stars, on=on)
            for action, stars, on in (
                ("submit", r.self_stars, r.submitted_on),
                ("county_pass", r.county_stars, r.county_on),
                ("confirm", r.stars, r.confirmed_on),
            )
            if on is not None
        ]  # fmt: skip
    ReviewEvent.objects.bulk_create(events, batch_size=2000)
    # each place carries its latest confirmed stars
    latest: dict[int, Review] = {}
    for row in saved.values():
        if row.place_id not in latest or row.year > latest[row.place_id].year:
            latest[row.place_id] = row
    changed = []
    for place in places:
        last = latest.get(place.pk)
        if last and (place.stars, place.stars_year) != (last.stars, last.year):
            place.stars, place.stars_year = last.stars or 0, last.year
            changed.append(place)
    Place.objects.bulk_update(changed, ["stars", "stars_year"], batch_size=1000)
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
