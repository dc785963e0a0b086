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
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("the audit log is append-only")


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
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

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
