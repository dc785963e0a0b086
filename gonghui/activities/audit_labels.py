"""What the activities module's audit rows mean, in words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit

audit.register_type("activities_activity", "activities.Activity", url="activities:activity")
audit.register_type("activities_team", "activities.Team", url="activities:team")
audit.GROUPS["activities"] = _("职工活动")
audit.register_actions(
    {
        "activities.create": _("发布活动"),
        "activities.update": _("修改活动"),
        "activities.cancel": _("取消活动"),
        "activities.signup": _("报名活动"),
        "activities.signup_cancel": _("取消报名"),
        "activities.promote": _("候补转为报名"),
        "activities.checkin": _("活动签到"),
        "activities.checkout": _("撤销签到"),
        "activities.hours": _("修改志愿服务时长"),
        "activities.photo": _("上传活动照片"),
        "activities.team_create": _("成立志愿服务队"),
        "activities.team_join": _("志愿者入队"),
        "activities.team_leave": _("志愿者离队"),
        "activities.import": _("导入活动报名表"),
        "activities.signup_import": _("从报名表登记报名、签到和时长"),
    }
)
