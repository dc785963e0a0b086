"""What the union tree's audit rows mean, in words (read by ``core.audit.describe``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit

audit.register_type("org", "orgs.Org", lookup="code", url="orgs:detail")
audit.register_type("enterprise", "orgs.Enterprise")
audit.GROUPS["demo"] = _("演示数据")
audit.register_actions(
    {
        "org.create": _("新建组织"),
        "org.update": _("修改组织"),
        "org.move": _("调整上级组织"),
        "org.deactivate": _("撤销组织"),
        "org.reactivate": _("恢复组织"),
        "enterprise.create": _("新建单位"),
        "enterprise.update": _("修改单位"),
        "demo.load": _("载入演示数据"),
    }
)
