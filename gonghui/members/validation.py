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


def _name_text(value: Any) -> str:
    """A name cell with its spaces settled (not yet checked)."""
    name = " ".join(_text(value).split())
    if _CJK.search(name):
        name = name.replace(" ", "")  # "王 强" typed with a space is 王强
    return name


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

    name = _name_text(data.get("name"))
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


# --- many rows of one roster -------------------------------------------------------------

# A row as ``RowCleaner.clean`` returns it: the cleaned values in this order (database form:
# dates as ISO text, absent optional fields as their defaults), then the unrecognised values
# as ``(field, value, action)`` triples in ``clean_member``'s order.
CLEANED = (
    "name",
    "name_pinyin",
    "name_initials",
    "sex",
    "ethnicity",
    "id_number",
    "birth_date",
    "id_valid_until",
    "education",
    "employment",
    "skill_level",
    "phone",
    "employer_name",
    "worker_type",
    "model_worker",
    "joined_on",
)
Cleaned = tuple[Any, ...]

_ISO_ID = re.compile(r"[0-9]{17}[0-9X]")
_ODD = frozenset("13579")
# the import's defaults for a new member (``importing._prepare_chunk``)
_ROW_DEFAULTS = {"employment": Employment.EMPLOYED.value, "worker_type": WorkerType.EMPLOYEE.value}
_NOTHING: tuple[Any, ...] = ()
_CACHE_MAX = 200_000  # distinct texts a field's cache holds before it starts again


class _Unsettled(Exception):
    """The fast path cannot answer for this row: ``clean_member`` does."""


