"""Scoped reads of the payment machinery: a batch or line outside the user's subtree answers
exactly as a missing one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from gonghui.core.errors import NotFound
from gonghui.core.roles import role_can

from .models import Batch, Line, LineKind, LineStatus


def batches_visible_to(user: Any) -> QuerySet[Batch]:
    if not role_can(getattr(user, "role", ""), "payments.view"):
        return Batch.objects.none()
    return Batch.objects.visible_to(user).select_related("org", "created_by", "approved_by")


def batches_with_totals(user: Any) -> QuerySet[Batch]:
    """The list: each batch with its line count and total (payment lines; reversals apart)."""
    return batches_visible_to(user).annotate(
        line_count=Count("lines", distinct=True),
    )


def access_batch(user: Any, batch_id: Any) -> Batch:
    try:
        return batches_visible_to(user).get(pk=int(batch_id))
    except (Batch.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def lines_visible_to(user: Any) -> QuerySet[Line]:
    if not role_can(getattr(user, "role", ""), "payments.view"):
        return Line.objects.none()
    return Line.objects.visible_to(user).select_related("batch", "org")


def access_line(user: Any, line_id: Any) -> Line:
    try:
        return lines_visible_to(user).get(pk=int(line_id))
    except (Line.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def batch_lines(user: Any, batch: Batch) -> QuerySet[Line]:
    return lines_visible_to(user).filter(batch=batch).order_by("seq")


def lines_for_reference(user: Any, reference: str) -> QuerySet[Line]:
    """Every line of a source record (``"assistance.grant:123"``) that the user may see:
    what it has been paid, what failed, what was reversed or reissued."""
    return lines_visible_to(user).filter(reference=reference).order_by("batch_id", "seq")


def reconciliation(batch: Batch) -> dict[str, Any]:
    """The batch's money by line status: the total of its payment lines equals paid +
    failed + pending (+ reversed and reissued), each with its count and amount. Reversal
    lines (negative, the corrections of an earlier batch) are counted apart."""
    zero = Decimal("0.00")
    rows = (
        batch.lines.exclude(kind=LineKind.REVERSAL)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"), s=Sum("amount"))
    )
    by_status = {r["status"]: (r["n"], r["s"] or zero) for r in rows}
    buckets = []
    for status in LineStatus:
        n, s = by_status.get(status.value, (0, zero))
        buckets.append(
            {"status": status.value, "label": str(status.label), "count": n, "amount": s}
        )
    agg = batch.lines.exclude(kind=LineKind.REVERSAL).aggregate(n=Count("pk"), s=Sum("amount"))
    total = agg["s"] or zero
    reversals = batch.lines.filter(kind=LineKind.REVERSAL).aggregate(n=Count("pk"), s=Sum("amount"))
    return {
        "total": total,
        "count": agg["n"] or 0,
        "buckets": buckets,
        "balanced": sum((b["amount"] for b in buckets), zero) == total,
        "reversal_count": reversals["n"] or 0,
        "reversal_amount": reversals["s"] or zero,
    }


def waiting_work(user: Any) -> dict[str, int]:
    """What waits for this user in the payment machinery (the home page's to-do): batches
    submitted by others for approval, and batches whose bank confirmations are still due.
    One query; zero for a role without the right."""
    role = getattr(user, "role", "")
    if not role_can(role, "payments.view"):
        return {"to_approve": 0, "to_confirm": 0}
    approve = Q(status="submitted") & ~Q(created_by=user) & ~Q(submitted_by=user)
    counts = Batch.objects.visible_to(user).aggregate(
        to_approve=Count("pk", filter=approve),
        to_confirm=Count("pk", filter=Q(status__in=("exported", "partly"))),
    )
    return {
        "to_approve": counts["to_approve"] if role_can(role, "payments.approve") else 0,
        "to_confirm": counts["to_confirm"] if role_can(role, "payments.make") else 0,
    }
