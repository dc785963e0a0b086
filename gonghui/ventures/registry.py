"""Parks, ventures and the people they employ as spreadsheets (PRODUCT.md rule 9): a template,
an import answered row by row and an export for each.

Parks and ventures go through the page's own services (``park_save``, ``venture_save``) row by
row, each in its own savepoint, keyed by the park's code and by (park, venture name), so that
running a sheet again changes nothing. People arrive by the thousand: each row is checked
(venture, name, ID number, dates), the people of the registry are found by the blind index of
their ID number in one query per sheet, and the rows that pass are written with one set-based
insert (``services.people_insert``); a row refused is listed with its number and reason. Every
file passes the upload guard first and is deleted after.
"""

from __future__ import annotations

import datetime
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import spreadsheets, uploads
from gonghui.core.errors import ServiceError
from gonghui.core.fields import blind_index_for
from gonghui.core.identifiers import parse_citizen_id
from gonghui.core.masking import mask_id_number
from gonghui.core.roles import can

from . import services
from .models import Park, Person, Role, Venture

PARK_COLUMNS = [
    ("code", "园区编号"),
    ("name", "园区名称"),
    ("level", "级别"),
    ("host", "承办单位"),
    ("org", "登记单位代码"),
    ("address", "地址"),
    ("longitude", "经度"),
    ("latitude", "纬度"),
    ("area", "面积（平方米）"),
    ("services", "服务内容"),
    ("recognized_on", "认定日期"),
]
VENTURE_COLUMNS = [
    ("park", "园区编号"),
    ("name", "创业项目"),
    ("industry", "行业门类"),
    ("started_on", "创业日期"),
    ("founder_name", "创业者姓名"),
    ("founder_id_number", "创业者身份证号"),
    ("founder_migrant", "创业者是否农民工"),
    ("loans", "创业担保贷款（元）"),
    ("rent_relief", "房租减免（元）"),
    ("training", "创业培训（次）"),
]
PEOPLE_COLUMNS = [
    ("park", "园区编号"),
    ("venture", "创业项目"),
    ("name", "姓名"),
    ("id_number", "身份证号"),
    ("started_on", "就业日期"),
    ("ended_on", "离职日期"),
    ("migrant", "是否农民工"),
]
COLUMNS = {"parks": PARK_COLUMNS, "ventures": VENTURE_COLUMNS, "people": PEOPLE_COLUMNS}
REQUIRED = {
    "parks": ["code", "name", "level"],
    "ventures": ["park", "name", "started_on"],
    "people": ["park", "venture", "name", "id_number"],
}
EXAMPLES = {
    "parks": [
        "CYY-371702-01",
        "牡丹区工友创业园",
        "市级",
        "牡丹区总工会",
        "371702",
        "菏泽市牡丹区中华路",
        "115.480656",
        "35.233750",
        "12000",
        "创业指导、场地、融资对接",
        "2020-05-01",
    ],
    "ventures": [
        "CYY-371702-01",
        "牡丹区鑫源电商",
        "批发和零售业",
        "2020-05-10",
        "王强",
        "11010519491231002X",
        "是",
        "100000",
        "12000",
        "2",
    ],
    "people": [
        "CYY-371702-01",
        "牡丹区鑫源电商",
        "李梅",
        "11010519491231002X",
        "2020-06-01",
        "",
        "否",
    ],
}
SHEET_NAMES = {"parks": "工友创业园", "ventures": "创业项目", "people": "带动就业人员"}
REJECTED_SHOWN = 500


def template(kind: str, target: IO[bytes]) -> None:
    spreadsheets.write_template(
        target,
        [label for _n, label in COLUMNS[kind]],
        EXAMPLES[kind],
        sheet_name=_(SHEET_NAMES[kind]),
    )


def _day(value: Any) -> str:
    return value.isoformat() if value else ""


def park_rows(qs: Any) -> Any:
    for p in qs.iterator(chunk_size=2000):
        yield [
            p.code,
            p.name,
            p.get_level_display(),
            p.host,
            p.org.code,
            p.address,
            p.longitude,
            p.latitude,
            p.area,
            p.services,
            _day(p.recognized_on),
        ]


