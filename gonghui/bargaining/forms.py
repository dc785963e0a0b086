"""Forms of collective bargaining's pages: launching a campaign, choosing enterprises to
offer, each step of a thread, a contract from paper or covering many enterprises."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core import pickers
from gonghui.orgs.models import Industry, SizeClass

from .models import Kind

DATE = forms.DateInput(attrs={"type": "date"})


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("行动名称"), max_length=100)
    kind = forms.ChoiceField(label=_("协商类型"), choices=Kind.choices, initial=Kind.COMPREHENSIVE)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)


class OfferFilterForm(forms.Form):
    """Choose enterprises from the registry by what a county knows of them."""

    industry = forms.ChoiceField(
        label=_("行业门类"), choices=[("", _("全部"))] + list(Industry.choices), required=False
    )
    size_class = forms.ChoiceField(
        label=_("规模"), choices=[("", _("全部"))] + list(SizeClass.choices), required=False
    )
    union = forms.ChoiceField(
        label=_("是否建会"),
        choices=[("", _("全部")), ("yes", _("已建会")), ("no", _("未建会"))],
        required=False,
    )
    min_headcount = forms.IntegerField(
        label=_("职工人数不少于"), min_value=0, max_value=1_000_000, required=False
    )


class CodesForm(forms.Form):
    file = forms.FileField(
        label=_("企业名单"),
        help_text=_("Excel 或 CSV，一列“统一社会信用代码”；找不到的企业会逐行列出。"),
    )


class ContractsFileForm(forms.Form):
    file = forms.FileField(
        label=_("集体合同台账"),
        help_text=_(
            "Excel 或 CSV，每行一份合同；请先下载模板。有问题的行会逐行列出原因，其余行照常登记。"
        ),
    )


STEP_FIELDS: dict[str, dict[str, forms.Field]] = {
    "answer": {"answered_on": forms.DateField(label=_("企业回应日期"), widget=DATE)},
    "refuse": {"refused_reason": forms.CharField(label=_("拒绝情况"), max_length=200)},
    "schedule": {"talks_on": forms.DateField(label=_("约定协商日期"), widget=DATE)},
    "exchange": {"data_on": forms.DateField(label=_("资料交换日期"), widget=DATE)},
    "hold": {
        "held_on": forms.DateField(label=_("协商日期"), widget=DATE),
        "notes": forms.CharField(
            label=_("协商纪要"),
            max_length=5000,
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
        ),
    },
    "agree": {"draft_on": forms.DateField(label=_("草案形成日期"), widget=DATE)},
    "vote": {
        "voted_on": forms.DateField(label=_("职代会表决日期"), widget=DATE),
        "delegates": forms.IntegerField(label=_("职工代表总数"), min_value=1, max_value=100000),
        "present": forms.IntegerField(label=_("出席代表数"), min_value=0, max_value=100000),
        "approving": forms.IntegerField(label=_("赞成票数"), min_value=0, max_value=100000),
    },
    "sign": {
        "signed_on": forms.DateField(label=_("签订日期"), widget=DATE),
        "years": forms.TypedChoiceField(
            label=_("合同期限"),
            choices=[("1", _("1 年")), ("2", _("2 年")), ("3", _("3 年"))],
            coerce=int,
        ),
        "min_wage": forms.DecimalField(
            label=_("企业最低工资（元/月）"),
            max_digits=8,
            decimal_places=2,
            required=False,
            min_value=0,
        ),
        "wage_rise": forms.DecimalField(
            label=_("年度工资增幅（%）"),
            max_digits=5,
            decimal_places=2,
            required=False,
            min_value=0,
        ),
    },
    "file": {"filed_on": forms.DateField(label=_("报送备案日期"), widget=DATE)},
    "object": {"reason": forms.CharField(label=_("审查意见"), max_length=500)},
    "review": {"reviewed_on": forms.DateField(label=_("审查通过日期"), widget=DATE)},
    "publish": {"published_on": forms.DateField(label=_("向职工公布日期"), widget=DATE)},
}


def step_form(action: str, data: Any = None) -> forms.Form:
    form = forms.Form(data, prefix=action)
    for name, field in STEP_FIELDS[action].items():
        form.fields[name] = field
    return form


class ContractForm(forms.Form):
    title = forms.CharField(label=_("合同名称"), max_length=150)
    kind = forms.ChoiceField(label=_("合同类型"), choices=Kind.choices)
    enterprises = forms.CharField(
        label=_("覆盖企业"),
        help_text=_("每行一个统一社会信用代码；行业性、区域性合同可覆盖多家企业。"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=200_000,
    )
    signed_on = forms.DateField(label=_("签订日期"), widget=DATE)
    years = STEP_FIELDS["sign"]["years"]
    min_wage = STEP_FIELDS["sign"]["min_wage"]
    wage_rise = STEP_FIELDS["sign"]["wage_rise"]
    county = pickers.PickerField("org", label=_("所在县区"), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pickers.bind_pickers(self, user)
