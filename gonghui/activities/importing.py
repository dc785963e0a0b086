"""An activity's participants, attendance and volunteer hours imported from a spreadsheet.

Organisers keep the sign-up sheet of a reading campaign or a volunteer day in Excel. One row
is one person: the ID number or the member number (the e-card's), the name, the role
(参加者, 志愿者, 工作人员), whether they came (签到) and their hours. Every row is answered:

- the member is found by ID number (blind index) or member number among the members the
  organiser may see; one outside that scope answers exactly like one not in the registry;
  a name that does not match the registry's, a member who has left, or one outside the
  activity's union (who could not sign up from the portal either) is refused with the reason;
- hours must be a number from 0 to 24; hours or 签到 make the row an attendance, and only a
  confirmed place can attend;
- the same person twice in the sheet: the row after one imported is refused, naming it;
- new sign-ups past the capacity go to the waiting list in row order, as the portal's rules
  say (an attendance row that would only get a waiting place is refused);
- a person already signed up is brought to what the row says (role, attendance, hours); a row
  that says what is already recorded changes nothing, so a sheet imports again unchanged.

The whole sheet is one transaction holding the activity's row lock (the portal's sign-ups
wait, so the capacity is counted once); each row in its own savepoint, so a refused row
writes nothing. The run is an ``ImportJob`` with the refused rows as a workbook (the sheet's
own columns, 原行号 and 错误原因), which imports as it is once fixed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, spreadsheets, uploads
from gonghui.core.errors import Conflict, InvalidInput, NotFound
from gonghui.core.fields import blind_index_for
from gonghui.core.identifiers import normalise, parse_citizen_id
from gonghui.core.masking import mask_name
from gonghui.core.models import ImportJob, ImportStatus
from gonghui.core.roles import can

from .models import Activity, Signup, SignupImport, SignupRole, SignupStatus

KIND = "activities"
MANAGE = "activities.manage"
MAX_ROWS = 20000
COLUMNS = [
    ("id_number", "身份证号"),
    ("member_no", "会员编号"),
    ("name", "姓名"),
    ("role", "角色"),
    ("attended", "是否签到"),
    ("hours", "志愿服务时长（小时）"),
]
ALIASES: dict[str, tuple[str, ...]] = {
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码"),
    "member_no": ("会员编号", "会员号", "会员卡号", "会员证号"),
    "name": ("姓名", "会员姓名"),
    "role": ("角色", "身份", "参与方式"),
    "attended": ("是否签到", "签到", "是否参加", "出勤"),
    "hours": ("志愿服务时长", "服务时长", "时长", "志愿时长", "小时数"),
}
EXAMPLE = ["371702199001010011", "", "张伟", "志愿者", "是", "3"]
YES = {"是", "y", "yes", "true", "1", "√", "已签到", "出勤", "参加"}
NO = {"", "否", "n", "no", "false", "0", "未签到", "缺勤", "未参加"}
ROLE_WORDS = {
    SignupRole.PARTICIPANT: ("参加者", "参加", "参与者", "参与", "学员", "职工", "会员"),
    SignupRole.VOLUNTEER: ("志愿者", "志愿", "志愿服务"),
    SignupRole.ORGANISER: ("工作人员", "组织者", "负责人", "工作人"),
}
PREVIEW_REJECTED = 50


@dataclass
class Outcome:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    waiting: int = 0
    header: list[str] = field(default_factory=list)
    rejected: list[tuple[int, list[Any], str]] = field(default_factory=list)


def template(target: IO[bytes]) -> None:
    spreadsheets.write_template(
        target, [label for _n, label in COLUMNS], EXAMPLE, sheet_name=_("活动报名")
    )


def _role(text: str) -> str | None:
    """A role as organisers write it; ``None`` when blank (kept as recorded)."""
    value = text.strip()
    if not value:
        return None
    for role, words in ROLE_WORDS.items():
        if value == role.value or value == str(role.label) or value in words:
            return str(role.value)
    labels = "、".join(str(label) for _v, label in SignupRole.choices)
    raise InvalidInput.one(
        "role", _("“%(v)s”无法识别，应为%(labels)s") % {"v": value, "labels": labels}
    )


def _attended(text: str) -> bool:
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise InvalidInput.one("attended", _("应填“是”或“否”"))


def _hours(text: str) -> Decimal | None:
    from .services import _hours as parse

    value = text.strip().removesuffix("小时").removesuffix("h").strip()
    return None if not value else parse(value)


class _Finder:
    """Members the organiser may see, found by ID number or member number; anything else,
    in the registry or not, is "not found" alike."""

    def __init__(self, actor: Any) -> None:
        from gonghui.members.selectors import members_visible_to

        self.visible = members_visible_to(actor)

    def find(self, data: dict[str, str]) -> Any:
        id_text, number = data.get("id_number", "").strip(), data.get("member_no", "").strip()
        if not id_text and not number:
            raise InvalidInput.one("id_number", _("请填写身份证号或会员编号"))
        member = None
        if id_text:
            try:
                canonical = parse_citizen_id(id_text).number
            except ValidationError as exc:
                raise InvalidInput.one("id_number", str(exc.messages[0])) from exc
            member = self.visible.filter(
                id_number_bidx=blind_index_for("citizen_id", canonical)
            ).first()
        else:
            digits = normalise(number)
            if digits.isdigit() and len(digits) <= 12:
                member = self.visible.filter(pk=int(digits)).first()
        if member is None:
            field = "id_number" if id_text else "member_no"
            raise InvalidInput.one(field, _("会员名册中没有此人"))
        return member


def _row(
    *,
    actor: Any,
    activity: Activity,
    data: dict[str, str],
    finder: _Finder,
    seen: dict[int, int],
    number: int,
    taken: list[int],
    outcome: Outcome,
    now: Any,
) -> None:
    from gonghui.members.models import Status

    member = finder.find(data)
    name = "".join(data.get("name", "").split())
    if name and name != "".join(member.name.split()):
        raise InvalidInput.one("name", _("与会员名册中的姓名不一致"))
    if member.pk in seen:
        raise InvalidInput.one("", _("与第 %(n)d 行是同一人") % {"n": seen[member.pk]})
    if member.status != Status.ACTIVE:
        raise InvalidInput.one(
            "", _("此人不是在会会员（%(s)s）") % {"s": member.get_status_display()}
        )
    if not member.org.path.startswith(activity.org.path):
        raise InvalidInput.one(
            "", _("此人不属于主办单位%(org)s及其下级工会") % {"org": activity.org.name}
        )
    said_role = _role(data.get("role", ""))
    hours = _hours(data.get("hours", ""))
    said = data.get("attended", "").strip()
    # 签到 and hours blank: the row says nothing of attendance (a sign-up sheet), which
    # stays as recorded; hours alone say the person came
    present: bool | None = _attended(said) if said else (True if hours is not None else None)
    if present is False and hours:
        raise InvalidInput.one("hours", _("未签到的人员不计志愿服务时长"))
    if present and activity.starts_at > now:
        raise InvalidInput.one("attended", _("活动尚未开始，不能登记签到"))

    existing = Signup.objects.select_for_update().filter(activity=activity, member=member).first()
    role = said_role or (existing.role if existing else str(SignupRole.PARTICIPANT))
    if present is None:
        present = bool(existing and existing.status == SignupStatus.CONFIRMED and existing.attended)
    if not present:
        credited = Decimal(0)
    elif hours is not None:
        credited = hours
    elif existing is not None and existing.attended:
        credited = existing.hours  # hours corrected on the page stay
    else:
        credited = activity.hours
    full = bool(activity.capacity) and taken[0] >= activity.capacity
    if existing is None or existing.status == SignupStatus.CANCELLED:
        status = SignupStatus.WAITING if full else SignupStatus.CONFIRMED
        if present and status == SignupStatus.WAITING:
            raise InvalidInput.one(
                "attended",
                _("名额已满（%(c)d 人），此人只能候补，候补人员不能登记签到和时长")
                % {"c": activity.capacity},
            )
        values = {"status": status, "queued_at": now, "role": role}
        if existing is None:
            item = Signup(activity=activity, member=member, **values)
        else:
            item = existing
            for key, value in values.items():
                setattr(item, key, value)
        before: dict[str, Any] = {"status": existing.status if existing else None}
        outcome.created += 1
        if status == SignupStatus.CONFIRMED:
            taken[0] += 1
        else:
            outcome.waiting += 1
    else:
        item = existing
        if present and item.status != SignupStatus.CONFIRMED:
            raise InvalidInput.one(
                "attended",
                _("%(s)s的报名不能登记签到和时长") % {"s": item.get_status_display()},
            )
        before = {"role": item.role, "attended": item.attended, "hours": str(item.hours)}
        if (item.role, item.attended, item.hours) == (role, present, credited):
            outcome.unchanged += 1
            seen[member.pk] = number
            return
        item.role = role
        outcome.updated += 1
    if item.attended != present:
        item.checked_in_at = now if present else None
        item.checked_in_by = "clerk" if present else ""
    item.attended, item.hours = present, credited
    item.save()
    seen[member.pk] = number  # a later row of the same person is refused, naming this one
    after = {"status": item.status, "role": item.role, "attended": present, "hours": str(credited)}
    audit.record(
        actor=actor,
        action="activities.signup_import",
        object_type="activities_activity",
        object_id=activity.pk,
        object_org=activity.org,
        object_repr=str(activity),
        changes={
            k: {"before": before.get(k), "after": v} for k, v in after.items() if before.get(k) != v
        },
        note=mask_name(member.name),
    )


def _reason(exc: InvalidInput, sheet: spreadsheets.Sheet, labels: dict[str, str]) -> str:
    """The row's refusal, each message after the column it names (the sheet's own header)."""
    parts = []
    for e in exc.errors:
        name = e.get("field") or ""
        label = sheet.label(name) if name in sheet.columns else labels.get(name, "")
        parts.append(f"{label}：{e['message']}" if label else str(e["message"]))
    return "；".join(parts)


def import_rows(*, actor: Any, activity: Activity, path: Any, file_name: str = "") -> Outcome:
    """Read the sheet at ``path`` (through the upload guard) into ``activity``; see the
    module docstring. Raises ``UnusableFile`` for a sheet that cannot be read at all."""
    labels = dict(COLUMNS)
    sheet = spreadsheets.open_sheet(path, aliases=ALIASES, file_name=file_name)
    if "id_number" not in sheet.columns and "member_no" not in sheet.columns:
        raise spreadsheets.UnusableFile(_("缺少必需的列：身份证号或会员编号"))
    outcome = Outcome(header=sheet.header)
    finder = _Finder(actor)
    seen: dict[int, int] = {}
    now = timezone.now()
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        if locked.cancelled:
            raise Conflict(_("活动已取消，不能导入报名。"))
        taken = [locked.signups.filter(status=SignupStatus.CONFIRMED).count()]
        for number, cells in uploads.limit_rows(sheet.rows, MAX_ROWS):
            outcome.rows += 1
            data = {
                name: spreadsheets.cell_text(cells[i]).strip() if i < len(cells) else ""
                for name, i in sheet.columns.items()
            }
            try:
                with transaction.atomic():
                    _row(
                        actor=actor, activity=locked, data=data, finder=finder, seen=seen,
                        number=number, taken=taken, outcome=outcome, now=now,
                    )  # fmt: skip
            except InvalidInput as exc:
                outcome.rejected.append((number, list(cells), _reason(exc, sheet, labels)))
        audit.record(
            actor=actor,
            action="activities.import",
            object_type="activities_activity",
            object_id=locked.pk,
            object_org=locked.org,
            object_repr=str(locked),
            changes={
                "rows": {"before": None, "after": outcome.rows},
                "created": {"before": None, "after": outcome.created},
                "updated": {"before": None, "after": outcome.updated},
                "rejected": {"before": None, "after": len(outcome.rejected)},
            },
            note=file_name[:200],
        )
    return outcome


def import_run(*, actor: Any, activity: Activity, upload: Any) -> ImportJob:
    """Import an uploaded sheet into ``activity`` and record the run (an ``ImportJob`` of
    kind ``activities`` tied to the activity), the refused rows as a 0600 workbook under the
    data dir (deleted after ``GONGHUI_RESULT_RETENTION_DAYS``). The upload is not kept: it
    holds ID numbers in the clear."""
    if not can(actor, MANAGE, activity.org):
        raise NotFound()
    received = spreadsheets.save_upload(upload, prefix="activities-")
    started = timezone.now()
    try:
        outcome = import_rows(
            actor=actor, activity=activity, path=received.path, file_name=received.name
        )
    finally:
        uploads.remove(received.path)
    errors = ""
    if outcome.rejected:
        target = uploads.private_dir("results") / f"activities-{uuid.uuid4().hex}-rejected.xlsx"
        spreadsheets.write_errors(target, outcome.header, outcome.rejected)
        errors = str(target)
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=KIND,
            org=activity.org,
            actor=actor,
            file_name=(received.name or "signups")[:255],
            file_path="",
            status=ImportStatus.DONE,
            total=outcome.rows,
            processed=outcome.rows,
            created=outcome.created,
            updated=outcome.updated,
            unchanged=outcome.unchanged,
            rejected=len(outcome.rejected),
            errors_file=errors,
            message=_("其中 %(n)d 人进入候补") % {"n": outcome.waiting} if outcome.waiting else "",
            started_at=started,
            finished_at=timezone.now(),
        )
        SignupImport.objects.create(activity=activity, job=job)
    return job


def access_import(user: Any, activity: Activity, job_id: Any) -> ImportJob:
    """One import of ``activity`` the user may manage; the same 404 otherwise."""
    if not can(user, MANAGE, activity.org):
        raise NotFound()
    link = (
        SignupImport.objects.filter(
            activity=activity, job_id=job_id if str(job_id).isdigit() else 0
        )
        .select_related("job", "job__org", "job__actor")
        .first()
    )
    if link is None or not ImportJob.objects.visible_to(user).filter(pk=link.job_id).exists():
        raise NotFound()
    return link.job


def rejected_preview(job: ImportJob) -> list[dict[str, str]]:
    if not job.errors_file or not Path(job.errors_file).exists():
        return []
    return spreadsheets.read_rejected(job.errors_file, ALIASES["name"], PREVIEW_REJECTED)
