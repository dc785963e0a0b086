"""Web forms of the union tree: they parse input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import ALLOWED_CHILDREN, Org, OrgKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrgSearchForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("名称、简称、代码或信用代码")}),
    )
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *OrgKind.choices]
    )


class OrgForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    short_name = forms.CharField(label=_("简称"), max_length=50, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=OrgKind.choices)
    region_code = forms.CharField(label=_("行政区划代码"), max_length=12, required=False)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=40, required=False)
    founded_on = forms.DateField(label=_("成立日期"), required=False, widget=DATE)
    chair = forms.CharField(label=_("工会主席"), max_length=50, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    headcount = forms.IntegerField(label=_("职工人数"), min_value=0, required=False)

    @classmethod
    def for_org(cls, org: Org, data: Any = None) -> OrgForm:
        initial = {name: getattr(org, name) for name in cls.base_fields}
        return cls(data, initial=initial)


class OrgCreateForm(OrgForm):
    code = forms.CharField(label=_("组织代码"), max_length=32)

    field_order = ["code", "name", "short_name", "kind"]

    def __init__(self, parent: Org, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_CHILDREN[parent.kind]
        kind: Any = self.fields["kind"]
        kind.choices = [(k, label) for k, label in OrgKind.choices if k in allowed]


class OrgMoveForm(forms.Form):
    parent = forms.CharField(
        label=_("新的上级组织代码"),
        max_length=32,
        widget=forms.TextInput(attrs={"list": "parent-options", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Typing a code or name fills the <datalist> with matching orgs of the user's scope.
        self.fields["parent"].widget.attrs.update(
            {
                "hx-get": reverse("orgs:search") + "?format=options",
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#parent-options",
            }
        )


class OrgDeactivateForm(forms.Form):
    reason = forms.CharField(
        label=_("撤销原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
