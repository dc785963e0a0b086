"""Web forms of accounts: they parse input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from gonghui.core.roles import Role

PASSWORD_MAX_LENGTH = 1024  # hashing is deliberately slow: a megabyte "password" is work


class LoginForm(AuthenticationForm):
    """Django's login form with its bounds enforced: it sets the username's ``max_length``
    after the field is built, so no validator checks it, and an over-long or NUL-bearing
    name would reach the lockout's table (a 500 on PostgreSQL). Refused here as form errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        username_max = getattr(self.fields["username"], "max_length", None) or 150
        for name, limit in (("username", username_max), ("password", PASSWORD_MAX_LENGTH)):
            field = self.fields[name]
            field.widget.attrs["maxlength"] = str(limit)
            field.validators = [
                *field.validators,
                MaxLengthValidator(limit),
                ProhibitNullCharactersValidator(),
            ]


class UnlockForm(forms.Form):
    username = forms.CharField(required=False, max_length=150)
    ip_address = forms.GenericIPAddressField()


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("当前密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        value: str = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("当前密码不正确"))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致"))
        return data


class UserFilter(forms.Form):
    q = forms.CharField(label=_("用户名或姓名"), required=False, max_length=50)
    role = forms.ChoiceField(
        label=_("角色"), required=False, choices=[("", _("全部角色")), *Role.choices]
    )
    org = forms.CharField(label=_("组织代码"), required=False, max_length=32)


class UserEditForm(forms.Form):
    full_name = forms.CharField(label=_("姓名"), required=False, max_length=50)
    title = forms.CharField(label=_("职务/部门"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    org = forms.CharField(label=_("所属组织代码"), max_length=32)


class UserCreateForm(UserEditForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    email = forms.EmailField(label=_("电子邮箱"), required=False)

    field_order = ["username", "full_name", "title", "role", "org", "email"]
