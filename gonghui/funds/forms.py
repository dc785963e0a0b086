"""The union-fee pages' forms: bounded like the columns they fill; the services validate."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.pickers import PickerField

from .models import FinancialTie


class ImportForm(forms.Form):
    county = PickerField("org", label=_("县区总工会"))
    file = forms.FileField(
        label=_("税务征收数据（Excel 或 CSV）"),
        help_text=_("需有统一社会信用代码、所属期、工资总额、实缴金额列"),
    )


class LedgerFilter(forms.Form):
    q = forms.CharField(label=_("单位名称或信用代码"), max_length=100, required=False)
    start = forms.DateField(label=_("所属月份起"), required=False)
    end = forms.DateField(label=_("所属月份止"), required=False)


class SizeForm(forms.Form):
    enterprise = PickerField("enterprise", label=_("单位"))
    year = forms.IntegerField(label=_("数据年度"), min_value=2000, max_value=2100)
    industry_code = forms.CharField(
        label=_("行业代码（GB/T 4754）"), max_length=8, help_text=_("如 C13、F52、K702")
    )
    employees = forms.IntegerField(label=_("从业人员（人）"), min_value=0, max_value=10_000_000)
    revenue = forms.DecimalField(
        label=_("营业收入（万元）"), min_value=0, max_digits=12, decimal_places=2
    )
    assets = forms.DecimalField(
        label=_("资产总额（万元）"), min_value=0, max_digits=12, decimal_places=2
    )
    financial_tie = forms.ChoiceField(
        label=_("金融类关联"), choices=FinancialTie.choices, required=False
    )
    group_member = forms.BooleanField(label=_("属于企业集团"), required=False)


class ApplyForm(forms.Form):
    enterprise = PickerField("fund_enterprise", label=_("申请单位"))
    bank_name = forms.CharField(label=_("开户行"), max_length=100)
    bank_account = forms.CharField(label=_("账号"), max_length=40)


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("不予返还的理由"), max_length=200)


class PayForm(forms.Form):
    county = PickerField("org", label=_("县区总工会"))


class SizeImportForm(forms.Form):
    county = PickerField("org", label=_("县区总工会"))
    file = forms.FileField(
        label=_("单位规模数据（Excel 或 CSV）"),
        help_text=_("需有统一社会信用代码、数据年度、行业代码、从业人员、营业收入、资产总额列"),
    )


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("冲正原因"), max_length=200)
