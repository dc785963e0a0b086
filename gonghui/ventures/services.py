"""Every write of the ventures module: parks, ventures with their founder, the people they
employ (one by one or many at once), the yearly review, the hardship flags and the one-step
nomination of a founder for 农民工之星.

Each write checks the actor's right in the record's org, validates its input (errors name the
field), writes and appends its audit row in one transaction. The hardship flag is never typed
in: it is read from the assistance archive (a file archived on or before the person's start
date and not exited before it), matched by member or by the blind index of the ID number.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, bulk, crypto
from gonghui.core.errors import Conflict, InvalidInput, NotFound
from gonghui.core.fields import blind_index_for
from gonghui.core.identifiers import parse_citizen_id
from gonghui.core.roles import can, in_subtree
from gonghui.orgs.models import Industry, Org, OrgKind

from .models import Level, Park, Person, Review, Role, Status, Venture
from .workflow import VENTURE

MANAGE = "ventures.manage"
COORD_RANGE = {
    "latitude": (Decimal("-90"), Decimal("90")),
    "longitude": (Decimal("-180"), Decimal("180")),
}
MONEY_MAX = Decimal("999999999999.99")
YES = {"是", "y", "yes", "true", "1", "√", "农民工"}
NO = {"", "否", "n", "no", "false", "0", "×"}


# --- input ----------------------------------------------------------------------------------


def _text(data: dict[str, Any], field: str, limit: int, *, required: bool = False) -> str:
    value = " ".join(str(data.get(field) or "").split())
    if required and not value:
        raise InvalidInput.one(field, _("请填写此项。"))
    if len(value) > limit:
        raise InvalidInput.one(field, _("内容过长（最多 %(n)d 字）。") % {"n": limit})
    return value


def _date(data: dict[str, Any], field: str, *, required: bool = True) -> datetime.date | None:
    value = data.get(field)
    if value in (None, ""):
        if required:
            raise InvalidInput.one(field, _("请填写日期。"))
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value).strip()[:10])
        except ValueError as exc:
            raise InvalidInput.one(field, _("日期格式应为 2020-09-19。")) from exc
    if value > timezone.localdate():
        raise InvalidInput.one(field, _("日期不能晚于今天。"))
    if value.year < 1950:
        raise InvalidInput.one(field, _("日期不合理。"))
    return value


def _decimal(
    data: dict[str, Any], field: str, *, high: Decimal = MONEY_MAX, low: Decimal = Decimal(0)
) -> Decimal | None:
    value = data.get(field)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise InvalidInput.one(field, _("请填写数字。")) from exc
    if not number.is_finite() or number < low or number > high:
        raise InvalidInput.one(field, _("数值超出范围。"))
    return number


def _int(data: dict[str, Any], field: str, high: int = 1000) -> int:
    value = data.get(field)
    if value in (None, ""):
        return 0
    try:
        number = int(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput.one(field, _("请填写整数。")) from exc
    if not 0 <= number <= high:
        raise InvalidInput.one(field, _("应在 0 至 %(n)d 之间。") % {"n": high})
    return number


def _choice(data: dict[str, Any], field: str, choices: Any, *, required: bool = True) -> str:
    raw = str(data.get(field) or "").strip()
    if not raw and not required:
        return ""
    for value, label in choices:
        if raw in (value, str(label)):
            return str(value)
    raise InvalidInput.one(
        field, _("请选择：%(options)s。") % {"options": "、".join(str(lb) for _v, lb in choices)}
    )


def _flag(data: dict[str, Any], field: str) -> bool:
    raw = data.get(field)
    if isinstance(raw, bool):
        return raw
    text = str(raw or "").strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise InvalidInput.one(field, _("请填写“是”或“否”。"))


def _id_number(data: dict[str, Any], field: str = "id_number") -> str:
    raw = str(data.get(field) or "").strip()
    if not raw:
        raise InvalidInput.one(field, _("请填写身份证号。"))
    try:
        return parse_citizen_id(raw).number
    except ValidationError as exc:
        raise InvalidInput.one(field, str(exc.messages[0])) from exc


def _require(actor: Any, org: Any) -> None:
    """The actor manages ventures in ``org``; otherwise the same answer as a missing record."""
    if not can(actor, MANAGE, org):
        raise NotFound()


def _audit(
    actor: Any, action: str, obj: Any, org: Any, changes: Any = None, note: str = ""
) -> None:
    kind = {Park: "ventures_park", Venture: "ventures_venture", Person: "ventures_person"}
    audit.record(
        actor=actor,
        action=f"ventures.{action}",
        object_type=kind[type(obj)],
        object_id=obj.pk,
        object_org=org,
        object_repr=str(obj) if not isinstance(obj, Person) else audit.masking.mask_name(obj.name),
        changes=changes,
        note=note,
    )


# --- parks -----------------------------------------------------------------------------------

PARK_FIELDS = [
    "name",
    "level",
    "host",
    "address",
    "latitude",
    "longitude",
    "area",
    "services",
    "recognized_on",
    "active",
]


def _registering_org(actor: Any, data: dict[str, Any]) -> Org:
    code = str(data.get("org") or "").strip()
    org = actor.org if not code else Org.objects.filter(code=code).first()
    if org is None or not in_subtree(actor, org):
        raise InvalidInput.one("org", _("未找到该工会组织。"))
    if org.kind not in (OrgKind.CITY, OrgKind.COUNTY):
        raise InvalidInput.one("org", _("工友创业园由市、县区总工会登记。"))
    _require(actor, org)
    return org


def park_save(*, actor: Any, data: dict[str, Any], park: Park | None = None) -> Park:
    """Register a park, or change one (``park``, or the park of the same code)."""
    if not can(actor, MANAGE):
        raise NotFound()
    code = _text(data, "code", 32, required=park is None) or (park.code if park else "")
    if park is None:
        park = Park.objects.filter(code=code).first()
        if park is not None and not can(actor, MANAGE, park.org):
            raise InvalidInput.one("code", _("园区编号已被其他单位使用。"))
    org = park.org if park is not None and not data.get("org") else _registering_org(actor, data)
    _require(actor, org)
    values: dict[str, Any] = {
        "name": _text(data, "name", 100, required=True),
        "level": _choice(data, "level", Level.choices),
        "host": _text(data, "host", 150, required=True),
        "address": _text(data, "address", 200),
        "area": _decimal(data, "area", high=Decimal("9999999999")),
        "services": _text(data, "services", 2000),
        "recognized_on": _date(data, "recognized_on"),
        "active": data.get("active", True) not in (False, "0", "否", "false"),
    }
    for field, (low, high) in COORD_RANGE.items():
        number = _decimal(data, field, low=low, high=high)
        values[field] = number.quantize(Decimal("0.000001")) if number is not None else None
    if (values["latitude"] is None) != (values["longitude"] is None):
        raise InvalidInput.one("latitude", _("经度和纬度应同时填写。"))
    with transaction.atomic():
        if park is None:
            park = Park.objects.create(org=org, code=code, created_by=actor, **values)
            _audit(actor, "park_create", park, org, audit.diff({}, audit.snapshot(park)))
            return park
        park = Park.objects.select_for_update().get(pk=park.pk)
        before = audit.snapshot(park, PARK_FIELDS + ["org"])
        park.org = org
        for name, value in values.items():
            setattr(park, name, value)
        changes = audit.diff(before, audit.snapshot(park, PARK_FIELDS + ["org"]))
        if changes:
            park.save(update_fields=[*values, "org", "updated_at"])
            _audit(actor, "park_update", park, org, changes)
    return park


# --- the archive and the registry --------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveFile:
    id: int
    member_id: int | None
    bidx: str
    archived_on: datetime.date
    exited_on: datetime.date | None
    path: str  # the tree path of the union that keeps the file


def archive_files(member_ids: Iterable[int], bidxes: Iterable[str]) -> list[ArchiveFile]:
    """The assistance archive's files of these people (by member or ID blind index): every
    file ever archived, whatever happened after (an exit keeps its date). Which of them may
    mark a person is ``Archive.file_for``'s ``within``."""
    from gonghui.assistance.models import Family

    members, indexes = set(member_ids), {b for b in bidxes if b}
    if not members and not indexes:
        return []
    rows = Family.objects.filter(archived_on__isnull=False).filter(
        Q(member_id__in=members) | Q(id_number_bidx__in=indexes)
    )
    return [
        ArchiveFile(
            r["id"],
            r["member_id"],
            r["id_number_bidx"],
            r["archived_on"],
            r["exited_on"],
            r["org__path"],
        )
        for r in rows.values(
            "id", "member_id", "id_number_bidx", "archived_on", "exited_on", "org__path"
        )
    ]


