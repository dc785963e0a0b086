"""The Heze demo data: the real union tree of 菏泽市 and a few hundred generated grassroots unions.

Everything here is pure data, built deterministically (``random.Random(2020)``) so that two
runs produce the same codes, names and credit codes — which is what makes loading idempotent.
The names of county federations, townships and streets are the real ones; enterprises,
people and phone numbers are invented.

Codes: 市总 ``371700``; county federations their administrative codes; below a county,
``<county><NNN>`` with ``0NN`` a township or street, ``1NN`` a park, ``2NN`` an industry
union; grassroots unions ``<county><NNNN>`` (ten digits).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from gonghui.core.identifiers import uscc_with_check

CITY_CODE = "371700"
CHEMICAL_WINDOW = (date(2020, 1, 1), date(2020, 9, 19))


@dataclass
class OrgSpec:
    code: str
    name: str
    kind: str
    parent: str | None
    short_name: str = ""
    region_code: str = ""
    sector: str = ""
    uscc: str = ""
    founded_on: date | None = None
    chair: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    address: str = ""
    headcount: int = 0


@dataclass
class EnterpriseSpec:
    name: str
    uscc: str
    unit_category: str
    industry: str
    size_class: str
    county: str  # org code
    union: str | None  # org code of its grassroots union, None: no union yet
    address: str
    headcount: int


def _words(text: str) -> list[str]:
    return text.split()


@dataclass
class County:
    code: str
    name: str
    area: str  # how an address names it
    place: str  # how an enterprise name starts
    grassroots: int  # how many generated grassroots unions under its townships
    specialties: list[tuple[str, str]]  # local trades, more likely in its enterprise names
    townships: list[str]


# fmt: off
# code and name of the federation, how addresses name the area, how enterprise names start,
# grassroots unions to generate, local trades, the real streets (街道) and towns (镇).
COUNTIES: list[County] = [
    County("371702", "牡丹区总工会", "牡丹区", "菏泽", 50,
           [("牡丹产业", "C"), ("牡丹籽油", "C")],
           _words("东城街道 西城街道 南城街道 北城街道 牡丹街道 何楼街道 皇镇街道 "
                  "沙土镇 吴店镇 王浩屯镇 黄堽镇 都司镇 高庄镇 小留镇 李村镇 "
                  "安兴镇 大黄集镇 胡集镇")),
    County("371703", "定陶区总工会", "定陶区", "定陶", 22,
           [("食品", "C")],
           _words("天中街道 滨河街道 冉堌镇 张湾镇 黄店镇 孟海镇 马集镇 仿山镇 "
                  "半堤镇 杜堂镇 南王店镇")),
    County("371721", "曹县总工会", "曹县", "曹县", 30,
           [("演出服饰", "C"), ("木业", "C"), ("电子商务", "F")],
           _words("曹城街道 磐石街道 郑庄街道 倪集街道 青菏街道 庄寨镇 普连集镇 "
                  "青堌集镇 桃源集镇 韩集镇 砖庙镇 大集镇")),
    County("371722", "单县总工会", "单县", "单县", 26,
           [("羊汤餐饮", "H"), ("林产品", "C")],
           _words("南城街道 北城街道 东城街道 园艺街道 郭村镇 黄岗镇 终兴镇 "
                  "高韦庄镇 徐寨镇 蔡堂镇")),
    County("371723", "成武县总工会", "成武县", "成武", 20,
           [("酱菜食品", "C")],
           _words("文亭街道 永昌街道 大田集镇 天宫庙镇 汶上集镇 南鲁集镇 伯乐集镇 "
                  "苟村集镇 白浮图镇 九女镇")),
    County("371724", "巨野县总工会", "巨野县", "巨野", 24,
           [("煤业", "B"), ("工笔画文化", "R")],
           _words("凤凰街道 永丰街道 麒麟镇 龙堌镇 大义镇 章缝镇 独山镇 核桃园镇 "
                  "万丰镇 田庄镇")),
    County("371725", "郓城县总工会", "郓城县", "郓城", 26,
           [("纺织", "C"), ("煤业", "B")],
           _words("郓州街道 唐塔街道 黄安镇 杨庄集镇 侯咽集镇 武安镇 郭屯镇 "
                  "张营镇 潘渡镇 随官屯镇")),
    County("371726", "鄄城县总工会", "鄄城县", "鄄城", 20,
           [("发制品", "C"), ("刺绣工艺品", "C")],
           _words("古泉街道 陈王街道 什集镇 红船镇 旧城镇 闫什镇 箕山镇 董口镇 "
                  "临濮镇 彭楼镇")),
    County("371728", "东明县总工会", "东明县", "东明", 26,
           [("石油化工", "C"), ("石化设备", "C")],
           _words("城关街道 渔沃街道 东明集镇 刘楼镇 陆圈镇 马头镇 三春集镇 "
                  "大屯镇 武胜桥镇 菜园集镇")),
    County("371771", "菏泽经济技术开发区总工会", "菏泽经济技术开发区", "菏泽", 22,
           [("生物医药", "C"), ("电子信息", "C")],
           _words("丹阳街道 岳程街道 佃户屯街道 陈集镇")),
    County("371772", "菏泽高新技术产业开发区总工会", "菏泽高新技术产业开发区", "菏泽", 16,
           [("信息技术", "I"), ("新能源", "D")],
           _words("万福街道 吕陵镇 马岭岗镇")),
]
# fmt: on
COUNTY_BY_CODE = {c.code: c for c in COUNTIES}

# The seed page: eight county chemical-industry unions and nine chemical-park unions founded
# in 2020 up to the plenary meeting. 牡丹区 and the 高新区 have neither.
CHEMICAL_INDUSTRY_UNIONS: list[tuple[str, str, date]] = [
    ("371728", "东明县化工产业工会", date(2020, 3, 26)),
    ("371721", "曹县化工产业工会", date(2020, 4, 16)),
    ("371722", "单县化工产业工会", date(2020, 5, 12)),
    ("371723", "成武县化工产业工会", date(2020, 5, 28)),
    ("371724", "巨野县化工产业工会", date(2020, 6, 19)),
    ("371725", "郓城县化工产业工会", date(2020, 7, 8)),
    ("371726", "鄄城县化工产业工会", date(2020, 8, 6)),
    ("371703", "定陶区化工产业工会", date(2020, 9, 10)),
]
CHEMICAL_PARK_UNIONS: list[tuple[str, str, date]] = [
    ("371728", "东明石化产业园区工会", date(2020, 3, 12)),
    ("371771", "菏泽化工产业园工会", date(2020, 4, 9)),
    ("371725", "郓城化工产业园工会", date(2020, 4, 28)),
    ("371724", "巨野化工产业园工会", date(2020, 5, 20)),
    ("371721", "曹县化工产业园工会", date(2020, 6, 11)),
    ("371722", "单县化工产业园工会", date(2020, 6, 30)),
    ("371723", "成武化工产业园工会", date(2020, 7, 22)),
    ("371726", "鄄城化工产业园工会", date(2020, 8, 18)),
    ("371703", "定陶化工产业园工会", date(2020, 9, 15)),
]
# Other industry and park unions: the older city-level ones, and a few founded in 2020 that
# are *not* chemical (the report figures must not count them).
OTHER_INDUSTRY_UNIONS: list[tuple[str, str, str, date]] = [
    (CITY_CODE, "菏泽市教育工会", "education", date(1984, 5, 4)),
    (CITY_CODE, "菏泽市卫生健康工会", "health", date(1986, 9, 10)),
    (CITY_CODE, "菏泽市交通运输工会", "transport", date(1990, 6, 18)),
    (CITY_CODE, "菏泽市金融工会", "finance", date(1993, 3, 22)),
    ("371702", "牡丹区教育工会", "education", date(1998, 9, 10)),
    ("371702", "牡丹区物流产业工会", "logistics", date(2020, 6, 18)),
    ("371721", "曹县电子商务产业工会", "ecommerce", date(2020, 5, 26)),
]
OTHER_PARK_UNIONS: list[tuple[str, str, str, date]] = [
    ("371721", "曹县木制品产业园工会", "manufacturing", date(2017, 4, 12)),
    ("371772", "菏泽高新区生物医药产业园工会", "manufacturing", date(2019, 11, 20)),
    ("371702", "菏泽国际陆港物流园区工会", "logistics", date(2020, 7, 1)),
]
# City-level units (市直单位) under the city's industry unions: name, industry union, section.
CITY_UNITS: list[tuple[str, str, str]] = [
    ("菏泽学院", "菏泽市教育工会", "P"),
    ("菏泽医学专科学校", "菏泽市教育工会", "P"),
    ("菏泽市第一中学", "菏泽市教育工会", "P"),
    ("菏泽市实验小学", "菏泽市教育工会", "P"),
    ("菏泽市立医院", "菏泽市卫生健康工会", "Q"),
    ("菏泽市中医医院", "菏泽市卫生健康工会", "Q"),
    ("菏泽市妇幼保健院", "菏泽市卫生健康工会", "Q"),
    ("菏泽市公共交通集团有限公司", "菏泽市交通运输工会", "G"),
    ("菏泽市港航发展服务中心", "菏泽市交通运输工会", "G"),
    ("菏泽农村商业银行股份有限公司", "菏泽市金融工会", "J"),
]

# fmt: off
SURNAMES = (
    "王李张刘陈杨赵孙周吴徐马朱胡郭何高林郑梁宋谢韩唐冯于董程曹袁邓许沈彭吕苏卢蒋蔡贾丁魏"
    "薛叶阎潘杜戴夏田任姜范方石姚谭邹金陆郝孔白崔康毛邱秦史侯邵孟段雷钱尹常武乔贺"
)
GIVEN = _words(
    "建国 建华 志强 秀英 桂英 丽 静 敏 伟 芳 军 磊 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 辉 玲 红 鹏 "
    "飞 华 鑫 婷 雪 宁 庆华 振东 保国 卫东 学军 海燕 春梅 国庆 晓东 文静 凤英 玉兰 德胜 长青 "
    "立新 红霞 新民 金凤 永强 爱华"
)
BRANDS = _words(
    "鸿泰 恒信 瑞丰 金宇 天成 宏达 兴隆 正元 德润 盛世 中泰 永盛 利民 富源 聚鑫 宏润 昌盛 凯瑞 "
    "博源 泰和 安泰 嘉禾 锦华 华瑞 润泽 祥和 新星 华泰 福瑞 荣信 明德 舜和 百盛 惠众 曹州 伏羲 "
    "尧都 天中 亿丰 广源 万隆 金桥 睿达 同创 立信 康宁 恒源 丰泽"
)
# trade word in the name, 国民经济行业门类
TRADES: list[tuple[str, str]] = [
    ("纺织", "C"), ("服装", "C"), ("食品", "C"), ("木业", "C"), ("家具", "C"), ("机械制造", "C"),
    ("建材", "C"), ("医药", "C"), ("电子", "C"), ("印刷", "C"), ("包装", "C"), ("塑业", "C"),
    ("面粉", "C"), ("农业科技", "A"), ("农产品", "A"), ("物流", "G"), ("商贸", "F"),
    ("汽车销售服务", "F"), ("建筑工程", "E"), ("房地产开发", "K"), ("酒店管理", "H"),
    ("餐饮管理", "H"), ("热电", "D"), ("水务", "D"), ("物业服务", "K"), ("人力资源", "L"),
    ("环保科技", "N"), ("检测技术", "M"),
]
CHEMICAL_TRADES = _words("化工 精细化工 石油化工 新材料 化学 医药化工 化肥 橡胶")
ROADS = _words(
    "中华路 人民路 长江路 黄河路 桂陵路 和平路 八一路 丹阳路 牡丹路 青年路 西安路 南京路 广州路 "
    "重庆路 昆明路 华英路 双河路 太原路"
)
# fmt: on
CN_NUMBERS = "一二三四五六七八九十"

# GB 11714 organisation codes: 8 body characters and a check character.
_ORGCODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def orgcode_with_check(body8: str) -> str:
    """Complete an 8-digit organisation-code body (GB 11714) with its check character."""
    total = sum(int(c, 36) * w for c, w in zip(body8, _ORGCODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body8 + {10: "X", 11: "0"}.get(check, str(check))


class _Builder:
    def __init__(self) -> None:
        self.rng = random.Random(2020)
        self.orgs: list[OrgSpec] = []
        self.enterprises: list[EnterpriseSpec] = []
        self._names: set[str] = set()
        self._bodies: set[str] = set()
        self._serial: dict[str, int] = {}

    # -- small generators -----------------------------------------------------------------
    def person(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def phone(self) -> str:
        return f"0530-5{self.rng.randrange(100000, 1000000)}"

    def address(self, county: County | None, township: str = "") -> str:
        area = f"菏泽市{county.area}" if county else "菏泽市"
        return f"山东省{area}{township}{self.rng.choice(ROADS)}{self.rng.randint(1, 2999)}号"

    def credit_code(self, prefix: str, region: str) -> str:
        while True:
            body = f"{self.rng.randrange(10**8):08d}"
            if body not in self._bodies:
                self._bodies.add(body)
                return uscc_with_check(prefix + region + orgcode_with_check(body))

    def date_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    def founded(self) -> date:
        # Mostly older unions; about one in eight founded since 2020.
        if self.rng.random() < 0.12:
            return self.date_between(date(2020, 1, 1), date(2024, 6, 30))
        return self.date_between(date(1992, 1, 1), date(2019, 12, 31))

    def headcount(self) -> int:
        roll = self.rng.random()
        if roll < 0.05:
            return self.rng.randint(8, 19)
        if roll < 0.30:
            return self.rng.randint(20, 79)
        if roll < 0.65:
            return self.rng.randint(80, 299)
        if roll < 0.90:
            return self.rng.randint(300, 999)
        return self.rng.randint(1000, 3200)

    @staticmethod
    def size_class(headcount: int) -> str:
        # Headcount thresholds of the 2011 SME standard for industry (营业收入 aside).
        if headcount >= 1000:
            return "large"
        if headcount >= 300:
            return "medium"
        if headcount >= 20:
            return "small"
        return "micro"

    def unique(self, make: Callable[[], str]) -> str:
        """A name not used before (enterprise names are unique across the demo)."""
        for _ in range(200):
            name = make()
            if name not in self._names:
                self._names.add(name)
                return name
        raise RuntimeError("demo name space exhausted")

    # -- enterprises and their unions -----------------------------------------------------
    def company_name(self, county: County | None, trades: list[tuple[str, str]]) -> tuple[str, str]:
        trade, section = self.rng.choice(trades)
        place = self.rng.choice(["山东", "菏泽", county.place if county else "菏泽"])
        shares = self.rng.random() < 0.12
        suffix = "股份有限公司" if shares else "有限公司"
        return f"{place}{self.rng.choice(BRANDS)}{trade}{suffix}", section

    def company(
        self, county: County | None, trades: list[tuple[str, str]]
    ) -> tuple[str, str, str, str]:
        """name, industry section, unit category, credit-code prefix"""
        picked: dict[str, str] = {}

        def make() -> str:
            name, section = self.company_name(county, trades)
            picked["section"] = section
            return name

        name = self.unique(make)
        if name.endswith("股份有限公司"):
            category = self.rng.choice(["169", "169", "161"])
        else:
            category = self.rng.choices(
                ["170", "159", "151", "130", "200", "300"], weights=[50, 32, 5, 4, 5, 4]
            )[0]
        return name, picked["section"], category, "91"

    def institution(self, county: County, township: str) -> tuple[str, str, str, str] | None:
        """A school, health centre or government office of the township, if one is left."""
        office = "人民政府" if township.endswith("镇") else "办事处"
        candidates = [
            (f"{county.area}{township}中心小学", "P", "400", "12"),
            (f"{county.area}{township}中学", "P", "400", "12"),
            (f"{county.area}{township}{office}", "S", "500", "11"),
        ]
        if township.endswith("镇"):
            candidates.append((f"{county.area}{township}卫生院", "Q", "400", "12"))
        free = [c for c in candidates if c[0] not in self._names]
        if not free:
            return None
        unit = self.rng.choice(free)
        self._names.add(unit[0])
        return unit

    def school(self, county: County) -> tuple[str, str, str, str]:
        name = self.unique(
            lambda: (
                f"{county.area}{self.rng.choice(['实验', '第' + self.rng.choice(CN_NUMBERS)])}"
                f"{self.rng.choice(['中学', '小学', '幼儿园'])}"
            )
        )
        return name, "P", "400", "12"

    def grassroots(
        self,
        *,
        county: County | None,
        region: str,
        parent: str,
        township: str,
        unit: tuple[str, str, str, str],
        founded: date | None = None,
    ) -> OrgSpec:
        name, section, category, prefix = unit
        county_code = county.code if county else CITY_CODE
        serial = self._serial.get(county_code, 0) + 1
        self._serial[county_code] = serial
        code = f"{county_code}{serial:04d}"
        headcount = (
            self.headcount() if category not in ("400", "500") else self.rng.randint(40, 900)
        )
        address = self.address(county, township)
        union = OrgSpec(
            code=code,
            name=f"{name}工会委员会",
            short_name=short_name(name, county) + "工会",
            kind="grassroots",
            parent=parent,
            region_code=region,
            uscc=self.credit_code("81", region),
            founded_on=founded or self.founded(),
            chair=self.person(),
            contact_name=self.person(),
            contact_phone=self.phone(),
            address=address,
            headcount=headcount,
        )
        self.orgs.append(union)
        self.enterprises.append(
            EnterpriseSpec(
                name=name,
                uscc=self.credit_code(prefix, region),
                unit_category=category,
                industry=section,
                size_class=self.size_class(headcount),
                county=county_code,
                union=code,
                address=address,
                headcount=headcount,
            )
        )
        return union

    def unorganised(self, county: County) -> None:
        """An enterprise with no union yet (for the township "会员之家" to take its workers)."""
        name, section, category, prefix = self.company(county, TRADES)
        headcount = self.rng.randint(6, 60)
        self.enterprises.append(
            EnterpriseSpec(
                name=name,
                uscc=self.credit_code(prefix, county.code),
                unit_category=category,
                industry=section,
                size_class=self.size_class(headcount),
                county=county.code,
                union=None,
                address=self.address(county, self.rng.choice(county.townships)),
                headcount=headcount,
            )
        )

    def mid_org(
        self,
        code: str,
        name: str,
        kind: str,
        parent: str,
        region: str,
        county: County | None,
        sector: str = "",
        founded: date | None = None,
    ) -> OrgSpec:
        org = OrgSpec(
            code=code,
            name=name,
            kind=kind,
            parent=parent,
            region_code=region,
            sector=sector,
            founded_on=founded,
            chair=self.person(),
            contact_name=self.person(),
            contact_phone=self.phone(),
            address=self.address(county),
        )
        self.orgs.append(org)
        return org

    # -- the tree -------------------------------------------------------------------------
    def build(self) -> None:
        self.orgs.append(
            OrgSpec(
                code=CITY_CODE,
                name="菏泽市总工会",
                short_name="市总工会",
                kind="city",
                parent=None,
                region_code=CITY_CODE,
                chair=self.person(),
                contact_name=self.person(),
                contact_phone=self.phone(),
                address="山东省菏泽市牡丹区中华路1066号",
            )
        )
        for county in COUNTIES:
            self.orgs.append(
                OrgSpec(
                    code=county.code,
                    name=county.name,
                    short_name=county.area,
                    kind="county",
                    parent=CITY_CODE,
                    region_code=county.code,
                    chair=self.person(),
                    contact_name=self.person(),
                    contact_phone=self.phone(),
                    address=self.address(county),
                )
            )
            for i, township in enumerate(county.townships, start=1):
                self.mid_org(
                    f"{county.code}{i:03d}",
                    f"{township}工会",
                    "township",
                    county.code,
                    f"{county.code}{i:03d}",
                    county,
                    founded=self.date_between(date(1995, 1, 1), date(2012, 12, 31)),
                )
        self._mid_level()
        self._grassroots()

    def _mid_level(self) -> None:
        next_code: dict[str, int] = {}

        def code_for(county: str, base: int) -> str:
            n = next_code.get(f"{county}{base}", base) + 1
            next_code[f"{county}{base}"] = n
            return f"{county}{n:03d}"

        for county_code, name, founded in CHEMICAL_INDUSTRY_UNIONS:
            self.mid_org(
                code_for(county_code, 200),
                name,
                "industry",
                county_code,
                county_code,
                COUNTY_BY_CODE[county_code],
                "chemical",
                founded,
            )
        for county_code, name, founded in CHEMICAL_PARK_UNIONS:
            self.mid_org(
                code_for(county_code, 100),
                name,
                "park",
                county_code,
                county_code,
                COUNTY_BY_CODE[county_code],
                "chemical",
                founded,
            )
        for county_code, name, sector, founded in OTHER_INDUSTRY_UNIONS:
            self.mid_org(
                code_for(county_code, 200),
                name,
                "industry",
                county_code,
                county_code,
                COUNTY_BY_CODE.get(county_code),
                sector,
                founded,
            )
        for county_code, name, sector, founded in OTHER_PARK_UNIONS:
            self.mid_org(
                code_for(county_code, 100),
                name,
                "park",
                county_code,
                county_code,
                COUNTY_BY_CODE.get(county_code),
                sector,
                founded,
            )

    def _grassroots(self) -> None:
        by_name = {o.name: o for o in self.orgs}
        chemical = [(t, "C") for t in CHEMICAL_TRADES]
        for county in COUNTIES:
            trades = TRADES + county.specialties * 3
            for _ in range(county.grassroots):
                t_index = self.rng.randrange(len(county.townships))
                township = county.townships[t_index]
                unit = self.institution(county, township) if self.rng.random() < 0.18 else None
                if unit is None:
                    unit = self.company(county, trades)
                self.grassroots(
                    county=county,
                    region=county.code,
                    parent=f"{county.code}{t_index + 1:03d}",
                    township=township,
                    unit=unit,
                )
            for _ in range(1 + (county.grassroots >= 30)):
                self.unorganised(county)
        # Chemical enterprises: a few under each park union, two under each industry union.
        mids = [o for o in self.orgs if o.kind in ("park", "industry") and o.parent != CITY_CODE]
        for mid in mids:
            county = COUNTY_BY_CODE[mid.parent or ""]
            if mid.sector == "chemical":
                pool, count = chemical, (self.rng.randint(3, 5) if mid.kind == "park" else 2)
            else:
                pool, count = trades_for(mid.sector), 2
            for _ in range(count):
                self.grassroots(
                    county=county,
                    region=county.code,
                    parent=mid.code,
                    township="",
                    unit=self.school(county)
                    if mid.sector == "education"
                    else self.company(county, pool),
                )
        for unit_name, union_name, section in CITY_UNITS:
            self._names.add(unit_name)
            company = unit_name.endswith("公司")
            unit = (
                unit_name,
                section,
                ("161" if "股份" in unit_name else "151") if company else "400",
                "91" if company else "12",
            )
            self.grassroots(
                county=None,
                region=CITY_CODE,
                parent=by_name[union_name].code,
                township="",
                unit=unit,
                founded=self.date_between(date(1985, 1, 1), date(2005, 12, 31)),
            )
        self._roll_up_headcounts()

    def _roll_up_headcounts(self) -> None:
        """Parents' headcount: the sum over their grassroots unions (职工人数 of the subtree)."""
        parent_of = {o.code: o.parent for o in self.orgs}
        by_code = {o.code: o for o in self.orgs}
        for org in self.orgs:
            if org.kind != "grassroots":
                continue
            up = parent_of[org.code]
            while up is not None:
                by_code[up].headcount += org.headcount
                up = parent_of[up]


