"""The assistance part of the Heze demo, made through the services.

- the 低保 table: every county-level region and the city, 2020 to this year (*demo values*:
  Heze's 2020 urban standard was about 640 元/人/月; the later years rise by 40 a year);
- the seed's pandemic condolence money: "全市各级工会拨付疫情防控慰问金266.16万元" — one
  campaign by the city (300 frontline medical staff × 2,000 元) and one by each of the eleven
  county-level federations (3,436 people × 600 元 in all), paid between February and August
  2020: 600,000 + 2,061,600 = 2,661,600 元;
- hardship families of every category archived in 2020 (深度困难, 相对困难, 意外致困), a
  family that exits, and from 2021 one application a month up to today, the last ones open at
  each stage of the procedure; a 送温暖 campaign each Spring Festival from 2021.

Idempotent: families are keyed by their ID number, campaigns by org, title and year; what
exists is left as it is.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from gonghui.core.identifiers import citizen_id_check_char

CITY = "371700"
COUNTIES = [
    "371702", "371703", "371721", "371722", "371723", "371724",
    "371725", "371726", "371728", "371771", "371772",
]  # fmt: skip
DIBAO_2020 = Decimal("640")
CITY_MEDICS, CITY_AMOUNT = 300, Decimal("2000")
COUNTY_PEOPLE, COUNTY_AMOUNT = 3436, Decimal("600")
CONDOLENCE_TITLE = "2020年疫情防控一线医务人员及家属关爱慰问"
WARMTH_TITLE = "{year}年春节“送温暖”慰问"


def _id(region: str, born: date, seq: int) -> str:
    body = f"{region[:6]}{born:%Y%m%d}{seq % 1000:03d}"
    return body + citizen_id_check_char(body)


def _region_for_ids(code: str) -> str:
    # development zones issue no IDs (DOMAIN.md): their people carry 牡丹区's code
    return "371702" if code in ("371771", "371772") else code


def _account(n: int) -> str:
    return f"6217{n:015d}"


def load_dibao(actor: Any, today: date) -> int:
    from gonghui.orgs.models import Org

    from .models import DibaoStandard
    from .services import dibao_set

    names = dict(Org.objects.filter(code__in=[CITY, *COUNTIES]).values_list("code", "name"))
    have = set(DibaoStandard.objects.values_list("region_code", "year"))
    made = 0
    for year in range(2020, today.year + 1):
        monthly = DIBAO_2020 + 40 * (year - 2020)
        for code in [CITY, *COUNTIES]:
            if (code, year) in have:
                continue
            name = names.get(code, code).replace("总工会", "")
            dibao_set(actor=actor, region_code=code, year=year, monthly=monthly, region_name=name)
            made += 1
    return made


def _recipient_rows(
    region: str, org_code: str, n: int, start: int, amount: Decimal, team: str
) -> list[Any]:
    rows = []
    for i in range(n):
        k = start + i
        born = date(1965 + k % 35, 1 + k % 12, 1 + k % 28)
        cells = {
            "name": SURNAMES[k % len(SURNAMES)] + GIVEN[(k // 7) % len(GIVEN)],
            "id_number": _id(_region_for_ids(region), born, k),
            "org": org_code,
            "team": team,
            "bank_name": "中国农业银行菏泽分行",
            "bank_account": _account(k),
            "amount": str(amount),
        }
        rows.append((i + 2, cells, list(cells.values())))
    return rows


def _campaign(
    actor: Any, org: Any, title: str, kind: str, year: int, started: date, fund: str
) -> tuple[Any, bool]:
    from .models import Campaign
    from .services import campaign_create

    existing = Campaign.objects.filter(org=org, title=title, year=year).first()
    if existing is not None:
        return existing, False
    return campaign_create(
        actor=actor, org=org, title=title, kind=kind, year=year, started_on=started,
        fund_source=fund,
    ), True  # fmt: skip


def load_condolence(actor: Any) -> int:
    """The seed's 266.16万元, paid in 2020-02..2020-08 by the city and every county."""
    from gonghui.orgs.models import Org

    from .services import recipients_add, recipients_approve, recipients_paid

    orgs = {o.code: o for o in Org.objects.filter(code__in=[CITY, *COUNTIES])}
    plan: list[tuple[str, int, Decimal, str, date]] = [
        (CITY, CITY_MEDICS, CITY_AMOUNT, "市直医疗卫生单位", date(2020, 2, 20))
    ]
    per, extra = divmod(COUNTY_PEOPLE, len(COUNTIES))
    for i, code in enumerate(COUNTIES):
        paid = date(2020, 3 + i % 6, 10 + i)
        plan.append((code, per + (1 if i < extra else 0), COUNTY_AMOUNT, "县区医疗卫生单位", paid))
    start, made = 0, 0
    for code, n, amount, team, paid_on in plan:
        org = orgs.get(code)
        if org is None:
            start += n
            continue
        campaign, new = _campaign(
            actor, org, CONDOLENCE_TITLE, "condolence", 2020, date(2020, 2, 1), "疫情防控专项资金"
        )
        if new:
            rows = _recipient_rows(code if code != CITY else "371702", code, n, start, amount, team)
            recipients_add(actor=actor, campaign=campaign, rows=rows)
            recipients_approve(actor=actor, campaign=campaign)
            recipients_paid(actor=actor, campaign=campaign, on=paid_on)
            made += n
        start += n
    return made


