"""The 12351 hotline: work orders (工单), their topics and deadline rules, the timeline.

A ``Ticket`` is received by one org (``receiving_org``: the city's hotline, or the org an
order was pushed to) and passed down the tree: ``handler_org`` is the org holding it now.
Every org the order has passed through gets a ``TicketOrg`` row — the order's *path* — and
a user sees an order when any org on its path lies in their subtree ("nobody outside the
order's path sees it"). A member sees the orders they filed or that are linked to them.

Caller name, phone, ID number and the content are sensitive (PIPL art. 28): encrypted at
rest, looked up only through blind indexes, masked in the audit log.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import BlindIndexField, EncryptedTextField
from gonghui.core.models import BaseModel
from gonghui.core.roles import ASSIGNEE_ROLES, Role, grant
from gonghui.core.scope import ScopedQuerySet, spans_whole_tree, subtree_org_id_list

# Declared here because models are imported at start-up, before any view asks.
grant("hotline.view", "admin", "cadre", "leader", "operator", "clerk")
grant("hotline.intake", "admin", "cadre", "operator")
grant("hotline.handle", "admin", "cadre", "clerk", "operator")
grant("hotline.stats", "admin", "cadre", "leader", "operator")
grant("hotline.configure", "admin", "cadre")
grant("hotline.file", "member")
# the operators call the worker back, so they (and cadres) may see the caller's full number
grant("hotline.reveal", "cadre", "operator")  # not the system administrator (三员分立)


class Category(models.TextChoices):
    CONSULT = "consult", _("咨询类")
    DEMAND = "demand", _("求决类")
    SUGGESTION = "suggestion", _("意见建议类")


class Complexity(models.TextChoices):
    NORMAL = "normal", _("一般")
    HARD = "hard", _("难点")
    COMPLEX = "complex", _("特别复杂")


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    PROVINCE = "province", _("省平台转办")
    APP = "app", _("齐鲁工惠App")
    WEB = "web", _("网站")
    WECHAT = "wechat", _("微信")
    VISIT = "visit", _("来访")
    LETTER = "letter", _("来信")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class Status(models.TextChoices):
    RECEIVED = "received", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    ACCEPTED = "accepted", _("办理中")
    EXTENSION_REQUESTED = "extension_requested", _("延期申请中")
    RETURNED = "returned", _("已退单")
    REPLIED = "replied", _("已办结反馈")
    CALLED_BACK = "called_back", _("已回访")
    REOPENED = "reopened", _("重办")
    CHECKED = "checked", _("已质检")
    CLOSED = "closed", _("已结案")


OPEN_STATUSES = tuple(s.value for s in Status if s != Status.CLOSED)
# The steps an order waits for, by who takes them (workflow.WHO): the org holding it (the
# handler after dispatch; after a return, the org it came back to) and the receiving org once
# the handler has replied (approval, callback, check, closure). Read by the queue's "to do".
HOLDER_TODO = (Status.DISPATCHED, Status.ACCEPTED, Status.REOPENED, Status.RETURNED)
RECEIVING_TODO = (
    Status.EXTENSION_REQUESTED,
    Status.REPLIED,
    Status.CALLED_BACK,
    Status.CHECKED,
)


class Card(models.TextChoices):
    NONE = "", _("无")
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class Topic(models.Model):
    """A two-level topic list (问题分类): first-level topics have no parent. Configurable;
    the first list comes from a data migration. The API takes a topic by code or by name."""

    code = models.CharField(_("代码"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级分类"),
    )
    active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("问题分类")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def root(self) -> Topic:
        return self.parent if self.parent_id else self  # type: ignore[return-value]


class DeadlineRule(models.Model):
    """Working days to close an order, by category and complexity; ``extension_days`` is the
    default length of one extension. ``days == 0`` with ``on_the_spot`` means such orders are
    normally answered during the call (a consultation)."""

    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    complexity = models.CharField(_("难易程度"), max_length=8, choices=Complexity.choices)
    days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    extension_days = models.PositiveSmallIntegerField(_("延期天数（工作日）"), default=7)

    class Meta:
        ordering = ["category", "complexity"]
        verbose_name = _("办理时限")
        constraints = [
            models.UniqueConstraint(fields=["category", "complexity"], name="deadline_rule_key")
        ]

    def __str__(self) -> str:
        return f"{self.category}/{self.complexity}: {self.days}"


def _sees_by_path(user: Any) -> bool:
    """An active staff user of an org, who sees the orders by their path (not a member, who
    sees their own, nor a lawyer or counsellor, who see none)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role != Role.MEMBER
        and user.role not in ASSIGNEE_ROLES
        and user.org_id is not None
    )


