"""The demo's legal aid: the seed page's 12 stations and 60 legal staff, legal-aid cases and
online consultations of 2019–2020 (the seed's "161 legal-aid services" for 2020-01-01..
2020-09-19: ``WINDOW_CASES`` cases approved and ``WINDOW_ANSWERS`` consultations first answered),
then a few cases and consultations every month up to the day of loading, the last weeks' open
at every stage.

Every case and consultation goes through the real services, by the demo's actors: the county
federations' cadres (``cadre_mudan`` for 牡丹区, the hotline loader's ``rx_<code>`` desks for
the others, ``cadre_city`` for the city) check, approve and close; a lawyer per county
(``lawyer`` for 牡丹区, ``lv_<code>`` made here) accepts, records the stages and concludes;
members (``member`` and the ``zg_<code>`` accounts made here, who cannot log in) apply and ask.
The services stamp today; the plan carries each step's date, and once a case exists its dates,
events and ledger row are set to the plan in bulk.

Deterministic (``random.Random(13)``, a month's plan seeded by the month) and idempotent: a
case is keyed by its ``ref`` (``DEMO-<year>-<NNN>``), a consultation by its asker and time, a
station by its code and a staff member by station and name; what exists is skipped.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings

from gonghui.core import audit
from gonghui.core.workdays import add_workdays
from gonghui.demo import rows

# one ``executemany`` per table for the planned dates (the hotline demo's; ``bulk_update``'s
# CASE expressions cost seconds here)
from gonghui.hotline.demo import _update_many as update_many

from .models import Case, CaseEvent, Consultation, Delivered, Message, Staff, Station
from .workflow import WORKFLOW

if TYPE_CHECKING:
    from gonghui.demo.loaders import Output

CITY = "371700"
MUDAN = "371702"
WINDOW = (date(2020, 1, 1), date(2020, 9, 19))
WINDOW_CASES = 97  # cases approved within WINDOW
WINDOW_ANSWERS = 64  # consultations first answered within WINDOW (97 + 64 = 161)
LIVING_FROM = date(2021, 1, 1)
PASSWORD = "Heze2020-Falv"  # noqa: S105 (printed by `gonghui demo`, like the demo accounts)

# (code, name, kind, county, founded, lng, lat, hours)
STATIONS = [
    (
        "FY-371700-01",
        "菏泽市职工法律维权服务中心",
        "station",
        CITY,
        "2018-05-01",
        "115.480656",
        "35.233750",
    ),
    (
        "FY-371700-02",
        "菏泽市劳动争议诉调对接中心",
        "mediation",
        CITY,
        "2019-03-15",
        "115.470120",
        "35.246300",
    ),
    (
        "FY-371702-01",
        "牡丹区职工法律维权服务站",
        "station",
        MUDAN,
        "2018-09-01",
        "115.417800",
        "35.252500",
    ),
    (
        "FY-371702-02",
        "牡丹区劳动争议仲裁工会工作站",
        "arbitration",
        MUDAN,
        "2019-06-01",
        "115.431000",
        "35.241200",
    ),
    (
        "FY-371721-01",
        "曹县职工法律维权服务站",
        "station",
        "371721",
        "2018-11-01",
        "115.542500",
        "34.825300",
    ),
    (
        "FY-371721-02",
        "曹县劳动争议仲裁工会工作站",
        "arbitration",
        "371721",
        "2019-09-01",
        "115.549000",
        "34.831000",
    ),
    (
        "FY-371722-01",
        "单县职工法律维权服务站",
        "station",
        "371722",
        "2019-01-10",
        "116.107700",
        "34.778600",
    ),
    (
        "FY-371723-01",
        "成武县职工法律维权服务站",
        "station",
        "371723",
        "2019-04-01",
        "115.889600",
        "34.952300",
    ),
    (
        "FY-371724-01",
        "巨野县职工法律维权服务站",
        "station",
        "371724",
        "2019-05-20",
        "116.094600",
        "35.396200",
    ),
    (
        "FY-371725-01",
        "郓城县职工法律维权服务站",
        "station",
        "371725",
        "2019-07-01",
        "115.943400",
        "35.599800",
    ),
    (
        "FY-371726-01",
        "鄄城县劳动争议仲裁工会工作站",
        "arbitration",
        "371726",
        "2020-03-01",
        "115.510200",
        "35.563500",
    ),
    (
        "FY-371728-01",
        "东明县职工法律维权服务站",
        "station",
        "371728",
        "2020-06-01",
        "115.098900",
        "35.289700",
    ),
    # after the seed: the living demo's new stations
    (
        "FY-371703-01",
        "定陶区职工法律维权服务站",
        "station",
        "371703",
        "2023-04-01",
        "115.573400",
        "35.070900",
    ),
    (
        "FY-371771-01",
        "菏泽经济技术开发区职工法律服务站",
        "station",
        "371771",
        "2024-03-01",
        "115.520000",
        "35.200000",
    ),
]
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌辉鹏飞宇浩然晨阳雪梅海燕春生"
)
STAFF_KINDS = ("union_lawyer", "partner", "mediator", "supervisor", "union_lawyer")
FIRMS = (
    "山东鲁南律师事务所",
    "山东牡丹律师事务所",
    "山东曹州律师事务所",
    "山东众成清泰（菏泽）律师事务所",
)
COUNTIES = [
    "371702",
    "371721",
    "371722",
    "371703",
    "371723",
    "371724",
    "371725",
    "371726",
    "371728",
]
EMPLOYERS = ("制衣", "木业", "建筑工程", "物流", "食品", "化工", "机械", "商贸", "电子", "纺织")
CLAIMS = ("拖欠工资", "加班费", "经济补偿金", "工伤待遇", "未签劳动合同二倍工资", "社会保险补缴")
QUESTIONS_LEGAL = (
    ("试用期被辞退能否要求补偿", "入职两个月试用期内被公司口头辞退，能否要求经济补偿？"),
    ("加班费怎么计算", "公司每周六安排加班但不给加班费，应当如何计算和主张？"),
    ("没有签劳动合同怎么办", "工作一年了公司一直没有签劳动合同，我可以主张什么？"),
    ("工伤认定要多长时间", "在车间受伤住院，单位不申报工伤，我自己能申请吗？"),
    ("欠薪去哪里投诉", "包工头拖欠三个月工资，应当向哪里投诉或申请仲裁？"),
)
QUESTIONS_PSYCH = (
    ("工作压力大睡不着", "最近连续加班，晚上总是失眠，白天注意力不集中。"),
    ("和同事关系紧张", "和班组同事相处不好，每天上班都很焦虑。"),
    ("家庭和工作难以兼顾", "孩子小、老人生病，工作又忙，感觉很疲惫。"),
)


ANSWERS = {
    "legal": "您好，已收到您的问题。建议保留工资条、考勤记录等证据，可向工会申请法律援助。",
    "psych": "您好，已收到您的问题。您可以先试着规律作息，我们约个时间详细聊聊。",
}


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=_tz())


def _name(rnd: random.Random) -> str:
    return rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))


# --- stations, staff and the actors ------------------------------------------------------------


def _users(stdout: Output) -> dict[str, Any]:
    """The actors by county: cadre, lawyer, member; made here when missing."""
    from django.contrib.auth.hashers import make_password

    from gonghui.accounts.models import User
    from gonghui.orgs.models import Org

    orgs = {o.code: o for o in Org.objects.filter(code__in=[CITY, *COUNTIES, "371771"])}
    wanted = {f"lv_{c}" for c in COUNTIES if c != MUDAN} | {f"zg_{c}" for c in COUNTIES}
    have = {u.username: u for u in User.objects.filter(username__in=wanted)}
    lawyer_hash, none_hash = make_password(PASSWORD), make_password(None)
    made = 0
    for code in COUNTIES:
        org = orgs.get(code)
        if org is None:
            continue
        if code != MUDAN and f"lv_{code}" not in have:
            rnd = random.Random(f"lawyer-{code}")
            have[f"lv_{code}"] = User.objects.create(
                username=f"lv_{code}",
                role="lawyer",
                org=org,
                full_name=_name(rnd),
                title="工会法律援助律师",
                password=lawyer_hash,
            )
            made += 1
        if f"zg_{code}" not in have:
            union = (
                Org.objects.filter(path__startswith=org.path, kind="grassroots")
                .order_by("path")
                .first()
            )
            rnd = random.Random(f"member-{code}")
            have[f"zg_{code}"] = User.objects.create(
                username=f"zg_{code}",
                role="member",
                org=union or org,
                full_name=_name(rnd),
                password=none_hash,
            )
            made += 1
    if made:
        stdout.write(f"法律援助：新建演示律师和职工账号 {made} 个\n")
    names = ["cadre_city", "cadre_mudan", "lawyer", "counsellor", "member"] + [
        f"rx_{c}" for c in COUNTIES
    ]
    base = {u.username: u for u in User.objects.filter(username__in=names)}
    out: dict[str, Any] = {
        "orgs": orgs,
        "counsellor": base.get("counsellor"),
        "city": base.get("cadre_city"),
    }
    for code in COUNTIES:
        out[f"cadre:{code}"] = base.get("cadre_mudan" if code == MUDAN else f"rx_{code}")
        out[f"lawyer:{code}"] = base.get("lawyer") if code == MUDAN else have.get(f"lv_{code}")
        out[f"member:{code}"] = base.get("member") if code == MUDAN else have.get(f"zg_{code}")
    return out


def load_stations(users: dict[str, Any], today: date) -> int:
    """The registry: stations by code, five staff each (the seed's 12 and 60), the county's
    lawyer and the city's counsellor among them, linked to their accounts."""
    orgs = users["orgs"]
    have = {s.code: s for s in Station.objects.filter(code__in=[row[0] for row in STATIONS])}
    made = 0
    for code, name, kind, county, founded, lng, lat in STATIONS:
        org = orgs.get(county)
        founded_on = date.fromisoformat(founded)
        if org is None or founded_on > today or code in have:
            continue
        have[code] = Station.objects.create(
            code=code,
            name=name,
            kind=kind,
            org=org,
            address=f"{org.name}职工服务中心",
            longitude=Decimal(lng),
            latitude=Decimal(lat),
            hours="周一至周五 8:30-17:30",
            phone="0530-12351",
            founded_on=founded_on,
        )
        made += 1
    staff_have = set(
        Staff.objects.filter(station__in=have.values()).values_list("station_id", "name")
    )
    linked = set(Staff.objects.filter(user__isnull=False).values_list("user_id", flat=True))
    rows = []
    for code, station in have.items():
        rnd = random.Random(f"staff-{code}")
        county = station.org.code
        for i in range(5):
            kind = STAFF_KINDS[i]
            generated = _name(rnd)  # drawn for every row, so a second run draws the same
            candidate = None
            if i == 0 and code.endswith("-01") and county in COUNTIES:
                candidate = users.get(f"lawyer:{county}")
            if code == "FY-371700-01" and i == 4:
                kind, candidate = "counsellor", users.get("counsellor")
            name = (candidate.full_name if candidate is not None else "") or generated
            firm = rnd.choice(FIRMS)
            if (station.pk, name) in staff_have:
                continue
            user = candidate if candidate is not None and candidate.pk not in linked else None
            rows.append(
                Staff(
                    station=station,
                    org=station.org,
                    name=name,
                    kind=kind,
                    firm=firm if kind in ("partner", "union_lawyer") else "",
                    user=user,
                    since=station.founded_on + timedelta(days=i * 7),
                )
            )
            staff_have.add((station.pk, name))
            if user is not None:
                linked.add(user.pk)
    Staff.objects.bulk_create(rows)
    return made + len(rows)


# --- cases -----------------------------------------------------------------------------------


@dataclass
class CasePlan:
    ref: str
    county: str
    applied: date
    dispute: date
    workers: int
    steps: list[tuple[str, date]] = field(default_factory=list)  # (step, date)
    outcome: str = "won"
    amount: Decimal = Decimal("0")
    portal: bool = False
    service: str = "arbitration"
    key: str = ""  # what the case's names and amounts are drawn by (default: its ref)


def _case_plan(
    rnd: random.Random, ref: str, county: str, applied: date, now: date, *, approve: bool = True
) -> CasePlan:
    dispute = applied - timedelta(days=rnd.randint(10, 200))
    plan = CasePlan(
        ref=ref,
        county=county,
        applied=applied,
        dispute=dispute,
        workers=rnd.choice((1, 1, 1, 1, 2, 3, 6, 12)),
        service=rnd.choice(("arbitration", "arbitration", "mediation", "litigation", "drafting")),
        portal=county == MUDAN and rnd.random() < 0.3,
    )
    completed = add_workdays(applied, rnd.choice((1, 2, 2, 3, 3, 4, 5, 5, 6, 6, 7, 9)))
    steps: list[tuple[str, date]] = [("complete", completed)]
    if not approve:
        steps.append((rnd.choice(("refuse", "refer")), add_workdays(completed, rnd.randint(1, 5))))
        plan.steps = [s for s in steps if s[1] <= now]
        return plan
    decided = add_workdays(completed, rnd.choice((1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8)))
    assigned = decided + timedelta(days=rnd.randint(1, 3))
    steps += [("approve", decided), ("assign", assigned), ("accept", assigned + timedelta(days=1))]
    day = assigned + timedelta(days=rnd.randint(3, 10))
    if plan.service == "mediation" or rnd.random() < 0.3:
        steps.append(("stage:mediation", day))
        day += timedelta(days=rnd.randint(5, 14))
        plan.outcome = "settled"
    else:
        steps.append(("stage:arbitration", day))
        day += timedelta(days=rnd.randint(2, 5))
        steps.append(("stage:accepted", day))
        day += timedelta(days=rnd.randint(25, 44))
        steps.append(("stage:award", day))
        plan.outcome = rnd.choice(("won", "won", "partly", "settled", "lost"))
        day += timedelta(days=rnd.randint(1, 8))
    steps.append(("conclude", day))
    steps.append(("close", day + timedelta(days=rnd.randint(1, 4))))
    plan.amount = (
        Decimal(rnd.randint(20, 300) * 100 * plan.workers)
        if plan.outcome != "lost"
        else Decimal("0")
    )
    plan.steps = [s for s in steps if s[1] <= now]
    return plan


def seed_plans() -> list[CasePlan]:
    """2019-10..2020-12: exactly ``WINDOW_CASES`` cases approved within WINDOW, some before and
    after it, and a few refused or referred."""
    rnd = random.Random(13)
    plans: list[CasePlan] = []
    now = date(2020, 12, 31)
    counties = [c for c in COUNTIES if c != "371703"] + [CITY]
    buckets = (
        (date(2019, 10, 8), date(2019, 11, 25), 5, True, lambda d: d < WINDOW[0]),
        (
            date(2020, 1, 2),
            date(2020, 9, 1),
            WINDOW_CASES,
            True,
            lambda d: WINDOW[0] <= d <= WINDOW[1],
        ),
        (date(2020, 9, 21), date(2020, 11, 30), 10, True, lambda d: WINDOW[1] < d <= now),
        (date(2019, 10, 8), date(2020, 11, 30), 6, False, None),
    )
    n = 0
    for start, end, count, approve, fits in buckets:
        made = 0
        while made < count:
            applied = start + timedelta(days=rnd.randint(0, (end - start).days))
            plan = _case_plan(
                rnd, f"DEMO-2020-{n + 1:03d}", rnd.choice(counties), applied, now, approve=approve
            )
            decided = dict(plan.steps).get("approve")
            if fits is not None and (decided is None or not fits(decided)):
                continue
            n += 1
            plans.append(plan)
            made += 1
    return plans


def living_plans(now: date) -> list[CasePlan]:
    plans: list[CasePlan] = []
    month = LIVING_FROM
    while month <= now:
        rnd = random.Random(f"legal-{month:%Y-%m}")
        recent = (now - month).days < 190  # the last half year is busier: open at every stage
        for i in range(3 if recent else 1):
            applied = month + timedelta(days=rnd.randint(0, 27))
            if applied > now:
                continue
            plans.append(
                _case_plan(
                    rnd,
                    f"DEMO-{month:%Y%m}-{i + 1:02d}",
                    rnd.choice(COUNTIES + [CITY]),
                    applied,
                    now,
                )
            )
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    # one case waiting at every stage, applied in the last weeks (a batch per month of loading)
    rnd = random.Random(f"legal-open-{now:%Y-%m}")
    for i in range(8):
        applied = add_workdays(now - timedelta(days=40), i)
        plan = _case_plan(rnd, f"DEMO-{now:%Y%m}-9{i}", COUNTIES[i % len(COUNTIES)], applied, now)
        plan.steps = plan.steps[:i]
        plans.append(plan)
    return plans


def _case_inputs(plan: CasePlan, users: dict[str, Any]) -> tuple[Any, dict[str, Any], Any, Any]:
    """Who applies with what, who checks and who handles: (applicant's actor, the
    application's data, the centre's cadre, the lawyer); no actor when the county has none."""
    county = plan.county
    cadre = users["city"] if county == CITY else users.get(f"cadre:{county}")
    lawyer_county = MUDAN if county == CITY else county
    lawyer = users.get(f"lawyer:{lawyer_county}")
    member = users.get(f"member:{lawyer_county}")
    if cadre is None or lawyer is None:
        return None, {}, None, None
    rnd = random.Random(plan.key or plan.ref)
    employer = f"菏泽{rnd.choice('华鲁建兴泰丰盛鑫源润')}{rnd.choice(EMPLOYERS)}有限公司"
    applicants = [{"name": _name(rnd)} for _ in range(plan.workers)]
    data = {
        "ref": plan.ref,
        "service": plan.service,
        "employer_name": employer,
        "dispute_on": plan.dispute,
        "consent": True,
        "org": county,
        "facts": f"{employer}{rnd.choice(CLAIMS)}，职工多次协商未果，申请工会法律援助。",
        "applicants": applicants,
        "claims": [
            {
                "item": rnd.choice(CLAIMS),
                "amount": Decimal(rnd.randint(20, 800) * 100 * plan.workers),
            }
        ],
    }
    actor = member if plan.portal and member is not None else cadre
    if actor is member:
        data["applicants"] = applicants[1:]
    return actor, data, cadre, lawyer


def _step_data(step: str, plan: CasePlan, lawyer: Any) -> dict[str, Any]:
    extra: dict[str, Any] = {"reason": "演示"}
    if step == "assign":
        extra["lawyer"] = lawyer.username
    if step == "refer":
        extra["to"] = "劳动人事争议仲裁委员会"
    if step == "conclude":
        extra.update(outcome=plan.outcome, amount=plan.amount)
    return extra


def _run_case(plan: CasePlan, users: dict[str, Any], stdout: Output) -> Case | None:
    """One case through the services, step by step (``CaseWriter`` writes the same in bulk;
    ``load_through_services`` and the writer's test use this)."""
    from . import services

    actor, data, cadre, lawyer = _case_inputs(plan, users)
    if actor is None:
        return None
    case = services.case_create(actor=actor, data=data)
    for step, _day in plan.steps:
        if step.startswith("stage:"):
            services.case_stage(actor=lawyer, case=case, kind=step[6:], on=_day)
            continue
        who = lawyer if step in ("accept", "conclude") else cadre
        case = services.case_act(
            actor=who, case=case, action=step, data=_step_data(step, plan, lawyer)
        )
    return case


def load_through_services(plans: list[CasePlan], users: dict[str, Any]) -> list[Case]:
    """The plans' cases driven one by one through the services, then placed at their planned
    dates: what ``CaseWriter`` computes in bulk (its test compares the two)."""
    import io

    made = []
    for plan in plans:
        case = _run_case(plan, users, io.StringIO())
        if case is not None:
            made.append((case, plan))
    if made:
        _date_cases(made)
    return [c for c, _p in made]


def _event_at(plan: CasePlan, action: str, note: str, pk: int) -> datetime:
    """The planned time of a case's event: its step's day, an hour by the event's id."""
    if action == "apply":
        day = plan.applied
    elif action == "stage":
        day = next(
            (d for s, d in plan.steps if s.startswith("stage:") and f"{d:%Y-%m-%d}" in note),
            plan.applied,
        )
    else:
        day = dict(plan.steps).get(action, plan.applied)
    return _at(day, 10 + (pk % 7))


def _date_cases(made: list[tuple[Case, CasePlan]]) -> None:
    """Set the dates of the new cases, their events and ledger rows to the plan's."""
    from . import services

    cases, events, ledger = [], [], []
    steps_by_case = {case.pk: (case, plan) for case, plan in made}
    for case, plan in made:
        when = dict(plan.steps)
        case.applied_on = plan.applied
        case.created_at = _at(plan.applied, 9)
        case.completed_on = when.get("complete")
        case.decided_on = when.get("approve") or when.get("refuse")
        case.assigned_on = when.get("assign")
        case.closed_on = when.get("close")
        case.closed_on_time = services.on_time(case) if case.closed_on else None
        cases.append(case)
    fields = ["applied_on", "created_at", "completed_on", "decided_on", "assigned_on"]
    fields += ["closed_on", "closed_on_time"]
    update_many(Case, fields, [(c.pk, *(getattr(c, f) for f in fields)) for c in cases])
    for event in CaseEvent.objects.filter(case_id__in=steps_by_case).order_by("case_id", "id"):
        case, plan = steps_by_case[event.case_id]
        event.at = _event_at(plan, event.action, event.note, event.pk)
        events.append(event)
    update_many(CaseEvent, ["at"], [(e.pk, e.at) for e in events])
    for row in Delivered.objects.filter(case_id__in=steps_by_case):
        row.on = steps_by_case[row.case_id][0].decided_on  # type: ignore[assignment,index]
        ledger.append(row)
    update_many(Delivered, ["on"], [(r.pk, r.on) for r in ledger])


class CaseWriter:
    """What ``services.case_create``, ``case_act`` and ``case_stage`` write for the demo's
    cases — the case row, its applicants and claims, its stages, its timeline, its ledger row
    and one audit row per write, with the same values, labels and masking — computed in Python
    by the services' own helpers (``_applicant``, ``_claims``, ``_employer``, ``on_time``,
    ``split_amount``, ``WORKFLOW``, ``audit.snapshot``) and inserted with a few statements
    (``gonghui.demo.rows``). Each step is checked as the service checks it (the state allows
    it, the cadre manages the case's centre, the lawyer is the case's). As through the
    services, the steps are taken "today" (the audit rows say so) and the case, its events
    and its ledger row are then placed at the plan's dates (``_date_cases``).
    ``tests/test_legal_demo_writer.py`` compares the two paths row by row."""

    def __init__(self, users: dict[str, Any], now: datetime) -> None:
        from gonghui.orgs.models import Org

        from . import services

        self.users = users
        self.now = now
        self.today = now.astimezone(_tz()).date()
        self.orgs = {o.code: o for o in Org.objects.filter(active=True)}
        prefix = f"FY{self.today.year}-"
        following = services._next_number(self.today.year)
        self.prefix, self.seq = prefix, int(following[len(prefix) :]) - 1
        self.case_id = rows.next_id(Case)
        self.event_id = rows.next_id(CaseEvent)
        self.stations: dict[int, Any] = {}
        self.centres: dict[int, Any] = {}
        self.cases: list[Case] = []
        self.applicants: list[dict[str, Any]] = []
        self.claims: list[dict[str, Any]] = []
        self.stages: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.ledger: list[dict[str, Any]] = []
        self.audits: list[dict[str, Any]] = []

    def _centre(self, org: Any) -> Any:
        from . import services

        if org.pk not in self.centres:
            self.centres[org.pk] = services.centre_for(org)
        return self.centres[org.pk]

    def _station(self, lawyer: Any) -> Any:
        if lawyer.pk not in self.stations:
            staff = Staff.objects.filter(user=lawyer).select_related("station").first()
            self.stations[lawyer.pk] = staff.station if staff else None
        return self.stations[lawyer.pk]

    def add(self, plan: CasePlan) -> Case | None:
        from django.utils.translation import gettext as _

        from gonghui.core.roles import Role, can

        from . import services
        from .models import Channel, Service

        actor, data, cadre, lawyer = _case_inputs(plan, self.users)
        if actor is None:
            return None
        is_member = actor.role == Role.MEMBER
        if is_member:
            org = self._centre(actor.org)
        else:
            found = self.orgs.get(str(data["org"]))
            if found is None or not can(actor, "legal.apply", found):
                raise RuntimeError(f"{plan.ref}: {actor.username} may not apply for {data['org']}")
            org = self._centre(found)
        dispute_on = services._date(data, "dispute_on", _("争议发生日"))
        assert dispute_on is not None  # required
        self.seq += 1
        case = Case(
            id=self.case_id,
            number=f"{self.prefix}{self.seq:04d}",
            org=org,
            service=services._choice(data, "service", Service, _("援助事项"), Service.ARBITRATION),
            channel=Channel.PORTAL if is_member else Channel.STAFF,
            facts=services._text(data, "facts", _("案情"), limit=5000),
            dispute_on=dispute_on,
            applied_on=self.today,
            consent=True,
            ref=str(data.get("ref") or "").strip()[:40],
            filed_by=actor,
            created_at=self.now,
            updated_at=self.now,
        )
        self.case_id += 1
        services._employer(case, data)
        people = list(data.get("applicants") or [])
        if is_member:
            member = getattr(actor, "member", None)
            name = member.name if member else (actor.full_name or actor.username)
            people = [
                {"name": name, "id_number": member.id_number if member else "", "phone": ""}
            ] + [r for r in people if r]
        applicants = [services._applicant(r, i) for i, r in enumerate(people)]
        for c in services._claims(data):
            self.claims.append({"case_id": case.pk, "item": c.item, "amount": c.amount})
        self._event(case, actor, "apply", _("提交申请"), plan)
        created = audit.snapshot(case, services.AUDITED + ("channel", "dispute_on"))
        self._audit(
            actor,
            case,
            "apply",
            audit.diff({}, created),
            _("申请人%(n)s名") % {"n": len(applicants)},
        )
        case.amount_recovered = Decimal("0.00")  # as the next step reads it back from the row
        for step, day in plan.steps:
            if step.startswith("stage:"):
                self._stage(case, lawyer, step[6:], day, plan)
            else:
                who = lawyer if step in ("accept", "conclude") else cadre
                self._act(case, who, step, _step_data(step, plan, lawyer), applicants, plan)
        for a in applicants:
            self.applicants.append(
                {"case_id": case.pk, "name": a.name, "id_number": a.id_number, "phone": a.phone,
                 "member_id": a.member_id, "is_member": a.is_member, "share": a.share}
            )  # fmt: skip
        self.cases.append(case)
        return case

    def _act(
        self,
        case: Case,
        actor: Any,
        name: str,
        data: dict[str, Any],
        applicants: list[Any],
        plan: CasePlan,
    ) -> None:
        from django.utils.translation import gettext as _

        from gonghui.core.roles import Role, can

        from . import services
        from .models import Outcome, ServiceKind

        role = actor.role
        WORKFLOW.check(case.status, name, role)
        if role == Role.LAWYER:
            if case.lawyer_id != actor.pk:
                raise RuntimeError(f"{plan.ref}: {actor.username} is not the case's lawyer")
        elif not can(actor, "legal.manage", case.org):
            raise RuntimeError(f"{plan.ref}: {actor.username} may not {name}")
        step = WORKFLOW.get(name)
        before_state = case.status
        before = audit.snapshot(case, services.AUDITED)
        today = self.today
        note = str(data.get("note") or "").strip()[:2000]
        if name in ("return", "refuse", "transfer", "refer", "reassign", "withdraw"):
            note = services._text(data, "reason", _("理由"), limit=1000)
        if name == "complete":
            case.completed_on = today
        elif name == "approve":
            case.decided_on = today
            self.ledger.append(
                {"org_id": case.org_id, "kind": ServiceKind.CASE, "case_id": case.pk,
                 "on": dict(plan.steps)["approve"]}
            )  # fmt: skip
        elif name == "refuse":
            case.decided_on, case.refusal_reason = today, note
        elif name == "refer":
            case.referred_to = services._text(data, "to", _("转介机构"), limit=100)
        elif name == "assign":
            case.lawyer = services._lawyer(data.get("lawyer"), case)
            case.assigned_on = today
            case.station = self._station(case.lawyer)
        elif name == "conclude":
            case.outcome = services._choice(data, "outcome", Outcome, _("结果"))
            amount = services._money(data.get("amount"), "amount", _("挽回金额"))
            case.workers_helped = len(applicants)
            for a, share in zip(
                applicants, services.split_amount(amount, len(applicants)), strict=True
            ):
                a.share = share
            case.amount_recovered = amount
        elif name == "close":
            case.closed_on = today
            case.closed_on_time = services.on_time(case)
        elif name not in ("accept",):
            raise RuntimeError(f"{plan.ref}: the demo takes no step {name}")
        case.status = step.target
        self._event(case, actor, name, step.label, plan, before=before_state, note=note)
        self._audit(actor, case, name, audit.diff(before, audit.snapshot(case, services.AUDITED)),
                    note)  # fmt: skip
        # the next step reads the case back from its row: the amount to the fen
        case.amount_recovered = case.amount_recovered.quantize(Decimal("0.01"))

    def _stage(self, case: Case, lawyer: Any, kind: str, day: date, plan: CasePlan) -> None:
        from gonghui.core.roles import Role

        from . import services
        from .models import STAGE_DATE_FIELD, StageKind, Status

        if case.lawyer_id != lawyer.pk or case.status != Status.IN_PROGRESS:
            WORKFLOW.check(case.status, "conclude", Role.LAWYER)
            raise RuntimeError(f"{plan.ref}: {lawyer.username} may not record a stage")
        before = audit.snapshot(case, services.AUDITED)
        self.stages.append(
            {"case_id": case.pk, "kind": kind, "on": day, "note": "", "by_id": lawyer.pk,
             "created_at": self.now}
        )  # fmt: skip
        field_name = STAGE_DATE_FIELD.get(StageKind(kind))
        if field_name:
            setattr(case, field_name, day)
        elif kind == StageKind.EXTENDED:
            case.award_extended = True
        label = str(StageKind(kind).label)
        self._event(case, lawyer, "stage", label, plan, before=case.status, note=f"{day:%Y-%m-%d}")
        changes = audit.diff(before, audit.snapshot(case, services.AUDITED))
        self._audit(lawyer, case, "stage", changes, label)

    def _event(
        self,
        case: Case,
        actor: Any,
        action: str,
        label: Any,
        plan: CasePlan,
        *,
        before: str = "",
        note: str = "",
    ) -> None:
        from . import services

        pk = self.event_id
        self.event_id += 1
        self.events.append(
            {"id": pk, "case_id": case.pk, "action": action, "label": str(label),
             "from_status": before, "to_status": case.status, "actor_id": actor.pk,
             "actor_name": services._name(actor), "at": _event_at(plan, action, note, pk),
             "note": note}
        )  # fmt: skip

    def _audit(
        self, actor: Any, case: Case, action: str, changes: dict[str, Any], note: str = ""
    ) -> None:
        self.audits.append(
            {"at": self.now, "actor_id": actor.pk, "actor_name": actor.get_username()[:150],
             "org_id": actor.org_id, "object_org_id": case.org_id, "action": f"legal.{action}",
             "object_type": "legal_case", "object_id": str(case.pk),
             "object_repr": case.number[:200], "changes": changes, "note": note[:500],
             "ip": None}
        )  # fmt: skip

    def write(self, plans: dict[int, CasePlan]) -> None:
        """Insert everything, each case at its plan's dates (as ``_date_cases`` sets them)."""
        import hashlib

        from gonghui.core.auditchain import canonical
        from gonghui.core.models import AuditEntry

        from . import services
        from .models import Applicant, Claim, Stage

        for case in self.cases:
            when = dict(plans[case.pk].steps)
            case.applied_on = plans[case.pk].applied
            case.created_at = _at(case.applied_on, 9)
            case.completed_on = when.get("complete")
            case.decided_on = when.get("approve") or when.get("refuse")
            case.assigned_on = when.get("assign")
            case.closed_on = when.get("close")
            case.closed_on_time = services.on_time(case) if case.closed_on else None
        fields = [f.attname for f in Case._meta.concrete_fields]
        rows.insert(Case, ({f: getattr(c, f) for f in fields} for c in self.cases))
        rows.insert(Applicant, self.applicants)
        rows.insert(Claim, self.claims)
        rows.insert(Stage, self.stages)
        rows.insert(CaseEvent, self.events)
        rows.insert(Delivered, self.ledger)
        for row in self.audits:
            row["digest"] = hashlib.sha256(canonical(row)).hexdigest()
        rows.insert(AuditEntry, self.audits)


def write_cases(plans: list[CasePlan], users: dict[str, Any], now: datetime) -> list[Case]:
    """The plans' cases through ``CaseWriter``: what ``load_through_services`` writes."""
    writer = CaseWriter(users, now)
    by_id: dict[int, CasePlan] = {}
    for plan in plans:
        case = writer.add(plan)
        if case is not None:
            by_id[case.pk] = plan
    writer.write(by_id)
    return writer.cases


# --- consultations ---------------------------------------------------------------------------


@dataclass
class AskPlan:
    county: str
    kind: str
    asked: datetime
    answered: datetime | None
    closed: datetime | None
    crisis: bool = False


def consultation_plans(now: datetime) -> list[AskPlan]:
    rnd = random.Random(12351)
    plans: list[AskPlan] = []

    def add(day: date, *, answer: bool = True, r: random.Random = rnd) -> None:
        asked = _at(day, r.randint(8, 21))
        answered = asked + timedelta(hours=r.randint(1, 40)) if answer else None
        if answered is not None and answered > now:
            answered = None
        closed = (
            answered + timedelta(days=r.randint(1, 5)) if answered and r.random() < 0.8 else None
        )
        if closed is not None and closed > now:
            closed = None
        plans.append(
            AskPlan(
                r.choice(COUNTIES), r.choice(("legal", "legal", "psych")), asked, answered, closed
            )
        )

    # exactly WINDOW_ANSWERS answered within the window (asked and answered inside it)
    for _ in range(WINDOW_ANSWERS):
        add(date(2020, 1, 2) + timedelta(days=rnd.randint(0, 255)))
    for _ in range(8):
        add(date(2020, 9, 21) + timedelta(days=rnd.randint(0, 90)))
    month = LIVING_FROM
    while month <= now.date():
        r = random.Random(f"consult-{month:%Y-%m}")
        for _ in range(4 if (now.date() - month).days < 190 else 2):
            day = month + timedelta(days=r.randint(0, 27))
            if _at(day, 22) < now:
                add(day, answer=r.random() < 0.9, r=r)
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    # the last one of all: a crisis word, waiting for the counsellor
    if plans:
        last = plans[-1]
        last.kind, last.crisis, last.answered, last.closed = "psych", True, None, None
    return plans


def _run_consultations(plans: list[AskPlan], users: dict[str, Any]) -> int:
    from . import services

    askers = {c: users.get(f"member:{c}") for c in COUNTIES}
    have = set(
        Consultation.objects.filter(asker__in=[u for u in askers.values() if u]).values_list(
            "asker_id", "asked_at"
        )
    )
    made: list[tuple[Consultation, AskPlan]] = []
    for plan in plans:
        asker = askers.get(plan.county)
        if asker is None or (asker.pk, plan.asked) in have:
            continue
        rnd = random.Random(plan.asked.isoformat())
        subject, text = rnd.choice(QUESTIONS_PSYCH if plan.kind == "psych" else QUESTIONS_LEGAL)
        if plan.crisis:
            text += "有时觉得活不下去了。"
        c = services.consultation_ask(
            actor=asker, kind=plan.kind, subject=subject, text=text, anonymous=rnd.random() < 0.3
        )
        if c.assignee is not None and plan.answered:
            services.consultation_reply(
                actor=c.assignee,
                consultation=c,
                text=ANSWERS[plan.kind],
            )
            if plan.closed:
                services.consultation_close(actor=c.assignee, consultation=c)
            c.refresh_from_db()
        made.append((c, plan))
    rows, messages, ledger = [], [], []
    by_id = {c.pk: (c, p) for c, p in made}
    for c, p in made:
        c.asked_at, c.asked_on = p.asked, p.asked.astimezone(_tz()).date()
        if c.first_response_at:
            c.first_response_at = p.answered
            c.answered_on = p.answered.astimezone(_tz()).date() if p.answered else None
        if c.closed_at:
            c.closed_at = p.closed
        c.created_at = p.asked
        rows.append(c)
    fields = ["asked_at", "asked_on", "first_response_at", "answered_on", "closed_at"]
    fields.append("created_at")
    update_many(Consultation, fields, [(c.pk, *(getattr(c, f) for f in fields)) for c in rows])
    for m in Message.objects.filter(consultation_id__in=by_id).order_by("consultation_id", "id"):
        c, p = by_id[m.consultation_id]
        m.at = p.asked if m.author_id == c.asker_id else (p.answered or p.asked)
        messages.append(m)
    update_many(Message, ["at"], [(m.pk, m.at) for m in messages])
    for row in Delivered.objects.filter(consultation_id__in=by_id):
        c, _p = by_id[row.consultation_id]  # type: ignore[index]
        if c.answered_on:
            row.on = c.answered_on
            ledger.append(row)
    update_many(Delivered, ["on"], [(r.pk, r.on) for r in ledger])
    return len(made)


def load_legal(stdout: Output) -> None:
    from django.utils import timezone

    from gonghui.orgs.models import Org

    if not Org.objects.filter(code=CITY).exists():
        stdout.write("法律援助：缺少组织，跳过\n")
        return
    now = timezone.now()
    today = timezone.localdate(now)
    users = _users(stdout)
    registry = load_stations(users, today)
    plans = seed_plans() + living_plans(today)
    have = set(Case.objects.filter(ref__startswith="DEMO-").values_list("ref", flat=True))
    made = write_cases([p for p in plans if p.ref not in have], users, now)
    asked = _run_consultations(consultation_plans(now), users)
    stdout.write(f"法律援助：站点与人员 {registry} 条，新建案件 {len(made)} 件，咨询 {asked} 次\n")


def demo_accounts() -> list[Any]:
    from gonghui.demo.loaders import DemoAccount

    return [
        DemoAccount(f"lv_{c}", "lawyer", c, PASSWORD, "", "工会法律援助律师")
        for c in COUNTIES
        if c != MUDAN
    ]
