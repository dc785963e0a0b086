"""What the honours' audit rows mean, in words (read by ``core.audit.describe``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit

from .models import Body
from .workflow import ROUND

audit.register_type("round", "honors.Round", url="honors:round")
audit.register_type(
    "nomination",
    "honors.Nomination",
    url="honors:nomination",
    fields={b.value: b.label for b in Body},
)
audit.register_type("honour", "honors.Honour")
audit.register_type("award", "honors.Award")
audit.register_type("vote", "honors.Vote", fields={"nomination": _("候选人")})
audit.register_type(
    "competition",
    "honors.Competition",
    url="honors:competition",
    fields={
        "name": _("名称"),
        "weight": _("权重"),
        "max_score": _("满分"),
        "unit": _("计量单位"),
        "position": _("顺序"),
        "competition": _("劳动竞赛"),
        "created": _("新增得分"),
        "updated": _("修改得分"),
        "cleared": _("清除得分"),
        "nominations": _("推荐对象"),
    },
)
audit.GROUPS["honors"] = _("评先评优")
audit.register_actions({f"honors.{t.name}": _(t.label) for t in ROUND.transitions})
audit.register_actions(
    {
        "honors.award_create": _("新增荣誉"),
        "honors.award_update": _("修改荣誉"),
        "honors.round_create": _("发起评选"),
        "honors.allot": _("分配名额"),
        "honors.nominate": _("推荐"),
        "honors.select": _("审核上报"),
        "honors.withdraw": _("撤回推荐"),
        "honors.stop": _("终止推荐"),
        "honors.attach": _("上传推荐材料"),
        "honors.vet": _("登记征求意见"),
        "honors.vote_cast": _("会员投票"),
        "honors.score": _("专家评分"),
        "honors.visit": _("实地考察"),
        "honors.honour": _("命名表彰"),
        "honors.competition_create": _("发起劳动竞赛"),
        "honors.competition_start": _("竞赛开始"),
        "honors.competition_finish": _("竞赛结束"),
        "honors.competition_join": _("参赛单位报名"),
        "honors.competition_score": _("登记竞赛成绩"),
        "honors.competition_phase": _("设置竞赛阶段"),
        "honors.competition_indicator": _("设置竞赛指标"),
        "honors.competition_scores": _("登记指标得分"),
        "honors.competition_nominate": _("按竞赛排名推荐"),
    }
)