def venture_rows(qs: Any) -> Any:
    founders = {
        row["venture_id"]: row
        for row in Person.objects.filter(venture__in=qs.values("pk"), role=Role.FOUNDER).values(
            "venture_id", "name", "migrant", "member__id_number", "id_number"
        )
    }
    for v in qs.iterator(chunk_size=2000):
        f: dict[str, Any] = dict(founders.get(v.pk) or {})
        yield [
            v.park.code,
            v.name,
            v.get_industry_display(),
            _day(v.started_on),
            f.get("name", ""),
            mask_id_number(f.get("id_number") or ""),
            _("是") if f.get("migrant") else _("否"),
            v.loans,
            v.rent_relief,
            v.training,
        ]


def people_rows(qs: Any) -> Any:
    qs = qs.select_related("venture", "venture__park").order_by("venture_id", "role", "id")
    for p in qs.iterator(chunk_size=2000):
        yield [
            p.venture.park.code,
            p.venture.name,
            p.name,
            mask_id_number(p.id_number),
            _day(p.started_on),
            _day(p.ended_on),
            _("是") if p.migrant else _("否"),
            p.get_role_display(),
            _("是") if p.hardship else _("否"),
            _("是") if p.member_id else _("否"),
        ]


PEOPLE_EXPORT_HEADER = [label for _n, label in PEOPLE_COLUMNS] + ["身份", "困难职工", "会员"]


def _reason(exc: ServiceError) -> str:
    errors = getattr(exc, "errors", None) or [{"message": exc.detail}]
    return "；".join(e["message"] for e in errors)


def _sheet(kind: str, received: uploads.Received) -> spreadsheets.Sheet:
    return spreadsheets.open_sheet(
        received.path,
        aliases={name: (label,) for name, label in COLUMNS[kind]},
        required=REQUIRED[kind],
        file_name=received.name,
    )


def _values(sheet: spreadsheets.Sheet, cells: list[Any]) -> dict[str, str]:
    return {
        name: spreadsheets.cell_text(cells[i]).strip() if i < len(cells) else ""
        for name, i in sheet.columns.items()
    }


def import_file(*, actor: Any, upload: Any, kind: str) -> dict[str, Any]:
    """Import parks, ventures or people: ``{"rows", "saved", "rejected": [{"row", "reason"}]}``
    (``rejected`` lists at most ``REJECTED_SHOWN`` rows; ``rejected_count`` counts them all)."""
    received = spreadsheets.save_upload(upload, prefix="ventures-")
    try:
        sheet = _sheet(kind, received)
        if kind == "people":
            return _import_people(actor, sheet)
        return _import_each(actor, sheet, kind)
    finally:
        uploads.remove(received.path)


def _result(rows: int, saved: int, rejected: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "rows": rows,
        "saved": saved,
        "rejected": rejected[:REJECTED_SHOWN],
        "rejected_count": len(rejected),
    }


def _import_each(actor: Any, sheet: spreadsheets.Sheet, kind: str) -> dict[str, Any]:
    saved, rows = 0, 0
    rejected: list[dict[str, Any]] = []
    parks: dict[str, Park | None] = {}
    for number, cells in sheet.rows:
        rows += 1
        data = _values(sheet, cells)
        try:
            with transaction.atomic():
                if kind == "parks":
                    services.park_save(actor=actor, data=data)
                else:
                    code = data.get("park", "")
                    if code not in parks:
                        parks[code] = _park(actor, code)
                    park = parks[code]
                    if park is None:
                        raise ValueError(
                            _("园区编号“%(c)s”不存在或不在本单位范围内") % {"c": code[:32]}
                        )
                    services.venture_save(actor=actor, park=park, data=data)
            saved += 1
        except ServiceError as exc:
            rejected.append({"row": number, "reason": _reason(exc)})
        except ValueError as exc:
            rejected.append({"row": number, "reason": str(exc)})
    return _result(rows, saved, rejected)


def _park(actor: Any, code: str) -> Park | None:
    park = Park.objects.visible_to(actor).filter(code=code).select_related("org").first()
    return park if park is not None and can(actor, services.MANAGE, park.org) else None


