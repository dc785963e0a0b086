"""The demo roster: some forty thousand members over the demo's grassroots unions.

Deterministic (``random.Random(2017)``, the year of 会员实名制) so that running the demo twice
generates the same people, and idempotent: a person whose ID number's blind index is already
in the table is skipped. Realistic enough to search and to report on: surnames drawn by their
frequency, valid ID numbers with Heze region codes (the 菏泽地区 ``3729xx`` codes for people
born before 1980, as their cards still carry them), mobile numbers, join dates mostly before
2020 and a share within the seed's period 2020-01-01..2020-09-19, a few withdrawals,
suspensions and transfers, workers of union-less employers in the townships' 会员之家, and the
demo member account's own record. Written with ``bulk_create`` in batches.

The roster then lives on up to the day of loading (``load_living``): from 2026 (where the
generated join dates end) every month brings its new members — more in March, once the
Spring Festival's job changes settle, and in September — and from the autumn of 2020 every
month some members move to another union (会籍接转) or leave (离职). Each month draws from its
own seed, so a month is the same whatever the day of loading, and what exists is skipped.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import connection, models

from gonghui.core import audit, bulk
from gonghui.core.fields import BlindIndexField, blind_index_for
from gonghui.core.identifiers import citizen_id_check_char

from .models import (
    Education,
    EventKind,
    JoinApplication,
    Member,
    MemberHome,
    MembershipEvent,
    Status,
    WorkerType,
)
from .services import derived_columns

if TYPE_CHECKING:
    from gonghui.demo.loaders import Output

SEED = 2017
MEMBERSHIP_RATE = 0.25  # of an enterprise's headcount, so ~40k members over ~157k workers
BATCH = 2000
PERIOD = (date(2020, 1, 1), date(2020, 9, 19))

# Surnames of the demo in frequency order (王 李 张 刘 …): drawn with Zipf-like weights.
SURNAMES = (
    "王李张刘陈杨赵孙周吴徐马朱胡郭何高林郑梁宋谢韩唐冯于董程曹袁邓许沈彭吕苏卢蒋蔡贾丁魏"
    "薛叶阎潘杜戴夏田任姜范方石姚谭邹金陆郝孔白崔康毛邱秦史侯邵孟段雷钱尹常武乔贺"
)
_SURNAME_WEIGHTS = [1 / (rank + 1) ** 0.85 for rank in range(len(SURNAMES))]
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国志文斌辉玲婷雪宁"
    "庆东卫学海燕春梅晓凤德胜长青立新民金永爱俊浩宇欣怡子涵佳琪梓萱振保丹彤亮鑫凯波"
)
COUNTY_REGION = {"371771": "371702", "371772": "371702"}  # the zones issue no ID numbers
OLD_REGION = {  # 菏泽地区 before 2000
    "371702": "372901", "371721": "372922", "371722": "372923", "371723": "372924",
    "371724": "372925", "371725": "372926", "371726": "372927", "371703": "372928",
    "371728": "372930",
}  # fmt: skip
MOBILE_PREFIXES = [
    f"1{n}"
    for n in (
        30,
        31,
        32,
        33,
        35,
        36,
        37,
        38,
        39,
        50,
        51,
        52,
        53,
        55,
        56,
        57,
        58,
        59,
        66,
        76,
        77,
        78,
        80,
        81,
        82,
        83,
        85,
        86,
        87,
        88,
        89,
        98,
        99,
    )
]
ETHNICITIES = ["汉族"] * 97 + ["回族", "回族", "满族"]
EDUCATION = [
    (Education.JUNIOR, 22), (Education.SENIOR, 30), (Education.COLLEGE, 22),
    (Education.BACHELOR, 20), (Education.POSTGRAD, 3), (Education.PRIMARY, 3),
]  # fmt: skip
WORKER_TYPES = [
    (WorkerType.EMPLOYEE, 70), (WorkerType.MIGRANT, 20), (WorkerType.DISPATCHED, 6),
    (WorkerType.GIG, 4),
]  # fmt: skip


@dataclass
class Person:
    name: str
    sex: str
    birth_date: date
    id_number: str
    phone: str


class PeopleGenerator:
    """Distinct people: a name by surname frequency, a valid ID, a mobile number."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.ids: set[str] = set()
        self.phones: set[str] = set()

    def name(self, sex: str) -> str:
        rng = self.rng
        surname = rng.choices(SURNAMES, _SURNAME_WEIGHTS)[0]
        length = 2 if rng.random() < 0.7 else 1
        return surname + "".join(rng.choice(GIVEN_CHARS) for _ in range(length))

    def person(self, county: str, born: tuple[int, int] = (1962, 2002)) -> Person:
        rng = self.rng
        while True:
            birth = date(rng.randint(*born), 1, 1) + timedelta(days=rng.randrange(365))
            region = COUNTY_REGION.get(county, county)
            if birth.year < 1980 and region in OLD_REGION and rng.random() < 0.5:
                region = OLD_REGION[region]
            seq = rng.randrange(1, 1000)
            body = f"{region}{birth:%Y%m%d}{seq:03d}"
            number = body + citizen_id_check_char(body)
            if number not in self.ids:
                self.ids.add(number)
                break
        sex = "M" if seq % 2 else "F"
        phone = ""
        if rng.random() < 0.96:
            while True:
                phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
                if phone not in self.phones:
                    self.phones.add(phone)
                    break
        return Person(self.name(sex), sex, birth, number, phone)


