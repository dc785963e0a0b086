"""Every write of the activities module: activities, sign-ups with their limit and waiting
list, check-in (the door's QR code or the clerk), volunteer hours, photos, the volunteer
team's roll. One transaction and one audit row each.

Sign-up and cancellation lock the activity's row (``select_for_update``) before counting the
places taken, so concurrent sign-ups cannot overfill it and a cancellation promotes exactly
one waiting member (the first in ``queued_at`` order).
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit
from gonghui.core.errors import Conflict, InvalidInput, NotFound
from gonghui.core.masking import mask_name
from gonghui.core.roles import can

from .models import Activity, Kind, Photo, Signup, SignupStatus, Team, TeamMember, TeamRole

MANAGE = "activities.manage"
HOURS_MAX = Decimal("24")
PHOTO_RETAIN_DAYS = 365 * 5
PHOTO_TYPES = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".gif": "gif", ".webp": "riff"}


def _audit(
    actor: Any, action: str, obj: Any, org: Any, changes: Any = None, note: str = ""
) -> None:
    kind = {Activity: "activities_activity", Team: "activities_team"}[type(obj)]
    audit.record(
        actor=actor,
        action=f"activities.{action}",
        object_type=kind,
        object_id=obj.pk,
        object_org=org,
        object_repr=str(obj),
        changes=changes,
        note=note,
    )


def _require(actor: Any, org: Any) -> None:
    if not can(actor, MANAGE, org):
        raise NotFound()


def _text(data: dict[str, Any], field: str, limit: int, *, required: bool = False) -> str:
    value = str(data.get(field) or "").strip()
    if required and not value:
        raise InvalidInput.one(field, _("请填写此项。"))
    if len(value) > limit:
        raise InvalidInput.one(field, _("内容过长（最多 %(n)d 字）。") % {"n": limit})
    return value


def _hours(value: Any, field: str = "hours") -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise InvalidInput.one(field, _("请填写数字。")) from exc
    if not number.is_finite() or not Decimal(0) <= number <= HOURS_MAX:
        raise InvalidInput.one(field, _("时长应在 0 至 24 小时之间。"))
    return number.quantize(Decimal("0.1"))


def _moment(data: dict[str, Any], field: str) -> datetime.datetime:
    value = data.get(field)
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        try:
            moment = datetime.datetime.fromisoformat(str(value or "").strip())
        except ValueError as exc:
            raise InvalidInput.one(field, _("时间格式应为 2020-09-20 09:00。")) from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


# --- activities ------------------------------------------------------------------------------

ACTIVITY_FIELDS = [
    "title",
    "kind",
    "team",
    "starts_at",
    "ends_at",
    "place",
    "description",
    "capacity",
    "hours",
]


def activity_save(
    *, actor: Any, org: Any, data: dict[str, Any], activity: Activity | None = None
) -> Activity:
    """Publish an activity of ``org`` or change one. A capacity below the places already
    taken is refused (nobody confirmed loses their place)."""
    if activity is not None:
        org = activity.org
    _require(actor, org)
    kind = str(data.get("kind") or "")
    if kind not in Kind.values:
        raise InvalidInput.one("kind", _("请选择活动类型。"))
    starts_at, ends_at = _moment(data, "starts_at"), _moment(data, "ends_at")
    if ends_at < starts_at:
        raise InvalidInput.one("ends_at", _("结束时间不能早于开始时间。"))
    try:
        capacity = int(data.get("capacity") or 0)
    except (TypeError, ValueError):
        raise InvalidInput.one("capacity", _("请填写整数。")) from None
    if not 0 <= capacity <= 100000:
        raise InvalidInput.one("capacity", _("名额应在 0 至 100000 之间。"))
    team = data.get("team")
    if team not in (None, ""):
        team = Team.objects.visible_to(actor).filter(pk=getattr(team, "pk", team)).first()
        if team is None:
            raise InvalidInput.one("team", _("未找到该志愿服务队。"))
    else:
        team = None
    values = {
        "title": _text(data, "title", 100, required=True),
        "kind": kind,
        "team": team,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": _text(data, "place", 200, required=True),
        "description": _text(data, "description", 5000),
        "capacity": capacity,
        "hours": _hours(data.get("hours")),
    }
    with transaction.atomic():
        if activity is None:
            activity = Activity.objects.create(
                org=org, created_by=actor, checkin_token=secrets.token_urlsafe(24), **values
            )
            _audit(
                actor,
                "create",
                activity,
                org,
                audit.diff({}, audit.snapshot(activity, ACTIVITY_FIELDS)),
            )
            return activity
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        taken = activity.signups.filter(status=SignupStatus.CONFIRMED).count()
        if capacity and capacity < taken:
            raise InvalidInput.one(
                "capacity", _("已有 %(n)d 人报名，名额不能少于此数。") % {"n": taken}
            )
        before = audit.snapshot(activity, ACTIVITY_FIELDS)
        for name, value in values.items():
            setattr(activity, name, value)
        changes = audit.diff(before, audit.snapshot(activity, ACTIVITY_FIELDS))
        if changes:
            activity.save(update_fields=[*values, "updated_at"])
            _audit(actor, "update", activity, org, changes)
            _promote(activity, actor)  # a larger capacity takes the waiting in
    return activity


def activity_cancel(*, actor: Any, activity: Activity, reason: str) -> Activity:
    _require(actor, activity.org)
    reason = _text({"reason": reason}, "reason", 500, required=True)
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.cancelled:
            raise Conflict(_("活动已取消。"))
        activity.cancelled = True
        activity.save(update_fields=["cancelled", "updated_at"])
        _audit(
            actor,
            "cancel",
            activity,
            activity.org,
            {"cancelled": {"before": False, "after": True}},
            note=reason,
        )
    return activity


# --- sign-up and the waiting list --------------------------------------------------------------


def _member_of(user: Any) -> Any:
    from gonghui.members.models import Member, Status

    member = Member.objects.filter(user=user, status=Status.ACTIVE).select_related("org").first()
    if member is None:
        raise NotFound(_("未找到您的会员信息。"))
    return member


def _taken(activity: Activity) -> int:
    return activity.signups.filter(status=SignupStatus.CONFIRMED).count()


def _promote(activity: Activity, actor: Any) -> list[Signup]:
    """Move the first waiting into the free places; the caller holds the activity's lock."""
    if activity.cancelled:
        return []
    free = (activity.capacity - _taken(activity)) if activity.capacity else None
    waiting = activity.signups.filter(status=SignupStatus.WAITING).order_by("queued_at", "id")
    chosen = list(waiting if free is None else waiting[: max(free, 0)])
    for signup in chosen:
        signup.status = SignupStatus.CONFIRMED
        signup.save(update_fields=["status"])
        _audit(
            actor,
            "promote",
            activity,
            activity.org,
            {"status": {"before": "waiting", "after": "confirmed"}},
            note=mask_name(signup.member.name),
        )
    return chosen


