"""The first topic list (two levels) and the default deadline rules; both are configurable
afterwards. Written only where missing, so re-running changes nothing."""

from __future__ import annotations

from typing import Any

from django.db import migrations

TOPICS: list[tuple[str, str, list[str]]] = [
    ("01", "欠薪", ["拖欠工资", "拖欠农民工工资", "克扣工资", "加班费", "最低工资"]),
    ("02", "劳动合同", ["未签订劳动合同", "试用期", "合同变更", "竞业限制"]),
    ("03", "社会保险", ["未缴纳社会保险", "养老保险", "医疗保险", "失业保险", "生育保险"]),
    ("04", "工伤", ["工伤认定", "工伤待遇", "职业病"]),
    ("05", "解除劳动关系", ["违法解除", "经济补偿", "辞职", "裁员"]),
    ("06", "工会权益", ["建会入会", "会籍接转", "工会经费", "工会干部权益"]),
    ("07", "困难帮扶", ["困难职工帮扶", "医疗救助", "助学", "送温暖"]),
    ("08", "工时休假", ["加班", "带薪年休假", "休息休假"]),
    ("09", "劳动安全卫生", ["劳动条件", "安全生产", "劳动保护用品"]),
    ("10", "女职工权益", ["孕期产期哺乳期", "性别歧视", "特殊劳动保护"]),
    ("11", "法律援助", ["法律咨询", "代理仲裁诉讼", "调解"]),
    ("12", "心理咨询", ["职场压力", "人际关系", "家庭情感"]),
    ("13", "就业创业", ["就业培训", "创业扶持", "职业介绍"]),
    ("99", "其他", ["其他问题"]),
]

# category → complexity → working days (DOMAIN.md: 15 for demands; extension 7)
RULES = {
    "consult": {"normal": 3, "hard": 5, "complex": 10},
    "demand": {"normal": 15, "hard": 20, "complex": 30},
    "suggestion": {"normal": 15, "hard": 20, "complex": 30},
}


def seed(apps: Any, schema_editor: Any) -> None:
    Topic = apps.get_model("hotline", "Topic")
    DeadlineRule = apps.get_model("hotline", "DeadlineRule")
    known = set(Topic.objects.values_list("code", flat=True))
    for i, (code, name, children) in enumerate(TOPICS):
        parent = Topic.objects.filter(code=code).first()
        if parent is None:
            parent = Topic.objects.create(code=code, name=name, sort=i)
        for j, child in enumerate(children, start=1):
            child_code = f"{code}{j:02d}"
            if child_code not in known:
                Topic.objects.create(code=child_code, name=child, parent=parent, sort=j)
    for category, by_complexity in RULES.items():
        for complexity, days in by_complexity.items():
            DeadlineRule.objects.get_or_create(
                category=category,
                complexity=complexity,
                defaults={"days": days, "extension_days": 7},
            )


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_tickets_topics_deadline_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
