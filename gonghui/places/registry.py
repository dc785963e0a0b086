"""The places as a spreadsheet (PRODUCT.md rule 9): a template, the import and the export.
An import goes through the upload guard; each row through ``place_save`` (keyed by the code,
so running it again changes nothing) in its own savepoint; every rejected row is reported with
its number and reason, and the rejected rows can be downloaded as a workbook to fix."""

from __future__ import annotations

import uuid
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, spreadsheets, uploads
from gonghui.core.errors import NotFound, ServiceError
from gonghui.core.models import ImportJob, ImportStatus

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


KIND = "places"


def import_file(*, actor: Any, upload: Any) -> dict[str, Any]:
    """``{"rows", "created", "updated", "unchanged", "rejected": [{"row", "reason"}], "job"}``:
    the run is kept as an ``ImportJob`` of kind ``places`` (``job``) whose refused rows —
    the sheet's own columns, 原行号 and 错误原因 — are a 0600 workbook under the data dir
    (deleted after ``GONGHUI_RESULT_RETENTION_DAYS``), which imports as it is once fixed."""
    from .models import Place

    received = spreadsheets.save_upload(upload, prefix="places-")
    started = timezone.now()
    counts = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0}
    rejected: list[dict[str, Any]] = []
    refused: list[tuple[int, list[Any], str]] = []
    header: list[str] = []
    try:
        sheet = spreadsheets.open_sheet(
            received.path,
            aliases={name: (label,) for name, label in COLUMNS},
            required=["code", "name", "kind", "org"],
            file_name=received.name,
        )
        header = sheet.header
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
                reason = "；".join(
                    f"{labels.get(e.get('field') or '', '')}：{e['message']}"
                    if labels.get(e.get("field") or "")
                    else e["message"]
                    for e in errors
                )
                rejected.append({"row": number, "reason": reason})
                refused.append((number, list(cells), reason))
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
    errors = ""
    if refused:
        target = uploads.private_dir("results") / f"places-{uuid.uuid4().hex}-rejected.xlsx"
        spreadsheets.write_errors(target, header, refused)
        errors = str(target)
    job = ImportJob.objects.create(
        kind=KIND,
        org=actor.org,
        actor=actor,
        file_name=(received.name or "places")[:255],
        file_path="",
        status=ImportStatus.DONE,
        total=counts["rows"],
        processed=counts["rows"],
        created=counts["created"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        rejected=len(rejected),
        errors_file=errors,
        started_at=started,
        finished_at=timezone.now(),
    )
    return {**counts, "rejected": rejected, "job": job}


def access_import(user: Any, pk: Any) -> ImportJob:
    """One places import of the user's subtree; the same 404 for another's or a missing one."""
    job = (
        ImportJob.objects.visible_to(user).filter(kind=KIND, pk=pk).first()
        if str(pk).isdigit()
        else None
    )
    if job is None:
        raise NotFound()
    return job
