"""Web forms of the 12351 hotline. They only parse: the services decide what a valid order and
a valid step are, and their errors land on these fields by name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core import pickers
from gonghui.core.pickers import PickerField, bind_pickers

from .models import Category, Channel, Complexity, Satisfaction, Urgency

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def checked_upload(upload: Any) -> Any:
    """The service's size and type rules, checked before the order is filed, so that a bad
    file never leaves an order filed without it (filing and attaching are two steps)."""
    from pathlib import Path

    from .services import ATTACHMENT_EXTENSIONS, MAX_ATTACHMENT

    if upload is None:
        return None
    if upload.size > MAX_ATTACHMENT:
        raise forms.ValidationError(_("附件不能超过 10 MB"))
    if upload.size == 0:
        raise forms.ValidationError(_("附件是空文件"))
    if Path(upload.name or "").suffix.lower() not in ATTACHMENT_EXTENSIONS:
        raise forms.ValidationError(_("不支持的附件类型"))
    return upload


def _note(label: Any = None, required: bool = False, rows: int = 2) -> forms.CharField:
    return forms.CharField(
        label=label or _("说明"),
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class IntakeForm(forms.Form):
    """The operator's form, in the order a call goes: number, name, what kind of problem,
    which topic, what they say; the rarer fields last. Ctrl+Enter submits (hotline.js)."""

    caller_phone = forms.CharField(
        label=_("来电号码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autofocus": True, "inputmode": "tel", "autocomplete": "off"}
        ),
    )
    caller_name = forms.CharField(
        label=_("来电人姓名"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    category = forms.ChoiceField(
        label=_("工单类别"), choices=Category.choices, initial=Category.DEMAND
    )
    topic = PickerField(
        "topic",
        label=_("诉求主题"),
        help_text=_("输入名称、拼音首字母或代码，如 欠薪、qx 或 0101，再从列表中选择"),
    )
    complexity = forms.ChoiceField(
        label=_("复杂程度"), choices=Complexity.choices, initial=Complexity.NORMAL
    )
    content = forms.CharField(
        label=_("诉求内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    answered = forms.BooleanField(label=_("咨询已当场答复"), required=False)
    answer = _note(_("答复内容"), rows=3)
    employer = forms.CharField(label=_("工作单位"), max_length=150, required=False)
    urgency = forms.ChoiceField(
        label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL
    )
    channel = forms.ChoiceField(label=_("来源渠道"), choices=Channel.choices, initial=Channel.PHONE)
    external_no = forms.CharField(label=_("省平台工单号"), max_length=64, required=False)
    attachment = forms.FileField(label=_("附件"), required=False)

    WIDE = ("content", "answer", "answered", "attachment")

    def clean_attachment(self) -> Any:
        return checked_upload(self.cleaned_data.get("attachment"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("answered") and data.get("category") != Category.CONSULT:
            self.add_error("answered", _("只有咨询类工单可以当场答复结案"))
        if data.get("answered") and not (data.get("answer") or "").strip():
            self.add_error("answer", _("请填写答复内容"))
        return data

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "attachment"}
        for key in ("external_no", "employer", "answer"):
            if not data.get(key):
                data.pop(key, None)
        return data


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("工单号或省平台编号"),
        required=False,
        max_length=64,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )
    category = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部类别")), *Category.choices]
    )
    card = forms.ChoiceField(
        label=_("警示"),
        required=False,
        choices=[("", _("全部")), ("yellow", _("黄牌")), ("red", _("红牌"))],
    )
    org = PickerField("org", label=_("承办单位"), required=False)
    start = forms.DateField(label=_("受理日期自"), required=False, widget=DATE)
    end = forms.DateField(label=_("至"), required=False, widget=DATE)


class TransferImportForm(forms.Form):
    org = PickerField(
        "org",
        label=_("受理单位"),
        help_text=_("转办单登记为此单位受理的工单，缺省为本单位"),
    )
    file = forms.FileField(
        label=_("省平台转办单"),
        help_text=_("XLSX、XLS 或 CSV；可用模板，也可直接用省平台导出的转办单（列名自动识别）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )


class StatsForm(forms.Form):
    org = PickerField("org", label=_("工会"), required=False)
    start = forms.DateField(label=_("开始日期"), required=False, widget=DATE)
    end = forms.DateField(label=_("结束日期"), required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("结束日期不能早于开始日期"))
        return data


# --- one small form per workflow step; field names are the API's -----------------------------


class NoteForm(forms.Form):
    note = _note()


class DispatchForm(forms.Form):
    org = PickerField("org", label=_("派往单位"))
    note = _note(_("派单意见"))


class ReassignForm(DispatchForm):
    org = PickerField("org", label=_("改派单位"))
    note = _note(_("改派原因"))


class ReturnForm(forms.Form):
    reason = _note(_("退单原因"), required=True)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("延期工作日数"), min_value=1, max_value=30, initial=7)
    reason = _note(_("延期原因"), required=True)


YES_NO = [("yes", _("同意")), ("no", _("不同意"))]


class ApproveExtensionForm(forms.Form):
    approved = forms.TypedChoiceField(
        label=_("审批意见"), choices=YES_NO, coerce=lambda v: v == "yes", widget=forms.RadioSelect
    )
    note = _note()


class ReplyForm(forms.Form):
    result = _note(_("办理结果"), required=True, rows=4)
    wages_recovered = forms.DecimalField(
        label=_("追回欠薪（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    workers = forms.IntegerField(label=_("涉及职工（人）"), required=False, min_value=0)


class CallbackForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("回访结果"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = _note(_("回访记录"))


class CheckForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=_("质检结论"),
        choices=[("yes", _("合格")), ("no", _("不合格"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = _note(_("质检意见"))


class SuperviseForm(forms.Form):
    note = _note(_("督办意见"), required=True)


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "dispatch": DispatchForm,
    "reassign": ReassignForm,
    "return": ReturnForm,
    "extend": ExtendForm,
    "approve_extension": ApproveExtensionForm,
    "reply": ReplyForm,
    "callback": CallbackForm,
    "check": CheckForm,
    "supervise": SuperviseForm,
}


def action_form(
    action: str, data: Any = None, prefix: str | None = None, *, user: Any = None
) -> forms.Form:
    """The form of one step; its pickers (the org to dispatch to) search ``user``'s scope."""
    form = ACTION_FORMS.get(action.replace("-", "_"), NoteForm)(data, prefix=prefix)
    bind_pickers(form, user)
    return form


def topic_options(form: forms.Form, user: Any) -> None:
    """Bind ``form``'s pickers to ``user`` and list every active topic in the topic box (the
    list without JavaScript; with it, the box also searches by pinyin)."""
    bind_pickers(form, user)
    form.fields["topic"].widget.options = pickers.get("topic").search(user, "", 1000)


class AttachForm(forms.Form):
    attachment = forms.FileField(label=_("附件"))

    def clean_attachment(self) -> Any:
        return checked_upload(self.cleaned_data.get("attachment"))


# --- the member portal ---------------------------------------------------------------------


class PortalTicketForm(forms.Form):
    category = forms.ChoiceField(label=_("诉求类别"), choices=Category.choices)
    topic = PickerField("topic", label=_("诉求主题"))
    content = forms.CharField(
        label=_("请描述您的问题"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    employer = forms.CharField(label=_("工作单位"), max_length=150, required=False)
    caller_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


STARS = [(str(n), "★" * n) for n in range(5, 0, -1)]


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("您对这次服务的评价"), choices=STARS, coerce=int, widget=forms.RadioSelect
    )
    note = _note(_("意见建议"))