class TicketQuerySet(ScopedQuerySet["Ticket"]):
    def visible_to(self, user: Any) -> TicketQuerySet:
        """Staff: orders with any org of their path in the user's subtree. Members: their
        own. Lawyers and counsellors: none."""
        if _sees_by_path(user):
            return self.on_path_of(user.org)
        active = getattr(user, "is_authenticated", False) and user.is_active
        if active and user.role == Role.MEMBER:
            return self.filter(Ticket.scope_member(user))
        return self.none()

    def waiting_for(self, user: Any) -> TicketQuerySet:
        """Orders waiting for a step of the staff user's org: held by it (the handler, or
        the receiving org before dispatch or after a return all the way back), or back at
        the receiving org for approval, callback, check and closure. Anyone else: none.

        Each of these orders is on the org's path — the receiving org's path row is written
        with the order, a handler's with the dispatch or reassignment that names it, and
        path rows are never deleted — so they are exactly the visible orders waiting for the
        org, read from the order's own columns and their indexes rather than by
        semi-joining the subtree's path rows."""
        if not _sees_by_path(user):
            return self.none()
        org = user.org_id
        return self.filter(
            Q(handler_org=org, status__in=HOLDER_TODO)
            | Q(
                handler_org__isnull=True,
                receiving_org=org,
                status__in=(Status.RECEIVED, Status.RETURNED),
            )
            | Q(receiving_org=org, status__in=RECEIVING_TODO)
        )

    def on_path_of(self, org: Any) -> TicketQuerySet:
        """Orders received or handled anywhere in ``org``'s subtree.

        When that subtree is the whole org tree (``org`` is the only root: the city), every
        order qualifies — each has a path row for its receiving org, written with the order
        (``services.ticket_create``) and never deleted — so no filter is added and a list
        can walk the ``received_at`` index instead of semi-joining every path row."""
        if spans_whole_tree(org):
            return self.all()
        return self.filter(
            id__in=TicketOrg.objects.filter(org__in=subtree_org_id_list(org)).values("ticket_id")
        )

    def pushed_as(self, external_no: str) -> TicketQuerySet:
        """The order of a provincial number (none for an empty one). The number being
        non-empty is the unique index's own condition: said here, SQLite uses that partial
        index (PostgreSQL infers it) instead of reading every order."""
        return self.filter(external_no=external_no).exclude(external_no="")

    def open(self) -> TicketQuerySet:
        # the same rows as "not closed" (a constraint keeps every status a known one), but
        # an index range per status rather than a scan of every order
        return self.filter(status__in=OPEN_STATUSES)