def _weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Any:
    return rng.choices([p for p, _ in pairs], [w for _, w in pairs])[0]


def _join_date(rng: random.Random, earliest: date) -> date:
    roll = rng.random()
    if roll < 0.07:
        start, end = PERIOD
    elif roll < 0.12:
        start, end = date(2020, 9, 20), date(2025, 12, 31)
    else:
        start, end = date(1995, 1, 1), date(2019, 12, 31)
    start = max(start, earliest)
    if start > end:
        start = earliest
        end = max(earliest, date(2025, 12, 31))
    return start + timedelta(days=rng.randrange((end - start).days + 1))


@dataclass
class Slot:
    """Where generated members go: a union, its county, an employer and how many."""

    org: Any
    county: str
    employer: Any
    count: int
    earliest: date


def _slots(rng: random.Random) -> list[Slot]:
    from gonghui.orgs.models import Enterprise, Org, OrgKind

    slots: list[Slot] = []
    from gonghui.demo.heze import enterprise_codes

    enterprises = (
        Enterprise.objects.filter(uscc__in=enterprise_codes())
        .select_related("union", "county")
        .order_by("uscc")
    )
    townships: dict[int, Org] = {}
    for org in Org.objects.filter(kind=OrgKind.TOWNSHIP, active=True).order_by("code"):
        townships.setdefault(org.parent_id or 0, org)
    for e in enterprises:
        if e.union is not None and e.union.active and e.union.kind == OrgKind.GRASSROOTS:
            count = max(3, round(e.headcount * MEMBERSHIP_RATE * rng.uniform(0.7, 1.3)))
            earliest = e.union.founded_on or date(1995, 1, 1)
            slots.append(Slot(e.union, e.county.code, e, count, earliest))
        elif e.union is None and e.county_id in townships:
            # Workers of a union-less employer join the township's 会员之家 — enough of them,
            # for some employers, to be flagged.
            slots.append(Slot(townships[e.county_id], e.county.code, e, rng.randint(4, 15),
                              date(2018, 1, 1)))  # fmt: skip
    return slots


def generate(rng: random.Random, people: PeopleGenerator) -> Iterator[tuple[Slot, Member]]:
    for slot in _slots(rng):
        for _ in range(slot.count):
            p = people.person(slot.county)
            joined = _join_date(rng, max(slot.earliest, p.birth_date + timedelta(days=18 * 366)))
            member = Member(
                name=p.name,
                sex=p.sex,
                birth_date=p.birth_date,
                id_number=p.id_number,
                phone=p.phone,
                ethnicity=rng.choice(ETHNICITIES),
                education=_weighted(rng, EDUCATION),
                worker_type=_weighted(rng, WORKER_TYPES),
                employer=slot.employer,
                employer_name=slot.employer.name,
                org=slot.org,
                joined_on=joined,
                status=Status.ACTIVE,
                status_since=joined,
            )  # the derived search columns once it is known to be new (``load_members``)
            yield slot, member


