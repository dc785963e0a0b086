"""The demo's collective bargaining: the city's 2020 offer campaign (集中要约行动) reaching
6,132 enterprises in 2020-01-01..2020-09-19 — the seed page's "6000余家" — and this year's
campaign, alive up to the day of loading.

Heze's registry in the demo holds a few hundred enterprises with unions; a campaign of this
size reaches the small firms too, so the loader first registers the enterprises the offers
need (small and micro firms of every county, most without a union, named like the county's
own firms), then writes the threads with the dates each step took and the contracts the
finished ones signed. Outcomes spread as such campaigns go: most enterprises answer within
the 20 days, some late, a few refuse; talks take one to three rounds; the congress votes,
signing, filing, review and publication follow within their limits, and some threads are
still under way on the period's last day.

Deterministic (``random.Random(2020)``; this year's from its own seed) and idempotent: the
enterprises by credit code, a campaign by its title, a thread by (campaign, enterprise).
History is written with ``bulk_create``; the services write what users do from then on.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from gonghui.core.identifiers import uscc_with_check
from gonghui.demo.heze import orgcode_with_check

from . import workflow
from .models import Campaign, Card, Contract, Kind, Round, Status, Thread

if TYPE_CHECKING:
    from gonghui.demo.loaders import Output

SEED = 2020
CITY = "371700"
OFFERS_2020 = 6132
PERIOD_END = date(2020, 9, 19)
TRADES = (
    "鑫源",
    "恒达",
    "瑞丰",
    "宏图",
    "金诚",
    "华鑫",
    "永盛",
    "德润",
    "盛世",
    "福兴",
    "嘉禾",
    "隆基",
    "顺通",
    "万通",
    "天成",
    "中泰",
    "昌盛",
    "兴旺",
    "东方",
    "正阳",
    "康源",
    "富民",
    "利民",
    "益农",
)
KINDS = (
    ("商贸有限公司", "F"),
    ("食品有限公司", "C"),
    ("木业有限公司", "C"),
    ("纺织有限公司", "C"),
    ("建筑工程有限公司", "E"),
    ("物流有限公司", "G"),
    ("餐饮管理有限公司", "H"),
    ("农业科技有限公司", "A"),
    ("机械制造有限公司", "C"),
    ("电子科技有限公司", "I"),
    ("化工有限公司", "C"),
    ("服装有限公司", "C"),
    ("家具有限公司", "C"),
    ("汽车服务有限公司", "O"),
)


def _counties() -> list[Any]:
    from gonghui.orgs.models import Org

    return list(Org.objects.filter(parent__code=CITY, kind="county").order_by("code"))


def _enterprises(rng: random.Random, counties: list[Any], wanted: int) -> list[Any]:
    """Enough enterprises for the campaign: the registry's, then small firms registered
    for it (most without a union), spread over the counties like their workers."""
    from gonghui.orgs.models import Enterprise

    have = list(
        Enterprise.objects.filter(county__in=counties)
        .select_related("county")
        .order_by("uscc", "id")
    )
    missing = wanted - len(have)
    if missing > 0:
        names = set(Enterprise.objects.values_list("name", flat=True))
        codes = set(Enterprise.objects.exclude(uscc="").values_list("uscc", flat=True))
        new: list[Enterprise] = []
        serial = 0
        while len(new) < missing:
            serial += 1
            county = counties[serial % len(counties)]
            place = county.name.replace("总工会", "").replace("菏泽市", "")
            trade = rng.choice(TRADES)
            suffix, industry = rng.choice(KINDS)
            name = f"{place}{trade}{suffix}"
            if name in names:
                name = f"{place}{trade}{rng.choice(TRADES)}{suffix}"
            if name in names:
                continue
            body = orgcode_with_check(f"{rng.randrange(10**8):08d}")
            code = uscc_with_check(f"91{county.code}{body}")
            if code in codes:
                continue
            names.add(name)
            codes.add(code)
            new.append(
                Enterprise(
                    name=name,
                    uscc=code,
                    county=county,
                    union=None,  # a small firm without a union: the township's union offers
                    unit_category="170",  # 私营
                    headcount=rng.choice((8, 12, 15, 20, 25, 30, 40, 55, 80, 120)),
                    industry=industry,
                    size_class="micro" if rng.random() < 0.6 else "small",
                )
            )
        Enterprise.objects.bulk_create(new, batch_size=2000)
        have = list(
            Enterprise.objects.filter(county__in=counties)
            .select_related("county")
            .order_by("uscc", "id")
        )
    random.Random(SEED + 1).shuffle(have)  # the same firms whether or not any were made now
    return have[:wanted]


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _story(rng: random.Random, offered: date, horizon: date) -> dict[str, Any]:
    """The dates a thread offered on ``offered`` reached by ``horizon`` (a day that never
    lies in the future): each step within (or, now and then, past) its limit."""
    from gonghui.core import deadlines

    d: dict[str, Any] = {
        "offered_on": offered,
        "letter_sent_on": offered + timedelta(days=rng.randint(0, 3)),
    }

    def reached(day: date) -> bool:
        return day <= horizon

    if rng.random() < 0.05:
        refused = offered + timedelta(days=rng.randint(5, 25))
        if reached(refused):
            d.update(
                status=Status.REFUSED, refused_reason="企业以经营困难为由拒绝协商，已报人社部门协调"
            )
            return d
    answered = offered + timedelta(
        days=rng.randint(3, 18) if rng.random() < 0.9 else rng.randint(21, 35)
    )
    if not reached(answered):
        d["status"] = Status.OFFERED
        return d
    d.update(status=Status.ANSWERED, answered_on=answered)
    talks = deadlines.due_on(answered, rng.randint(6, 10))
    data_day = workflow.back_workdays(talks, 5)
    if not reached(data_day):
        if reached(answered + timedelta(days=2)):
            d.update(status=Status.SCHEDULED, talks_on=talks)
        return d
    d.update(status=Status.DATA, talks_on=talks, data_on=data_day)
    rounds = rng.choice((1, 1, 2, 2, 3))
    held = [talks + timedelta(days=7 * i) for i in range(rounds)]
    held = [h for h in held if reached(h)]
    if not held:
        return d
    d.update(status=Status.TALKS, rounds=len(held), held=held)
    if len(held) < rounds or rng.random() < 0.12:  # some talks drag on without agreement
        return d
    draft = held[-1] + timedelta(days=rng.randint(1, 5))
    if not reached(draft):
        return d
    d.update(status=Status.DRAFT, draft_on=draft)
    voted = draft + timedelta(days=rng.randint(5, 20))
    if not reached(voted):
        return d
    delegates = rng.choice((9, 15, 21, 30, 35, 45))
    present = rng.randint(-(-delegates * 2 // 3), delegates)
    approving = rng.randint(delegates // 2 + 1, present)
    d.update(
        status=Status.VOTED,
        voted_on=voted,
        delegates=delegates,
        present=present,
        approving=approving,
    )
    signed = voted + timedelta(days=rng.randint(1, 5))
    if not reached(signed):
        return d
    d.update(status=Status.SIGNED, signed_on=signed)
    filed = signed + timedelta(
        days=rng.randint(2, 9) if rng.random() < 0.93 else rng.randint(11, 16)
    )
    if not reached(filed):
        return d
    d.update(status=Status.FILED, filed_on=filed)
    reviewed = filed + timedelta(days=15)
    if not reached(reviewed):
        return d
    d.update(status=Status.REVIEWED, reviewed_on=reviewed)
    published = reviewed + timedelta(days=rng.randint(2, 9))
    if not reached(published):
        return d
    d.update(status=Status.PUBLISHED, published_on=published)
    return d


THREAD_FIELDS = (
    "status",
    "letter_sent_on",
    "answered_on",
    "talks_on",
    "data_on",
    "rounds",
    "draft_on",
    "delegates",
    "present",
    "approving",
    "voted_on",
    "signed_on",
    "filed_on",
    "reviewed_on",
    "published_on",
    "refused_reason",
)


def _write(campaign: Campaign, plan: list[tuple[Any, date, dict[str, Any]]], today: date) -> int:
    """Insert the threads of ``plan`` missing from the campaign, their rounds and contracts."""
    have = set(Thread.objects.filter(campaign=campaign).values_list("enterprise_id", flat=True))
    todo = [(e, offered, story) for e, offered, story in plan if e.pk not in have]
    threads = []
    for enterprise, offered, story in todo:
        thread = Thread(
            campaign=campaign,
            enterprise=enterprise,
            county_id=enterprise.county_id,
            union_id=enterprise.union_id,
            kind=campaign.kind,
            offered_on=offered,
            **{k: story[k] for k in THREAD_FIELDS if k in story},
        )
        dates = {
            k: story.get(k)
            for k in (
                "offered_on",
                "answered_on",
                "talks_on",
                "signed_on",
                "filed_on",
                "reviewed_on",
            )
        }
        thread.due_on = workflow.due_for(thread.status, dates)
        thread.card = workflow.card(thread.status, thread.due_on, today) or Card.NONE
        threads.append(thread)
    Thread.objects.bulk_create(threads, batch_size=2000)
    saved = {
        t.enterprise_id: t
        for t in Thread.objects.filter(
            campaign=campaign, enterprise_id__in=[e.pk for e, _o, _s in todo]
        )
    }
    rounds, contracts, links = [], [], []
    for enterprise, _offered, story in todo:
        thread = saved[enterprise.pk]
        for number, held in enumerate(story.get("held", ()), start=1):
            rounds.append(Round(thread=thread, number=number, held_on=held, notes=""))
        if story.get("signed_on"):
            years = 1 if campaign.kind == Kind.WAGE else 3
            contracts.append(
                (
                    thread,
                    enterprise,
                    Contract(
                        county_id=enterprise.county_id,
                        union_id=enterprise.union_id,
                        kind=campaign.kind,
                        title=f"{enterprise.name}{Kind(campaign.kind).label}",
                        signed_on=story["signed_on"],
                        starts_on=story["signed_on"],
                        ends_on=_years_later(story["signed_on"], years) - timedelta(days=1),
                        workers=enterprise.headcount,
                    ),
                )
            )
    Round.objects.bulk_create(rounds, batch_size=2000)
    Contract.objects.bulk_create([c for _t, _e, c in contracts], batch_size=2000)
    through = Contract.enterprises.through
    for thread, enterprise, contract in contracts:
        links.append(through(contract_id=contract.pk, enterprise_id=enterprise.pk))
        thread.contract = contract
    through.objects.bulk_create(links, batch_size=2000)
    Thread.objects.bulk_update([t for t, _e, _c in contracts], ["contract"], batch_size=2000)
    return len(threads)


def _expiring(rng: random.Random, firms: list[Any], end: date, count: int) -> int:
    """Contracts of the previous cycle (entered from paper) expiring within 60 days after
    ``end``: the renewals due then. Keyed by title, so written once."""
    made = 0
    chosen = rng.sample(firms, min(count, len(firms)))
    titles = set(
        Contract.objects.filter(from_paper=True, ends_on__gt=end).values_list("title", flat=True)
    )
    new, covered = [], []
    for enterprise in chosen:
        ends_on = end + timedelta(days=rng.randint(1, 59))
        signed = _years_later(ends_on + timedelta(days=1), -3)
        title = f"{enterprise.name}综合性集体合同（{signed.year}年）"
        if title in titles:
            continue
        titles.add(title)
        new.append(
            Contract(
                county_id=enterprise.county_id,
                union_id=enterprise.union_id,
                kind=Kind.COMPREHENSIVE,
                title=title,
                signed_on=signed,
                starts_on=signed,
                ends_on=ends_on,
                workers=enterprise.headcount,
                from_paper=True,
            )
        )
        covered.append(enterprise)
    Contract.objects.bulk_create(new, batch_size=2000)
    through = Contract.enterprises.through
    through.objects.bulk_create(
        [through(contract_id=c.pk, enterprise_id=e.pk) for c, e in zip(new, covered, strict=True)]
    )
    made += len(new)
    return made


def load_bargaining(stdout: Output) -> None:
    from gonghui.orgs.models import Org

    city = Org.objects.filter(code=CITY).first()
    counties = _counties()
    if city is None or not counties:
        stdout.write("集体协商：缺少组织，跳过\n")
        return
    today = timezone.localdate()
    firms = _enterprises(random.Random(SEED), counties, OFFERS_2020)
    rng = random.Random(SEED + 2)
    campaign, _ = Campaign.objects.get_or_create(
        title="2020年集体协商集中要约行动",
        defaults={
            "org": city,
            "year": 2020,
            "starts_on": date(2020, 3, 2),
            "ends_on": date(2020, 12, 31),
            "kind": Kind.COMPREHENSIVE,
        },
    )
    plan = []
    days = (date(2020, 6, 30) - date(2020, 3, 2)).days
    for enterprise in firms:
        offered = date(2020, 3, 2) + timedelta(days=rng.randint(0, days))
        plan.append(
            (enterprise, offered, _story(rng, offered, min(today, offered + timedelta(days=200))))
        )
    written = _write(campaign, plan, today)
    _expiring(rng, firms, PERIOD_END, 140)  # renewals due after the seed's period
    # this year's campaign: wage contracts, offered month by month up to today
    year_rng = random.Random(SEED + today.year)
    current, _ = Campaign.objects.get_or_create(
        title=f"{today.year}年工资集体协商集中要约行动",
        defaults={
            "org": city,
            "year": today.year,
            "starts_on": date(today.year, 3, 1),
            "ends_on": date(today.year, 12, 31),
            "kind": Kind.WAGE,
        },
    )
    start = date(today.year, 3, 1)
    later = []
    if today >= start:
        chosen = year_rng.sample(firms, min(900, len(firms)))
        span = max((today - start).days, 0)
        for enterprise in chosen:
            offered = start + timedelta(days=year_rng.randint(0, span))
            later.append((enterprise, offered, _story(year_rng, offered, today)))
    written += _write(current, later, today)
    _expiring(year_rng, firms, today, 160)  # and the renewals due in the coming weeks
    stdout.write(f"集体协商：新增要约 {written} 家\n")
