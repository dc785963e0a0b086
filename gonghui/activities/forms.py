"""Forms of the activities pages; the services check, the forms only parse."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core import pickers

from .models import Kind, TeamRole

MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=MOMENT)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=MOMENT)
    place = forms.CharField(label=_("地点"), max_length=200)
    capacity = forms.IntegerField(
        label=_("名额"),
        min_value=0,
        max_value=100000,
        initial=0,
        help_text=_("0 表示不限；报满后报名进入候补"),
    )
    hours = forms.DecimalField(
        label=_("志愿服务时长（小时）"),
        min_value=0,
        max_value=24,
        decimal_places=1,
        initial=0,
        required=False,
    )
    team = forms.ChoiceField(label=_("志愿服务队"), required=False)
    description = forms.CharField(
        label=_("活动内容"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: object, teams: list[tuple[str, str]] | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["team"].choices = [("", _("无"))] + list(teams or [])  # type: ignore[attr-defined]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=500)


class PhotoForm(forms.Form):
    file = forms.FileField(label=_("照片"), help_text=_("JPG、PNG、GIF 或 WEBP"))
    caption = forms.CharField(label=_("说明"), max_length=100, required=False)


class HoursForm(forms.Form):
    hours = forms.DecimalField(label=_("时长（小时）"), min_value=0, max_value=24, decimal_places=1)


class TeamForm(forms.Form):
    name = forms.CharField(label=_("队伍名称"), max_length=100)
    founded_on = forms.DateField(
        label=_("成立日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("简介"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class JoinForm(forms.Form):
    member = pickers.PickerField("member", label=_("会员"))
    role = forms.ChoiceField(label=_("职务"), choices=TeamRole.choices, initial=TeamRole.MEMBER)
    joined_on = forms.DateField(label=_("入队日期"), widget=forms.DateInput(attrs={"type": "date"}))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("报名表（XLSX/CSV）"),
        help_text=_("每行一人：身份证号或会员编号、姓名、角色、是否签到、志愿服务时长"),
    )