class Archive:
    """Answers "was this person a hardship worker on that day?" for many people at once."""

    def __init__(self, files: Sequence[ArchiveFile]) -> None:
        self.by_member: dict[int, list[ArchiveFile]] = {}
        self.by_bidx: dict[str, list[ArchiveFile]] = {}
        for f in files:
            if f.member_id is not None:
                self.by_member.setdefault(f.member_id, []).append(f)
            if f.bidx:
                self.by_bidx.setdefault(f.bidx, []).append(f)

    def file_for(
        self, member_id: int | None, bidx: str, day: datetime.date, within: str
    ) -> int | None:
        """The archive file in force on ``day`` (archived by then, not yet exited) kept by a
        union under the tree path ``within`` (the venture's registering org), or None. A file
        kept elsewhere does not count: else whoever registers a venture could learn, by
        typing any ID number as an employee, that someone outside their scope has a hardship
        file."""
        candidates = (self.by_member.get(member_id, []) if member_id else []) + (
            self.by_bidx.get(bidx, []) if bidx else []
        )
        for f in sorted(candidates, key=lambda f: (f.archived_on, f.id)):
            if not f.path.startswith(within):
                continue
            if f.archived_on <= day and (f.exited_on is None or f.exited_on >= day):
                return f.id
        return None


