"""What the accounts' audit rows mean, in words (read by ``core.audit.describe``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit

audit.register_type("user", "accounts.User", url="user_detail", related=("org",))
audit.register_type("api_token", "accounts.ApiToken", label=_("API 令牌"))
audit.GROUPS["token"] = _("API 令牌")
audit.register_actions(
    {
        "user.create": _("新建账号"),
        "user.update": _("修改账号"),
        "user.activate": _("启用账号"),
        "user.deactivate": _("停用账号"),
        "user.password": _("重置密码"),
        "token.issue": _("签发令牌"),
        "token.revoke": _("吊销令牌"),
    }
)
