"""Member registry pages: roster and search, 360° page, reveal, create/edit/status, transfer,
the approval queue, QR code, the public join flow, the e-card and its check, 会员之家 flags.
Every page is tried by someone outside its scope: refused, nothing changed."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gonghui.core import hooks
from gonghui.core.identifiers import citizen_id_check_char
from gonghui.core.models import AuditEntry
from gonghui.members import cards
from gonghui.members.models import JoinApplication, JoinStatus, Member, MembershipEvent, Status
from gonghui.members.services import join_apply, member_create, member_home_set
from gonghui.orgs.services import org_insert

from .conftest import make_user

DIGITS = "零一二三四五六七八九"


def cn_name(surname: str, i: int) -> str:
    """A distinct valid name per number: 刘一二 for 12."""
    return surname + "".join(DIGITS[int(d)] for d in f"{i:02d}")


def citizen_id(body: str) -> str:
    return body + citizen_id_check_char(body)


ID_WANG = citizen_id("37170219900101123")  # 王强, male, born 1990-01-01
ID_LI = citizen_id("37172119850615224")  # 李娜, female, born 1985-06-15
ID_ZHAO = citizen_id("37170219920304561")  # 赵磊, for the join flow
PHONE_WANG = "13853012345"


def add_member(actor: Any, org: Any, name: str, id_number: str, **extra: Any) -> Member:
    data = {"name": name, "id_number": id_number, "joined_on": "2015-03-01", **extra}
    return member_create(actor=actor, org=org, data=data)


@pytest.fixture
def wang(people: Any, tree: Any) -> Member:
    return add_member(
        people.clerk_a, tree.union_a, "王强", ID_WANG, phone=PHONE_WANG, employer_name="甲公司"
    )


@pytest.fixture
def li(people: Any, tree: Any) -> Member:
    return add_member(people.cadre_b, tree.union_b, "李娜", ID_LI, phone="13953054321")


@pytest.fixture
def clerk_b(tree: Any) -> Any:
    return make_user("clerk_b", "clerk", tree.union_b)


def html_of(response: Any) -> str:
    return str(response.content.decode())


def snapshot(member: Member) -> tuple[Any, ...]:
    member.refresh_from_db()
    return (member.name, member.org_id, member.status, member.phone, member.user_id)


def audit_count(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


# --- roster and search -----------------------------------------------------------------------


def test_roster_lists_my_members_masked(people: Any, wang: Member, li: Member, login: Any) -> None:
    response = login(people.cadre_a).get("/members/")
    html = html_of(response)
    assert response.status_code == 200
    assert "王强" in html
    assert "*" * 14 + ID_WANG[-4:] in html
    assert "138****2345" in html
    assert ID_WANG not in html
    assert PHONE_WANG not in html
    assert "李娜" not in html


def test_roster_of_another_county_shows_nothing_of_mine(
    people: Any, wang: Member, li: Member, login: Any
) -> None:
    client = login(people.cadre_b)
    html = html_of(client.get("/members/"))
    assert "李娜" in html and "王强" not in html
    for q in ("王", "wangqiang", "wq", ID_WANG[-4:], PHONE_WANG[-4:]):
        html = html_of(client.get("/members/", {"q": q}, headers={"HX-Request": "true"}))
        assert "王强" not in html, q
        assert "没有符合条件的会员" in html, q
    html = html_of(client.get("/members/", {"q": ID_WANG}, headers={"HX-Request": "true"}))
    assert "王强" not in html and "完整号码请用" in html
    html = html_of(client.get("/members/", {"org": "G-A-0001"}))
    assert "未找到“G-A-0001”" in html and "王强" not in html


@pytest.mark.parametrize("q", ["王", "王强", "wangqiang", "wangq", "wq", "WQ", "2345"])
def test_live_search_by_name_pinyin_initials_and_tail(
    people: Any, wang: Member, li: Member, login: Any, q: str
) -> None:
    response = login(people.city_cadre).get("/members/", {"q": q}, headers={"HX-Request": "true"})
    html = html_of(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert f'href="/members/{wang.pk}/"' in html
    assert "李娜" not in html


def test_search_by_id_tail_and_full_number(people: Any, wang: Member, login: Any) -> None:
    client = login(people.cadre_a)
    assert "王强" in html_of(client.get("/members/", {"q": ID_WANG[-4:]}))
    # a full number or a longer tail in the address is refused, not searched, not echoed
    for q in (ID_WANG[-6:], ID_WANG, PHONE_WANG):
        html = html_of(client.get("/members/", {"q": q}))
        assert 'data-testid="q-error"' in html and f'href="/members/{wang.pk}/"' not in html
        assert f'value="{q}"' not in html
    # the full number is a POST look-up, audited with the number masked
    for value in (ID_WANG, PHONE_WANG):
        response = client.post("/members/lookup/", {"q": value})
        html = html_of(response)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        assert f'href="/members/{wang.pk}/"' in html and ID_WANG not in html
        assert PHONE_WANG not in html
    lookups = AuditEntry.objects.filter(action="member.lookup").order_by("id")
    assert [e.changes for e in lookups] == [
        {"id_number": {"before": None, "after": "*" * 14 + ID_WANG[-4:]},
         "found": {"before": None, "after": 1}},
        {"phone": {"before": None, "after": "138****2345"}, "found": {"before": None, "after": 1}},
    ]  # fmt: skip
    assert client.get("/members/lookup/").status_code == 405


def test_roster_filters_by_union_and_status(
    people: Any, tree: Any, wang: Member, li: Member, login: Any
) -> None:
    client = login(people.city_cadre)
    html = html_of(client.get("/members/", {"org": "G-B-0001"}))
    assert "李娜" in html and "王强" not in html
    html = html_of(client.get("/members/", {"status": "withdrawn"}))
    assert "李娜" not in html and "王强" not in html
    html = html_of(client.get("/members/", {"status": "active", "org": "371702"}))
    assert "王强" in html and "李娜" not in html


def test_roster_query_count_does_not_grow_with_the_page(people: Any, tree: Any, login: Any) -> None:
    client = login(people.cadre_a)
    bodies = [f"371702199{i % 10}0101{i:03d}" for i in range(40)]
    for i, body in enumerate(bodies[:3]):
        add_member(people.clerk_a, tree.union_a, cn_name("张", i), citizen_id(body))
    with CaptureQueriesContext(connection) as few:
        client.get("/members/")
    for i, body in enumerate(bodies[3:]):
        add_member(people.clerk_a, tree.union_a, cn_name("刘", i), citizen_id(body))
    with CaptureQueriesContext(connection) as many:
        html = html_of(client.get("/members/"))
    assert html.count('href="/members/') >= 40
    assert len(many) == len(few)


def test_roster_pages_without_counting(people: Any, tree: Any, login: Any) -> None:
    for i in range(55):
        add_member(
            people.clerk_a, tree.union_a, cn_name("孙", i), citizen_id(f"37170219900101{i:03d}")
        )
    client = login(people.cadre_a)
    html = html_of(client.get("/members/"))
    assert "下一页" in html and "上一页" not in html
    html = html_of(client.get("/members/", {"page": "2"}))
    assert "上一页" in html and "下一页" not in html
    assert len(re.findall(r'<tr>\s*<td><a href="/members/\d+/"', html)) == 5


@pytest.mark.parametrize("who", ["member_a", "lawyer_a"])
def test_roster_refuses_members_and_lawyers(
    people: Any, wang: Member, login: Any, who: str
) -> None:
    client = login(getattr(people, who))
    assert client.get("/members/").status_code == 404
    assert client.get(f"/members/{wang.pk}/").status_code == 404
    assert client.get("/members/export.csv").status_code == 404


def test_roster_needs_login(db: Any) -> None:
    response = Client().get("/members/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_nav_shows_members_to_staff_only(people: Any, login: Any) -> None:
    assert 'href="/members/"' in html_of(login(people.clerk_a).get("/"))
    assert 'href="/members/"' in html_of(login(people.leader).get("/orgs/"))  # home: dashboard
    assert 'href="/members/"' not in html_of(login(people.lawyer_a).get("/"))


# --- the 360° page and reveal ----------------------------------------------------------------


def test_member_page_shows_fields_masked_and_history(people: Any, wang: Member, login: Any) -> None:
    response = login(people.cadre_a).get(f"/members/{wang.pk}/")
    html = html_of(response)
    assert response.status_code == 200
    assert "甲公司工会" in html
    assert "1990-01-01" in html
    assert "*" * 14 + ID_WANG[-4:] in html
    assert ID_WANG not in html and PHONE_WANG not in html
    assert "入会" in html and "2015-03-01" in html
    assert 'data-testid="reveal"' in html  # a cadre holds pii.reveal
    assert f'action="/members/{wang.pk}/edit/"' not in html
    assert f'href="/members/{wang.pk}/edit/"' in html


def test_member_page_out_of_scope_is_404(people: Any, wang: Member, login: Any) -> None:
    client = login(people.cadre_b)
    assert client.get(f"/members/{wang.pk}/").status_code == 404
    assert client.get("/members/999999/").status_code == 404


def test_member_page_sections_from_other_modules(people: Any, wang: Member, login: Any) -> None:
    def section(user: Any, member: Any) -> dict[str, Any] | None:
        return {"title": "法律援助", "items": [{"label": "案件 2020-001", "value": "办理中"}]}

    hooks.member_sections.append(section)
    try:
        html = html_of(login(people.cadre_a).get(f"/members/{wang.pk}/"))
    finally:
        hooks.member_sections.remove(section)
    assert "法律援助" in html and "案件 2020-001" in html and "办理中" in html


def test_member_page_section_with_its_own_template(
    people: Any, wang: Member, login: Any, tmp_path: Any, settings: Any
) -> None:
    (tmp_path / "probe_section.html").write_text("<p>档案 {{ data.case }}</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]

    def section(user: Any, member: Any) -> dict[str, Any] | None:
        return {"title": "帮扶", "template": "probe_section.html", "context": {"case": "K-7"}}

    hooks.member_sections.append(section)
    try:
        html = html_of(login(people.cadre_a).get(f"/members/{wang.pk}/"))
    finally:
        hooks.member_sections.remove(section)
    assert "档案 K-7" in html


def test_reveal_shows_full_values_once_and_is_audited(
    people: Any, wang: Member, login: Any
) -> None:
    client = login(people.cadre_a)
    response = client.post(
        f"/members/{wang.pk}/reveal/", {"reason": "核对身份"}, headers={"HX-Request": "true"}
    )
    html = html_of(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert ID_WANG in html and PHONE_WANG in html
    rows = AuditEntry.objects.filter(action="member.reveal", object_id=str(wang.pk))
    assert rows.count() == 1
    row = rows.get()
    assert row.actor_name == "cadre_a"
    assert row.note == "核对身份"
    assert ID_WANG not in str(row.changes) and PHONE_WANG not in str(row.changes)
    # the next visit is masked again
    assert ID_WANG not in html_of(client.get(f"/members/{wang.pk}/"))


def test_reveal_without_htmx_renders_the_page(people: Any, wang: Member, login: Any) -> None:
    html = html_of(login(people.city_cadre).post(f"/members/{wang.pk}/reveal/"))
    assert "<html" in html and ID_WANG in html


def test_reveal_refused_without_the_right_and_out_of_scope(
    people: Any, wang: Member, login: Any
) -> None:
    assert login(people.clerk_a).post(f"/members/{wang.pk}/reveal/").status_code == 403
    assert login(people.leader).post(f"/members/{wang.pk}/reveal/").status_code == 403
    assert login(people.cadre_b).post(f"/members/{wang.pk}/reveal/").status_code == 404
    assert login(people.cadre_a).get(f"/members/{wang.pk}/reveal/").status_code == 405
    assert audit_count("member.reveal") == 0
    html = html_of(login(people.clerk_a).get(f"/members/{wang.pk}/"))
    assert 'data-testid="reveal"' not in html


# --- create, edit, status --------------------------------------------------------------------


def test_clerk_creates_a_member(people: Any, tree: Any, login: Any) -> None:
    client = login(people.clerk_a)
    html = html_of(client.get("/members/new/"))
    assert 'value="甲公司工会' in html  # the clerk's own union is the default
    response = client.post(
        "/members/new/",
        {
            "org": "G-A-0001",
            "name": "王强",
            "id_number": ID_WANG.lower(),
            "phone": "138 5301 2345",
            "employment": "employed",
            "worker_type": "migrant",
            "joined_on": "2019-05-04",
        },
    )
    member = Member.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/members/{member.pk}/"
    assert (member.org, member.id_number, member.phone) == (tree.union_a, ID_WANG, PHONE_WANG)
    assert (member.worker_type, member.joined_on, member.sex) == ("migrant", date(2019, 5, 4), "M")
    assert list(member.events.values_list("kind", flat=True)) == ["join"]


def test_create_shows_errors_by_field(people: Any, login: Any) -> None:
    response = login(people.clerk_a).post(
        "/members/new/",
        {
            "org": "G-A-0001",
            "name": "王强",
            "id_number": ID_WANG[:-1] + ("0" if ID_WANG[-1] != "0" else "1"),
            "phone": "12345",
            "employment": "employed",
            "worker_type": "employee",
            "joined_on": "2019-05-04",
        },
    )
    html = html_of(response)
    assert response.status_code == 200
    assert re.search(r'id="field-id_number">.*?errorlist', html, re.S)
    assert re.search(r'id="field-phone">.*?errorlist', html, re.S)
    assert Member.objects.count() == 0


def test_create_in_a_union_outside_scope_is_refused(people: Any, login: Any) -> None:
    response = login(people.cadre_b).post(
        "/members/new/",
        {
            "org": "G-A-0001",
            "name": "王强",
            "id_number": ID_WANG,
            "employment": "employed",
            "worker_type": "employee",
            "joined_on": "2019-05-04",
        },
    )
    assert response.status_code == 200
    assert "未找到“" in html_of(response)
    assert Member.objects.count() == 0
    assert login(people.leader).get("/members/new/").status_code == 403


def test_edit_keeps_id_and_phone_when_blank(people: Any, wang: Member, login: Any) -> None:
    client = login(people.clerk_a)
    html = html_of(client.get(f"/members/{wang.pk}/edit/"))
    assert ID_WANG not in html and PHONE_WANG not in html
    assert 'placeholder="138****2345"' in html
    response = client.post(
        f"/members/{wang.pk}/edit/",
        {
            "name": "王小强",
            "id_number": "",
            "phone": "",
            "employment": "employed",
            "worker_type": "employee",
            "joined_on": "2015-03-01",
        },
    )
    assert response.status_code == 302
    wang.refresh_from_db()
    assert (wang.name, wang.id_number, wang.phone) == ("王小强", ID_WANG, PHONE_WANG)
    assert wang.name_pinyin == "wangxiaoqiang"


def test_edit_refused_out_of_scope_and_read_only(people: Any, wang: Member, login: Any) -> None:
    before = snapshot(wang)
    data = {
        "name": "改名",
        "employment": "employed",
        "worker_type": "employee",
        "joined_on": "2015-03-01",
    }
    assert login(people.cadre_b).post(f"/members/{wang.pk}/edit/", data).status_code == 404
    assert login(people.leader).post(f"/members/{wang.pk}/edit/", data).status_code == 403
    assert snapshot(wang) == before


def test_status_change_withdraws(people: Any, wang: Member, login: Any) -> None:
    client = login(people.clerk_a)
    html = html_of(client.get(f"/members/{wang.pk}/status/"))
    assert 'value="withdrawn"' in html and 'value="suspended"' in html
    assert 'value="active"' not in html
    response = client.post(
        f"/members/{wang.pk}/status/", {"status": "withdrawn", "on": "2020-06-30", "note": "离职"}
    )
    assert response.status_code == 302
    wang.refresh_from_db()
    assert (wang.status, wang.status_since) == (Status.WITHDRAWN, date(2020, 6, 30))
    assert wang.events.first().kind == "withdraw"  # type: ignore[union-attr]


def test_status_refused_out_of_scope(people: Any, wang: Member, login: Any) -> None:
    before = snapshot(wang)
    data = {"status": "withdrawn", "on": "2020-06-30", "note": "x"}
    assert login(people.cadre_b).post(f"/members/{wang.pk}/status/", data).status_code == 404
    assert login(people.leader).post(f"/members/{wang.pk}/status/", data).status_code == 403
    assert snapshot(wang) == before


def test_portal_account_password_shown_once(people: Any, wang: Member, login: Any) -> None:
    response = login(people.clerk_a).post(f"/members/{wang.pk}/account/")
    html = html_of(response)
    wang.refresh_from_db()
    assert response.status_code == 200
    assert wang.user is not None and wang.user.username in html
    password = re.search(r'data-testid="account-password">([^<]+)<', html)
    assert password and wang.user.check_password(password.group(1))


def test_portal_account_refused_out_of_scope(people: Any, wang: Member, login: Any) -> None:
    assert login(people.cadre_b).post(f"/members/{wang.pk}/account/").status_code == 404
    assert login(people.leader).post(f"/members/{wang.pk}/account/").status_code == 403
    assert login(people.clerk_a).get(f"/members/{wang.pk}/account/").status_code == 405
    assert snapshot(wang)[-1] is None


# --- transfer (会籍接转) ---------------------------------------------------------------------


def test_transfer_within_scope_is_one_step(
    people: Any, tree: Any, wang: Member, login: Any
) -> None:
    client = login(people.city_cadre)
    response = client.post(
        "/members/transfer/",
        {"id_number": ID_WANG, "name": "王强", "to_org": "G-B-0001", "note": "换工作"},
    )
    assert response.status_code == 302
    wang.refresh_from_db()
    assert wang.org == tree.union_b and wang.status == Status.ACTIVE
    events = list(
        MembershipEvent.objects.filter(member=wang).order_by("id").values_list("kind", "org__code")
    )
    assert events[-2:] == [("transfer_out", "G-A-0001"), ("transfer_in", "G-B-0001")]
    # both unions' histories show the move
    html_b = html_of(client.get(f"/members/{wang.pk}/"))
    assert "转入" in html_b and "转出" in html_b


def test_receiving_union_outside_scope_applies_and_the_releasing_union_answers(
    people: Any, tree: Any, wang: Member, clerk_b: Any, login: Any
) -> None:
    before = snapshot(wang)
    client = login(clerk_b)
    data = {"id_number": ID_WANG, "name": "王强", "to_org": "G-B-0001"}
    html = html_of(client.post("/members/transfer/", data))
    # no name of the other union, no state: only the advice to apply
    assert "此人无法在本单位办理，请其申请会籍接转" in html
    assert "甲公司工会" not in html and "在会" not in html
    assert 'data-testid="apply-transfer"' in html
    assert snapshot(wang) == before
    response = client.post("/members/transfer/", {**data, "apply": "1"})
    assert response.status_code == 302
    assert snapshot(wang) == before
    html = html_of(client.get("/members/transfer/"))
    assert "王*" in html and "待原工会同意" in html and "甲公司工会" not in html
    # the releasing side sees it, with a badge on its roster, and approves
    cadre_a = login(people.cadre_a)
    assert 'data-testid="pending-transfers">1<' in html_of(cadre_a.get("/members/"))
    html = html_of(cadre_a.get("/members/transfer/"))
    assert "王强" in html and "乙公司工会" in html
    req = re.search(r'action="/members/transfer/(\d+)/approve/"', html)
    assert req
    # the receiving side cannot approve its own request
    client.post(f"/members/transfer/{req.group(1)}/approve/")
    assert snapshot(wang) == before
    assert cadre_a.post(f"/members/transfer/{req.group(1)}/approve/").status_code == 302
    wang.refresh_from_db()
    assert wang.org == tree.union_b


def test_transfer_unknown_person_offers_to_register(clerk_b: Any, login: Any) -> None:
    html = html_of(
        login(clerk_b).post(
            "/members/transfer/", {"id_number": ID_ZHAO, "name": "赵磊", "to_org": "G-B-0001"}
        )
    )
    assert "如是新会员，请登记入会" in html


def test_transfer_with_the_wrong_name_answers_as_unknown(
    wang: Member, clerk_b: Any, login: Any
) -> None:
    before = snapshot(wang)
    stranger = login(clerk_b).post(
        "/members/transfer/",
        {"id_number": ID_WANG, "name": "李四", "to_org": "G-B-0001", "apply": "1"},
    )
    # the application answers as it would for anyone (a request nobody can approve is filed,
    # issue 10): nothing tells the clerk whether the ID number belongs to a member elsewhere
    assert stranger.status_code in (200, 302)
    assert snapshot(wang) == before


def test_transfer_into_a_union_outside_scope_is_refused(
    people: Any, li: Member, login: Any
) -> None:
    before = snapshot(li)
    client = login(people.clerk_a)
    html = html_of(
        client.post(
            "/members/transfer/", {"id_number": ID_LI, "name": "李娜", "to_org": "G-B-0001"}
        )
    )
    assert "未找到“" in html
    assert snapshot(li) == before
    assert login(people.leader).get("/members/transfer/").status_code == 403


# --- the public join flow and the approval queue ---------------------------------------------


def join_state(html: str) -> str:
    match = re.search(r'name="state" value="([^"]+)"', html)
    assert match
    return match.group(1)


def walk_join(client: Client, code: str = "G-A-0001") -> Any:
    url = f"/join/{code}/"
    html = html_of(client.get(url))
    assert 'data-testid="join-step-1"' in html
    html = html_of(
        client.post(url, {"step": "1", "name": "赵磊", "id_number": ID_ZHAO, "ethnicity": "汉"})
    )
    assert 'data-testid="join-step-2"' in html
    html = html_of(
        client.post(
            url,
            {
                "step": "2",
                "state": join_state(html),
                "phone": "13705300001",
                "employer_name": "甲公司",
                "worker_type": "gig",
            },
        )
    )
    assert 'data-testid="join-step-3"' in html
    assert "赵磊" in html and "137****0001" in html and ID_ZHAO not in html
    return client.post(url, {"step": "3", "state": join_state(html), "consent": "on"})


def test_join_flow_three_screens_creates_an_application(tree: Any) -> None:
    client = Client()
    response = walk_join(client)
    assert response.status_code == 302
    assert response["Location"] == "/join/G-A-0001/done/"
    app = JoinApplication.objects.get()
    assert (app.org, app.name, app.id_number, app.phone) == (
        tree.union_a,
        "赵磊",
        ID_ZHAO,
        "13705300001",
    )
    assert app.details["worker_type"] == "gig"
    assert app.details["ethnicity"] == "汉族"
    assert "申请已提交" in html_of(client.get(response["Location"]))
    # the plain ID number is kept in no session row
    for session in Session.objects.all():
        assert ID_ZHAO not in str(session.get_decoded())


def test_join_flow_errors_stay_on_their_screen(tree: Any) -> None:
    client = Client()
    html = html_of(
        client.post(
            "/join/G-A-0001/", {"step": "1", "name": "赵磊", "id_number": ID_ZHAO[:-1] + "0"}
        )
    )
    assert 'data-testid="join-step-1"' in html
    assert re.search(r'id="field-id_number">.*?errorlist', html, re.S)
    html = html_of(
        client.post("/join/G-A-0001/", {"step": "1", "name": "赵磊", "id_number": ID_ZHAO})
    )
    html = html_of(
        client.post(
            "/join/G-A-0001/",
            {"step": "2", "state": join_state(html), "phone": "123", "worker_type": "employee"},
        )
    )
    assert 'data-testid="join-step-2"' in html
    assert re.search(r'id="field-phone">.*?errorlist', html, re.S)
    html = html_of(
        client.post("/join/G-A-0001/", {"step": "2", "state": join_state(html), "back": "1"})
    )
    assert 'data-testid="join-step-1"' in html and 'value="赵磊"' in html
    assert JoinApplication.objects.count() == 0


def test_join_flow_needs_consent_and_a_good_state(tree: Any) -> None:
    client = Client()
    html = html_of(
        client.post("/join/G-A-0001/", {"step": "1", "name": "赵磊", "id_number": ID_ZHAO})
    )
    html = html_of(
        client.post(
            "/join/G-A-0001/",
            {
                "step": "2",
                "state": join_state(html),
                "phone": "13705300001",
                "worker_type": "employee",
            },
        )
    )
    html = html_of(client.post("/join/G-A-0001/", {"step": "3", "state": join_state(html)}))
    assert "请勾选同意后提交" in html
    html = html_of(
        client.post("/join/G-A-0001/", {"step": "3", "state": "forged:abc", "consent": "on"})
    )
    assert "页面已过期" in html and 'data-testid="join-step-1"' in html
    assert JoinApplication.objects.count() == 0


def test_join_twice_answers_alike_and_stores_once(tree: Any) -> None:
    assert walk_join(Client()).status_code == 302
    response = walk_join(Client())
    assert (response.status_code, response["Location"]) == (302, "/join/G-A-0001/done/")
    assert JoinApplication.objects.count() == 1


@pytest.mark.parametrize("code", ["371702", "371700", "NOPE"])
def test_join_only_at_unions_that_take_members(tree: Any, code: str) -> None:
    assert Client().get(f"/join/{code}/").status_code == 404


def test_join_at_a_deactivated_union_is_404(tree: Any) -> None:
    tree.union_b.active = False
    tree.union_b.save(update_fields=["active"])
    assert Client().get("/join/G-B-0001/").status_code == 404


def test_clerk_approves_an_application(people: Any, tree: Any, login: Any) -> None:
    walk_join(Client())
    app = JoinApplication.objects.get()
    client = login(people.clerk_a)
    html = html_of(client.get("/members/"))
    assert 'data-testid="pending-count">1<' in html
    html = html_of(client.get("/members/applications/"))
    assert "赵磊" in html and "*" * 14 + ID_ZHAO[-4:] in html and ID_ZHAO not in html
    response = client.post(f"/members/applications/{app.pk}/approve/")
    assert response.status_code == 302
    member = Member.objects.get()
    assert (member.name, member.org, member.worker_type) == ("赵磊", tree.union_a, "gig")
    app.refresh_from_db()
    assert (app.status, app.member) == (JoinStatus.APPROVED, member)
    html = html_of(client.get("/members/applications/", {"status": "approved"}))
    assert f'href="/members/{member.pk}/"' in html


def test_clerk_rejects_with_a_reason(people: Any, tree: Any, login: Any) -> None:
    walk_join(Client())
    app = JoinApplication.objects.get()
    client = login(people.clerk_a)
    client.post(f"/members/applications/{app.pk}/reject/", {"reason": ""})
    app.refresh_from_db()
    assert app.status == JoinStatus.PENDING
    client.post(f"/members/applications/{app.pk}/reject/", {"reason": "非本单位职工"})
    app.refresh_from_db()
    assert (app.status, app.reason) == (JoinStatus.REJECTED, "非本单位职工")


def test_approval_queue_is_scoped(people: Any, tree: Any, clerk_b: Any, login: Any) -> None:
    walk_join(Client())
    app = JoinApplication.objects.get()
    client = login(clerk_b)
    assert "赵磊" not in html_of(client.get("/members/applications/"))
    assert client.post(f"/members/applications/{app.pk}/approve/").status_code == 404
    assert (
        client.post(f"/members/applications/{app.pk}/reject/", {"reason": "x"}).status_code == 404
    )
    assert login(people.leader).get("/members/applications/").status_code == 404
    app.refresh_from_db()
    assert app.status == JoinStatus.PENDING
    assert Member.objects.count() == 0


# --- the union's QR code ---------------------------------------------------------------------


def test_qr_page_shows_the_join_address_as_svg(people: Any, login: Any) -> None:
    html = html_of(login(people.clerk_a).get("/members/qr/G-A-0001/"))
    assert "http://testserver/join/G-A-0001/" in html
    assert '<svg viewBox="0 0 ' in html and 'class="qr"' in html
    response = login(people.clerk_a).get("/members/qr/G-A-0001/", {"download": "svg"})
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")


def test_qr_page_is_scoped_and_only_for_member_unions(people: Any, login: Any) -> None:
    assert login(people.cadre_b).get("/members/qr/G-A-0001/").status_code == 404
    assert login(people.cadre_a).get("/members/qr/371702/").status_code == 404
    assert login(people.member_a).get("/members/qr/G-A-0001/").status_code == 404


# --- the e-card and its check ----------------------------------------------------------------


def test_member_sees_the_e_card(people: Any, wang: Member, login: Any) -> None:
    Member.objects.filter(pk=wang.pk).update(user=people.member_a)
    client = login(people.member_a)
    assert 'href="/portal/card/"' in html_of(client.get("/portal/"))
    response = client.get("/portal/card/")
    html = html_of(response)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "王强" in html and "甲公司工会" in html and cards.member_number(wang) in html
    assert "2015-03-01" in html and '<svg viewBox="0 0 ' in html
    assert ID_WANG not in html and PHONE_WANG not in html


def test_e_card_without_a_member_record(people: Any, login: Any) -> None:
    html = html_of(login(people.member_a).get("/portal/card/"))
    assert "尚未关联会员档案" in html
    assert 'href="/portal/card/"' not in html_of(login(people.member_a).get("/portal/"))


def test_staff_have_no_e_card(people: Any, login: Any) -> None:
    response = login(people.clerk_a).get("/portal/card/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_verify_shows_only_masked_name_union_and_status(wang: Member) -> None:
    response = Client().get(f"/verify/{cards.card_token(wang)}/")
    html = html_of(response)
    assert response.status_code == 200
    assert "王*" in html and "甲公司工会" in html and "在会" in html and "有效会员" in html
    assert "王强" not in html and ID_WANG[-4:] not in html and "2015" not in html


def test_verify_withdrawn_member(people: Any, wang: Member) -> None:
    Member.objects.filter(pk=wang.pk).update(status=Status.WITHDRAWN)
    html = html_of(Client().get(f"/verify/{cards.card_token(wang)}/"))
    assert "非在会会员" in html and "已退会" in html


def test_verify_refuses_forged_and_expired_tokens(wang: Member) -> None:
    forged = signing.dumps({"m": wang.pk}, salt="another purpose")
    html = html_of(Client().get(f"/verify/{forged}/"))
    assert "无效的会员卡二维码" in html and "甲公司工会" not in html
    assert cards.card_member_id(cards.card_token(wang)) == wang.pk
    with pytest.raises(cards.CardTokenExpired):
        cards.card_member_id(cards.card_token(wang), max_age=-1)


# --- 会员之家 flags --------------------------------------------------------------------------


def test_home_flags_page(people: Any, tree: Any, login: Any) -> None:
    member_home_set(actor=people.admin, org=tree.street_a, threshold=3)
    for i in range(3):
        add_member(
            people.admin,
            tree.street_a,
            f"周{'甲乙丙'[i]}",
            citizen_id(f"37170219910201{i:03d}"),
            employer_name="丙物流有限公司",
        )
    html = html_of(login(people.cadre_a).get("/members/homes/"))
    assert "丙物流有限公司" in html and "牡丹街道工会" in html
    html = html_of(login(people.cadre_b).get("/members/homes/"))
    assert "丙物流有限公司" not in html and "暂无需要提示建会的单位" in html
    assert login(people.member_a).get("/members/homes/").status_code == 404


def test_cadre_marks_a_member_home(people: Any, tree: Any, login: Any) -> None:
    from gonghui.members.models import MemberHome

    client = login(people.cadre_a)
    response = client.post(
        "/members/homes/", {"org": "371702001", "threshold": "5", "active": "on"}
    )
    assert response.status_code == 302
    home = MemberHome.objects.get()
    assert (home.org, home.threshold, home.active) == (tree.street_a, 5, True)
    html = html_of(client.get("/members/homes/"))
    assert "牡丹街道工会" in html and 'href="/members/qr/371702001/"' in html
    html = html_of(client.post("/members/homes/", {"org": "G-A-0001", "threshold": "5"}))
    assert "会员之家设在乡镇、街道或园区工会" in html


def test_member_home_setting_refused_out_of_scope(people: Any, tree: Any, login: Any) -> None:
    from gonghui.members.models import MemberHome

    html = html_of(
        login(people.cadre_b).post("/members/homes/", {"org": "371702001", "threshold": "5"})
    )
    assert "未找到“" in html
    assert (
        login(people.clerk_a)
        .post("/members/homes/", {"org": "371702001", "threshold": "5"})
        .status_code
        == 403
    )
    assert 'name="threshold"' not in html_of(login(people.clerk_a).get("/members/homes/"))
    assert MemberHome.objects.count() == 0


def test_join_at_a_member_home(people: Any, tree: Any) -> None:
    member_home_set(actor=people.admin, org=tree.street_a, threshold=3)
    assert walk_join(Client(), "371702001").status_code == 302
    assert JoinApplication.objects.get().org == tree.street_a


def test_join_apply_service_and_page_agree_on_unions(tree: Any) -> None:
    park = org_insert(code="371702P01", parent=tree.county_a, name="牡丹化工园区工会", kind="park")
    assert Client().get(f"/join/{park.code}/").status_code == 200
    join_apply(
        org=park,
        data={"name": "赵磊", "id_number": ID_ZHAO, "phone": "13705300001"},
    )
    assert JoinApplication.objects.get().org == park


# --- import and export -----------------------------------------------------------------------


def roster_csv(rows: list[str]) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "姓名,身份证号码,手机,入会时间\n" + "\n".join(rows) + "\n"
    return SimpleUploadedFile("名册.csv", text.encode("utf-8"), content_type="text/csv")


def run_job(pk: int) -> None:
    from gonghui.members.tasks import run_member_import

    run_member_import(pk)


def test_import_upload_preview_confirm_and_rejected_rows(
    people: Any, tree: Any, login: Any
) -> None:
    from gonghui.core.models import ImportJob

    client = login(people.clerk_a)
    html = html_of(client.get("/members/import/"))
    assert 'value="甲公司工会' in html
    template = client.get("/members/import/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    upload = roster_csv(
        [f"王强,{ID_WANG},{PHONE_WANG},2015-03-01", "李四,123,13800000000,2015-03-01"]
    )
    response = client.post("/members/import/", {"org": "G-A-0001", "file": upload})
    preview = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/members/import/{preview.pk}/"
    assert preview.dry_run
    # not run yet: the page polls
    html = html_of(client.get(response["Location"], headers={"HX-Request": "true"}))
    assert 'hx-trigger="every 1s"' in html and "<html" not in html
    run_job(preview.pk)
    html = html_of(client.get(response["Location"]))
    assert 'hx-trigger="every 1s"' not in html
    assert 'data-testid="created">1<' in html and 'data-testid="rejected">1<' in html
    assert "李四" in html and ">3<" in html  # the rejected row, by its spreadsheet row number
    assert Member.objects.count() == 0  # a preview writes nothing
    errors = client.get(f"/members/import/{preview.pk}/errors.xlsx")
    assert errors.status_code == 200
    assert b"".join(errors.streaming_content)[:2] == b"PK"

    response = client.post(f"/members/import/{preview.pk}/confirm/")
    job = ImportJob.objects.get(dry_run=False)
    assert response["Location"] == f"/members/import/{job.pk}/"
    # confirming twice goes to the same run
    again = client.post(f"/members/import/{preview.pk}/confirm/")
    assert again["Location"] == f"/members/import/{job.pk}/"
    run_job(job.pk)
    html = html_of(client.get(f"/members/import/{job.pk}/"))
    assert "导入完成" in html and 'data-testid="created">1<' in html
    member = Member.objects.get()
    assert (member.name, member.org, member.id_number) == ("王强", tree.union_a, ID_WANG)


def test_import_refused_out_of_scope_and_for_read_only(people: Any, tree: Any, login: Any) -> None:
    from gonghui.core.models import ImportJob

    response = login(people.cadre_b).post(
        "/members/import/", {"org": "G-A-0001", "file": roster_csv([f"王强,{ID_WANG},,2015-03-01"])}
    )
    assert "未找到“" in html_of(response)
    assert ImportJob.objects.count() == 0
    assert login(people.leader).get("/members/import/").status_code == 404
    login(people.clerk_a).post(
        "/members/import/", {"org": "G-A-0001", "file": roster_csv([f"王强,{ID_WANG},,2015-03-01"])}
    )
    job = ImportJob.objects.get()
    run_job(job.pk)
    client = login(people.cadre_b)
    assert client.get(f"/members/import/{job.pk}/").status_code == 404
    assert client.post(f"/members/import/{job.pk}/confirm/").status_code == 404
    assert client.get(f"/members/import/{job.pk}/errors.xlsx").status_code == 404
    assert ImportJob.objects.count() == 1
    assert Member.objects.count() == 0


def test_import_into_a_county_federation_is_refused(people: Any, login: Any) -> None:
    response = login(people.cadre_a).post(
        "/members/import/", {"org": "371702", "file": roster_csv([f"王强,{ID_WANG},,2015-03-01"])}
    )
    assert "不直接发展会员" in html_of(response)


def test_export_csv_masked_for_a_clerk(people: Any, wang: Member, li: Member, login: Any) -> None:
    response = login(people.clerk_a).get("/members/export.csv", {"q": "wq"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Disposition"].startswith('attachment; filename="members-')
    assert "王强" in body and "*" * 14 + ID_WANG[-4:] in body
    assert ID_WANG not in body and "李娜" not in body
    assert audit_count("member.export") == 0


def test_export_xlsx_full_for_a_cadre_is_audited(people: Any, wang: Member, login: Any) -> None:
    import io

    from openpyxl import load_workbook

    client = login(people.cadre_a)
    # the default export is masked, for a cadre too
    response = client.get("/members/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert ID_WANG not in values and "王强" in values and "1990年" in values
    assert audit_count("member.export") == 0
    # full values: POST with a purpose
    html = html_of(client.get("/members/", {"q": "王"}))
    assert 'data-testid="export-full"' in html
    response = client.post("/members/export.xlsx", {"q": "王", "fmt": "xlsx", "purpose": ""})
    assert response.status_code == 422 and "用途" in html_of(response)
    assert audit_count("member.export") == 0
    response = client.post(
        "/members/export.xlsx", {"q": "王", "fmt": "xlsx", "purpose": "报送省总会员实名制核查"}
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert ID_WANG in values and "王强" in values
    entry = AuditEntry.objects.get(action="member.export")
    assert entry.changes["purpose"]["after"] == "报送省总会员实名制核查"
    assert entry.changes["filters"]["after"] == {"q": "王", "org": "", "status": ""}
    assert entry.changes["rows"]["after"] == 1
    # a clerk (no reveal right) is refused, and sees no such form
    clerk = login(people.clerk_a)
    assert 'data-testid="export-full"' not in html_of(clerk.get("/members/"))
    response = clerk.post("/members/export.csv", {"fmt": "csv", "purpose": "看看"})
    assert response.status_code == 403
    assert audit_count("member.export") == 1


def test_export_of_another_union_out_of_scope_is_404(people: Any, wang: Member, login: Any) -> None:
    assert login(people.cadre_b).get("/members/export.csv", {"org": "G-A-0001"}).status_code == 404
    assert login(people.cadre_b).get("/members/export.pdf").status_code == 404
    assert audit_count("member.export") == 0


def test_join_submissions_are_limited_per_client(
    tree: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A script filling in made-up people from one address is stopped (429, nothing saved);
    another address is not affected."""
    from gonghui.members import views

    monkeypatch.setattr(views, "JOIN_LIMIT", 1)
    assert walk_join(Client(REMOTE_ADDR="10.0.0.1")).status_code == 302
    JoinApplication.objects.all().delete()
    response = walk_join(Client(REMOTE_ADDR="10.0.0.1"))
    assert response.status_code == 429
    assert "提交过于频繁" in html_of(response)
    assert JoinApplication.objects.count() == 0
    assert walk_join(Client(REMOTE_ADDR="10.0.0.2")).status_code == 302
    assert JoinApplication.objects.count() == 1
