"""The roster import's fast checks (issue 12, item 3): ``validation.RowCleaner`` answers
every row exactly as ``clean_member`` does — the same values, the same warnings in the same
order, the same errors — on generated rows of every edge; the batch blind indexes equal the
single ones."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core import crypto
from gonghui.core.identifiers import citizen_id_check_char
from gonghui.members.columns import clean_rows
from gonghui.members.validation import CLEANED, CleanResult, RowCleaner

TODAY = date(2024, 6, 1)


def cid(body: str) -> str:
    return body + citizen_id_check_char(body)


def born(day: date, seq: str = "123") -> str:
    return cid(f"371702{day:%Y%m%d}{seq}")


SIXTEEN = TODAY - timedelta(days=16 * 365)
WANG_BORN = date(1990, 1, 1)
WANG = born(WANG_BORN, "123")  # male (odd 17th digit)
LI = born(date(1985, 6, 15), "224")  # female
IDS = [
    WANG,
    LI,
    WANG[:-1] + ("0" if WANG[-1] != "0" else "1"),  # wrong check character
    cid("37170219900101002").replace("X", "x"),
    cid("37170219850615002"),
    born(SIXTEEN),  # sixteen today
    born(SIXTEEN + timedelta(days=1)),  # one day short
    born(date(1899, 12, 31)),
    born(date(2030, 1, 1)),
    "37170219900230123" + "0",  # no such day
    "371702900101123",  # 15 digits
    "３７１７０２" + WANG[6:],  # full-width
    " " + WANG + " ",
    WANG[:6] + "-" + WANG[6:],
    "99" + WANG[2:17] + citizen_id_check_char("99" + WANG[2:17]),  # unknown province
    "",
    None,
    "abc",
    WANG[:17],
    371702199001011230,
]
NAMES = ["王强", "王 强", " 李娜 ", "A", "", None, "John Smith", "王强1", 123.0, "欧阳·娜娜",
         "单雄信", "x" * 51, "李\u3000娜"]  # fmt: skip
SEXES = ["男", "女", "M", "f", "1", "2", "", None, "未知", "Ｍ", "男性", 1.0]
ETHNIC = ["汉", "汉族", "蒙", "火星族", "x" * 25, "", None, "  回 族 ", "01", 1.0, "穿青人"]
EDUCATION = [
    "本科",
    "硕士研究生",
    "初中及以下",
    "幼儿园",
    "",
    None,
    21.0,
    "大学本科毕业",
    "bachelor",
]
WORKER = ["职工", "农民工", "劳务派遣", "新就业形态", "临时工", "", None, "employee"]
EMPLOYMENT = ["在职", "退休", "病休", "", None, "flexible"]
SKILL = ["高级工", "五级", "特级技师", "", None, "3"]
MODEL = ["否", "全国劳模", "县级劳模", "", None, "无"]
PHONES = ["13800138000", "138 0013 8000", "+8613800138000", "12345", "", None, 13800138000.0,
          "１３８００１３８０００", "23800138000", "8613800138000", 13800138000]  # fmt: skip
BIRTHS = [WANG_BORN.isoformat(), "1990年1月1日", "1990-01-02", "", None, WANG_BORN,
          datetime(1990, 1, 1), "garbage", 32874.0]  # fmt: skip
JOINED = ["2015-03-01", "2015年3月1日", "42000", 42000.0, date(2015, 3, 1), datetime(2015, 3, 1),
          "", None, "2099-01-01", "去年春天", "1991-01-01", "2003-12-28", "2003-12-27", "2020-05",
          "20150301", " 2015/3/1 ", "2015-03-01 00:00:00"]  # fmt: skip
VALID = ["长期", "長期", "", "2030-01-01", "不详", None, 47000.0, "2030年1月1日"]
EMPLOYERS = ["某某 公司", "", None, "x" * 200, 12.0]

COLUMNS: dict[str, list[Any]] = {
    "name": NAMES,
    "id_number": IDS,
    "sex": SEXES,
    "ethnicity": ETHNIC,
    "birth_date": BIRTHS,
    "phone": PHONES,
    "education": EDUCATION,
    "employment": EMPLOYMENT,
    "skill_level": SKILL,
    "employer_name": EMPLOYERS,
    "worker_type": WORKER,
    "model_worker": MODEL,
    "joined_on": JOINED,
    "id_valid_until": VALID,
}
OPTIONAL = [name for name in COLUMNS if name not in ("name", "id_number")]


def answer(got: tuple[Any, ...] | CleanResult) -> Any:
    if isinstance(got, CleanResult):
        return ("rejected", got.errors)
    return got


@st.composite
def rosters(draw: Any) -> tuple[dict[str, int], list[list[Any]]]:
    """A layout (the required columns and any optional ones, in any order, with a column no
    field reads) and rows drawn from every column's edges, some cut short, some repeated."""
    fields = ["name", "id_number", *draw(st.lists(st.sampled_from(OPTIONAL), unique=True))]
    order = draw(st.permutations([*fields, "序号"]))
    layout = {name: i for i, name in enumerate(order) if name != "序号"}
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        cells: list[Any] = []
        for name in order:
            cells.append(draw(st.sampled_from(COLUMNS[name])) if name != "序号" else "1")
        if draw(st.integers(0, 9)) == 0:
            cells = cells[: draw(st.integers(0, len(cells)))]
        rows.append(cells)
    return layout, rows + draw(st.lists(st.sampled_from(rows), max_size=4))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rosters())
