"""What collective bargaining's audit rows mean, in words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit

from .workflow import WORKFLOW

audit.register_type("bargaining_campaign", "bargaining.Campaign", url="bargaining:campaign")
audit.register_type("bargaining_thread", "bargaining.Thread", url="bargaining:thread")
audit.register_type("bargaining_contract", "bargaining.Contract", url="bargaining:contract")
audit.register_type("bargaining_request", "bargaining.WorkerRequest")
audit.GROUPS["bargaining"] = _("集体协商")
audit.register_actions({f"bargaining.{t.name}": _(t.label) for t in WORKFLOW.transitions})
audit.register_actions(
    {
        "bargaining.campaign_create": _("发起集中要约行动"),
        "bargaining.offer": _("加入要约企业"),
        "bargaining.letters_sent": _("登记要约书送达"),
        "bargaining.letters": _("生成要约书"),
        "bargaining.contract_record": _("登记集体合同"),
        "bargaining.request_sign": _("职工签名要求协商"),
    }
)
