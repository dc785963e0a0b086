"""What the payment machinery's audit rows mean, in words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit

audit.register_type(
    "payment_batch",
    "payments.Batch",
    url="payments:detail",
    fields={"line_count": _("明细笔数"), "total": _("合计金额（元）")},
)
audit.register_type(
    "payment_line", "payments.Line", name=lambda line: f"代发批次{line.batch_id}第{line.seq}行"
)
audit.GROUPS["payments"] = _("代发支付")
audit.register_actions(
    {
        "payments.batch_create": _("新建代发批次"),
        "payments.line_add": _("添加代发明细"),
        "payments.lines_add": _("批量添加代发明细"),
        "payments.line_override": _("重复支付（已说明理由）"),
        "payments.line_remove": _("删除代发明细"),
        "payments.submit": _("提交审批"),
        "payments.recall": _("撤回修改"),
        "payments.approve": _("审批通过"),
        "payments.export": _("导出银行代发文件"),
        "payments.confirm": _("导入银行回单"),
        "payments.reverse": _("冲正"),
        "payments.reissue": _("重发"),
        "payments.reissue_mark": _("标记为已重发"),
    }
)
