"""Service places (服务阵地): outdoor-worker stations (户外劳动者驿站), workers' cultural palaces
(工人文化宫), 职工之家 and 会员之家 — each owned by an org of the tree, on the map by its
coordinates, checked against its standard (``checklists``), rated one to five stars by the
yearly review (self-assessment with evidence → county review → city confirmation) and rated
by members from the portal after scanning the code on its door.

A place is scoped by its owner org (``org``); ``county`` is the county-level federation above
it (stored so that the map, the county filter and the nearest search read one column).
Members see every active place (they are public) and only their own ratings.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import BaseModel
from gonghui.core.scope import ScopedQuerySet


class Kind(models.TextChoices):
    STATION = "station", _("户外劳动者驿站")
    PALACE = "palace", _("工人文化宫")
    WORKERS_HOME = "workers_home", _("职工之家")
    MEMBERS_HOME = "members_home", _("会员之家")


class Place(BaseModel):
    code = models.CharField(_("阵地编号"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属工会")
    )
    county = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所在县区"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    hours = models.CharField(_("开放时间"), max_length=100, blank=True)
    services = models.CharField(_("服务内容"), max_length=500, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    opened_on = models.DateField(_("建成日期"))
    active = models.BooleanField(_("开放中"), default=True)
    checklist = models.JSONField(_("达标条件"), default=dict, blank=True)
    stars = models.PositiveSmallIntegerField(_("星级"), default=0)
    stars_year = models.PositiveSmallIntegerField(_("评定年度"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["county__code", "kind", "name", "id"]
        verbose_name = _("服务阵地")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__lte=5), name="place_stars_at_most_five"
            ),
        ]
        indexes = [
            # the list and the map filtered by county and kind
            models.Index(fields=["county", "kind"], name="place_county_kind"),
            # the nearest search: a bounding box of latitude, then longitude
            models.Index(fields=["kind", "latitude", "longitude"], name="place_nearby"),
            # the stations figure: opened in or before the period
            models.Index(fields=["kind", "opened_on"], name="place_kind_opened"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("places:detail", args=[self.pk])

    def portal_url(self) -> str:
        return reverse("places:portal_place", args=[self.code])

    @classmethod
    def scope_member(cls, user: Any) -> models.Q:
        return models.Q(active=True)


class RatingQuerySet(ScopedQuerySet["Rating"]):
    pass


class Rating(models.Model):
    """A member's stars for a place, at most once per place per calendar month (the database
    holds it: ``rating_once_a_month``)."""

    scope_field = "place__org"

    place = models.ForeignKey(
        Place, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("服务阵地")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("会员")
    )
    month = models.DateField(_("月份"))  # the first day of the month rated in
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.CharField(_("评价"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("会员评价")
        constraints = [
            models.UniqueConstraint(fields=["place", "user", "month"], name="rating_once_a_month"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_score_one_to_five"
            ),
        ]
        indexes = [
            # the "rated" figure and the place's average: ratings of a period
            models.Index(fields=["month", "place"], name="rating_month_place"),
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.score}"

    @classmethod
    def scope_member(cls, user: Any) -> models.Q:
        return models.Q(user=user)


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("自评中")
    SUBMITTED = "submitted", _("待县区审核")
    COUNTY_PASSED = "county_passed", _("待市级确认")
    CONFIRMED = "confirmed", _("已确认")
    RETURNED = "returned", _("已退回")


OPEN_REVIEW = (ReviewStatus.DRAFT, ReviewStatus.SUBMITTED, ReviewStatus.COUNTY_PASSED,
               ReviewStatus.RETURNED)  # fmt: skip


class Review(BaseModel):
    """One place's yearly star review: the owner's self-assessment with evidence, the
    county's review, the city's confirmation (``workflow.WORKFLOW``)."""

    scope_field = "place__org"

    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("服务阵地")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(
        _("进展"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    checklist = models.JSONField(_("自评达标条件"), default=dict, blank=True)
    self_stars = models.PositiveSmallIntegerField(_("自评星级"), null=True, blank=True)
    self_notes = models.CharField(_("自评说明"), max_length=1000, blank=True)
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    county_stars = models.PositiveSmallIntegerField(_("县区审核星级"), null=True, blank=True)
    county_notes = models.CharField(_("县区审核意见"), max_length=1000, blank=True)
    county_on = models.DateField(_("县区审核日期"), null=True, blank=True)
    stars = models.PositiveSmallIntegerField(_("确认星级"), null=True, blank=True)
    city_notes = models.CharField(_("市级确认意见"), max_length=1000, blank=True)
    confirmed_on = models.DateField(_("确认日期"), null=True, blank=True)
    returned_reason = models.CharField(_("退回理由"), max_length=500, blank=True)
    due_on = models.DateField(_("当前步骤期限"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "status", "id"]
        verbose_name = _("星级评定")
        constraints = [
            models.UniqueConstraint(fields=["place", "year"], name="review_one_a_year"),
        ]
        indexes = [
            # the queue of reviews waiting and the "rated" figure by confirmation date
            models.Index(fields=["status", "due_on"], name="review_queue"),
            models.Index(fields=["confirmed_on"], name="review_confirmed"),
        ]

    def __str__(self) -> str:
        return f"{self.place.name}（{self.year}）"

    def get_absolute_url(self) -> str:
        return reverse("places:review", args=[self.pk])


class Evidence(models.Model):
    """A file the self-assessment rests on (photos of the sign, the rules, the logbook),
    kept through the upload guard (``core.uploads.store``)."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("星级评定")
    )
    file = models.ForeignKey(
        "core.StoredFile", on_delete=models.PROTECT, related_name="+", verbose_name=_("文件")
    )
    label = models.CharField(_("说明"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("评定佐证材料")

    def __str__(self) -> str:
        return self.label or str(self.file_id)


class ReviewEvent(models.Model):
    """One step of a review, on its timeline."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="events", verbose_name=_("星级评定")
    )
    action = models.CharField(_("步骤"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办理人"),
    )
    actor_org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办理单位"),
    )
    stars = models.PositiveSmallIntegerField(_("星级"), null=True, blank=True)
    note = models.CharField(_("意见"), max_length=1000, blank=True)
    on = models.DateField(_("日期"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("评定记录")

    def __str__(self) -> str:
        return f"{self.review_id} {self.action}"

    @property
    def action_label(self) -> str:
        from .workflow import WORKFLOW

        if self.action == "start":
            return str(_("开始自评"))
        return WORKFLOW.get(self.action).label


def month_of(day: date) -> date:
    return day.replace(day=1)
