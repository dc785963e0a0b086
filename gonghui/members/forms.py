"""Web forms of the member registry. They only parse; ``validation.clean_member`` (called by
the services) decides what a valid member is, and its errors land on these fields by name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.masking import mask_id_number, mask_phone
from gonghui.core.pickers import PickerField

from .models import (
    STATUS_WORKFLOW,
    Education,
    Employment,
    ModelWorker,
    SkillLevel,
    Status,
    WorkerType,
)


def org_picker(label: Any, *, required: bool = True, help_text: Any = "") -> PickerField:
    """An org box: the union chosen by name, short name, pinyin or code among the user's
    scope (``core.pickers``; the view binds it with ``bind_pickers``), cleaned to its code."""
    return PickerField("org", label=label, required=required, help_text=help_text)


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _choices(choices: Any, blank: str = "—") -> list[tuple[str, Any]]:
    return [("", blank), *[(v, label) for v, label in choices if v]]


class MemberSearchForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=40,
        widget=forms.SearchInput(
            attrs={
                "placeholder": _("姓名、拼音（wangqiang / wq）、身份证或手机号后4位"),
                "autocomplete": "off",
            }
        ),
    )
    org = org_picker(_("工会"), required=False)
    status = forms.ChoiceField(
        label=_("会籍状态"), required=False, choices=[("", _("全部状态")), *Status.choices]
    )


class MemberForm(forms.Form):
    """Create or edit. On edit the ID and phone are never sent to the browser: blank keeps
    the stored value."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        help_text=_("性别和出生日期由身份证号得出"),
    )
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    ethnicity = forms.CharField(label=_("民族"), max_length=20, required=False)
    education = forms.ChoiceField(
        label=_("学历"), required=False, choices=_choices(Education.choices)
    )
    employment = forms.ChoiceField(
        label=_("就业状态"), choices=Employment.choices, initial=Employment.EMPLOYED
    )
    skill_level = forms.ChoiceField(
        label=_("技能等级"), required=False, choices=_choices(SkillLevel.choices)
    )
    employer_name = forms.CharField(label=_("工作单位"), max_length=150, required=False)
    worker_type = forms.ChoiceField(
        label=_("职工类型"), choices=WorkerType.choices, initial=WorkerType.EMPLOYEE
    )
    model_worker = forms.ChoiceField(
        label=_("劳模类型"), required=False, choices=ModelWorker.choices
    )
    joined_on = forms.DateField(label=_("入会日期"), widget=DATE)
    id_valid_until = forms.CharField(
        label=_("证件有效期至"),
        max_length=10,
        required=False,
        help_text=_("YYYY-MM-DD 或 长期"),
    )

    EDITABLE = (
        "name",
        "ethnicity",
        "education",
        "employment",
        "skill_level",
        "employer_name",
        "worker_type",
        "model_worker",
        "joined_on",
        "id_valid_until",
    )

    @classmethod
    def for_member(cls, member: Any, data: Any = None) -> MemberForm:
        initial = {name: getattr(member, name) for name in cls.EDITABLE}
        form = cls(data, initial=initial)
        for name, masked in (("id_number", member.id_number), ("phone", member.phone)):
            field = form.fields[name]
            field.required = False
            field.help_text = _("留空则不变")
            if masked:
                mask = mask_id_number if name == "id_number" else mask_phone
                field.widget.attrs["placeholder"] = mask(masked)
        return form

    def changed_data_for_service(self) -> dict[str, Any]:
        """Cleaned values as the service takes them; blank ID/phone on edit = unchanged."""
        data = {k: v for k, v in self.cleaned_data.items()}
        for name in ("id_number", "phone"):
            if not self.fields[name].required and not data.get(name):
                data.pop(name, None)
        return data


class MemberCreateForm(MemberForm):
    org = org_picker(_("所在工会"))

    field_order = ["org", "name", "id_number", "phone"]


class ImportForm(forms.Form):
    org = org_picker(_("导入到工会"))
    file = forms.FileField(
        label=_("名册文件"),
        help_text=_("XLSX、XLS 或 CSV；可用模板，也可用工会现有名册（列名自动识别）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )


class MemberHomeForm(forms.Form):
    org = org_picker(_("乡镇、街道或园区工会"))
    threshold = forms.IntegerField(
        label=_("提示建会的人数"), min_value=2, max_value=1000, initial=10
    )
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class TransferForm(forms.Form):
    """会籍接转 by the receiving union: who (ID number and name, as the person gives them)
    and where to."""

    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
        help_text=_("转入人员的完整身份证号"),
    )
    name = forms.CharField(label=_("姓名"), max_length=50, help_text=_("须与身份证号相符"))
    to_org = org_picker(_("转入工会"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class LookupForm(forms.Form):
    q = forms.CharField(
        label=_("完整身份证号或手机号"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("每次查找都会记入审计日志，并有次数限制"),
    )


class ExportFullForm(forms.Form):
    """A full-value export: the list's filters travel as hidden fields, the purpose is typed."""

    q = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    org = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    status = forms.CharField(required=False, max_length=12, widget=forms.HiddenInput)
    fmt = forms.ChoiceField(
        label=_("格式"), choices=[("xlsx", "XLSX"), ("csv", "CSV")], initial="xlsx"
    )
    purpose = forms.CharField(
        label=_("用途"),
        max_length=300,
        min_length=4,
        help_text=_("导出完整身份证号和手机号须说明用途，记入审计日志"),
    )


class TransferRefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("不同意的理由"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )


class StatusForm(forms.Form):
    """The status steps the membership workflow allows from the member's current status."""

    status = forms.ChoiceField(label=_("新的会籍状态"), choices=[])
    on = forms.DateField(label=_("生效日期"), widget=DATE)
    note = forms.CharField(
        label=_("原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, member: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status: Any = self.fields["status"]
        status.choices = [
            (t.target, f"{t.label}（{Status(t.target).label}）")
            for t in STATUS_WORKFLOW.allowed(member.status)
        ]


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("查看原因"), max_length=200, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("退回原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- the public join flow: three phone screens --------------------------------------------


class JoinIdentityForm(forms.Form):
    name = forms.CharField(
        label=_("姓名"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("性别和出生日期由身份证号自动得出"),
    )
    ethnicity = forms.CharField(
        label=_("民族"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：汉族")}),
    )


class JoinWorkForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    employer_name = forms.CharField(
        label=_("工作单位"),
        max_length=150,
        required=False,
        help_text=_("灵活就业可不填"),
    )
    worker_type = forms.ChoiceField(
        label=_("职工类型"), choices=WorkerType.choices, initial=WorkerType.EMPLOYEE
    )
    education = forms.ChoiceField(
        label=_("学历"), required=False, choices=_choices(Education.choices)
    )


class JoinConfirmForm(forms.Form):
    consent = forms.BooleanField(
        label=_("我同意工会为办理入会处理我的身份证号、手机号等个人信息"),
        error_messages={"required": _("请勾选同意后提交")},
    )
