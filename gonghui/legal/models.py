"""Legal aid (工会法律援助办法, 总工发〔2008〕52号): rights-protection stations and their staff,
legal-aid cases with the labour law's statutory clock, and online legal and psychological
consultations.

- ``Station`` (职工法律维权服务站, 劳动争议仲裁站, 劳动争议诉调中心, 法律援助中心) sits on the org
  tree (``org`` is the host union); ``Staff`` are its people, linked to the accounts they log in
  with (a lawyer, a counsellor).
- ``Case`` belongs to the legal-aid centre that handles it (``org``: a county federation or the
  city); its lawyer sees it through ``scope_assigned``, its applicants (a member who applied,
  or whose record is linked) through ``scope_member``. ``Applicant`` rows make a group case
  (many workers, one employer); ``Claim`` rows are what is claimed, in Decimal yuan.
- ``Consultation`` is a member's question; psychological ones are readable by the member and
  the assigned counsellor only — every other reader sees that one exists, its date and status.
- ``Service`` is the ledger of legal-aid services delivered (a case approved, a consultation
  answered): the seed's "161 legal-aid services" is its count.

Names, ID numbers, phones, facts and consultation content are sensitive (PIPL art. 28):
encrypted at rest and masked in the audit log.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField
from gonghui.core.models import BaseModel
from gonghui.core.roles import ASSIGNEE_ROLES, Role, grant
from gonghui.core.scope import ScopedQuerySet, spans_whole_tree, subtree_org_id_list

# Declared here because models are imported at start-up, before any view asks.
grant("legal.view", "admin", "cadre", "leader")  # cases, stations and counts of the subtree
grant("legal.apply", "admin", "cadre", "operator", "clerk")  # apply on a worker's behalf
grant("legal.manage", "admin", "cadre")  # check, approve, assign, transfer, close
grant("legal.convert", "admin", "cadre", "operator")  # a 12351 order into a case
grant("legal.handle", "lawyer")  # record the stages of one's own cases
grant("legal.answer", "lawyer", "counsellor")  # answer one's own consultations
grant("legal.stations", "admin", "cadre")  # keep the station registry
grant("legal.portal", "member")


class StationKind(models.TextChoices):
    STATION = "station", _("职工法律维权服务站")
    ARBITRATION = "arbitration", _("劳动争议仲裁站")
    MEDIATION = "mediation", _("劳动争议诉调中心")
    CENTRE = "centre", _("法律援助中心")


class StaffKind(models.TextChoices):
    UNION_LAWYER = "union_lawyer", _("工会律师")
    MEDIATOR = "mediator", _("劳动争议调解员")
    SUPERVISOR = "supervisor", _("劳动法律监督员")
    PARTNER = "partner", _("合作律所律师")
    COUNSELLOR = "counsellor", _("心理咨询师")


class Station(BaseModel):
    code = models.CharField(_("站点编号"), max_length=20, unique=True)
    name = models.CharField(_("站点名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=StationKind.choices)
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属工会")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    hours = models.CharField(_("服务时间"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    founded_on = models.DateField(_("设立日期"))
    active = models.BooleanField(_("在用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("维权服务站点")
        indexes = [
            # the registry and the figure: a subtree's stations set up by a date
            models.Index(fields=["org", "founded_on"], name="legal_station_scope"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("legal:station", args=[self.pk])


class Staff(BaseModel):
    audit_masked = {"phone": "phone"}

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="staff", verbose_name=_("所在站点")
    )
    # the station's org, kept here so that scope and the figure need no join
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属工会")
    )
    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(_("类别"), max_length=14, choices=StaffKind.choices)
    firm = models.CharField(_("执业机构"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="legal_staff",
        verbose_name=_("登录账号"),
    )
    since = models.DateField(_("聘任日期"))
    active = models.BooleanField(_("在岗"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["station", "name"]
        verbose_name = _("法律服务人员")
        indexes = [models.Index(fields=["org", "since"], name="legal_staff_scope")]

    def __str__(self) -> str:
        return self.name


class Service(models.TextChoices):
    """The five services of the 2008 measures."""

    CONSULT = "consult", _("法律咨询")
    DRAFTING = "drafting", _("代写法律文书")
    MEDIATION = "mediation", _("参与协商调解")
    ARBITRATION = "arbitration", _("仲裁代理")
    LITIGATION = "litigation", _("诉讼代理")


class Status(models.TextChoices):
    APPLIED = "applied", _("已申请")
    RETURNED = "returned", _("待补充材料")
    COMPLETE = "complete", _("材料齐全")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予援助")
    REFERRED = "referred", _("已转介")
    ASSIGNED = "assigned", _("已指派")
    IN_PROGRESS = "in_progress", _("办理中")
    CONCLUDED = "concluded", _("已有结果")
    CLOSED = "closed", _("已结案")


OPEN_STATUSES = tuple(
    s.value for s in Status if s not in (Status.REFUSED, Status.REFERRED, Status.CLOSED)
)
# the centre's to-do: steps its cadres take
CENTRE_TODO = (Status.APPLIED, Status.COMPLETE, Status.APPROVED, Status.CONCLUDED)


class Channel(models.TextChoices):
    PORTAL = "portal", _("职工网上申请")
    STAFF = "staff", _("工会代为申请")
    HOTLINE = "hotline", _("12351热线转入")


class Outcome(models.TextChoices):
    WON = "won", _("胜诉/支持")
    SETTLED = "settled", _("调解/和解")
    PARTLY = "partly", _("部分支持")
    LOST = "lost", _("败诉/驳回")
    WITHDRAWN = "withdrawn", _("撤回")


class _SubtreeScoped(ScopedQuerySet[Any]):
    """``visible_to`` as everywhere, with the staff's subtree said cheaply: no condition at all
    when the subtree is the whole tree (the city: a list then walks its ordering index, a count
    reads an index alone), the subtree's org ids themselves on PostgreSQL (its statistics per
    org), else the subquery. The same rows as ``ScopedQuerySet.visible_to``."""

    def visible_to(self, user: Any) -> Any:
        staff = (
            getattr(user, "is_authenticated", False)
            and user.is_active
            and user.role != Role.MEMBER
            and user.role not in ASSIGNEE_ROLES
            and user.org_id is not None
        )
        if not staff:
            return super().visible_to(user)
        if spans_whole_tree(user.org):
            return self.all()
        return self.filter(org__in=subtree_org_id_list(user.org))


class CaseQuerySet(_SubtreeScoped):
    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Case(BaseModel):
    audit_masked = {"facts": "text", "refusal_reason": "text"}

    number = models.CharField(_("案件编号"), max_length=20, unique=True)
    # a paper file's own number (纸质档案号) when a case is registered from paper; the demo keys
    # its cases by it
    ref = models.CharField(_("档案号"), max_length=40, blank=True, db_index=True)
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("承办中心")
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.APPLIED
    )
    service = models.CharField(_("援助事项"), max_length=12, choices=Service.choices)
    channel = models.CharField(_("申请渠道"), max_length=8, choices=Channel.choices)
    facts = EncryptedTextField(_("案情"), mask="text")
    employer = models.ForeignKey(
        "orgs.Enterprise",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("用人单位"),
    )
    employer_name = models.CharField(_("用人单位名称"), max_length=150, blank=True)
    employer_uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    dispute_on = models.DateField(_("争议发生日"))
    applied_on = models.DateField(_("申请日"))
    completed_on = models.DateField(_("材料齐全日"), null=True, blank=True)
    decided_on = models.DateField(_("审批日"), null=True, blank=True)
    refusal_reason = models.TextField(_("不予援助理由"), blank=True)
    referred_to = models.CharField(_("转介机构"), max_length=100, blank=True)
    lawyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="legal_cases",
        verbose_name=_("承办律师"),
    )
    station = models.ForeignKey(
        Station,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("承办站点"),
    )
    assigned_on = models.DateField(_("指派日"), null=True, blank=True)
    # the labour law's clock: dates the lawyer records with the stages
    mediation_on = models.DateField(_("申请调解日"), null=True, blank=True)
    arbitration_on = models.DateField(_("申请仲裁日"), null=True, blank=True)
    accepted_on = models.DateField(_("仲裁受理日"), null=True, blank=True)
    award_extended = models.BooleanField(_("仲裁延期"), default=False)
    award_on = models.DateField(_("裁决日"), null=True, blank=True)
    lawsuit_on = models.DateField(_("起诉日"), null=True, blank=True)
    consent = models.BooleanField(_("同意共享信息"), default=False)
    ticket = models.OneToOneField(
        "hotline.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="legal_case",
        verbose_name=_("来源热线工单"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请登记人"),
    )
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, blank=True)
    amount_recovered = models.DecimalField(
        _("挽回金额（元）"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    workers_helped = models.PositiveIntegerField(_("受助职工人数"), default=0)
    closed_on = models.DateField(_("结案日"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("按期办结"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评价"), null=True, blank=True)
    rating_note = models.CharField(_("评价意见"), max_length=200, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-applied_on", "-id"]
        verbose_name = _("法律援助案件")
        indexes = [
            # the centre's list: its subtree's cases, newest first
            models.Index(fields=["org", "-applied_on"], name="legal_case_scope"),
            # the lawyer's list: their own cases, newest first
            models.Index(fields=["lawyer", "-applied_on"], name="legal_case_lawyer"),
            # the centre's to-do counts and tabs: an index range per waiting status
            models.Index(fields=["status", "org"], name="legal_case_status"),
            # the city's list (its subtree is every case: no org condition), newest first: read
            # backwards, the list's order ``-applied_on, -id`` exactly; a county's list walks it
            # too when its subtree holds a good share of the cases
            models.Index(fields=["applied_on", "id"], name="legal_case_newest"),
            # the figures: cases approved / closed in a period
            models.Index(fields=["decided_on"], name="legal_case_decided"),
            models.Index(fields=["closed_on"], name="legal_case_closed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_recovered__gte=0), name="legal_case_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("legal:case", args=[self.pk])

    @classmethod
    def scope_assigned(cls, user: Any) -> Q:
        return Q(lawyer=user)

    @classmethod
    def scope_member(cls, user: Any) -> Q:
        return Q(filed_by=user) | Q(
            id__in=Applicant.objects.filter(member__user=user).values("case_id")
        )

    @property
    def is_group(self) -> bool:
        return self.workers_count > 1

    @property
    def workers_count(self) -> int:
        cached = getattr(self, "_applicant_count", None)
        return cached if cached is not None else self.applicants.count()


class Applicant(models.Model):
    audit_masked = {"name": "name"}

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="applicants")
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="legal_applications",
        verbose_name=_("会员"),
    )
    name = EncryptedTextField(_("姓名"), mask="name")
    id_number = EncryptedTextField(_("身份证号"), mask="id_number", blank=True)
    phone = EncryptedTextField(_("联系电话"), mask="phone", blank=True)
    # a worker who is not (yet) a member may apply; the case shows the flag
    is_member = models.BooleanField(_("是会员"), default=False)
    share = models.DecimalField(
        _("分得金额（元）"), max_digits=14, decimal_places=2, default=Decimal("0")
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("申请人")

    def __str__(self) -> str:
        return str(self.name)


class Claim(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="claims")
    item = models.CharField(_("请求事项"), max_length=100)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]
        verbose_name = _("请求事项")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="legal_claim_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.amount}"


class StageKind(models.TextChoices):
    CONSULTATION = "consultation", _("咨询")
    DRAFTING = "drafting", _("代写文书")
    NEGOTIATION = "negotiation", _("协商")
    MEDIATION = "mediation", _("申请调解")
    ARBITRATION = "arbitration", _("申请仲裁")
    ACCEPTED = "accepted", _("仲裁受理")
    EXTENDED = "extended", _("仲裁延期")
    AWARD = "award", _("仲裁裁决")
    LAWSUIT = "lawsuit", _("提起诉讼")
    JUDGMENT = "judgment", _("判决")


# a stage that sets one of the case's clock dates
STAGE_DATE_FIELD = {
    StageKind.MEDIATION: "mediation_on",
    StageKind.ARBITRATION: "arbitration_on",
    StageKind.ACCEPTED: "accepted_on",
    StageKind.AWARD: "award_on",
    StageKind.LAWSUIT: "lawsuit_on",
}


class Stage(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField(_("阶段"), max_length=14, choices=StageKind.choices)
    on = models.DateField(_("日期"))
    note = models.TextField(_("说明"), blank=True)
    file = models.ForeignKey(
        "core.StoredFile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("文书"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("办案阶段")

    def __str__(self) -> str:
        return f"{self.on} {self.get_kind_display()}"


class CaseFile(models.Model):
    """Evidence and documents of a case, each a ``StoredFile`` kept through the upload guard."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="files")
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.file_id}"


