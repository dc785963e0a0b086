"""What the hotline's audit rows mean, in words (read by ``core.audit.describe``): the
workflow's own step labels (``hotline.dispatch`` → 派单) and the steps outside it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit

from .workflow import NOTES, WORKFLOW


def _ticket_name(ticket: Any) -> str:
    """A work order as people say it: its number and its topic."""
    return f"{ticket} {ticket.topic.name}" if ticket.topic_id else str(ticket)


audit.register_type(
    "ticket",
    "hotline.Ticket",
    url="hotline:detail",
    name=_ticket_name,
    related=("topic",),
)
audit.GROUPS["hotline"] = _("热线工单")
audit.register_actions({f"hotline.{t.name}": _(t.label) for t in WORKFLOW.transitions})
audit.register_actions({f"hotline.{n.name}": _(n.label) for n in NOTES.values()})
audit.register_actions(
    {
        "hotline.create": _("受理工单"),
        "hotline.attach": _("上传附件"),
        "hotline.rate": _("会员评价"),
        "hotline.reveal": _("查看来电人信息"),
        "hotline.tick": _("黄牌红牌检查"),
        "hotline.import": _("导入省平台转办单"),
    }
)