def test_fast_checks_agree_with_clean_member(
    roster: tuple[dict[str, int], list[list[Any]]],
) -> None:
    """Row by row through one cleaner (its caches warm as the file goes on): the answer of
    the fast path is the answer of ``clean_member`` for the same cells."""
    layout, rows = roster
    cleaner = RowCleaner(layout, today=TODAY)
    reference = RowCleaner(layout, today=TODAY)
    for cells in rows:
        assert answer(cleaner.clean(cells)) == answer(reference.slow(cells)), cells


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rosters(), st.integers(1, 8))
def test_column_checks_agree_with_clean_member(
    roster: tuple[dict[str, int], list[list[Any]]], split: int
) -> None:
    """Chunk by chunk, column by column (``columns.clean_rows``; the cleaner's caches warm
    as the chunks go on): each row's answer is ``clean_member``'s for the same cells."""
    layout, rows = roster
    cleaner = RowCleaner(layout, today=TODAY)
    reference = RowCleaner(layout, today=TODAY)
    got = clean_rows(cleaner, rows[:split]) + clean_rows(cleaner, rows[split:])
    assert len(got) == len(rows)
    for cells, answered in zip(rows, got, strict=True):
        assert answer(answered) == answer(reference.slow(cells)), cells


class _Counting(RowCleaner):
    def clean(self, cells: list[Any]) -> Any:
        self.by_row = getattr(self, "by_row", 0) + 1
        return super().clean(cells)


def test_plain_rows_are_settled_by_columns() -> None:
    """Plain rows (warnings included) never reach the per-row path; a bad row does, alone."""
    layout = {name: i for i, name in enumerate(COLUMNS)}
    cleaner = _Counting(layout, today=TODAY)
    plain = ["王强", WANG, "男", "汉", WANG_BORN.isoformat(), "13800138000", "硕士研究生", "在职",
             "高级工", "某某公司", "农民工", "否", "2015年3月1日", "长期"]  # fmt: skip
    junk = [*plain[:6], "幼儿园", *plain[7:]]
    bad = [*plain[:5], "12345", *plain[6:]]
    got = clean_rows(cleaner, [plain, junk, bad, plain])
    assert getattr(cleaner, "by_row", 0) == 1
    assert got[0] == got[3] == cleaner.slow(plain)
    assert got[1][-1] == (("education", "幼儿园", "无法识别，此项未导入"),)
    assert isinstance(got[2], CleanResult)


def test_plain_rows_take_the_fast_path() -> None:
    """The common row is settled without ``clean_member`` (else the speed is not there)."""
    layout = {name: i for i, name in enumerate(COLUMNS)}
    cleaner = RowCleaner(layout, today=TODAY)
    cells = ["王强", WANG, "男", "汉", WANG_BORN.isoformat(), "13800138000", "硕士研究生", "在职",
             "高级工", "某某公司", "农民工", "否", "2015年3月1日", "长期"]  # fmt: skip
    fast = cleaner._fast(cells)
    assert fast == cleaner.slow(cells)
    values = dict(zip(CLEANED, fast, strict=False))
    assert values["education"] == "postgrad"
    assert values["worker_type"] == "migrant"
    assert values["joined_on"] == "2015-03-01"
    assert fast[-1] == ()
    # an unrecognised descriptive value is a warning, still on the fast path
    cells[6] = "幼儿园"
    assert cleaner._fast(cells)[-1] == (("education", "幼儿园", "无法识别，此项未导入"),)


def test_batch_blind_indexes_equal_the_single_ones(db: Any) -> None:
    rng = random.Random(5)
    values = ["", "0", WANG, "13800138000", "王强"]
    values += [
        "".join(rng.choice("0123456789X王") for _ in range(rng.randrange(30))) for _ in range(3000)
    ]
    for purpose in ("citizen_id", "mobile"):
        single = [crypto.blind_index(v, purpose=purpose) for v in values]
        assert crypto.blind_indexes(purpose)(values) == single
        assert [crypto.blind_indexer(purpose)(v) for v in values] == single
        assert crypto.blind_indexes(purpose)(values[3:4]) == single[3:4]
    assert crypto.blind_indexes("mobile")([]) == []


@pytest.mark.parametrize(
    "name", ["王强", "单雄信", "欧阳娜娜", "John Smith", "王·John", "李 娜", "〇"]
)
def test_pinyin_fast_path_matches_the_general_one(name: str) -> None:
    from itertools import groupby

    from gonghui.members import services

    syllables: list[str] = []
    for cjk, run in groupby(name, key=services._is_cjk):
        text = "".join(run)
        syllables.extend(map(services._char_reading, text) if cjk else text.lower().split())
    if name[0] in services._SURNAME_READINGS:
        syllables[0] = services._SURNAME_READINGS[name[0]]
    parts = [p for p in (services._NOT_LETTER.sub("", s.lower()) for s in syllables) if p]
    expected = ("".join(parts)[:120], "".join(p[0] for p in parts)[:20])
    assert services.name_pinyin(name) == expected
