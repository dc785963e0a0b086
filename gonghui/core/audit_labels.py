"""What the kernel's own audit rows mean, in words: public notices (公示) and objections."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit

audit.register_type("notice", "core.PublicNotice", url="notice")
audit.GROUPS["notice"] = _("公示")
audit.register_actions(
    {
        "notice.open": _("发布公示"),
        "notice.object": _("提出异议"),
        "notice.resolve": _("处理异议"),
    }
)