def _member(actor: Any, value: Any) -> Any:
    """A member of the registry the actor may see (by id or record), or None."""
    from gonghui.members.models import Member

    if value in (None, ""):
        return None
    if isinstance(value, Member):
        pk = value.pk
    else:
        try:
            pk = int(str(value).strip())
        except ValueError:
            raise InvalidInput.one("member", _("未找到该会员。")) from None
    member = Member.objects.visible_to(actor).filter(pk=pk).first()
    if member is None:
        raise InvalidInput.one("member", _("未找到该会员。"))
    return member


@dataclass
class Who:
    """A person as the services write them: from the registry, or by name and ID number."""

    member: Any
    name: str
    id_number: str  # kept only for someone outside the registry
    bidx: str
    migrant: bool


def _who(actor: Any, data: dict[str, Any], prefix: str = "") -> Who:
    from gonghui.members.models import Member, WorkerType

    member = _member(actor, data.get(f"{prefix}member"))
    if member is not None:
        return Who(
            member,
            member.name,
            "",
            member.id_number_bidx,
            member.worker_type == WorkerType.MIGRANT,
        )
    name = _text(data, f"{prefix}name", 50, required=True)
    number = _id_number(data, f"{prefix}id_number")
    bidx = blind_index_for("citizen_id", number)
    # someone of the registry given by ID number is linked to their member record
    member = Member.objects.visible_to(actor).filter(id_number_bidx=bidx).first()
    if member is not None:
        return Who(member, member.name, "", bidx, member.worker_type == WorkerType.MIGRANT)
    return Who(None, name, number, bidx, _flag(data, f"{prefix}migrant"))


def _person(venture: Venture, who: Who, role: str, started_on: datetime.date) -> Person:
    archive = Archive(archive_files([who.member.pk] if who.member else [], [who.bidx]))
    family = archive.file_for(
        who.member.pk if who.member else None, who.bidx, started_on, venture.org.path
    )
    return Person(
        venture=venture,
        org_id=venture.org_id,
        role=role,
        member=who.member,
        name=who.name,
        id_number=who.id_number,
        id_number_bidx=who.bidx,
        started_on=started_on,
        hardship=family is not None,
        hardship_family_id=family,
        migrant=who.migrant,
    )


PERSON_AUDIT = ["role", "member", "name", "started_on", "ended_on", "hardship", "migrant"]


# --- ventures ---------------------------------------------------------------------------------

VENTURE_FIELDS = ["name", "industry", "started_on", "loans", "rent_relief", "training"]


