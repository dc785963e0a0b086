"""What the legal module's audit rows mean, in words (read by ``core.audit.describe``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit

from .workflow import WORKFLOW

audit.register_type("legal_case", "legal.Case", url="legal:case", name=lambda c: c.number)
audit.register_type("legal_consultation", "legal.Consultation", url="legal:consultation")
audit.register_type("legal_station", "legal.Station", url="legal:station")
audit.register_type("legal_staff", "legal.Staff")
audit.GROUPS["legal"] = _("法律援助")
audit.register_actions({f"legal.{t.name}": _(t.label) for t in WORKFLOW.transitions})
audit.register_actions(
    {
        "legal.apply": _("申请法律援助"),
        "legal.stage": _("记录办案阶段"),
        "legal.attach": _("上传案件材料"),
        "legal.rate": _("评价援助服务"),
        "legal.consult_ask": _("提出在线咨询"),
        "legal.consult_assign": _("分派在线咨询"),
        "legal.consult_reply": _("回复在线咨询"),
        "legal.consult_close": _("结束在线咨询"),
        "legal.station_create": _("新建维权服务站点"),
        "legal.station_update": _("修改维权服务站点"),
        "legal.staff_create": _("新增法律服务人员"),
        "legal.staff_update": _("修改法律服务人员"),
        "hotline.to_legal": _("工单转为法律援助案件"),
    }
)
