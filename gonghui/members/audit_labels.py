"""What the member registry's audit rows mean, in words (read by ``core.audit.describe``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit

audit.register_type(
    "member",
    "members.Member",
    url="members:detail",
    fields={"user": _("会员账号"), "request": _("会籍接转申请")},
)
audit.register_type("join_application", "members.JoinApplication")
audit.register_type(
    "transfer_request", "members.TransferRequest", fields={"request": _("会籍接转申请")}
)
audit.register_type("import_job", "core.ImportJob", url="members:import_job")
audit.GROUPS["join"] = _("入会申请")
audit.GROUPS["member_home"] = _("会员之家")
audit.register_actions(
    {
        "member.create": _("新增会员"),
        "member.rejoin": _("重新入会"),
        "member.update": _("修改会员"),
        "member.transfer": _("会籍接转"),
        "member.withdraw": _("退会"),
        "member.suspend": _("停会"),
        "member.transfer_out": _("转出"),
        "member.reinstate": _("恢复会籍"),
        "member.reveal": _("查看完整身份信息"),
        "member.portal_account": _("开通会员账号"),
        "member.import": _("导入名册"),
        "import.cancel": _("取消导入任务"),
        "import.retry": _("重试导入任务"),
        "member.export": _("导出名册"),
        "join.apply": _("申请入会"),
        "join.approve": _("批准入会"),
        "join.reject": _("驳回入会申请"),
        "member_home.set": _("设置会员之家"),
        "member.transfer_in": _("转入"),
        "member.lookup": _("按证件号或手机号查找"),
        "member.lookup_refused": _("查找被拒（超过次数）"),
        "transfer.apply": _("申请会籍接转"),
        "transfer.approve": _("同意转出"),
        "transfer.confirm": _("会员确认接转"),
        "transfer.lapse": _("逾期未异议，自动接转"),
        "transfer.refuse": _("拒绝转出"),
        "transfer.cancel": _("撤回接转申请"),
        "transfer.void": _("接转申请作废"),
    }
)
