"""The places as a spreadsheet (PRODUCT.md rule 9): a template, the import and the export.
An import goes through the upload guard; each row through ``place_save`` (keyed by the code,
so running it again changes nothing) in its own savepoint; every rejected row is reported with
its number and reason, and the rejected rows can be downloaded as a workbook to fix."""

from __future__ import annotations

from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core import audit, spreadsheets, uploads
from gonghui.core.errors import ServiceError

from . import checklists, services
from .models import Kind

COLUMNS = [
    ("code", "阵地编号"),
    ("name", "名称"),
    ("kind", "类型"),
    ("org", "所属工会代码"),
    ("address", "地址"),
    ("longitude", "经度"),
    ("latitude", "纬度"),
    ("hours", "开放时间"),
    ("services", "服务内容"),
    ("phone", "联系电话"),
    ("opened_on", "建成日期"),
    ("checklist", "已达标条件"),
]
EXAMPLE = [
    "YZ-371702-001", "牡丹区中华路户外劳动者驿站", str(Kind.STATION.label), "371702",
    "菏泽市牡丹区中华路与人民路交叉口", "115.480656", "35.233750", "全天", "饮水、休息、充电、加热",
    "0530-1234567", "2019-05-01", "统一标识和名称、服务内容和时间公开",
]  # fmt: skip


def template(target: IO[bytes]) -> None:
    spreadsheets.write_template(
        target, [label for _n, label in COLUMNS], EXAMPLE, sheet_name=_("服务阵地")
    )


def header() -> list[str]:
    return [_(label) for _n, label in COLUMNS] + [_("星级"), _("评定年度")]


def rows(qs: Any) -> Any:
    kinds = dict(Kind.choices)
    for p in qs.order_by("county__code", "code").iterator(chunk_size=2000):
        met = [str(label) for key, label, ok in checklists.labelled(p.kind, p.checklist) if ok]
        yield [
            p.code, p.name, str(kinds.get(p.kind, p.kind)), p.org.code, p.address,
            p.longitude, p.latitude, p.hours, p.services, p.phone, p.opened_on, "、".join(met),
            p.stars or "", p.stars_year or "",
        ]  # fmt: skip


def import_file(*, actor: Any, upload: Any) -> dict[str, Any]:
    """``{"rows", "created", "updated", "unchanged", "rejected": [{"row", "reason"}]}``."""
    from .models import Place

    received = spreadsheets.save_upload(upload, prefix="places-")
    counts = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0}
    rejected: list[dict[str, Any]] = []
    try:
        sheet = spreadsheets.open_sheet(
            received.path,
            aliases={name: (label,) for name, label in COLUMNS},
            required=["code", "name", "kind", "org"],
            file_name=received.name,
        )
        labels = dict(COLUMNS)
        for number, cells in sheet.rows:
            counts["rows"] += 1
            data = {
                name: spreadsheets.cell_text(cells[i]) if i < len(cells) else ""
                for name, i in sheet.columns.items()
            }
            before = Place.objects.filter(code=data.get("code", "").strip()).first()
            stamp = before.updated_at if before else None
            try:
                with transaction.atomic():
                    place = services.place_save(actor=actor, data=data)
            except ServiceError as exc:
                errors = getattr(exc, "errors", None) or [{"field": "", "message": exc.detail}]
                rejected.append(
                    {
                        "row": number,
                        "reason": "；".join(
                            f"{labels.get(e.get('field') or '', '')}：{e['message']}"
                            if labels.get(e.get("field") or "")
                            else e["message"]
                            for e in errors
                        ),
                    }
                )
                continue
            if before is None:
                counts["created"] += 1
            elif place.updated_at != stamp:
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        with transaction.atomic():
            audit.record(
                actor=actor,
                action="places.import",
                object_type="places_place",
                object_id="import",
                object_org=getattr(actor, "org", None),
                object_repr=received.name,
                changes={
                    "rows": {"before": None, "after": counts["rows"]},
                    "rejected": {"before": None, "after": len(rejected)},
                },
            )
    finally:
        uploads.remove(received.path)
    return {**counts, "rejected": rejected}
