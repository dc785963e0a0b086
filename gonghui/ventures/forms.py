"""Forms of the ventures pages; the services check, the forms only parse."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core import pickers
from gonghui.orgs.models import Industry

from .models import Level
from .workflow import VENTURE

DATE = forms.DateInput(attrs={"type": "date"})


class ParkForm(forms.Form):
    code = forms.CharField(label=_("园区编号"), max_length=32)
    name = forms.CharField(label=_("园区名称"), max_length=100)
    level = forms.ChoiceField(label=_("级别"), choices=Level.choices)
    host = forms.CharField(label=_("承办单位"), max_length=150)
    org = pickers.PickerField(
        "org", label=_("登记单位"), required=False, help_text=_("缺省为本单位")
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    longitude = forms.DecimalField(label=_("经度"), max_digits=9, decimal_places=6, required=False)
    latitude = forms.DecimalField(label=_("纬度"), max_digits=9, decimal_places=6, required=False)
    area = forms.DecimalField(
        label=_("面积（平方米）"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    services = forms.CharField(
        label=_("服务内容"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    recognized_on = forms.DateField(label=_("认定日期"), widget=DATE)


class VentureForm(forms.Form):
    name = forms.CharField(label=_("创业项目"), max_length=150)
    industry = forms.ChoiceField(label=_("行业门类"), choices=Industry.choices)
    started_on = forms.DateField(label=_("创业日期"), widget=DATE)
    founder_member = pickers.PickerField(
        "member",
        label=_("创业者（会员）"),
        required=False,
        help_text=_("不是会员的，填写下面的姓名和身份证号"),
    )
    founder_name = forms.CharField(label=_("创业者姓名"), max_length=50, required=False)
    founder_id_number = forms.CharField(label=_("创业者身份证号"), max_length=30, required=False)
    founder_migrant = forms.BooleanField(label=_("创业者是农民工"), required=False)
    loans = forms.DecimalField(
        label=_("创业担保贷款（元）"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    rent_relief = forms.DecimalField(
        label=_("房租减免（元）"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    training = forms.IntegerField(
        label=_("创业培训（次）"), min_value=0, max_value=1000, required=False
    )


class PersonForm(forms.Form):
    member = pickers.PickerField(
        "member", label=_("会员"), required=False, help_text=_("不是会员的，填写姓名和身份证号")
    )
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=30, required=False)
    migrant = forms.BooleanField(label=_("农民工"), required=False)
    started_on = forms.DateField(label=_("就业日期"), widget=DATE)


class EndForm(forms.Form):
    ended_on = forms.DateField(label=_("离职日期"), widget=DATE)


class ReviewForm(forms.Form):
    step = forms.ChoiceField(
        label=_("复核结论"), choices=[(t.name, t.label) for t in VENTURE.transitions]
    )
    year = forms.IntegerField(label=_("年度"), min_value=1990, max_value=2100)
    note = forms.CharField(
        label=_("复核意见"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("表格文件"), help_text=_("Excel 或 CSV，按模板填写"))
