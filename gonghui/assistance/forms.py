"""Forms of the assistance pages: thin — the services validate and name the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AttachmentKind, CampaignKind, Cause, ExitKind, GrantKind, WorkStatus

MONEY_ATTRS = {"inputmode": "decimal"}


def _money(label: Any, required: bool = False, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=help_text,
        widget=forms.NumberInput(attrs={**MONEY_ATTRS, "step": "0.01"}),
    )


class CheckForm(forms.Form):
    """The eligibility self-test: what the household earns and spends."""

    household_size = forms.IntegerField(
        label=_("家庭人口（人）"), min_value=1, max_value=30, initial=1
    )
    household_income = _money(
        _("家庭年可支配收入（元）"), True, _("全家一年的工资、经营、转移性收入等合计")
    )
    rigid_expenses = _money(
        _("家庭年刚性支出（元）"), False, _("医疗、残疾康复、子女教育、必要就业成本")
    )
    hardship_costs = _money(
        _("本年致困支出或损失（元）"), False, _("因灾、因病、意外事故等造成的支出或损失")
    )
    major_event = forms.BooleanField(label=_("因重大事件伤亡，赔付后仍然困难"), required=False)


class ApplyForm(CheckForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=20)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    address = forms.CharField(label=_("家庭住址"), max_length=200, required=False)
    employer = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    work_status = forms.ChoiceField(
        label=_("工作状况"), choices=[("", "—"), *WorkStatus.choices], required=False
    )
    main_cause = forms.ChoiceField(label=_("主要致困原因"), choices=Cause.choices)
    health = forms.CharField(label=_("健康状况"), max_length=200, required=False)
    bank_name = forms.CharField(label=_("开户行"), max_length=100, required=False)
    bank_account = forms.CharField(label=_("银行账号"), max_length=30, required=False)
    pledge = forms.BooleanField(
        label=_("本人承诺所填收入真实，并授权工会核查家庭收入"), required=True
    )
    field_order = [
        "name",
        "id_number",
        "phone",
        "address",
        "employer",
        "work_status",
        "main_cause",
        "health",
        "household_size",
        "household_income",
        "rigid_expenses",
        "hardship_costs",
        "major_event",
        "bank_name",
        "bank_account",
        "pledge",
    ]


class StaffApplyForm(ApplyForm):
    org = forms.CharField(
        label=_("所在工会（代码）"), max_length=32, required=False, help_text=_("缺省为本单位")
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("意见或说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class InvestigateForm(forms.Form):
    investigation = forms.CharField(
        label=_("调查情况"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    household_size = forms.IntegerField(label=_("家庭人口（人）"), min_value=1, max_value=30)
    household_income = _money(_("家庭年可支配收入（元）"), True)
    hardship_costs = _money(_("本年致困支出或损失（元）"))
    illness = _money(_("医疗支出（元/年）"))
    disability = _money(_("残疾康复支出（元/年）"))
    schooling = _money(_("教育支出（元/年）"))
    job = _money(_("必要就业成本（元/年）"))


class PublishForm(forms.Form):
    days = forms.IntegerField(label=_("公示工作日数"), min_value=1, max_value=30, initial=5)


class ExitForm(forms.Form):
    kind = forms.ChoiceField(label=_("退出方式"), choices=ExitKind.choices)
    note = forms.CharField(
        label=_("退出原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class EmptyForm(forms.Form):
    pass


class AttachForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类别"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("文件"))


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("查看事由"), max_length=200, required=False)


class GrantForm(forms.Form):
    kind = forms.ChoiceField(label=_("救助类别"), choices=GrantKind.choices)
    period = forms.CharField(
        label=_("救助期次"), max_length=10, help_text=_("年度如 2020，半年如 2020H1")
    )
    amount = _money(_("金额（元）"), True)
    fund_source = forms.CharField(label=_("资金来源"), max_length=50)
    reason = forms.CharField(label=_("事由"), max_length=200, required=False)
    override_reason = forms.CharField(
        label=_("重复发放理由"),
        max_length=200,
        required=False,
        help_text=_("同一家庭同类同期已有救助时必填"),
    )


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=CampaignKind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    fund_source = forms.CharField(label=_("资金来源"), max_length=50, required=False)
    default_amount = _money(_("标准（元/人）"))


class RecipientsImportForm(forms.Form):
    file = forms.FileField(label=_("名单（XLSX/CSV）"))


class DibaoImportForm(forms.Form):
    file = forms.FileField(label=_("低保标准表（XLSX/CSV）"))


class DibaoForm(forms.Form):
    region_code = forms.CharField(label=_("行政区划代码"), max_length=12)
    region_name = forms.CharField(label=_("地区"), max_length=50, required=False)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    monthly = _money(_("低保标准（元/人/月）"), True)


STEP_FORMS: dict[str, type[forms.Form]] = {
    "investigate": InvestigateForm,
    "deliberate": NoteForm,
    "publish": PublishForm,
    "submit_review": EmptyForm,
    "approve": NoteForm,
    "send_back": NoteForm,
    "reject": NoteForm,
    "survey": NoteForm,
    "verify": NoteForm,
    "exit": ExitForm,
    "cancel": ExitForm,
}
