"""Payment batches (代发批次) and their lines: the one way money leaves the union's accounts.

Assistance grants and campaigns, union-fee refunds and honours' benefits each make a
``Batch`` (``source`` names the module) of ``Line`` rows, one per payee. A batch goes draft →
submitted → approved (by someone other than its maker) → exported (the bank file) →
confirmed (every line paid) or partly (some failed or still waiting), as the bank's
confirmation sheet says.

Never pay twice: ``reference`` is the source record's natural key ("assistance.grant:123",
"funds.refund:45"), ``payee_key`` a blind index of who is paid; the database refuses a second
*live* line (pending or paid) of one source, reference and payee, unless it carries an
override reason (recorded in the audit). Approved lines are frozen: the service refuses to
touch their amount or payee, and triggers refuse it in the database too — the batch's own
state freezes its lines (migration 0004), so approving writes one row, not one per line.
A correction is a new line linked to the original: a reversal (冲正, negative amount) or a
reissue (重发, to a corrected account) in a follow-up batch that is approved like any other.

The payee's ID number and bank account are encrypted at rest and masked in lists and the
audit log; only the bank file, for a user with ``payments.bank_file``, holds them in full.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField
from gonghui.core.models import BaseModel
from gonghui.core.roles import grant
from gonghui.core.scope import ScopedQuerySet

grant("payments.view", "admin", "cadre", "leader")
grant("payments.make", "admin", "cadre")
grant("payments.approve", "admin", "cadre")
# the bank file holds whole account and ID numbers: finance cadres only, every export audited
grant("payments.bank_file", "admin", "cadre")


class Source(models.TextChoices):
    ASSISTANCE = "assistance", _("困难帮扶")
    FUNDS = "funds", _("工会经费返还")
    HONORS = "honors", _("荣誉待遇")
    OTHER = "other", _("其他")


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已审批")
    EXPORTED = "exported", _("已导出银行文件")
    CONFIRMED = "confirmed", _("已全部到账")
    PARTLY = "partly", _("部分到账")


class LineStatus(models.TextChoices):
    PENDING = "pending", _("待支付")
    PAID = "paid", _("已到账")
    FAILED = "failed", _("支付失败")
    REVERSED = "reversed", _("已冲正")
    REISSUED = "reissued", _("已重发")


class LineKind(models.TextChoices):
    PAYMENT = "payment", _("支付")
    REVERSAL = "reversal", _("冲正")
    REISSUE = "reissue", _("重发")


# A line that is or will be money in someone's account: the one that must not exist twice.
LIVE_STATUSES = (LineStatus.PENDING, LineStatus.PAID)
# Batches whose lines are frozen (approved and after).
FROZEN_STATUSES = (
    BatchStatus.APPROVED,
    BatchStatus.EXPORTED,
    BatchStatus.CONFIRMED,
    BatchStatus.PARTLY,
)


class Batch(BaseModel):
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("付款单位")
    )
    source = models.CharField(_("来源业务"), max_length=16, choices=Source.choices)
    purpose = models.CharField(_("用途"), max_length=60)
    title = models.CharField(_("批次名称"), max_length=150)
    status = models.CharField(
        _("状态"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.DRAFT
    )
    # the batch this one corrects (reversals and reissues of its lines)
    follows = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("所更正的批次"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("制单人"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提交人"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    exported_at = models.DateTimeField(_("导出时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("回单导入时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("代发批次")
        indexes = [
            # the batch list of an org's subtree, newest first
            models.Index(fields=["org", "-created_at"], name="payment_batch_org"),
            # the follow-up draft of a batch (reversals and reissues gather there)
            models.Index(fields=["follows", "status"], name="payment_batch_follows"),
        ]

    def __str__(self) -> str:
        return f"代发批次{self.pk}：{self.title}"

    def get_absolute_url(self) -> str:
        return reverse("payments:detail", args=[self.pk])

    @property
    def frozen(self) -> bool:
        return self.status in FROZEN_STATUSES


class LineQuerySet(ScopedQuerySet["Line"]):
    pass


class Line(BaseModel):
    audit_masked = {"payee_name": "name"}

    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="lines", verbose_name=_("批次")
    )
    # the batch's org and source, copied: the scope, the figures and the never-twice key
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("付款单位")
    )
    source = models.CharField(_("来源业务"), max_length=16, choices=Source.choices)
    seq = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(
        _("类型"), max_length=10, choices=LineKind.choices, default=LineKind.PAYMENT
    )
    reference = models.CharField(_("业务编号"), max_length=100)
    payee_key = models.CharField(max_length=64, editable=False)
    payee_name = models.CharField(_("户名"), max_length=100)
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("会员"),
    )
    id_number = EncryptedTextField(_("身份证号"), blank=True, mask="id_number")
    bank_name = models.CharField(_("开户行"), max_length=100, blank=True)
    bank_account = EncryptedTextField(_("账号"), blank=True, mask="bank_account")
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("状态"), max_length=10, choices=LineStatus.choices, default=LineStatus.PENDING
    )
    fail_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    paid_on = models.DateField(_("到账日期"), null=True, blank=True)
    original = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("原支付行"),
    )
    override_reason = models.CharField(_("重复支付的理由"), max_length=200, blank=True)
    reason = models.CharField(_("冲正原因"), max_length=200, blank=True)
    # a line frozen on its own (before migration 0004 approval set it on every line); the
    # lines of an approved batch are frozen by the batch's state (``Batch.frozen``)
    frozen = models.BooleanField(_("已锁定"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("录入人"),
    )

    objects = LineQuerySet.as_manager()

    class Meta:
        ordering = ["batch", "seq"]
        verbose_name = _("代发明细")
        constraints = [
            # never pay twice: one live line per source record and payee, unless overridden
            models.UniqueConstraint(
                fields=["source", "reference", "payee_key"],
                condition=Q(status__in=["pending", "paid"])
                & ~Q(kind="reversal")
                & Q(override_reason=""),
                name="payment_line_once",
            ),
            models.UniqueConstraint(fields=["batch", "seq"], name="payment_line_seq"),
            models.CheckConstraint(
                condition=Q(kind="reversal", amount__lt=0) | Q(~Q(kind="reversal"), amount__gt=0),
                name="payment_line_amount_sign",
            ),
        ]
        indexes = [
            # lines_for_reference: what a source record has been paid
            models.Index(fields=["reference"], name="payment_line_reference"),
            # the figures: paid lines of an org by date
            models.Index(fields=["org", "status", "paid_on"], name="payment_line_paid"),
        ]

    def __str__(self) -> str:
        return f"代发批次{self.batch_id}第{self.seq}行"

    def get_absolute_url(self) -> str:
        return reverse("payments:detail", args=[self.batch_id])
