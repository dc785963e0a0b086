"""Scoped reads of the union-fee module: a record of an enterprise outside the user's
subtree (by its county) answers exactly as a missing one."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from gonghui.core.errors import NotFound
from gonghui.core.roles import role_can

from .models import (
    CollectionImport,
    EnterpriseSize,
    FeeLine,
    RefundApplication,
    RefundPolicy,
    RefundRound,
    SizeImport,
)


def _may_view(user: Any) -> bool:
    return role_can(getattr(user, "role", ""), "funds.view")


def ledger(user: Any) -> QuerySet[FeeLine]:
    if not _may_view(user):
        return FeeLine.objects.none()
    return FeeLine.objects.visible_to(user).select_related("enterprise", "county", "source_import")


def imports(user: Any) -> QuerySet[CollectionImport]:
    if not _may_view(user):
        return CollectionImport.objects.none()
    return CollectionImport.objects.visible_to(user).select_related("county", "created_by")


def access_import(user: Any, pk: Any) -> CollectionImport:
    try:
        return imports(user).get(pk=int(pk))
    except (CollectionImport.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def sizes(user: Any) -> QuerySet[EnterpriseSize]:
    if not _may_view(user):
        return EnterpriseSize.objects.none()
    return EnterpriseSize.objects.visible_to(user).select_related("enterprise")


def size_imports(user: Any) -> QuerySet[SizeImport]:
    if not _may_view(user):
        return SizeImport.objects.none()
    return SizeImport.objects.visible_to(user).select_related("county", "created_by")


def access_size_import(user: Any, pk: Any) -> SizeImport:
    try:
        return size_imports(user).get(pk=int(pk))
    except (SizeImport.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def line(user: Any, pk: Any) -> FeeLine:
    """One booked line of the ledger in the user's scope (for its reversal)."""
    try:
        return ledger(user).get(pk=int(pk))
    except (FeeLine.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def rounds() -> QuerySet[RefundRound]:
    """Rounds are the policy's data, the same for everyone who may see the module."""
    return RefundRound.objects.select_related("policy").order_by("-period_start")


def policies() -> QuerySet[RefundPolicy]:
    return RefundPolicy.objects.order_by("-starts_on")


def access_round(user: Any, pk: Any) -> RefundRound:
    if not (_may_view(user) or role_can(getattr(user, "role", ""), "funds.apply")):
        raise NotFound()
    try:
        return rounds().get(pk=int(pk))
    except (RefundRound.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def applications(user: Any) -> QuerySet[RefundApplication]:
    """Cadres and leaders: the applications of their subtree's enterprises; a clerk: those
    of the enterprises their union covers."""
    role = getattr(user, "role", "")
    qs = RefundApplication.objects.select_related("enterprise", "county", "round", "round__policy")
    if _may_view(user):
        return qs.visible_to(user)
    if role_can(role, "funds.apply") and getattr(user, "org_id", None):
        return qs.filter(enterprise__union__path__startswith=user.org.path)
    return qs.none()


def access_application(user: Any, pk: Any) -> RefundApplication:
    try:
        return applications(user).get(pk=int(pk))
    except (RefundApplication.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def round_summary(user: Any, round: RefundRound) -> dict[str, Any]:
    """The round in the user's subtree: applications by status, their amounts."""
    rows = (
        applications(user)
        .filter(round=round)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"), s=Sum("amount"))
    )
    return {r["status"]: {"count": r["n"], "amount": r["s"]} for r in rows}


def waiting_work(user: Any) -> dict[str, int]:
    """The finance cadre's to-do: applications to review and to decide, approved refunds
    not yet in a payment batch. One query."""
    if not role_can(getattr(user, "role", ""), "funds.manage"):
        return {"to_check": 0, "to_decide": 0, "to_pay": 0}
    counts = RefundApplication.objects.visible_to(user).aggregate(
        to_check=Count("pk", filter=Q(status="applied")),
        to_decide=Count("pk", filter=Q(status="checked")),
        to_pay=Count("pk", filter=Q(status="approved", payment_batch__isnull=True)),
    )
    return {k: v or 0 for k, v in counts.items()}
