"""Offer letters (要约书) as PDF: one thread's letter on its page, or a campaign's letters for
one org's enterprises as one merged file made in the background (``LetterBatch``), with
progress, kept as a stored file of the org for the upload retention."""

from __future__ import annotations

import hashlib
import os
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gonghui.core import audit
from gonghui.core.pdf import Document, FontMissing
from gonghui.core.scope import subtree_org_ids
from gonghui.core.uploads import private_dir

from .models import LetterBatch, Status, Thread

PROGRESS_EVERY = 200  # threads between two progress writes
RETAIN_DAYS = 30


def _chinese_date(day: Any) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


TITLE = gettext_noop("集体协商要约书")


def _write(doc: Document, thread: Thread) -> None:
    """The letter's body and seal, under a heading already written."""
    union = thread.union.name if thread.union_id else thread.county.name  # type: ignore[union-attr]
    doc.paragraph(_("%(name)s：") % {"name": thread.enterprise.name}, indent=False)
    doc.paragraph(
        _(
            "根据《中华人民共和国劳动法》《中华人民共和国工会法》和《集体合同规定》，"
            "%(union)s代表本单位职工，向贵单位提出就签订%(kind)s进行集体协商的要约。"
        )
        % {"union": union, "kind": thread.get_kind_display()}
    )
    doc.paragraph(
        _(
            "协商内容包括劳动报酬、工作时间、休息休假、劳动安全卫生、保险福利、女职工特殊保护等"
            "事项。请贵单位自收到本要约书之日起二十日内以书面形式给予回应；无正当理由不得拒绝"
            "或者拖延集体协商。双方应在回应之日起十个工作日内开始协商，并在协商前五个工作日"
            "互相提供与协商有关的真实情况和资料。"
        )
    )
    doc.paragraph(_("特此要约。"))
    doc.seal(union, _chinese_date(thread.offered_on))


def letter_pdf(thread: Thread) -> bytes:
    """One thread's offer letter."""
    doc = Document(title=_(TITLE), number=thread.letter_no)
    _write(doc, thread)
    return doc.output()


def batch_threads(batch: LetterBatch) -> Any:
    return (
        Thread.objects.filter(campaign=batch.campaign, county__in=subtree_org_ids(batch.org))
        .exclude(status=Status.REFUSED)
        .select_related("enterprise", "union", "county", "campaign")
        .order_by("county__code", "enterprise__name", "id")
    )


def batch_request(*, actor: Any, campaign: Any, org: Any) -> LetterBatch:
    """Queue the letters of ``campaign`` for the enterprises of ``org``'s subtree."""
    with transaction.atomic():
        batch = LetterBatch.objects.create(campaign=campaign, org=org, requested_by=actor)
        batch.total = batch_threads(batch).count()
        batch.save(update_fields=["total"])
        audit.record(
            actor=actor,
            action="bargaining.letters",
            object_type="bargaining_campaign",
            object_id=campaign.pk,
            object_org=org,
            object_repr=campaign.title,
            changes={"counts": {"before": None, "after": batch.total}},
        )
    return batch


def run_batch(batch_id: int) -> dict[str, Any]:
    """Make the merged PDF; safe to run again on a finished batch (does nothing)."""
    from gonghui.core.models import StoredFile

    batch = LetterBatch.objects.select_related("campaign", "org").get(pk=batch_id)
    if batch.status == "done":
        return {"status": "done", "letters": batch.done}
    LetterBatch.objects.filter(pk=batch.pk).update(status="running", done=0)
    try:
        doc = None
        done = 0
        for thread in batch_threads(batch).iterator(chunk_size=500):
            if doc is None:
                doc = Document(title=_(TITLE), number=thread.letter_no)
            else:
                doc.next_document(title=_(TITLE), number=thread.letter_no)
            _write(doc, thread)
            done += 1
            if done % PROGRESS_EVERY == 0:
                LetterBatch.objects.filter(pk=batch.pk).update(done=done)
        if doc is None:
            LetterBatch.objects.filter(pk=batch.pk).update(
                status="failed", message=_("没有可生成要约书的企业。"), finished_at=timezone.now()
            )
            return {"status": "failed", "letters": 0}
        data = doc.output()
    except FontMissing as exc:
        LetterBatch.objects.filter(pk=batch.pk).update(
            status="failed", message=str(exc)[:300], finished_at=timezone.now()
        )
        return {"status": "failed", "letters": 0}
    folder = private_dir("files", "bargaining")
    path = folder / f"{uuid.uuid4().hex}.pdf"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    with transaction.atomic():
        stored = StoredFile.objects.create(
            org=batch.org,
            purpose="bargaining_letters",
            name=_("%(title)s要约书（%(org)s）.pdf")
            % {"title": batch.campaign.title, "org": batch.org.name},
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            kind="pdf",
            path=str(path.relative_to(Path(settings.DATA_DIR))),
            retain_until=timezone.now() + timedelta(days=RETAIN_DAYS),
            created_by=batch.requested_by,
        )
        LetterBatch.objects.filter(pk=batch.pk).update(
            status="done", done=done, file=stored, finished_at=timezone.now()
        )
    return {"status": "done", "letters": done, "bytes": len(data)}
