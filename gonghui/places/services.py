"""Every write of the places: a place saved (by hand, by import — keyed by its code, so an
import run twice changes nothing), a member's rating, and each step of the yearly review with
its evidence. Each is one transaction with its audit row; bad input names its field."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, uploads
from gonghui.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from gonghui.core.roles import Role, can, in_subtree
from gonghui.orgs.models import Org, OrgKind

from . import checklists, workflow
from .models import Evidence, Kind, Place, Rating, Review, ReviewEvent, ReviewStatus, month_of

EVIDENCE_RETAIN_DAYS = 6 * 366  # kept for the review's year and five more
EVIDENCE_MAX = 20


# --- input ----------------------------------------------------------------------------------


def _text(data: dict[str, Any], field: str, label: str, limit: int, required: bool = False) -> str:
    value = str(data.get(field) or "").strip()
    if required and not value:
        raise InvalidInput.one(field, _("请填写%(label)s。") % {"label": label})
    if len(value) > limit:
        raise InvalidInput.one(
            field, _("%(label)s过长（最多 %(n)d 字）。") % {"label": label, "n": limit}
        )
    return value


def _coordinate(data: dict[str, Any], field: str, low: float, high: float) -> Decimal | None:
    value = data.get(field)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise InvalidInput.one(field, _("坐标应为数字。")) from exc
    if not number.is_finite() or not Decimal(low) <= number <= Decimal(high):
        raise InvalidInput.one(
            field, _("坐标超出范围（%(low)s 至 %(high)s）。") % {"low": low, "high": high}
        )
    return number.quantize(Decimal("0.000001"))


def _date(data: dict[str, Any], field: str, default: datetime.date | None) -> datetime.date:
    value = data.get(field)
    if value in (None, ""):
        if default is None:
            raise InvalidInput.one(field, _("请填写日期。"))
        return default
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise InvalidInput.one(field, _("日期格式应为 2020-09-19。")) from exc
    if value > timezone.localdate():
        raise InvalidInput.one(field, _("日期不能晚于今天。"))
    return value


def _kind(value: Any) -> str:
    text = str(value or "").strip()
    for key, label in Kind.choices:
        if text in (key, str(label)):
            return key
    raise InvalidInput.one(
        "kind",
        _("类型应为：%(kinds)s。") % {"kinds": "、".join(str(label) for _k, label in Kind.choices)},
    )


def _stars(data: dict[str, Any], field: str) -> int:
    try:
        value = int(str(data.get(field)).strip())
    except (TypeError, ValueError) as exc:
        raise InvalidInput.one(field, _("请选择一至五星。")) from exc
    if not 1 <= value <= 5:
        raise InvalidInput.one(field, _("星级应在一至五星之间。"))
    return value


_SPLIT = re.compile(r"[、,，;；/\s]+")


def parse_checklist(kind: str, value: Any) -> dict[str, bool]:
    """The items met: a dict (key → bool) or text listing items by label or key
    (``统一标识和名称、选址合理、便于找到``); an unknown item names itself."""
    if isinstance(value, dict):
        unknown = [k for k in value if k not in dict(checklists.items(kind))]
        if unknown:
            raise InvalidInput.one(
                "checklist", _("没有这项达标条件：%(items)s") % {"items": "、".join(unknown)}
            )
        return checklists.clean(kind, value)
    text = str(value or "").strip()
    if not text:
        return checklists.clean(kind, {})
    by_label = {str(label): key for key, label in checklists.items(kind)}
    keys = {key for key, _label in checklists.items(kind)}
    met: dict[str, bool] = {}
    rest = text
    # labels may hold the separators themselves ("选址合理、便于找到"): take whole labels first
    for label, key in sorted(by_label.items(), key=lambda kv: -len(kv[0])):
        if label in rest:
            met[key] = True
            rest = rest.replace(label, " ")
    unknown = [w for w in _SPLIT.split(rest) if w and w not in keys]
    if unknown:
        raise InvalidInput.one(
            "checklist", _("没有这项达标条件：%(items)s") % {"items": "、".join(unknown)}
        )
    met.update({w: True for w in _SPLIT.split(rest) if w in keys})
    return checklists.clean(kind, met)


def county_of(org: Org) -> Org | None:
    """The county-level federation at or above ``org`` (None for the city and what sits
    directly under it)."""
    if org.kind == OrgKind.COUNTY:
        return org
    return org.ancestors().filter(kind=OrgKind.COUNTY).order_by("-depth").first()


# --- places ---------------------------------------------------------------------------------


@transaction.atomic
def place_save(*, actor: Any, data: dict[str, Any], place: Place | None = None) -> Place:
    """Create or update a place, keyed by its code (a code already used outside the actor's
    subtree is refused as taken)."""
    code = _text(data, "code", _("阵地编号"), 32, required=True)
    if place is None:
        place = Place.objects.filter(code=code).select_related("org").first()
        if place is not None and not can(actor, "places.manage", place.org):
            raise InvalidInput.one("code", _("阵地编号已被使用。"))
    org_code = _text(data, "org", _("所属工会代码"), 32, required=True)
    org = Org.objects.filter(code=org_code, active=True).first()
    if org is None or not can(actor, "places.manage", org):
        raise InvalidInput.one("org", _("本单位范围内没有这个工会：%(code)s") % {"code": org_code})
    created = place is None
    before = {} if place is None else audit.snapshot(place)
    place = place or Place(code=code)
    place.code = code
    place.name = _text(data, "name", _("名称"), 100, required=True)
    place.kind = _kind(data.get("kind"))
    place.org = org
    place.county = county_of(org)
    place.address = _text(data, "address", _("地址"), 200)
    place.longitude = _coordinate(data, "longitude", 73, 136)
    place.latitude = _coordinate(data, "latitude", 3, 54)
    if (place.longitude is None) != (place.latitude is None):
        raise InvalidInput.one("latitude", _("经度和纬度应同时填写。"))
    place.hours = _text(data, "hours", _("开放时间"), 100)
    place.services = _text(data, "services", _("服务内容"), 500)
    place.phone = _text(data, "phone", _("联系电话"), 30)
    place.opened_on = _date(data, "opened_on", place.opened_on or timezone.localdate())
    active = data.get("active", True)
    place.active = active not in (False, "0", "否", "false", "停用")
    if "checklist" in data:
        place.checklist = parse_checklist(place.kind, data.get("checklist"))
    else:
        place.checklist = checklists.clean(place.kind, place.checklist)
    after = audit.snapshot(place)
    changes = audit.diff(before, after)
    if not created and not changes:
        return place
    place.save()
    audit.record(
        actor=actor,
        action="places.create" if created else "places.update",
        object_type="places_place",
        object_id=place.pk,
        object_org=org,
        object_repr=place.name,
        changes=changes,
    )
    return place


# --- members' ratings -----------------------------------------------------------------------


def rate(
    *, actor: Any, place: Place, score: Any, comment: str = "", on: datetime.date | None = None
) -> Rating:
    """A member rates a place: once per place per calendar month."""
    if getattr(actor, "role", None) != Role.MEMBER or not place.active:
        raise NotFound()
    value = _stars({"score": score}, "score")
    text = _text({"comment": comment}, "comment", _("评价"), 200)
    month = month_of(on or timezone.localdate())
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                place=place, user=actor, month=month, score=value, comment=text
            )
            audit.record(
                actor=actor,
                action="places.rate",
                object_type="places_place",
                object_id=place.pk,
                object_org=place.org,
                object_repr=place.name,
                changes={"score": {"before": None, "after": value}},
            )
    except IntegrityError as exc:
        raise Conflict(_("您本月已经评价过这个阵地，下个月可以再评。")) from exc
    return rating


# --- the yearly review ----------------------------------------------------------------------


def _event(review: Review, action: str, actor: Any, on: datetime.date, stars: int | None = None,
           note: str = "") -> None:  # fmt: skip
    ReviewEvent.objects.create(
        review=review,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_org_id=getattr(actor, "org_id", None),
        stars=stars,
        note=note[:1000],
        on=on,
    )


def review_start(*, actor: Any, place: Place, year: int | None = None) -> Review:
    """The owner starts the year's self-assessment (one review per place and year)."""
    if not can(actor, "places.manage", place.org):
        raise NotFound()
    today = timezone.localdate()
    year = year or today.year
    if not 2000 <= year <= today.year:
        raise InvalidInput.one("year", _("年度应在 2000 年至今年之间。"))
    try:
        with transaction.atomic():
            review = Review.objects.create(
                place=place,
                year=year,
                checklist=checklists.clean(place.kind, place.checklist),
                due_on=workflow.due_for(ReviewStatus.DRAFT, year, {}),
                created_by=actor,
            )
            _event(review, "start", actor, today)
            audit.record(
                actor=actor,
                action="places.review_start",
                object_type="places_review",
                object_id=review.pk,
                object_org=place.org,
                object_repr=str(review),
            )
    except IntegrityError as exc:
        raise Conflict(_("该阵地 %(year)d 年度的星级评定已经开始。") % {"year": year}) from exc
    return review


