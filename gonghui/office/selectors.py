"""Reads of the office, always scoped: ``access_*`` answers the same for missing and
forbidden; lists carry their ``select_related``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gonghui.core.errors import NotFound
from gonghui.core.roles import can
from gonghui.core.scope import subtree_org_ids

from .models import (
    SECRET_ROLES,
    Audience,
    Call,
    CallStatus,
    DocStatus,
    Document,
    Incoming,
    Meeting,
    Notice,
    Receipt,
    Security,
    Submission,
    SubStatus,
    Task,
    TaskStatus,
)


def _staff(user: Any) -> bool:
    return can(user, "office.view") and getattr(user, "org_id", None) is not None


def _path_ids(org: Any) -> list[int]:
    return [int(p) for p in org.path.strip("/").split("/") if p]


# --- documents ------------------------------------------------------------------------------


def documents_for(user: Any) -> QuerySet[Document]:
    if not _staff(user):
        return Document.objects.none()
    return Document.objects.visible_to(user).select_related("org")


def outgoing(user: Any) -> QuerySet[Document]:
    """Documents of the user's own org and below."""
    return documents_for(user).filter(org__in=subtree_org_ids(user.org))


def access_document(user: Any, pk: int) -> Document:
    doc = documents_for(user).filter(pk=pk).first()
    if doc is None:
        raise NotFound()
    return doc


def received(user: Any) -> QuerySet[Receipt]:
    """The receipts of the user's own org (sent documents it may read)."""
    if not _staff(user):
        return Receipt.objects.none()
    qs = Receipt.objects.filter(org_id=user.org_id, document__status=DocStatus.SENT)
    if user.role not in SECRET_ROLES:
        qs = qs.filter(document__security=Security.PUBLIC)
    return qs.select_related("document", "document__org").order_by(
        "signed_at", "-document__sent_on", "-id"
    )


def unsigned(user: Any) -> QuerySet[Receipt]:
    return received(user).filter(signed_at__isnull=True)


def own_receipt(user: Any, document: Document) -> Receipt | None:
    return received(user).filter(document=document).first()


def receipts_of(user: Any, document: Document) -> QuerySet[Receipt] | None:
    """The sender's view of who has signed: for the sender org's subtree only."""
    if not document.org.path.startswith(user.org.path):
        return None
    return document.receipts.select_related("org", "signed_by").order_by("signed_at", "org__path")


@dataclass
class ReceiptCounts:
    total: int
    signed: int

    @property
    def unsigned(self) -> int:
        return self.total - self.signed


def receipt_counts(document: Document) -> ReceiptCounts:
    row = document.receipts.aggregate(
        total=Count("id"), signed=Count("id", filter=Q(signed_at__isnull=False))
    )
    return ReceiptCounts(total=row["total"], signed=row["signed"])


# --- incoming, notices ----------------------------------------------------------------------


def incoming_for(user: Any) -> QuerySet[Incoming]:
    if not _staff(user):
        return Incoming.objects.none()
    return Incoming.objects.visible_to(user).select_related("org")


def access_incoming(user: Any, pk: int) -> Incoming:
    item = incoming_for(user).filter(pk=pk).first()
    if item is None:
        raise NotFound()
    return item


def notices_for(user: Any) -> QuerySet[Notice]:
    """Notices to the tree by the user's org, any org above it, or any org below it."""
    if not _staff(user):
        return Notice.objects.none()
    return (
        Notice.objects.filter(
            Q(org__in=subtree_org_ids(user.org))
            | Q(org_id__in=_path_ids(user.org), audience=Audience.TREE)
        )
        .select_related("org")
        .annotate(read_count=Count("reads"))
        .order_by("-published_on", "-id")
    )


def access_notice(user: Any, pk: int) -> Notice:
    notice = notices_for(user).filter(pk=pk).first()
    if notice is None:
        raise NotFound()
    return notice


def member_notices(user: Any) -> QuerySet[Notice]:
    """A member's notices: to members, by their union or a federation above it."""
    if getattr(user, "role", "") != "member" or getattr(user, "org", None) is None:
        return Notice.objects.none()
    return Notice.objects.filter(
        audience=Audience.MEMBERS, org_id__in=_path_ids(user.org)
    ).select_related("org")


# --- calls ----------------------------------------------------------------------------------


def calls_for(user: Any) -> QuerySet[Call]:
    """Calls sent by the user's subtree."""
    if not _staff(user):
        return Call.objects.none()
    return Call.objects.visible_to(user).select_related("org")


def access_call(user: Any, pk: int) -> Call:
    call = calls_for(user).filter(pk=pk).first()
    if call is None:
        raise NotFound()
    return call


def submissions_for(user: Any) -> QuerySet[Submission]:
    if not _staff(user):
        return Submission.objects.none()
    return Submission.objects.visible_to(user).select_related("call", "call__org", "org")


def access_submission(user: Any, pk: int) -> Submission:
    item = submissions_for(user).filter(pk=pk).first()
    if item is None:
        raise NotFound()
    return item


