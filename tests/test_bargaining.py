"""Collective bargaining: the statutory clock across holidays, the workers' congress rule at
its edges, a whole thread through its steps, contracts (regional, renewal), the workers'
request threshold, offer letters, scope on pages and API, and the report's figures."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from gonghui.bargaining import letters, metrics, services, workflow
from gonghui.bargaining.models import Campaign, Contract, Status, Thread, WorkerRequest
from gonghui.core import deadlines
from gonghui.core.errors import Conflict, InvalidInput, NotFound
from gonghui.core.identifiers import uscc_with_check
from gonghui.core.metrics import get as metric
from gonghui.core.models import AuditEntry
from gonghui.core.pdf import pdf_available
from gonghui.orgs.models import Enterprise

from .conftest import People, Tree

# 2020-09-30 is the eve of the National Day holiday (10-01..10-08; 10-10 a makeup Saturday).
EVE = date(2020, 9, 30)


def code(n: int) -> str:
    return uscc_with_check(f"91371702MA{n:07d}")


def enterprise(
    tree: Tree, n: int, *, county: Any = None, union: Any = None, headcount: int = 50
) -> Enterprise:
    county = county or tree.county_a
    return Enterprise.objects.create(
        name=f"测试企业{n}有限公司",
        uscc=code(n),
        county=county,
        union=union
        if union is not None
        else (tree.union_a if county == tree.county_a else tree.union_b),
        headcount=headcount,
        industry="C",
        size_class="small",
    )


@pytest.fixture
def campaign(people: People, tree: Tree) -> Campaign:
    return services.campaign_create(
        actor=people.city_cadre,
        org=tree.city,
        data={
            "title": "2020年集中要约行动",
            "starts_on": date(2020, 3, 1),
            "ends_on": date(2020, 12, 31),
        },
    )


# --- the clock ------------------------------------------------------------------------------


def test_answer_due_in_twenty_calendar_days_across_the_holiday(db: Any) -> None:
    assert workflow.due_for(Status.OFFERED, {"offered_on": EVE}) == date(2020, 10, 20)


def test_talks_due_in_ten_working_days_across_the_holiday(db: Any) -> None:
    # 10-09, 10-10 (makeup), 10-12 … 10-16, 10-19, 10-20, 10-21: the tenth working day
    assert workflow.due_for(Status.ANSWERED, {"answered_on": EVE}) == date(2020, 10, 21)


def test_data_due_five_working_days_before_the_talks(db: Any) -> None:
    # talks on 10-14: 10-09, 10-10 (makeup), 10-12, 10-13, 10-14 are the five working days
    # before, so the data is due on 9-30, the last working day before the holiday
    assert workflow.due_for(Status.SCHEDULED, {"talks_on": date(2020, 10, 14)}) == EVE
    assert workflow.back_workdays(date(2020, 6, 12), 5) == date(2020, 6, 5)


def test_filing_review_and_publication_in_calendar_days(db: Any) -> None:
    signed = date(2020, 9, 25)
    assert workflow.due_for(Status.SIGNED, {"signed_on": signed}) == date(2020, 10, 5)
    assert workflow.due_for(Status.FILED, {"filed_on": signed}) == date(2020, 10, 10)
    assert workflow.due_for(Status.REVIEWED, {"reviewed_on": signed}) == date(2020, 10, 5)
    assert workflow.due_for(Status.TALKS, {"talks_on": signed}) is None


def test_cards_for_the_answer_turn_yellow_three_days_before(db: Any) -> None:
    due = date(2020, 10, 20)
    assert workflow.card(Status.OFFERED, due, date(2020, 10, 16)) == ""
    assert workflow.card(Status.OFFERED, due, date(2020, 10, 17)) == "yellow"
    assert workflow.card(Status.OFFERED, due, date(2020, 10, 21)) == "red"


# --- the workers' congress ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delegates", "present", "approving", "passes"),
    [
        (90, 60, 46, True),  # exactly two thirds present, 46 > 45
        (90, 59, 59, False),  # one short of two thirds
        (90, 60, 45, False),  # half of all delegates is not more than half
        (91, 61, 46, True),  # 61 × 3 = 183 ≥ 182
        (91, 60, 60, False),  # 180 < 182
        (100, 100, 50, False),
        (100, 100, 51, True),
        (3, 2, 2, True),
        (0, 0, 0, False),
        (10, 11, 5, False),  # more present than delegates
    ],
)
def test_congress_rule_at_its_edges(
    delegates: int, present: int, approving: int, passes: bool
) -> None:
    assert workflow.congress_passes(delegates, present, approving)[0] is passes


# --- a whole thread -------------------------------------------------------------------------


def test_a_thread_from_offer_to_publication(people: People, tree: Tree, campaign: Campaign) -> None:
    firm = enterprise(tree, 1, headcount=200)
    counts = services.offer(
        actor=people.cadre_a, campaign=campaign, enterprises=[firm], offered_on=date(2020, 4, 1)
    )
    assert counts == {"offered": 1, "already": 0, "outside": 0}
    thread = Thread.objects.get()
    assert thread.due_on == date(2020, 4, 21) and thread.status == Status.OFFERED

    def act(action: str, **data: Any) -> Thread:
        return services.thread_act(actor=people.clerk_a, thread=thread, action=action, data=data)

    with pytest.raises(InvalidInput) as exc:
        act("answer", answered_on="2020-03-31")  # before the offer
    assert exc.value.errors[0]["field"] == "answered_on"
    thread = act("answer", answered_on=date(2020, 4, 10))
    assert thread.due_on == date(2020, 4, 24)  # ten working days
    with pytest.raises(Conflict):
        act("sign", signed_on=date(2020, 4, 11), years=3)  # not before the vote
    thread = act("schedule", talks_on=date(2020, 4, 20))
    assert thread.due_on == date(2020, 4, 13)  # data five working days before
    thread = act("exchange", data_on=date(2020, 4, 13))
    thread = act("hold", held_on=date(2020, 4, 20), notes="工资增幅分歧。")
    thread = act("hold", held_on=date(2020, 4, 27), notes="达成一致。")
    assert thread.rounds == 2 and thread.status == Status.TALKS
    thread = act("agree", draft_on=date(2020, 4, 28))
    with pytest.raises(Conflict) as refused:
        act("vote", voted_on=date(2020, 5, 8), delegates=90, present=59, approving=59)
    assert "三分之二" in refused.value.detail
    thread.refresh_from_db()
    assert thread.status == Status.DRAFT and thread.voted_on is None  # nothing half-written
    thread = act("vote", voted_on=date(2020, 5, 8), delegates=90, present=80, approving=70)
    thread = act("sign", signed_on=date(2020, 5, 9), years=3, min_wage="1900", wage_rise="5.5")
    contract = thread.contract
    assert contract is not None and contract.ends_on == date(2023, 5, 8)
    assert contract.workers == 200 and contract.min_wage == Decimal("1900.00")
    assert thread.due_on == date(2020, 5, 19)
    thread = act("file", filed_on=date(2020, 5, 15))
    thread = act("review", reviewed_on=date(2020, 5, 30))
    thread = act("publish", published_on=date(2020, 6, 1))
    assert thread.status == Status.PUBLISHED and thread.due_on is None
    actions = list(
        AuditEntry.objects.filter(object_type="bargaining_thread")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[0] == "bargaining.answer" and actions[-1] == "bargaining.publish"
    # the report's figures and their records
    start, end = date(2020, 1, 1), date(2020, 9, 19)
    assert metrics.offered(tree.city, start, end).count() == 1
    assert metrics.signed(tree.city, start, end).get() == contract
    assert list(metrics.covered(tree.city, start, end)) == [firm]
    assert metrics.covered(tree.county_b, start, end).count() == 0


def test_the_bureau_objecting_sends_the_draft_back(
    people: People, tree: Tree, campaign: Campaign
) -> None:
    firm = enterprise(tree, 2)
    services.offer(
        actor=people.cadre_a, campaign=campaign, enterprises=[firm], offered_on=date(2020, 4, 1)
    )
    thread = Thread.objects.get()
    thread.status, thread.voted_on, thread.draft_on = (
        Status.VOTED,
        date(2020, 5, 1),
        date(2020, 4, 30),
    )
    thread.save()
    thread = services.thread_act(
        actor=people.cadre_a,
        thread=thread,
        action="sign",
        data={"signed_on": date(2020, 5, 2), "years": 2},
    )
    thread = services.thread_act(
        actor=people.cadre_a, thread=thread, action="file", data={"filed_on": date(2020, 5, 3)}
    )
    thread = services.thread_act(
        actor=people.cadre_a, thread=thread, action="object", data={"reason": "工时条款违法。"}
    )
    assert thread.status == Status.DRAFT and thread.contract is None
    assert Contract.objects.in_force(date(2020, 6, 1)).count() == 0


def test_a_wage_contract_runs_one_year(people: People, tree: Tree) -> None:
    firm = enterprise(tree, 3)
    with pytest.raises(InvalidInput) as exc:
        services.contract_record(
            actor=people.cadre_a,
            county=tree.county_a,
            data={"title": "工资协议", "kind": "wage", "signed_on": date(2020, 1, 2), "years": 2},
            enterprises=[firm],
        )
    assert exc.value.errors[0]["field"] == "years"


def test_offer_skips_what_is_outside_or_already_offered(
    people: People, tree: Tree, campaign: Campaign
) -> None:
    mine, theirs = enterprise(tree, 4), enterprise(tree, 5, county=tree.county_b)
    first = services.offer(actor=people.cadre_a, campaign=campaign, enterprises=[mine, theirs])
    assert first == {"offered": 1, "already": 0, "outside": 1}
    again = services.offer(actor=people.cadre_a, campaign=campaign, enterprises=[mine])
    assert again == {"offered": 0, "already": 1, "outside": 0}


def test_offer_by_credit_codes_lists_rows_not_matched(
    people: People, tree: Tree, campaign: Campaign
) -> None:
    enterprise(tree, 6)
    enterprise(tree, 7, county=tree.county_b)
    counts, problems = services.offer_by_codes(
        actor=people.cadre_a, campaign=campaign, codes=[code(6), code(7), "91371702MA0000000X", ""]
    )
    assert counts["offered"] == 1
    assert [(row, why) for row, _c, why in problems] == [
        (3, "本单位范围内没有这家企业"),
        (4, "统一社会信用代码无效"),
    ]


# --- contracts ------------------------------------------------------------------------------


def test_a_regional_contract_covers_many_enterprises(people: People, tree: Tree) -> None:
    firms = [enterprise(tree, 10 + i, headcount=30) for i in range(5)]
    today = timezone.localdate()
    contract = services.contract_record(
        actor=people.cadre_a,
        county=tree.county_a,
        data={
            "title": "牡丹街道区域性集体合同",
            "kind": "regional",
            "signed_on": today - timedelta(days=10),
            "years": 3,
        },
        enterprises=firms,
    )
    assert contract.workers == 150 and contract.enterprises.count() == 5
    end = today
    assert metrics.covered(tree.county_a, end, end).count() == 5
    assert metric("bargaining.coverage_workers").records(tree.county_a, end, end).count() == 5
    with pytest.raises(InvalidInput) as exc:
        services.contract_record(
            actor=people.cadre_a,
            county=tree.county_a,
            data={"title": "x", "kind": "comprehensive", "signed_on": today, "years": 1},
            enterprises=firms[:2],
        )
    assert exc.value.errors[0]["field"] == "enterprises"
    outside = enterprise(tree, 20, county=tree.county_b)
    with pytest.raises(NotFound):
        services.contract_record(
            actor=people.cadre_b,
            county=tree.county_a,
            data={"title": "x", "kind": "regional", "signed_on": today, "years": 1},
            enterprises=[outside],
        )


def test_renewal_reminder_from_sixty_days_before_expiry(people: People, tree: Tree) -> None:
    firm = enterprise(tree, 30)
    today = timezone.localdate()
    signed = (
        today.replace(year=today.year - 1)
        if not (today.month == 2 and today.day == 29)
        else today - timedelta(days=365)
    )
    contract = services.contract_record(
        actor=people.cadre_a,
        county=tree.county_a,
        data={
            "title": "到期合同",
            "kind": "comprehensive",
            "signed_on": signed + timedelta(days=40),
            "years": 1,
        },
        enterprises=[firm],
    )
    assert contract.ends_on - today <= timedelta(days=60)
    items = deadlines.for_user(people.cadre_a, today)
    assert any(item.url == contract.get_absolute_url() for item, _card in items)
    assert not any(
        item.url == contract.get_absolute_url()
        for item, _card in deadlines.for_user(people.cadre_b, today)
    )
    far = today - timedelta(days=200)
    assert deadlines.card_for(contract.ends_on, far, unit=deadlines.CALENDAR, warn=60) == ""


# --- the workers' request -------------------------------------------------------------------


def test_a_fifth_of_the_workers_put_the_union_on_notice(people: People, tree: Tree) -> None:
    from gonghui.members.models import Member
    from gonghui.members.services import member_create

    from .conftest import make_user

    firm = enterprise(tree, 40, headcount=11)  # a fifth of 11 is 3 signatures (rounded up)
    signers = []
    for i, idn in enumerate(["11010519491231002X", "110105198001010016", "110105198001010024"]):
        user = people.member_a if i == 0 else make_user(f"worker{i}", "member", tree.union_a)
        m = member_create(
            actor=people.admin,
            org=tree.union_a,
            data={"name": ["张三", "李四", "王五"][i], "id_number": idn},
        )
        Member.objects.filter(pk=m.pk).update(employer=firm, user=user)
        signers.append(Member.objects.get(pk=m.pk))
    req = services.request_sign(member=signers[0])
    assert req.needed == 3 and req.reached_on is None
    with pytest.raises(Conflict):
        services.request_sign(member=signers[0])
    services.request_sign(member=signers[1])
    req = services.request_sign(member=signers[2])
    assert req.reached_on == timezone.localdate()
    assert WorkerRequest.objects.count() == 1


# --- letters ---------------------------------------------------------------------------------


@pytest.mark.skipif(not pdf_available(), reason="no CJK font installed")
def test_offer_letters_one_and_merged(people: People, tree: Tree, campaign: Campaign) -> None:
    from .test_reports_pages import pdf_text

    firms = [enterprise(tree, 50 + i) for i in range(3)]
    services.offer(
        actor=people.cadre_a, campaign=campaign, enterprises=firms, offered_on=date(2020, 4, 1)
    )
    thread = Thread.objects.order_by("id").first()
    assert thread is not None
    text = pdf_text(letters.letter_pdf(thread))
    assert "集体协商要约书" in text and thread.enterprise.name in text and "二十日内" in text
    batch = letters.batch_request(actor=people.cadre_a, campaign=campaign, org=tree.county_a)
    result = letters.run_batch(batch.pk)
    assert result["status"] == "done" and result["letters"] == 3
    batch.refresh_from_db()
    assert batch.file is not None and batch.percent == 100
    with batch.file.open() as fh:
        merged = pdf_text(fh.read())
    assert all(f.name in merged for f in firms)
    assert merged.count("集体协商要约书") == 3
    assert letters.run_batch(batch.pk)["status"] == "done"  # safe to run twice
    # one file per enterprise: a ZIP whose every member is that enterprise's own letter
    import zipfile

    per_firm = letters.batch_request(
        actor=people.cadre_a, campaign=campaign, org=tree.county_a, layout="zip"
    )
    assert letters.run_batch(per_firm.pk)["letters"] == 3
    per_firm.refresh_from_db()
    assert per_firm.file is not None and per_firm.file.kind == "zip"
    with per_firm.file.open() as fh, zipfile.ZipFile(fh) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(f"{f.name}要约书.pdf" for f in firms)
        one = pdf_text(archive.read(f"{firms[1].name}要约书.pdf"))
    assert firms[1].name in one and firms[0].name not in one
    with pytest.raises(InvalidInput):
        letters.batch_request(actor=people.cadre_a, campaign=campaign, org=tree.county_a,
                              layout="docx")  # fmt: skip


# --- pages and API: scope -------------------------------------------------------------------


def test_pages_and_api_refuse_another_county(
    people: People, tree: Tree, campaign: Campaign, login: Any, api: Any
) -> None:
    firm = enterprise(tree, 60)
    services.offer(
        actor=people.cadre_a, campaign=campaign, enterprises=[firm], offered_on=date(2020, 4, 1)
    )
    thread = Thread.objects.get()
    mine, other = login(people.cadre_a), login(people.cadre_b)
    assert mine.get(thread.get_absolute_url()).status_code == 200
    assert other.get(thread.get_absolute_url()).status_code == 404
    assert other.get(f"/bargaining/threads/{thread.pk}/letter.pdf").status_code == 404
    assert (
        other.post(
            f"/bargaining/threads/{thread.pk}/answer/", {"answer-answered_on": "2020-04-02"}
        ).status_code
        == 404
    )
    assert login(people.member_a).get("/bargaining/").status_code == 404
    assert login(people.operator).get("/bargaining/").status_code == 404
    assert firm.name not in other.get(campaign.get_absolute_url()).content.decode()
    assert api(people.cadre_b).get(f"/api/v1/bargaining/threads/{thread.pk}").status_code == 404
    response = api(people.cadre_b).post(
        f"/api/v1/bargaining/threads/{thread.pk}/answer",
        {"answered_on": "2020-04-02"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert api(people.cadre_b).get("/api/v1/bargaining/threads").json()["count"] == 0
    # the cadre of the county takes the step through the page
    response = mine.post(
        f"/bargaining/threads/{thread.pk}/answer/", {"answer-answered_on": "2020-04-02"}
    )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.status == Status.ANSWERED
    # and the next through the API; an illegal step is 409 naming the allowed ones
    response = api(people.cadre_a).post(
        f"/api/v1/bargaining/threads/{thread.pk}/publish", {}, content_type="application/json"
    )
    assert response.status_code == 409
    response = api(people.cadre_a).post(
        f"/api/v1/bargaining/threads/{thread.pk}/schedule",
        {"talks_on": "2020-04-10"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "scheduled"


def test_page_offer_by_filter_and_by_uploaded_list(
    people: People, tree: Tree, campaign: Campaign, login: Any
) -> None:
    for i in range(3):
        enterprise(tree, 70 + i)
    client = login(people.cadre_a)
    url = campaign.get_absolute_url()
    page = client.get(url, {"industry": "C", "size_class": "", "union": "yes"}).content.decode()
    assert "符合条件的企业 3 家" in page
    client.post(f"{url}offer/", {"industry": "C", "union": "yes"})
    assert Thread.objects.count() == 3
    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码"])
    sheet.append([code(70)])
    sheet.append(["not-a-code"])
    buffer = BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("名单.xlsx", buffer.getvalue())
    result = client.post(f"{url}codes/", {"file": upload}).content.decode()
    assert "已在本次行动中 1 家" in result and "统一社会信用代码无效" in result
    export = client.get(f"{url}export/")
    assert export.status_code == 200 and export["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )


def _ledger(rows: list[list[Any]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(["合同名称", "合同类型", "企业统一社会信用代码", "签订日期", "期限（年）",
                  "企业最低工资（元）", "工资增幅（%）"])  # fmt: skip
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("台账.xlsx", buffer.getvalue())


def test_paper_contracts_import_row_by_row_and_again_without_duplicates(
    people: People, tree: Tree, login: Any
) -> None:
    firms = [enterprise(tree, 80 + i, headcount=40) for i in range(3)]
    other = enterprise(tree, 90, county=tree.county_b)
    rows: list[list[Any]] = [
        ["甲公司综合性集体合同", "综合性集体合同", firms[0].uscc, date(2020, 5, 6), 3, "", ""],
        ["甲公司2020年工资专项集体合同", "工资专项", firms[0].uscc, "2020-03-18", 1,
         "1900元", "6%"],
        ["牡丹街道区域性集体合同", "区域性", f"{firms[1].uscc}、{firms[2].uscc}", "2020-04-01",
         2, "", ""],
        ["乙县企业合同", "综合性集体合同", other.uscc, "2020-04-01", 3, "", ""],  # county B
        ["工资合同两年", "工资专项", firms[1].uscc, "2020-04-01", 2, "", ""],
        ["类型不明", "其他合同", firms[2].uscc, "2020-04-01", 1, "", ""],
        ["日期不对", "综合性集体合同", firms[2].uscc, "2020年4月", 1, "", ""],
    ]  # fmt: skip
    client = login(people.cadre_a)
    page = client.post("/bargaining/contracts/import/", {"file": _ledger(rows)}).content.decode()
    assert "共 7 行：新登记 3 份，已登记过 0 份，未导入 4 行。" in page
    assert Contract.objects.count() == 3
    wage = Contract.objects.get(kind="wage")
    assert (wage.min_wage, wage.wage_rise, wage.from_paper) == (Decimal("1900"), Decimal("6"), True)
    assert wage.ends_on == date(2021, 3, 17)
    regional = Contract.objects.get(kind="regional")
    assert regional.enterprises.count() == 2 and regional.workers == 80
    for number, why in [
        (5, "本单位范围内没有这些企业"),  # another county's enterprise answers like a missing one
        (6, "工资专项集体合同一年一签"),
        (7, "合同类型“其他合同”无法识别"),
        (8, "日期格式应为"),
    ]:
        assert f"<td>{number}</td>" in page and why in page
    # the fixed ledger imports again: nothing already recorded is recorded twice
    rows[4][4] = 1
    again = client.post("/bargaining/contracts/import/", {"file": _ledger(rows)}).content.decode()
    assert "新登记 1 份，已登记过 3 份，未导入 3 行" in again
    assert Contract.objects.count() == 4
    # a clerk without the right, and county B's cadre, write nothing
    assert login(people.member_a).post(
        "/bargaining/contracts/import/", {"file": _ledger(rows)}
    ).status_code in (302, 403, 404)
    login(people.cadre_b).post("/bargaining/contracts/import/", {"file": _ledger(rows[:3])})
    assert Contract.objects.count() == 4
    template = client.get("/bargaining/contracts/template.xlsx")
    assert template.status_code == 200 and template["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )


def test_paper_contracts_import_refuses_a_file_that_is_not_a_ledger(
    people: People, login: Any
) -> None:
    upload = SimpleUploadedFile("x.xlsx", b"MZ\x90\x00 not a spreadsheet")
    response = login(people.cadre_a).post("/bargaining/contracts/import/", {"file": upload})
    assert response.status_code == 302 and Contract.objects.count() == 0


def test_coverage_by_county_township_and_industry(people: People, tree: Tree, api: Any) -> None:
    firms = [enterprise(tree, 40 + i, headcount=20) for i in range(3)]
    Enterprise.objects.filter(pk=firms[2].pk).update(industry="F", union=None)
    services.contract_record(
        actor=people.cadre_a,
        county=tree.county_a,
        data={"title": "区域性合同", "kind": "regional",
              "signed_on": timezone.localdate() - timedelta(days=3), "years": 2},
        enterprises=firms[:2],
    )  # fmt: skip
    from gonghui.bargaining import selectors

    today = timezone.localdate()
    by_industry = {r["name"]: r for r in selectors.coverage(tree.county_a, today, "industry")}
    assert by_industry["制造业"]["covered"] == 2 and by_industry["制造业"]["workers"] == 40
    assert by_industry["批发和零售业"]["covered"] == 0
    by_township = {r["name"]: r for r in selectors.coverage(tree.county_a, today, "township")}
    assert by_township["未建工会的企业"]["total"] == 1
    assert by_township[tree.union_a.parent.name]["covered"] == 2
    answer = api(people.cadre_a).get("/api/v1/bargaining/coverage", {"by": "industry"}).json()
    assert {r["name"] for r in answer} == {"制造业", "批发和零售业"}
    assert api(people.cadre_a).get("/api/v1/bargaining/coverage", {"by": "x"}).status_code == 422
    # county B sees none of county A's enterprises
    assert api(people.cadre_b).get("/api/v1/bargaining/coverage", {"by": "industry"}).json() == []