class Ticket(BaseModel):
    audit_masked = {"caller_name": "name", "answer": "text", "result": "text"}

    number = models.CharField(_("工单编号"), max_length=20, unique=True, null=True, blank=True)
    external_no = models.CharField(_("省平台工单号"), max_length=40, blank=True)
    channel = models.CharField(_("来源渠道"), max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField(_("受理时间"))
    # the local date of received_at: the period filters of the statistics and the deadline
    received_on = models.DateField(_("受理日期"))
    caller_name = EncryptedTextField(_("来电人"), mask="name")
    caller_phone = EncryptedTextField(_("联系电话"), mask="phone", blank=True)
    caller_phone_bidx = BlindIndexField(source="caller_phone", purpose="mobile")
    caller_id_number = EncryptedTextField(_("身份证号"), mask="id_number", blank=True)
    caller_id_bidx = BlindIndexField(source="caller_id_number", purpose="citizen_id")
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("关联会员"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    employer = models.CharField(_("工作单位"), max_length=150, blank=True)
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    complexity = models.CharField(
        _("难易程度"), max_length=8, choices=Complexity.choices, default=Complexity.NORMAL
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("问题分类")
    )
    content = EncryptedTextField(_("诉求内容"), mask="text")
    urgency = models.CharField(
        _("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    answered_on_spot = models.BooleanField(_("当场答复"), default=False)
    answer = EncryptedTextField(_("答复内容"), mask="text", blank=True)

    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    receiving_org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("受理单位")
    )
    handler_org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("承办单位"),
    )
    # the org that sent the order to handler_org: where a return (退单) goes
    dispatcher_org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("派单单位"),
    )
    # the county-level federation on the order's path (statistics by county)
    county = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所属县区"),
    )
    dispatched_at = models.DateTimeField(_("首次派单时间"), null=True, blank=True)
    dispatched_on = models.DateField(_("首次派单日期"), null=True, blank=True)
    due_on = models.DateField(_("办理期限"), null=True, blank=True)
    extended_days = models.PositiveSmallIntegerField(_("已延期（工作日）"), default=0)
    extension_days_requested = models.PositiveSmallIntegerField(_("申请延期"), default=0)
    card = models.CharField(
        _("督办牌"), max_length=6, choices=Card.choices, blank=True, default=Card.NONE
    )
    supervised_count = models.PositiveSmallIntegerField(_("督办次数"), default=0)

    result = EncryptedTextField(_("办理结果"), mask="text", blank=True)
    replied_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    wages_recovered = models.DecimalField(
        _("追回欠薪（元）"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    workers = models.PositiveIntegerField(_("涉及职工（人）"), default=0)
    satisfaction = models.CharField(
        _("满意度"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    called_back_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("会员评价（1-5）"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("按时办结"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("热线工单")
        constraints = [
            # every status is one of the workflow's: "not closed" is "one of the open ones"
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="ticket_status_known"
            ),
            # pushing the same provincial order twice creates one order
            models.UniqueConstraint(
                fields=["external_no"], condition=~Q(external_no=""), name="ticket_external_no"
            ),
        ]
        indexes = [
            # a handler's queue: the org's orders by status, oldest due first
            models.Index(fields=["handler_org", "status", "due_on"], name="ticket_queue"),
            # the receiving org's queue (received, replied, called back, checked)
            models.Index(fields=["receiving_org", "status", "due_on"], name="ticket_intake"),
            # every list's order (newest first): the first page walks it and stops
            models.Index(fields=["received_at", "id"], name="ticket_received_at"),
            # a poll for changes (the provincial platform taking results back), in its order
            models.Index(fields=["updated_at", "id"], name="ticket_changed"),
            # the same for one status (a status filter, a status tab), and the closed tab's
            # order (last closed first)
            models.Index(fields=["status", "received_at", "id"], name="ticket_status_received"),
            models.Index(fields=["status", "closed_at", "id"], name="ticket_status_closed"),
            # statistics: received / closed in a period; the closed ones' outcome in the
            # index, so the report's on-time / called-back / satisfied counts read no row
            models.Index(fields=["received_on"], name="ticket_received_on"),
            models.Index(
                fields=["closed_on", "closed_on_time", "satisfaction"], name="ticket_closed_outcome"
            ),
            # the overdue filter's closed-late half (status closed, not on time), in list order
            models.Index(
                fields=["status", "closed_on_time", "received_at", "id"], name="ticket_status_late"
            ),
            # the tick: open orders by due date; the queue's open tabs sort on it (covering:
            # the sort of every open order reads no row)
            models.Index(fields=["status", "due_on", "received_at", "id"], name="ticket_due"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("hotline:detail", args=[self.pk])

    @classmethod
    def scope_member(cls, user: Any) -> Q:
        return Q(filed_by=user) | Q(member__user=user)

    @property
    def holder_id(self) -> int:
        """The org holding the order now: the handler, or the receiving org before dispatch."""
        return self.handler_org_id or self.receiving_org_id

    @property
    def overdue(self) -> bool:
        return is_overdue(self.status, self.due_on, self.closed_on_time, timezone.localdate())


def is_overdue(status: str, due_on: date | None, closed_on_time: bool | None, today: date) -> bool:
    """Past its due date: an open order after the due date, a closed one closed late."""
    if due_on is None:
        return False
    if status == Status.CLOSED:
        return closed_on_time is False
    return today > due_on


class PathRole(models.TextChoices):
    RECEIVING = "receiving", _("受理")
    HANDLER = "handler", _("承办")


class TicketOrg(models.Model):
    """One org on an order's path (the receiving org, and every dispatch/reassign target),
    with the org that sent it there (``via``). Scope reads this table."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="path")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    via = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(max_length=10, choices=PathRole.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "org"], name="ticket_org_once"),
        ]
        indexes = [
            # scope: the orders whose path enters a subtree (org first)
            models.Index(fields=["org", "ticket"], name="ticket_org_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}@{self.org_id}"


class TicketEvent(models.Model):
    """One step on an order's timeline: who (and from which org), when, what, a note.
    ``internal`` notes are hidden from the member's view."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=24)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作单位"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    internal = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"], name="ticket_event_timeline")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action}"


def attachment_path(instance: TicketAttachment, filename: str) -> str:
    now = timezone.now()
    return f"hotline/{now:%Y/%m}/{instance.ticket_id}/{filename}"


class TicketAttachment(models.Model):
    """A file on an order. Kept by the upload guard (``stored``, a ``core.StoredFile``: 0600
    under the data dir, with its hash and retention); ``file`` holds only the attachments of
    before the guard, under the media folder."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    stored = models.ForeignKey(
        "core.StoredFile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("文件"),
    )
    file = models.FileField(_("旧文件"), upload_to=attachment_path, max_length=300, blank=True)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    content_type = models.CharField(_("类型"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.name

    def open(self) -> Any:
        """The file for reading (``FileNotFoundError`` once its retention has passed)."""
        if self.stored is not None:
            return self.stored.open()
        if not self.file:
            raise FileNotFoundError(self.name)
        return self.file.open("rb")


class NotificationKind(models.TextChoices):
    YELLOW = "yellow", _("黄牌预警")
    RED = "red", _("红牌超期")
    SUPERVISE = "supervise", _("督办")


class Notification(models.Model):
    """A notice to the org holding an order (yellow/red card, supervision). One per order,
    kind and due date, so the tick can run twice."""

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=10, choices=NotificationKind.choices)
    due_on = models.DateField(null=True, blank=True)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind", "org", "due_on"],
                condition=~Q(kind="supervise"),
                name="notification_once",
            ),
        ]
        indexes = [models.Index(fields=["org", "read_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.message
