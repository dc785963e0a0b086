"""The integrated office system (综合办公): documents down the tree with their receipts,
incoming documents, notices, data calls up the tree, supervised tasks and meetings.

Scope:

- an outgoing document belongs to its sender org (``org``): the sender's subtree sees it; a
  recipient org's staff see it once it is sent (``Receipt`` of their org), and only a role in
  ``SECRET_ROLES`` sees an internal (内部) one;
- a data call belongs to the org that sends it; each target org's ``Submission`` belongs to
  the target (its staff fill it, the caller's subtree reads it);
- a task belongs to its owner org (``owner``) and to the org that assigned it (``org``);
- a meeting belongs to its org, and its invited orgs' staff see it.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import BaseModel
from gonghui.core.scope import ScopedQuerySet

# who may read an internal (内部) document
SECRET_ROLES = ("admin", "cadre", "leader")


class DocType(models.TextChoices):
    NOTICE = "notice", _("通知")
    DECISION = "decision", _("决定")
    OPINION = "opinion", _("意见")
    LETTER = "letter", _("函")
    MINUTES = "minutes", _("纪要")


# the word of the number (菏工发〔2020〕12号): one per type, so each type's sequence is its own
NUMBER_WORD = {
    DocType.NOTICE: "发",
    DocType.DECISION: "决",
    DocType.OPINION: "意",
    DocType.LETTER: "函",
    DocType.MINUTES: "纪",
}


class Urgency(models.TextChoices):
    NORMAL = "normal", _("平件")
    URGENT = "urgent", _("加急")
    EXTRA = "extra", _("特急")


class Security(models.TextChoices):
    PUBLIC = "public", _("公开")
    INTERNAL = "internal", _("内部")


class DocStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    REVIEW = "review", _("审批中")
    ISSUED = "issued", _("已签发")
    SENT = "sent", _("已分发")


class ChainStep(models.Model):
    """One step of a document type's approval chain (核稿、会签、签发 …): the chain is data,
    edited on the chain page without code; ``workflow.for_type`` builds the state machine."""

    doc_type = models.CharField(_("公文种类"), max_length=16, choices=DocType.choices)
    position = models.PositiveSmallIntegerField(_("顺序"))
    label = models.CharField(_("步骤名称"), max_length=30)
    roles = models.CharField(_("可办理角色"), max_length=100, default="admin,cadre")

    class Meta:
        ordering = ["doc_type", "position"]
        verbose_name = _("审批步骤")
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "position"], name="office_chain_step")
        ]

    def __str__(self) -> str:
        return self.label


class DocCounter(models.Model):
    """The last number given per sender org, type and year: locked (``select_for_update``)
    while a number is taken, so two documents signed at once never share one, and never
    lowered, so a number is never reused."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    doc_type = models.CharField(max_length=16, choices=DocType.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("发文编号计数")
        constraints = [
            models.UniqueConstraint(fields=["org", "doc_type", "year"], name="office_counter")
        ]

    def __str__(self) -> str:
        return f"{self.doc_type} {self.year}: {self.last}"


class DocumentQuerySet(ScopedQuerySet["Document"]):
    def visible_to(self, user: Any) -> DocumentQuerySet:
        from gonghui.core.scope import subtree_org_ids

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role not in ("admin", "cadre", "leader", "clerk") or user.org_id is None:
            return self.none()
        received = Receipt.objects.filter(org_id=user.org_id).values("document_id")
        qs = self.filter(
            models.Q(org__in=subtree_org_ids(user.org))
            | models.Q(pk__in=received, status=DocStatus.SENT)
        )
        if user.role not in SECRET_ROLES:
            qs = qs.filter(security=Security.PUBLIC)
        return qs


