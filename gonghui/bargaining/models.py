"""Collective bargaining (集体协商): offer campaigns, each enterprise's thread through the
statutory steps, the contracts they produce, and workers' requests for bargaining.

A thread (one enterprise offered in one campaign) is scoped like its enterprise: by the
county (``county``), so a county federation sees the threads of its enterprises and the city
sees all. Each step's date and the due date of the next step are stored on the thread, so the
queue sorts and cards by due date without computing anything per row; ``card`` is refreshed
by the daily tick (``services.threads_tick``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import BaseModel
from gonghui.core.roles import SUBTREE_ROLES
from gonghui.core.scope import ScopedQuerySet, subtree_org_ids


class Kind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("综合性集体合同")
    WAGE = "wage", _("工资专项集体合同")
    WOMEN = "women", _("女职工权益保护专项集体合同")
    SAFETY = "safety", _("劳动安全卫生专项集体合同")
    INDUSTRY = "industry", _("行业性集体合同")
    REGIONAL = "regional", _("区域性集体合同")


MULTI_ENTERPRISE_KINDS = (Kind.INDUSTRY, Kind.REGIONAL)


class Campaign(BaseModel):
    """An offer campaign (集中要约行动) launched by a federation for a period."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("发起单位")
    )
    title = models.CharField(_("行动名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    kind = models.CharField(
        _("协商类型"), max_length=16, choices=Kind.choices, default=Kind.COMPREHENSIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-starts_on", "-id"]
        verbose_name = _("集中要约行动")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("bargaining:campaign", args=[self.pk])


class Status(models.TextChoices):
    OFFERED = "offered", _("已发要约")
    ANSWERED = "answered", _("已回应")
    SCHEDULED = "scheduled", _("已约定协商")
    DATA = "data", _("已交换资料")
    TALKS = "talks", _("协商中")
    DRAFT = "draft", _("草案已形成")
    VOTED = "voted", _("职代会已通过")
    SIGNED = "signed", _("已签订")
    FILED = "filed", _("已报送备案")
    REVIEWED = "reviewed", _("审查通过")
    PUBLISHED = "published", _("已公布生效")
    REFUSED = "refused", _("企业拒绝协商")


OPEN_STATUSES = tuple(s.value for s in Status if s not in (Status.PUBLISHED, Status.REFUSED))


class Card(models.TextChoices):
    NONE = "", _("无")
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


def _county_or_union(qs: models.QuerySet[Any], user: Any, union: str) -> Any:
    """Staff see the records of enterprises in their subtree's counties, and a union's staff
    those of the enterprises it covers (``union`` names the union field)."""
    scoped: models.QuerySet[Any] = ScopedQuerySet.visible_to(qs, user)  # type: ignore[arg-type]
    if getattr(user, "org_id", None) is None or user.role not in SUBTREE_ROLES:
        return scoped
    ids = subtree_org_ids(user.org)
    covered = qs.model._default_manager.filter(**{f"{union}__in": ids}).values("pk")
    return qs.filter(models.Q(pk__in=scoped.values("pk")) | models.Q(pk__in=covered))


class ThreadQuerySet(ScopedQuerySet["Thread"]):
    def visible_to(self, user: Any) -> ThreadQuerySet:
        return cast(ThreadQuerySet, _county_or_union(self, user, "union"))

    def open(self) -> ThreadQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Thread(BaseModel):
    """One enterprise offered in one campaign, and every step since."""

    scope_field = "county"

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="threads", verbose_name=_("要约行动")
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise", on_delete=models.PROTECT, related_name="+", verbose_name=_("企业")
    )
    county = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在县区")
    )
    union = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("要约方工会"),
    )
    kind = models.CharField(_("协商类型"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("进展"), max_length=10, choices=Status.choices, default=Status.OFFERED
    )
    offered_on = models.DateField(_("要约日期"))
    letter_sent_on = models.DateField(_("要约书送达日期"), null=True, blank=True)
    answered_on = models.DateField(_("回应日期"), null=True, blank=True)
    talks_on = models.DateField(_("协商日期"), null=True, blank=True)
    data_on = models.DateField(_("资料交换日期"), null=True, blank=True)
    rounds = models.PositiveSmallIntegerField(_("协商轮次"), default=0)
    draft_on = models.DateField(_("草案形成日期"), null=True, blank=True)
    delegates = models.PositiveIntegerField(_("职工代表总数"), null=True, blank=True)
    present = models.PositiveIntegerField(_("出席代表数"), null=True, blank=True)
    approving = models.PositiveIntegerField(_("赞成票数"), null=True, blank=True)
    voted_on = models.DateField(_("职代会表决日期"), null=True, blank=True)
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    filed_on = models.DateField(_("报送备案日期"), null=True, blank=True)
    reviewed_on = models.DateField(_("审查通过日期"), null=True, blank=True)
    published_on = models.DateField(_("公布日期"), null=True, blank=True)
    refused_reason = models.CharField(_("拒绝理由"), max_length=200, blank=True)
    due_on = models.DateField(_("当前步骤期限"), null=True, blank=True)
    card = models.CharField(
        _("督办"), max_length=6, choices=Card.choices, default=Card.NONE, blank=True
    )
    contract = models.ForeignKey(
        "Contract",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="threads",
        verbose_name=_("集体合同"),
    )

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("要约协商")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "enterprise"], name="thread_one_per_enterprise"
            ),
        ]
        indexes = [
            models.Index(fields=["county", "status", "due_on"], name="thread_queue"),
            models.Index(fields=["offered_on"], name="thread_offered"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name}（{self.campaign.year}）"

    def get_absolute_url(self) -> str:
        return reverse("bargaining:thread", args=[self.pk])

    @property
    def letter_no(self) -> str:
        """The offer letter's number: 要约〔year〕thread id."""
        return f"要约〔{self.campaign.year}〕{self.pk}号"


class Round(models.Model):
    """One round of talks: the date and what was said."""

    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="round_notes", verbose_name=_("要约协商")
    )
    number = models.PositiveSmallIntegerField(_("轮次"))
    held_on = models.DateField(_("协商日期"))
    notes = models.TextField(_("协商纪要"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("协商轮次")

    def __str__(self) -> str:
        return f"{self.thread} #{self.number}"


class ContractQuerySet(ScopedQuerySet["Contract"]):
    def visible_to(self, user: Any) -> ContractQuerySet:
        return cast(ContractQuerySet, _county_or_union(self, user, "enterprises__union"))

    def in_force(self, day: date) -> ContractQuerySet:
        return self.filter(starts_on__lte=day, ends_on__gte=day)

    def expiring(self, day: date, days: int = 60) -> ContractQuerySet:
        return self.filter(ends_on__gte=day, ends_on__lte=day + timedelta(days=days))


class Contract(BaseModel):
    """A collective contract in force: one enterprise's, or an industry's or a region's
    covering many. ``workers`` is the number of workers it covers (the enterprises' headcount
    when it was signed)."""

    scope_field = "county"

    county = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在县区")
    )
    union = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签约工会"),
    )
    kind = models.CharField(_("合同类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("合同名称"), max_length=150)
    enterprises = models.ManyToManyField(
        "orgs.Enterprise", related_name="contracts", verbose_name=_("覆盖企业")
    )
    signed_on = models.DateField(_("签订日期"))
    starts_on = models.DateField(_("生效日期"))
    ends_on = models.DateField(_("到期日期"))
    workers = models.PositiveIntegerField(_("覆盖职工人数"), default=0)
    min_wage = models.DecimalField(
        _("企业最低工资（元/月）"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    wage_rise = models.DecimalField(
        _("年度工资增幅（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    from_paper = models.BooleanField(_("纸质合同补录"), default=False)

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["ends_on", "id"]
        verbose_name = _("集体合同")
        indexes = [models.Index(fields=["county", "ends_on"], name="contract_expiry")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("bargaining:contract", args=[self.pk])

    @property
    def renewal_from(self) -> date:
        """Renewal talks start 60 days before expiry (DOMAIN.md)."""
        return self.ends_on - timedelta(days=RENEWAL_DAYS)


RENEWAL_DAYS = 60


class WorkerRequestQuerySet(ScopedQuerySet["WorkerRequest"]):
    def visible_to(self, user: Any) -> WorkerRequestQuerySet:
        return cast(WorkerRequestQuerySet, _county_or_union(self, user, "enterprise__union"))


class WorkerRequest(models.Model):
    """Workers of one enterprise asking their union to offer bargaining; once a fifth of the
    enterprise's workers have signed, the union is on notice (``reached_on``)."""

    scope_field = "enterprise__county"

    enterprise = models.ForeignKey(
        "orgs.Enterprise", on_delete=models.PROTECT, related_name="+", verbose_name=_("企业")
    )
    headcount = models.PositiveIntegerField(_("企业职工人数"))
    signers = models.ManyToManyField(
        "members.Member", related_name="+", blank=True, verbose_name=_("签名职工")
    )
    opened_on = models.DateField(_("发起日期"))
    reached_on = models.DateField(_("达到五分之一日期"), null=True, blank=True)
    thread = models.ForeignKey(
        Thread,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("要约协商"),
    )

    objects = WorkerRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("职工协商要求")

    def __str__(self) -> str:
        return f"{self.enterprise.name}：{self.opened_on}"

    @property
    def needed(self) -> int:
        """Signatures needed: at least one fifth of the workers (rounded up)."""
        return -(-self.headcount // 5)


class LetterBatch(models.Model):
    """Offer letters of a campaign for one org's enterprises, made in the background as one
    merged PDF (``file``, a stored file of the org, kept by the upload retention)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="+", verbose_name=_("要约行动")
    )
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    layout = models.CharField(
        _("文件形式"),
        max_length=10,
        choices=[("merged", _("合并为一个PDF")), ("zip", _("每家企业一个PDF（压缩包）"))],
        default="merged",
    )
    total = models.PositiveIntegerField(_("要约书份数"), default=0)
    done = models.PositiveIntegerField(_("已生成"), default=0)
    status = models.CharField(_("状态"), max_length=10, default="pending")
    message = models.CharField(_("说明"), max_length=300, blank=True)
    file = models.ForeignKey(
        "core.StoredFile", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("要约书批量生成")

    def __str__(self) -> str:
        return f"{self.campaign} {self.org}"

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0
