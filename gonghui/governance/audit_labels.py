"""What governance's audit rows mean, in words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit

audit.register_type("committee", "governance.Committee", url="governance:committee")
audit.register_type(
    "meeting",
    "governance.Meeting",
    url="governance:meeting",
    fields={
        "agenda_item": _("议程"),
        "person_name": _("姓名"),
        "present": _("到会"),
        "passed": _("通过"),
    },
)
audit.register_type("election", "governance.Election", url="governance:election")
audit.register_type("seat", "governance.Seat", fields={"until": _("离任日期")})
audit.GROUPS["governance"] = _("组织建设与选举")
audit.register_actions(
    {
        "governance.committee_create": _("新建委员会"),
        "governance.seat_elected": _("选举产生委员"),
        "governance.seat_by_elected": _("增补委员"),
        "governance.seat_released": _("免去职务"),
        "governance.seat_resigned": _("辞去职务"),
        "governance.meeting_create": _("筹备会议"),
        "governance.officers": _("确定计票人、监票人"),
        "governance.agenda_add": _("增加议程"),
        "governance.roll": _("确定应到人员"),
        "governance.checkin": _("签到"),
        "governance.checkout": _("取消签到"),
        "governance.open": _("宣布开会"),
        "governance.close": _("宣布闭会"),
        "governance.sign": _("签发会议纪要"),
        "governance.motion": _("议案表决"),
        "governance.election_create": _("安排选举"),
        "governance.open_round": _("开始投票"),
        "governance.count": _("计票"),
        "governance.codes": _("发放投票码"),
        "governance.ballot": _("收到无记名选票"),
        "governance.confirm": _("确认任职"),
    }
)
