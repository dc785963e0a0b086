"""What the kernel's own audit rows mean, in words (read by ``core.audit.describe``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit

audit.register_type("audit", "core.AuditEntry", label=_("审计日志"))
audit.register_actions({"audit.export": _("导出审计日志")})
