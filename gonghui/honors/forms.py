"""Web forms of honours and competitions. They only parse: the services decide, and their
errors land on these fields by name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.pickers import PickerField

from .models import (
    Award,
    BenefitKind,
    Body,
    CheckResult,
    ModelWorkerLevel,
    ModelWorkerStatus,
    Tag,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoundForm(forms.Form):
    award = forms.ModelChoiceField(label=_("荣誉"), queryset=Award.objects.all())
    title = forms.CharField(label=_("评选名称"), max_length=100)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    places = forms.IntegerField(label=_("名额"), min_value=1, max_value=100_000)
    opens_on = forms.DateField(label=_("推荐开始"), widget=DATE)
    closes_on = forms.DateField(label=_("推荐截止"), widget=DATE)
    criteria = forms.CharField(
        label=_("评选条件"), required=False, max_length=20_000, widget=forms.Textarea({"rows": 3})
    )
    frontline_min = forms.DecimalField(
        label=_("一线职工不低于（%）"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    unit_head_max = forms.DecimalField(
        label=_("单位负责人不超过（%）"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
    )
    woman_min = forms.DecimalField(
        label=_("女性不低于（%）"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    migrant_min = forms.DecimalField(
        label=_("农民工不低于（%）"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    vote_enabled = forms.BooleanField(label=_("网络投票"), required=False)
    vote_daily_limit = forms.IntegerField(
        label=_("同一地址每日投票上限"), min_value=1, max_value=100_000, initial=20
    )
    results_live = forms.BooleanField(label=_("投票结果实时公开"), required=False, initial=True)
    scoring = forms.CharField(
        label=_("评分标准"),
        required=False,
        max_length=500,
        help_text=_("每行一项：名称，满分。如“基本条件，20”"),
        widget=forms.Textarea({"rows": 3}),
    )
    drop_extremes = forms.BooleanField(label=_("去掉最高分和最低分"), required=False)
    notice_days = forms.IntegerField(label=_("公示工作日"), min_value=1, max_value=30, initial=5)

    def quota_rules(self) -> list[dict[str, Any]]:
        d = self.cleaned_data
        rules = []
        for field, tag, op in (
            ("frontline_min", Tag.FRONTLINE, "min"),
            ("unit_head_max", Tag.UNIT_HEAD, "max"),
            ("woman_min", Tag.WOMAN, "min"),
            ("migrant_min", Tag.MIGRANT, "min"),
        ):
            if d.get(field) is not None:
                rules.append({"tag": tag.value, "op": op, "percent": str(d[field])})
        return rules

    def scoring_rules(self) -> list[dict[str, Any]]:
        out = []
        for i, line in enumerate((self.cleaned_data.get("scoring") or "").splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            label, _sep, top = line.replace(",", "，").partition("，")
            out.append({"key": f"c{i}", "label": label.strip(), "max": top.strip() or "0"})
        return out


class AllotForm(forms.Form):
    org = PickerField("org", label=_("分配给"))
    places = forms.IntegerField(label=_("名额"), min_value=0, max_value=100_000)


class NominationForm(forms.Form):
    member = PickerField("member", label=_("候选人（会员）"), required=False)
    enterprise = PickerField("nominee_enterprise", label=_("候选单位"), required=False)
    team = forms.CharField(label=_("班组名称"), max_length=100, required=False)
    tags = forms.MultipleChoiceField(
        label=_("类别"),
        choices=[(t.value, t.label) for t in Tag if t not in (Tag.WOMAN, Tag.MIGRANT)],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("女性、农民工按会员信息自动标记"),
    )
    deeds = forms.CharField(
        label=_("主要事迹"), max_length=20_000, required=False, widget=forms.Textarea({"rows": 4})
    )
    material = forms.FileField(label=_("推荐材料"), required=False)


class VettingForm(forms.Form):
    body = forms.ChoiceField(label=_("征求意见单位"), choices=Body.choices)
    passed = forms.TypedChoiceField(
        label=_("意见"),
        choices=[("1", _("无异议")), ("0", _("有问题"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("情况说明"), max_length=200, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("考察日期"), widget=DATE)
    note = forms.CharField(
        label=_("考察情况"), max_length=20_000, widget=forms.Textarea({"rows": 3})
    )


class MaterialForm(forms.Form):
    material = forms.FileField(label=_("推荐材料"))


def score_form(criteria: list[dict[str, Any]], data: Any = None) -> forms.Form:
    form = forms.Form(data)
    for item in criteria:
        form.fields[item["key"]] = forms.DecimalField(
            label=_("%(label)s（满分%(max)s）") % {"label": item["label"], "max": item["max"]},
            min_value=0,
            max_digits=7,
            decimal_places=2,
        )
    return form


class CompetitionForm(forms.Form):
    title = forms.CharField(label=_("竞赛名称"), max_length=100)
    project = forms.CharField(label=_("重点工程项目"), max_length=100)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    indicators = forms.CharField(
        label=_("竞赛指标"),
        required=False,
        max_length=2000,
        help_text=_("每行一项"),
        widget=forms.Textarea({"rows": 3}),
    )
    description = forms.CharField(
        label=_("竞赛内容"), required=False, max_length=20_000, widget=forms.Textarea({"rows": 3})
    )


class UnitForm(forms.Form):
    enterprise = PickerField("nominee_enterprise", label=_("参赛单位"))
    team = forms.CharField(label=_("参赛班组"), max_length=100, required=False)


class UnitScoreForm(forms.Form):
    unit = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    score = forms.DecimalField(label=_("得分"), min_value=0, max_value=10000, decimal_places=2)
    result = forms.CharField(label=_("竞赛成绩"), max_length=200, required=False)


class PhaseForm(forms.Form):
    name = forms.CharField(label=_("阶段名称"), max_length=50)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("指标名称"), max_length=50)
    unit = forms.CharField(label=_("计量单位"), max_length=20, required=False, initial="分")
    weight = forms.DecimalField(
        label=_("权重"), min_value=0, max_value=1000, decimal_places=2, max_digits=6
    )
    max_score = forms.DecimalField(
        label=_("满分"), min_value=0, max_value=10000, decimal_places=2, max_digits=7
    )


class CompetitionNominateForm(forms.Form):
    round = forms.IntegerField(label=_("推荐到评选"), min_value=1)
    units = forms.TypedMultipleChoiceField(label=_("参赛单位"), coerce=int, choices=[])
    select = forms.BooleanField(label=_("同时审核上报"), required=False, initial=True)


class ModelWorkerForm(forms.Form):
    member = PickerField("member", label=_("会员（在会员库中的）"), required=False)
    name = forms.CharField(label=_("姓名"), max_length=50)
    sex = forms.ChoiceField(
        label=_("性别"), required=False, choices=[("", "—"), ("M", _("男")), ("F", _("女"))]
    )
    title = forms.CharField(label=_("荣誉称号"), max_length=50)
    level = forms.ChoiceField(label=_("级别"), choices=ModelWorkerLevel.choices)
    year = forms.IntegerField(label=_("授予年度"), min_value=1950, max_value=2100)
    employer = forms.CharField(label=_("工作单位"), max_length=150, required=False)
    allowance = forms.DecimalField(
        label=_("月荣誉津贴（元）"),
        min_value=0,
        max_value=100000,
        decimal_places=2,
        required=False,
    )
    status = forms.ChoiceField(label=_("状态"), choices=ModelWorkerStatus.choices)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class ModelWorkerCheckForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=1950, max_value=2100)
    result = forms.ChoiceField(label=_("核实情况"), choices=CheckResult.choices)
    checked_on = forms.DateField(label=_("核实日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ModelWorkerBenefitForm(forms.Form):
    kind = forms.ChoiceField(label=_("待遇项目"), choices=BenefitKind.choices)
    amount = forms.DecimalField(
        label=_("金额（元）"), min_value=0, max_value=1_000_000, decimal_places=2
    )
    granted_on = forms.DateField(label=_("发放日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
