"""The activities module's figures of the work report, each with its records:

- ``activities.events`` — activities held (begun) in the period, not cancelled;
- ``activities.participants`` — attendances (人次) checked in at the period's activities;
- ``activities.volunteer_hours`` — volunteer hours credited for the period's activities.

The last two read the same records (the period's attendances), one query for both.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from gonghui.core.metrics import Metric, register
from gonghui.core.scope import subtree_org_ids

from .models import Activity, Signup

SECTION = gettext_noop("职工思想政治引领")


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def events(org: Any, start: date, end: date) -> QuerySet[Activity]:
    low, high = _bounds(start, end)
    return Activity.objects.filter(
        org__in=subtree_org_ids(org), cancelled=False, starts_at__gte=low, starts_at__lt=high
    )


def attendances(org: Any, start: date, end: date) -> QuerySet[Signup]:
    low, high = _bounds(start, end)
    return Signup.objects.filter(
        activity__org__in=subtree_org_ids(org),
        activity__cancelled=False,
        activity__starts_at__gte=low,
        activity__starts_at__lt=high,
        attended=True,
    ).select_related("activity", "member")


for metric in (
    Metric(
        key="activities.events",
        label=gettext_noop("举办职工活动"),
        unit="场",
        definition="开始时间在期内、未取消的职工活动场次（读书、主题宣传、志愿服务、文体活动）",
        records=events,
        paragraph=gettext_noop("举办读书、主题宣传、志愿服务等职工活动{value}场"),
        section=SECTION,
        module="activities",
        order=20,
        columns=(("kind", "类型"), ("starts_at", "开始时间"), ("place", "地点")),
    ),
    Metric(
        key="activities.participants",
        label=gettext_noop("参加活动职工"),
        unit="人次",
        definition="期内活动中签到参加的人次（扫码或工作人员登记）",
        records=attendances,
        paragraph=gettext_noop("参与职工{value}人次"),
        section=SECTION,
        module="activities",
        org_field="activity__org",
        order=21,
        columns=(("activity__title", "活动"), ("checked_in_by", "签到方式")),
    ),
    Metric(
        key="activities.volunteer_hours",
        label=gettext_noop("志愿服务时长"),
        unit="小时",
        definition="期内活动签到人员记入的志愿服务时长之和",
        records=attendances,
        sum_field="hours",
        paragraph=gettext_noop("志愿服务{value}小时"),
        section=SECTION,
        module="activities",
        org_field="activity__org",
        order=22,
        columns=(("activity__title", "活动"), ("hours", "时长（小时）")),
    ),
):
    register(metric)
