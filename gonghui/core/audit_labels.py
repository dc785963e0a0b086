"""What the kernel's own audit rows mean, in words: public notices (公示) and objections, the
audit log's own export."""

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
audit.register_type("audit", "core.AuditEntry", label=_("审计日志"))
audit.register_actions({"audit.export": _("导出审计日志")})
audit.register_type("fieldkey", "core.FieldKeyRotation", label=_("字段密钥轮换"))
audit.register_actions(
    {
        "fieldkey.rotate_start": _("开始轮换字段密钥"),
        "fieldkey.rotate_resume": _("继续轮换字段密钥"),
        "fieldkey.rotate_finish": _("完成字段密钥轮换，退役旧密钥"),
    }
)
