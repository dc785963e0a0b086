"""The kernel's tables: the audit log, local working-day overrides, periodic-task runs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import EncryptedTextField
from .scope import ScopedQuerySet


class BaseModel(models.Model):
    """Every domain table: creation and update times. Scoped tables add an ``org`` FK."""

    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    pass


class AuditQuerySet(ScopedQuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("the audit log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("the audit log is append-only")


class AuditEntry(models.Model):
    """One write, reveal or login event. Never updated, never deleted.

    Scoped by ``object_org`` (the org the changed record belongs to), so a county cadre
    reads the history of the county's records. ``org`` is the actor's org at the time.
    ``changes`` is ``{field: {"before": ..., "after": ...}}`` with sensitive values masked.
    """

    scope_field = "object_org"

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
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
        verbose_name=_("操作人所在组织"),
    )
    object_org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("对象所属组织"),
    )
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    # sha256 of the row's content, written with it (``core.auditchain``); the sealed blocks
    # chain these rows, so an edited row or a removed one breaks the chain
    digest = models.CharField(max_length=64, blank=True, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("审计日志")
        indexes = [
            # "history of one record": the audit page filtered by object
            models.Index(fields=["object_type", "object_id", "-at"], name="audit_object"),
            # "what happened in my subtree lately": the audit page default
            models.Index(fields=["object_org", "-at"], name="audit_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("the audit log is append-only")
        from .auditchain import row_digest

        self.digest = row_digest(self)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("the audit log is append-only")


class AuditSeal(models.Model):
    """One sealed block of the audit log: every row with ``starts_at <= at < ends_at``, in
    ``(at, id)`` order, hashed after the previous block's hash. Blocks are sealed by the worker
    every few minutes once no transaction that could still add a row to them is open, so
    writers never wait for each other (``core.auditchain``). Append-only like the log."""

    number = models.PositiveIntegerField(_("区块号"), unique=True)
    starts_at = models.DateTimeField(_("起"))
    ends_at = models.DateTimeField(_("止"))
    rows = models.PositiveIntegerField(_("行数"))
    first_id = models.BigIntegerField(null=True)
    last_id = models.BigIntegerField(null=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(_("封存时间"), default=timezone.now)

    class Meta:
        ordering = ["number"]
        verbose_name = _("审计区块")

    def __str__(self) -> str:
        return f"#{self.number} {self.hash[:12]}"


class AuditArchive(models.Model):
    """Audit rows moved out to a file: the blocks up to ``upto_number`` (their seals stay, so
    the chain still verifies, and the file verifies against them)."""

    upto_number = models.PositiveIntegerField(_("至区块号"), unique=True)
    ends_at = models.DateTimeField(_("止"))
    rows = models.PositiveIntegerField(_("行数"))
    file_name = models.CharField(_("文件"), max_length=500)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("归档时间"), default=timezone.now)

    class Meta:
        ordering = ["upto_number"]
        verbose_name = _("审计归档")

    def __str__(self) -> str:
        return f"≤#{self.upto_number} {self.file_name}"


class WorkdayOverride(models.Model):
    """A local exception to the statutory calendar: a day off, or a makeup working day."""

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("工作日调整")

    def __str__(self) -> str:
        return f"{self.day} {'班' if self.is_workday else '休'}"


class PeriodicRun(models.Model):
    """When a periodic task was last enqueued; the row lock keeps two workers from doubling."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("校验中")
    WRITING = "writing", _("写入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


class ImportJob(models.Model):
    """One spreadsheet import, run in the background: its file, progress and outcome.

    ``processed`` counts rows checked so far (the page's progress bar). The counts say what the
    import did (or, for a preview — ``dry_run`` — what it would do); ``warned`` counts the rows
    imported with a warning (a value not recognised). ``errors_file`` is the result XLSX —
    rejected rows with their reasons, and the warnings — under the data dir. Both files are
    deleted after their retention (``core.uploads.purge_expired``)."""

    kind = models.CharField(_("类型"), max_length=32)
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("导入到")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    file_path = models.CharField(max_length=500)
    dry_run = models.BooleanField(_("仅预览"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total = models.PositiveIntegerField(_("总行数"), default=0)
    processed = models.PositiveIntegerField(_("已处理"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    rejected = models.PositiveIntegerField(_("未导入"), default=0)
    warned = models.PositiveIntegerField(_("有提示"), default=0)
    errors_file = models.CharField(_("错误行文件"), max_length=500, blank=True)
    # the page's preview keeps its upload for the confirmed run; every other job's upload is
    # deleted when the job ends, and any upload once its retention has passed
    keep_upload = models.BooleanField(default=False)
    file_removed_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # recovery (core.jobs): the worker's last sign of life, which run holds the job (a retry
    # or a duplicate run takes a new number; an older run's progress is then refused), and a
    # cancel asked of a running job
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    attempt = models.PositiveIntegerField(_("第几次运行"), default=0)
    cancel_requested = models.BooleanField(_("已请求取消"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("导入任务")
        indexes = [
            # a union's recent imports (the import page's list)
            models.Index(fields=["org", "-created_at"], name="importjob_org"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.CANCELLED)

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return min(99, self.processed * 100 // self.total) if self.total else 0


class StoredFile(models.Model):
    """A file kept for a module (evidence, an attachment): received through the upload guard
    (``core.uploads.store``), 0600 under ``<data dir>/files``, deleted after ``retain_until``
    by the hourly purge, which keeps the row (its hash and name) and sets ``purged_at``."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属组织")
    )
    purpose = models.CharField(_("用途"), max_length=32)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(_("类型"), max_length=16)
    path = models.CharField(max_length=300)  # relative to the data dir
    retain_until = models.DateTimeField(_("保留至"))
    purged_at = models.DateTimeField(_("删除时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("文件")
        indexes = [
            # the hourly purge: files past their retention not yet deleted
            models.Index(fields=["retain_until"], name="storedfile_retention"),
        ]

    def __str__(self) -> str:
        return self.name

    def open(self) -> Any:
        """The file for reading (``FileNotFoundError`` once purged)."""
        from pathlib import Path

        return (Path(settings.DATA_DIR) / self.path).open("rb")


class PublicNotice(models.Model):
    """A public notice (公示) of a decision about one record — a hardship family's archive,
    an honour's nominees, an election's candidates, an agreement — posted by ``org`` for
    ``days`` working days from ``starts_on`` (the day of posting never counts). Anyone it
    concerns may object while it runs; the notice passes once it has ended with every
    objection resolved and none upheld (``core.notices``)."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("公示单位")
    )
    subject_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.CharField(max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    title = models.CharField(_("公示标题"), max_length=200)
    body = models.TextField(_("公示内容"), blank=True)
    days = models.PositiveSmallIntegerField(_("公示期（工作日）"), default=5)
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示截止"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    created_at = models.DateTimeField(_("发布时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("公示")
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="notice_subject"),
            models.Index(fields=["org", "ends_on"], name="notice_org_ends"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("notice", args=[self.pk])

    @classmethod
    def scope_member(cls, user: Any) -> models.Q:
        """A member sees the notices of their own union and of every org above it."""
        org = getattr(user, "org", None)
        if org is None:
            return models.Q(pk__in=[])
        return models.Q(org_id__in=[int(p) for p in org.path.strip("/").split("/") if p])

    def is_running(self, today: Any) -> bool:
        return bool(self.starts_on <= today <= self.ends_on)


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


class Objection(models.Model):
    """An objection raised against a public notice: by a member in the portal, or received by
    letter or telephone and recorded by staff; resolved with an answer, upheld or not."""

    scope_field = "notice__org"

    notice = models.ForeignKey(
        PublicNotice, on_delete=models.PROTECT, related_name="objections", verbose_name=_("公示")
    )
    text = models.TextField(_("异议内容"))
    name = models.CharField(_("异议人"), max_length=50, blank=True)
    contact = EncryptedTextField(_("联系方式"), mask="phone", blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提出账号"),
    )
    raised_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    status = models.CharField(
        _("处理结果"), max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    answer = models.TextField(_("处理意见"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at", "id"]
        verbose_name = _("公示异议")

    def __str__(self) -> str:
        return f"{self.notice} #{self.pk}"

    @classmethod
    def scope_member(cls, user: Any) -> models.Q:
        """A member sees the objections they raised themselves, never anyone else's."""
        return models.Q(raised_by=user)

    @property
    def contact_masked(self) -> str:
        from .masking import mask_phone

        return mask_phone(self.contact) if self.contact else ""


class RotationState(models.TextChoices):
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")


class FieldKeyRotation(models.Model):
    """One rotation of the field key (``gonghui rotate-field-key``): which key the values move
    to, from which, and how far each table has come — so a rotation stopped half-way resumes
    where it was. The keys themselves are never here, only their fingerprints' first eight
    characters (``kid``)."""

    new_kid = models.CharField(_("新密钥标识"), max_length=8)
    old_kids = models.CharField(_("旧密钥标识"), max_length=200, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=RotationState.choices, default=RotationState.RUNNING
    )
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # "app_label.Model" → the last primary key done in the current pass
    progress = models.JSONField(_("进度"), default=dict, blank=True)
    passes = models.PositiveIntegerField(_("轮次"), default=0)
    moved = models.BigIntegerField(_("已重新加密的记录"), default=0)
    runs = models.PositiveIntegerField(_("运行次数"), default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("字段密钥轮换")

    def __str__(self) -> str:
        return f"{self.old_kids} → {self.new_kid}"
