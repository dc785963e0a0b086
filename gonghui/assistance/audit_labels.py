"""What the assistance audit rows mean, in words (read by ``core.audit.describe``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit

from .workflow import WORKFLOW

audit.register_type("family", "assistance.Family", url="assistance:detail")
audit.register_type("grant", "assistance.Grant", url="assistance:grant")
audit.register_type("campaign", "assistance.Campaign", url="assistance:campaign")
audit.register_type("dibao", "assistance.DibaoStandard")
audit.GROUPS["assistance"] = _("困难帮扶")
audit.register_actions({f"assistance.{t.name}": _(t.label) for t in WORKFLOW.transitions})
audit.register_actions(
    {
        "assistance.apply": _("提交困难职工申请"),
        "assistance.reveal": _("查看困难档案完整信息"),
        "assistance.attach": _("上传档案材料"),
        "assistance.dibao": _("设置低保标准"),
        "assistance.grant_create": _("发起救助"),
        "assistance.grant_approve": _("审批救助金"),
        "assistance.grant_refuse": _("退回救助申请"),
        "assistance.grant_paid": _("救助金已发放"),
        "assistance.campaign_create": _("发起慰问活动"),
        "assistance.campaign_close": _("结束慰问活动"),
        "assistance.recipients_add": _("导入慰问名单"),
        "assistance.recipients_approve": _("批量审批慰问名单"),
        "assistance.recipients_paid": _("确认慰问金发放结果"),
        "assistance.recipients_reissue": _("重新发放失败的慰问金"),
        "assistance.payments": _("生成慰问金代发批次"),
        "assistance.payments_sync": _("读取代发到账结果"),
        "assistance.export": _("导出困难帮扶名单"),
    }
)
