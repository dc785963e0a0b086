"""Choice labels as people write them: one normaliser for every coded field.

A roster's descriptive columns come from many HR systems and many hands: "硕士研究生",
"大学本科毕业", "初中及以下", "汉", "汉族 ", "Ｍ", "中共党员"… ``LabelSet.code(text)`` answers
the field's code for such a text, or ``None`` when it does not recognise it. What it does, in
order, and the same for every field:

1. ``fold``: NFKC (full-width letters, digits and spaces become plain), every kind of space
   removed, a bracketed hint dropped ("研究生（硕士）" → "研究生"), lower case;
2. an exact match against the field's names: the stored code, the standard label and the
   names of the national standard the field follows (GB/T 4658 education with its numeric
   codes, GB 3304 ethnic groups with theirs, GB/T 4762 political status, GB/T 2261.1 sex);
3. when that fails, the field's *suffixes* and *prefixes* are taken off one at a time and the
   match tried again: the words that qualify a name without changing it ("毕业", "结业",
   "肄业", "教育", "学历", "及以下", "及以上", "族", "人员", "国家职业资格" …). So "硕士研究生毕业"
   finds "硕士研究生" and "蒙古族" finds "蒙古" without either being listed.

The tables are the standards' names, not the variants seen in files: a new variant is
usually a standard name with a qualifier, which step 3 handles. Nothing here touches the
database; results are cached per (field, text), a roster repeats a handful of texts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

_SPACES = re.compile(r"[\s\u00a0\u3000]+")
_HINT = re.compile(r"[(\[【<《].*?[)\]】>》]")  # after NFKC: （ ） are ( )
_TRIM = re.compile(r"^[\-—_.,;:·、。，；：*#]+|[\-—_.,;:·、。，；：*#]+$")


def fold(text: object) -> str:
    """A text as labels are compared: NFKC, no spaces, no bracketed hint, no stray
    punctuation at either end, lower case."""
    if text is None:
        return ""
    raw = str(text)
    folded = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
    folded = _SPACES.sub("", folded)
    if "(" in folded or "[" in folded or "【" in folded or "<" in folded or "《" in folded:
        unhinted = _HINT.sub("", folded)
        folded = unhinted or folded.strip("()[]【】<>《》")
    return _TRIM.sub("", folded).lower()


class LabelSet:
    """The names of one coded field. ``names`` maps each code to the texts that name it (the
    first is the label shown to users); ``suffixes`` and ``prefixes`` are the qualifiers
    ``code`` may take off (see module docstring)."""

    def __init__(
        self,
        field: str,
        names: Mapping[str, Iterable[str]],
        *,
        suffixes: Iterable[str] = (),
        prefixes: Iterable[str] = (),
    ) -> None:
        self.field = field
        self.labels = {code: next(iter(texts)) for code, texts in names.items()}
        self._table: dict[str, str] = {}
        for code, texts in names.items():
            for text in (code, *texts):
                key = fold(text)
                if key and self._table.setdefault(key, code) != code:
                    raise ValueError(f"{field}: {text!r} names two codes")
        # longest first, so "及以下" goes before "以下"
        self._suffixes = tuple(sorted({fold(s) for s in suffixes}, key=len, reverse=True))
        self._prefixes = tuple(sorted({fold(p) for p in prefixes}, key=len, reverse=True))

    def code(self, text: object) -> str | None:
        """The code ``text`` names, ``None`` when it names none (an empty text names none)."""
        return _code(self, "" if text is None else str(text))

    def label(self, code: str) -> str:
        return self.labels.get(code, code)

    def _match(self, key: str) -> str | None:
        seen = {key}
        todo = [key]
        while todo:
            current = todo.pop(0)
            found = self._table.get(current)
            if found is not None:
                return found
            for suffix in self._suffixes:
                if current.endswith(suffix) and len(current) > len(suffix):
                    shorter = current[: -len(suffix)]
                    if shorter not in seen:
                        seen.add(shorter)
                        todo.append(shorter)
            for prefix in self._prefixes:
                if current.startswith(prefix) and len(current) > len(prefix):
                    shorter = current[len(prefix) :]
                    if shorter not in seen:
                        seen.add(shorter)
                        todo.append(shorter)
        return None

    def __hash__(self) -> int:
        return hash(self.field)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LabelSet) and other.field == self.field


@lru_cache(maxsize=8192)
def _code(labels: LabelSet, text: str) -> str | None:
    key = fold(text)
    if not key:
        return None
    return labels._match(key)


def numbered(codes: Mapping[str, Iterable[int]]) -> dict[str, list[str]]:
    """Numeric codes of a standard as names: ``{"bachelor": [20, 21]}`` → "20", "21"."""
    return {code: [str(n) for n in numbers] for code, numbers in codes.items()}


def merge(*tables: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for table in tables:
        for code, texts in table.items():
            out.setdefault(code, []).extend(texts)
    return out


# --- the national standards --------------------------------------------------------------

# GB 3304-1991 《中国各民族名称的罗马字母拼写法和代码》: the 56 groups in the standard's
# order (its numeric code is the position, 01–56). The code stored is the name with "族".
_GB3304 = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 "
    "哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 "
    "土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 "
    "乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 "
    "门巴族 珞巴族 基诺族"
)
ETHNIC_GROUPS = tuple(_GB3304.split())
# the short names in everyday use where the group's name has more than one character
_ETHNIC_SHORT = {"蒙古族": ["蒙"], "维吾尔族": ["维"]}

ETHNICITY = LabelSet(
    "ethnicity",
    {
        name: [name[:-1], f"{i:02d}", str(i), *_ETHNIC_SHORT.get(name, [])]
        for i, name in enumerate(ETHNIC_GROUPS, start=1)
    },
    suffixes=("族", "人"),
)

# GB/T 2261.1-2003: 1 男, 2 女.
SEX_NAMES = {"M": ["男", "男性", "1", "male"], "F": ["女", "女性", "2", "female"]}

# GB/T 4658-2006 《学历代码》: 10–18 研究生, 20–28 大学本科, 30–33 大学专科, 40–49 中等职业
# (中专、职高、技校), 60–63 普通高中, 70–73 初中, 80–83 小学. Its names, without the
# 毕业/结业/肄业 that the suffixes take off.
EDUCATION_NAMES = merge(
    {
        "postgrad": ["研究生", "博士研究生", "硕士研究生", "研究生班", "博士", "硕士", "博士后"],
        "bachelor": ["本科", "大学本科", "大学普通班", "大学", "学士", "第二学士学位"],
        "college": ["大专", "专科", "大学专科", "高职", "高等职业", "高职高专", "高专"],
        "senior": [
            "高中",
            "普通高中",
            "高级中学",
            "中专",
            "中等专科",
            "中等专业",
            "中等职业",
            "中职",
            "职业高中",
            "职高",
            "技工学校",
            "技校",
            "中技",
        ],
        "junior": ["初中", "初级中学"],
        "primary": ["小学", "文盲", "半文盲", "未上学", "不识字"],
    },
    numbered(
        {
            "postgrad": range(10, 19),
            "bachelor": range(20, 29),
            "college": range(30, 34),
            "senior": [*range(40, 50), *range(60, 64)],
            "junior": range(70, 74),
            "primary": range(80, 84),
        }
    ),
)
EDUCATION_SUFFIXES = (
    "毕业",
    "结业",
    "肄业",
    "在读",
    "教育",
    "学历",
    "文化程度",
    "文化",
    "程度",
    "学位",
    "及以下",
    "以下",
    "及以上",
    "以上",
)
EDUCATION_PREFIXES = ("全日制", "在职", "非全日制", "普通", "成人", "函授", "自考")

# GB/T 4762-1984 《政治面貌代码》 (codes 01–13), with the short names of the forms.
POLITICAL_STATUS = LabelSet(
    "political_status",
    merge(
        {
            "01": ["中国共产党党员", "中共党员", "党员", "共产党员"],
            "02": ["中国共产党预备党员", "中共预备党员", "预备党员"],
            "03": ["中国共产主义青年团团员", "共青团员", "团员"],
            "04": ["中国国民党革命委员会会员", "民革会员", "民革党员", "民革"],
            "05": ["中国民主同盟盟员", "民盟盟员", "民盟"],
            "06": ["中国民主建国会会员", "民建会员", "民建"],
            "07": ["中国民主促进会会员", "民进会员", "民进"],
            "08": ["中国农工民主党党员", "农工党党员", "农工党"],
            "09": ["中国致公党党员", "致公党党员", "致公党"],
            "10": ["九三学社社员", "九三学社"],
            "11": ["台湾民主自治同盟盟员", "台盟盟员", "台盟"],
            "12": ["无党派民主人士", "无党派人士", "无党派"],
            "13": ["群众", "普通群众"],
        },
        numbered({f"{n:02d}": [n] for n in range(1, 10)}),
    ),
)