@transaction.atomic
def review_update(*, actor: Any, review: Review, data: dict[str, Any]) -> Review:
    """The owner fills in the self-assessment while it is theirs (draft or returned)."""
    if not can(actor, "places.manage", review.place.org):
        raise NotFound()
    if review.status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        raise Conflict(_("自评已提交，不能再修改。"))
    before = audit.snapshot(review, ["checklist", "self_stars", "self_notes"])
    review.checklist = parse_checklist(review.place.kind, data.get("checklist"))
    if data.get("self_stars") not in (None, ""):
        review.self_stars = _stars(data, "self_stars")
    review.self_notes = _text(data, "self_notes", _("自评说明"), 1000)
    review.save(update_fields=["checklist", "self_stars", "self_notes", "updated_at"])
    changes = audit.diff(before, audit.snapshot(review, ["checklist", "self_stars", "self_notes"]))
    if changes:
        audit.record(
            actor=actor,
            action="places.review_update",
            object_type="places_review",
            object_id=review.pk,
            object_org=review.place.org,
            object_repr=str(review),
            changes=changes,
        )
    return review


def evidence_add(*, actor: Any, review: Review, upload: Any, label: str = "") -> Evidence:
    """A file for the self-assessment, through the upload guard."""
    place = review.place
    if not can(actor, "places.manage", place.org):
        raise NotFound()
    if review.status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
        raise Conflict(_("自评已提交，不能再添加佐证材料。"))
    if review.evidence.count() >= EVIDENCE_MAX:
        raise InvalidInput.one("file", _("佐证材料最多 %(n)d 份。") % {"n": EVIDENCE_MAX})
    text = _text({"label": label}, "label", _("说明"), 100)
    stored = uploads.store(
        actor=actor,
        org=place.org,
        upload=upload,
        purpose="places-evidence",
        retain_days=EVIDENCE_RETAIN_DAYS,
    )
    with transaction.atomic():
        item = Evidence.objects.create(review=review, file=stored, label=text or stored.name)
        audit.record(
            actor=actor,
            action="places.evidence",
            object_type="places_review",
            object_id=review.pk,
            object_org=place.org,
            object_repr=str(review),
            changes={"attachment": {"before": None, "after": stored.name}},
        )
    return item


