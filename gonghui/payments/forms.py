"""The payment pages' forms: bounded like the columns they fill; the services validate."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.pickers import PickerField

from .models import BatchStatus, Source


class BatchForm(forms.Form):
    org = PickerField("org", label=_("付款单位"))
    source = forms.ChoiceField(label=_("来源业务"), choices=Source.choices)
    purpose = forms.CharField(label=_("用途"), max_length=60, help_text=_("写入银行文件的“用途”栏"))
    title = forms.CharField(label=_("批次名称"), max_length=150)


class LineForm(forms.Form):
    reference = forms.CharField(
        label=_("业务编号"), max_length=100, help_text=_("来源记录的编号，如 funds.refund:12")
    )
    payee_name = forms.CharField(label=_("户名"), max_length=100)
    id_number = forms.CharField(label=_("身份证号"), max_length=30, required=False)
    bank_name = forms.CharField(label=_("开户行"), max_length=100, required=False)
    bank_account = forms.CharField(label=_("账号"), max_length=40)
    amount = forms.DecimalField(
        label=_("金额（元）"), max_digits=12, decimal_places=2, min_value=0.01
    )
    override_reason = forms.CharField(
        label=_("重复支付的理由"),
        max_length=200,
        required=False,
        help_text=_("仅当同一笔款项需要再次支付给同一人时填写"),
    )


class ConfirmationsForm(forms.Form):
    file = forms.FileField(
        label=_("银行回单（Excel 或 CSV）"),
        help_text=_("需有“序号”或“账号”、“金额”、“处理结果”列；可有“失败原因”、“交易日期”"),
    )


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("冲正原因"), max_length=200)


class ReissueForm(forms.Form):
    bank_account = forms.CharField(
        label=_("新账号"), max_length=40, required=False, help_text=_("不填则沿用原账号")
    )
    bank_name = forms.CharField(label=_("新开户行"), max_length=100, required=False)


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部"))] + list(BatchStatus.choices), required=False
    )
    source = forms.ChoiceField(
        label=_("来源业务"), choices=[("", _("全部"))] + list(Source.choices), required=False
    )
