"""A realistic generated member roster for benchmarks and tests: surnames by frequency, valid
citizen IDs from Heze's region codes, mobiles, join dates, Chinese labels as a clerk types
them — and a share of bad rows of every kind the import must catch."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

# The most common surnames with rough weights (per mille of the population).
SURNAMES = (
    ("王", 72), ("李", 72), ("张", 68), ("刘", 53), ("陈", 45), ("杨", 31), ("黄", 22),
    ("赵", 22), ("吴", 20), ("周", 19), ("徐", 13), ("孙", 12), ("马", 12), ("朱", 11),
    ("胡", 10), ("郭", 10), ("何", 9), ("高", 9), ("林", 9), ("罗", 8), ("郑", 8), ("梁", 7),
    ("谢", 6), ("宋", 6), ("唐", 5), ("许", 5), ("韩", 5), ("冯", 5), ("邓", 5), ("曹", 5),
    ("彭", 4), ("曾", 4), ("肖", 4), ("田", 4), ("董", 4), ("袁", 4), ("潘", 3), ("于", 3),
    ("蒋", 3), ("蔡", 3), ("余", 3), ("杜", 3), ("叶", 3), ("程", 3), ("苏", 3), ("魏", 3),
    ("吕", 3), ("丁", 3), ("任", 3), ("沈", 2), ("姚", 2), ("卢", 2), ("姜", 2), ("崔", 2),
    ("钟", 2), ("谭", 2), ("陆", 2), ("汪", 2), ("范", 2), ("金", 2), ("石", 2), ("廖", 2),
    ("贾", 2), ("夏", 2), ("韦", 2), ("付", 2), ("方", 2), ("白", 2), ("邹", 2), ("孟", 2),
    ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2), ("段", 2),
    ("单", 1), ("欧阳", 1), ("诸葛", 1),
)  # fmt: skip
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英文华建国建华红梅玉兰海燕志强"
    "春梅晓东丹丹鹏飞浩然子涵欣怡宇轩梓萱俊杰雨桐佳怡思远立新振华光明永刚秀珍凤英"
)
REGIONS = ("371702", "371703", "371721", "371722", "371723", "371724", "371725", "371726",
           "371728", "372901", "372922", "371727")  # fmt: skip
EDUCATION = ("初中", "高中", "中专", "大专", "本科", "研究生", "小学及以下")
WORKER_TYPES = ("职工", "职工", "职工", "农民工", "劳务派遣", "新就业形态")
ETHNIC = ("汉", "汉族", "汉族", "汉族", "回族", "满族")
HEADER = ("序号", "姓名", "性别", "民族", "公民身份号码", "手机号码", "学历", "工作单位",
          "职工类型", "入会时间")  # fmt: skip
_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_char(body: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(body, _W, strict=True)) % 11]


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _surnames(rng: random.Random, n: int) -> list[str]:
    names, weights = zip(*SURNAMES, strict=True)
    return rng.choices(names, weights=weights, k=n)


def rows(n: int, *, bad: float = 0.02, seed: int = 7) -> Iterator[list[str]]:
    """``n`` data rows (cells as text, ``HEADER`` order); about ``bad`` of them are wrong in
    one of six ways (checksum, impossible date, bad mobile, sex contradicting the ID,
    unreadable join date, the same person twice)."""
    rng = random.Random(seed)
    surnames = _surnames(rng, n)
    used: set[str] = set()
    previous: list[list[str]] = []
    start = date(1962, 1, 1)
    for i in range(n):
        while True:
            birth = start + timedelta(days=rng.randrange(0, 365 * 40))
            seq = rng.randrange(0, 1000)
            body = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{seq:03d}"
            if body not in used:
                used.add(body)
                break
        id_number = body + check_char(body)
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
        sex = "男" if int(body[16]) % 2 else "女"
        joined = birth + timedelta(days=rng.randrange(18 * 365, 50 * 365))
        if joined > date(2020, 9, 19):
            joined = date(2020, 1, 1) + timedelta(days=rng.randrange(0, 262))
        row = [
            str(i + 1),
            surnames[i] + given,
            sex,
            rng.choice(ETHNIC),
            id_number,
            f"1{rng.choice('35789')}{rng.randrange(0, 10**9):09d}",
            rng.choice(EDUCATION),
            f"菏泽{rng.randrange(1, 400):03d}号有限公司",
            rng.choice(WORKER_TYPES),
            joined.isoformat() if rng.random() < 0.8 else chinese_date(joined),
        ]
        if rng.random() < bad:
            kind = rng.randrange(6)
            if kind == 0:
                row[4] = body + ("0" if id_number[-1] != "0" else "1")
            elif kind == 1:
                row[4] = body[:10] + "1340" + body[14:] + "0"
            elif kind == 2:
                row[5] = "1" + row[5][2:]
            elif kind == 3:
                row[2] = "女" if sex == "男" else "男"
            elif kind == 4:
                row[9] = "去年春天"
            elif previous:
                row = [str(i + 1), *rng.choice(previous)[1:]]
        if len(previous) < 1000 and rng.random() < 0.01:
            previous.append(row)
        yield row


def write_csv(path: Path, n: int, *, bad: float = 0.02, seed: int = 7) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows(n, bad=bad, seed=seed))
    return path


def write_xlsx(path: Path, n: int, *, bad: float = 0.02, seed: int = 7) -> Path:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("名册")
    sheet.write_row(0, 0, HEADER)
    for r, row in enumerate(rows(n, bad=bad, seed=seed), start=1):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    workbook.close()
    return path