def _import_people(actor: Any, sheet: spreadsheets.Sheet) -> dict[str, Any]:
    """Check every row, then insert the good ones at once."""
    from gonghui.members.models import Member, WorkerType

    rows = 0
    rejected: list[dict[str, Any]] = []
    ventures: dict[tuple[str, str], Venture | None] = {}
    parks: dict[str, Park | None] = {}
    checked: list[tuple[int, dict[str, Any]]] = []
    today = timezone.localdate()
    seen: dict[tuple[int, str], int] = {}
    for number, cells in sheet.rows:
        rows += 1
        data = _values(sheet, cells)
        try:
            key = (data.get("park", ""), data.get("venture", ""))
            if key not in ventures:
                park = (
                    parks.get(key[0])
                    if key[0] in parks
                    else parks.setdefault(key[0], _park(actor, key[0]))
                )
                ventures[key] = (
                    Venture.objects.filter(park=park, name=key[1])
                    .select_related("org", "park")
                    .first()
                    if park is not None
                    else None
                )
            venture = ventures[key]
            if venture is None:
                raise ValueError(
                    _("园区“%(p)s”中没有创业项目“%(v)s”") % {"p": key[0][:32], "v": key[1][:50]}
                )
            name = " ".join(data.get("name", "").split())
            if not name or len(name) > 50:
                raise ValueError(_("请填写姓名（最多50字）"))
            try:
                number_id = parse_citizen_id(data.get("id_number", "")).number
            except ValidationError as exc:
                raise ValueError(exc.messages[0]) from exc
            started = (
                _sheet_date(data.get("started_on", ""), _("就业日期"), today) or venture.started_on
            )
            ended = _sheet_date(data.get("ended_on", ""), _("离职日期"), today)
            if started < venture.started_on:
                raise ValueError(_("就业日期不能早于创业日期（%(d)s）") % {"d": venture.started_on})
            if ended is not None and ended < started:
                raise ValueError(_("离职日期不能早于就业日期"))
            migrant = services._flag({"migrant": data.get("migrant", "")}, "migrant")
            bidx = blind_index_for("citizen_id", number_id)
            if (venture.pk, bidx) in seen:
                raise ValueError(_("与第 %(n)d 行是同一人") % {"n": seen[(venture.pk, bidx)]})
            seen[(venture.pk, bidx)] = number
            checked.append(
                (
                    number,
                    {
                        "venture": venture,
                        "name": name,
                        "id": number_id,
                        "bidx": bidx,
                        "started": started,
                        "ended": ended,
                        "migrant": migrant,
                    },
                )
            )
        except ServiceError as exc:
            rejected.append({"row": number, "reason": _reason(exc)})
        except ValueError as exc:
            rejected.append({"row": number, "reason": str(exc)})
    # the people of the registry, by the blind index of their ID number: one query a chunk
    members: dict[str, tuple[int, str, bool]] = {}
    wanted = [str(c["bidx"]) for _n, c in checked]
    for start in range(0, len(wanted), 5000):
        for m_pk, m_bidx, m_name, m_kind in (
            Member.objects.visible_to(actor)
            .filter(id_number_bidx__in=wanted[start : start + 5000])
            .values_list("pk", "id_number_bidx", "name", "worker_type")
        ):
            members[m_bidx] = (m_pk, m_name, m_kind == WorkerType.MIGRANT)
    people = []
    for _n, c in checked:
        member = members.get(c["bidx"])
        people.append(
            services.PersonRow(
                venture=c["venture"],
                member_id=member[0] if member else None,
                name=member[1] if member else c["name"],
                id_number="" if member else c["id"],
                bidx=c["bidx"],
                started_on=c["started"],
                ended_on=c["ended"],
                migrant=member[2] if member else c["migrant"],
            )
        )
    try:
        saved = services.people_insert(actor=actor, rows=people, note=_("表格导入"))
    except ServiceError as exc:
        rejected.append({"row": 0, "reason": _reason(exc)})
        saved = 0
    rejected.sort(key=lambda r: r["row"])
    result = _result(rows, saved, rejected)
    result["unchanged"] = len(people) - saved
    return result


def _sheet_date(raw: str, label: str, today: datetime.date) -> datetime.date | None:
    if not raw:
        return None
    try:
        day = datetime.date.fromisoformat(raw[:10].replace("/", "-"))
    except ValueError:
        raise ValueError(_("%(f)s格式应为 2020-09-19") % {"f": label}) from None
    if day > today or day.year < 1950:
        raise ValueError(_("%(f)s不合理") % {"f": label})
    return day
