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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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

    def error(self, name: str, message: str) -> None:
        self.errors.append({"field": name, "message": message})


@lru_cache(maxsize=16)
def _choice_map(choices: type[models.TextChoices]) -> dict[str, str]:
    """Accept the stored code or the Chinese label, case- and width-insensitively."""
    out: dict[str, str] = {}
    for value, label in choices.choices:
        out[normalise(value)] = value
        out[normalise(str(label))] = value
    return out


@lru_cache(maxsize=1024)
def _choice_code(key: str, raw: str) -> str | None:
    """The code of a choice field's text (the code, its label or a known alias), None when
    unknown; cached, a roster repeats a handful of texts per column."""
    choices = _CHOICES[key]
    return _choice_map(choices).get(normalise(raw)) or _EXTRA_ALIASES.get(key, {}).get(raw)


_EXTRA_ALIASES: dict[str, dict[str, str]] = {
    "sex": {"男性": "M", "女性": "F", "1": "M", "2": "F"},
    "worker_type": {
        "合同制职工": "employee",
        "劳务工": "dispatched",
        "派遣": "dispatched",
        "新业态": "gig",
        "快递员": "gig",
        "外卖员": "gig",
        "网约车司机": "gig",
    },
    "education": {
        "中专": "senior",
        "技校": "senior",
        "高中": "senior",
        "本科及以上": "bachelor",
        "硕士": "postgrad",
        "博士": "postgrad",
        "专科": "college",
        "小学": "primary",
    },
    "model_worker": {
        "否": "",
        "无": "",
        "全国劳模": "national",
        "省部级劳模": "provincial",
        "省级劳模": "provincial",
        "市级劳模": "municipal",
    },
    "skill_level": {
        "初级": "5",
        "中级": "4",
        "高级": "3",
        "五级": "5",
        "四级": "4",
        "三级": "3",
        "二级": "2",
        "一级": "1",
    },
    "employment": {"在职": "employed", "退休人员": "retired", "待业": "unemployed"},
}
_CHOICES: dict[str, type[models.TextChoices]] = {
    "sex": Sex,
    "worker_type": WorkerType,
    "education": Education,
    "model_worker": ModelWorker,
    "skill_level": SkillLevel,
    "employment": Employment,
}


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


def clean_member(data: Mapping[str, Any], *, today: date | None = None) -> CleanResult:
    """Clean one member record. Keys are model field names; unknown keys are ignored;
    a key that is absent is left out of ``values`` (so an update keeps the stored value)."""
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
        code = _choice_code(key, raw)
        if code is None:
            labels = "、".join(str(label) for _v, label in choices.choices if label)
            result.error(key, _("无法识别“%(v)s”，可填：%(labels)s") % {"v": raw, "labels": labels})
        else:
            values[key] = code

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
                result.error("id_valid_until", _("证件有效期应为日期或“长期”"))

    for key in ("ethnicity", "employer_name"):
        if key in data:
            values[key] = " ".join(_text(data.get(key)).split())[:150]
    if values.get("ethnicity") and not values["ethnicity"].endswith("族"):
        values["ethnicity"] += "族"
    return result