def reviewing_org_id(place: Place) -> int | None:
    """The org that takes the county step: the place's county, or the city for a place
    directly under it."""
    if place.county_id:
        return place.county_id
    root = place.org.path.strip("/").split("/")[0]
    return int(root) if root else None


def may_take(actor: Any, review: Review, action: str) -> bool:
    """Does the actor's org sit at the level this step belongs to?"""
    level = workflow.LEVEL.get(action)
    place = review.place
    if level == "owner":
        return can(actor, "places.manage", place.org)
    if not can(actor, "places.review", place.org):
        return False
    if level == "county":
        return bool(actor.org_id == reviewing_org_id(place))
    if level == "city":
        return bool(actor.org.kind == OrgKind.CITY and in_subtree(actor, place.org))
    return False


def allowed_steps(actor: Any, review: Review) -> list[Any]:
    return [
        t
        for t in workflow.WORKFLOW.allowed(review.status, actor.role)
        if may_take(actor, review, t.name)
    ]


def review_act(
    *,
    actor: Any,
    review: Review,
    action: str,
    data: dict[str, Any],
    on: datetime.date | None = None,
) -> Review:
    """Take one step of the review. The self-assessment needs evidence and stars within what
    the checklist allows; each review's stars are capped the same way; confirmation sets the
    place's stars for the year."""
    on = on or timezone.localdate()
    with transaction.atomic():
        review = (
            Review.objects.select_for_update()
            .select_related("place", "place__org")
            .get(pk=review.pk)
        )
        step = workflow.WORKFLOW.check(review.status, action, actor.role)
        if not may_take(actor, review, action):
            raise Forbidden(
                {
                    "owner": _("自评由阵地所属工会提交。"),
                    "county": _("县区审核由阵地所在县区总工会办理。"),
                    "city": _("市级确认由市总工会办理。"),
                }[workflow.LEVEL[action]]
            )
        place = review.place
        cap = checklists.max_stars(place.kind, review.checklist)
        before = audit.snapshot(review)
        stars: int | None = None
        note = ""
        if action == "submit":
            if data.get("self_stars") not in (None, ""):
                review.self_stars = _stars(data, "self_stars")
            stars = _stars({"self_stars": review.self_stars}, "self_stars")
            if not review.evidence.exists():
                raise InvalidInput.one("file", _("提交自评前请上传至少一份佐证材料。"))
            review.self_stars = stars
            review.submitted_on = on
        elif action == "county_pass":
            stars = _stars(data, "county_stars")
            note = _text(data, "notes", _("审核意见"), 1000)
            review.county_stars, review.county_notes, review.county_on = stars, note, on
        elif action == "confirm":
            stars = _stars(data, "stars")
            note = _text(data, "notes", _("确认意见"), 1000)
            review.stars, review.city_notes, review.confirmed_on = stars, note, on
        else:  # the two returns
            note = _text(data, "reason", _("退回理由"), 500, required=True)
            review.returned_reason = note
        if stars is not None and stars > cap:
            field = {"submit": "self_stars", "county_pass": "county_stars"}.get(action, "stars")
            unmet = checklists.missing(place.kind, review.checklist)
            labels = dict(checklists.items(place.kind))
            raise InvalidInput.one(
                field,
                _("未达标条件 %(n)d 项（%(items)s），最高可评 %(cap)d 星。")
                % {"n": len(unmet), "items": "、".join(str(labels[k]) for k in unmet), "cap": cap},
            )
        review.status = step.target
        review.due_on = workflow.due_for(review.status, review.year, {
            "submitted_on": review.submitted_on, "county_on": review.county_on})  # fmt: skip
        review.save()
        if action == "confirm":
            place.stars, place.stars_year = review.stars or 0, review.year
            place.save(update_fields=["stars", "stars_year", "updated_at"])
        _event(review, action, actor, on, stars, note)
        audit.record(
            actor=actor,
            action=f"places.{action}",
            object_type="places_review",
            object_id=review.pk,
            object_org=place.org,
            object_repr=str(review),
            changes=audit.diff(before, audit.snapshot(review)),
        )
    return review
