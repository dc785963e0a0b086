"""Web forms of legal aid. They only parse: the services decide what is valid, and their
errors land on these fields by name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ConsultKind, Outcome, Service, StaffKind, StageKind, StationKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(
    label: Any, *, required: bool = True, max_length: int = 2000, rows: int = 3
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ApplyForm(forms.Form):
    """A worker's application (the portal) or a cadre's on their behalf (with applicants)."""

    service = forms.ChoiceField(
        label=_("援助事项"), choices=Service.choices, initial=Service.ARBITRATION
    )
    employer_name = forms.CharField(label=_("用人单位名称"), max_length=150)
    employer_uscc = forms.CharField(
        label=_("统一社会信用代码（选填）"), max_length=18, required=False
    )
    dispute_on = forms.DateField(label=_("争议发生日"), widget=DATE)
    facts = _text(_("案情与诉求"), max_length=5000, rows=5)
    claim_item = forms.CharField(label=_("请求事项（选填）"), max_length=100, required=False)
    claim_amount = forms.DecimalField(
        label=_("请求金额（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    consent = forms.BooleanField(label=_("我同意工会为办理法律援助使用以上信息"), required=True)

    def data_for_service(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        item, amount = d.pop("claim_item", ""), d.pop("claim_amount", None)
        d["claims"] = [{"item": item, "amount": amount or 0}] if item else []
        return d


class StaffApplyForm(ApplyForm):
    org = forms.CharField(label=_("承办工会代码（缺省为本级）"), max_length=32, required=False)
    applicants = _text(
        _("申请人（每行一人：姓名、身份证号、手机号，以逗号隔开；群体案件填多行）"),
        max_length=20000,
        rows=4,
    )

    def data_for_service(self) -> dict[str, Any]:
        d = super().data_for_service()
        rows = []
        for line in str(d.pop("applicants") or "").splitlines():
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if parts and parts[0]:
                rows.append(
                    {
                        "name": parts[0],
                        "id_number": parts[1] if len(parts) > 1 else "",
                        "phone": parts[2] if len(parts) > 2 else "",
                    }
                )
        d["applicants"] = rows
        return d


class FromTicketForm(forms.Form):
    service = forms.ChoiceField(
        label=_("援助事项"), choices=Service.choices, initial=Service.ARBITRATION
    )
    dispute_on = forms.DateField(label=_("争议发生日"), widget=DATE)
    employer_uscc = forms.CharField(
        label=_("统一社会信用代码（选填）"), max_length=18, required=False
    )
    consent = forms.BooleanField(label=_("来电人已同意工会为办理援助使用其信息"), required=True)


class ReasonForm(forms.Form):
    reason = _text(_("理由"), max_length=1000, rows=2)


class NoteForm(forms.Form):
    note = _text(_("说明"), required=False, rows=2)


class TransferForm(ReasonForm):
    org = forms.CharField(label=_("接收工会代码"), max_length=32)


class ReferForm(ReasonForm):
    to = forms.CharField(label=_("转介机构"), max_length=100)


class AssignForm(forms.Form):
    lawyer = forms.ChoiceField(label=_("承办律师"), choices=())


class ReassignForm(AssignForm):
    reason = _text(_("理由"), max_length=1000, rows=2)


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("结果"), choices=Outcome.choices)
    amount = forms.DecimalField(
        label=_("挽回金额（元）"), min_value=0, max_digits=14, decimal_places=2, initial=0
    )
    workers = forms.IntegerField(
        label=_("受助职工人数（缺省为申请人数）"), min_value=0, max_value=100000, required=False
    )
    note = _text(_("说明"), required=False, rows=2)


STEP_FORMS: dict[str, type[forms.Form]] = {
    "return": ReasonForm,
    "refuse": ReasonForm,
    "withdraw": ReasonForm,
    "transfer": TransferForm,
    "refer": ReferForm,
    "assign": AssignForm,
    "reassign": ReassignForm,
    "conclude": ConcludeForm,
}


class StageForm(forms.Form):
    kind = forms.ChoiceField(label=_("阶段"), choices=StageKind.choices)
    on = forms.DateField(label=_("日期"), widget=DATE)
    note = _text(_("说明"), required=False, rows=2)
    document = forms.FileField(label=_("文书（选填）"), required=False)


class EvidenceForm(forms.Form):
    evidence = forms.FileField(label=_("证据材料（照片、PDF）"))


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("评价"), coerce=int, choices=[(i, "★" * i) for i in range(5, 0, -1)]
    )
    note = forms.CharField(label=_("意见（选填）"), max_length=200, required=False)


class AskForm(forms.Form):
    kind = forms.ChoiceField(label=_("咨询类别"), choices=ConsultKind.choices)
    subject = forms.CharField(label=_("主题"), max_length=100)
    text = _text(_("您的问题"), max_length=5000, rows=5)
    anonymous = forms.BooleanField(label=_("对工会干部匿名"), required=False)


class ReplyForm(forms.Form):
    text = _text(_("回复"), max_length=5000, rows=3)


class ConsultAssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("答复人"), choices=())


class StationForm(forms.Form):
    code = forms.CharField(label=_("站点编号"), max_length=20)
    name = forms.CharField(label=_("站点名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=StationKind.choices)
    org = forms.CharField(label=_("所属工会代码"), max_length=32)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    longitude = forms.DecimalField(label=_("经度"), required=False, max_digits=9, decimal_places=6)
    latitude = forms.DecimalField(label=_("纬度"), required=False, max_digits=9, decimal_places=6)
    hours = forms.CharField(label=_("服务时间"), max_length=100, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    founded_on = forms.DateField(label=_("设立日期"), widget=DATE)
    active = forms.BooleanField(label=_("在用"), required=False, initial=True)


class StaffForm(forms.Form):
    """A person of a station: a new name adds them, an existing name changes their record
    (the service keys staff by station and name); unticking 在岗 takes them off duty."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    kind = forms.ChoiceField(label=_("类别"), choices=StaffKind.choices)
    firm = forms.CharField(label=_("执业机构"), max_length=100, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    user = forms.CharField(
        label=_("登录账号（选填）"),
        max_length=150,
        required=False,
        help_text=_("律师、咨询师在本系统的用户名，接案和答复咨询时使用"),
    )
    since = forms.DateField(label=_("聘任日期"), widget=DATE, required=False)
    active = forms.BooleanField(label=_("在岗"), required=False, initial=True)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("站点或人员表格（XLSX/CSV）"))