def load_warmth(actor: Any, today: date) -> int:
    """送温暖 at each Spring Festival since 2021 (paid in January; this year's approved and
    waiting for the bank when it is still January)."""
    from gonghui.orgs.models import Org

    from .services import recipients_add, recipients_approve, recipients_paid

    city = Org.objects.filter(code=CITY).first()
    if city is None:
        return 0
    made = 0
    for year in range(2021, today.year + 1):
        started = date(year, 1, 5)
        if started > today:
            break
        campaign, new = _campaign(
            actor, city, WARMTH_TITLE.format(year=year), "warmth", year, started, "送温暖专项资金"
        )
        if not new:
            continue
        rows = _recipient_rows("371702", "3717020001", 40, 100_000 + year * 50, Decimal("500"), "")
        recipients_add(actor=actor, campaign=campaign, rows=rows)
        recipients_approve(actor=actor, campaign=campaign)
        paid_on = date(year, 1, 20)
        if paid_on <= today:
            recipients_paid(actor=actor, campaign=campaign, on=paid_on)
        made += 40
    return made


# (household yearly income, rigid expenses, size, hardship costs, major event, cause)
PROFILES: list[tuple[int, int, int, int, bool, str]] = [
    (18000, 6000, 3, 0, False, "illness"),  # 333.33 < 640: 深度困难
    (24000, 2000, 4, 0, False, "low_income"),  # 458.33: 深度困难
    (30000, 0, 3, 0, False, "unemployment"),  # 833.33: 相对困难
    (40000, 6000, 3, 0, False, "schooling"),  # 944.44: 相对困难
    (60000, 0, 3, 52000, False, "disaster"),  # 1666.67 ≥ 1280, costs > 80%: 意外致困
    (72000, 0, 4, 0, True, "accident"),  # 1500 ≥ 1280, major event: 意外致困
    (15000, 3000, 1, 0, False, "disability"),  # 1000: 相对困难 (a household of one)
    (0, 0, 2, 0, False, "illness"),  # zero income: 深度困难
]


def _family(actors: dict[str, Any], union: Any, k: int, applied: date, until: date) -> str:
    """One family through the procedure as far as ``until`` allows; returns its last step."""
    from . import services
    from .models import Family

    income, expenses, size, costs, event, cause = PROFILES[k % len(PROFILES)]
    number = _id("371702", date(1970 + k % 25, 1 + k % 12, 1 + (k * 3) % 28), 500 + k)
    if Family.objects.filter(
        id_number_bidx=services.blind_index_for("citizen_id", number)
    ).exists():
        return "exists"
    clerk, reviewer = actors["clerk"], actors["reviewer"]
    family = services.family_apply(
        actor=clerk,
        data={
            "org": union.code,
            "name": SURNAMES[(k * 5) % len(SURNAMES)] + GIVEN[(k * 3) % len(GIVEN)],
            "id_number": number,
            "phone": f"139{k:08d}",
            "employer": "菏泽市演示企业",
            "work_status": "employed",
            "main_cause": cause,
            "household_income": income,
            "household_size": size,
            "hardship_costs": costs,
            "major_event": event,
            "bank_name": "菏泽农商银行",
            "bank_account": _account(900_000 + k),
            "pledge": True,
        },
        expenses=[{"kind": "illness", "amount": expenses}] if expenses else [],
        applied_on=applied,
    )
    from gonghui.core import notices

    last = "apply"
    day = applied + timedelta(days=3)
    if day > until:
        return last
    found = {"investigation": "入户核实家庭收入与支出，情况属实。"}
    services.family_investigate(actor=clerk, family=family, on=day, data=found)
    last, day = "investigate", day + timedelta(days=3)
    if day > until:
        return last
    services.family_deliberate(actor=clerk, family=family, opinion="职工代表评议同意上报。", on=day)
    last, day = "deliberate", day + timedelta(days=1)
    if day > until:
        return last
    services.family_publish(actor=clerk, family=family, starts_on=day)
    notice = notices.notice_of(family)
    last = "publish"
    day = (notice.ends_on if notice is not None else day) + timedelta(days=1)
    if day > until:
        return last
    services.family_submit_review(actor=clerk, family=family, today=day)
    last, day = "submit_review", day + timedelta(days=3)
    if day > until:
        return last
    services.family_approve(actor=reviewer, family=family, note="审核同意建档。", on=day)
    last = "approve"
    return last