def venture_save(
    *, actor: Any, park: Park, data: dict[str, Any], venture: Venture | None = None
) -> Venture:
    """Register a venture in ``park`` with its founder (``founder_member``, or
    ``founder_name`` and ``founder_id_number``), or change its particulars and support."""
    _require(actor, park.org)
    values: dict[str, Any] = {
        "name": _text(data, "name", 150, required=True),
        "industry": _choice(data, "industry", Industry.choices),
        "started_on": _date(data, "started_on"),
        "loans": _decimal(data, "loans") or Decimal(0),
        "rent_relief": _decimal(data, "rent_relief") or Decimal(0),
        "training": _int(data, "training"),
    }
    if venture is None:
        venture = Venture.objects.filter(park=park, name=values["name"]).first()
    with transaction.atomic():
        if venture is None:
            who = _who(actor, data, "founder_")
            try:
                with transaction.atomic():
                    venture = Venture.objects.create(park=park, org=park.org, **values)
            except IntegrityError as exc:
                raise InvalidInput.one("name", _("本园区已有同名创业项目。")) from exc
            founder = _person(venture, who, Role.FOUNDER, values["started_on"])
            founder.save()
            changes = audit.diff({}, audit.snapshot(venture, VENTURE_FIELDS + ["park"]))
            changes["founder"] = {"before": None, "after": audit.masking.mask_name(who.name)}
            _audit(actor, "venture_create", venture, park.org, changes)
            return venture
        venture = Venture.objects.select_for_update().get(pk=venture.pk)
        before = audit.snapshot(venture, VENTURE_FIELDS)
        for name, value in values.items():
            setattr(venture, name, value)
        changes = audit.diff(before, audit.snapshot(venture, VENTURE_FIELDS))
        if changes:
            try:
                with transaction.atomic():
                    venture.save(update_fields=[*values, "updated_at"])
            except IntegrityError as exc:
                raise InvalidInput.one("name", _("本园区已有同名创业项目。")) from exc
            Person.objects.filter(venture=venture, role=Role.FOUNDER).update(
                started_on=values["started_on"]
            )
            _audit(actor, "venture_update", venture, park.org, changes)
    return venture


def founder_of(venture: Venture) -> Person | None:
    return venture.people.filter(role=Role.FOUNDER).select_related("member").first()


# --- the people employed ----------------------------------------------------------------------


def person_add(*, actor: Any, venture: Venture, data: dict[str, Any]) -> Person:
    """One person the venture employs, from the registry or by name and ID number."""
    _require(actor, venture.org)
    if venture.status == Status.CLOSED:
        raise Conflict(_("创业项目已注销，不能再登记就业人员。"))
    who = _who(actor, data)
    started_on = _date(data, "started_on")
    assert started_on is not None
    if started_on < venture.started_on:
        raise InvalidInput.one(
            "started_on", _("就业日期不能早于创业日期（%(d)s）。") % {"d": venture.started_on}
        )
    with transaction.atomic():
        person = _person(venture, who, Role.EMPLOYEE, started_on)
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError as exc:
            raise Conflict(_("此人已登记在本创业项目中。")) from exc
        _audit(
            actor,
            "person_add",
            person,
            venture.org,
            audit.diff({}, audit.snapshot(person, PERSON_AUDIT)),
        )
    return person


def person_end(*, actor: Any, person: Person, ended_on: Any) -> Person:
    """The person left the venture on ``ended_on``."""
    _require(actor, person.org)
    day = _date({"ended_on": ended_on}, "ended_on")
    assert day is not None
    if day < person.started_on:
        raise InvalidInput.one("ended_on", _("离职日期不能早于就业日期。"))
    if person.role == Role.FOUNDER:
        raise Conflict(_("创业者随项目注销，不单独登记离职。"))
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        before = person.ended_on
        person.ended_on = day
        person.save(update_fields=["ended_on"])
        _audit(
            actor,
            "person_end",
            person,
            person.org,
            {"ended_on": {"before": before and before.isoformat(), "after": day.isoformat()}},
        )
    return person


@dataclass
class PersonRow:
    """One validated row of the people's sheet, ready to insert."""

    venture: Venture
    member_id: int | None
    name: str
    id_number: str
    bidx: str
    started_on: datetime.date
    ended_on: datetime.date | None
    migrant: bool
    role: str = Role.EMPLOYEE


