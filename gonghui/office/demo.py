"""The demo's office: the city federation's documents to its county federations with their
receipts, data calls with the counties' answers, supervised tasks and meetings — in the
seed's period (2020-01-01..2020-09-19) and in the current year up to the day of loading.

Deterministic (``random.Random`` per year) and idempotent: a document by (org, type, year,
number), a call and a task by (org, title), a meeting and a notice by (org, title). History
is written with ``bulk_create``; the services write what users do from then on.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from gonghui.core import deadlines

from .models import (
    Attendee,
    Audience,
    Call,
    CallStatus,
    Card,
    DocCounter,
    DocStatus,
    DocType,
    Document,
    Meeting,
    Notice,
    Receipt,
    Submission,
    SubmissionRow,
    SubStatus,
    Task,
    TaskStatus,
)
from .services import number_text

if TYPE_CHECKING:
    from gonghui.demo.loaders import Output

CITY = "371700"
PERIOD_END = date(2020, 9, 19)
TOPICS = (
    ("开展“职工书屋”建设", DocType.NOTICE),
    ("做好疫情防控期间职工权益维护工作", DocType.OPINION),
    ("表彰菏泽市五一劳动奖状和奖章获得者", DocType.DECISION),
    ("开展集体协商集中要约行动", DocType.NOTICE),
    ("做好困难职工帮扶工作", DocType.OPINION),
    ("商请协助开展农民工工资支付检查", DocType.LETTER),
    ("市总工会党组会议", DocType.MINUTES),
    ("开展“送温暖”活动", DocType.NOTICE),
    ("推进基层工会规范化建设", DocType.OPINION),
    ("开展职工劳动和技能竞赛", DocType.NOTICE),
    ("加强工会经费收缴管理", DocType.NOTICE),
    ("调整工会经费返还政策", DocType.DECISION),
)
CALLS = (
    ("职工书屋建设情况", "单位名称|文本|必填\n职工书屋数|整数|必填\n藏书（册）|整数"),
    ("困难职工帮扶情况", "单位名称|文本|必填\n帮扶人数|整数|必填\n帮扶金额（元）|数字|必填"),
    ("基层工会组建情况", "单位名称|文本|必填\n新建工会|整数|必填\n新发展会员|整数|必填"),
    ("劳动竞赛开展情况", "项目名称|文本|必填\n参赛职工|整数|必填\n开始日期|日期"),
)
TASKS = (
    "落实市总工会全委会部署",
    "报送工会经费返还名单",
    "完成困难职工建档复核",
    "推进新就业形态劳动者入会",
    "整改经费审查发现的问题",
    "筹备职工技能大赛",
)


def _workday(day: date) -> date:
    from gonghui.core.workdays import is_workday

    while not is_workday(day):
        day += timedelta(days=1)
    return day


def _aware(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _documents(
    rng: random.Random, city: Any, counties: list[Any], year: int, until: date, today: date
) -> int:
    """About four documents a month from January to ``until``, to every county; receipts
    signed within days (the last weeks' partly unsigned, some reminded)."""
    plan: list[tuple[date, str, Any]] = []
    day = date(year, 1, 6)
    while day <= until:
        topic, kind = TOPICS[rng.randrange(len(TOPICS))]
        plan.append((_workday(day), topic, kind))
        day += timedelta(days=rng.randint(5, 10))
    seqs: dict[Any, int] = {}
    have = set(
        Document.objects.filter(org=city, number_year=year).values_list("doc_type", "number_seq")
    )
    new_docs: list[Document] = []
    for sent_on, topic, kind in plan:
        seqs[kind] = seqs.get(kind, 0) + 1
        if (kind, seqs[kind]) in have:
            continue
        title = f"关于{topic}的{DocType(kind).label}" if kind != DocType.MINUTES else topic + "纪要"
        new_docs.append(
            Document(
                org=city,
                title=title,
                doc_type=kind,
                urgency=rng.choice(("normal", "normal", "urgent")),
                body=f"各县区总工会：现就{topic}有关事项通知如下。",
                status=DocStatus.SENT,
                number=number_text(city, kind, year, seqs[kind]),
                number_year=year,
                number_seq=seqs[kind],
                issued_on=sent_on,
                sent_on=sent_on,
                created_at=_aware(sent_on, 9),
            )
        )
    Document.objects.bulk_create(new_docs)
    for kind, last in seqs.items():
        counter, _ = DocCounter.objects.get_or_create(org=city, doc_type=kind, year=year)
        if counter.last < last:
            counter.last = last
            counter.save(update_fields=["last"])
    receipts: list[Receipt] = []
    for doc in Document.objects.filter(pk__in=[d.pk for d in new_docs]):
        assert doc.sent_on is not None
        for county in counties:
            lag = rng.choice((0, 0, 1, 1, 2, 3, 5, 9))
            signed = doc.sent_on + timedelta(days=lag)
            open_ = signed >= today or (today - doc.sent_on).days < 10 and rng.random() < 0.4
            receipts.append(
                Receipt(
                    document=doc,
                    org=county,
                    signed_at=None if open_ else _aware(signed, 10),
                    reminders=1 if open_ and (today - doc.sent_on).days > 3 else 0,
                    reminded_at=_aware(today, 8)
                    if open_ and (today - doc.sent_on).days > 3
                    else None,
                )
            )
    Receipt.objects.bulk_create(receipts)
    return len(new_docs)


def _calls(
    rng: random.Random, city: Any, counties: list[Any], year: int, until: date, today: date
) -> int:
    """A call every two months to every county; most answered on time, some late, a few
    missing; each answer's rows named by the county."""
    from .services import parse_columns

    written = 0
    month = 2
    while month <= 12:
        start = date(year, month, 1)
        if start > until:
            break
        title, spec = CALLS[(month // 2) % len(CALLS)]
        title = f"{year}年{month}月{title}"
        month += 2
        if Call.objects.filter(org=city, title=title).exists():
            continue
        deadline = _workday(start + timedelta(days=14))
        columns = parse_columns(spec)
        call = Call.objects.create(
            org=city,
            title=title,
            columns=columns,
            deadline=deadline,
            status=CallStatus.CLOSED if deadline < today - timedelta(days=30) else CallStatus.OPEN,
            created_at=_aware(start, 9),
        )
        written += 1
        subs = []
        for county in counties:
            fate = rng.random()
            if deadline >= today and fate < 0.5:
                subs.append(Submission(call=call, org=county))
                continue
            if fate < 0.08:
                subs.append(Submission(call=call, org=county, late=deadline < today))
                continue
            lag = rng.randint(-10, -1) if fate < 0.85 else rng.randint(1, 6)
            at = min(deadline + timedelta(days=lag), today)
            subs.append(
                Submission(
                    call=call,
                    org=county,
                    status=SubStatus.SUBMITTED,
                    submitted_at=_aware(at, 16),
                    late=at > deadline,
                )
            )
        Submission.objects.bulk_create(subs)
        rows = []
        for sub in Submission.objects.filter(call=call, status=SubStatus.SUBMITTED).select_related(
            "org"
        ):
            for n in range(1, rng.randint(1, 3) + 1):
                data: dict[str, Any] = {}
                for col in columns:
                    if col["type"] == "text":
                        data[col["key"]] = f"{sub.org.name}{n}" if n > 1 else sub.org.name
                    elif col["type"] == "int":
                        data[col["key"]] = rng.randint(1, 300)
                    elif col["type"] == "decimal":
                        data[col["key"]] = f"{rng.randint(1000, 90000)}.00"
                    else:
                        data[col["key"]] = (start + timedelta(days=rng.randint(0, 20))).isoformat()
                rows.append(SubmissionRow(submission=sub, source=sub.org, number=n, data=data))
        SubmissionRow.objects.bulk_create(rows)
    return written


def _tasks(
    rng: random.Random, city: Any, counties: list[Any], year: int, until: date, today: date
) -> int:
    plan = []
    day = date(year, 1, 10)
    while day <= until:
        plan.append(_workday(day))
        day += timedelta(days=rng.randint(12, 25))
    new = []
    for i, assigned in enumerate(plan):
        owner = counties[i % len(counties)]
        title = f"{TASKS[i % len(TASKS)]}（{assigned:%m月%d日交办}）"
        if Task.objects.filter(org=city, owner=owner, title=title).exists():
            continue
        workdays = rng.choice((5, 10, 15, 20))
        due = deadlines.due_on(assigned, workdays)
        lag = rng.randint(-6, 4)
        closed = due + timedelta(days=lag)
        is_open = closed >= today
        new.append(
            Task(
                org=city,
                owner=owner,
                title=title,
                detail="请按时报告进展，办结时上传佐证材料。",
                assigned_on=assigned,
                workdays=workdays,
                due_on=due,
                status=TaskStatus.OPEN if is_open else TaskStatus.CLOSED,
                closed_on=None if is_open else max(closed, assigned),
                outcome="" if is_open else "已按要求完成。",
                card=deadlines.card_for(due, today) if is_open else Card.NONE,
                created_at=_aware(assigned, 9),
            )
        )
    Task.objects.bulk_create(new)
    return len(new)


def _meetings(city: Any, counties: list[Any], year: int, until: date) -> None:
    for month, title in ((3, "全市工会工作会议"), (7, "县区总工会主席座谈会")):
        day = _workday(date(year, month, 10))
        full = f"{year}年{title}"
        if day > until or Meeting.objects.filter(org=city, title=full).exists():
            continue
        meeting = Meeting.objects.create(
            org=city,
            title=full,
            starts_at=_aware(day, 9),
            place="市总工会三楼会议室",
            agenda="一、传达上级工会会议精神\n二、部署下一阶段工作",
        )
        Attendee.objects.bulk_create(
            [
                Attendee(
                    meeting=meeting,
                    org=c,
                    signed_up_at=_aware(day, 8),
                    checked_in_at=_aware(day, 9),
                )
                for c in counties
            ]
        )
    for month, title, audience in (
        (1, "春节期间值班安排", Audience.TREE),
        (4, "“五一”职工疗休养报名", Audience.MEMBERS),
    ):
        full = f"{year}年{title}"
        day = date(year, month, 15)
        if day > until or Notice.objects.filter(org=city, title=full).exists():
            continue
        Notice.objects.create(
            org=city,
            title=full,
            body=f"{title}的有关事项见正文。",
            audience=audience,
            published_on=day,
        )


def load_office(stdout: Output) -> None:
    from gonghui.orgs.models import Org

    city = Org.objects.filter(code=CITY).first()
    counties = list(Org.objects.filter(parent__code=CITY, kind="county").order_by("code"))
    if city is None or not counties:
        stdout.write("综合办公：缺少组织，跳过\n")
        return
    today = timezone.localdate()
    counts = [0, 0, 0]
    years = [(2020, PERIOD_END)]
    if today.year > 2020:
        years.append((today.year, today))
    for year, until in years:
        # one generator per kind, so what one writes never shifts what the next plans
        counts[0] += _documents(random.Random(f"docs-{year}"), city, counties, year, until, today)
        counts[1] += _calls(random.Random(f"calls-{year}"), city, counties, year, until, today)
        counts[2] += _tasks(random.Random(f"tasks-{year}"), city, counties, year, until, today)
        _meetings(city, counties, year, until)
    stdout.write(
        f"综合办公：公文 {counts[0]} 份，信息报送 {counts[1]} 次，督办事项 {counts[2]} 件\n"
    )
