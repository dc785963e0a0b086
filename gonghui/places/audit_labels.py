"""What the places' audit rows mean, in words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit

from .workflow import WORKFLOW

audit.register_type("places_place", "places.Place", url="places:detail")
audit.register_type("places_review", "places.Review", url="places:review")
audit.GROUPS["places"] = _("服务阵地")
audit.register_actions({f"places.{t.name}": _(t.label) for t in WORKFLOW.transitions})
audit.register_actions(
    {
        "places.create": _("新建服务阵地"),
        "places.update": _("修改服务阵地"),
        "places.rate": _("会员评价服务阵地"),
        "places.review_start": _("开始星级评定"),
        "places.review_update": _("填写星级自评"),
        "places.evidence": _("上传评定佐证材料"),
        "places.import": _("导入服务阵地"),
    }
)
