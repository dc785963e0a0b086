"""Roster export (XLSX and CSV) of any scoped member list.

The rows come from ``selectors.member_search`` with the user's own filters, so an export never
holds more than the user's list shows. The default export is masked for everyone: ID numbers
(last four), phones, and birth dates (the year only, since a date beside the tail narrows the
number). Full values are an explicit choice (``full=True``) of a user holding ``pii.reveal``
(in their subtree, which is all the list can contain), with a stated purpose: a reveal, audited
before any row is read with the purpose, the filters and the row count. XLSX is written by
xlsxwriter in ``constant_memory`` mode and CSV is streamed, so a million rows cost a few rows
of memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.core.errors import Forbidden, InvalidInput
from gonghui.core.masking import mask_birth_date, mask_id_number, mask_phone
from gonghui.core.roles import can
from gonghui.core.spreadsheets import rows_to_csv, write_rows

from .models import Education, Employment, ModelWorker, Sex, SkillLevel, Status, WorkerType
from .selectors import member_search

# (value path, header): headers are the import's own, so an export imports back as it is.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "姓名"),
    ("sex", "性别"),
    ("ethnicity", "民族"),
    ("id_number", "身份证号"),
    ("birth_date", "出生日期"),
    ("phone", "手机号"),
    ("education", "学历"),
    ("employment", "就业状态"),
    ("skill_level", "技能等级"),
    ("employer_name", "工作单位"),
    ("worker_type", "职工类型"),
    ("model_worker", "劳模类型"),
    ("joined_on", "入会日期"),
    ("status", "会籍状态"),
    ("org__code", "工会代码"),
    ("org__name", "所在工会"),
)
_LABELS = {
    "sex": dict(Sex.choices),
    "education": dict(Education.choices),
    "employment": dict(Employment.choices),
    "skill_level": dict(SkillLevel.choices),
    "worker_type": dict(WorkerType.choices),
    "model_worker": dict(ModelWorker.choices),
    "status": dict(Status.choices),
}


def may_see_full(user: Any) -> bool:
    return can(user, "pii.reveal")


def _check_full(user: Any, full: bool, purpose: str) -> str:
    """The stated purpose of a full-value export (refused without the right or a purpose)."""
    purpose = " ".join((purpose or "").split())
    if not full:
        return ""
    if not may_see_full(user):
        raise Forbidden(_("当前角色无权导出完整身份证号和手机号"))
    if len(purpose) < 4:
        raise InvalidInput.one("purpose", _("导出完整号码须说明用途（至少4个字）"))
    return purpose[:300]


def export_rows(
    user: Any,
    *,
    q: str = "",
    org: Any = None,
    status: str | None = None,
    full: bool = False,
    purpose: str = "",
) -> tuple[list[str], Iterator[list[Any]], int, bool]:
    """(header, rows, count, full): the user's list as spreadsheet rows, masked unless
    ``full`` (which needs ``pii.reveal`` and a ``purpose``). The caller writes the audit row of
    a full export (``audited_rows`` and ``export_members`` do)."""
    _check_full(user, full, purpose)
    qs = member_search(user, q, org=org, status=status)
    paths = [path for path, _header in COLUMNS]
    labels = {key: {k: str(v) for k, v in choices.items()} for key, choices in _LABELS.items()}
    id_at, phone_at = paths.index("id_number"), paths.index("phone")
    birth_at = paths.index("birth_date")
    label_at = [(paths.index(key), table) for key, table in labels.items()]
    count = qs.count()

    def rows() -> Iterator[list[Any]]:
        for values in qs.values_list(*paths).iterator(chunk_size=5000):
            row = list(values)
            if not full:
                row[id_at] = mask_id_number(row[id_at])
                row[phone_at] = mask_phone(row[phone_at])
                row[birth_at] = mask_birth_date(row[birth_at])
            for at, table in label_at:
                row[at] = table.get(row[at], row[at])
            yield row

    return [header for _path, header in COLUMNS], rows(), count, full


def _audit_full(
    user: Any, count: int, fmt: str, purpose: str, q: str, org: Any, status: str | None
) -> None:
    with transaction.atomic():
        audit.record(
            actor=user,
            action="member.export",
            object_type="member",
            object_id="export",
            object_org=getattr(user, "org", None),
            object_repr=_("会员名册导出（含完整身份证号和手机号）"),
            changes={
                "rows": {"before": None, "after": count},
                "format": {"before": None, "after": fmt},
                "filters": {
                    "before": None,
                    "after": {
                        "q": q,
                        "org": getattr(org, "code", org) or "",
                        "status": status or "",
                    },
                },
                "purpose": {"before": None, "after": purpose},
            },
            note=purpose,
        )


def audited_rows(
    user: Any,
    fmt: str,
    *,
    q: str = "",
    org: Any = None,
    status: str | None = None,
    full: bool = False,
    purpose: str = "",
) -> tuple[list[str], Iterator[list[Any]]]:
    """(header, rows) of ``export_rows``; a full-value export is audited before any row is
    read."""
    header, rows, count, full = export_rows(
        user, q=q, org=org, status=status, full=full, purpose=purpose
    )
    if full:
        _audit_full(user, count, fmt, _check_full(user, full, purpose), q, org, status)
    return header, rows


def export_members(
    user: Any,
    target: str | Path | IO[bytes],
    *,
    fmt: str = "xlsx",
    q: str = "",
    org: Any = None,
    status: str | None = None,
    full: bool = False,
    purpose: str = "",
) -> int:
    """Write the user's member list to ``target`` (a path or a binary file) as ``xlsx`` or
    ``csv``; returns the row count. Masked unless ``full`` (with ``purpose``); full values
    are audited before the first row is written."""
    header, rows, count, full = export_rows(
        user, q=q, org=org, status=status, full=full, purpose=purpose
    )
    if full:
        _audit_full(user, count, fmt, _check_full(user, full, purpose), q, org, status)
    if fmt == "csv":
        if isinstance(target, str | Path):
            with Path(target).open("w", encoding="utf-8", newline="") as out:
                for chunk in rows_to_csv(header, rows):
                    out.write(chunk)
        else:
            for chunk in rows_to_csv(header, rows):
                target.write(chunk.encode())
        return count
    write_rows(target, _("会员名册"), header, rows)
    return count


def export_csv_stream(
    user: Any,
    *,
    q: str = "",
    org: Any = None,
    status: str | None = None,
    full: bool = False,
    purpose: str = "",
) -> Iterator[str]:
    """CSV text chunks for a ``StreamingHttpResponse``; a full export is audited first."""
    return rows_to_csv(
        *audited_rows(user, "csv", q=q, org=org, status=status, full=full, purpose=purpose)
    )


def export_file_name(fmt: str) -> str:
    return f"members-{timezone.localdate():%Y%m%d}.{fmt}"