def short_name(name: str, county: County | None) -> str:
    """山东锦华物流有限公司 → 锦华物流; schools and offices keep their full name."""
    if not name.endswith("有限公司"):
        return name
    for suffix in ("股份有限公司", "有限公司"):
        name = name.removesuffix(suffix)
    for prefix in ("山东", "菏泽", *((county.place,) if county else ())):
        if name.startswith(prefix) and len(name) - len(prefix) >= 4:
            return name[len(prefix) :]
    return name


def trades_for(sector: str) -> list[tuple[str, str]]:
    return {
        "logistics": [("物流", "G"), ("供应链管理", "G"), ("冷链物流", "G")],
        "ecommerce": [("电子商务", "F"), ("网络科技", "I"), ("演出服饰", "C")],
        "manufacturing": [("木业", "C"), ("生物医药", "C"), ("家具", "C"), ("医疗器械", "C")],
    }.get(sector, TRADES)


@dataclass(frozen=True)
class HezeData:
    orgs: list[OrgSpec]
    enterprises: list[EnterpriseSpec]


def build() -> HezeData:
    """The whole demo tree, parents before children, and the enterprises."""
    builder = _Builder()
    builder.build()
    depth: dict[str, int] = {}
    for org in builder.orgs:
        depth[org.code] = 0 if org.parent is None else depth[org.parent] + 1
    orgs = sorted(builder.orgs, key=lambda o: depth[o.code])  # stable: keeps build order
    return HezeData(orgs, builder.enterprises)


@lru_cache(maxsize=1)
def enterprise_codes() -> frozenset[str]:
    """The credit codes of the tree's own enterprises: the employers the roster's members and
    the hotline's callers are drawn from. Other loaders may register more enterprises (the
    small firms a bargaining campaign reaches); the roster and the hotline ignore those, so
    that loading the demo again on any day draws the same people and calls."""
    return frozenset(e.uscc for e in build().enterprises)
