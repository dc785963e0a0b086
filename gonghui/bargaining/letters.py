"""Offer letters (要约书) as PDF: one thread's letter on its page, or a campaign's letters for
one org's enterprises made in the background (``LetterBatch``) as one merged file or as a ZIP
of one file per enterprise, with progress, kept as a stored file of the org for the upload
retention."""

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
from gonghui.core.errors import InvalidInput
from gonghui.core.pdf import Document, FontMissing
from gonghui.core.scope import subtree_org_ids
from gonghui.core.uploads import private_dir

from .models import LetterBatch, Status, Thread

PROGRESS_EVERY = 200  # threads between two progress writes
RETAIN_DAYS = 30
ZIP_MAX = 500  # letters in a one-file-per-enterprise ZIP (each embeds its own font subset)


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


def batch_request(*, actor: Any, campaign: Any, org: Any, layout: str = "merged") -> LetterBatch:
    """Queue the letters of ``campaign`` for the enterprises of ``org``'s subtree, as one merged
    PDF or as a ZIP of one PDF per enterprise (named by the enterprise, to send each its own)."""
    if layout not in ("merged", "zip"):
        raise InvalidInput.one("layout", _("请选择文件形式。"))
    with transaction.atomic():
        batch = LetterBatch.objects.create(
            campaign=campaign, org=org, requested_by=actor, layout=layout
        )
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
    """Make the file; safe to run again on a finished batch (does nothing)."""
    batch = LetterBatch.objects.select_related("campaign", "org").get(pk=batch_id)
    if batch.status == "done":
        return {"status": "done", "letters": batch.done}
    LetterBatch.objects.filter(pk=batch.pk).update(status="running", done=0)
    if batch.layout == "zip":
        return _run_zip(batch)
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
    _store(batch, data, done, kind="pdf")
    return {"status": "done", "letters": done, "bytes": len(data)}


def _run_zip(batch: LetterBatch) -> dict[str, Any]:
    """One PDF per enterprise in a ZIP. Each letter embeds its own font subset, so this costs
    far more than the merged file (see benchmarks/bargaining_letters.py): offered for a
    union's or a township's handful of enterprises, refused above ``ZIP_MAX``."""
    import io
    import zipfile

    if batch.total > ZIP_MAX:
        LetterBatch.objects.filter(pk=batch.pk).update(
            status="failed",
            message=_("每家企业一个文件最多 %(n)d 份，请选择合并为一个PDF。") % {"n": ZIP_MAX},
            finished_at=timezone.now(),
        )
        return {"status": "failed", "letters": 0}
    buffer = io.BytesIO()
    done = 0
    names: set[str] = set()
    try:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for thread in batch_threads(batch).iterator(chunk_size=200):
                name = f"{thread.enterprise.name}要约书.pdf".replace("/", "／")
                if name in names:  # two enterprises of one name: the letter number tells them
                    name = f"{thread.enterprise.name}要约书（{thread.letter_no}）.pdf"
                names.add(name)
                archive.writestr(name, letter_pdf(thread))
                done += 1
                if done % PROGRESS_EVERY == 0:
                    LetterBatch.objects.filter(pk=batch.pk).update(done=done)
    except FontMissing as exc:
        LetterBatch.objects.filter(pk=batch.pk).update(
            status="failed", message=str(exc)[:300], finished_at=timezone.now()
        )
        return {"status": "failed", "letters": 0}
    if not done:
        LetterBatch.objects.filter(pk=batch.pk).update(
            status="failed", message=_("没有可生成要约书的企业。"), finished_at=timezone.now()
        )
        return {"status": "failed", "letters": 0}
    data = buffer.getvalue()
    _store(batch, data, done, kind="zip")
    return {"status": "done", "letters": done, "bytes": len(data)}


def _store(batch: LetterBatch, data: bytes, done: int, *, kind: str) -> None:
    """The finished file, owner-only under the data dir, as a stored file of the org kept
    ``RETAIN_DAYS``; the batch is done."""
    from gonghui.core.models import StoredFile

    folder = private_dir("files", "bargaining")
    path = folder / f"{uuid.uuid4().hex}.{kind}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    with transaction.atomic():
        stored = StoredFile.objects.create(
            org=batch.org,
            purpose="bargaining_letters",
            name=_("%(title)s要约书（%(org)s）.%(ext)s")
            % {"title": batch.campaign.title, "org": batch.org.name, "ext": kind},
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            kind=kind,
            path=str(path.relative_to(Path(settings.DATA_DIR))),
            retain_until=timezone.now() + timedelta(days=RETAIN_DAYS),
            created_by=batch.requested_by,
        )
        LetterBatch.objects.filter(pk=batch.pk).update(
            status="done", done=done, file=stored, finished_at=timezone.now()
        )