class RowCleaner:
    """``clean_member(..., lenient=True)`` for the rows of one roster, at a fraction of the
    cost, with exactly its results.

    A roster repeats its texts — a few labels per coded column, a few thousand dates, many
    names — so each column's cell is cleaned once per distinct text and the answer kept (for
    a descriptive column by ``clean_member`` itself, given that one field). The two cells
    that differ on every row are checked inline on the common form: an 18-character citizen
    ID (its birth date cached, its check character from cached partial sums) and an
    11-digit mobile. Whatever the fast path is not sure of — any error, a 15-digit or
    full-width ID, a mobile written another way, a sex the ID contradicts or that is not
    recognised, a cell that is not text — is handed to ``clean_member`` for the whole row,
    so every error and its message is ``clean_member``'s by construction; the property test
    (``tests/test_members_import_checks.py``) holds the two paths equal on every edge.

    ``clean(cells)`` returns ``(CLEANED values…, unrecognised triples)`` or, when the row
    is rejected, the ``CleanResult`` with its errors.
    """

    def __init__(self, columns: Mapping[str, int], *, today: date) -> None:
        self.columns = dict(columns)
        self.today = today
        self.adult_born_by = today - timedelta(days=16 * 365)
        self._name: dict[str, tuple[str, str, str] | None] = {}
        self._births: dict[str, tuple[date, str, int] | None] = {}
        self._regions: dict[str, int] = {}
        self._dates: dict[Any, tuple[date, str] | None] = {}
        # field → text → (value, unrecognised triple or None), None when the field's text is
        # an error or needs the row (sex)
        self._fields: dict[str, dict[Any, tuple[Any, tuple[str, str, str] | None] | None]] = {
            name: {} for name in self.columns
        }
        order = [
            "sex",
            *(k for k in _CHOICES if k != "sex"),
            "id_valid_until",
            "employer_name",
            "ethnicity",
        ]
        # descriptive fields present, in the order clean_member lists their warnings
        self._described = tuple(
            (name, self.columns[name], self._fields[name]) for name in order if name in columns
        )
        self._index = {
            name: self.columns.get(name) for name in ("name", "id_number", "phone", "birth_date")
        }
        self._joined = self.columns.get("joined_on")
        self._width = max(self.columns.values(), default=-1) + 1
        if "name" not in self.columns or "id_number" not in self.columns:
            self._width = 1 << 62  # no fast path without them: clean_member says what is missing
        self._seq = {f"{n:03d}": _seq_sum(f"{n:03d}") for n in range(1000)}
        from .services import name_pinyin  # services imports this module

        self._pinyin = name_pinyin

    # -- the row --------------------------------------------------------------------------

    def clean(self, cells: list[Any]) -> Cleaned | CleanResult:
        if len(cells) >= self._width:
            try:
                return self._fast(cells)
            except _Unsettled:
                pass
        return self.slow(cells)

    def data(self, cells: list[Any]) -> dict[str, Any]:
        """The row as ``clean_member`` takes it: a cell per column present (``None`` past
        the end of a short row), the join date today when the file has no such column."""
        width = len(cells)
        data = {name: (cells[i] if i < width else None) for name, i in self.columns.items()}
        if "joined_on" not in self.columns:
            data["joined_on"] = self.today
        return data

    def slow(self, cells: list[Any]) -> Cleaned | CleanResult:
        """The row through ``clean_member`` (the reference the fast path must equal)."""
        result = clean_member(self.data(cells), today=self.today, lenient=True)
        if result.errors:
            return result
        v = result.values
        name = v["name"]
        pinyin, initials = self._pinyin(name)
        return (
            name,
            pinyin,
            initials,
            v["sex"],
            v.get("ethnicity", ""),
            v["id_number"],
            v["birth_date"].isoformat(),
            v.get("id_valid_until", ""),
            v.get("education", ""),
            v.get("employment", _ROW_DEFAULTS["employment"]),
            v.get("skill_level", ""),
            v.get("phone", ""),
            v.get("employer_name", ""),
            v.get("worker_type", _ROW_DEFAULTS["worker_type"]),
            v.get("model_worker", ""),
            v["joined_on"].isoformat(),
            tuple((w.field, w.value, w.action) for w in result.unrecognised),
        )

    def _fast(self, cells: list[Any]) -> Cleaned:
        index = self._index
        # name
        raw = cells[index["name"]]  # type: ignore[index]  # name and ID are required columns
        named = self._name.get(raw) if type(raw) is str else None
        if named is None:
            named = self._clean_name(raw)
        # citizen ID: the 18-character form, upper-case X
        raw = cells[index["id_number"]]  # type: ignore[index]
        if type(raw) is not str:
            raise _Unsettled
        number = raw.strip()
        if len(number) != 18 or not _ISO_ID.fullmatch(number):
            if len(number) == 18 and number[17] == "x":
                number = number.upper()
                if not _ISO_ID.fullmatch(number):
                    raise _Unsettled
            else:
                raise _Unsettled
        born = self._births.get(number[6:14], _NOTHING)
        if born is _NOTHING:
            born = self._birth(number[6:14])
        if born is None:
            raise _Unsettled
        birth, birth_iso, birth_sum = born
        region = self._regions.get(number[:6])
        if region is None:
            region = self._regions[number[:6]] = _region_sum(number[:6])
        if _CHECK_CHARS[(region + birth_sum + self._seq[number[14:17]]) % 11] != number[17]:
            raise _Unsettled
        sex = "M" if number[16] in _ODD else "F"
        # mobile: 11 digits as typed, else clean_member's normaliser
        at = index["phone"]
        phone = ""
        if at is not None:
            raw = cells[at]
            if type(raw) is float and raw.is_integer():
                raw = str(int(raw))  # a workbook's number cell, as ``_text`` reads it
            elif type(raw) is not str:
                raise _Unsettled
            phone = raw.strip()
            if phone and not (
                len(phone) == 11
                and phone.isdigit()
                and phone.isascii()
                and phone[0] == "1"
                and phone[1] in "3456789"
            ):
                raise _Unsettled
        # a birth date column must say what the ID says
        at = index["birth_date"]
        if at is not None:
            raw = cells[at]
            if raw is not None and (type(raw) is not str or raw.strip()):
                given = self._date(raw)
                if given is None or given[0] != birth:
                    raise _Unsettled
        # join date: given (a date after the 14th birthday, not after today) or today
        if self._joined is None:
            joined, joined_iso = self.today, self.today.isoformat()
        else:
            dated = self._date(cells[self._joined])
            if dated is None:
                raise _Unsettled
            joined, joined_iso = dated
            if joined > self.today:
                raise _Unsettled
        if joined < birth + _FOURTEEN:
            raise _Unsettled
        # descriptive fields, each text cleaned once
        values: dict[str, Any] = {}
        warned: list[tuple[str, str, str]] = []
        for field_name, at, cache in self._described:
            raw = cells[at]
            got = cache.get(raw, _NOTHING) if type(raw) is str else _NOTHING
            if got is _NOTHING:
                got = self._described_value(field_name, raw, cache)
            if got is None:
                raise _Unsettled
            value, unrecognised = got
            if unrecognised is not None:
                warned.append(unrecognised)
            values[field_name] = value
        given_sex = values.get("sex")
        if given_sex and given_sex != sex:
            raise _Unsettled
        return (
            *named,
            sex,
            values.get("ethnicity", ""),
            number,
            birth_iso,
            values.get("id_valid_until", ""),
            values.get("education", ""),
            values.get("employment") or _ROW_DEFAULTS["employment"],
            values.get("skill_level", ""),
            phone,
            values.get("employer_name", ""),
            values.get("worker_type") or _ROW_DEFAULTS["worker_type"],
            values.get("model_worker", ""),
            joined_iso,
            tuple(warned),
        )

    # -- the caches -------------------------------------------------------------------------

    def _clean_name(self, raw: Any) -> tuple[str, str, str]:
        """A name as ``clean_member`` takes it, with its pinyin columns."""
        name = _name_text(raw)
        if not name or not _NAME.match(name):
            raise _Unsettled
        cleaned = (name, *self._pinyin(name))
        if type(raw) is str:
            _remember(self._name, raw, cleaned)
        return cleaned

    def _birth(self, digits: str) -> tuple[date, str, int] | None:
        """The birth date of an ID's eight digits, its ISO text and its part of the check
        sum; None when ``clean_member`` would refuse it (no such date, before 1900, in the
        future, under sixteen)."""
        try:
            born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
        except ValueError:
            found = None
        else:
            ok = born.year >= 1900 and born <= self.today and born <= self.adult_born_by
            found = (born, born.isoformat(), _birth_sum(digits)) if ok else None
        _remember(self._births, digits, found)
        return found

    def _date(self, raw: Any) -> tuple[date, str] | None:
        """A date cell as ``clean_member`` reads it, with its ISO text; None for an empty or
        unreadable cell."""
        if type(raw) is str:
            found = self._dates.get(raw, _NOTHING)
            if found is not _NOTHING:
                return found
        if raw is None or _text(raw) == "":
            found = None
        else:
            try:
                day = parse_date(raw)
            except ValueError:
                found = None
            else:
                found = (day, day.isoformat())
        if type(raw) is str:
            _remember(self._dates, raw, found)
        return found

    def _described_value(
        self, field_name: str, raw: Any, cache: dict[Any, Any]
    ) -> tuple[Any, tuple[str, str, str] | None] | None:
        """A descriptive field's value and warning, from ``clean_member`` given that field
        alone (its handling of these fields depends on no other); None for an error and for
        a sex it does not recognise (the ID decides it, a row-level warning)."""
        result = clean_member({field_name: raw}, lenient=True)
        mine = [e for e in result.errors if e["field"] == field_name]
        if mine or (field_name == "sex" and result.unrecognised):
            got = None
        else:
            found = result.unrecognised[0] if result.unrecognised else None
            got = (
                result.values.get(field_name, ""),
                None if found is None else (found.field, found.value, found.action),
            )
        if type(raw) is str:
            _remember(cache, raw, got)
        return got


_FOURTEEN = timedelta(days=14 * 365)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


def _region_sum(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits, _ID_WEIGHTS[:6], strict=True))


def _birth_sum(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits, _ID_WEIGHTS[6:14], strict=True))


def _seq_sum(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits, _ID_WEIGHTS[14:], strict=True))


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= _CACHE_MAX:
        cache.clear()  # a file of ever new texts: start again rather than grow without end
    cache[key] = value
