"""The standards each kind of place is checked against, as data (DOMAIN.md, "Places").

- 户外劳动者驿站 "六有": a unified sign and name, a sensible location, facilities, services,
  management rules, findable on a map.
- 工人文化宫: the "六有" conditions and the "3+X" activity standard the seed page names
  ("严格按照工人文化宫“六有”条件、正常开展“3+X”活动标准进行提档升级"). The page does not spell
  them out; the items below are how federations' upgrading documents commonly phrase them
  (six conditions; three standing lines of activity plus at least one of the palace's own) and,
  being data, can be changed here without touching any code.
- 职工之家: the "六有工会" grassroots standard and the 模范职工之家 conditions (membership
  ≥ 90 %, members' satisfaction ≥ 90 %, contracts signed, fees paid).
- 会员之家: the township's or street's home for workers of union-less employers.

A review's star rating is capped by the checklist: each item not met lowers the highest
rating one star (``max_stars``), never below one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

STATION = (
    ("sign", _("统一标识和名称")),
    ("location", _("选址合理、便于找到")),
    ("facilities", _("设施齐全（饮水、休息、充电、加热、如厕、药箱）")),
    ("services", _("服务内容和时间公开")),
    ("rules", _("管理制度健全、有专人负责")),
    ("map", _("可在地图上查询")),
)
PALACE = (
    ("venue", _("有活动场地")),
    ("equipment", _("有设施设备")),
    ("staff", _("有专职队伍")),
    ("funds", _("有稳定经费")),
    ("rules", _("有管理制度")),
    ("brand", _("有品牌活动")),
    ("x3_education", _("“3+X”：常态开展职工思想教育")),
    ("x3_training", _("“3+X”：常态开展职工技能培训")),
    ("x3_culture", _("“3+X”：常态开展职工文体活动")),
    ("x_feature", _("“3+X”：至少一项特色活动")),
)
WORKERS_HOME = (
    ("chair", _("依法民主选举工会主席")),
    ("organisation", _("组织机构健全")),
    ("venue", _("有活动阵地")),
    ("rules", _("有工作制度")),
    ("funds", _("工会经费自主管理")),
    ("membership", _("职工入会率不低于90%")),
    ("satisfaction", _("会员满意度不低于90%")),
    ("contracts", _("签订集体合同")),
    ("fees", _("足额缴纳工会经费")),
)
MEMBERS_HOME = (
    ("venue", _("有固定服务场所")),
    ("sign", _("有统一标识")),
    ("rules", _("有管理制度")),
    ("services", _("有服务项目")),
    ("activities", _("有经常性活动")),
    ("online", _("可线上申请入会")),
)

CHECKLISTS: dict[str, tuple[tuple[str, Any], ...]] = {
    "station": STATION,
    "palace": PALACE,
    "workers_home": WORKERS_HOME,
    "members_home": MEMBERS_HOME,
}


def items(kind: str) -> tuple[tuple[str, Any], ...]:
    return CHECKLISTS.get(kind, ())


def clean(kind: str, values: Mapping[str, Any] | None) -> dict[str, bool]:
    """The checklist of ``kind`` with every item present: unknown keys are dropped."""
    values = values or {}
    return {key: bool(values.get(key)) for key, _label in items(kind)}


def missing(kind: str, values: Mapping[str, Any] | None) -> list[str]:
    checked = clean(kind, values)
    return [key for key, ok in checked.items() if not ok]


def max_stars(kind: str, values: Mapping[str, Any] | None) -> int:
    """The highest star rating the checklist allows: five, one less per item not met."""
    return max(1, 5 - len(missing(kind, values)))


def labelled(kind: str, values: Mapping[str, Any] | None) -> list[tuple[str, str, bool]]:
    checked = clean(kind, values)
    return [(key, str(label), checked[key]) for key, label in items(kind)]
