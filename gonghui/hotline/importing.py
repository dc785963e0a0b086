"""Import of the provincial platform's transfer orders (省平台转办单): a spreadsheet in, one
order filed per row through ``services.ticket_create``, every rejected row reported.

The files are small (a day's or a week's transfers), so the rows are filed one by one inside
one transaction, each in its own savepoint: a bad row is rejected with its row number and
reason and the others go in. A row whose provincial number (``external_no``) is already on
file counts as *unchanged* — importing the same file twice creates nothing the second time.
A repeat of a number within the file is rejected.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, spreadsheets, uploads
from gonghui.core.errors import Forbidden, InvalidInput, NotFound, ServiceError
from gonghui.core.models import ImportJob, ImportStatus
from gonghui.core.roles import can
from gonghui.core.spreadsheets import cell_text, header_key, open_sheet, write_errors
from gonghui.core.uploads import Received
from gonghui.orgs.models import Org

from . import services
from .models import Category, Channel, Complexity
from .selectors import topic_find

# Header texts naming each field (compared after ``spreadsheets.header_key``).
ALIASES: dict[str, tuple[str, ...]] = {
    "external_no": ("工单编号", "转办单号", "省平台工单号", "工单号", "转办编号"),
    "received_at": ("来电时间", "受理时间", "登记时间"),
    "caller_name": ("来电人", "姓名", "来电人姓名", "诉求人"),
    "caller_phone": ("联系电话", "来电号码", "电话", "手机号"),
    "caller_id_number": ("身份证号", "身份证号码"),
    "employer": ("工作单位", "单位名称", "所在单位"),
    "category": ("诉求类型", "类别", "工单类别"),
    "topic": ("问题分类", "主题", "诉求主题"),
    "content": ("诉求内容", "内容", "问题描述"),
    "complexity": ("难易程度", "复杂程度"),
}
REQUIRED = ("external_no", "caller_name", "category", "topic", "content")

CATEGORIES = {
    header_key(text): value
    for value, texts in {
        Category.CONSULT: ("咨询类", "咨询", "consult"),
        Category.DEMAND: ("求决类", "求决", "投诉类", "投诉", "求助", "demand"),
        Category.SUGGESTION: ("意见建议类", "意见建议", "建议", "意见", "suggestion"),
    }.items()
    for text in texts
}
COMPLEXITIES = {
    header_key(text): value
    for value, texts in {
        Complexity.NORMAL: ("一般", "普通", "normal"),
        Complexity.HARD: ("难点", "较难", "疑难", "hard"),
        Complexity.COMPLEX: ("特别复杂", "复杂", "complex"),
    }.items()
    for text in texts
}
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y%m%d%H%M%S", "%Y%m%d")


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors_file: str = ""
    # every rejected row: (row number, original cells, reason)
    rejections: list[tuple[int, list[Any], str]] = field(default_factory=list, repr=False)
    header: list[str] = field(default_factory=list, repr=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejections": [{"row": row, "reason": reason} for row, _c, reason in self.rejections],
        }


def parse_received_at(value: Any) -> datetime | None:
    """A cell of the receipt time: a spreadsheet date/time, or text like ``2020-05-06 09:30``,
    ``2020/5/6 9:30``, ``2020年5月6日``. ``None`` for an empty cell; ``ValueError`` for text
    that is no time."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(9, 0))
    else:
        text = str(value).strip()
        text = re.sub(r"[年月/.]", "-", text).replace("日", " ").replace("T", " ")
        text = re.sub(r"\s+", " ", text).strip()
        # 2020-5-6 9:30 → 2020-05-06 09:30
        text = re.sub(
            r"^(\d{4})-(\d{1,2})-(\d{1,2})",
            lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}",
            text,
        )
        text = re.sub(r" (\d):", r" 0\1:", text)
        for fmt in _DATETIME_FORMATS:
            try:
                moment = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(text)
        if fmt in ("%Y-%m-%d", "%Y%m%d"):
            moment = datetime.combine(moment.date(), time(9, 0))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _topic_code(value: str) -> str:
    """A topic by code or name, also written ``0101 拖欠工资`` or ``欠薪/拖欠工资``."""
    value = value.strip()
    topic = topic_find(value)
    if topic is None:
        for part in reversed([p for p in re.split(r"[\s/／\\>＞\-—|]+", value) if p]):
            topic = topic_find(part)
            if topic is not None:
                break
    return topic.code if topic is not None else value


