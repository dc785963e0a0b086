"""What the union-fee module's audit rows mean, in words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit

audit.register_type("refund", "funds.RefundApplication", url="funds:application")
audit.register_type("fee_import", "funds.CollectionImport", url="funds:import_detail")
audit.register_type("fee_line", "funds.FeeLine")
audit.register_type("fund_size", "funds.EnterpriseSize")
audit.register_type("fund_size_import", "funds.SizeImport", url="funds:size_import")
audit.register_type("refund_policy", "funds.RefundPolicy")
audit.register_type("refund_round", "funds.RefundRound", url="funds:round")
audit.GROUPS["funds"] = _("工会经费")
audit.register_actions(
    {
        "funds.size": _("登记单位规模数据"),
        "funds.import": _("导入经费征收数据"),
        "funds.reverse": _("冲正经费台账"),
        "funds.apply": _("申请经费返还"),
        "funds.check": _("审核返还申请"),
        "funds.approve": _("批准返还"),
        "funds.refuse": _("不予返还"),
        "funds.pay": _("返还到账"),
        "funds.policy": _("设置返还政策"),
        "funds.letter": _("出具返还告知书"),
        "funds.size_import": _("导入单位规模数据"),
    }
)
