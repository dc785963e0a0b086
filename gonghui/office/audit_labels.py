"""What the office's audit rows mean, in words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit

DOCUMENT_KEYS = {"receipts": _("收文单位数"), "reminded": _("催办单位数")}
CALL_KEYS = {"targets": _("报送单位数"), "reminded": _("催报单位数")}
audit.register_type(
    "office_document", "office.Document", url="office:document", fields=DOCUMENT_KEYS
)
audit.register_type("office_incoming", "office.Incoming", url="office:incoming_detail")
audit.register_type("office_notice", "office.Notice", url="office:notice")
audit.register_type("office_call", "office.Call", url="office:call", fields=CALL_KEYS)
audit.register_type(
    "office_submission", "office.Submission", url="office:submission", fields={"rows": _("行数")}
)
audit.register_type("office_task", "office.Task", url="office:task")
audit.register_type("office_meeting", "office.Meeting", url="office:meeting")
audit.register_type("office_chain", "office.ChainStep", fields={"steps": _("审批步骤")})
audit.GROUPS["office"] = _("综合办公")
audit.register_actions(
    {
        "office.document_create": _("拟稿"),
        "office.document_update": _("修改公文"),
        "office.document_attach": _("上传公文附件"),
        "office.submit": _("公文送审"),
        "office.approve": _("公文审批"),
        "office.return": _("公文退回修改"),
        "office.distribute": _("公文分发"),
        "office.sign": _("公文签收"),
        "office.remind": _("催办签收"),
        "office.chain_set": _("修改审批流程"),
        "office.incoming_register": _("收文登记"),
        "office.incoming_propose": _("拟办"),
        "office.incoming_decide": _("批办"),
        "office.incoming_circulate": _("传阅"),
        "office.incoming_file": _("收文归档"),
        "office.notice_publish": _("发布通知公告"),
        "office.call_create": _("发起信息报送"),
        "office.call_pass_down": _("下发信息报送"),
        "office.call_remind": _("催报"),
        "office.call_close": _("截止信息报送"),
        "office.submission_fill": _("在线填报"),
        "office.submission_upload": _("上传报送表格"),
        "office.consolidate": _("汇总下级报送"),
        "office.submit_data": _("报送"),
        "office.submission_return": _("退回报送"),
        "office.task_create": _("交办督办事项"),
        "office.task_report": _("报告督办进展"),
        "office.task_close": _("督办事项办结"),
        "office.meeting_create": _("发出会议通知"),
        "office.meeting_signup": _("会议报名"),
        "office.meeting_checkin": _("会议签到"),
        "office.meeting_minutes": _("上传会议纪要"),
    }
)