def load_families(actors: dict[str, Any], union: Any, today: date) -> int:
    from .models import Family, Status
    from .services import family_exit, family_survey

    made = 0
    seed_end = date(2020, 9, 19)
    for k in range(16):  # the seed's year: archived in 2020-01..2020-08
        applied = date(2020, 1 + k // 2, 6 + (k % 2) * 10)
        if _family(actors, union, k, applied, seed_end) != "exists":
            made += 1
    # one family, archived early in 2020, is surveyed and then exits
    first = (
        Family.objects.filter(org=union, status=Status.ARCHIVED, archived_on__year=2020)
        .order_by("archived_on", "pk")
        .first()
    )
    # (once: after it exits, the next archived family would be "first" on a second run)
    surveyed = Family.objects.filter(org=union, last_survey_on=date(2020, 8, 3)).exists()
    if first is not None and first.last_survey_on is None and not surveyed:
        family_survey(actor=actors["clerk"], family=first, note="半年走访：家属已就业。",
                      on=date(2020, 8, 3))  # fmt: skip
        family_exit(
            actor=actors["clerk"], family=first, kind="relieved", on=date(2020, 9, 1),
            reason="配偶已稳定就业，家庭人均收入超过低保标准2倍。",
        )  # fmt: skip
    # the living years: one application a month since 2021, the last ones still moving
    month = date(2021, 1, 1)
    k = 100
    while month <= today:
        applied = month + timedelta(days=4)
        if applied <= today and _family(actors, union, k, applied, today) != "exists":
            made += 1
        k += 1
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return made


def load_grants(actors: dict[str, Any], union: Any, today: date) -> int:
    """生活救助 for each archived family in its archive year (2020: 1,000 元, later 800 元),
    approved by the county and paid a week later (2020's by the seed's period end)."""
    from .models import Family, Status
    from .services import grant_approve, grant_create, grant_paid

    made = 0
    seed_end = date(2020, 9, 19)
    files = Family.objects.filter(org=union, archived_on__isnull=False, grants__isnull=True)
    for family in files.exclude(status=Status.REJECTED).select_related("org").order_by("pk"):
        assert family.archived_on is not None
        year = family.archived_on.year
        amount = "1000" if year == 2020 else "800"
        grant = grant_create(
            actor=actors["clerk"], family=family, kind="living", period=str(year), amount=amount,
            fund_source="困难职工帮扶资金", reason="生活救助", on=family.archived_on,
        ) if family.status == Status.ARCHIVED else None  # fmt: skip
        if grant is None:
            continue
        grant_approve(actor=actors["reviewer"], grant=grant, on=family.archived_on)
        paid = family.archived_on + timedelta(days=7)
        if year == 2020:
            paid = min(paid, seed_end)
        if paid <= today:
            grant_paid(actor=actors["clerk"], grant=grant, on=paid)
        made += 1
    return made


def load_assistance(stdout: Any) -> None:
    from django.utils import timezone

    from gonghui.accounts.models import User
    from gonghui.orgs.models import Org

    today = timezone.localdate()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=("cadre_city", "cadre_mudan", "clerk"))
    }
    union = Org.objects.filter(code="3717020001").first()
    if len(users) < 3 or union is None:
        stdout.write("困难帮扶：缺少演示账号或组织，跳过\n")
        return
    dibao = load_dibao(users["cadre_city"], today)
    paid = load_condolence(users["cadre_city"])
    warmth = load_warmth(users["cadre_city"], today)
    actors = {"clerk": users["clerk"], "reviewer": users["cadre_mudan"]}
    families = load_families(actors, union, today)
    grants = load_grants(actors, union, today)
    stdout.write(
        f"困难帮扶：低保标准 {dibao} 条，疫情防控慰问 {paid} 人，送温暖 {warmth} 人，"
        f"困难职工档案 {families} 户，救助金 {grants} 笔\n"
    )


SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余"
    "潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "志强",
    "红梅",
    "海燕",
    "丽娟",
    "晓东",
]
