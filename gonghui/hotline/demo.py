"""The demo's 12351 hotline: the seed's work orders from July 2019 to December 2020, then
orders month by month up to the day the demo is loaded (the *living* demo), so that this
month, this quarter and this year have figures on every page.

Every order is driven through the real services (``ticket_create`` and one call per step) by
the demo accounts — the operator and the city cadre at 371700 receive, dispatch, call back,
check and close; a hotline cadre at each county federation (``cadre_mudan`` for 牡丹区， the
``rx_<code>`` accounts made here for the others) and the demo clerk below 牡丹区 accept,
return, extend and reply — so every order has its real timeline, path and audit rows.

The services stamp ``timezone.now()``; the plan carries the time of every step, and once the
orders exist the timestamp columns are set to it in bulk (the order's dates, its events, its
path, its notices) so that the timeline, the period statistics and the due dates agree. The
audit rows are append-only and keep the time of loading.

Deterministic (``random.Random(12351)``) and idempotent: each order is keyed by its provincial
number ``SD12351-<year>-<NNNNNN>``; what exists is skipped, and a second run creates nothing.
Exactly ``WINDOW_CLOSED`` (84, the seed page's figure) orders are closed within the seed's
period 2020-01-01..2020-09-19, all on 371700's path; every order of 2019 and 2020 is closed
by the end of 2020.

From 2021 on (``living``), each month has its own generator (seeded by the month, so a month
is the same whatever the day of loading) and numbers (``SD12351-<year>-<MM><NNNN>``): a volume
that grows year by year, with seasons — more calls, and far more about unpaid wages, in the
weeks before Spring Festival, fewer during it. An order's steps stop at the moment of
loading, so the last weeks' orders are open at every stage; a batch of orders in every state
received in the last weeks and a call of half an hour ago (``SD12351-<year>-9<MM><NNN>``, one
batch for the month of loading) make sure each state, and today, are there; the card tick
runs for the day of loading.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext

from gonghui.core import audit
from gonghui.core.workdays import add_workdays
from gonghui.demo import rows

from . import deadlines
from .models import (
    Notification,
    NotificationKind,
    PathRole,
    Satisfaction,
    Status,
    Ticket,
    TicketEvent,
    TicketOrg,
)
from .selectors import org_for_step
from .workflow import NOTES, WHO, WORKFLOW

if TYPE_CHECKING:
    from gonghui.demo.loaders import Output

SEED = 12351
CITY = "371700"
START = date(2019, 7, 1)
SEED_END = date(2020, 12, 31)  # the seed's orders end here; the living demo follows
LIVING_FROM = date(2021, 1, 1)
WINDOW = (date(2020, 1, 1), date(2020, 9, 19))
WINDOW_CLOSED = 84  # orders closed within WINDOW (the seed page's figure)
MUDAN = "371702"
CLERK_UNION = "3717020001"

# Closed orders by the period of their closing, and the open ones: (full workflow, on the spot)
# Most calls are consultations answered during the call; the rest go down the tree.
CLOSED_BEFORE = (16, 44)  # 2019-08-20 .. 2019-12-31
CLOSED_WINDOW = (36, WINDOW_CLOSED - 36)
CLOSED_AFTER = (14, 34)  # 2020-09-20 .. 2020-12-30

# County federations and their share of the orders handled below the city
COUNTIES = [
    ("371702", 30), ("371721", 12), ("371722", 9), ("371703", 7), ("371723", 6),
    ("371724", 8), ("371725", 9), ("371726", 6), ("371728", 7), ("371771", 3), ("371772", 3),
]  # fmt: skip

# The hotline desk of each county (牡丹区 has the demo's cadre_mudan): username, full name
DESKS = {
    "371703": ("rx_371703", "韩晓东"), "371721": ("rx_371721", "曹丽娜"),
    "371722": ("rx_371722", "单文博"), "371723": ("rx_371723", "郭秀英"),
    "371724": ("rx_371724", "姜海涛"), "371725": ("rx_371725", "潘玉兰"),
    "371726": ("rx_371726", "袁建华"), "371728": ("rx_371728", "冯志刚"),
    "371771": ("rx_371771", "谢春梅"), "371772": ("rx_371772", "彭宇航"),
}  # fmt: skip
DESK_PASSWORD = "Heze2020-Rexian"  # noqa: S105 (printed by the loader, like the demo accounts)
COUNTY_NAMES = {
    "371702": "牡丹区", "371703": "定陶区", "371721": "曹县", "371722": "单县",
    "371723": "成武县", "371724": "巨野县", "371725": "郓城县", "371726": "鄄城县",
    "371728": "东明县", "371771": "菏泽经济技术开发区", "371772": "菏泽高新区",
}  # fmt: skip

# First-level topic code → weight
TOPIC_WEIGHTS = {
    "01": 28, "02": 11, "03": 11, "04": 8, "05": 10, "06": 5, "07": 5, "08": 5, "09": 3,
    "10": 3, "11": 5, "12": 2, "13": 3, "99": 1,
}  # fmt: skip
CHANNELS = [
    ("phone", 58), ("province", 20), ("app", 8), ("wechat", 6), ("web", 4), ("visit", 3),
    ("letter", 1),
]  # fmt: skip

DEMANDS = {
    "01": [
        "{employer}拖欠来电人及{n}名工友{months}个月工资共约{amount}元，多次讨要未果，请求帮助追讨。",
        "来电人在{employer}务工，项目完工后包工头以甲方未结款为由拖欠工资{amount}元，请求协调。",
    ],
    "02": [
        "来电人在{employer}工作{years}年，单位一直未与其签订书面劳动合同，请求督促补签并支付双倍工资。",
        "{employer}单方面变更来电人工作岗位并降低工资，来电人不同意，请求工会协调。",
    ],
    "03": [
        "{employer}自{year}年起未为来电人缴纳社会保险，请求督促补缴。",
        "来电人反映{employer}按最低基数缴纳社保，与实际工资不符，请求核实处理。",
    ],
    "04": [
        "来电人在{employer}工作期间受伤，单位不配合申请工伤认定，请求帮助维权。",
        "来电人已认定工伤，{employer}拖延支付停工留薪期工资和医疗费，请求协调。",
    ],
    "05": [
        "{employer}以经营困难为由辞退来电人，未支付经济补偿，请求帮助。",
        "来电人提出辞职后，{employer}扣押最后一个月工资{amount}元不发，请求协调。",
    ],
    "06": [
        "来电人所在{employer}有职工{n}人尚未建立工会，职工希望组建工会，请求指导。",
        "来电人调入{employer}后会籍未能接转，请求帮助办理。",
    ],
    "07": [
        "来电人家庭因病致困，本人在{employer}工作，请求申请困难职工帮扶。",
        "来电人子女今年考入大学，家庭困难，请求了解金秋助学申请条件并帮助申请。",
    ],
    "08": [
        "{employer}长期安排加班，每月休息不足四天且不支付加班费，请求督促整改。",
        "来电人在{employer}工作满{years}年，单位不安排带薪年休假，请求协调。",
    ],
    "09": [
        "{employer}车间粉尘大，未发放防护用品，职工身体不适，请求督促改善劳动条件。",
        "来电人反映{employer}高温作业未采取防暑降温措施，请求督促整改。",
    ],
    "10": [
        "来电人怀孕后{employer}以调岗为由变相降薪，请求维护孕期女职工权益。",
        "{employer}未安排女职工哺乳时间，请求督促落实。",
    ],
    "11": [
        "来电人与{employer}劳动争议已申请仲裁，请求工会提供法律援助律师代理。",
        "来电人与{employer}就工资结算发生争议，请求工会调解。",
    ],
    "12": ["来电人近期工作压力大、失眠焦虑，请求心理咨询服务。"],
    "13": ["来电人失业在家，请求推荐就业岗位或技能培训。"],
    "99": ["来电人反映{employer}食堂饭菜价格过高、质量差，请求工会协调。"],
}
CONSULTS = {
    "01": "咨询单位拖欠工资应向哪些部门投诉、需准备哪些材料。",
    "02": "咨询试用期最长可以约定多久、试用期工资标准。",
    "03": "咨询灵活就业人员如何参加养老保险和医疗保险。",
    "04": "咨询工伤认定申请时限及所需材料。",
    "05": "咨询单位解除劳动合同时经济补偿如何计算。",
    "06": "咨询新入职单位后如何加入工会、会员卡如何办理。",
    "07": "咨询困难职工建档条件和申请流程。",
    "08": "咨询法定节假日加班工资的计算标准。",
    "09": "咨询夏季高温津贴的发放标准和时间。",
    "10": "咨询女职工产假天数和生育津贴如何领取。",
    "11": "咨询工会法律援助的申请条件和方式。",
    "12": "咨询工会心理咨询服务的预约方式。",
    "13": "咨询工会免费技能培训的报名方式。",
    "99": "咨询“齐鲁工惠”App会员实名认证方法。",
}
ANSWERS = {
    "01": "已告知可向工会、人社部门劳动保障监察机构投诉，准备劳动合同、工资条、考勤等证据。",
    "02": "已告知试用期依合同期限最长六个月，工资不得低于约定工资的百分之八十及最低工资标准。",
    "03": "已告知可持身份证到户籍地社保经办机构或通过“爱山东”App办理参保登记。",
    "04": "已告知单位应在事故发生之日起30日内、个人一年内向人社部门申请工伤认定。",
    "05": "已告知经济补偿按工作年限每满一年支付一个月工资的标准计算。",
    "06": "已告知可向所在单位工会提出申请，或通过“齐鲁工惠”App在线申请入会。",
    "07": "已告知困难职工建档条件和所需材料，请向所在单位工会或县区总工会提出申请。",
    "08": "已告知法定节假日安排工作应支付不低于工资百分之三百的工资报酬。",
    "09": "已告知山东省高温津贴发放时间为6月至9月，标准为每人每月200元。",
    "10": "已告知女职工生育享受98天产假，山东省另增加产假60天，生育津贴由生育保险基金支付。",
    "11": "已告知可持身份证和争议材料到县区总工会职工法律援助工作站申请。",
    "12": "已告知可拨打12351预约市总工会职工心理咨询服务。",
    "13": "已告知关注市总工会公众号报名职工技能提升培训。",
    "99": "已指导来电人在App“我的”页面完成实名认证。",
}
SUGGESTIONS = [
    "建议工会在{employer}所在园区设立职工服务站，方便职工就近办事。",
    "建议加大对中小企业建会入会的宣传力度。",
    "建议延长12351热线人工服务时间。",
    "建议工会组织更多面向一线职工的技能培训和劳动竞赛。",
]
RESULTS = {
    "01": "经{county}总工会协调，{employer}已于{day}支付拖欠工资{amount}元，涉及职工{n}人。",
    "05": "经{county}总工会调解，{employer}同意支付经济补偿{amount}元，已履行完毕。",
}
RESULT_DEFAULT = "经{county}总工会调查核实并与{employer}沟通，问题已协调解决，已电话告知来电人。"
RESULT_SUGGESTION = "{county}总工会已研究来电人建议，纳入年度工作计划，已电话答复来电人。"


@dataclass
class Step:
    action: str
    actor: str  # "operator", "cadre_city", "desk:<county>", "clerk"
    days: int  # working days after the previous step (0: the same day, later)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    external_no: str
    received_at: datetime
    data: dict[str, Any]
    steps: list[Step]
    receiver: str = "operator"
    times: list[datetime] = field(default_factory=list)


class Calendar:
    """Working days of the demo's span, computed once (the services' own calendar)."""

    def __init__(self, start: date, end: date) -> None:
        from gonghui.core.models import WorkdayOverride
        from gonghui.core.workdays import _statutory

        overrides = dict(
            WorkdayOverride.objects.filter(day__range=(start, end)).values_list("day", "is_workday")
        )
        self.days: list[date] = []
        day = start
        while day <= end:
            if overrides.get(day, _statutory(day)):
                self.days.append(day)
            day += timedelta(days=1)
        self.index = {d: i for i, d in enumerate(self.days)}

    def on_or_before(self, day: date) -> date:
        while day not in self.index:
            day -= timedelta(days=1)
        return day

    def back(self, day: date, n: int) -> date:
        return self.days[self.index[self.on_or_before(day)] - n]

    def forward(self, day: date, n: int) -> date:
        i = self.index.get(day)
        if i is None:
            return add_workdays(day, n)
        return self.days[i + n]


def _weighted(rng: random.Random, pairs: list[tuple[Any, int]] | dict[Any, int]) -> Any:
    items = list(pairs.items()) if isinstance(pairs, dict) else pairs
    return rng.choices([k for k, _ in items], [w for _, w in items])[0]


class Generator:
    def __init__(
        self,
        topics: dict[str, list[str]],
        employers: dict[str, list[str]],
        until: date = SEED_END,
    ) -> None:
        from gonghui.members.demo import MOBILE_PREFIXES, PeopleGenerator

        self.rng = random.Random(SEED)
        self.people = PeopleGenerator(SEED)
        self.mobile_prefixes = MOBILE_PREFIXES
        self.topics = topics  # first-level code → its second-level codes
        self.employers = employers
        # room after ``until`` for the steps planned past it (cut off at loading)
        self.cal = Calendar(date(2019, 5, 1), max(until, SEED_END) + timedelta(days=120))
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.wage_boost = 1.0  # the weeks before Spring Festival: more unpaid-wage calls

    def reseed(self, seed: int) -> None:
        """A month of the living demo draws from its own sequence."""
        from gonghui.members.demo import PeopleGenerator

        self.rng = random.Random(seed)
        self.people = PeopleGenerator(seed)

    # -- the order itself ----------------------------------------------------------------

    def caller(self) -> tuple[str, str]:
        rng = self.rng
        name = self.people.name(rng.choice("MF"))
        if rng.random() < 0.08:
            phone = f"0530-{rng.randrange(10**7):07d}"
        else:
            phone = rng.choice(self.mobile_prefixes) + f"{rng.randrange(10**8):08d}"
        return name, phone

    def order(self, category: str, county: str) -> dict[str, Any]:
        rng = self.rng
        weights = dict(TOPIC_WEIGHTS)
        weights["01"] = round(weights["01"] * self.wage_boost)
        root = _weighted(rng, weights)
        if category == "suggestion":
            root = "99" if rng.random() < 0.5 else "06"
        topic = rng.choice(self.topics[root])
        employer = rng.choice(self.employers.get(county) or ["某建筑劳务公司"])
        name, phone = self.caller()
        amount = (
            rng.choice([3, 5, 8, 12, 18, 26, 40, 65, 120, 260]) * 1000 + rng.randrange(10) * 100
        )
        fill = {
            "employer": employer,
            "n": rng.randint(2, 40),
            "months": rng.randint(2, 8),
            "amount": amount,
            "years": rng.randint(2, 9),
            "year": rng.choice([2016, 2017, 2018, 2019]),
        }
        if category == "consult":
            content = CONSULTS[root]
        elif category == "suggestion":
            content = rng.choice(SUGGESTIONS).format(**fill)
        else:
            content = rng.choice(DEMANDS[root]).format(**fill)
        if category == "demand":
            complexity = _weighted(rng, [("normal", 80), ("hard", 15), ("complex", 5)])
        elif category == "consult":
            complexity = "normal"
        else:
            complexity = _weighted(rng, [("normal", 90), ("hard", 10)])
        return {
            "channel": _weighted(rng, CHANNELS),
            "caller_name": name,
            "caller_phone": phone,
            "employer": employer if category != "consult" else "",
            "category": category,
            "complexity": complexity,
            "topic": topic,
            "content": content,
            "urgency": "urgent" if root == "01" and rng.random() < 0.2 else "normal",
            "_root": root,
            "_amount": amount,
            "_workers": fill["n"],
        }

    # -- the steps -----------------------------------------------------------------------

    def handling(self, county: str, data: dict[str, Any], *, late: bool) -> list[Step]:
        """dispatch … reply: the handler's part, with the occasional return, extension,
        further dispatch, supervision or reassignment."""
        rng = self.rng
        desk = f"desk:{county}"
        steps: list[Step] = []
        if rng.random() < 0.06:  # sent to the wrong county first, which returns it
            wrong = _weighted(rng, [(c, w) for c, w in COUNTIES if c != county])
            steps += [
                Step("dispatch", "operator", 0, {"org": wrong}),
                Step(
                    "return",
                    f"desk:{wrong}",
                    1,
                    {"reason": "经核实，来电人所在单位不在我县区，请改派属地总工会。"},
                ),
            ]
        steps.append(Step("dispatch", "operator", 0 if not steps else 1, {"org": county}))
        handler = desk
        if county == MUDAN and rng.random() < 0.2:
            steps.append(
                Step("dispatch", desk, 1, {"org": CLERK_UNION, "note": "请基层工会先行办理"})
            )
            handler = "clerk"
        quick = data["category"] == "consult"  # three working days: handled at once
        steps.append(Step("accept", handler, 0 if quick else rng.choice([0, 1, 1])))
        days = 2 if data["category"] == "consult" else rng.randint(3, 9)
        if late:
            days += rng.randint(10, 14)
        if data["category"] != "consult" and rng.random() < 0.08:
            steps.append(
                Step("extend", handler, days, {"days": 7, "reason": "涉及人数较多，需进一步核实。"})
            )
            steps.append(Step("approve_extension", "cadre_city", 1, {"approved": True}))
            days = rng.randint(3, 6)
        elif data["category"] == "demand" and rng.random() < 0.1:
            steps.append(Step("supervise", "cadre_city", min(days, 3), {"note": "请加快办理。"}))
            days = max(days - 3, 1)
        steps.append(
            Step(
                "reply",
                handler,
                days if data["category"] != "consult" else 1,
                self.reply(county, data),
            )
        )
        return steps

    def reply(self, county: str, data: dict[str, Any]) -> dict[str, Any]:
        root = data["_root"]
        fill = {
            "county": COUNTY_NAMES[county],
            "employer": data["employer"] or "相关单位",
            "amount": data["_amount"],
            "n": data["_workers"],
            "day": "近日",
        }
        if data["category"] == "suggestion":
            return {"result": RESULT_SUGGESTION.format(**fill)}
        if data["category"] == "demand" and root in RESULTS:
            out: dict[str, Any] = {"result": RESULTS[root].format(**fill)}
            if root == "01":
                out["wages_recovered"] = str(Decimal(data["_amount"]))
                out["workers"] = data["_workers"]
            return out
        return {"result": RESULT_DEFAULT.format(**fill)}

    def closing(
        self, handler: str, reply: dict[str, Any], *, reopen: str = "", quick: bool = False
    ) -> list[Step]:
        """callback … close, with a dissatisfied callback or a failed check first (the
        second reply keeps the first one's figures)."""
        rng = self.rng
        steps: list[Step] = []
        if reopen == "callback":
            steps += [
                Step(
                    "callback",
                    "operator",
                    1,
                    {"satisfaction": "dissatisfied", "note": "来电人表示问题未解决。"},
                ),
                Step("accept", handler, 1),
                Step(
                    "reply",
                    handler,
                    rng.randint(2, 4),
                    {**reply, "result": "再次协调，已按来电人诉求解决。"},
                ),
            ]
        elif reopen == "check":
            steps += [
                Step("callback", "operator", 1, {"satisfaction": "basically_satisfied"}),
                Step("check", "cadre_city", 0, {"passed": False, "note": "办理结果缺少佐证材料。"}),
                Step("accept", handler, 1),
                Step("reply", handler, 2, {**reply, "result": "已补充协调记录和支付凭证。"}),
            ]
        satisfaction = _weighted(rng, [("satisfied", 82), ("basically_satisfied", 18)])
        steps += [
            Step(
                "callback",
                "operator",
                1 if quick else rng.choice([1, 1, 2]),
                {"satisfaction": satisfaction},
            ),  # fmt: skip
            Step("check", "cadre_city", 0 if quick else rng.choice([0, 1]), {"passed": True}),
            Step("close", "cadre_city", 0 if quick else rng.choice([0, 0, 1])),
        ]
        return steps

    def full(self, county: str, category: str) -> tuple[dict[str, Any], list[Step]]:
        rng = self.rng
        data = self.order(category, county)
        late = rng.random() < 0.07
        steps = self.handling(county, data, late=late)
        handler = next(s.actor for s in steps if s.action == "accept")
        reply = next(s.data for s in steps if s.action == "reply")
        roll = rng.random()
        reopen = "callback" if roll < 0.07 else "check" if roll < 0.1 else ""
        quick = category == "consult"
        return data, steps + self.closing(handler, reply, reopen=reopen, quick=quick)

    def county(self) -> str:
        return str(_weighted(self.rng, COUNTIES))

    def category(self) -> str:
        return str(_weighted(self.rng, [("demand", 70), ("consult", 18), ("suggestion", 12)]))

    # -- placing in time -----------------------------------------------------------------

    def at(self, day: date, minute: int) -> datetime:
        return datetime.combine(day, time(8, 30), tzinfo=self.tz) + timedelta(minutes=minute)

    def timed(self, plan: Plan, received_on: date) -> Plan:
        """Times of receipt and of every step: working days as planned, minutes later on
        the same day, within office hours (the evening of a long day at worst)."""
        rng = self.rng
        minute = rng.randrange(0, 480)
        plan.received_at = self.at(received_on, minute)
        day = received_on
        plan.times = []
        for step in plan.steps:
            if step.days:
                day = self.cal.forward(day, step.days)
                minute = rng.randrange(0, 300)
            else:
                minute += rng.randrange(8, 90)
            plan.times.append(self.at(day, minute))
        return plan

    def closed_on(self, plan: Plan) -> date:
        return self.cal_day(plan.times[-1]) if plan.times else self.cal_day(plan.received_at)

    def cal_day(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    def closed_plan(self, close_on: date, spot: bool) -> Plan:
        """A closed order whose closing falls on ``close_on`` (a working day)."""
        county = self.county()
        if spot:
            data = self.order("consult", county)
            data["answered"] = True
            data["answer"] = ANSWERS[data["_root"]]
            data["channel"] = "phone"
            plan = Plan("", datetime.min, data, [])
            return self.timed(plan, close_on)
        data, steps = self.full(county, self.category())
        total = sum(s.days for s in steps)
        plan = Plan("", datetime.min, data, steps)
        # same-day steps add at most 90 minutes each: the closing stays on its day
        return self.timed(plan, self.cal.back(close_on, total))

    def received_plan(self, received_on: date, spot: bool) -> Plan:
        """An order received on ``received_on`` with all its steps (the living demo cuts
        them at the moment of loading)."""
        county = self.county()
        if spot:
            data = self.order("consult", county)
            data["answered"] = True
            data["answer"] = ANSWERS[data["_root"]]
            data["channel"] = "phone"
            return self.timed(Plan("", datetime.min, data, []), received_on)
        data, steps = self.full(county, self.category())
        return self.timed(Plan("", datetime.min, data, steps), received_on)

    def open_plan(self, received_on: date, stage: str) -> Plan:
        county = self.county()
        category = "consult" if stage == "received" and self.rng.random() < 0.3 else "demand"
        data, steps = self.full(county, category)
        cut = {
            "received": 0,
            "dispatched": 1,
            "accepted": 2,
            "extension_requested": None,
            "returned": None,
            "replied": None,
            "called_back": None,
            "checked": None,
            "reopened": None,
        }[stage]
        if stage in ("received", "dispatched", "accepted"):
            steps = [s for s in steps if s.action not in ("return",)]
            steps = [
                s
                for s in steps
                if not (
                    s.action == "dispatch" and s.actor == "operator" and s.data["org"] != county
                )
            ]
            steps = steps[: cut if stage != "accepted" else _index(steps, "accept") + 1]
        elif stage == "extension_requested":
            steps = steps[: _index(steps, "accept") + 1] + [
                Step(
                    "extend",
                    steps[_index(steps, "accept")].actor,
                    6,
                    {"days": 7, "reason": "用人单位负责人外出，需延期协调。"},
                ),
            ]
        elif stage == "returned":
            first = Step("dispatch", "operator", 0, {"org": county})
            steps = [
                first,
                Step(
                    "return",
                    f"desk:{county}",
                    1,
                    {"reason": "诉求涉及劳动仲裁，请转法律援助部门办理。"},
                ),
            ]
        elif stage == "replied":
            steps = steps[: _index(steps, "reply", last=True) + 1]
        elif stage == "called_back":
            steps = steps[: _index(steps, "callback", last=True) + 1]
        elif stage == "checked":
            steps = steps[: _index(steps, "check", last=True) + 1]
        elif stage == "reopened":
            steps = steps[: _index(steps, "reply", last=True) + 1]
            steps = [s for s in steps if s.action != "extend" and s.action != "approve_extension"]
            steps.append(
                Step(
                    "callback",
                    "operator",
                    1,
                    {"satisfaction": "dissatisfied", "note": "来电人称欠款仍未到位。"},
                )
            )
        plan = Plan("", datetime.min, data, steps)
        return self.timed(plan, received_on)


def _index(steps: list[Step], action: str, *, last: bool = False) -> int:
    found = [i for i, s in enumerate(steps) if s.action == action]
    return found[-1] if last else found[0]


def _spread(rng: random.Random, cal: Calendar, start: date, end: date, n: int) -> list[date]:
    days = [d for d in cal.days if start <= d <= end]
    return sorted(rng.choice(days) for _ in range(n))


OPEN_STAGES = [
    ("received", 4), ("dispatched", 4), ("accepted", 10), ("extension_requested", 2),
    ("returned", 2), ("replied", 4), ("called_back", 3), ("checked", 2), ("reopened", 3),
]  # fmt: skip


def build(topics: dict[str, list[str]], employers: dict[str, list[str]]) -> list[Plan]:
    """The seed's orders (2019 and 2020, every one closed by the end of 2020), numbered by
    year in order of receipt. Pure: the same topics and employers give the same plans."""
    gen = Generator(topics, employers)
    rng, cal = gen.rng, gen.cal
    plans: list[Plan] = []
    for (start, end), (full, spot) in (
        ((date(2019, 8, 20), date(2019, 12, 31)), CLOSED_BEFORE),
        (WINDOW, CLOSED_WINDOW),
        ((WINDOW[1] + timedelta(days=1), date(2020, 12, 30)), CLOSED_AFTER),
    ):
        for day in _spread(rng, cal, start, end, full):
            plans.append(gen.closed_plan(day, spot=False))
        for day in _spread(rng, cal, start, end, spot):
            plans.append(gen.closed_plan(day, spot=True))
    plans.sort(key=lambda p: p.received_at)
    per_year: dict[int, int] = {}
    for plan in plans:
        year = plan.received_at.year
        per_year[year] = per_year.get(year, 0) + 1
        plan.external_no = f"SD12351-{year}-{per_year[year] * 7 + 100:06d}"
    return plans


# -- the living demo: every month since 2021 --------------------------------------------

# Orders a month, by year: the hotline grows as workers learn the number (later years: the last)
PER_MONTH = {2021: 3, 2022: 4, 2023: 5, 2024: 6, 2025: 7, 2026: 8}
# The seasons: calls crowd into the weeks before Spring Festival (late January to mid
# February), thin out during it and in early autumn
SEASON = {
    1: 1.7, 2: 0.8, 3: 1.1, 4: 0.9, 5: 1.0, 6: 1.0,
    7: 1.1, 8: 1.0, 9: 0.9, 10: 0.8, 11: 1.1, 12: 1.5,
}  # fmt: skip
# ... and before it, far more of them are about unpaid wages (topic 01)
WAGE_BOOST = {11: 1.6, 12: 2.6, 1: 3.2, 2: 1.4}
SPOT_SHARE = 0.35  # consultations answered during the call


def _months(start: date, end: date) -> list[tuple[int, int]]:
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _cut(plan: Plan, now: datetime) -> Plan | None:
    """The order as it stands at ``now``: the steps taken by then (None: not yet received)."""
    if plan.received_at > now:
        return None
    kept = sum(1 for at in plan.times if at <= now)
    plan.steps, plan.times = plan.steps[:kept], plan.times[:kept]
    return plan


def living(
    topics: dict[str, list[str]], employers: dict[str, list[str]], now: datetime
) -> list[Plan]:
    """The orders of every month from 2021 to ``now``'s, as they stand at ``now``, and the
    year's batch of orders in every state received in the last weeks. A month's orders do
    not depend on ``now`` (their own seed); only where their steps stop does."""
    today = now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    gen = Generator(topics, employers, until=today)
    cal = gen.cal
    plans: list[Plan] = []
    for year, month in _months(LIVING_FROM, today):
        gen.reseed(SEED * 1_000_000 + year * 100 + month)
        gen.wage_boost = WAGE_BOOST.get(month, 1.0)
        rng = gen.rng
        last = max(PER_MONTH)
        n = round(PER_MONTH.get(year, PER_MONTH[last]) * SEASON[month] * rng.uniform(0.85, 1.15))
        first = date(year, month, 1)
        days = [d for d in cal.days if (d.year, d.month) == (year, month)]
        for k in range(n):
            day = rng.choice(days)
            plan = gen.received_plan(day, spot=rng.random() < SPOT_SHARE)
            plan.external_no = f"SD12351-{year}-{first.month:02d}{k + 1:04d}"
            if _cut(plan, now) is not None:
                plans.append(plan)
    gen.reseed(SEED * 1_000_000 + today.year * 100 + today.month + 50)
    gen.wage_boost = WAGE_BOOST.get(today.month, 1.0)
    plans += _in_every_state(gen, today, now)
    plans.sort(key=lambda p: p.received_at)
    return plans


def _in_every_state(gen: Generator, today: date, now: datetime) -> list[Plan]:
    """Open orders received in the last weeks before ``today``, in every state (a few long
    overdue: red cards), and two due today and the next working day (yellow cards)."""
    rng, cal = gen.rng, gen.cal
    recent = cal.on_or_before(today)
    stages = [stage for stage, n in OPEN_STAGES for _ in range(n)]
    plans: list[Plan] = []
    for stage in stages:
        if stage == "received":
            received_on = cal.back(recent, rng.randint(0, 1))
        elif stage == "accepted" and rng.random() < 0.3:  # long overdue: red cards
            received_on = cal.back(recent, rng.randint(17, 60))
        else:
            received_on = cal.back(recent, rng.randint(3, 16))
        plan = gen.open_plan(received_on, stage)
        while plan.times and (gen.cal_day(plan.times[-1]) > today or plan.times[-1] > now):
            plan = gen.timed(plan, cal.back(gen.cal_day(plan.received_at), 2))
        plans.append(plan)
    for back in (15, 14):
        plan = gen.open_plan(cal.back(recent, back), "accepted")
        plan.data.update(category="demand", complexity="normal")
        plans.append(plan)
    for i, plan in enumerate(plans, start=1):
        plan.external_no = f"SD12351-{today.year}-9{today.month:02d}{i:03d}"
        if plan.received_at > now:  # received later today: an order received earlier
            plan = gen.timed(plan, cal.back(gen.cal_day(plan.received_at), 1))
    # and a call half an hour ago (or at midnight, just after it), answered during the call:
    # today has its order
    call = gen.received_plan(today, spot=True)
    midnight = datetime.combine(today, time(0, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))
    call.received_at = max(now - timedelta(minutes=30), midnight)
    call.external_no = f"SD12351-{today.year}-9{today.month:02d}{len(plans) + 1:03d}"
    return [p for p in plans if p.received_at <= now] + [call]


# -- loading -----------------------------------------------------------------------------


def desk_accounts() -> list[Any]:
    """The county desks' accounts as ``gonghui demo`` prints them (one shared password)."""
    from gonghui.demo.loaders import DemoAccount

    return [
        DemoAccount(username, "cadre", code, DESK_PASSWORD, name, "12351热线承办")
        for code, (username, name) in DESKS.items()
    ]


def _desks(stdout: Output) -> dict[str, Any]:
    """The actors: the demo's operator, city cadre, 牡丹区 cadre and clerk, and a hotline
    desk cadre at every other county federation (made here, one shared password hash)."""
    from django.contrib.auth.hashers import make_password

    from gonghui.accounts.models import User
    from gonghui.orgs.models import Org

    existing = set(
        User.objects.filter(username__in=[u for u, _ in DESKS.values()]).values_list(
            "username", flat=True
        )
    )
    missing = [(code, u, n) for code, (u, n) in DESKS.items() if u not in existing]
    if missing:
        orgs = {o.code: o for o in Org.objects.filter(code__in=[c for c, _, _ in missing])}
        hashed = make_password(DESK_PASSWORD)
        users = [
            User(
                username=u,
                org=orgs[code],
                role="cadre",
                full_name=n,
                title="12351热线承办",
                password=hashed,
            )
            for code, u, n in missing
            if code in orgs
        ]
        User.objects.bulk_create(users)
        for user in users:
            audit.record(
                actor=None,
                action="user.create",
                object_type="user",
                object_id=user.pk,
                object_org=user.org,
                object_repr=user.username,
                note="演示数据：县区热线承办账号",
            )
        made = "、".join(
            f"{u.username}（{u.full_name}，{COUNTY_NAMES[code]}）"
            for u, code in zip(users, [c for c, _, _ in missing if c in orgs], strict=True)
        )
        stdout.write(f"热线承办账号：新建 {len(users)} 个，密码均为 {DESK_PASSWORD}：{made}\n")
    names = ["operator", "cadre_city", "cadre_mudan", "clerk", *[u for u, _ in DESKS.values()]]
    by_name = {u.username: u for u in User.objects.filter(username__in=names).select_related("org")}
    actors: dict[str, Any] = {}
    for key, username in (
        ("operator", "operator"),
        ("cadre_city", "cadre_city"),
        ("clerk", "clerk"),
        (f"desk:{MUDAN}", "cadre_mudan"),
    ):
        if username in by_name:
            actors[key] = by_name[username]
    for code, (username, _) in DESKS.items():
        if username in by_name:
            actors[f"desk:{code}"] = by_name[username]
    return actors


def _members_for_callers(n: int) -> list[tuple[str, str, str]]:
    """Some callers are members of the demo roster, the demo member first: (name, phone,
    employer)."""
    from gonghui.members.models import Member

    demo = list(
        Member.objects.filter(user__username="member").only("name", "phone", "employer_name")[:1]
    )
    rows = list(
        Member.objects.filter(status="active", user__isnull=True)
        .order_by("id")
        .only("name", "phone", "employer_name")[: n * 40 : 40]
    )
    out = [(m.name, m.phone, m.employer_name) for m in demo + rows]
    return [row for row in out if row[1]]


def load_hotline(stdout: Output) -> None:
    """Create the orders of the plan that are missing (by provincial number), each through
    the services — the seed's, then every month's up to now — then set the times of the new
    ones and run the card tick for today."""
    from django.utils import timezone

    from gonghui.orgs.models import Enterprise, Org

    from . import services
    from .models import Topic

    topics: dict[str, list[str]] = {}
    for code, parent in Topic.objects.filter(parent__isnull=False, active=True).values_list(
        "code", "parent__code"
    ):
        topics.setdefault(parent, []).append(code)
    if not Org.objects.filter(code=CITY).exists() or not topics:
        stdout.write("热线工单：缺少组织或问题分类，跳过\n")
        return
    from gonghui.demo.heze import enterprise_codes

    employers: dict[str, list[str]] = {}
    for name, county in (
        Enterprise.objects.filter(
            county__code__in=[c for c, _ in COUNTIES], uscc__in=enterprise_codes()
        )
        .order_by("uscc")
        .values_list("name", "county__code")
    ):
        employers.setdefault(county, []).append(name)
    now = timezone.now()
    today = timezone.localdate(now)
    plans = build(topics, employers) + living(topics, employers, now)
    have = set(
        Ticket.objects.filter(external_no__in=[p.external_no for p in plans]).values_list(
            "external_no", flat=True
        )
    )
    todo = [p for p in plans if p.external_no not in have]
    if not todo:
        stdout.write(f"热线工单：新建 0 件，已有 {len(plans)} 件\n")
        return
    actors = _desks(stdout)
    if "operator" not in actors or "cadre_city" not in actors:
        stdout.write("热线工单：缺少演示账号(operator、cadre_city)，跳过\n")
        return
    # every seventh order comes from a member of the roster (linked by the phone's index)
    callers = _members_for_callers(len(plans) // 7 + 1)
    for i, plan in enumerate(plans):
        if i % 7 == 3 and callers:
            name, phone, employer = callers[(i // 7) % len(callers)]
            plan.data.update(caller_name=name, caller_phone=phone)
            if employer and plan.data["employer"]:
                plan.data["employer"] = employer

    writer = OrderWriter(actors, now)
    writer.link_members([services._phone(p.data.get("caller_phone")) for p in todo])
    created = [(plan, writer.add(plan)) for plan in todo]
    writer.write()
    tick = services.tickets_tick(today=today)
    morning = datetime.combine(today, time(7, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))
    Notification.objects.filter(
        ticket__in=[t for _, t in created], kind__in=("yellow", "red")
    ).update(created_at=min(morning, now))
    stdout.write(
        f"热线工单：新建 {len(created)} 件，已有 {len(plans) - len(created)} 件"
        f"（{plans[0].received_at:%Y-%m} 至 {today:%Y-%m}）；"
        f"{today} 黄牌 {tick['yellow']} 件，红牌 {tick['red']} 件\n"
    )


def load_through_services(plans: list[Plan], actors: dict[str, Any]) -> list[Ticket]:
    """The plans' orders driven one by one through the services, then placed at their
    planned times: what ``OrderWriter`` computes in bulk (the test of the writer compares
    the two; the demo itself uses the writer)."""
    from . import services

    created: list[tuple[Plan, Ticket]] = []
    for plan in plans:
        data = {k: v for k, v in plan.data.items() if not k.startswith("_")}
        data.update(external_no=plan.external_no, received_at=plan.received_at)
        ticket, _ = services.ticket_create(actor=actors[plan.receiver], data=data)
        for step in plan.steps:
            actor = actors.get(step.actor) or actors["cadre_city"]
            ticket = services.ticket_act(
                actor=actor, ticket=ticket, action=step.action, data=step.data
            )
        created.append((plan, ticket))
    _set_times(created)
    return [t for _, t in created]


def _update_many(model: Any, fields: list[str], rows: list[tuple[Any, ...]]) -> None:
    """``UPDATE … SET fields WHERE id = …`` for many rows in one ``executemany``: rows are
    ``(pk, value, …)``. Much cheaper than ``bulk_update``'s CASE expressions."""
    if not rows:
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(f.column)} = %s" for f in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608 (model names)
    params = [
        [
            f.get_db_prep_value(v, connection, prepared=False)
            for f, v in zip(columns, values, strict=True)
        ]
        + [pk]
        for pk, *values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _set_times(created: list[tuple[Plan, Ticket]]) -> None:
    """The services stamped the time of loading; put every step at its planned time."""
    by_id = {t.pk: p for p, t in created}
    ids = list(by_id)
    events: list[tuple[Any, ...]] = []
    seen: dict[int, int] = {}
    for event_id, ticket_id in (
        TicketEvent.objects.filter(ticket_id__in=ids)
        .order_by("ticket_id", "id")
        .values_list("id", "ticket_id")
    ):
        plan = by_id[ticket_id]
        i = seen.get(ticket_id, 0)
        seen[ticket_id] = i + 1
        if i == 0:
            at = plan.received_at  # create
        elif not plan.steps:
            at = plan.received_at + timedelta(minutes=4 + ticket_id % 9)  # answer
        else:
            at = plan.times[i - 1]
        events.append((event_id, at))
    _update_many(TicketEvent, ["at"], events)

    entered: dict[tuple[int, str], datetime] = {}
    for pk, plan in by_id.items():
        for step, at in zip(plan.steps, plan.times, strict=True):
            if step.action in ("dispatch", "reassign"):
                entered.setdefault((pk, step.data["org"]), at)
    _update_many(
        TicketOrg,
        ["at"],
        [
            (row_id, entered.get((ticket_id, code), by_id[ticket_id].received_at))
            for row_id, ticket_id, code in TicketOrg.objects.filter(ticket_id__in=ids).values_list(
                "id", "ticket_id", "org__code"
            )
        ],
    )

    notices = []
    for notice_id, ticket_id in Notification.objects.filter(
        ticket_id__in=ids, kind="supervise"
    ).values_list("id", "ticket_id"):
        plan = by_id[ticket_id]
        at = next(a for s, a in zip(plan.steps, plan.times, strict=True) if s.action == "supervise")
        notices.append((notice_id, at))
    _update_many(Notification, ["created_at"], notices)

    columns = [
        "created_at",
        "updated_at",
        "dispatched_at",
        "dispatched_on",
        "replied_at",
        "called_back_at",
        "closed_at",
        "closed_on",
        "closed_on_time",
    ]
    tz = ZoneInfo(settings.TIME_ZONE)
    rows: list[tuple[Any, ...]] = []
    for pk, status, due_on in Ticket.objects.filter(pk__in=ids).values_list(
        "id", "status", "due_on"
    ):
        plan = by_id[pk]
        times: dict[str, list[datetime]] = {}
        for step, at in zip(plan.steps, plan.times, strict=True):
            name = "callback" if step.action in ("callback", "reopen") else step.action
            times.setdefault(name, []).append(at)
        dispatched = times.get("dispatch", [None])[0]
        closed_at = closed_on = on_time = None
        if status == "closed":
            closed_at = times["close"][-1] if "close" in times else plan.received_at
            closed_on = closed_at.astimezone(tz).date()
            on_time = due_on is None or closed_on <= due_on
        rows.append(
            (
                pk,
                plan.received_at,
                plan.times[-1] if plan.times else plan.received_at,
                dispatched,
                dispatched.astimezone(tz).date() if dispatched else None,
                times.get("reply", [None])[-1],
                times.get("callback", [None])[-1],
                closed_at,
                closed_on,
                on_time,
            )
        )
    _update_many(Ticket, columns, rows)


# -- writing the orders: the services' writes, computed in Python and inserted in bulk -------


class OrderWriter:
    """What ``services.ticket_create`` and each ``services.ticket_act`` step write for the
    demo's orders — the order row, its path, its timeline, its supervision notices and one
    audit row per write, with the same values, labels and masking — computed in Python by
    the services' own rules (``WORKFLOW``, ``WHO``, ``deadlines``, ``audit.snapshot``) and
    inserted with a few statements (``gonghui.demo.rows``). Every step is checked as the
    service checks it (the state allows it, the actor's role and org may take it), so a plan
    the services would refuse fails here too. Each write is placed at its planned time (the
    timeline, the order's dates, its path, its notices); the audit rows keep the time of
    loading, as they do through the services. ``tests/test_hotline_demo_writer.py`` compares
    the two paths row by row."""

    def __init__(self, actors: dict[str, Any], now: datetime) -> None:
        from gonghui.orgs.models import Org

        from .models import Topic

        self.actors = actors
        self.now = now
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.orgs_by_id = {o.pk: o for o in Org.objects.all()}
        self.orgs_by_code = {o.code: o for o in self.orgs_by_id.values() if o.active}
        self.topics = {t.code: t for t in Topic.objects.filter(active=True)}
        self.next_id = rows.next_id(Ticket)
        self.tickets: list[Ticket] = []
        self.path: dict[tuple[int, int], dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self.notices: list[dict[str, Any]] = []
        self.audits: list[dict[str, Any]] = []
        self._due: dict[tuple[date, str, str], date] = {}
        self._members: dict[str, int] = {}

    # -- the order ------------------------------------------------------------------------

    def link_members(self, phones: list[str]) -> None:
        """The member each caller's phone names (``services._link_member``: the latest
        status first), for every phone at once."""
        from gonghui.core.fields import blind_index_for
        from gonghui.members.models import Member

        wanted = {blind_index_for("mobile", p) for p in phones if p}
        best: dict[str, tuple[date, int]] = {}
        for bidx, since, pk in Member.objects.filter(phone_bidx__in=wanted).values_list(
            "phone_bidx", "status_since", "id"
        ):
            if bidx not in best or (since, -pk) > (best[bidx][0], -best[bidx][1]):
                best[bidx] = (since, pk)
        self._members = {bidx: pk for bidx, (_s, pk) in best.items()}

    def due_date(self, received_on: date, category: str, complexity: str) -> date:
        key = (received_on, category, complexity)
        if key not in self._due:
            self._due[key] = deadlines.due_date(received_on, category, complexity)
        return self._due[key]

    def add(self, plan: Plan) -> Ticket:
        from gonghui.core.fields import blind_index_for

        from . import services

        actor = self.actors[plan.receiver]
        data = plan.data
        received_at = plan.received_at
        received_on = received_at.astimezone(self.tz).date()
        phone = services._phone(data.get("caller_phone"))
        org = self.orgs_by_id[actor.org_id]
        member_id = self._members.get(blind_index_for("mobile", phone)) if phone else None
        pk = self.next_id
        self.next_id += 1
        t = Ticket(
            id=pk,
            number=f"{received_on:%Y%m%d}{pk:06d}",
            external_no=plan.external_no[:40],
            channel=data["channel"],
            received_at=received_at,
            received_on=received_on,
            caller_name=str(data["caller_name"]).strip()[:50],
            caller_phone=phone,
            caller_id_number="",
            member_id=member_id,
            filed_by=actor,
            employer=str(data.get("employer") or "").strip()[:150],
            category=data["category"],
            complexity=data.get("complexity") or "normal",
            topic=self.topics[data["topic"]],
            content=str(data["content"]).strip(),
            urgency=data.get("urgency") or "normal",
            receiving_org=org,
            due_on=self.due_date(received_on, data["category"], data.get("complexity") or "normal"),
            created_at=received_at,
        )
        t.handler_org = t.dispatcher_org = t.county = None
        t.wages_recovered = Decimal("0.00")  # as the services read it back from the row
        self.tickets.append(t)
        self.path[(pk, org.pk)] = {
            "ticket_id": pk, "org_id": org.pk, "via_id": None, "role": PathRole.RECEIVING,
            "at": received_at,
        }  # fmt: skip
        self._event(t, actor, "create", to_status=Status.RECEIVED, at=received_at,
                    data={"channel": t.channel, "external_no": t.external_no})  # fmt: skip
        created = audit.snapshot(t, CREATE_AUDITED)
        self._audit(
            actor, t, "create", {k: {"before": None, "after": v} for k, v in created.items()}
        )
        last = received_at
        if data.get("answered"):
            before = audit.snapshot(t, services.AUDITED)
            WORKFLOW.check(t.status, "answer")
            t.status = Status.CLOSED
            t.answered_on_spot = True
            t.answer = str(data.get("answer") or "").strip()
            self._close(t, received_at)
            at = received_at + timedelta(minutes=4 + pk % 9)
            self._event(t, actor, "answer", from_status=Status.RECEIVED, to_status=Status.CLOSED,
                        note=gettext("当场答复"), at=at)  # fmt: skip
            self._audit(actor, t, "answer", audit.diff(before, audit.snapshot(t, services.AUDITED)))
        for step, at in zip(plan.steps, plan.times, strict=True):
            self.step(t, self.actors.get(step.actor) or self.actors["cadre_city"], step, at)
            last = at
        t.updated_at = last
        return t

    # -- the steps ------------------------------------------------------------------------

    def step(self, t: Ticket, actor: Any, step: Step, at: datetime) -> None:
        from . import services

        d = step.data
        name = step.action
        note = str(d.get("note") or "")
        if name == "supervise":
            self._supervise(t, actor, note, at)
            return
        if name == "callback" and d.get("satisfaction") == Satisfaction.DISSATISFIED:
            name = "reopen"
        if name == "check" and not services._bool(d.get("passed", True)):
            name = "check_fail"
        WORKFLOW.check(t.status, name, actor.role)
        if actor.org_id != org_for_step(t, WHO[name]):
            raise RuntimeError(f"{t.external_no}: {actor.username} may not {name}")
        before = audit.snapshot(t, services.AUDITED)
        from_status = t.status
        t.status = WORKFLOW.get(name).target
        data: dict[str, Any] = {}
        audit_note = ""
        if name == "dispatch":
            sender = self.orgs_by_id[t.holder_id]
            target = self.orgs_by_code[str(d["org"])]
            if target.pk == sender.pk or not target.path.startswith(sender.path):
                raise RuntimeError(f"{t.external_no}: cannot dispatch to {target.code}")
            t.dispatcher_org, t.handler_org = sender, target
            t.county = self.orgs_by_id.get(services._county_of(target) or 0)
            self.path.setdefault((t.pk, target.pk), {
                "ticket_id": t.pk, "org_id": target.pk, "via_id": sender.pk,
                "role": PathRole.HANDLER, "at": at,
            })  # fmt: skip
            if t.dispatched_at is None:
                t.dispatched_at, t.dispatched_on = at, at.astimezone(self.tz).date()
            data = {"org": target.code, "org_name": target.name}
        elif name == "accept":
            if t.handler_org_id is None:
                t.handler_org = t.receiving_org
        elif name == "return":
            note = str(d.get("reason") or "").strip()
            back = t.dispatcher_org_id or t.receiving_org_id
            t.handler_org = None if back == t.receiving_org_id else self.orgs_by_id[back]
            above = self.path[(t.pk, back)]["via_id"]
            t.dispatcher_org = self.orgs_by_id[above] if t.handler_org_id and above else None
            data = {"reason": note}
        elif name == "extend":
            note = str(d.get("reason") or "").strip()
            t.extension_days_requested = int(d["days"])
            data = {"days": t.extension_days_requested, "reason": note}
        elif name == "approve_extension":
            approved = services._bool(d.get("approved"))
            note = note or (gettext("同意延期") if approved else gettext("不同意延期"))
            days, t.extension_days_requested = t.extension_days_requested, 0
            if approved and t.due_on is not None:
                t.due_on = deadlines.extended(t.due_on, days)
                t.extended_days += days
            data = {"approved": approved}
        elif name == "reply":
            note = str(d.get("result") or "").strip()
            t.result = note
            t.wages_recovered = services._money(d.get("wages_recovered"))
            t.workers = int(d.get("workers") or 0)
            t.replied_at = at
            data = {"wages_recovered": str(t.wages_recovered), "workers": t.workers}
            audit_note = gettext("办结反馈")
        elif name in ("callback", "reopen"):
            t.satisfaction = str(d.get("satisfaction") or "")
            t.called_back_at = at
            if name == "reopen":
                t.reopen_count += 1
            data = {"satisfaction": t.satisfaction}
        elif name in ("check", "check_fail"):
            if name == "check_fail":
                t.reopen_count += 1
            data = {"passed": name == "check"}
        elif name == "close":
            self._close(t, at)
        else:
            raise RuntimeError(f"{t.external_no}: the demo takes no step {name}")
        self._event(t, actor, name, from_status=from_status, to_status=t.status, note=note,
                    data=data, at=at)  # fmt: skip
        changes = audit.diff(before, audit.snapshot(t, services.AUDITED))
        self._audit(actor, t, name, changes, audit_note or note[:200])

    def _supervise(self, t: Ticket, actor: Any, note: str, at: datetime) -> None:
        """``services._note_step`` for 督办： the holder is notified."""
        from . import services

        note = note.strip()
        spec = NOTES["supervise"]
        holder = self.orgs_by_id[t.holder_id]
        home = self.orgs_by_id[actor.org_id]
        above = home.pk != holder.pk and holder.path.startswith(home.path)
        above = above and (t.pk, home.pk) in self.path  # on the order's path
        if t.status not in spec.states or actor.role not in spec.roles or not above:
            raise RuntimeError(f"{t.external_no}: {actor.username} may not supervise")
        before = audit.snapshot(t, services.AUDITED)
        t.supervised_count += 1
        message = gettext("工单 %(no)s 被督办：%(note)s") % {"no": t.number, "note": note}
        self.notices.append({
            "org_id": holder.pk, "ticket_id": t.pk, "kind": NotificationKind.SUPERVISE,
            "due_on": t.due_on, "message": message[:300], "created_at": at,
        })  # fmt: skip
        self._event(t, actor, "supervise", note=note, at=at)
        changes = audit.diff(before, audit.snapshot(t, services.AUDITED))
        self._audit(actor, t, "supervise", changes, note[:200])

    def _close(self, t: Ticket, at: datetime) -> None:
        t.closed_at = at
        t.closed_on = at.astimezone(self.tz).date()
        t.closed_on_time = t.due_on is None or t.closed_on <= t.due_on

    def _event(
        self,
        t: Ticket,
        actor: Any,
        action: str,
        *,
        at: datetime,
        from_status: str = "",
        to_status: str = "",
        note: str = "",
        data: dict[str, Any] | None = None,
    ) -> None:
        self.events.append({
            "ticket_id": t.pk, "action": action, "from_status": from_status,
            "to_status": to_status, "actor_id": actor.pk, "actor_name": actor.username[:150],
            "org_id": actor.org_id, "at": at, "note": note, "data": data or {},
            "internal": False,
        })  # fmt: skip

    def _audit(
        self, actor: Any, t: Ticket, action: str, changes: dict[str, Any], note: str = ""
    ) -> None:
        self.audits.append({
            "at": self.now, "actor_id": actor.pk, "actor_name": actor.username[:150],
            "org_id": actor.org_id, "object_org_id": t.receiving_org_id,
            "action": f"hotline.{action}", "object_type": "ticket", "object_id": str(t.pk),
            "object_repr": str(t)[:200], "changes": changes, "note": note[:500], "ip": None,
        })  # fmt: skip

    # -- writing --------------------------------------------------------------------------

    def write(self) -> None:
        from gonghui.core.auditchain import canonical
        from gonghui.core.models import AuditEntry

        fields = [f.attname for f in Ticket._meta.concrete_fields]
        rows.insert(Ticket, ({f: getattr(t, f) for f in fields} for t in self.tickets))
        rows.insert(TicketOrg, self.path.values())
        rows.insert(TicketEvent, self.events)
        rows.insert(Notification, self.notices)
        for row in self.audits:
            row["digest"] = hashlib.sha256(canonical(row)).hexdigest()
        rows.insert(AuditEntry, self.audits)


# what ``services.ticket_create`` records of a new order
CREATE_AUDITED = [
    "number", "external_no", "channel", "caller_name", "caller_phone", "category",
    "complexity", "topic", "content", "due_on",
]  # fmt: skip


__all__ = ["SEED_END", "WINDOW", "WINDOW_CLOSED", "build", "living", "load_hotline"]