def _later(rng: random.Random, after: date) -> date:
    end = date(2025, 12, 31)
    if after >= end:
        return after
    return after + timedelta(days=rng.randrange(1, (end - after).days + 1))


# Fields whose value goes to the database as it is on the instance (an int, a str, a bool or
# None): their ``get_db_prep_save`` would only hand it back, at a cost that adds up over the
# demo's million values. Exact classes only: a subclass (an encrypted field) prepares its own.
_AS_IS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
    models.BooleanField,
    models.ForeignKey,
)


def _preparer(field: models.Field) -> Any:
    """How one field's value is read for the INSERT: as it is, or through the field (a blind
    index the loader has computed already, to look the person up, is taken as it is)."""
    if isinstance(field, BlindIndexField):
        attname = field.attname
        return lambda obj: getattr(obj, attname) or field.pre_save(obj, True)
    if type(field) in _AS_IS and type(field).pre_save is models.Field.pre_save:
        attname = field.attname
        return lambda obj: getattr(obj, attname)
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


def fast_insert(model: type[models.Model], objs: list[Any]) -> None:
    """Insert ``objs`` with a few statements and set their ids, for the demo's tens of
    thousands of rows (``bulk_create`` is bound by SQLite's 999 parameters a statement and by
    per-value field machinery). Values go through the fields' own ``pre_save`` (the blind
    indexes fill themselves) and ``get_db_prep_save`` (encryption), but for plain columns,
    read as they are. On SQLite one ``executemany`` per chunk (in-process, each row costs
    little); on PostgreSQL a multi-row ``VALUES`` per chunk, since each row of an
    ``executemany`` is a round trip to the server there. Ids are read back above the previous
    maximum: the demo loads in one transaction with no concurrent writer."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    prepare = [_preparer(f) for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 - names from the model
    multi_row = connection.vendor == "postgresql"
    per_statement = max(1, min(1000, 60000 // len(fields)))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        watermark = cursor.fetchone()[0]
        for i in range(0, len(objs), BATCH):
            rows = [[p(obj) for p in prepare] for obj in objs[i : i + BATCH]]
            if not multi_row:
                cursor.executemany(sql + row_marks, rows)
                continue
            for j in range(0, len(rows), per_statement):
                part = rows[j : j + per_statement]
                cursor.execute(
                    sql + ", ".join([row_marks] * len(part)), [v for row in part for v in row]
                )
        cursor.execute(f"SELECT id FROM {table} WHERE id > %s ORDER BY id", [watermark])  # noqa: S608
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) != len(objs):
        raise RuntimeError(f"{model.__name__}: inserted {len(objs)} rows, found {len(ids)}")
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False


def load_members(stdout: Output) -> None:
    """Insert the roster members that are missing (by ID number), their join events, a few
    status changes and transfers, the 会员之家 marks, the demo member's own record and a few
    pending join applications."""
    from gonghui.accounts.models import User
    from gonghui.orgs.models import Org

    rng = random.Random(SEED)
    status_rng = random.Random(SEED + 1)  # used only for inserted rows
    people = PeopleGenerator(SEED)
    existing = set(Member.objects.values_list("id_number_bidx", flat=True))
    before = len(existing)
    batch: list[Member] = []
    created = 0
    transfers = 0
    homes: set[int] = set()
    unions = list(Org.objects.filter(kind="grassroots", active=True).order_by("code"))

    def flush() -> None:
        nonlocal created, transfers
        if not batch:
            return
        # Status changes and transfers are decided before the insert, so each row goes in
        # once in its final state; the events follow once the rows have their ids.
        pending: list[tuple[Member, dict[str, Any]]] = []
        for m in batch:
            pending.append((m, {"org_id": m.org_id, "kind": EventKind.JOIN, "on": m.joined_on}))
            roll = status_rng.random()
            if roll < 0.02:
                m.status, m.status_since = Status.WITHDRAWN, _later(status_rng, m.joined_on)
                step = {"kind": EventKind.WITHDRAW, "note": "离职"}
                pending.append((m, {"org_id": m.org_id, "on": m.status_since, **step}))
            elif roll < 0.03:
                m.status, m.status_since = Status.SUSPENDED, _later(status_rng, m.joined_on)
                step = {"kind": EventKind.SUSPEND, "note": "连续六个月未缴会费"}
                pending.append((m, {"org_id": m.org_id, "on": m.status_since, **step}))
            elif roll < 0.04 and m.joined_on < PERIOD[0]:
                # 会籍接转 to another union within the seed's period
                target = status_rng.choice(unions)
                if target.pk != m.org_id:
                    on = PERIOD[0] + timedelta(days=status_rng.randrange(262))
                    move = {"on": on, "note": "工作调动"}
                    pending.append(
                        (
                            m,
                            {
                                "org_id": m.org_id,
                                "kind": EventKind.TRANSFER_OUT,
                                "other_org_id": target.pk,
                                **move,
                            },
                        )
                    )
                    pending.append((m, {"org_id": target.pk, "kind": EventKind.TRANSFER_IN,
                                        "other_org_id": m.org_id, **move}))  # fmt: skip
                    m.org, m.status_since = target, on
                    transfers += 1
        fast_insert(Member, batch)
        fast_insert(MembershipEvent, [MembershipEvent(member_id=m.pk, **e) for m, e in pending])
        created += len(batch)
        batch.clear()

    # a first load fills empty tables: their indexes are built once at the end, by sorting,
    # instead of row by row (``core.bulk.deferred_indexes``, as a first roster import does)
    first = not existing
    with (
        bulk.deferred_indexes(Member._meta.db_table, enabled=first),
        bulk.deferred_indexes(MembershipEvent._meta.db_table, enabled=first),
    ):
        for slot, member in generate(rng, people):
            if slot.org.kind == "township":
                homes.add(slot.org.pk)
            bidx = blind_index_for("citizen_id", member.id_number)
            if bidx in existing:
                continue
            member.id_number_bidx = bidx
            derived = derived_columns(member.name, member.id_number, member.phone)
            for key, value in derived.items():
                setattr(member, key, value)
            batch.append(member)
            if len(batch) >= BATCH:
                flush()
        flush()

    for org_id in sorted(homes):
        MemberHome.objects.get_or_create(org_id=org_id, defaults={"threshold": 10})

    own = _demo_member(people, User)
    applications = _applications(people)
    joined, moved, left = load_living()
    created += own
    if created or applications or joined or moved or left:
        city = Org.objects.filter(parent=None).order_by("id").first()
        audit.record(
            actor=None,
            action="demo.load",
            object_type="member",
            object_id="roster",
            object_org=city,
            object_repr="会员名册",
            note=f"演示数据：新建会员 {created + joined} 名（接转 {transfers + moved} 人次，"
            f"离职 {left} 人）、入会申请 {applications} 件",
        )
    stdout.write(
        f"会员：新建 {created + joined} 名，已有 {before} 名（{LIVING_FROM.year} 年起逐月入会 "
        f"{joined} 名、接转 {moved} 人次、离职 {left} 人）；"
        f"会员之家 {len(homes)} 个；入会申请 {applications} 件\n"
    )


def _demo_member(people: PeopleGenerator, user_model: Any) -> int:
    """The demo member account (``member``) gets its own record, for the e-card."""
    p = people.person("371702", born=(1988, 1988))  # drawn always: later draws stay the same
    user = user_model.objects.filter(username="member", role="member").select_related("org").first()
    if user is None or Member.objects.filter(user=user).exists():
        return 0
    name = user.full_name or p.name
    member = Member(
        name=name, sex=p.sex, birth_date=p.birth_date, id_number=p.id_number, phone=p.phone,
        ethnicity="汉族", education=Education.BACHELOR, employer_name="菏泽泰和包装有限公司",
        org=user.org, joined_on=date(2012, 5, 1), status=Status.ACTIVE,
        status_since=date(2012, 5, 1), user=user,
        **derived_columns(name, p.id_number, p.phone),
    )  # fmt: skip
    if Member.objects.filter(id_number_bidx=blind_index_for("citizen_id", p.id_number)).exists():
        return 0
    member.save()
    MembershipEvent.objects.create(member=member, org=member.org, kind=EventKind.JOIN,
                                   on=member.joined_on)  # fmt: skip
    return 1


def _applications(people: PeopleGenerator) -> int:
    """Three pending QR applications at the demo clerk's union."""
    from gonghui.orgs.models import Org

    org = Org.objects.filter(code="3717020001").first()
    if org is None:
        return 0
    made = 0
    for _ in range(3):
        p = people.person("371702", born=(1995, 2003))
        bidx = blind_index_for("citizen_id", p.id_number)
        if JoinApplication.objects.filter(org=org, id_number_bidx=bidx).exists():
            continue
        JoinApplication.objects.create(
            org=org, name=p.name, sex=p.sex, birth_date=p.birth_date, id_number=p.id_number,
            phone=p.phone or "13953000000",
            details={"ethnicity": "汉族", "employer_name": "菏泽泰和包装有限公司",
                     "worker_type": "employee", "education": "college"},
        )  # fmt: skip
        made += 1
    return made


