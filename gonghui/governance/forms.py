"""Forms of the governance pages; services do the checking, forms only parse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.pickers import PickerField

from .models import (
    ChangeKind,
    Committee,
    CommitteeKind,
    ElectionMethod,
    MeetingKind,
    MotionMajority,
    Position,
    Seat,
)

DATE = forms.DateInput(attrs={"type": "date"})


def _lines(value: str) -> list[str]:
    return [
        p.strip()
        for p in value.replace("，", "\n").replace("、", "\n").replace(",", "\n").splitlines()
        if p.strip()
    ]


class CommitteeForm(forms.Form):
    org = PickerField("org", label=_("工会"))
    kind = forms.ChoiceField(label=_("类别"), choices=CommitteeKind.choices)
    term_number = forms.IntegerField(label=_("届次"), min_value=1, max_value=99)
    term_start = forms.DateField(label=_("任期开始"), widget=DATE)
    term_end = forms.DateField(label=_("任期届满"), widget=DATE)
    seats = forms.IntegerField(label=_("职数"), min_value=1, max_value=999)


class SeatForm(forms.Form):
    person_name = forms.CharField(label=_("姓名"), max_length=50)
    position = forms.ChoiceField(label=_("职务"), choices=Position.choices, initial=Position.MEMBER)
    kind = forms.ChoiceField(
        label=_("产生方式"),
        choices=[
            (ChangeKind.ELECTED, ChangeKind.ELECTED.label),
            (ChangeKind.BY_ELECTED, ChangeKind.BY_ELECTED.label),
        ],
    )
    since = forms.DateField(label=_("任职日期"), widget=DATE)
    member = PickerField("member", label=_("会员（可选）"), required=False)


class SeatEndForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("离任方式"),
        choices=[
            (ChangeKind.RELEASED, ChangeKind.RELEASED.label),
            (ChangeKind.RESIGNED, ChangeKind.RESIGNED.label),
        ],
    )
    on = forms.DateField(label=_("离任日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class MeetingForm(forms.Form):
    org = PickerField("org", label=_("工会"))
    kind = forms.ChoiceField(label=_("会议类别"), choices=MeetingKind.choices)
    committee: forms.ModelChoiceField[Committee] = forms.ModelChoiceField(
        label=_("委员会"), queryset=Committee.objects.none(), required=False
    )
    title = forms.CharField(label=_("会议名称"), max_length=150)
    held_on = forms.DateField(label=_("会议日期"), widget=DATE)
    place = forms.CharField(label=_("地点"), max_length=150, required=False)
    presided_by = forms.CharField(label=_("主持人"), max_length=50, required=False)

    def __init__(self, *args: Any, committees: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees  # type: ignore[attr-defined]


class AgendaForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("议程类别"),
        choices=[("report", _("报告")), ("motion", _("议案"))],
    )
    title = forms.CharField(label=_("议程"), max_length=200)
    majority = forms.ChoiceField(label=_("表决规则"), choices=MotionMajority.choices)
    releases: forms.ModelMultipleChoiceField[Seat] = forms.ModelMultipleChoiceField(
        label=_("议案免去的委员"), queryset=Seat.objects.none(), required=False
    )

    def __init__(self, *args: Any, seats: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["releases"].queryset = seats  # type: ignore[attr-defined]


class OfficersForm(forms.Form):
    tellers = forms.CharField(label=_("计票人（用顿号分隔）"), max_length=500)
    scrutineers = forms.CharField(label=_("监票人（用顿号分隔）"), max_length=500)

    def names(self, field: str) -> list[str]:
        return _lines(self.cleaned_data[field])


class RollNamesForm(forms.Form):
    names = forms.CharField(
        label=_("应到人员（每行一人）"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def names_list(self) -> list[str]:
        return _lines(self.cleaned_data["names"])


class MotionForm(forms.Form):
    votes_for = forms.IntegerField(label=_("赞成"), min_value=0, max_value=100000)
    votes_against = forms.IntegerField(label=_("反对"), min_value=0, max_value=100000, initial=0)
    votes_abstain = forms.IntegerField(label=_("弃权"), min_value=0, max_value=100000, initial=0)


class ElectionForm(forms.Form):
    committee: forms.ModelChoiceField[Committee] = forms.ModelChoiceField(
        label=_("选入的委员会"), queryset=Committee.objects.none()
    )
    title = forms.CharField(label=_("选举事项"), max_length=150)
    position = forms.ChoiceField(
        label=_("选举职务"), choices=Position.choices, initial=Position.MEMBER
    )
    seats = forms.IntegerField(label=_("应选名额"), min_value=1, max_value=999)
    method = forms.ChoiceField(label=_("选举方式"), choices=ElectionMethod.choices)
    candidates = forms.CharField(
        label=_("候选人（用顿号分隔或每行一人）"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    by_election = forms.BooleanField(label=_("增补（补选）"), required=False)
    secret_online = forms.BooleanField(label=_("手机无记名投票"), required=False)

    def __init__(self, *args: Any, committees: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees  # type: ignore[attr-defined]

    def candidate_names(self) -> list[str]:
        return _lines(self.cleaned_data["candidates"])


class RulesForm(forms.Form):
    """The meeting's counting rules (defaults: 工会基层组织选举工作条例)."""

    quorum_num = forms.IntegerField(
        label=_("法定人数：超过应到人数的（分子）"), min_value=1, max_value=99
    )
    quorum_den = forms.IntegerField(label=_("法定人数（分母）"), min_value=1, max_value=99)
    majority_num = forms.IntegerField(
        label=_("当选：超过基数的（分子）"), min_value=1, max_value=99
    )
    majority_den = forms.IntegerField(label=_("当选（分母）"), min_value=1, max_value=99)
    majority_base = forms.ChoiceField(
        label=_("过半数的基数"),
        choices=[
            ("entitled", _("应到人数")),
            ("present", _("实到人数")),
            ("voted", _("有效票数")),
        ],
    )
    min_extra_percent = forms.IntegerField(
        label=_("差额比例不低于（%）"), min_value=0, max_value=100
    )


