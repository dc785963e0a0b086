"""Validation of one member record, shared by the form, the API and the roster import.

``clean_member(data)`` takes raw values keyed by model field name (strings from a spreadsheet,
Excel date serials, Python dates …) and returns the cleaned values, the errors (each naming
its field) and the warnings. It is on the import's hot path: no database access, no pinyin,
no encryption here — only parsing and cross-checks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import labels
from gonghui.core.identifiers import normalise, normalise_mobile, parse_citizen_id

from .models import Education, Employment, ModelWorker, Sex, SkillLevel, WorkerType

_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_MONTH_PATTERN = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_NAME = re.compile(r"^[\u3400-\u9fff\u00b7·A-Za-z\s]{2,50}$")

FIELD_LABELS = {
    "name": gettext_lazy("姓名"),
    "id_number": gettext_lazy("身份证号"),
    "sex": gettext_lazy("性别"),
    "ethnicity": gettext_lazy("民族"),
    "birth_date": gettext_lazy("出生日期"),
    "phone": gettext_lazy("手机号"),
    "education": gettext_lazy("学历"),
    "employment": gettext_lazy("就业状态"),
    "skill_level": gettext_lazy("技能等级"),
    "employer_name": gettext_lazy("工作单位"),
    "worker_type": gettext_lazy("职工类型"),
    "model_worker": gettext_lazy("劳模类型"),
    "joined_on": gettext_lazy("入会日期"),
    "id_valid_until": gettext_lazy("证件有效期至"),
}


@dataclass
class CleanResult:
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # descriptive values not used as given (``lenient``): the import's warnings sheet
    unrecognised: list[Unrecognised] = field(default_factory=list)

    def error(self, name: str, message: str) -> None:
        self.errors.append({"field": name, "message": message})


@dataclass(frozen=True)
class Unrecognised:
    """A descriptive value the import could not use as it is: the person is imported and
    the row listed in the result workbook's warnings sheet."""

    field: str
    value: str
    action: str


# Names beside the national standards' (``core.labels``) for the registry's own coded fields:
# the labels of the local forms and HR systems. The normaliser takes qualifiers off (see
# ``core.labels``), so only root names are listed.
_NAMES: dict[str, dict[str, list[str]]] = {
    "sex": labels.SEX_NAMES,
    "education": labels.EDUCATION_NAMES,
    "worker_type": {
        "employee": ["合同制", "合同制职工", "合同工", "正式工", "固定工", "在编", "员工", "职员"],
        "migrant": ["进城务工", "外来务工", "务工"],
        "dispatched": ["派遣", "派遣工", "劳务工", "劳务派遣工", "劳务"],
        "gig": [
            "新业态",
            "新就业形态劳动者",
            "快递员",
            "快递",
            "外卖员",
            "外卖骑手",
            "骑手",
            "网约车司机",
            "网约配送员",
            "货车司机",
        ],
    },
    "skill_level": {
        "none": ["没有", "无等级", "未评定", "未取得"],
        "5": ["五级", "初级", "初级技能"],
        "4": ["四级", "中级", "中级技能"],
        "3": ["三级", "高级", "高级技能"],
        "2": ["二级"],
        "1": ["一级"],
    },
    "model_worker": {
        "": ["无", "不是", "非", "没有"],
        "national": ["全国劳模", "全国先进工作者", "全国级", "国家级"],
        "provincial": ["省部级劳模", "省级劳动模范", "省级劳模", "省劳模", "省部级", "省级"],
        "municipal": ["市级劳模", "市劳模", "市级"],
    },
    "employment": {
        "employed": ["在职", "就业", "在业", "正常"],
        "flexible": ["灵活"],
        "unemployed": ["待业", "无业", "下岗"],
        "retired": ["离退休", "离休", "已退休"],
    },
}
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "education": labels.EDUCATION_SUFFIXES,
    "worker_type": ("人员", "劳动者", "职工"),
    "skill_level": ("职业资格", "技能等级", "等级", "资格", "证书", "工"),
    "model_worker": ("荣誉称号", "称号"),
    "employment": ("人员", "状态"),
}
_PREFIXES: dict[str, tuple[str, ...]] = {
    "education": labels.EDUCATION_PREFIXES,
    "skill_level": ("国家职业资格", "职业资格", "职业技能等级", "技能等级"),
}
_CHOICES: dict[str, type[models.TextChoices]] = {
    "sex": Sex,
    "worker_type": WorkerType,
    "education": Education,
    "model_worker": ModelWorker,
    "skill_level": SkillLevel,
    "employment": Employment,
}