# -- the living roster: every month up to the day of loading ---------------------------------

LIVING_FROM = date(2026, 1, 1)  # the generated join dates end with 2025
MOVES_FROM = date(2020, 10, 1)  # the generated transfers end with the seed's period
JOINERS_PER_MONTH = 110  # the generated roster gains some 1,300 a year before
TRANSFERS_PER_MONTH = 6
LEAVERS_PER_MONTH = 4
# new members by month: few around Spring Festival, many once the year's hiring is done
JOIN_SEASON = {
    1: 0.7, 2: 0.5, 3: 1.6, 4: 1.3, 5: 1.0, 6: 0.9,
    7: 1.1, 8: 0.9, 9: 1.4, 10: 0.8, 11: 1.0, 12: 0.8,
}  # fmt: skip


def _month_list(start: date, end: date) -> list[tuple[int, int]]:
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _month_seed(year: int, month: int, salt: int) -> int:
    return SEED * 10_000_000 + year * 1000 + month * 10 + salt


def _month_days(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return [first + timedelta(days=i) for i in range((nxt - first).days)]


def load_living(today: date | None = None) -> tuple[int, int, int]:
    """The months since the generated roster: new members (inserted in bulk with their join
    events) and transfers and departures of the roster's members. Returns (joined, moved,
    left), counting only what this run wrote."""
    from django.utils import timezone

    today = today or timezone.localdate()
    return _joiners(today), *_moves(today)


def _joiners(today: date) -> int:
    from gonghui.orgs.models import Enterprise

    existing = set(Member.objects.values_list("id_number_bidx", flat=True))
    employers = list(
        Enterprise.objects.filter(union__kind="grassroots", union__active=True)
        .select_related("union", "county")
        .order_by("uscc")
    )
    if not employers:
        return 0
    weights = [max(e.headcount, 1) for e in employers]
    batch: list[Member] = []
    for year, month in _month_list(LIVING_FROM, today):
        rng = random.Random(_month_seed(year, month, 0))
        people = PeopleGenerator(_month_seed(year, month, 1))
        n = round(JOINERS_PER_MONTH * JOIN_SEASON[month] * rng.uniform(0.8, 1.2))
        days = _month_days(year, month)
        for _ in range(n):
            employer = rng.choices(employers, weights)[0]
            p = people.person(employer.county.code, born=(1972, 2005))
            joined = rng.choice(days)
            education = _weighted(rng, EDUCATION)
            worker_type = _weighted(rng, WORKER_TYPES)
            ethnicity = rng.choice(ETHNICITIES)
            bidx = blind_index_for("citizen_id", p.id_number)
            if joined > today or bidx in existing:
                continue  # not yet (the draws above keep the month's sequence the same)
            existing.add(bidx)
            batch.append(
                Member(
                    id_number_bidx=bidx,
                    name=p.name,
                    sex=p.sex,
                    birth_date=p.birth_date,
                    id_number=p.id_number,
                    phone=p.phone,
                    ethnicity=ethnicity,
                    education=education,
                    worker_type=worker_type,
                    employer=employer,
                    employer_name=employer.name,
                    org=employer.union,
                    joined_on=joined,
                    status=Status.ACTIVE,
                    status_since=joined,
                    **derived_columns(p.name, p.id_number, p.phone),
                )  # fmt: skip
            )
    if batch:
        fast_insert(Member, batch)
        fast_insert(
            MembershipEvent,
            [
                MembershipEvent(
                    member_id=m.pk, org_id=m.org_id, kind=EventKind.JOIN, on=m.joined_on
                )
                for m in batch
            ],
        )
    return len(batch)


def _moves(today: date) -> tuple[int, int]:
    """Each month since the seed's period: a few of the generated roster's members move to
    another union, a few leave. The candidates are the roster of before the seed's period's
    end (a fixed set, in id order), so a month picks the same people on every run; a move
    already recorded (its event on that day) is not made again, nor one of a member who is
    no longer active."""
    from gonghui.orgs.models import Org

    pool = list(
        Member.objects.filter(joined_on__lt=PERIOD[1], user__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)
    )
    unions = list(
        Org.objects.filter(kind="grassroots", active=True)
        .order_by("code")
        .values_list("id", flat=True)
    )
    if not pool or len(unions) < 2:
        return 0, 0
    done = set(
        MembershipEvent.objects.filter(
            on__gte=MOVES_FROM, kind__in=(EventKind.TRANSFER_OUT, EventKind.WITHDRAW)
        ).values_list("member_id", "on")
    )
    plan: list[tuple[int, str, date, int]] = []  # (member, kind, day, target union)
    for year, month in _month_list(MOVES_FROM, today):
        rng = random.Random(_month_seed(year, month, 2))
        days = _month_days(year, month)
        for kind, n in ((EventKind.TRANSFER_OUT, TRANSFERS_PER_MONTH),
                        (EventKind.WITHDRAW, LEAVERS_PER_MONTH)):  # fmt: skip
            for _ in range(rng.randint(n // 2, n + n // 2)):
                member_id = pool[rng.randrange(len(pool))]
                day = rng.choice(days)
                target = unions[rng.randrange(len(unions))]
                if day <= today and (member_id, day) not in done:
                    plan.append((member_id, kind, day, target))
    if not plan:
        return 0, 0
    members = Member.objects.in_bulk({m for m, _k, _d, _t in plan})
    events: list[MembershipEvent] = []
    changed: dict[int, Member] = {}
    moved = left = 0
    for member_id, step, day, target in sorted(plan, key=lambda row: row[2]):
        m = members[member_id]
        if m.status != Status.ACTIVE or day <= m.status_since or target == m.org_id:
            continue
        if step == EventKind.WITHDRAW:
            events.append(MembershipEvent(member_id=m.pk, org_id=m.org_id, kind=step, on=day,
                                          note="离职"))  # fmt: skip
            m.status, m.status_since = Status.WITHDRAWN, day
            left += 1
        else:
            move = {"on": day, "note": "工作调动"}
            events += [
                MembershipEvent(member_id=m.pk, org_id=m.org_id, kind=EventKind.TRANSFER_OUT,
                                other_org_id=target, **move),
                MembershipEvent(member_id=m.pk, org_id=target, kind=EventKind.TRANSFER_IN,
                                other_org_id=m.org_id, **move),
            ]  # fmt: skip
            m.org_id, m.status_since = target, day
            moved += 1
        changed[m.pk] = m
    fast_insert(MembershipEvent, events)
    with connection.cursor() as cursor:  # one statement, many rows (no CASE per column)
        table = connection.ops.quote_name(Member._meta.db_table)
        cursor.executemany(
            f"UPDATE {table} SET org_id = %s, status = %s, status_since = %s WHERE id = %s",  # noqa: S608 - model name
            [[m.org_id, m.status, bulk.db_literal(m.status_since), m.pk] for m in changed.values()],
        )
    return moved, left
