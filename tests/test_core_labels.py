"""The label normaliser (``core.labels``) against the variants real rosters carry, field by
field: the standards' names (GB/T 4658, GB 3304, GB/T 4762, GB/T 2261.1), their qualifiers,
abbreviations, numeric codes, full-width text and stray spaces — and what it must not guess."""

from __future__ import annotations

import pytest

from gonghui.core import labels
from gonghui.members import validation
from gonghui.members.models import (
    Education,
    Employment,
    ModelWorker,
    Sex,
    SkillLevel,
    WorkerType,
)

# (field, text as written, code or None when it must not be recognised)
VARIANTS: list[tuple[str, str, str | None]] = [
    # GB/T 4658 education: names, qualifiers (毕业/及以下/全日制 …), numeric codes
    ("education", "初中及以下", "junior"),
    ("education", "硕士研究生", "postgrad"),
    ("education", "博士研究生", "postgrad"),
    ("education", "研究生", "postgrad"),
    ("education", "硕士", "postgrad"),
    ("education", "博士", "postgrad"),
    ("education", "研究生（硕士）", "postgrad"),
    ("education", "硕士研究生毕业", "postgrad"),
    ("education", "大学本科", "bachelor"),
    ("education", "本科", "bachelor"),
    ("education", "大学本科毕业", "bachelor"),
    ("education", "全日制本科", "bachelor"),
    ("education", "本科及以上", "bachelor"),
    ("education", " 本 科 ", "bachelor"),
    ("education", "本科\u3000", "bachelor"),
    ("education", "ｂａｃｈｅｌｏｒ", "bachelor"),
    ("education", "大专", "college"),
    ("education", "专科", "college"),
    ("education", "大学专科", "college"),
    ("education", "高职", "college"),
    ("education", "中专", "senior"),
    ("education", "职高", "senior"),
    ("education", "技校", "senior"),
    ("education", "高中", "senior"),
    ("education", "普通高中毕业", "senior"),
    ("education", "中等专科", "senior"),
    ("education", "技工学校", "senior"),
    ("education", "高中/中专/技校", "senior"),
    ("education", "初中", "junior"),
    ("education", "初中毕业", "junior"),
    ("education", "小学", "primary"),
    ("education", "小学及以下", "primary"),
    ("education", "文盲", "primary"),
    ("education", "21", "bachelor"),
    ("education", "１４", "postgrad"),
    ("education", "31", "college"),
    ("education", "47", "senior"),
    ("education", "71", "junior"),
    ("education", "其他", None),
    ("education", "90", None),
    ("education", "幼儿园", None),
    ("education", "及以下", None),
    # GB 3304 ethnic groups, with and without 族, numeric codes, everyday short names
    ("ethnicity", "汉", "汉族"),
    ("ethnicity", "汉族", "汉族"),
    ("ethnicity", " 汉 族 ", "汉族"),
    ("ethnicity", "汉族（汉）", "汉族"),
    ("ethnicity", "蒙古", "蒙古族"),
    ("ethnicity", "蒙族", "蒙古族"),
    ("ethnicity", "维吾尔", "维吾尔族"),
    ("ethnicity", "维族", "维吾尔族"),
    ("ethnicity", "回", "回族"),
    ("ethnicity", "01", "汉族"),
    ("ethnicity", "1", "汉族"),
    ("ethnicity", "03", "回族"),
    ("ethnicity", "56", "基诺族"),
    ("ethnicity", "土家", "土家族"),
    ("ethnicity", "土族", "土族"),
    ("ethnicity", "水族", "水族"),
    ("ethnicity", "朝鲜族", "朝鲜族"),
    ("ethnicity", "柯尔克孜族", "柯尔克孜族"),
    ("ethnicity", "穿青人", None),
    ("ethnicity", "外国血统", None),
    ("ethnicity", "57", None),
    # GB/T 4762 political status
    ("political_status", "中共党员", "01"),
    ("political_status", "中国共产党党员", "01"),
    ("political_status", "党员", "01"),
    ("political_status", "预备党员", "02"),
    ("political_status", "中共预备党员", "02"),
    ("political_status", "共青团员", "03"),
    ("political_status", "团员", "03"),
    ("political_status", "民盟盟员", "05"),
    ("political_status", "九三学社社员", "10"),
    ("political_status", "无党派人士", "12"),
    ("political_status", "群众", "13"),
    ("political_status", "1", "01"),
    ("political_status", "０１", "01"),
    ("political_status", "13", "13"),
    ("political_status", "信教群众", None),
    # GB/T 2261.1 sex
    ("sex", "男", "M"),
    ("sex", "女", "F"),
    ("sex", "男性", "M"),
    ("sex", "Ｍ", "M"),
    ("sex", "f", "F"),
    ("sex", "1", "M"),
    ("sex", "2", "F"),
    ("sex", "未知", None),
    # worker type
    ("worker_type", "职工", "employee"),
    ("worker_type", "合同制职工", "employee"),
    ("worker_type", "农民工", "migrant"),
    ("worker_type", "进城务工人员", "migrant"),
    ("worker_type", "劳务派遣", "dispatched"),
    ("worker_type", "派遣", "dispatched"),
    ("worker_type", "劳务派遣人员", "dispatched"),
    ("worker_type", "新就业形态", "gig"),
    ("worker_type", "新就业形态劳动者", "gig"),
    ("worker_type", "快递员", "gig"),
    ("worker_type", "外卖骑手", "gig"),
    ("worker_type", "网约车司机", "gig"),
    ("worker_type", "临时工", None),
    # skill level (国家职业资格)
    ("skill_level", "初级工", "5"),
    ("skill_level", "初级", "5"),
    ("skill_level", "五级", "5"),
    ("skill_level", "国家职业资格五级", "5"),
    ("skill_level", "中级工", "4"),
    ("skill_level", "四级", "4"),
    ("skill_level", "高级工", "3"),
    ("skill_level", "职业技能等级三级", "3"),
    ("skill_level", "技师", "2"),
    ("skill_level", "二级", "2"),
    ("skill_level", "高级技师", "1"),
    ("skill_level", "一级", "1"),
    ("skill_level", "无", "none"),
    ("skill_level", "特级技师", None),
    ("skill_level", "首席技师", None),
    # model worker
    ("model_worker", "否", ""),
    ("model_worker", "无", ""),
    ("model_worker", "全国劳动模范", "national"),
    ("model_worker", "全国劳模", "national"),
    ("model_worker", "省部级劳动模范", "provincial"),
    ("model_worker", "省级劳模", "provincial"),
    ("model_worker", "市级劳动模范", "municipal"),
    ("model_worker", "市劳模", "municipal"),
    ("model_worker", "县级劳模", None),
    # employment
    ("employment", "在岗", "employed"),
    ("employment", "在职", "employed"),
    ("employment", "灵活就业", "flexible"),
    ("employment", "失业", "unemployed"),
    ("employment", "待业", "unemployed"),
    ("employment", "退休", "retired"),
    ("employment", "退休人员", "retired"),
    ("employment", "离退休", "retired"),
    ("employment", "病休", None),
]


