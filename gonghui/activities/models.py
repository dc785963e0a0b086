"""Events and campaigns for workers (书香三八 reading, the cyber-security week, the volunteer
team's service), sign-up from the member's phone, attendance by QR code, photos and volunteer
hours.

- ``Activity``: held by ``org``: kind, time, place, a capacity (0: no limit), the volunteer
  hours each attendee is credited, a check-in token (the door's QR code), cancelled or not.
- ``Signup``: one member's place — confirmed, waiting (in ``queued_at`` order) or cancelled;
  ``attended`` once checked in (by the QR code or by the clerk) and the hours credited.
  One row per member and activity (a unique constraint); a cancellation promotes the first
  waiting, under the activity's row lock, so two cancellations and a sign-up in the same
  instant never overfill it.
- ``Team`` and ``TeamMember``: the volunteer team (送温暖志愿服务队) and its roll.
- ``SignupImport``: a spreadsheet of sign-ups, attendance and hours imported into an activity
  (``importing``), its run an ``ImportJob``.
- ``Photo``: a picture of the activity, kept through the upload guard (``core.uploads``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import BaseModel
from gonghui.core.scope import ScopedQuerySet


class Kind(models.TextChoices):
    READING = "reading", _("读书活动")
    CAMPAIGN = "campaign", _("主题宣传")
    VOLUNTEER = "volunteer", _("志愿服务")
    CULTURE = "culture", _("文体活动")


class Team(BaseModel):
    """A volunteer team held by ``org``."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属工会")
    )
    name = models.CharField(_("队伍名称"), max_length=100)
    founded_on = models.DateField(_("成立日期"))
    description = models.TextField(_("简介"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["founded_on", "id"]
        verbose_name = _("志愿服务队")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="team_org_name_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("activities:team", args=[self.pk])


class TeamRole(models.TextChoices):
    LEADER = "leader", _("队长")
    MEMBER = "member", _("队员")


class TeamMember(models.Model):
    """One member on a team's roll, from ``joined_on`` (to ``left_on``)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="roll")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("会员")
    )
    role = models.CharField(_("职务"), max_length=10, choices=TeamRole.choices, default="member")
    joined_on = models.DateField(_("入队日期"))
    left_on = models.DateField(_("离队日期"), null=True, blank=True)

    class Meta:
        ordering = ["role", "joined_on", "id"]
        verbose_name = _("志愿者")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "member"],
                condition=models.Q(left_on__isnull=True),
                name="team_member_active_unique",
            )
        ]

    def __str__(self) -> str:
        return str(self.member)


class Activity(BaseModel):
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("主办单位")
    )
    title = models.CharField(_("活动名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("志愿服务队"),
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200)
    description = models.TextField(_("活动内容"), blank=True)
    capacity = models.PositiveIntegerField(_("名额"), default=0, help_text=_("0 表示不限"))
    hours = models.DecimalField(
        _("志愿服务时长（小时）"), max_digits=5, decimal_places=1, default=0
    )
    cancelled = models.BooleanField(_("已取消"), default=False)
    checkin_token = models.CharField(max_length=40, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("职工活动")
        indexes = [
            # activities.events and the lists: a subtree's activities by time
            models.Index(fields=["org", "starts_at"], name="activity_org_starts"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:activity", args=[self.pk])


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITING = "waiting", _("候补")
    CANCELLED = "cancelled", _("已取消")


class SignupRole(models.TextChoices):
    PARTICIPANT = "participant", _("参加者")
    VOLUNTEER = "volunteer", _("志愿者")
    ORGANISER = "organiser", _("工作人员")


class Signup(models.Model):
    scope_field = "activity__org"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("会员")
    )
    status = models.CharField(_("报名状态"), max_length=10, choices=SignupStatus.choices)
    role = models.CharField(
        _("角色"), max_length=12, choices=SignupRole.choices, default=SignupRole.PARTICIPANT
    )
    queued_at = models.DateTimeField(_("报名时间"))
    attended = models.BooleanField(_("已签到"), default=False)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_in_by = models.CharField(
        _("签到方式"),
        max_length=6,
        blank=True,
        choices=[("qr", _("扫码签到")), ("clerk", _("工作人员登记"))],
    )
    hours = models.DecimalField(
        _("志愿服务时长（小时）"), max_digits=5, decimal_places=1, default=0
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["queued_at", "id"]
        verbose_name = _("活动报名")
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="signup_once_per_member")
        ]
        indexes = [
            # the waiting list in order, and the count of places taken
            models.Index(fields=["activity", "status", "queued_at"], name="signup_queue"),
            # a member's own sign-ups and hours
            models.Index(fields=["member", "attended"], name="signup_member"),
        ]

    def __str__(self) -> str:
        return f"{self.activity}：{self.member}"

    @classmethod
    def scope_member(cls, user: Any) -> models.Q:
        return models.Q(member__user=user)


class SignupImport(models.Model):
    """One spreadsheet of an activity's sign-ups, attendance and hours: the run
    (``core.ImportJob``: counts, the rejected rows' workbook under the data dir) tied to the
    activity it was imported into."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="imports")
    job = models.OneToOneField("core.ImportJob", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("报名导入")

    def __str__(self) -> str:
        return f"{self.activity}：{self.job_id}"


class Photo(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("活动照片")

    def __str__(self) -> str:
        return self.caption or self.file.name
