"""Workers' entrepreneurship parks (工友创业园), the ventures in them and the people they
employ (DOMAIN.md; the seed's "新培育市级工友创业园36个……带动10640人就业、205人创业，
其中困难职工422人").

- ``Park``: registered by a county (or the city): level (市级 / 县区级), host, address, position,
  area, services and the day it was recognised at its level.
- ``Venture``: one business started in a park: industry, start date, the support it received
  (loans, rent relief, training) and its state (``workflow.VENTURE``), changed only by the
  yearly review (``Review``).
- ``Person``: the founder (one per venture) and each person the venture employs, linked to the
  member registry where they are, with the hardship flag taken from the assistance archive
  (``hardship_family`` names the archive that made it true) and the migrant-worker flag from
  the registry. The seed's figures count these rows, never a typed-in number.

Every table names the county that registered the park (``org``), so a county federation sees
its subtree and the city sees all; the same 404 answers a record outside one's scope.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField
from gonghui.core.models import BaseModel
from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import Industry


class Level(models.TextChoices):
    MUNICIPAL = "municipal", _("市级")
    COUNTY = "county", _("县区级")


class Park(BaseModel):
    """An entrepreneurship park registered by ``org`` (a county or the city)."""

    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("登记单位")
    )
    code = models.CharField(_("园区编号"), max_length=32, unique=True)
    name = models.CharField(_("园区名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    host = models.CharField(_("承办单位"), max_length=150)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    area = models.DecimalField(
        _("面积（平方米）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    services = models.TextField(_("服务内容"), blank=True)
    recognized_on = models.DateField(_("认定日期"))
    active = models.BooleanField(_("在运营"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-recognized_on", "code"]
        verbose_name = _("工友创业园")
        indexes = [
            # ventures.parks: a subtree's parks recognised in a period
            models.Index(fields=["org", "recognized_on"], name="park_org_recognized"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ventures:park", args=[self.pk])


class Status(models.TextChoices):
    OPERATING = "operating", _("正常经营")
    SUSPENDED = "suspended", _("暂停经营")
    CLOSED = "closed", _("已注销")


class Venture(BaseModel):
    """One business started in a park by its founder (a ``Person`` of role founder)."""

    park = models.ForeignKey(
        Park, on_delete=models.PROTECT, related_name="ventures", verbose_name=_("所在园区")
    )
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("登记单位")
    )
    name = models.CharField(_("创业项目"), max_length=150)
    industry = models.CharField(_("行业门类"), max_length=1, choices=Industry.choices)
    started_on = models.DateField(_("创业日期"))
    status = models.CharField(
        _("经营状态"), max_length=10, choices=Status.choices, default=Status.OPERATING
    )
    loans = models.DecimalField(_("创业担保贷款（元）"), max_digits=14, decimal_places=2, default=0)
    rent_relief = models.DecimalField(
        _("房租减免（元）"), max_digits=14, decimal_places=2, default=0
    )
    training = models.PositiveSmallIntegerField(_("创业培训（次）"), default=0)
    reviewed_year = models.PositiveSmallIntegerField(_("最近复核年度"), null=True, blank=True)
    nomination = models.ForeignKey(
        "honors.Nomination",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("农民工之星推荐"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "name"]
        verbose_name = _("创业项目")
        constraints = [
            models.UniqueConstraint(fields=["park", "name"], name="venture_park_name_unique")
        ]
        indexes = [models.Index(fields=["org", "status"], name="venture_org_status")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ventures:venture", args=[self.pk])


class Role(models.TextChoices):
    FOUNDER = "founder", _("创业者")
    EMPLOYEE = "employee", _("带动就业人员")


class Person(models.Model):
    """The founder of a venture or one person it employs, from ``started_on`` (to
    ``ended_on``). ``id_number`` is kept only for someone not in the member registry (a
    member's is the registry's); ``id_number_bidx`` is the blind index either way, which is
    how the assistance archive is matched."""

    audit_masked = {"name": "name"}
    scope_field = "org"

    venture = models.ForeignKey(
        Venture, on_delete=models.CASCADE, related_name="people", verbose_name=_("创业项目")
    )
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("登记单位")
    )
    role = models.CharField(_("身份"), max_length=10, choices=Role.choices)
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("会员"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedTextField(_("身份证号"), mask="id_number", blank=True)
    id_number_bidx = models.CharField(max_length=32, blank=True, editable=False)
    started_on = models.DateField(_("就业（创业）日期"))
    ended_on = models.DateField(_("离职日期"), null=True, blank=True)
    hardship = models.BooleanField(_("困难职工"), default=False)
    hardship_family = models.ForeignKey(
        "assistance.Family",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("困难职工档案"),
    )
    migrant = models.BooleanField(_("农民工"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["role", "started_on", "id"]
        verbose_name = _("创业就业人员")
        constraints = [
            models.UniqueConstraint(
                fields=["venture"],
                condition=models.Q(role="founder"),
                name="person_one_founder",
            ),
            models.UniqueConstraint(
                fields=["venture", "id_number_bidx"],
                condition=~models.Q(id_number_bidx=""),
                name="person_venture_id_unique",
            ),
            models.UniqueConstraint(
                fields=["venture", "member"],
                condition=models.Q(member__isnull=False),
                name="person_venture_member_unique",
            ),
        ]
        indexes = [
            # ventures.jobs / founders / hardship_founders: a subtree's people by start date
            models.Index(fields=["org", "started_on"], name="person_org_started"),
            # the archive's changes re-flag people by blind index (hardship_refresh)
            models.Index(fields=["id_number_bidx"], name="person_bidx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ventures:venture", args=[self.venture_id])


class Review(models.Model):
    """The yearly review of a venture: the people employed that year (counted from the
    ``Person`` rows), the jobs created that year, and the state the review leaves it in."""

    venture = models.ForeignKey(
        Venture, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("创业项目")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    step = models.CharField(_("复核结论"), max_length=16)
    status = models.CharField(_("复核后状态"), max_length=10, choices=Status.choices)
    employed = models.PositiveIntegerField(_("当年在岗人数"))
    new_jobs = models.PositiveIntegerField(_("当年新增就业"))
    hardship = models.PositiveIntegerField(_("其中困难职工"))
    reviewed_on = models.DateField(_("复核日期"))
    note = models.TextField(_("复核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("复核人"),
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("年度复核")
        constraints = [
            models.UniqueConstraint(fields=["venture", "year"], name="review_venture_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.venture}：{self.year}"