class CaseEvent(models.Model):
    """One step on a case's timeline: who (and from which org), when, what, a note."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=24)
    label = models.CharField(_("操作"), max_length=40)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.label}"


class ConsultKind(models.TextChoices):
    LEGAL = "legal", _("法律咨询")
    PSYCH = "psych", _("心理咨询")


class ConsultStatus(models.TextChoices):
    WAITING = "waiting", _("待答复")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已结束")


class ConsultationQuerySet(_SubtreeScoped):
    pass


class Consultation(BaseModel):
    """A member's question. ``org`` is the member's union (cadres above count it); the
    content lives in ``subject`` and the messages, encrypted, and a psychological one is
    read by the asker and the assigned counsellor only (``selectors.can_read``)."""

    audit_masked = {"subject": "text"}

    kind = models.CharField(_("类别"), max_length=6, choices=ConsultKind.choices)
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属工会")
    )
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提问人"),
    )
    anonymous = models.BooleanField(_("匿名"), default=False)
    subject = EncryptedTextField(_("主题"), mask="text")
    status = models.CharField(
        _("状态"), max_length=8, choices=ConsultStatus.choices, default=ConsultStatus.WAITING
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name=_("答复人"),
    )
    asked_at = models.DateTimeField(_("提问时间"), default=timezone.now)
    asked_on = models.DateField(_("提问日期"))
    first_response_at = models.DateTimeField(_("首次答复时间"), null=True, blank=True)
    answered_on = models.DateField(_("首次答复日期"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    crisis = models.BooleanField(_("危机预警"), default=False)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-asked_at", "-id"]
        verbose_name = _("在线咨询")
        indexes = [
            # the queue of one lawyer or counsellor, newest first (read backwards: the list's
            # order, ``-asked_at, -id``, exactly)
            models.Index(fields=["assignee", "asked_at", "id"], name="legal_consult_queue"),
            # the centre's to-do: the open consultations in crisis or waiting for an assignee
            models.Index(
                fields=["org"],
                condition=Q(status__in=("waiting", "answered"))
                & (Q(crisis=True) | Q(assignee__isnull=True)),
                name="legal_consult_todo",
            ),
            # the centre's counts over its subtree
            models.Index(fields=["org", "-asked_at"], name="legal_consult_scope"),
            # the centre's queue, newest first (read backwards: ``-asked_at, -id``): the city's
            # without an org condition, a county's checking each row's union against its subtree
            models.Index(fields=["asked_at", "id"], name="legal_consult_newest"),
            models.Index(fields=["answered_on"], name="legal_consult_answered"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("legal:consultation", args=[self.pk])

    @classmethod
    def scope_assigned(cls, user: Any) -> Q:
        return Q(assignee=user)

    @classmethod
    def scope_member(cls, user: Any) -> Q:
        return Q(asker=user)


class Message(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField(_("内容"), mask="text")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    crisis = models.BooleanField(_("危机词"), default=False)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"#{self.consultation_id} {self.at:%Y-%m-%d %H:%M}"


class ServiceKind(models.TextChoices):
    CASE = "case", _("法律援助案件")
    CONSULTATION = "consultation", _("在线咨询答复")


class Delivered(models.Model):
    """The ledger of legal-aid services delivered (the seed's "161 legal-aid services"): one
    row when a case is approved, one when a consultation is first answered."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属工会")
    )
    kind = models.CharField(_("服务类别"), max_length=12, choices=ServiceKind.choices)
    on = models.DateField(_("日期"))
    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    consultation = models.OneToOneField(
        Consultation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("法律服务")
        indexes = [models.Index(fields=["org", "on"], name="legal_delivered_scope")]

    def __str__(self) -> str:
        if self.case_id:
            return str(self.case)
        return str(_("在线咨询")) + f" #{self.consultation_id}"
