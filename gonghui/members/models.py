"""The real-name member registry (会员实名制).

One ``Member`` row per person (the citizen ID's blind index is unique), carrying the current
membership: the union (``org``), ``status`` and the dates. Every change of membership is a
``MembershipEvent`` (join, transfer out/in, withdrawal, suspension, reinstatement) — the
dated history both unions see. ID numbers and phones are encrypted; lookups go through their
blind indexes; search uses the plain name, its pinyin and initials, and the last four digits
of the ID and phone (what the masked display shows anyway).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import BlindIndexField, EncryptedTextField
from gonghui.core.models import BaseModel
from gonghui.core.roles import grant
from gonghui.core.scope import ScopedQuerySet
from gonghui.core.statemachine import Transition, Workflow

# Who may do what with members (held in the user's subtree only; ``pii.reveal`` is the
# kernel's). Declared here because models are imported at start-up, before any view asks.
grant("members.view", "admin", "cadre", "leader", "operator", "clerk")
grant("members.manage", "admin", "cadre", "clerk")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Status(models.TextChoices):
    ACTIVE = "active", _("在会")
    TRANSFERRED = "transferred", _("已转出")
    WITHDRAWN = "withdrawn", _("已退会")
    SUSPENDED = "suspended", _("停会")


class WorkerType(models.TextChoices):
    EMPLOYEE = "employee", _("职工")
    MIGRANT = "migrant", _("农民工")
    DISPATCHED = "dispatched", _("劳务派遣")
    GIG = "gig", _("新就业形态")


class Education(models.TextChoices):
    PRIMARY = "primary", _("小学及以下")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中/中专/技校")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    POSTGRAD = "postgrad", _("研究生")


class Employment(models.TextChoices):
    EMPLOYED = "employed", _("在岗")
    FLEXIBLE = "flexible", _("灵活就业")
    UNEMPLOYED = "unemployed", _("失业")
    RETIRED = "retired", _("退休")


class SkillLevel(models.TextChoices):
    NONE = "none", _("无")
    JUNIOR = "5", _("初级工")
    MIDDLE = "4", _("中级工")
    SENIOR = "3", _("高级工")
    TECHNICIAN = "2", _("技师")
    SENIOR_TECHNICIAN = "1", _("高级技师")


class ModelWorker(models.TextChoices):
    NONE = "", _("否")
    NATIONAL = "national", _("全国劳动模范")
    PROVINCIAL = "provincial", _("省部级劳动模范")
    MUNICIPAL = "municipal", _("市级劳动模范")


class MemberQuerySet(ScopedQuerySet["Member"]):
    def active(self) -> MemberQuerySet:
        return self.filter(status=Status.ACTIVE)


class Member(BaseModel):
    audit_masked = {"name": "name"}

    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(max_length=120, editable=False)
    name_initials = models.CharField(max_length=20, editable=False)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    id_number = EncryptedTextField(_("身份证号"), mask="id_number")
    id_number_bidx = BlindIndexField(
        # unique through Meta.constraints: a plain unique index, without PostgreSQL's extra
        # LIKE-pattern index that unique=True adds to a CharField (one index less to fill
        # on every roster import)
        source="id_number",
        purpose="citizen_id",
        db_index=False,
    )
    id_tail = models.CharField(max_length=4, editable=False)
    id_valid_until = models.CharField(
        _("证件有效期至"), max_length=10, blank=True, help_text=_("YYYY-MM-DD 或 长期")
    )
    birth_date = models.DateField(_("出生日期"))
    education = models.CharField(_("学历"), max_length=10, choices=Education.choices, blank=True)
    employment = models.CharField(
        _("就业状态"), max_length=10, choices=Employment.choices, default=Employment.EMPLOYED
    )
    skill_level = models.CharField(
        _("技能等级"), max_length=4, choices=SkillLevel.choices, blank=True
    )
    phone = EncryptedTextField(_("手机号"), mask="phone", blank=True)
    phone_bidx = BlindIndexField(source="phone", purpose="mobile", db_index=False)
    phone_tail = models.CharField(max_length=4, editable=False, blank=True)
    employer = models.ForeignKey(
        "orgs.Enterprise",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("工作单位"),
    )
    employer_name = models.CharField(_("工作单位名称"), max_length=150, blank=True)
    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="members",
        db_index=False,  # member_org_status and member_org_employer lead with org
        verbose_name=_("所在工会"),
    )
    worker_type = models.CharField(
        _("职工类型"), max_length=12, choices=WorkerType.choices, default=WorkerType.EMPLOYEE
    )
    model_worker = models.CharField(
        _("劳模类型"), max_length=12, choices=ModelWorker.choices, blank=True
    )
    joined_on = models.DateField(_("入会日期"), db_index=True)
    status = models.CharField(
        _("会籍状态"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    status_since = models.DateField(_("状态日期"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("会员账号"),
    )

    # the roster import's keyed hash of the row that last wrote this member, and when: while
    # ``updated_at`` equals ``import_stamp`` nothing else changed the record, and a row with
    # the same hash is unchanged without being checked again (``members.importing``)
    import_hash = models.BigIntegerField(null=True, blank=True, editable=False)
    import_stamp = models.DateTimeField(null=True, blank=True, editable=False)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["org", "name"]
        verbose_name = _("会员")
        indexes = [
            # a union's roster, by status (list pages, members.total)
            models.Index(fields=["org", "status", "name"], name="member_org_status"),
            # search by the last four digits of the ID or phone, within a subtree
            models.Index(fields=["id_tail", "org"], name="member_id_tail"),
            models.Index(fields=["phone_tail", "org"], name="member_phone_tail"),
            # search by name prefix
            models.Index(fields=["name", "org"], name="member_name"),
            # search by pinyin prefix ("wangq") and initials prefix ("wq"); ``org`` second so
            # the scope check is answered from the index
            models.Index(fields=["name_pinyin", "org"], name="member_pinyin"),
            models.Index(fields=["name_initials", "org"], name="member_initials"),
            # the 会员之家 flags: members of a home union grouped by employer
            models.Index(fields=["org", "employer_name"], name="member_org_employer"),
            models.Index(fields=["phone_bidx"], name="member_phone_bidx"),
            # the report's member figures (members.total, members.joined and their breakdown
            # by org): every column they read, so a count never touches the table itself
            models.Index(
                fields=["org", "joined_on", "status", "status_since"], name="member_report"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number_bidx"], name="member_one_row_per_person"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:detail", args=[self.pk])

    @classmethod
    def scope_member(cls, user: Any) -> models.Q:
        return models.Q(user=user)


# Membership status changes other than a transfer (member_set_status). A transfer between
# unions keeps the member active and is ``member_transfer``; "transferred" here is a move out
# of the platform's reach (another province), recorded by the sending union.
STATUS_WORKFLOW = Workflow(
    name="membership",
    states={"active": "在会", "transferred": "已转出", "withdrawn": "已退会", "suspended": "停会"},
    initial=Status.ACTIVE,
    transitions=[
        Transition("withdraw", ("active", "suspended"), "withdrawn", label="退会"),
        Transition("suspend", ("active",), "suspended", label="停会"),
        Transition("transfer_out", ("active",), "transferred", label="转出"),
        Transition("reinstate", ("suspended", "withdrawn", "transferred"), "active", "恢复会籍"),
    ],
)
STATUS_STEP = {"withdrawn": "withdraw", "suspended": "suspend", "transferred": "transfer_out"}


class EventKind(models.TextChoices):
    JOIN = "join", _("入会")
    TRANSFER_OUT = "transfer_out", _("转出")
    TRANSFER_IN = "transfer_in", _("转入")
    WITHDRAW = "withdraw", _("退会")
    SUSPEND = "suspend", _("停会")
    REINSTATE = "reinstate", _("恢复会籍")
    UPDATE = "update", _("信息变更")


class MembershipEvent(models.Model):
    """One dated step of a membership, shown in the history of the union it happened in."""

    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,  # event_member leads with member
    )
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    on = models.DateField(_("日期"))
    other_org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("对方工会"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "-id"]
        indexes = [
            models.Index(fields=["member", "-on"], name="event_member"),
            # members.transferred / members.joined figures: events by kind in a subtree
            models.Index(fields=["kind", "on", "org"], name="event_kind_on"),
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("members:detail", args=[self.member_id])


class JoinStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class JoinApplication(BaseModel):
    """An application to join a union, sent from the union's QR code by the worker (no login).

    The cleaned values of ``clean_member`` are kept: the ID number and phone encrypted, the
    rest (ethnicity, education, employer, worker type …) in ``details``, which holds nothing
    sensitive. Approval creates or takes in the member; the decision is dated and audited.
    """

    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        related_name="join_applications",
        verbose_name=_("申请加入的工会"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    id_number = EncryptedTextField(_("身份证号"), mask="id_number")
    id_number_bidx = BlindIndexField(source="id_number", purpose="citizen_id")
    phone = EncryptedTextField(_("手机号"), mask="phone", blank=True)
    phone_bidx = BlindIndexField(source="phone", purpose="mobile", db_index=False)
    details = models.JSONField(_("其他信息"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=JoinStatus.choices, default=JoinStatus.PENDING
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reason = models.CharField(_("驳回理由"), max_length=200, blank=True)
    member = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("会员"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("入会申请")
        indexes = [
            # the clerk's approval queue: a union's pending applications, oldest first
            models.Index(fields=["org", "status", "created_at"], name="join_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.org_id}"


class MemberHome(BaseModel):
    """Marks a township or street union as running an online 会员之家: it takes in workers
    whose employer has no union, flexible workers and the unemployed. When ``threshold``
    members from one employer accumulate there, the employer is flagged so that a union can
    be founded (``selectors.members_home_flags``)."""

    org = models.OneToOneField(
        "orgs.Org",
        on_delete=models.CASCADE,
        related_name="member_home",
        verbose_name=_("工会"),
    )
    threshold = models.PositiveSmallIntegerField(_("提示建会的人数"), default=10)
    active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("会员之家")

    def __str__(self) -> str:
        return f"会员之家 {self.org_id}"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("待原工会同意")
    DONE = "done", _("已转入")
    REFUSED = "refused", _("原工会不同意")
    CANCELLED = "cancelled", _("已撤回")
    VOID = "void", _("已失效")


class TransferWay(models.TextChoices):
    """How a request came to be completed."""

    RELEASED = "released", _("原工会同意")
    CONFIRMED = "confirmed", _("本人确认")
    LAPSED = "lapsed", _("逾期无异议")


# 会籍接转 across scopes is a request: the receiving union applies; the releasing union
# approves or refuses (with a reason), the member confirms from the portal, or nobody objects
# within the configured working days and it completes by itself. The receiving union may
# withdraw it while it waits; a request whose member left the releasing union meanwhile
# lapses as void.
TRANSFER_WORKFLOW = Workflow(
    name="transfer",
    states={value: str(label) for value, label in TransferStatus.choices},
    initial=TransferStatus.PENDING,
    transitions=[
        Transition("approve", ("pending",), "done", label="同意转出"),
        Transition("confirm", ("pending",), "done", label="本人确认", roles=("member",)),
        Transition("lapse", ("pending",), "done", label="逾期无异议办结"),
        Transition("refuse", ("pending",), "refused", label="不同意转出", needs=("reason",)),
        Transition("cancel", ("pending",), "cancelled", label="撤回申请"),
        Transition("void", ("pending",), "void", label="失效"),
    ],
)


class TransferRequest(BaseModel):
    """A receiving union's application to take in a member of a union outside its scope.

    Both sides see it: the receiving union (``to_org``) in its outgoing requests, the releasing
    union (``from_org``) in its incoming ones, the member in the portal. The receiving side
    sees the member's name masked and never the releasing union.

    An application naming nobody who can be released — no active member with that ID number
    and name, or one another union's request already waits for — is filed all the same,
    without member or releasing union: nobody can approve it and it lapses as void on its
    day. The receiving side's answer, its list and its audit row are those of any request,
    so applying tells it nothing about who is a member elsewhere (issue 10)."""

    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="transfer_requests",
        verbose_name=_("会员"),
    )
    from_org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("原工会"),
    )
    # the person as the receiving union gave them (the member's own name and number when found)
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    id_number = EncryptedTextField(_("身份证号"), mask="id_number", blank=True)
    id_number_bidx = BlindIndexField(source="id_number", purpose="citizen_id")
    to_org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("转入工会")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    on = models.DateField(_("申请日期"))
    due_on = models.DateField(_("无异议办结日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    way = models.CharField(_("办结方式"), max_length=10, choices=TransferWay.choices, blank=True)
    reason = models.CharField(_("不同意理由"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("会籍接转申请")
        indexes = [
            # each side's queue: a union's requests by state
            models.Index(fields=["from_org", "status"], name="transfer_from"),
            models.Index(fields=["to_org", "status"], name="transfer_to"),
            # the daily lapse: pending requests past their date
            models.Index(fields=["status", "due_on"], name="transfer_due"),
        ]
        constraints = [
            # one open request per member at a time
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status="pending"),
                name="transfer_one_pending_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.from_org_id} → {self.to_org_id}"
