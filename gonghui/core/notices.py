"""Public notices (公示): a decision posted for N working days, objections and their answers.

Assistance (a hardship family's archive), honours (nominees), governance (candidates) and
bargaining (an agreement) post their decisions here; the module asks ``outcome(record)`` before
taking the next step. The rules:

- a notice runs from ``starts_on`` to ``ends_on`` = ``starts_on`` + ``days`` working days
  (the day of posting never counts; 5 working days unless the module says otherwise);
- an objection may be raised while it runs (by a member in the portal, or recorded by staff
  from a letter or a call); it is answered — upheld or dismissed, with the reasons — by staff
  of the posting org's subtree;
- ``outcome``: ``running`` until the end date; then ``objected`` while an objection waits,
  ``failed`` once one is upheld, ``passed`` otherwise. Posting a new notice on the same record
  (after an upheld objection and a corrected decision) starts over.

Every write is audited in the same transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit, deadlines
from .errors import Conflict, InvalidInput
from .identifiers import normalise
from .models import Objection, ObjectionStatus, PublicNotice
from .roles import can

MAX_DAYS = 30  # no notice runs longer than this many working days
TITLE_MAX, TEXT_MAX = 200, 5000

RUNNING, OBJECTED, FAILED, PASSED, NONE = "running", "objected", "failed", "passed", "none"
OUTCOME_LABELS = {
    NONE: gettext_lazy("未公示"),
    RUNNING: gettext_lazy("公示中"),
    OBJECTED: gettext_lazy("有异议待处理"),
    FAILED: gettext_lazy("异议成立"),
    PASSED: gettext_lazy("公示无异议"),
}


def _subject_key(subject: models.Model) -> tuple[ContentType, str]:
    return ContentType.objects.get_for_model(subject), str(subject.pk)


def open_notice(
    subject: models.Model,
    *,
    org: Any,
    title: str,
    body: str = "",
    by: Any,
    days: int = 5,
    starts_on: date | None = None,
) -> PublicNotice:
    """Post a notice of ``subject`` by ``org`` (in ``by``'s scope) for ``days`` working days."""
    title, body = normalise(title), (body or "").strip()
    if not title:
        raise InvalidInput.one("title", _("请填写公示标题。"))
    if len(title) > TITLE_MAX:
        raise InvalidInput.one("title", _("公示标题过长。"))
    if len(body) > TEXT_MAX:
        raise InvalidInput.one("body", _("公示内容过长。"))
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput.one("days", _("公示期应为 1 至 %(max)d 个工作日。") % {"max": MAX_DAYS})
    if not can(by, "notices.manage", org):
        raise InvalidInput.one("org", _("您不能以该单位的名义发布公示。"))
    starts_on = starts_on or timezone.localdate()
    subject_type, subject_id = _subject_key(subject)
    with transaction.atomic():
        notice = PublicNotice.objects.create(
            org=org,
            subject_type=subject_type,
            subject_id=subject_id,
            title=title,
            body=body,
            days=days,
            starts_on=starts_on,
            ends_on=deadlines.due_on(starts_on, days),
            created_by=by,
        )
        audit.record(
            actor=by,
            action="notice.open",
            object_type="notice",
            object_id=notice.pk,
            object_org=org,
            object_repr=title,
            changes={
                "starts_on": {"before": None, "after": str(notice.starts_on)},
                "ends_on": {"before": None, "after": str(notice.ends_on)},
            },
        )
    return notice


def object_to(
    notice: PublicNotice,
    *,
    text: str,
    by: Any = None,
    name: str = "",
    contact: str = "",
    today: date | None = None,
) -> Objection:
    """Record an objection while the notice runs: raised by ``by`` (a member in the portal, or
    staff writing down a letter or a call, then naming the person in ``name``)."""
    today = today or timezone.localdate()
    text, name, contact = (text or "").strip(), normalise(name), normalise(contact)
    if not text:
        raise InvalidInput.one("text", _("请写明异议的事实和理由。"))
    if len(text) > TEXT_MAX:
        raise InvalidInput.one("text", _("异议内容过长。"))
    if len(name) > 50:
        raise InvalidInput.one("name", _("异议人姓名过长。"))
    if len(contact) > 50:
        raise InvalidInput.one("contact", _("联系方式过长。"))
    if not notice.is_running(today):
        raise Conflict(
            _("公示期为 %(start)s 至 %(end)s，不在公示期内不能提出异议。")
            % {"start": notice.starts_on, "end": notice.ends_on}
        )
    if not name and by is not None and getattr(by, "is_authenticated", False):
        name = by.get_full_name() or ""
    with transaction.atomic():
        objection = Objection.objects.create(
            notice=notice, text=text, name=name, contact=contact, raised_by=by
        )
        audit.record(
            actor=by,
            action="notice.object",
            object_type="notice",
            object_id=notice.pk,
            object_org=notice.org,
            object_repr=notice.title,
            note=_("异议 %(n)s") % {"n": objection.pk},
        )
    return objection


def resolve(objection: Objection, *, upheld: bool, answer: str, by: Any) -> Objection:
    """Answer an objection: upheld (the decision falls) or dismissed, with the reasons."""
    answer = (answer or "").strip()
    if not answer:
        raise InvalidInput.one("answer", _("请写明处理意见。"))
    if len(answer) > TEXT_MAX:
        raise InvalidInput.one("answer", _("处理意见过长。"))
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        notice = objection.notice
        if not can(by, "notices.manage", notice.org):
            raise InvalidInput.one("notice", _("您不能处理该单位公示的异议。"))
        if objection.status != ObjectionStatus.OPEN:
            raise Conflict(_("该异议已处理。"))
        objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        objection.answer = answer
        objection.resolved_by = by
        objection.resolved_at = timezone.now()
        objection.save(update_fields=["status", "answer", "resolved_by", "resolved_at"])
        audit.record(
            actor=by,
            action="notice.resolve",
            object_type="notice",
            object_id=notice.pk,
            object_org=notice.org,
            object_repr=notice.title,
            changes={"status": {"before": ObjectionStatus.OPEN, "after": objection.status}},
            note=_("异议 %(n)s") % {"n": objection.pk},
        )
    return objection


def notice_of(subject: models.Model) -> PublicNotice | None:
    """The latest notice posted on ``subject``."""
    subject_type, subject_id = _subject_key(subject)
    return (
        PublicNotice.objects.filter(subject_type=subject_type, subject_id=subject_id)
        .order_by("-starts_on", "-id")
        .first()
    )


def notice_outcome(notice: PublicNotice | None, today: date | None = None) -> str:
    if notice is None:
        return NONE
    today = today or timezone.localdate()
    statuses = set(notice.objections.values_list("status", flat=True))
    if ObjectionStatus.UPHELD in statuses:
        return FAILED
    if today <= notice.ends_on:
        return RUNNING
    if ObjectionStatus.OPEN in statuses:
        return OBJECTED
    return PASSED


def outcome(subject: models.Model, today: date | None = None) -> str:
    """none | running | objected (ended, an objection waits) | failed (one upheld) | passed."""
    return notice_outcome(notice_of(subject), today)


@deadlines.source("notices")
def due(user: Any, today: date) -> Any:
    """Objections waiting for an answer: due on the notice's last day (an answer after it
    holds the decision up)."""
    if not can(user, "notices.manage"):
        return
    waiting = (
        Objection.objects.visible_to(user)
        .filter(status=ObjectionStatus.OPEN)
        .select_related("notice", "notice__org")
        .order_by("notice__ends_on", "id")[:20]
    )
    for objection in waiting:
        notice = objection.notice
        yield deadlines.Due(
            label=_("公示异议：%(title)s") % {"title": notice.title},
            due_on=notice.ends_on,
            url=notice.get_absolute_url(),
            org=notice.org,
        )