class CandidateForm(forms.Form):
    """One more candidate: a member found by the picker (name, pinyin, ID tail), or a name."""

    member = PickerField("member", label=_("从会员库选择"), required=False)
    name = forms.CharField(label=_("或填写姓名（不在会员库中）"), max_length=50, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("member") and not (data.get("name") or "").strip():
            raise forms.ValidationError(_("请选择会员或填写姓名"))
        return data


class SignForm(forms.Form):
    signed_by = forms.CharField(label=_("签发人"), max_length=50)
    text = forms.CharField(
        label=_("会议纪要"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
    )


def count_form(candidates: list[Any], data: Any = None) -> forms.Form:
    """The paper count: ballots issued, returned, valid, invalid; per candidate approve,
    disapprove, abstain; one write-in line."""
    fields: dict[str, forms.Field] = {
        "issued": forms.IntegerField(label=_("发出选票"), min_value=0, max_value=1_000_000),
        "returned": forms.IntegerField(label=_("收回选票"), min_value=0, max_value=1_000_000),
        "valid": forms.IntegerField(label=_("有效票"), min_value=0, max_value=1_000_000),
        "invalid": forms.IntegerField(
            label=_("无效票"), min_value=0, max_value=1_000_000, initial=0
        ),
    }
    for c in candidates:
        for key, label in (("a", _("赞成")), ("d", _("不赞成")), ("b", _("弃权"))):
            fields[f"c{c.pk}_{key}"] = forms.IntegerField(
                label=f"{c.name} {label}",
                min_value=0,
                max_value=1_000_000,
                initial=0,
                required=False,
            )
    fields["write_in_name"] = forms.CharField(
        label=_("另选他人姓名"), max_length=50, required=False
    )
    fields["write_in_votes"] = forms.IntegerField(
        label=_("另选他人得票"), min_value=0, max_value=1_000_000, required=False
    )
    form_class = type("CountForm", (forms.Form,), fields)
    form: forms.Form = form_class(data)
    return form