def people_insert(*, actor: Any, rows: Sequence[PersonRow], note: str = "") -> int:
    """Insert many people at once (the sheet's and the demo's path): one set-based insert,
    the hardship flags read from the archive for all of them in one query, one audit row per
    venture naming how many were added. Rows of people already in their venture are skipped
    (running the same sheet again changes nothing). Returns how many were inserted."""
    if not rows:
        return 0
    paths: dict[int, str] = {}
    for org_id in {r.venture.org_id for r in rows}:
        org = Org.objects.get(pk=org_id)
        _require(actor, org)
        paths[org_id] = org.path
    archive = Archive(
        archive_files([r.member_id for r in rows if r.member_id], [r.bidx for r in rows])
    )
    venture_ids = {r.venture.pk for r in rows}
    have = set(
        Person.objects.filter(venture_id__in=venture_ids)
        .exclude(id_number_bidx="")
        .values_list("venture_id", "id_number_bidx")
    )
    have_members = set(
        Person.objects.filter(venture_id__in=venture_ids, member__isnull=False).values_list(
            "venture_id", "member_id"
        )
    )
    encrypt = crypto.encryptor()
    now = bulk.db_literal(timezone.now())
    out: list[tuple[Any, ...]] = []
    added: dict[int, int] = {}
    for r in rows:
        key = (r.venture.pk, r.bidx)
        if (r.bidx and key in have) or (
            r.member_id and (r.venture.pk, r.member_id) in have_members
        ):
            continue
        have.add(key)
        if r.member_id:
            have_members.add((r.venture.pk, r.member_id))
        family = archive.file_for(r.member_id, r.bidx, r.started_on, paths[r.venture.org_id])
        out.append(
            (
                r.venture.pk,
                r.venture.org_id,
                r.role,
                r.member_id,
                r.name,
                encrypt(r.id_number) if r.id_number else "",
                r.bidx,
                bulk.db_literal(r.started_on),
                bulk.db_literal(r.ended_on),
                bulk.db_literal(family is not None),
                family,
                bulk.db_literal(r.migrant),
                now,
            )
        )
        added[r.venture.pk] = added.get(r.venture.pk, 0) + 1
    columns = [
        "venture_id",
        "org_id",
        "role",
        "member_id",
        "name",
        "id_number",
        "id_number_bidx",
        "started_on",
        "ended_on",
        "hardship",
        "hardship_family_id",
        "migrant",
        "created_at",
    ]
    with transaction.atomic():
        bulk.insert_rows(Person._meta.db_table, columns, out)
        ventures = {r.venture.pk: r.venture for r in rows}
        for pk, n in added.items():
            venture = ventures[pk]
            _audit(
                actor,
                "people_import",
                venture,
                venture.org,
                {"people": {"before": None, "after": n}},
                note=note,
            )
    return len(out)


def hardship_refresh(*, org: Org | None = None) -> int:
    """Read every person's hardship flag again from the archive (files archived, exited or
    corrected since): set-based, only the rows whose flag changes are written. Returns how
    many changed. Run by the daily task and after the archive's imports."""
    people = (
        Person.objects.all()
        if org is None
        else Person.objects.filter(org__path__startswith=org.path)
    )
    rows = list(
        people.values_list(
            "id", "member_id", "id_number_bidx", "started_on", "hardship_family_id", "org__path"
        )
    )
    archive = Archive(archive_files({r[1] for r in rows if r[1]}, {r[2] for r in rows}))
    changed: dict[int | None, list[int]] = {}
    for pk, member_id, bidx, started_on, current, within in rows:
        family = archive.file_for(member_id, bidx, started_on, within)
        if family != current:
            changed.setdefault(family, []).append(pk)
    with transaction.atomic():
        for family, ids in changed.items():
            for start in range(0, len(ids), 500):
                Person.objects.filter(pk__in=ids[start : start + 500]).update(
                    hardship=family is not None, hardship_family_id=family
                )
    return sum(len(ids) for ids in changed.values())


# --- the yearly review -------------------------------------------------------------------------