def signup(*, user: Any, activity: Activity, now: datetime.datetime | None = None) -> Signup:
    """A member signs up: a place while places are free, else the waiting list. Signing up
    again after cancelling queues anew at the end."""
    member = _member_of(user)
    now = now or timezone.now()
    if activity.cancelled:
        raise Conflict(_("活动已取消。"))
    if activity.ends_at < now:
        raise Conflict(_("活动已结束，不能报名。"))
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        existing = activity.signups.select_for_update().filter(member=member).first()
        if existing is not None and existing.status != SignupStatus.CANCELLED:
            raise Conflict(_("您已报名本次活动（%(s)s）。") % {"s": existing.get_status_display()})
        full = bool(activity.capacity) and _taken(activity) >= activity.capacity
        status = SignupStatus.WAITING if full else SignupStatus.CONFIRMED
        if existing is None:
            try:
                with transaction.atomic():
                    item = Signup.objects.create(
                        activity=activity, member=member, status=status, queued_at=now
                    )
            except IntegrityError as exc:
                raise Conflict(_("您已报名本次活动。")) from exc
        else:
            item = existing
            item.status, item.queued_at = status, now
            item.save(update_fields=["status", "queued_at"])
        _audit(
            user,
            "signup",
            activity,
            activity.org,
            {"status": {"before": None, "after": status}},
            note=mask_name(member.name),
        )
    return item


def signup_cancel(*, user: Any, signup: Signup) -> Signup:
    """The member (or a manager of the activity) cancels a place; the first waiting moves up."""
    activity = signup.activity
    own = getattr(getattr(signup.member, "user", None), "pk", None) == getattr(user, "pk", -1)
    if not own:
        _require(user, activity.org)
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        item = Signup.objects.select_for_update().select_related("member").get(pk=signup.pk)
        if item.status == SignupStatus.CANCELLED:
            raise Conflict(_("报名已取消。"))
        if item.attended:
            raise Conflict(_("已签到，不能取消报名。"))
        before = item.status
        item.status = SignupStatus.CANCELLED
        item.save(update_fields=["status"])
        _audit(
            user,
            "signup_cancel",
            activity,
            activity.org,
            {"status": {"before": before, "after": "cancelled"}},
            note=mask_name(item.member.name),
        )
        if before == SignupStatus.CONFIRMED:
            _promote(activity, user)
    return item


# --- attendance and hours -----------------------------------------------------------------------


def check_in(*, actor: Any, signup: Signup, via: str = "clerk", present: bool = True) -> Signup:
    """Mark a confirmed member present (credited the activity's hours) or absent again."""
    activity = signup.activity
    if via == "clerk":
        _require(actor, activity.org)
    if activity.cancelled:
        raise Conflict(_("活动已取消。"))
    with transaction.atomic():
        item = Signup.objects.select_for_update().select_related("member").get(pk=signup.pk)
        if item.status != SignupStatus.CONFIRMED:
            raise Conflict(_("%(s)s的报名不能签到。") % {"s": item.get_status_display()})
        if item.attended == present:
            return item
        item.attended = present
        item.checked_in_at = timezone.now() if present else None
        item.checked_in_by = via if present else ""
        item.hours = activity.hours if present else Decimal(0)
        item.save(update_fields=["attended", "checked_in_at", "checked_in_by", "hours"])
        _audit(
            actor,
            "checkin" if present else "checkout",
            activity,
            activity.org,
            {"attended": {"before": not present, "after": present}},
            note=mask_name(item.member.name),
        )
    return item