def open_calls(user: Any) -> QuerySet[Submission]:
    """What the user's org still has to fill."""
    return submissions_for(user).filter(
        org_id=user.org_id, status=SubStatus.PENDING, call__status=CallStatus.OPEN
    )


@dataclass
class CallProgress:
    submitted: int
    late: int
    missing: int
    total: int


def call_progress(call: Call, today: date | None = None) -> CallProgress:
    """Submitted (on time), late (submitted after the deadline or still missing past it)
    and missing."""
    today = today or timezone.localdate()
    row = call.submissions.aggregate(
        total=Count("id"),
        submitted=Count("id", filter=Q(status=SubStatus.SUBMITTED)),
        late=Count("id", filter=Q(late=True)),
    )
    missing = row["total"] - row["submitted"]
    return CallProgress(
        submitted=row["submitted"], late=row["late"], missing=missing, total=row["total"]
    )


def with_progress(calls: QuerySet[Call], limit: int = 50) -> list[tuple[Call, CallProgress]]:
    """Each call with its counts, in one grouped query (a list page's budget)."""
    rows = calls.annotate(
        n_total=Count("submissions"),
        n_submitted=Count("submissions", filter=Q(submissions__status=SubStatus.SUBMITTED)),
        n_late=Count("submissions", filter=Q(submissions__late=True)),
    )
    return [
        (
            c,
            CallProgress(
                submitted=c.n_submitted,
                late=c.n_late,
                missing=c.n_total - c.n_submitted,
                total=c.n_total,
            ),
        )
        for c in rows[:limit]
    ]


def merged_rows(call: Call) -> tuple[list[str], list[list[Any]]]:
    """The merged workbook: every submitted row with the org it came from (its name and
    code), the org that reported it, and its row number there."""
    from .models import SubmissionRow

    columns = call.columns
    header = ["来源单位", "来源单位代码", "报送单位", "原行号", *[c["label"] for c in columns]]
    rows = SubmissionRow.objects.filter(
        submission__call=call, submission__status=SubStatus.SUBMITTED
    ).select_related("source", "submission__org")
    out: list[list[Any]] = []
    for r in rows.order_by("submission__org__path", "number"):
        values = []
        for c in columns:
            v = r.data.get(c["key"])
            if v is not None and c["type"] == "decimal":
                from decimal import Decimal

                v = Decimal(v)
            values.append(v)
        out.append([r.source.name, r.source.code, r.submission.org.name, r.number, *values])
    return header, out


def prefill(call: Call, org: Any) -> dict[str, dict[str, Any]]:
    """For each column bound to a metric: the figure of ``org`` over the call's period and
    the link to the records behind it."""
    from django.urls import reverse

    from gonghui.core import metrics

    out: dict[str, dict[str, Any]] = {}
    if not (call.period_start and call.period_end):
        return out
    for col in call.columns:
        key = col.get("metric")
        if not key:
            continue
        try:
            metric = metrics.get(key)
        except KeyError:
            continue
        value = metrics.shown(metric, metric.value(org, call.period_start, call.period_end))
        url = reverse("reports:figure", args=[key]) + (
            f"?org={org.code}&from={call.period_start.isoformat()}&to={call.period_end.isoformat()}"
        )
        out[col["key"]] = {"value": value, "url": url, "label": metric.label}
    return out


# --- tasks, meetings ------------------------------------------------------------------------


def tasks_for(user: Any) -> QuerySet[Task]:
    if not _staff(user):
        return Task.objects.none()
    return Task.objects.visible_to(user).select_related("org", "owner")


def access_task(user: Any, pk: int) -> Task:
    task = tasks_for(user).filter(pk=pk).first()
    if task is None:
        raise NotFound()
    return task


def due_tasks(user: Any) -> QuerySet[Task]:
    return tasks_for(user).filter(owner_id=user.org_id, status=TaskStatus.OPEN)


def meetings_for(user: Any) -> QuerySet[Meeting]:
    if not _staff(user):
        return Meeting.objects.none()
    return Meeting.objects.visible_to(user).select_related("org")


def access_meeting(user: Any, pk: int) -> Meeting:
    meeting = meetings_for(user).filter(pk=pk).first()
    if meeting is None:
        raise NotFound()
    return meeting


def plenaries(user: Any) -> QuerySet[Any]:
    """The governance module's meetings in the user's subtree (read, never changed here)."""
    from gonghui.governance.models import Meeting as Plenary

    if not can(user, "governance.view"):
        return Plenary.objects.none()
    return Plenary.objects.visible_to(user).select_related("org").order_by("-held_on", "-id")


@dataclass
class Work:
    unsigned: int
    open_calls: int
    due_tasks: int


def home_work(user: Any) -> Work:
    if not _staff(user):
        return Work(0, 0, 0)
    return Work(
        unsigned=unsigned(user).count(),
        open_calls=open_calls(user).count(),
        due_tasks=due_tasks(user).count(),
    )
