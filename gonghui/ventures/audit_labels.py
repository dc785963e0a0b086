"""What the ventures module's audit rows mean, in words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gonghui.core import audit

from .workflow import VENTURE

audit.register_type("ventures_park", "ventures.Park", url="ventures:park")
audit.register_type("ventures_venture", "ventures.Venture", url="ventures:venture")
audit.register_type("ventures_person", "ventures.Person")
audit.GROUPS["ventures"] = _("工友创业园")
audit.register_actions({f"ventures.{t.name}": _(t.label) for t in VENTURE.transitions})
audit.register_actions(
    {
        "ventures.park_create": _("登记工友创业园"),
        "ventures.park_update": _("修改工友创业园"),
        "ventures.venture_create": _("登记创业项目"),
        "ventures.venture_update": _("修改创业项目"),
        "ventures.person_add": _("登记带动就业人员"),
        "ventures.person_end": _("登记人员离职"),
        "ventures.people_import": _("导入带动就业人员"),
        "ventures.nominate": _("推荐“农民工之星”"),
    }
)
