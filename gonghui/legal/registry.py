"""The station registry as a spreadsheet (PRODUCT.md rule 9): one template, import and export
for stations and one for staff. An import goes through the upload guard, each row through
``station_save`` / ``staff_save`` (keyed by station code, and by station and name), so running
it again changes nothing; every rejected row is reported with its reason."""

from __future__ import annotations

from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core import spreadsheets, uploads
from gonghui.core.errors import ServiceError

from . import services
from .models import Staff, StaffKind, Station, StationKind

STATION_COLUMNS = [
    ("code", "站点编号"),
    ("name", "站点名称"),
    ("kind", "类型"),
    ("org", "所属工会代码"),
    ("address", "地址"),
    ("longitude", "经度"),
    ("latitude", "纬度"),
    ("hours", "服务时间"),
    ("phone", "联系电话"),
    ("founded_on", "设立日期"),
]
STAFF_COLUMNS = [
    ("station", "站点编号"),
    ("name", "姓名"),
    ("kind", "类别"),
    ("firm", "执业机构"),
    ("phone", "联系电话"),
    ("user", "登录账号"),
    ("since", "聘任日期"),
]
STATION_EXAMPLE = [
    "FY-371702-01", "牡丹区职工法律维权服务站", str(StationKind.STATION.label), "371702",
    "菏泽市牡丹区中华路", "115.480656", "35.233750", "周一至周五 9:00-17:00", "0530-1234567",
    "2019-05-01",
]  # fmt: skip
STAFF_EXAMPLE = [
    "FY-371702-01", "张律师", str(StaffKind.UNION_LAWYER.label), "山东某律师事务所", "", "",
    "2019-05-01",
]  # fmt: skip


def template(kind: str, target: IO[bytes]) -> None:
    columns, example = (
        (STATION_COLUMNS, STATION_EXAMPLE) if kind == "stations" else (STAFF_COLUMNS, STAFF_EXAMPLE)
    )
    spreadsheets.write_template(
        target,
        [label for _, label in columns],
        example,
        sheet_name=_("站点") if kind == "stations" else _("人员"),
    )


def station_rows(qs: Any) -> list[list[Any]]:
    return [
        [s.code, s.name, s.get_kind_display(), s.org.code, s.address, s.longitude, s.latitude,
         s.hours, s.phone, s.founded_on.isoformat()]
        for s in qs
    ]  # fmt: skip


def staff_rows(qs: Any) -> list[list[Any]]:
    from gonghui.core.masking import mask_phone

    return [
        [s.station.code, s.name, s.get_kind_display(), s.firm, mask_phone(s.phone),
         s.user.username if s.user else "", s.since.isoformat()]
        for s in qs
    ]  # fmt: skip


def import_file(*, actor: Any, upload: Any, kind: str) -> dict[str, Any]:
    """Import stations or staff; ``{"rows", "saved", "rejected": [{"row", "reason"}]}``."""
    columns = STATION_COLUMNS if kind == "stations" else STAFF_COLUMNS
    received = spreadsheets.save_upload(upload, prefix="legal-")
    saved, rejected, rows = 0, [], 0
    try:
        sheet = spreadsheets.open_sheet(
            received.path,
            aliases={name: (label,) for name, label in columns},
            required=[name for name, _ in columns[:3]],
            file_name=received.name,
        )
        save = services.station_save if kind == "stations" else services.staff_save
        for number, cells in sheet.rows:
            rows += 1
            data = {
                name: spreadsheets.cell_text(cells[i]) if i < len(cells) else ""
                for name, i in sheet.columns.items()
            }
            try:
                with transaction.atomic():
                    save(actor=actor, data=data)
                saved += 1
            except ServiceError as exc:
                errors = getattr(exc, "errors", None) or [{"message": exc.detail}]
                rejected.append({"row": number, "reason": "；".join(e["message"] for e in errors)})
    finally:
        uploads.remove(received.path)
    return {"rows": rows, "saved": saved, "rejected": rejected}


__all__ = ["Staff", "Station", "import_file", "station_rows", "staff_rows", "template"]
