"""Entrepreneurship parks (工友创业园): the hardship flag read from the assistance archive and
counted person by person, the people's sheet answered row by row (and again, changing
nothing), the yearly review as a state machine, the one-step 农民工之星 nomination, the
report's figures with their records, and scope on every page and endpoint."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from gonghui.assistance.models import Family
from gonghui.core.errors import Conflict, InvalidInput, NotFound
from gonghui.core.identifiers import citizen_id_check_char
from gonghui.core.metrics import Tally
from gonghui.core.metrics import get as metric
from gonghui.core.models import AuditEntry
from gonghui.members.services import member_create
from gonghui.ventures import registry, services
from gonghui.ventures.models import Park, Person, Review, Role, Status, Venture

from .conftest import People, Tree

START, END = date(2020, 1, 1), date(2020, 9, 19)


def ident(n: int, born: str = "19850101") -> str:
    body = f"371702{born}{n % 1000:03d}"
    return body + citizen_id_check_char(body)


def archived(tree: Tree, id_number: str, on: date, exited: date | None = None, **kw: Any) -> Family:
    """A family file of the archive (一户一档), archived on ``on``."""
    return Family.objects.create(
        org=tree.union_a,
        number=f"F{Family.objects.count() + 1:05d}",
        name=kw.pop("name", "困难职工"),
        id_number=id_number,
        main_cause="illness",
        applied_on=on,
        status="exited" if exited else "archived",
        archived_on=on,
        exited_on=exited,
        **kw,
    )


def park(people: People, tree: Tree, code: str = "CYY-A-01", org: str = "371702") -> Park:
    return services.park_save(
        actor=people.cadre_a if org == "371702" else people.city_cadre,
        data={
            "code": code,
            "name": "牡丹区工友创业园",
            "level": "市级",
            "host": "牡丹区总工会",
            "org": org,
            "latitude": "35.233750",
            "longitude": "115.480656",
            "area": "12000",
            "recognized_on": "2020-05-01",
        },
    )


def venture(people: People, item: Park, name: str = "鑫源电商", **founder: Any) -> Venture:
    data = {
        "name": name,
        "industry": "F",
        "started_on": "2020-05-10",
        "loans": "100000",
        "rent_relief": "12000",
        "training": "2",
        **(
            founder
            or {"founder_name": "王强", "founder_id_number": ident(1), "founder_migrant": "是"}
        ),
    }
    return services.venture_save(actor=people.cadre_a, park=item, data=data)


# --- the hardship flag and the figures -----------------------------------------------------


def test_hardship_is_read_from_the_archive_and_the_figures_count_people(
    people: People, tree: Tree
) -> None:
    archived(tree, ident(1), date(2019, 6, 1))  # the founder: archived before founding
    member = member_create(
        actor=people.admin, org=tree.union_a, data={"name": "李梅", "id_number": ident(2)}
    )
    archived(tree, ident(2), date(2019, 3, 1), member=member)  # a member in hardship
    archived(tree, ident(3), date(2020, 8, 1))  # archived only after starting: not then
    archived(tree, ident(4), date(2018, 1, 1), exited=date(2019, 12, 31))  # exited before
    item = park(people, tree)
    v = venture(people, item)
    founder = services.founder_of(v)
    assert founder is not None and founder.hardship and founder.migrant
    assert founder.hardship_family is not None
    # the member is found by her ID number and linked; her flags come from the registry
    linked = services.person_add(
        actor=people.cadre_a,
        venture=v,
        data={"name": "别名", "id_number": ident(2), "started_on": "2020-06-01"},
    )
    assert linked.member == member and linked.name == "李梅" and linked.hardship
    assert linked.id_number == ""  # a member's number stays in the registry only
    for n in (3, 4, 5):
        services.person_add(
            actor=people.cadre_a,
            venture=v,
            data={"name": f"工人{n}", "id_number": ident(n), "started_on": "2020-06-01"},
        )
    assert not Person.objects.get(name="工人3").hardship
    assert not Person.objects.get(name="工人4").hardship
    tally = Tally(tree.city)
    assert tally.value(metric("ventures.parks"), START, END) == 1
    assert tally.value(metric("ventures.founders"), START, END) == 1
    assert tally.value(metric("ventures.jobs"), START, END) == 4
    assert tally.value(metric("ventures.hardship_founders"), START, END) == 2
    assert tally.queries == 2  # the three people figures are one query
    rows = metric("ventures.hardship_founders").queryset(tree.city, START, END)
    assert sorted(p.name for p in rows) == ["李梅", "王强"]
    # county B holds none of it
    assert Tally(tree.county_b).value(metric("ventures.jobs"), START, END) == 0
    # outside the period: nothing
    assert (
        Tally(tree.city).value(metric("ventures.jobs"), date(2021, 1, 1), date(2021, 12, 31)) == 0
    )


def test_the_archive_changing_later_reflags_people(people: People, tree: Tree) -> None:
    item = park(people, tree)
    v = venture(people, item)
    p = services.person_add(
        actor=people.cadre_a,
        venture=v,
        data={"name": "赵六", "id_number": ident(7), "started_on": "2020-06-01"},
    )
    assert not p.hardship
    family = archived(tree, ident(7), date(2020, 1, 5))  # entered into the archive afterwards
    assert services.hardship_refresh() == 1
    p.refresh_from_db()
    assert p.hardship and p.hardship_family == family
    assert services.hardship_refresh() == 0  # nothing more to change
    Family.objects.filter(pk=family.pk).update(exited_on=date(2020, 3, 1), status="exited")
    assert services.hardship_refresh() == 1
    p.refresh_from_db()
    assert not p.hardship and p.hardship_family is None


def test_a_file_kept_outside_the_venture_s_county_neither_flags_nor_tells(
    people: People, tree: Tree
) -> None:
    """County A's cadre types the ID number of someone with a hardship file in county B as an
    employee: the person is not flagged (nor after the nightly refresh), so the flag cannot be
    used to learn who has a file elsewhere; the same file kept in county A flags them."""
    elsewhere = archived(tree, ident(8), date(2019, 6, 1))
    Family.objects.filter(pk=elsewhere.pk).update(org=tree.union_b)
    v = venture(people, park(people, tree))
    p = services.person_add(
        actor=people.cadre_a,
        venture=v,
        data={"name": "孙七", "id_number": ident(8), "started_on": "2020-06-01"},
    )
    assert not p.hardship and p.hardship_family is None
    assert services.hardship_refresh() == 0
    Family.objects.filter(pk=elsewhere.pk).update(org=tree.union_a)
    assert services.hardship_refresh() == 1
    p.refresh_from_db()
    assert p.hardship and p.hardship_family == elsewhere


# --- parks and ventures: input, scope ------------------------------------------------------


def test_a_park_refuses_bad_input_naming_the_field(people: People, tree: Tree) -> None:
    with pytest.raises(InvalidInput) as exc:
        services.park_save(
            actor=people.cadre_a,
            data={
                "code": "X",
                "name": "园",
                "level": "省级",
                "host": "h",
                "recognized_on": "2020-01-01",
            },
        )
    assert exc.value.errors[0]["field"] == "level"
    with pytest.raises(InvalidInput) as exc:
        services.park_save(
            actor=people.cadre_a,
            data={
                "code": "X",
                "name": "园",
                "level": "county",
                "host": "h",
                "recognized_on": "2020-01-01",
                "latitude": "95",
                "longitude": "115",
            },
        )
    assert exc.value.errors[0]["field"] == "latitude"
    # a grassroots union does not register parks; another county's code is not found
    for org in ("G-A-0001", "371721"):
        with pytest.raises(InvalidInput) as exc:
            services.park_save(
                actor=people.cadre_a,
                data={
                    "code": "X",
                    "name": "园",
                    "level": "county",
                    "host": "h",
                    "org": org,
                    "recognized_on": "2020-01-01",
                },
            )
        assert exc.value.errors[0]["field"] == "org"
    assert not Park.objects.exists()
    with pytest.raises(NotFound):  # a clerk may not register
        services.park_save(
            actor=people.clerk_a,
            data={
                "code": "X",
                "name": "园",
                "level": "county",
                "host": "h",
                "recognized_on": "2020-01-01",
            },
        )


def test_the_same_park_code_updates_and_is_audited(people: People, tree: Tree) -> None:
    first = park(people, tree)
    again = services.park_save(
        actor=people.cadre_a,
        data={
            "code": first.code,
            "name": "牡丹区工友创业园（二期）",
            "level": "municipal",
            "host": "牡丹区总工会",
            "recognized_on": "2020-05-01",
        },
    )
    assert again.pk == first.pk and again.name.endswith("（二期）")
    actions = list(
        AuditEntry.objects.filter(object_type="ventures_park")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["ventures.park_create", "ventures.park_update"]
    with pytest.raises(InvalidInput) as exc:  # county B cannot take county A's code
        services.park_save(
            actor=people.cadre_b,
            data={
                "code": first.code,
                "name": "x",
                "level": "county",
                "host": "h",
                "recognized_on": "2020-01-01",
            },
        )
    assert exc.value.errors[0]["field"] == "code"


def test_a_venture_needs_its_founder(people: People, tree: Tree) -> None:
    item = park(people, tree)
    with pytest.raises(InvalidInput) as exc:
        venture(people, item, founder_name="王强", founder_id_number="371702198501011234")
    assert exc.value.errors[0]["field"] == "founder_id_number"
    assert not Venture.objects.exists()
    with pytest.raises(InvalidInput) as exc:
        venture(people, item, founder_member="999999")
    assert exc.value.errors[0]["field"] == "member"
    v = venture(people, item)
    with pytest.raises(Conflict):
        services.person_add(
            actor=people.cadre_a,
            venture=v,
            data={"name": "王强", "id_number": ident(1), "started_on": "2020-06-01"},
        )  # the founder is already the venture's
    with pytest.raises(InvalidInput) as exc:
        services.person_add(
            actor=people.cadre_a,
            venture=v,
            data={"name": "早", "id_number": ident(9), "started_on": "2020-01-01"},
        )
    assert exc.value.errors[0]["field"] == "started_on"
    with pytest.raises(NotFound):
        services.person_add(
            actor=people.cadre_b,
            venture=v,
            data={"name": "乙", "id_number": ident(9), "started_on": "2020-06-01"},
        )


# --- the yearly review ----------------------------------------------------------------------


def test_the_yearly_review_records_the_year_and_moves_the_state(people: People, tree: Tree) -> None:
    v = venture(people, park(people, tree))
    for n in range(3):
        services.person_add(
            actor=people.cadre_a,
            venture=v,
            data={"name": f"工{n}", "id_number": ident(20 + n), "started_on": "2020-07-01"},
        )
    ended = Person.objects.get(name="工0")
    services.person_end(actor=people.cadre_a, person=ended, ended_on="2020-12-31")
    review = services.venture_review(actor=people.cadre_a, venture=v, step="confirm", year=2020)
    assert (review.employed, review.new_jobs, review.status) == (4, 3, Status.OPERATING)
    with pytest.raises(Conflict):  # once a year
        services.venture_review(actor=people.cadre_a, venture=v, step="confirm", year=2020)
    review = services.venture_review(actor=people.cadre_a, venture=v, step="suspend", year=2021)
    assert review.employed == 3  # the one who left in 2020 is gone in 2021
    v.refresh_from_db()
    assert v.status == Status.SUSPENDED and v.reviewed_year == 2021
    with pytest.raises(Conflict) as conflict:  # a paused venture cannot be "confirmed"
        services.venture_review(actor=people.cadre_a, venture=v, step="confirm", year=2022)
    assert "暂停经营" in conflict.value.detail and "resume" in conflict.value.detail
    with pytest.raises(InvalidInput) as exc:  # closing needs the reason
        services.venture_review(actor=people.cadre_a, venture=v, step="close", year=2022)
    assert exc.value.errors[0]["field"] == "note"
    services.venture_review(
        actor=people.cadre_a, venture=v, step="close", year=2022, note="经营不善"
    )
    v.refresh_from_db()
    assert v.status == Status.CLOSED
    with pytest.raises(Conflict):
        services.person_add(
            actor=people.cadre_a,
            venture=v,
            data={"name": "晚", "id_number": ident(30), "started_on": "2022-07-01"},
        )
    with pytest.raises(NotFound):
        services.venture_review(actor=people.cadre_b, venture=v, step="resume", year=2023)
    assert Review.objects.count() == 3


# --- 农民工之星 -----------------------------------------------------------------------------------


def test_a_founder_is_nominated_for_the_migrant_star_in_one_step(
    people: People, tree: Tree
) -> None:
    from gonghui.honors import services as honors
    from gonghui.honors.models import Award, Nomination

    member = member_create(
        actor=people.admin,
        org=tree.union_a,
        data={"name": "孙创", "id_number": ident(40), "worker_type": "migrant"},
    )
    item = park(people, tree)
    v = venture(people, item, founder_member=str(member.pk))
    other = venture(people, item, name="非会员项目")
    with pytest.raises(Conflict) as exc:  # no round open yet
        services.venture_nominate(actor=people.cadre_a, venture=v)
    assert "没有接受推荐" in exc.value.detail
    round = honors.round_create(
        actor=people.city_cadre,
        org=tree.city,
        award=Award.objects.get(code="migrant_star"),
        title="2020年“农民工之星”",
        year=2020,
        places=36,
        opens_on=date(2020, 6, 1),
        closes_on=date(2020, 7, 31),
    )
    round = honors.round_step(actor=people.city_cadre, round=round, step="open")
    nomination = services.venture_nominate(actor=people.cadre_a, venture=v)
    assert nomination.member == member and nomination.round == round
    assert "migrant" in nomination.tags and "鑫源电商" in nomination.deeds
    v.refresh_from_db()
    assert v.nomination == nomination
    with pytest.raises(Conflict):
        services.venture_nominate(actor=people.cadre_a, venture=v)
    with pytest.raises(Conflict) as exc:  # a founder outside the registry cannot be
        services.venture_nominate(actor=people.cadre_a, venture=other)
    assert "会员库" in exc.value.detail
    with pytest.raises(NotFound):
        services.venture_nominate(actor=people.cadre_b, venture=other)
    assert Nomination.objects.count() == 1


# --- the spreadsheets -------------------------------------------------------------------------


def sheet(rows: list[list[Any]], header: list[str]) -> SimpleUploadedFile:
    book = Workbook()
    ws = book.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("people.xlsx", buffer.getvalue())


PEOPLE_HEADER = [label for _n, label in registry.PEOPLE_COLUMNS]


def test_the_people_sheet_is_answered_row_by_row_and_again_changes_nothing(
    people: People, tree: Tree
) -> None:
    archived(tree, ident(50), date(2019, 1, 1))
    item = park(people, tree)
    v = venture(people, item)
    rows = [
        [item.code, v.name, "甲", ident(50), "2020-06-01", "", "是"],  # 2: hardship
        [item.code, v.name, "乙", ident(51), "2020-06-01", "", "否"],  # 3
        [item.code, v.name, "丙", "371702198501011234", "2020-06-01", "", ""],  # 4: check digit
        [item.code, "没有的项目", "丁", ident(52), "2020-06-01", "", ""],  # 5: no venture
        [item.code, v.name, "戊", ident(53), "2020-06-01", "2020-05-01", ""],  # 6: ends first
        [item.code, v.name, "甲二", ident(50), "2020-06-02", "", ""],  # 7: row 2 again
        [item.code, v.name, "己", ident(54), "2020-13-01", "", ""],  # 8: bad date
        [item.code, v.name, "庚", ident(55), "", "", "也许"],  # 9: bad flag
        [item.code, v.name, "辛", ident(56), "", "", ""],  # 10: start = the venture's
    ]
    result = registry.import_file(
        actor=people.cadre_a, upload=sheet(rows, PEOPLE_HEADER), kind="people"
    )
    assert result["rows"] == 9 and result["saved"] == 3
    reasons = {r["row"]: r["reason"] for r in result["rejected"]}
    assert sorted(reasons) == [4, 5, 6, 7, 8, 9]
    assert "校验位" in reasons[4]
    assert "没有的项目" in reasons[5]
    assert "离职日期不能早于就业日期" in reasons[6]
    assert "第 2 行" in reasons[7]
    assert "就业日期" in reasons[8]
    assert "是" in reasons[9]
    assert Person.objects.get(name="甲").hardship
    assert Person.objects.get(name="辛").started_on == date(2020, 5, 10)
    assert Person.objects.get(name="甲").id_number == ident(50)  # kept, encrypted at rest
    again = registry.import_file(
        actor=people.cadre_a, upload=sheet(rows, PEOPLE_HEADER), kind="people"
    )
    assert again["saved"] == 0 and again["unchanged"] == 3
    assert Person.objects.filter(role=Role.EMPLOYEE).count() == 3
    # county B's cadre meets county A's park as missing, row by row
    other = registry.import_file(
        actor=people.cadre_b, upload=sheet(rows[:1], PEOPLE_HEADER), kind="people"
    )
    assert other["saved"] == 0 and "不存在或不在本单位范围内" not in str(other)
    assert "没有创业项目" in other["rejected"][0]["reason"]


def test_parks_and_ventures_sheets_import_and_export(
    people: People, tree: Tree, login: Any
) -> None:
    parks = sheet(
        [
            [
                "CYY-1",
                "一园",
                "市级",
                "牡丹区总工会",
                "371702",
                "",
                "115.4",
                "35.2",
                "100",
                "",
                "2020-03-01",
            ],
            ["CYY-2", "二园", "省级", "牡丹区总工会", "371702", "", "", "", "", "", "2020-03-01"],
        ],
        [label for _n, label in registry.PARK_COLUMNS],
    )
    client = login(people.cadre_a)
    response = client.post("/ventures/import/parks/", {"file": parks})
    assert response.status_code == 200
    assert response.context["result"]["saved"] == 1
    assert response.context["result"]["rejected"][0]["row"] == 3
    ventures = sheet(
        [
            ["CYY-1", "一号项目", "制造业", "2020-04-01", "周", ident(60), "否", "0", "0", "0"],
            ["CYY-9", "二号项目", "制造业", "2020-04-01", "吴", ident(61), "否", "0", "0", "0"],
        ],
        [label for _n, label in registry.VENTURE_COLUMNS],
    )
    response = client.post("/ventures/import/ventures/", {"file": ventures})
    assert response.context["result"]["saved"] == 1
    assert "CYY-9" in response.context["result"]["rejected"][0]["reason"]
    response = client.get("/ventures/export/people.xlsx")
    book = load_workbook(BytesIO(response.content))
    cells = [[c for c in row] for row in book.active.iter_rows(values_only=True)]
    assert cells[1][2] == "周" and cells[1][3] == "*" * 14 + ident(60)[-4:]
    assert client.get("/ventures/export/ventures.csv").status_code == 200
    streamed = login(people.cadre_b).get("/ventures/export/people.csv").streaming_content
    assert b"".join(streamed).decode("utf-8-sig").strip().count("\n") == 0  # the header only
    # not a spreadsheet: the guard says so on the form
    bad = SimpleUploadedFile("x.xlsx", b"not a workbook")
    assert client.post("/ventures/import/people/", {"file": bad}).status_code == 422


# --- pages and API: scope ---------------------------------------------------------------------


def test_pages_answer_within_scope_and_404_outside(people: People, tree: Tree, login: Any) -> None:
    item = park(people, tree)
    v = venture(people, item)
    p = services.person_add(
        actor=people.cadre_a,
        venture=v,
        data={"name": "周", "id_number": ident(70), "started_on": "2020-06-01"},
    )
    gets = [
        "/ventures/",
        f"/ventures/parks/{item.pk}/",
        f"/ventures/{v.pk}/",
        "/ventures/export/parks.xlsx",
        "/ventures/template/people/",
    ]
    posts = [
        f"/ventures/{v.pk}/people/",
        f"/ventures/{v.pk}/review/",
        f"/ventures/{v.pk}/nominate/",
        f"/ventures/people/{p.pk}/end/",
        "/ventures/import/people/",
    ]
    for who in (people.cadre_a, people.city_cadre):
        client = login(who)
        for url in gets:
            assert client.get(url).status_code == 200, (who, url)
    b = login(people.cadre_b)
    for url in gets[1:3]:
        assert b.get(url).status_code == 404, url
    for url in posts[:4]:
        assert (
            b.post(url, {"ended_on": "2020-07-01", "step": "confirm", "year": "2020"}).status_code
            == 404
        ), url
    member = login(people.member_a)
    for url in gets + posts:
        assert (member.get(url) if url in gets else member.post(url)).status_code == 404, url
    leader = login(people.leader)  # reads, never writes
    assert leader.get(f"/ventures/{v.pk}/").status_code == 200
    assert leader.post(posts[0], {"name": "x"}).status_code == 404
    assert not Person.objects.filter(name="x").exists()
    # the venture page at work: add a person, review
    client = login(people.cadre_a)
    response = client.post(
        posts[0], {"name": "吴", "id_number": ident(71), "started_on": "2020-06-02"}
    )
    assert response.status_code == 302
    response = client.post(posts[0], {"name": "吴", "id_number": "123", "started_on": "2020-06-02"})
    assert response.status_code == 422 and "身份证号" in response.content.decode()
    response = client.post(posts[1], {"step": "confirm", "year": "2020"})
    assert response.status_code == 302 and Review.objects.count() == 1


def test_api_within_scope_and_404_outside(people: People, tree: Tree, api: Any) -> None:
    client = api(people.cadre_a)
    response = client.post(
        "/api/v1/ventures/parks",
        {
            "code": "CYY-API",
            "name": "接口园",
            "level": "county",
            "host": "h",
            "recognized_on": "2020-02-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    park_id = response.json()["id"]
    response = client.post(
        f"/api/v1/ventures/parks/{park_id}/ventures",
        {
            "name": "接口项目",
            "industry": "C",
            "started_on": "2020-03-01",
            "founder_name": "郑",
            "founder_id_number": ident(80),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    venture_id = response.json()["id"]
    assert response.json()["founder_name"] == "郑"
    response = client.post(
        f"/api/v1/ventures/ventures/{venture_id}/people",
        {"name": "冯", "id_number": ident(81), "started_on": "2020-04-01"},
        content_type="application/json",
    )
    assert response.status_code == 201 and "*" in response.json()["id_number"]
    person_id = response.json()["id"]
    response = client.post(
        f"/api/v1/ventures/ventures/{venture_id}/reviews",
        {"step": "close", "year": 2020},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "note"
    response = client.post(
        f"/api/v1/ventures/ventures/{venture_id}/reviews",
        {"step": "resume", "year": 2020},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert client.get("/api/v1/ventures/totals").json()["employed"] == 1
    b = api(people.cadre_b)
    for url in (
        f"/api/v1/ventures/parks/{park_id}",
        f"/api/v1/ventures/ventures/{venture_id}",
        f"/api/v1/ventures/ventures/{venture_id}/people",
        f"/api/v1/ventures/ventures/{venture_id}/reviews",
    ):
        assert b.get(url).status_code == 404, url
    for url, body in (
        (
            f"/api/v1/ventures/ventures/{venture_id}/people",
            {"name": "x", "id_number": ident(82), "started_on": "2020-04-01"},
        ),
        (f"/api/v1/ventures/people/{person_id}/end", {"ended_on": "2020-05-01"}),
        (f"/api/v1/ventures/ventures/{venture_id}/reviews", {"step": "confirm"}),
        (f"/api/v1/ventures/ventures/{venture_id}/nominate", {}),
    ):
        assert b.post(url, body, content_type="application/json").status_code == 404, url
    assert b.get("/api/v1/ventures/parks").json()["count"] == 0
    assert api(people.member_a).get("/api/v1/ventures/parks").status_code == 403
    assert api(None).get("/api/v1/ventures/parks").status_code == 401