def check_in_by_qr(*, user: Any, token: str) -> Signup:
    """A member scans the door's code: their own confirmed sign-up is marked present. Not
    signed up (or only waiting): told so, nothing changes."""
    activity = Activity.objects.filter(checkin_token=token[:64]).first() if token else None
    if activity is None:
        raise NotFound()
    member = _member_of(user)
    item = activity.signups.filter(member=member).first()
    if item is None or item.status == SignupStatus.CANCELLED:
        raise NotFound(_("您没有报名本次活动。"))
    today = timezone.localdate()
    if not timezone.localdate(activity.starts_at) <= today <= timezone.localdate(activity.ends_at):
        raise Conflict(_("只能在活动当天签到。"))
    return check_in(actor=user, signup=item, via="qr")


def hours_set(*, actor: Any, signup: Signup, hours: Any) -> Signup:
    """Correct the hours credited to one attendee (left early, stayed longer)."""
    activity = signup.activity
    _require(actor, activity.org)
    value = _hours(hours)
    with transaction.atomic():
        item = Signup.objects.select_for_update().select_related("member").get(pk=signup.pk)
        if not item.attended:
            raise Conflict(_("未签到的人员不计志愿服务时长。"))
        before = item.hours
        item.hours = value
        item.save(update_fields=["hours"])
        _audit(
            actor,
            "hours",
            activity,
            activity.org,
            {"hours": {"before": str(before), "after": str(value)}},
            note=mask_name(item.member.name),
        )
    return item


# --- photos --------------------------------------------------------------------------------------


def photo_add(*, actor: Any, activity: Activity, upload: Any, caption: str = "") -> Photo:
    from gonghui.core import uploads

    _require(actor, activity.org)
    caption = _text({"caption": caption}, "caption", 100)
    with transaction.atomic():
        stored = uploads.store(
            actor=actor,
            org=activity.org,
            upload=upload,
            purpose="activities",
            retain_days=PHOTO_RETAIN_DAYS,
            allowed=PHOTO_TYPES,
        )
        photo = Photo.objects.create(activity=activity, file=stored, caption=caption)
        _audit(actor, "photo", activity, activity.org, note=stored.name)
    return photo


# --- the volunteer team ---------------------------------------------------------------------------


def team_create(*, actor: Any, org: Any, name: str, founded_on: Any, description: str = "") -> Team:
    _require(actor, org)
    name = _text({"name": name}, "name", 100, required=True)
    if not isinstance(founded_on, datetime.date):
        try:
            founded_on = datetime.date.fromisoformat(str(founded_on))
        except ValueError as exc:
            raise InvalidInput.one("founded_on", _("日期格式应为 2020-09-19。")) from exc
    with transaction.atomic():
        try:
            with transaction.atomic():
                team = Team.objects.create(
                    org=org,
                    name=name,
                    founded_on=founded_on,
                    description=_text({"d": description}, "d", 2000),
                )
        except IntegrityError as exc:
            raise InvalidInput.one("name", _("本单位已有同名队伍。")) from exc
        _audit(actor, "team_create", team, org, audit.diff({}, audit.snapshot(team)))
    return team


def team_join(
    *, actor: Any, team: Team, member: Any, joined_on: Any = None, role: str = TeamRole.MEMBER
) -> TeamMember:
    from gonghui.members.models import Member

    _require(actor, team.org)
    if not Member.objects.visible_to(actor).filter(pk=member.pk).exists():
        raise InvalidInput.one("member", _("未找到该会员。"))
    if role not in TeamRole.values:
        raise InvalidInput.one("role", _("请选择职务。"))
    joined_on = joined_on or timezone.localdate()
    with transaction.atomic():
        try:
            with transaction.atomic():
                entry = TeamMember.objects.create(
                    team=team, member=member, role=role, joined_on=joined_on
                )
        except IntegrityError as exc:
            raise Conflict(_("此人已在队伍中。")) from exc
        _audit(
            actor,
            "team_join",
            team,
            team.org,
            {"roll": {"before": None, "after": mask_name(member.name)}},
        )
    return entry


def team_leave(*, actor: Any, entry: TeamMember, left_on: Any = None) -> TeamMember:
    _require(actor, entry.team.org)
    if entry.left_on is not None:
        raise Conflict(_("此人已离队。"))
    with transaction.atomic():
        entry.left_on = left_on or timezone.localdate()
        entry.save(update_fields=["left_on"])
        _audit(
            actor,
            "team_leave",
            entry.team,
            entry.team.org,
            {"roll": {"before": mask_name(entry.member.name), "after": None}},
        )
    return entry
