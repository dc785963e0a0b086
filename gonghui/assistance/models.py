"""Hardship families (困难职工, 一户一档), their applications and reviews, grants and campaigns.

A ``Family`` is one household's file from the worker's application to its exit: the grassroots
union (``org``) investigates it, deliberates, posts the public notice (``core.notices``), the
level above reviews it, and it is archived with its category computed by rule
(``classification.classify``). The same row carries the archive fields of DOMAIN.md; the
household's members and expense lines hang below it; every step is a ``FamilyEvent``.

Identity numbers, phones, addresses, bank accounts, health, disability and every income figure
are sensitive personal information (PIPL art. 28): encrypted at rest, masked in lists and in
the audit log, revealed only by right (``assistance.reveal``) and audited.

``DibaoStandard`` is the local minimum living standard (低保) by region and year: data, never a
constant. ``Grant`` is one payment of help to one person (生活救助, 子女助学 …); a ``Campaign``
(送温暖, condolence money) pays many ``Recipient`` rows in bulk.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import BlindIndexField, EncryptedTextField
from gonghui.core.models import BaseModel
from gonghui.core.roles import Role, grant, role_can
from gonghui.core.scope import ScopedQuerySet

# Declared here because models are imported at start-up, before any view asks.
grant("assistance.view", "admin", "cadre", "leader", "clerk")
grant("assistance.handle", "admin", "cadre", "clerk")  # investigate, deliberate, grants
grant("assistance.review", "admin", "cadre")  # the level above reviews, campaigns, approvals
grant("assistance.reveal", "cadre")  # not the system administrator (三员分立)
grant("assistance.configure", "admin", "cadre")  # 低保 standards, approval limits
grant("assistance.apply", "member")


class Category(models.TextChoices):
    NONE = "", _("不符合")
    DEEP = "deep", _("深度困难")
    RELATIVE = "relative", _("相对困难")
    ACCIDENT = "accident", _("意外致困")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("已申请")
    INVESTIGATED = "investigated", _("已入户调查")
    DELIBERATED = "deliberated", _("已评议")
    NOTICE = "notice", _("公示中")
    REVIEWING = "reviewing", _("待上级审核")
    ARCHIVED = "archived", _("已建档")
    REJECTED = "rejected", _("不予建档")
    EXITED = "exited", _("已解困脱困")
    CANCELLED = "cancelled", _("已注销")


PENDING_STATUSES = (
    Status.SUBMITTED,
    Status.INVESTIGATED,
    Status.DELIBERATED,
    Status.NOTICE,
    Status.REVIEWING,
)
LIVE_STATUSES = (*PENDING_STATUSES, Status.ARCHIVED)


class Cause(models.TextChoices):
    ILLNESS = "illness", _("因病")
    DISABILITY = "disability", _("因残")
    SCHOOLING = "schooling", _("因学")
    DISASTER = "disaster", _("因灾")
    ACCIDENT = "accident", _("意外事故")
    UNEMPLOYMENT = "unemployment", _("失业")
    LOW_INCOME = "low_income", _("收入低")
    OTHER = "other", _("其他")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Hukou(models.TextChoices):
    URBAN = "urban", _("城镇")
    RURAL = "rural", _("农村")


class WorkStatus(models.TextChoices):
    EMPLOYED = "employed", _("在岗")
    LAID_OFF = "laid_off", _("下岗")
    FLEXIBLE = "flexible", _("灵活就业")
    UNEMPLOYED = "unemployed", _("失业")
    RETIRED = "retired", _("退休")
    MIGRANT = "migrant", _("农民工")


class ExitKind(models.TextChoices):
    RELIEVED = "relieved", _("解困脱困")
    CANCELLED = "cancelled", _("注销")


class DibaoStandard(BaseModel):
    """The local minimum living standard (低保) of a region in a year, 元/人/月. The region is
    an administrative code (``371702``); a family's region is its union's county's."""

    region_code = models.CharField(_("行政区划代码"), max_length=12)
    region_name = models.CharField(_("地区"), max_length=50, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    monthly = models.DecimalField(_("低保标准（元/人/月）"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["region_code", "-year"]
        verbose_name = _("低保标准")
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="dibao_region_year")
        ]

    def __str__(self) -> str:
        return f"{self.region_name or self.region_code} {self.year}：{self.monthly}"


class ViewScoped(ScopedQuerySet[Any]):
    """Scoped by org like every record, and only for the roles that work in assistance: a
    hotline operator of the city sees no hardship file (members see their own)."""

    def visible_to(self, user: Any) -> Any:
        role = getattr(user, "role", "")
        if role and role != Role.MEMBER and not role_can(role, "assistance.view"):
            return self.none()
        return super().visible_to(user)


class FamilyQuerySet(ViewScoped):
    pass


class Family(BaseModel):
    """One household's application and archive (一户一档)."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在工会")
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hardship_files",
        verbose_name=_("会员"),
    )
    number = models.CharField(_("档案编号"), max_length=20, unique=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    category = models.CharField(_("困难类别"), max_length=12, choices=Category.choices, blank=True)
    # the worker
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    political_status = models.CharField(_("政治面貌"), max_length=20, blank=True)
    id_number = EncryptedTextField(_("身份证号"), mask="id_number")
    id_number_bidx = BlindIndexField(source="id_number", purpose="citizen_id")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    health = EncryptedTextField(_("健康状况"), mask="text", blank=True)
    disability = EncryptedTextField(_("残疾情况"), mask="text", blank=True)
    work_status = models.CharField(
        _("工作状况"), max_length=12, choices=WorkStatus.choices, blank=True
    )
    model_worker = models.CharField(_("劳模类型"), max_length=20, blank=True)
    housing = models.CharField(_("住房情况"), max_length=50, blank=True)
    phone = EncryptedTextField(_("联系电话"), mask="phone", blank=True)
    industry = models.CharField(_("所属行业"), max_length=50, blank=True)
    marital_status = models.CharField(_("婚姻状况"), max_length=20, blank=True)
    hukou_type = models.CharField(_("户口类型"), max_length=8, choices=Hukou.choices, blank=True)
    address = EncryptedTextField(_("家庭住址"), mask="text", blank=True)
    employer = models.CharField(_("工作单位"), max_length=100, blank=True)
    unit_nature = models.CharField(_("单位性质"), max_length=30, blank=True)
    enterprise_status = models.CharField(_("企业状况"), max_length=30, blank=True)
    single_parent = models.BooleanField(_("单亲家庭"), default=False)
    # income (every figure encrypted: text holding a Decimal)
    own_monthly_income = EncryptedTextField(_("本人月收入"), blank=True)
    household_income = EncryptedTextField(_("家庭年可支配收入"), blank=True)
    rigid_expenses = EncryptedTextField(_("家庭年刚性支出"), blank=True)
    hardship_costs = EncryptedTextField(_("本年致困支出或损失"), blank=True)
    household_size = models.PositiveSmallIntegerField(_("家庭人口"), default=1)
    per_capita = EncryptedTextField(_("家庭人均月收入"), blank=True)
    hukou_region = models.CharField(_("户籍地"), max_length=50, blank=True)
    medical_insurance = models.CharField(_("医疗保险"), max_length=30, blank=True)
    zero_employment = models.BooleanField(_("零就业家庭"), default=False)
    major_event = models.BooleanField(_("重大事件伤亡且赔付后仍困难"), default=False)
    main_cause = models.CharField(_("主要致困原因"), max_length=16, choices=Cause.choices)
    secondary_cause = models.CharField(
        _("次要致困原因"), max_length=16, choices=Cause.choices, blank=True
    )
    bank_name = models.CharField(_("开户行"), max_length=100, blank=True)
    bank_account = EncryptedTextField(_("银行账号"), mask="generic", blank=True)
    # the classification and its arithmetic
    year = models.PositiveSmallIntegerField(_("认定年度"), null=True, blank=True)
    dibao = models.DecimalField(
        _("当年低保标准"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    threshold = models.DecimalField(
        _("判定线"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    rule = models.CharField(_("判定规则"), max_length=20, blank=True)
    explanation = EncryptedTextField(_("认定说明"), mask="text", blank=True)
    # the procedure
    applied_on = models.DateField(_("申请日期"))
    investigate_due = models.DateField(_("调查期限"), null=True, blank=True)
    investigated_on = models.DateField(_("入户调查日期"), null=True, blank=True)
    investigation = models.TextField(_("调查情况"), blank=True)
    deliberated_on = models.DateField(_("评议日期"), null=True, blank=True)
    deliberation = models.TextField(_("评议意见"), blank=True)
    reviewed_on = models.DateField(_("审核日期"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    archived_on = models.DateField(_("建档日期"), null=True, blank=True)
    last_survey_on = models.DateField(_("最近走访日期"), null=True, blank=True)
    last_verified_on = models.DateField(_("最近复核日期"), null=True, blank=True)
    exit_kind = models.CharField(_("退出方式"), max_length=12, choices=ExitKind.choices, blank=True)
    exit_reason = models.TextField(_("退出原因"), blank=True)
    exited_on = models.DateField(_("退出日期"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("重复于（原档）"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人账号"),
    )
    investigated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("调查人"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )

    objects = FamilyQuerySet.as_manager()

    audit_masked = {"name": "name"}

    class Meta:
        ordering = ["-applied_on", "-id"]
        verbose_name = _("困难职工档案")
        indexes = [
            # the archive's list and the report's figures: the subtree's files by state
            models.Index(fields=["org", "status"], name="family_org_status"),
            # the figures: archived / exited in a period
            models.Index(fields=["archived_on"], name="family_archived_on"),
            models.Index(fields=["exited_on"], name="family_exited_on"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("assistance:detail", args=[self.pk])

    @classmethod
    def scope_member(cls, user: Any) -> models.Q:
        return models.Q(filed_by=user) | models.Q(member__user=user)

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Relative(models.Model):
    """A member of the household other than the worker."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="relatives")
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("与本人关系"), max_length=10, choices=Relation.choices)
    id_number = EncryptedTextField(_("身份证号"), mask="id_number", blank=True)
    monthly_income = EncryptedTextField(_("月收入"), blank=True)
    health = EncryptedTextField(_("健康状况"), mask="text", blank=True)
    employer_or_school = models.CharField(_("工作单位或学校"), max_length=100, blank=True)

    audit_masked = {"name": "name"}

    class Meta:
        ordering = ["id"]
        verbose_name = _("家庭成员")

    def __str__(self) -> str:
        return f"{self.family_id}:{self.get_relation_display()}"