def _code(field: str, text: str) -> str | None:
    if field == "ethnicity":
        return validation.ethnicity_name(text)
    if field == "political_status":
        return labels.POLITICAL_STATUS.code(text)
    return validation.choice_code(field, text)


@pytest.mark.parametrize(("field", "text", "expected"), VARIANTS)
def test_label_variants(field: str, text: str, expected: str | None) -> None:
    assert _code(field, text) == expected


def test_every_field_is_in_the_table() -> None:
    fields = {f for f, _t, _c in VARIANTS}
    assert fields == {*validation.label_sets(), "ethnicity", "political_status"}
    for field in fields:
        assert any(c is None for f, _t, c in VARIANTS if f == field), field  # refusals too


@pytest.mark.parametrize(
    "choices", [Sex, WorkerType, Education, ModelWorker, SkillLevel, Employment]
)
def test_every_code_and_label_names_itself(choices: type) -> None:
    field = next(k for k, v in validation._CHOICES.items() if v is choices)
    for value, label in choices.choices:
        assert validation.choice_code(field, value or "否") == value
        assert validation.choice_code(field, str(label)) == value


def test_all_56_groups_by_name_short_name_and_code() -> None:
    assert len(labels.ETHNIC_GROUPS) == 56 == len(set(labels.ETHNIC_GROUPS))
    for number, name in enumerate(labels.ETHNIC_GROUPS, start=1):
        assert validation.ethnicity_name(name) == name
        assert validation.ethnicity_name(name.removesuffix("族")) == name
        assert validation.ethnicity_name(f"{number:02d}") == name


def test_fold() -> None:
    assert labels.fold("  Ａ Ｂ\u3000c ") == "abc"
    assert labels.fold("研究生（硕士）") == "研究生"
    assert labels.fold("（硕士）") == "硕士"
    assert labels.fold("—本科。") == "本科"
    assert labels.fold(None) == ""


def test_a_name_of_two_codes_is_refused() -> None:
    with pytest.raises(ValueError, match="names two codes"):
        labels.LabelSet("x", {"a": ["甲"], "b": ["甲"]})