def year_figures(venture: Venture, year: int) -> dict[str, int]:
    """The people the venture employed in ``year`` (founder included), the jobs it created
    that year and the hardship workers among those employed: counted from the people rows."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    employed = venture.people.filter(started_on__lte=last).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=first)
    )
    return {
        "employed": employed.count(),
        "new_jobs": venture.people.filter(
            role=Role.EMPLOYEE, started_on__range=(first, last)
        ).count(),
        "hardship": employed.filter(hardship=True).count(),
    }


def venture_review(
    *,
    actor: Any,
    venture: Venture,
    step: str,
    year: int | None = None,
    note: str = "",
    reviewed_on: datetime.date | None = None,
) -> Review:
    """The yearly review: once per venture and year, a step of ``workflow.VENTURE`` (going on,
    pausing, resuming, closing), recording the year's figures counted from the people."""
    _require(actor, venture.org)
    today = timezone.localdate()
    year = int(year or today.year)
    if not venture.started_on.year <= year <= today.year:
        raise InvalidInput.one("year", _("复核年度应在创业年度至今年之间。"))
    note = _text({"note": note}, "note", 2000)
    with transaction.atomic():
        venture = Venture.objects.select_for_update().get(pk=venture.pk)
        transition = VENTURE.check(venture.status, step, actor.role)
        if "note" in transition.needs and not note:
            raise InvalidInput.one("note", _("请填写复核意见。"))
        if venture.reviews.filter(year=year).exists():
            raise Conflict(_("%(y)d 年度已复核。") % {"y": year})
        figures = year_figures(venture, year)
        review = Review.objects.create(
            venture=venture,
            year=year,
            step=step,
            status=transition.target,
            reviewed_on=reviewed_on or today,
            note=note,
            reviewed_by=actor,
            **figures,
        )
        before = venture.status
        venture.status = transition.target
        venture.reviewed_year = max(year, venture.reviewed_year or 0)
        venture.save(update_fields=["status", "reviewed_year", "updated_at"])
        changes = {
            "status": {"before": before, "after": venture.status},
            "employed": {"before": None, "after": figures["employed"]},
        }
        _audit(actor, step, venture, venture.org, changes, note=f"{year}")
    return review


# --- 农民工之星 ---------------------------------------------------------------------------------

STAR_AWARD = "migrant_star"


def star_round(actor: Any) -> Any:
    """The 农民工之星 round open for nominations that reaches the actor (newest first)."""
    from gonghui.honors.models import RoundStatus
    from gonghui.honors.selectors import rounds_visible_to

    return (
        rounds_visible_to(actor)
        .filter(award__code=STAR_AWARD, status=RoundStatus.NOMINATING)
        .order_by("-year", "-opens_on", "-id")
        .first()
    )


def venture_nominate(*, actor: Any, venture: Venture, deeds: str = "") -> Any:
    """Nominate the venture's founder for 农民工之星 in one step: the open round reaching the
    actor, the founder's member record, the deeds written from the venture's figures. The
    honours module checks the round, the actor's right and the member's scope."""
    from gonghui.honors import services as honors

    _require(actor, venture.org)
    founder = founder_of(venture)
    if founder is None or founder.member is None:
        raise Conflict(_("创业者不在会员库中，不能推荐“农民工之星”。请先将其登记为会员。"))
    if venture.nomination_id is not None:
        raise Conflict(_("该创业者已被推荐。"))
    round = star_round(actor)
    if round is None:
        raise Conflict(_("当前没有接受推荐的“农民工之星”评选。"))
    today = timezone.localdate()
    figures = year_figures(venture, today.year)
    deeds = _text({"deeds": deeds}, "deeds", 2000) or _(
        "%(date)s 在%(park)s创办%(name)s，现带动 %(n)d 人就业。"
    ) % {
        "date": venture.started_on.isoformat(),
        "park": venture.park.name,
        "name": venture.name,
        "n": figures["employed"] - 1,
    }
    with transaction.atomic():
        nomination = honors.nomination_create(
            actor=actor, round=round, member=founder.member, deeds=deeds
        )
        Venture.objects.filter(pk=venture.pk).update(nomination=nomination)
        venture.nomination = nomination
        _audit(
            actor,
            "nominate",
            venture,
            venture.org,
            {"nomination": {"before": None, "after": nomination.pk}},
            note=round.title,
        )
    return nomination