class ExpenseKind(models.TextChoices):
    ILLNESS = "illness", _("医疗支出")
    DISABILITY = "disability", _("残疾康复支出")
    SCHOOLING = "schooling", _("教育支出")
    JOB = "job", _("必要就业成本")


class Expense(models.Model):
    """One rigid expense of the year (deducted from the household's income)."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="expenses")
    kind = models.CharField(_("支出类别"), max_length=12, choices=ExpenseKind.choices)
    amount = EncryptedTextField(_("金额（元/年）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("刚性支出")

    def __str__(self) -> str:
        return f"{self.family_id}:{self.get_kind_display()}"


class AttachmentKind(models.TextChoices):
    APPLICATION = "application", _("书面申请")
    PLEDGE = "pledge", _("收入承诺书")
    AUTHORISATION = "authorisation", _("授权书")
    EVIDENCE = "evidence", _("证明材料")


class Attachment(models.Model):
    """Evidence kept through ``core.uploads.store`` (hash, owner org, 0600 file)."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("材料类别"), max_length=16, choices=AttachmentKind.choices)
    stored = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("附件")

    def __str__(self) -> str:
        return self.name


class FamilyEvent(models.Model):
    """One step on a file's timeline (the archive's history)."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    on = models.DateField()
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.family_id}:{self.action}"


class GrantKind(models.TextChoices):
    LIVING = "living", _("生活救助")
    SCHOOLING = "schooling", _("子女助学")
    MEDICAL = "medical", _("医疗救助")
    TRAINING = "training", _("职业培训和介绍")
    WARMTH = "warmth", _("送温暖")


class GrantStatus(models.TextChoices):
    DRAFT = "draft", _("待审批")
    APPROVED = "approved", _("已审批")
    PAID = "paid", _("已发放")
    REFUSED = "refused", _("不予批准")


class ApprovalLimit(BaseModel):
    """Who approves up to what: an org of ``level`` (its kind group) approves a grant up to
    ``up_to`` yuan; above it the grant goes higher. A configurable table."""

    level = models.CharField(_("审批层级"), max_length=12, unique=True)
    up_to = models.DecimalField(_("审批上限（元）"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["up_to"]
        verbose_name = _("审批权限")


class GrantQuerySet(ViewScoped):
    pass


class Grant(BaseModel):
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("发放单位")
    )
    family = models.ForeignKey(
        Family,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("困难档案"),
    )
    kind = models.CharField(_("救助类别"), max_length=12, choices=GrantKind.choices)
    period = models.CharField(_("救助期次"), max_length=10)  # "2020" or "2020H1"
    fund_source = models.CharField(_("资金来源"), max_length=50)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    override_reason = models.CharField(_("重复发放理由"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.DRAFT
    )
    granted_on = models.DateField(_("申请日期"))
    approved_on = models.DateField(_("审批日期"), null=True, blank=True)
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    payment_line = models.ForeignKey(
        "payments.Line",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("代发明细"),
    )

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_on", "-id"]
        verbose_name = _("救助金")
        indexes = [models.Index(fields=["paid_on"], name="grant_paid_on")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("assistance:grant", args=[self.pk])


class CampaignKind(models.TextChoices):
    CONDOLENCE = "condolence", _("疫情防控慰问")
    WARMTH = "warmth", _("送温暖")
    OTHER = "other", _("其他慰问")


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("名单征集中")
    CLOSED = "closed", _("已结束")


class CampaignQuerySet(ViewScoped):
    pass


class Campaign(BaseModel):
    """A campaign pays many people at once: its recipients are imported, checked for
    duplicates in it and in conflicting campaigns (the same kind and year), approved in bulk
    and paid."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("发起单位")
    )
    title = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=12, choices=CampaignKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    fund_source = models.CharField(_("资金来源"), max_length=50, blank=True)
    default_amount = models.DecimalField(
        _("标准（元/人）"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )
    started_on = models.DateField(_("开始日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("慰问活动")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assistance:campaign", args=[self.pk])


class RecipientStatus(models.TextChoices):
    LISTED = "listed", _("待审批")
    APPROVED = "approved", _("已审批")
    PAID = "paid", _("已发放")
    FAILED = "failed", _("发放失败")


class RecipientQuerySet(ViewScoped):
    pass


class Recipient(models.Model):
    """One person a campaign pays. ``org`` is the union through which they are paid (the
    county's share of the campaign)."""

    # no index of its own: ``recipient_once_per_campaign`` (campaign, person) leads with it
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="recipients", db_index=False
    )
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在单位")
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedTextField(_("身份证号"), mask="id_number")
    id_number_bidx = BlindIndexField(source="id_number", purpose="citizen_id", db_index=False)
    team = models.CharField(_("所在团队或单位"), max_length=100, blank=True)
    bank_name = models.CharField(_("开户行"), max_length=100, blank=True)
    bank_account = EncryptedTextField(_("银行账号"), mask="generic", blank=True)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    status = models.CharField(
        _("状态"), max_length=10, choices=RecipientStatus.choices, default=RecipientStatus.LISTED
    )
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    fail_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    conflict = models.CharField(_("冲突提示"), max_length=200, blank=True)
    member = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    row_hash = models.CharField(max_length=32, blank=True)
    payment_line = models.ForeignKey(
        "payments.Line",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("代发明细"),
    )

    objects = RecipientQuerySet.as_manager()

    audit_masked = {"name": "name"}

    class Meta:
        ordering = ["id"]
        verbose_name = _("慰问对象")
        constraints = [
            # nobody twice in one campaign: the import names the original row
            models.UniqueConstraint(
                fields=["campaign", "id_number_bidx"], name="recipient_once_per_campaign"
            )
        ]
        indexes = [
            # the figures: paid in a period; the duplicate check across campaigns. No index
            # holds ``status``: approving a campaign's 100,000 recipients then rewrites no
            # index entry (a heap-only update on PostgreSQL, whose table keeps room for it:
            # fillfactor 50, migration 0003)
            models.Index(fields=["paid_on"], name="recipient_paid_on"),
            models.Index(fields=["id_number_bidx"], name="recipient_person_bidx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.pk}"

    @classmethod
    def scope_member(cls, user: Any) -> models.Q:
        return models.Q(member__user=user)


ZERO = Decimal("0")
