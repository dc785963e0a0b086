"""Forms of the office's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.orgs.models import Org, OrgKind

from .models import Audience, DocType, Security, Urgency

DATE = forms.DateInput(attrs={"type": "date"})
FILE_HELP = _("PDF、图片、Word、Excel 或文本文件；不接受可执行文件。")


def _children(user: Any) -> list[tuple[str, str]]:
    """The orgs right below the user's org, by code."""
    org = user.org
    return [
        (o.code, o.name)
        for o in Org.objects.filter(parent=org, active=True).order_by("code").only("code", "name")
    ]


LEVELS = [(k, label) for k, label in OrgKind.choices if k != OrgKind.CITY]


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    doc_type = forms.ChoiceField(label=_("公文种类"), choices=DocType.choices)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices)
    security = forms.ChoiceField(
        label=_("密级"), choices=Security.choices, help_text=_("内部公文只有干部和领导可以查看。")
    )
    sign_by = forms.DateField(label=_("签收期限"), widget=DATE, required=False)
    body = forms.CharField(
        label=_("正文"), widget=forms.Textarea(attrs={"rows": 8}), max_length=50000
    )


class EditForm(DocumentForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["doc_type"]
        del self.fields["sign_by"]


class FileForm(forms.Form):
    file = forms.FileField(label=_("附件"), help_text=FILE_HELP)


class TargetsForm(forms.Form):
    """Chosen orgs below the user's org, or whole levels of the tree."""

    orgs = forms.MultipleChoiceField(
        label=_("下级单位"), choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    kinds = forms.MultipleChoiceField(
        label=_("按层级（本单位以下该层级的全部工会）"),
        choices=LEVELS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["orgs"].choices = _children(user)  # type: ignore[attr-defined]

    def chosen_orgs(self) -> list[Org]:
        return list(Org.objects.filter(code__in=self.cleaned_data.get("orgs") or []))


class DistributeForm(TargetsForm):
    subtree = forms.BooleanField(label=_("同时发给所选单位的全部下级"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=500)


class ChainForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("公文种类"), choices=DocType.choices)
    steps = forms.CharField(
        label=_("审批步骤"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个步骤，按先后顺序，例如：核稿、会签、签发。"),
    )


class IncomingForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    source = forms.CharField(label=_("来文单位"), max_length=100)
    their_number = forms.CharField(label=_("来文字号"), max_length=40, required=False)
    received_on = forms.DateField(label=_("收文日期"), widget=DATE, required=False)
    body = forms.CharField(
        label=_("摘要"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=50000
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    audience = forms.ChoiceField(label=_("发布对象"), choices=Audience.choices)
    body = forms.CharField(
        label=_("内容"), widget=forms.Textarea(attrs={"rows": 6}), max_length=50000
    )


class CallForm(TargetsForm):
    title = forms.CharField(label=_("报送事项"), max_length=200)
    deadline = forms.DateField(label=_("截止日期"), widget=DATE)
    template = forms.FileField(
        label=_("表格模板"),
        required=False,
        help_text=_(
            "可上传本单位的 Excel 模板：第一行为列名（带 * 或“（必填）”的为必填列），"
            "第二行可写各列类型（文本、整数、数字、日期）。上传模板时不必填写下面的表格列。"
        ),
    )
    columns = forms.CharField(
        label=_("表格列"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "每行一列：列名|类型|必填|统计指标。类型为 文本、整数、数字 或 日期；"
            "填写统计指标（如 office.documents_sent）的列将预填系统中的数字。"
        ),
    )
    period_start = forms.DateField(label=_("统计期起"), widget=DATE, required=False)
    period_end = forms.DateField(label=_("统计期止"), widget=DATE, required=False)
    instructions = forms.CharField(
        label=_("填报说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=50000,
    )

    field_order = [
        "title",
        "deadline",
        "template",
        "columns",
        "period_start",
        "period_end",
        "instructions",
    ]


class PassDownForm(TargetsForm):
    deadline = forms.DateField(label=_("下级截止日期"), widget=DATE, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("填好的表格"), help_text=_("按模板填写的 Excel 或 CSV 文件。"))


class TaskForm(forms.Form):
    title = forms.CharField(label=_("督办事项"), max_length=200)
    owner = forms.ChoiceField(label=_("承办单位"), choices=())
    workdays = forms.IntegerField(label=_("办理时限（工作日）"), min_value=1, max_value=250)
    detail = forms.CharField(
        label=_("工作要求"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=50000,
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _children(user)  # type: ignore[attr-defined]


class ProgressForm(forms.Form):
    text = forms.CharField(
        label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    percent = forms.IntegerField(label=_("完成比例（%）"), min_value=0, max_value=100)


class CloseForm(forms.Form):
    outcome = forms.CharField(
        label=_("办结情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    evidence = forms.FileField(label=_("佐证材料"), help_text=FILE_HELP)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("地点"), max_length=150, required=False)
    agenda = forms.CharField(
        label=_("议程"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=50000
    )
    orgs = forms.MultipleChoiceField(
        label=_("参会单位"), choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = user.org
        self.fields["orgs"].choices = [(org.code, org.name), *_children(user)]  # type: ignore[attr-defined]
