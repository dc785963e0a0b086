"""Forms of the places' pages: a place, the self-assessment, each review step, evidence, the
import, the member's rating and the nearest search."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import checklists
from .models import Kind

DATE = forms.DateInput(attrs={"type": "date"})
STARS = [(str(n), "★" * n) for n in range(1, 6)]


class PlaceForm(forms.Form):
    code = forms.CharField(label=_("阵地编号"), max_length=32)
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices)
    org = forms.CharField(
        label=_("所属工会代码"), max_length=32, help_text=_("本单位或下级工会的组织代码")
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    longitude = forms.DecimalField(label=_("经度"), max_digits=9, decimal_places=6, required=False)
    latitude = forms.DecimalField(label=_("纬度"), max_digits=9, decimal_places=6, required=False)
    hours = forms.CharField(label=_("开放时间"), max_length=100, required=False)
    services = forms.CharField(label=_("服务内容"), max_length=500, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    opened_on = forms.DateField(label=_("建成日期"), widget=DATE, required=False)
    active = forms.BooleanField(label=_("开放中"), required=False, initial=True)


class ChecklistForm(forms.Form):
    """The self-assessment: one box per item of the place's standard, stars and notes."""

    self_stars = forms.ChoiceField(label=_("自评星级"), choices=STARS, required=False)
    self_notes = forms.CharField(
        label=_("自评说明"), max_length=1000, required=False, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in checklists.items(kind):
            self.fields[f"item_{key}"] = forms.BooleanField(label=label, required=False)
        self.kind = kind

    def checklist(self) -> dict[str, bool]:
        return {
            key: bool(self.cleaned_data.get(f"item_{key}"))
            for key, _label in checklists.items(self.kind)
        }


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("佐证材料（图片、PDF）"))
    label = forms.CharField(label=_("说明"), max_length=100, required=False)


STEP_FIELDS: dict[str, dict[str, forms.Field]] = {
    "submit": {},
    "county_pass": {
        "county_stars": forms.ChoiceField(label=_("县区审核星级"), choices=STARS),
        "notes": forms.CharField(label=_("审核意见"), max_length=1000, required=False),
    },
    "county_return": {"reason": forms.CharField(label=_("退回理由"), max_length=500)},
    "confirm": {
        "stars": forms.ChoiceField(label=_("确认星级"), choices=STARS),
        "notes": forms.CharField(label=_("确认意见"), max_length=1000, required=False),
    },
    "city_return": {"reason": forms.CharField(label=_("退回理由"), max_length=500)},
}


def step_form(action: str, data: Any = None) -> forms.Form:
    form = forms.Form(data, prefix=action)
    for name, field in STEP_FIELDS[action].items():
        form.fields[name] = field
    return form


class ImportForm(forms.Form):
    file = forms.FileField(label=_("服务阵地表格（XLSX/CSV）"))


class RatingForm(forms.Form):
    score = forms.ChoiceField(label=_("评分"), choices=STARS, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("评价（可不填）"), max_length=200, required=False)


class FindForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices, required=False)
    county = forms.ChoiceField(label=_("县区"), required=False)
    lat = forms.FloatField(min_value=3, max_value=54, required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(min_value=73, max_value=136, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, counties: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [("", _("按我的位置"))] + counties  # type: ignore[attr-defined]