@lru_cache(maxsize=1)
def label_sets() -> dict[str, labels.LabelSet]:
    """Each coded field's ``core.labels.LabelSet``: the model's own labels (in Chinese, the
    language of the files) and the names above."""
    with translation.override("zh-hans"):
        return {
            key: labels.LabelSet(
                key,
                labels.merge(
                    {value: [str(label)] for value, label in choices.choices},
                    _NAMES.get(key, {}),
                ),
                suffixes=_SUFFIXES.get(key, ()),
                prefixes=_PREFIXES.get(key, ()),
            )
            for key, choices in _CHOICES.items()
        }


def choice_code(key: str, raw: str) -> str | None:
    """The code of a coded field's text (its code, its label, a standard's name or variant),
    None when unknown."""
    return label_sets()[key].code(raw)


def ethnicity_name(raw: str) -> str | None:
    """The standard name of an ethnic group ("汉" → "汉族"), None when not one of the 56."""
    return labels.ETHNICITY.code(raw)


# What the import does with a coded value it does not recognise: leave the field as it is
# (empty, the default for a new member, the stored value for a known one).
_DEFAULTS = {"worker_type": WorkerType.EMPLOYEE, "employment": Employment.EMPLOYED}


def parse_date(value: Any) -> date:
    """A date from a Python date, an Excel serial, or text (2020-01-05, 2020/1/5, 2020年1月5日,
    20200105, 2020-01 → the 1st). Raises ValueError."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's own range
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(value)
    return _parse_date_text(str(value))


@lru_cache(maxsize=65536)
def _parse_date_text(value: str) -> date:
    """``parse_date`` of a text; cached, a roster repeats its dates (a few thousand distinct
    join dates over a million rows). A ValueError is not cached."""
    text = normalise(value)
    if text.replace(".", "", 1).isdigit() and len(text) <= 7 and "." not in text[:1]:
        serial = float(text)
        if 1 <= serial < 2958466:
            return _EXCEL_EPOCH + timedelta(days=int(serial))
    if len(text) >= 10 and text[10:11] in ("T", "") and text[4:5] == "-":
        text = text[:10]  # "2020-01-05 00:00:00" from some spreadsheets, "T…" from JSON
    elif " " in str(value).strip():
        text = normalise(str(value).strip().split(" ")[0])
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
    m = _MONTH_PATTERN.match(text)
    if m:
        return date(int(m[1]), int(m[2]), 1)
    raise ValueError(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def clean_member(
    data: Mapping[str, Any], *, today: date | None = None, lenient: bool = False
) -> CleanResult:
    """Clean one member record. Keys are model field names; unknown keys are ignored;
    a key that is absent is left out of ``values`` (so an update keeps the stored value).

    ``lenient`` (the roster import): a descriptive value that is not recognised — a coded
    field's text, an ethnic group outside the 56, a sex the ID number decides anyway, an
    ID validity that is no date — is no error: the value is left out (kept as written where
    the field is free text) and listed in ``unrecognised``. The person is refused only for
    what makes the record unusable or wrong: no name, a bad or contradictory ID, a bad
    mobile, an impossible date."""
    today = today or date.today()
    result = CleanResult()
    values = result.values

    name = " ".join(_text(data.get("name")).split())
    if _CJK.search(name):
        name = name.replace(" ", "")  # "王 强" typed with a space is 王强
    if not name:
        result.error("name", _("姓名不能为空"))
    elif not _NAME.match(name):
        result.error("name", _("姓名只能包含汉字、字母、间隔号，2至50字"))
    else:
        values["name"] = name

    raw_id = _text(data.get("id_number"))
    parsed = None
    if not raw_id:
        result.error("id_number", _("身份证号不能为空"))
    else:
        try:
            parsed = parse_citizen_id(raw_id, today=today)
        except ValidationError as exc:
            result.error("id_number", exc.messages[0])
        else:
            values["id_number"] = parsed.number
            result.warnings.extend(parsed.warnings)
            if parsed.upgraded_from:
                result.warnings.append(_("15位身份证号已升为18位"))

    for key, choices in _CHOICES.items():
        if key not in data:
            continue
        raw = _text(data.get(key))
        if not raw:
            continue
        code = choice_code(key, raw)
        if code is not None:
            values[key] = code
        elif lenient and key == "sex" and parsed is not None:
            shown = label_sets()["sex"].label(parsed.sex)
            result.unrecognised.append(
                Unrecognised(key, raw, _("无法识别，按身份证号记为“%(label)s”") % {"label": shown})
            )
        elif lenient and key != "sex":
            action = _("无法识别，此项未导入")
            if key in _DEFAULTS:
                shown = label_sets()[key].label(_DEFAULTS[key])
                action = _("无法识别，此项未导入（新会员记为“%(label)s”）") % {"label": shown}
            result.unrecognised.append(Unrecognised(key, raw, action))
        else:
            names = "、".join(str(label) for _v, label in choices.choices if label)
            result.error(key, _("无法识别“%(v)s”，可填：%(labels)s") % {"v": raw, "labels": names})

    if "birth_date" in data and _text(data.get("birth_date")):
        try:
            values["birth_date"] = parse_date(data["birth_date"])
        except ValueError:
            result.error("birth_date", _("出生日期无法识别：%(v)s") % {"v": data["birth_date"]})

    if parsed is not None:
        # The ID is the source of truth for sex and birth date; a contradiction rejects.
        if "sex" in values and values["sex"] != parsed.sex:
            result.error("sex", _("性别与身份证号不符"))
        if "birth_date" in values and values["birth_date"] != parsed.birth_date:
            result.error("birth_date", _("出生日期与身份证号不符"))
        values["sex"] = parsed.sex
        values["birth_date"] = parsed.birth_date
        if parsed.birth_date > today - timedelta(days=16 * 365):
            result.error("id_number", _("未满16周岁，不能入会"))
    elif "sex" not in values and not result.errors:
        result.error("sex", _("性别不能为空"))

    if "phone" in data:
        raw_phone = _text(data.get("phone"))
        if raw_phone:
            try:
                values["phone"] = normalise_mobile(raw_phone)
            except ValidationError as exc:
                result.error("phone", exc.messages[0])
        else:
            values["phone"] = ""

    if "joined_on" in data:
        raw_joined = data.get("joined_on")
        if raw_joined is None or _text(raw_joined) == "":
            result.error("joined_on", _("入会日期不能为空"))
        else:
            try:
                joined = parse_date(raw_joined)
            except ValueError:
                result.error("joined_on", _("入会日期无法识别：%(v)s") % {"v": raw_joined})
            else:
                if joined > today:
                    result.error("joined_on", _("入会日期不能晚于今天"))
                elif parsed is not None and joined < parsed.birth_date + timedelta(days=14 * 365):
                    result.error("joined_on", _("入会日期早于本人14周岁"))
                else:
                    values["joined_on"] = joined

    if "id_valid_until" in data:
        raw_valid = _text(data.get("id_valid_until"))
        if raw_valid in ("", "长期", "長期"):
            values["id_valid_until"] = raw_valid and "长期"
        else:
            try:
                values["id_valid_until"] = parse_date(data["id_valid_until"]).isoformat()
            except ValueError:
                if lenient:
                    result.unrecognised.append(
                        Unrecognised("id_valid_until", raw_valid, _("无法识别，此项未导入"))
                    )
                else:
                    result.error("id_valid_until", _("证件有效期应为日期或“长期”"))

    if "employer_name" in data:
        values["employer_name"] = " ".join(_text(data.get("employer_name")).split())[:150]
    if "ethnicity" in data:
        _ethnicity(result, " ".join(_text(data.get("ethnicity")).split()), lenient=lenient)
    return result


ETHNICITY_MAX = 20  # Member.ethnicity's max_length


def _ethnicity(result: CleanResult, raw: str, *, lenient: bool) -> None:
    """One of the 56 groups by its standard name; another text is kept as written (a form
    may say 穿青人, 外国血统 …), with a warning in an import."""
    name = ethnicity_name(raw) if raw else ""
    if name is not None:
        result.values["ethnicity"] = name
        return
    if len(raw) <= ETHNICITY_MAX:
        result.values["ethnicity"] = raw
        if lenient:
            action = _("不是56个民族的名称，已按原文保存")
            result.unrecognised.append(Unrecognised("ethnicity", raw, action))
    elif lenient:
        result.values["ethnicity"] = raw[:ETHNICITY_MAX]
        action = _("不是56个民族的名称，已保存前%(n)d字") % {"n": ETHNICITY_MAX}
        result.unrecognised.append(Unrecognised("ethnicity", raw, action))
    else:
        result.error("ethnicity", _("民族不能超过%(n)d字") % {"n": ETHNICITY_MAX})
