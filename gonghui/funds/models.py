"""Union fees (工会经费): the ledger booked from the tax bureau's collection sheets, each
enterprise's size class by the 2011 SME standard, and the refund policy for small and micro
enterprises with its half-yearly rounds and applications.

Every table is scoped by the enterprise's county (``county``), like ``orgs.Enterprise``.

- ``SizeRule``: the 2011 standard (工信部联企业〔2011〕300号) as data, one row per industry
  group: the floors of employees, revenue and assets (万元) for large, medium and small.
- ``EnterpriseSize``: an enterprise's figures for a year and the class they give, with the
  reasoning; its financial or group ties (the policy's exclusions).
- ``CollectionImport`` / ``FeeLine``: a booked month of an enterprise: payroll, due (2%),
  paid, the grassroots 60% and the 40% sent up, or the founding fund (建会筹备金) of an
  enterprise without a union. Never edited: a correction is a reversal line.
- ``RefundPolicy`` / ``RefundRound`` / ``RefundApplication``: the policy as data (period,
  classes, exclusions, share), its rounds, one application per enterprise per round with the
  eligibility explanation stored beside the decision; paid through ``payments``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField
from gonghui.core.models import BaseModel
from gonghui.core.roles import grant
from gonghui.core.scope import ScopedQuerySet

grant("funds.view", "admin", "cadre", "leader")
grant("funds.manage", "admin", "cadre")
# the enterprise's union (its clerk), or a cadre for it, applies for the refund
grant("funds.apply", "admin", "cadre", "clerk")


class SizeClass(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class SizeRule(models.Model):
    """One industry group of the 2011 standard. ``industries``: GB/T 4754 codes it covers,
    comma-separated, matched as prefixes of an enterprise's code (``C`` covers ``C13``;
    ``F52`` only 零售业); ``*`` is 其他未列明行业. A floor left empty is not a criterion of that
    class; a class is reached when every criterion with a floor is met."""

    code = models.CharField(_("代码"), max_length=16, unique=True)
    name = models.CharField(_("行业"), max_length=50)
    industries = models.CharField(_("行业代码"), max_length=200)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    employees_large = models.PositiveIntegerField(_("大型：从业人员≥"), null=True, blank=True)
    revenue_large = models.DecimalField(
        _("大型：营业收入≥（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    assets_large = models.DecimalField(
        _("大型：资产总额≥（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    employees_medium = models.PositiveIntegerField(_("中型：从业人员≥"), null=True, blank=True)
    revenue_medium = models.DecimalField(
        _("中型：营业收入≥（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    assets_medium = models.DecimalField(
        _("中型：资产总额≥（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    employees_small = models.PositiveIntegerField(_("小型：从业人员≥"), null=True, blank=True)
    revenue_small = models.DecimalField(
        _("小型：营业收入≥（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    assets_small = models.DecimalField(
        _("小型：资产总额≥（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("企业规模划型标准")

    def __str__(self) -> str:
        return self.name


class FinancialTie(models.TextChoices):
    NONE = "", _("无")
    BANK = "bank", _("银行的子公司")
    INSURER = "insurer", _("保险公司的子公司")
    SECURITIES = "securities", _("证券公司的子公司")
    FINANCIAL_GROUP = "group", _("金融、保险、证券类企业集团成员")


class EnterpriseSize(BaseModel):
    scope_field = "county"

    enterprise = models.ForeignKey(
        "orgs.Enterprise", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    county = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在县区")
    )
    year = models.PositiveSmallIntegerField(_("数据年度"))
    industry_code = models.CharField(
        _("行业代码（GB/T 4754）"), max_length=8, help_text=_("如 C13、F52、K702")
    )
    employees = models.PositiveIntegerField(_("从业人员"))
    revenue = models.DecimalField(_("营业收入（万元）"), max_digits=12, decimal_places=2)
    assets = models.DecimalField(_("资产总额（万元）"), max_digits=12, decimal_places=2)
    financial_tie = models.CharField(
        _("金融类关联"), max_length=12, choices=FinancialTie.choices, blank=True
    )
    group_member = models.BooleanField(_("属于企业集团"), default=False)
    size_class = models.CharField(_("规模"), max_length=8, choices=SizeClass.choices, blank=True)
    size_reason = models.TextField(_("划型依据"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "-year"]
        verbose_name = _("单位规模数据")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="enterprise_size_year")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}"


class SizeImport(BaseModel):
    """One size-class sheet (行业、从业人员、营业收入、资产总额 by credit code and year), as
    imported: its counts and its refused rows with their cells, so the rejected rows can be
    downloaded, fixed and imported again."""

    scope_field = "county"

    county = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64, blank=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    saved = models.PositiveIntegerField(_("已登记"), default=0)
    unchanged = models.PositiveIntegerField(_("已登记未变"), default=0)
    rejected = models.PositiveIntegerField(_("未导入"), default=0)
    header = models.JSONField(_("表头"), default=list, blank=True)
    problems = models.JSONField(_("未导入的行"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("单位规模数据导入")

    def __str__(self) -> str:
        return f"{self.file_name}（{self.created_at:%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        return reverse("funds:size_import", args=[self.pk])


class FeeKind(models.TextChoices):
    FEE = "fee", _("工会经费")
    FOUNDING = "founding", _("建会筹备金")


class CollectionImport(BaseModel):
    """One collection sheet of the tax bureau, as imported: its counts and refused rows."""

    scope_field = "county"

    county = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64, blank=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    booked = models.PositiveIntegerField(_("入账"), default=0)
    unchanged = models.PositiveIntegerField(_("已入账未变"), default=0)
    rejected = models.PositiveIntegerField(_("未入账"), default=0)
    problems = models.JSONField(_("未入账的行"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("经费征收数据导入")

    def __str__(self) -> str:
        return f"{self.file_name}（{self.created_at:%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        return reverse("funds:import_detail", args=[self.pk])


class FeeLine(BaseModel):
    scope_field = "county"

    # no index of their own: ``fee_line_county`` and ``fee_line_key`` below begin with them
    # (a second index on the same column cost every import of the ledger its writes)
    county = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("县区"),
        db_index=False,
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("单位"),
        db_index=False,
    )
    period = models.DateField(_("所属月份"))  # the first day of the month
    kind = models.CharField(_("类型"), max_length=10, choices=FeeKind.choices)
    payroll = models.DecimalField(_("工资总额（元）"), max_digits=14, decimal_places=2)
    due = models.DecimalField(_("应缴（元）"), max_digits=14, decimal_places=2)
    paid = models.DecimalField(_("实缴（元）"), max_digits=14, decimal_places=2)
    grassroots_share = models.DecimalField(
        _("基层留成（元）"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    upper_share = models.DecimalField(
        _("上解（元）"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    source_import = models.ForeignKey(
        CollectionImport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
        verbose_name=_("来源导入"),
    )
    source_row = models.PositiveIntegerField(_("来源行号"), null=True, blank=True)
    reversal_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("冲正的原行"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "enterprise", "id"]
        verbose_name = _("经费台账")
        indexes = [
            # the ledger of an enterprise, month by month; the import's "already booked?"
            models.Index(fields=["enterprise", "period", "kind"], name="fee_line_key"),
            # the figures: a county's months
            models.Index(fields=["county", "kind", "period"], name="fee_line_county"),
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.get_kind_display()}"


class RefundPolicy(BaseModel):
    """A refund policy as data: a second policy (another period, another share) is a new row.

    ``classes``: the size classes refunded (comma-separated: ``small,micro``); ``share``: the
    part of the fees sent up that is refunded (1.00 = in full)."""

    name = models.CharField(_("政策名称"), max_length=100, unique=True)
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"))
    classes = models.CharField(_("返还的规模"), max_length=40, default="small,micro")
    share = models.DecimalField(
        _("返还比例"), max_digits=4, decimal_places=3, default=Decimal("1.000")
    )
    exclude_financial = models.BooleanField(
        _("排除金融、保险、证券类企业集团及其子公司"), default=True
    )
    exclude_group_members = models.BooleanField(_("排除企业集团成员"), default=False)
    refund_founding_fund = models.BooleanField(_("建会后返还期内缴纳的筹备金"), default=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("返还政策")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="policy_period"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def class_list(self) -> list[str]:
        return [c.strip() for c in self.classes.split(",") if c.strip()]


class RefundRound(BaseModel):
    """A half-yearly application round: the fee months it refunds and when it takes
    applications."""

    policy = models.ForeignKey(
        RefundPolicy, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("政策")
    )
    name = models.CharField(_("批次名称"), max_length=50)
    period_start = models.DateField(_("返还所属期起"))
    period_end = models.DateField(_("返还所属期止"))
    opens_on = models.DateField(_("受理开始"))
    closes_on = models.DateField(_("受理截止"))

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("返还申报批次")
        constraints = [
            models.UniqueConstraint(fields=["policy", "name"], name="refund_round_name"),
        ]

    def __str__(self) -> str:
        return f"{self.policy.name}·{self.name}"

    def get_absolute_url(self) -> str:
        return reverse("funds:round", args=[self.pk])


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("已申请")
    CHECKED = "checked", _("已审核")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予返还")
    PAID = "paid", _("已返还")


class RefundApplication(BaseModel):
    scope_field = "county"
    audit_masked = {"bank_account": "bank_account"}

    round = models.ForeignKey(
        RefundRound, on_delete=models.PROTECT, related_name="applications", verbose_name=_("批次")
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    county = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ApplicationStatus.choices, default="applied"
    )
    applied_on = models.DateField(_("申请日期"))
    bank_name = models.CharField(_("开户行"), max_length=100)
    bank_account = EncryptedTextField(_("账号"), mask="bank_account")
    eligible = models.BooleanField(_("符合条件"), default=False)
    amount = models.DecimalField(_("返还金额（元）"), max_digits=14, decimal_places=2)
    explanation = models.JSONField(_("审核依据"), default=list, blank=True)
    refused_reason = models.CharField(_("不予返还的理由"), max_length=200, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    payment_batch = models.ForeignKey(
        "payments.Batch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("代发批次"),
    )
    paid_on = models.DateField(_("到账日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-applied_on", "-id"]
        verbose_name = _("经费返还申请")
        constraints = [
            models.UniqueConstraint(fields=["round", "enterprise"], name="refund_once_per_round"),
        ]
        indexes = [
            # the figures: refunds paid in a period, by county
            models.Index(fields=["county", "status", "paid_on"], name="refund_paid"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"FH{self.pk:06d}" if self.pk else ""

    @property
    def reference(self) -> str:
        """The natural key of the refund for the payment machinery."""
        return f"funds.refund:{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("funds:application", args=[self.pk])