class Document(BaseModel):
    """An outgoing document (发文) of ``org``."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("发文单位")
    )
    title = models.CharField(_("标题"), max_length=200)
    doc_type = models.CharField(_("公文种类"), max_length=16, choices=DocType.choices)
    urgency = models.CharField(
        _("紧急程度"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    security = models.CharField(
        _("密级"), max_length=10, choices=Security.choices, default=Security.PUBLIC
    )
    body = models.TextField(_("正文"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DocStatus.choices, default=DocStatus.DRAFT
    )
    step = models.PositiveSmallIntegerField(_("当前审批步骤"), default=0)
    number = models.CharField(_("发文字号"), max_length=40, blank=True)
    number_year = models.PositiveSmallIntegerField(null=True, blank=True)
    number_seq = models.PositiveIntegerField(null=True, blank=True)
    issued_on = models.DateField(_("签发日期"), null=True, blank=True)
    sent_on = models.DateField(_("分发日期"), null=True, blank=True)
    sign_by = models.DateField(_("签收期限"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("拟稿人"),
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("公文")
        constraints = [
            # a number is given once: the counter guards it, the database holds it
            models.UniqueConstraint(
                fields=["org", "doc_type", "number_year", "number_seq"],
                condition=models.Q(number_seq__isnull=False),
                name="office_document_number",
            )
        ]
        indexes = [
            # the sent documents of a period (office.documents_sent)
            models.Index(fields=["sent_on", "org"], name="office_doc_sent"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("office:document", args=[self.pk])


class DocumentFile(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("公文附件")

    def __str__(self) -> str:
        return str(self.file_id)


class ReceiptQuerySet(ScopedQuerySet["Receipt"]):
    def unsigned(self) -> ReceiptQuerySet:
        return self.filter(signed_at__isnull=True)


class Receipt(BaseModel):
    """A document distributed to one org, and its signature for receipt (签收)."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("公文")
    )
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("收文单位")
    )
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签收人"),
    )
    reminded_at = models.DateTimeField(_("最近催办"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("催办次数"), default=0)

    objects = ReceiptQuerySet.as_manager()

    class Meta:
        ordering = ["org__path"]
        verbose_name = _("签收")
        constraints = [
            models.UniqueConstraint(fields=["document", "org"], name="office_receipt_once")
        ]
        indexes = [
            # an org's unsigned documents (home page, list)
            models.Index(fields=["org", "signed_at"], name="office_receipt_org"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.org_id}"


class InStatus(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    PROPOSED = "proposed", _("已拟办")
    DECIDED = "decided", _("已批办")
    CIRCULATING = "circulating", _("传阅中")
    FILED = "filed", _("已归档")


class Incoming(BaseModel):
    """An incoming document (收文) registered by ``org``: routed for comments and filed."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("收文单位")
    )
    title = models.CharField(_("标题"), max_length=200)
    source = models.CharField(_("来文单位"), max_length=100)
    their_number = models.CharField(_("来文字号"), max_length=40, blank=True)
    received_on = models.DateField(_("收文日期"))
    body = models.TextField(_("摘要"), blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=InStatus.choices, default=InStatus.REGISTERED
    )
    receipt = models.ForeignKey(
        Receipt, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("收文")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("office:incoming_detail", args=[self.pk])


class Comment(models.Model):
    incoming = models.ForeignKey(Incoming, on_delete=models.CASCADE, related_name="comments")
    step = models.CharField(_("办理环节"), max_length=12)
    text = models.TextField(_("意见"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("收文办理意见")

    def __str__(self) -> str:
        return self.text[:50]


class Audience(models.TextChoices):
    TREE = "tree", _("本级及下级工会")
    MEMBERS = "members", _("会员")


class Notice(BaseModel):
    """A notice (通知公告) to the org's subtree or to its members in the portal."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("发布单位")
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    audience = models.CharField(
        _("发布对象"), max_length=8, choices=Audience.choices, default=Audience.TREE
    )
    published_on = models.DateField(_("发布日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("通知公告")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("office:notice", args=[self.pk])


class NoticeRead(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("阅读记录")
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="office_read_once")]

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.user_id}"


class CallStatus(models.TextChoices):
    OPEN = "open", _("填报中")
    CLOSED = "closed", _("已截止")


class Call(BaseModel):
    """A data call (信息报送) of ``org`` to ``targets``; ``parent`` when a county passed the
    city's call down to its unions (the columns are the parent's)."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("发起单位")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    title = models.CharField(_("报送事项"), max_length=200)
    instructions = models.TextField(_("填报说明"), blank=True)
    columns = models.JSONField(_("表格列"), default=list)
    deadline = models.DateField(_("截止日期"))
    period_start = models.DateField(_("统计期起"), null=True, blank=True)
    period_end = models.DateField(_("统计期止"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=CallStatus.choices, default=CallStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("信息报送")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("office:call", args=[self.pk])


class SubStatus(models.TextChoices):
    PENDING = "pending", _("未报送")
    SUBMITTED = "submitted", _("已报送")


class SubmissionQuerySet(ScopedQuerySet["Submission"]):
    def visible_to(self, user: Any) -> SubmissionQuerySet:
        """The target's staff, and the staff of the calling org's subtree (the caller and
        those above it); never a sibling target."""
        from gonghui.core.scope import subtree_org_ids

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.org_id is None or user.role not in ("admin", "cadre", "leader", "clerk"):
            return self.none()
        ids = subtree_org_ids(user.org)
        return self.filter(models.Q(org__in=ids) | models.Q(call__org__in=ids))


class Submission(BaseModel):
    """One target org's answer to a call: its rows, when sent, whether late."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="submissions")
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("报送单位")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=SubStatus.choices, default=SubStatus.PENDING
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    late = models.BooleanField(_("逾期"), default=False)
    reminded_at = models.DateTimeField(_("最近催报"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("催报次数"), default=0)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["org__path"]
        verbose_name = _("报送情况")
        constraints = [
            models.UniqueConstraint(fields=["call", "org"], name="office_submission_once")
        ]

    def __str__(self) -> str:
        return f"{self.call_id} → {self.org_id}"

    def get_absolute_url(self) -> str:
        return reverse("office:submission", args=[self.pk])


class SubmissionRow(models.Model):
    """A row of a submission; ``source`` is the org whose row it is (the submitting org, or
    one of its unions when a county consolidated their answers)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="rows")
    source = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("行号"))
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["submission", "number"]
        verbose_name = _("报送数据行")

    def __str__(self) -> str:
        return f"{self.submission_id}#{self.number}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    CLOSED = "closed", _("已办结")


class Card(models.TextChoices):
    NONE = "", _("无")
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class TaskQuerySet(ScopedQuerySet["Task"]):
    def visible_to(self, user: Any) -> TaskQuerySet:
        from gonghui.core.scope import subtree_org_ids

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.org_id is None or user.role not in ("admin", "cadre", "leader", "clerk"):
            return self.none()
        ids = subtree_org_ids(user.org)
        return self.filter(models.Q(org__in=ids) | models.Q(owner__in=ids))


class Task(BaseModel):
    """A supervised task (督办) of ``org`` for ``owner``, due ``workdays`` working days after
    it was assigned."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("督办单位")
    )
    owner = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("承办单位")
    )
    title = models.CharField(_("督办事项"), max_length=200)
    detail = models.TextField(_("工作要求"), blank=True)
    assigned_on = models.DateField(_("交办日期"))
    workdays = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    due_on = models.DateField(_("办结期限"))
    status = models.CharField(
        _("状态"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    card = models.CharField(_("督办牌"), max_length=8, choices=Card.choices, default="", blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    outcome = models.TextField(_("办结情况"), blank=True)
    evidence = models.ForeignKey(
        "core.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("督办事项")
        indexes = [models.Index(fields=["status", "due_on"], name="office_task_due")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("office:task", args=[self.pk])


class Progress(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    text = models.TextField(_("进展情况"))
    percent = models.PositiveSmallIntegerField(_("完成比例（%）"), default=0)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("报告时间"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("进展报告")

    def __str__(self) -> str:
        return self.text[:50]


def _token() -> str:
    return secrets.token_urlsafe(24)


class MeetingQuerySet(ScopedQuerySet["Meeting"]):
    def visible_to(self, user: Any) -> MeetingQuerySet:
        from gonghui.core.scope import subtree_org_ids

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.org_id is None or user.role not in ("admin", "cadre", "leader", "clerk"):
            return self.none()
        invited = Attendee.objects.filter(
            models.Q(org_id=user.org_id) | models.Q(user_id=user.pk)
        ).values("meeting_id")
        return self.filter(models.Q(org__in=subtree_org_ids(user.org)) | models.Q(pk__in=invited))


class Meeting(BaseModel):
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("召集单位")
    )
    title = models.CharField(_("会议名称"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"))
    place = models.CharField(_("地点"), max_length=150, blank=True)
    agenda = models.TextField(_("议程"), blank=True)
    checkin_token = models.CharField(max_length=40, unique=True, default=_token, editable=False)
    minutes = models.ForeignKey(
        "core.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("会议通知")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("office:meeting", args=[self.pk])


class Attendee(models.Model):
    """An invited org (its staff sign up under it) or an invited person."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("参会人"),
    )
    signed_up_at = models.DateTimeField(_("报名时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("参会人员")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "org", "user"], name="office_attendee_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.org_id or self.user_id}"
