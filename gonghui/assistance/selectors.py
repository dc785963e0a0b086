"""Scoped reads of the assistance module. A record outside the user's scope answers exactly as
a missing one; lists bring what their rows show in a fixed number of queries."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from gonghui.core.masking import mask_generic, mask_id_number, mask_name, mask_phone
from gonghui.core.roles import can
from gonghui.core.scope import access

from .models import (
    PENDING_STATUSES,
    Campaign,
    Family,
    Grant,
    Recipient,
    RecipientStatus,
    Status,
)


def families_visible_to(user: Any) -> QuerySet[Family]:
    return Family.objects.visible_to(user).select_related("org")


def families_filtered(
    user: Any, *, status: str = "", category: str = "", q: str = "", pending: bool = False
) -> QuerySet[Family]:
    qs = families_visible_to(user)
    if pending:
        qs = qs.filter(status__in=PENDING_STATUSES)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(name__icontains=q))
    return qs.order_by("-applied_on", "-id")


def access_family(user: Any, pk: Any) -> Family:
    return access(Family.objects.select_related("org", "member"), user, pk=pk)


def family_detail(user: Any, pk: Any) -> Family:
    family = access_family(user, pk)
    return family


def may_reveal(user: Any, family: Family) -> bool:
    return can(user, "assistance.reveal", family.org)


def masked(family: Family) -> dict[str, str]:
    """The sensitive fields as lists and pages show them without the reveal right."""
    return {
        "name": mask_name(family.name),
        "id_number": mask_id_number(family.id_number),
        "phone": mask_phone(family.phone),
        "bank_account": mask_generic(family.bank_account),
        "address": "***" if family.address else "",
        "health": "***" if family.health else "",
        "disability": "***" if family.disability else "",
    }


def grants_visible_to(user: Any) -> QuerySet[Grant]:
    return Grant.objects.visible_to(user).select_related("org", "family")


def access_grant(user: Any, pk: Any) -> Grant:
    return access(Grant.objects.select_related("org", "family"), user, pk=pk)


def campaigns_visible_to(user: Any) -> QuerySet[Campaign]:
    return Campaign.objects.visible_to(user).select_related("org")


def access_campaign(user: Any, pk: Any) -> Campaign:
    return access(Campaign.objects.select_related("org"), user, pk=pk)


def campaign_summary(campaign: Campaign) -> dict[str, Any]:
    """Counts and amounts by state, one query."""
    rows = (
        Recipient.objects.filter(campaign=campaign)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"), amount=Sum("amount"))
    )
    out: dict[str, Any] = {s.value: {"n": 0, "amount": 0} for s in RecipientStatus}
    for row in rows:
        out[row["status"]] = {"n": row["n"], "amount": row["amount"] or 0}
    out["conflicts"] = Recipient.objects.filter(campaign=campaign).exclude(conflict="").count()
    return out


def recipients_of(user: Any, campaign: Campaign, *, status: str = "") -> QuerySet[Recipient]:
    """A campaign's recipients the user may see: the campaign's own org's staff see all of
    them; a county below sees its own subtree's."""
    qs = Recipient.objects.visible_to(user).filter(campaign=campaign).select_related("org")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("id")


def my_files(user: Any) -> QuerySet[Family]:
    """A member's own applications and files (the portal)."""
    return Family.objects.visible_to(user).select_related("org").order_by("-applied_on", "-id")


def waiting_review(user: Any) -> QuerySet[Family]:
    """Files reported up and waiting for the user's org to review: below it, not its own."""
    org = getattr(user, "org", None)
    if org is None or not can(user, "assistance.review"):
        return Family.objects.none()
    return families_visible_to(user).filter(status=Status.REVIEWING).exclude(org=org)


UNION_STEPS = (Status.SUBMITTED, Status.INVESTIGATED, Status.DELIBERATED, Status.NOTICE)


def waiting_union(user: Any) -> QuerySet[Family]:
    """Files waiting for a step of the grassroots union (investigation, deliberation,
    notice): the user's own org's."""
    org = getattr(user, "org", None)
    if org is None or not can(user, "assistance.handle"):
        return Family.objects.none()
    return families_visible_to(user).filter(status__in=UNION_STEPS)


def today() -> date:
    return timezone.localdate()


def home_work(user: Any, *, items: bool = False) -> dict[str, Any]:
    """What waits for the user on their home page, counted in one query: files at the
    union's steps in the user's subtree, files reported up for the user's org to review
    (below it, not its own); ``items``: the first of the former (the clerk's list)."""
    org = getattr(user, "org", None)
    if org is None or not can(user, "assistance.handle"):
        return {"union": 0, "review": 0, "items": []}
    at_union = Q(status__in=UNION_STEPS)
    review = Q(status=Status.REVIEWING) & ~Q(org=org)
    counts = Family.objects.visible_to(user).aggregate(
        union=Count("pk", filter=at_union), review=Count("pk", filter=review)
    )
    if not can(user, "assistance.review"):
        counts["review"] = 0
    listed = (
        list(waiting_union(user).order_by("investigate_due", "applied_on", "id")[:8])
        if items and counts["union"]
        else []
    )
    return {**counts, "items": listed}


# --- exports (masked: what a list page shows, as a spreadsheet) -------------------------------

FAMILY_EXPORT_HEADER = [
    "档案编号", "姓名", "身份证号", "所在工会", "状态", "困难类别", "主要致困原因", "家庭人口",
    "申请日期", "建档日期", "退出方式", "退出日期",
]  # fmt: skip
RECIPIENT_EXPORT_HEADER = [
    "姓名", "身份证号", "所在单位", "所在团队", "开户行", "账号", "金额", "状态", "发放日期",
    "失败原因", "冲突提示",
]  # fmt: skip
# the columns ``services.RECIPIENT_ALIASES`` reads, with an example row
RECIPIENT_TEMPLATE = (
    ["姓名", "身份证号", "单位代码", "所在团队", "开户行", "账号", "金额"],
    ["张三", "371702199001011237", "", "市立医院援鄂医疗队", "中国农业银行菏泽分行",
     "6228480012345678", "2000"],
)  # fmt: skip


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def family_export_rows(qs: QuerySet[Family]) -> Any:
    for f in qs.iterator(chunk_size=2000):
        yield [
            f.number,
            mask_name(f.name),
            mask_id_number(f.id_number),
            f.org.name,
            f.get_status_display(),
            f.get_category_display() if f.category else "",
            f.get_main_cause_display(),
            f.household_size,
            _day(f.applied_on),
            _day(f.archived_on),
            f.get_exit_kind_display() if f.exit_kind else "",
            _day(f.exited_on),
        ]


def recipient_export_rows(qs: QuerySet[Recipient]) -> Any:
    for r in qs.iterator(chunk_size=2000):
        yield [
            mask_name(r.name),
            mask_id_number(r.id_number),
            r.org.name,
            r.team,
            r.bank_name,
            mask_generic(r.bank_account),
            r.amount,
            r.get_status_display(),
            _day(r.paid_on),
            r.fail_reason,
            r.conflict,
        ]