def _require(actor: Any, org: Org) -> None:
    """The actor files orders at ``org`` (outside their scope: as if it did not exist)."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise NotFound()
    if can(actor, "hotline.intake", org):
        return
    if can(actor, "hotline.view", org):
        raise Forbidden(_("当前角色不能登记热线工单"))
    raise NotFound(_("未找到该工会"))


def _reason(exc: ServiceError, labels: dict[str, str]) -> str:
    """The row's problems, each naming its column once ("请填写来电人姓名", not
    "姓名：请填写来电人姓名")."""
    if isinstance(exc, InvalidInput) and exc.errors:
        parts = []
        for e in exc.errors:
            label = labels.get(e["field"], e["field"]) if e.get("field") else ""
            message = str(e["message"])
            parts.append(f"{label}：{message}" if label and label not in message else message)
        return "；".join(parts)
    return str(exc.detail)


def ticket_import(
    *,
    actor: Any,
    path: str | Path,
    org: Org | None = None,
    file_name: str = "",
    errors_path: str | Path | None = None,
) -> ImportResult:
    """File the transfer orders of a spreadsheet at ``org`` (default: the actor's org).
    Raises ``UnusableFile`` (nothing written) when the file cannot be read as such a list;
    ``errors_path``: where to write the rejected rows as XLSX (only when there are any)."""
    org = org or getattr(actor, "org", None)
    if org is None:
        raise NotFound(_("未找到该工会"))
    _require(actor, org)
    sheet = open_sheet(Path(path), aliases=ALIASES, required=REQUIRED, file_name=file_name)
    labels = {name: sheet.label(name) for name in ALIASES}
    result = ImportResult(header=sheet.header)
    seen: dict[str, int] = {}

    def reject(number: int, cells: list[Any], reason: str) -> None:
        result.rejected += 1
        result.rejections.append((number, cells, reason))

    with transaction.atomic():
        for number, cells in sheet.rows:
            result.rows += 1
            width = len(cells)
            raw = {name: (cells[i] if i < width else None) for name, i in sheet.columns.items()}
            text = {name: cell_text(value).strip() for name, value in raw.items()}
            external_no = text.get("external_no", "")
            if not external_no:
                reject(number, cells, _("%(col)s：不能为空") % {"col": labels["external_no"]})
                continue
            if external_no in seen:
                reject(
                    number,
                    cells,
                    _("%(col)s %(no)s 与第 %(row)d 行重复")
                    % {"col": labels["external_no"], "no": external_no, "row": seen[external_no]},
                )
                continue
            seen[external_no] = number
            problems: list[str] = []
            category = CATEGORIES.get(header_key(text.get("category", "")))
            if category is None:
                problems.append(
                    _("%(col)s：应为咨询类、求决类或意见建议类") % {"col": labels["category"]}
                )
            complexity = Complexity.NORMAL
            if text.get("complexity"):
                found = COMPLEXITIES.get(header_key(text["complexity"]))
                if found is None:
                    problems.append(
                        _("%(col)s：应为一般、难点或特别复杂") % {"col": labels["complexity"]}
                    )
                else:
                    complexity = found
            received_at = None
            try:
                received_at = parse_received_at(raw.get("received_at"))
            except ValueError:
                problems.append(_("%(col)s：时间格式不正确") % {"col": labels["received_at"]})
            if problems:
                reject(number, cells, ";".join(problems))
                continue
            data: dict[str, Any] = {
                "external_no": external_no,
                "channel": Channel.PROVINCE,
                "org": org.code,
                "caller_name": text.get("caller_name", ""),
                "caller_phone": text.get("caller_phone", ""),
                "caller_id_number": text.get("caller_id_number", ""),
                "employer": text.get("employer", ""),
                "category": category,
                "complexity": complexity,
                "topic": _topic_code(text.get("topic", "")),
                "content": text.get("content", ""),
            }
            if received_at is not None:
                data["received_at"] = received_at
            try:
                with transaction.atomic():
                    _ticket, created = services.ticket_create(actor=actor, data=data)
            except (InvalidInput, ServiceError) as exc:
                reject(number, cells, _reason(exc, labels))
                continue
            if created:
                result.created += 1
            else:
                result.unchanged += 1
        if result.created:
            audit.record(
                actor=actor,
                action="hotline.import",
                object_type="ticket",
                object_id="*",
                object_org=org,
                object_repr=sheet.file_name[:200],
                note=(
                    f"{sheet.file_name}：{result.rows} 行，新建 {result.created}，"
                    f"已有 {result.unchanged}，拒绝 {result.rejected}"
                ),
            )
    if errors_path is not None and result.rejections:
        write_errors(Path(errors_path), result.header, result.rejections)
        result.errors_file = str(errors_path)
    return result


def receive(upload: Any) -> Received:
    """An uploaded transfer sheet received through the upload guard (``core.uploads``) into a
    0600 file under the data dir; whoever runs it deletes it."""
    return spreadsheets.save_upload(upload, prefix="hotline-")


def import_received(
    *,
    actor: Any,
    received: Received,
    org: Org | None = None,
    errors_path: Path | None = None,
) -> ImportResult:
    """``ticket_import`` of a received upload, now; the upload is deleted afterwards."""
    try:
        return ticket_import(
            actor=actor,
            path=received.path,
            org=org,
            file_name=received.name,
            errors_path=errors_path,
        )
    finally:
        received.path.unlink(missing_ok=True)


def import_upload(
    *,
    actor: Any,
    upload: IO[bytes] | Any,
    org: Org | None = None,
    errors_path: Path | None = None,
) -> ImportResult:
    """``ticket_import`` of an uploaded file now, whatever its size (a script's, a test's);
    the request paths queue large files with ``import_job_queue`` instead."""
    return import_received(actor=actor, received=receive(upload), org=org, errors_path=errors_path)


# --- the import page: a template, a recorded run, its rejected rows --------------------------

# the template's columns: the first header text of each field, in the order of a transfer
TEMPLATE_FIELDS = (
    "external_no",
    "received_at",
    "caller_name",
    "caller_phone",
    "caller_id_number",
    "employer",
    "category",
    "complexity",
    "topic",
    "content",
)
TEMPLATE_EXAMPLE = [
    "SD12351-2026-000001",
    "2026-11-26 09:30",
    "王强",
    "13800138000",
    "",
    "菏泽某化工有限公司",
    "求决类",
    "一般",
    "欠薪",
    "公司拖欠三个月工资，共计一万二千元。",
]
KIND = "hotline"


def template(target: IO[bytes] | str | Path) -> None:
    """An empty transfer sheet: the header, one example row (which imports as it is)."""
    header = [ALIASES[name][0] for name in TEMPLATE_FIELDS]
    spreadsheets.write_template(target, header, TEMPLATE_EXAMPLE, sheet_name=_("转办单"))


def _errors_path() -> Path:
    return uploads.private_dir("results") / f"hotline-{uuid.uuid4().hex}-rejected.xlsx"


def import_job_run(*, actor: Any, org: Org, upload: Any) -> ImportJob:
    """Import an uploaded transfer sheet and record the run as an ``ImportJob`` of kind
    ``hotline``: its counts, and the rejected rows as a 0600 XLSX under the data dir for
    download (deleted after its retention). A sheet small enough for the request (a day's or
    a week's transfers, ``GONGHUI_UPLOAD_INLINE_KB``) is imported now — raising what
    ``ticket_import`` raises, with nothing written or recorded; a larger one is queued for the
    worker (``import_job_queue``). The upload itself is not kept (it holds callers' names,
    phones and ID numbers in the clear)."""
    _require(actor, org)
    received = receive(upload)
    if not received.inline:
        return import_job_queue(actor=actor, org=org, received=received)
    errors = _errors_path()
    started = timezone.now()
    result = import_received(actor=actor, received=received, org=org, errors_path=errors)
    return ImportJob.objects.create(
        kind=KIND,
        org=org,
        actor=actor,
        file_name=(getattr(upload, "name", "") or "transfer")[:255],
        file_path="",
        status=ImportStatus.DONE,
        total=result.rows,
        processed=result.rows,
        created=result.created,
        unchanged=result.unchanged,
        rejected=result.rejected,
        errors_file=result.errors_file,
        started_at=started,
        finished_at=timezone.now(),
    )


def import_jobs_visible_to(user: Any) -> Any:
    """Transfer-sheet imports of the user's subtree, newest first."""
    return ImportJob.objects.visible_to(user).filter(kind=KIND).select_related("org", "actor")


def import_job_queue(*, actor: Any, org: Org, received: Received) -> ImportJob:
    """Record a pending run of a received sheet and enqueue it once the row is committed;
    ``run_import_job`` (the worker) imports it and deletes the upload."""
    from .tasks import import_transfer_job

    try:
        _require(actor, org)
        with transaction.atomic():
            job = ImportJob.objects.create(
                kind=KIND,
                org=org,
                actor=actor,
                file_name=(received.name or "transfer")[:255],
                file_path=str(received.path),
            )
            transaction.on_commit(lambda: import_transfer_job.enqueue(job.pk))
    except BaseException:
        received.path.unlink(missing_ok=True)
        raise
    return job


def run_import_job(job_id: int) -> dict[str, Any]:
    """The worker's run of a queued sheet. Safe to run twice: the job is claimed by one
    conditional UPDATE (pending → running); the upload is deleted however the run ends."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    job = ImportJob.objects.select_related("org", "actor").get(pk=job_id)
    if not claimed:
        return {"job": job.pk, "status": job.status, "skipped": True}
    errors = _errors_path()
    try:
        result = ticket_import(
            actor=job.actor,
            path=job.file_path,
            org=job.org,
            file_name=job.file_name,
            errors_path=errors,
        )
    except ServiceError as exc:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED, message=exc.detail, finished_at=timezone.now()
        )
        return {"job": job_id, "status": ImportStatus.FAILED.value, "message": exc.detail}
    except Exception as exc:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED,
            message=f"{type(exc).__name__}: {str(exc)[:500]}",
            finished_at=timezone.now(),
        )
        raise
    finally:
        uploads.remove(job.file_path)
        ImportJob.objects.filter(pk=job_id).update(file_removed_at=timezone.now())
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.DONE,
        total=result.rows,
        processed=result.rows,
        created=result.created,
        unchanged=result.unchanged,
        rejected=result.rejected,
        errors_file=result.errors_file,
        finished_at=timezone.now(),
    )
    return {"job": job_id, "status": ImportStatus.DONE.value, **result.as_json()}
