"""Pickers (core.pickers): each kind searched by name, short name, pinyin, initials or code,
best match first, within the user's scope only — someone outside the scope gets nothing —
and the form field that takes what was typed or chosen."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django import forms

from gonghui.core import pickers
from gonghui.members.services import member_create
from gonghui.orgs.services import enterprise_save, org_update

from .conftest import make_user
from .test_members_search import ID_LI, ID_WANG


def texts(client: Any, kind: str, q: str) -> list[str]:
    response = client.get(f"/pick/{kind}/", {"q": q})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return [item["text"] for item in response.json()["items"]]


@pytest.fixture
def things(people: Any, tree: Any) -> None:
    org_update(actor=people.admin, org=tree.county_a, data={"short_name": "牡丹区"})
    enterprise_save(actor=people.admin, county="371702", union="G-A-0001", name="甲机械有限公司")
    enterprise_save(actor=people.admin, county="371721", union="G-B-0001", name="乙纺织有限公司")
    member_create(
        actor=people.clerk_a,
        org=tree.union_a,
        data={"name": "王强", "id_number": ID_WANG, "phone": "13853012345"},
    )
    member_create(
        actor=people.cadre_b,
        org=tree.union_b,
        data={"name": "李红", "id_number": ID_LI, "phone": "13700001234"},
    )
    make_user("wjg", "operator", tree.city, full_name="王建国")
    make_user("zl", "cadre", tree.county_b, full_name="赵六")


def test_org_by_name_short_name_pinyin_initials_and_code(
    people: Any, login: Any, things: None
) -> None:
    client = login(people.city_cadre)
    county_a = "牡丹区总工会（菏泽市总工会）"
    street_a = "牡丹街道工会（牡丹区总工会）"
    assert texts(client, "org", "牡丹区") == [county_a]  # the short name, exactly
    assert texts(client, "org", "牡丹") == [county_a, street_a]
    assert texts(client, "org", "mudan") == [county_a, street_a]
    assert texts(client, "org", "mdq") == [county_a]
    assert texts(client, "org", "371702") == [county_a, "牡丹街道工会（牡丹区总工会）"]
    assert texts(client, "org", "甲公司") == ["甲公司工会（牡丹街道工会）"]
    assert texts(client, "org", "nothing") == []


def test_org_ranking_exact_then_prefix_then_contained_then_pinyin(
    people: Any, login: Any, tree: Any
) -> None:
    from gonghui.orgs.services import org_insert

    org_insert(code="X1", parent=tree.city, name="工会服务中心", kind="industry")
    org_insert(code="X2", parent=tree.city, name="曹县工会", kind="industry")
    # 曹县总工会 contains 曹县 after 曹县工会 is its exact name
    assert [o.label for o in pickers.get("org").search(people.admin, "曹县工会", 20)] == [
        "曹县工会"
    ]
    labels = [o.label for o in pickers.get("org").search(people.admin, "工会", 20)]
    assert labels[0] == "工会服务中心"  # the only name that starts with it
    assert set(labels[1:]) == {
        "菏泽市总工会",
        "牡丹区总工会",
        "牡丹街道工会",
        "甲公司工会",
        "曹县总工会",
        "乙公司工会",
        "曹县工会",
    }
    labels = [o.label for o in pickers.get("org").search(people.admin, "cx", 20)]
    assert labels == ["曹县总工会", "曹县工会"]  # initials, in the tree's order


def test_every_kind_by_name_and_pinyin(people: Any, login: Any, things: None) -> None:
    client = login(people.admin)
    assert texts(client, "enterprise", "甲机械") == ["甲机械有限公司（甲公司工会）"]
    assert texts(client, "enterprise", "jjx") == ["甲机械有限公司（甲公司工会）"]
    assert texts(client, "member", "王强") == ["王强（甲公司工会）"]
    assert texts(client, "member", "wangqiang") == ["王强（甲公司工会）"]
    assert texts(client, "member", "2345") == ["王强（甲公司工会）"]
    assert texts(client, "topic", "拖欠工资") == ["拖欠工资（欠薪）"]
    assert texts(client, "topic", "0101") == ["拖欠工资（欠薪）"]
    assert texts(client, "topic", "tqgz") == ["拖欠工资（欠薪）"]
    assert texts(client, "user", "王建国") == ["王建国（菏泽市总工会）"]
    assert texts(client, "user", "wangjianguo") == ["王建国（菏泽市总工会）"]
    assert texts(client, "user", "wjg") == ["王建国（菏泽市总工会）"]


@pytest.mark.parametrize(
    ("kind", "q"),
    [
        ("org", "牡丹"),
        ("org", "mudan"),
        ("org", "371702"),
        ("enterprise", "甲机械"),
        ("member", "王强"),
        ("member", "wq"),
        ("member", "2345"),
        ("user", "王建国"),
        ("user", "wjg"),
    ],
)
def test_someone_outside_scope_gets_nothing(
    people: Any, login: Any, things: None, kind: str, q: str
) -> None:
    # county B's cadre: nothing of the city's, county A's or their people
    assert texts(login(people.cadre_b), kind, q) == []
    # a member signed in to the portal: no org, enterprise, member or user at all
    assert texts(login(people.member_a), kind, q) == []
    # and resolving by value is scoped as searching is
    value = {"org": "371702", "user": "wjg"}.get(kind)
    if value:
        assert pickers.get(kind).resolve(people.cadre_b, value) is None


def test_a_member_may_pick_a_topic(people: Any, login: Any, things: None) -> None:
    assert texts(login(people.member_a), "topic", "欠薪")[0] == "欠薪"


def test_county_b_sees_its_own(people: Any, login: Any, things: None) -> None:
    client = login(people.cadre_b)
    assert texts(client, "org", "曹县") == ["曹县总工会（菏泽市总工会）"]
    assert texts(client, "member", "李红") == ["李红（乙公司工会）"]
    assert texts(client, "enterprise", "纺织") == ["乙纺织有限公司（乙公司工会）"]
    assert texts(client, "user", "赵六") == ["赵六（曹县总工会）"]


def test_anonymous_and_unknown_kinds(people: Any, login: Any, client: Any) -> None:
    response = client.get("/pick/org/", {"q": "牡丹"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert login(people.admin).get("/pick/nope/").status_code == 404


def test_nothing_typed_lists_the_first_options(people: Any, login: Any, things: None) -> None:
    items = texts(login(people.cadre_a), "org", "")
    assert items[0] == "牡丹区总工会（菏泽市总工会）"
    assert "曹县总工会（菏泽市总工会）" not in items


class DispatchTo(forms.Form):
    org = pickers.PickerField("org", label="派往单位")


@pytest.mark.parametrize(
    "typed",
    ["371702", "牡丹区总工会", "牡丹区", "牡丹区总工会（菏泽市总工会）", "mdq", " 牡丹区总工会 "],
)
def test_the_field_takes_a_name_code_or_pinyin(people: Any, things: None, typed: str) -> None:
    form = DispatchTo({"org": typed})
    pickers.bind_pickers(form, people.city_cadre)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["org"] == "371702"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("牡丹", "“牡丹”对应多个工会组织，请从列表中选择一个"),
        ("nothing", "未找到“nothing”，请输入名称、简称或拼音后从列表中选择"),
        ("", "这个字段是必填项。"),
    ],
)
def test_the_field_says_what_to_do(people: Any, things: None, typed: str, message: str) -> None:
    form = DispatchTo({"org": typed})
    pickers.bind_pickers(form, people.city_cadre)
    assert not form.is_valid()
    assert form.errors["org"] == [message]


def test_the_field_outside_scope_and_unbound_finds_nothing(people: Any, things: None) -> None:
    form = DispatchTo({"org": "牡丹区总工会"})
    pickers.bind_pickers(form, people.cadre_b)
    assert not form.is_valid()
    form = DispatchTo({"org": "371702"})  # never bound to a user
    assert not form.is_valid()


def test_same_name_twice_is_told_apart_by_its_parent(people: Any, tree: Any) -> None:
    from gonghui.orgs.services import org_insert

    org_insert(code="A-JG", parent=tree.county_a, name="机关工会", kind="grassroots")
    org_insert(code="B-JG", parent=tree.county_b, name="机关工会", kind="grassroots")
    form = DispatchTo({"org": "机关工会"})
    pickers.bind_pickers(form, people.city_cadre)
    assert not form.is_valid()
    assert form.errors["org"] == ["有 2 个“机关工会”，请从列表中选择一个"]
    form = DispatchTo({"org": "机关工会（曹县总工会）"})
    pickers.bind_pickers(form, people.city_cadre)
    assert form.is_valid() and form.cleaned_data["org"] == "B-JG"
    # county A's cadre has only one
    form = DispatchTo({"org": "机关工会"})
    pickers.bind_pickers(form, people.cadre_a)
    assert form.is_valid() and form.cleaned_data["org"] == "A-JG"


def test_the_box_works_without_javascript(people: Any, things: None) -> None:
    form = DispatchTo(initial={"org": "371702"})
    pickers.bind_pickers(form, people.city_cadre)
    form.fields["org"].widget.options = [pickers.Option("371702", "牡丹区总工会", "菏泽市总工会")]  # type: ignore[attr-defined]
    html = str(form["org"])
    # a plain text box with the browser's own suggestion list, showing the name, not the code
    assert 'type="text"' in html and 'list="id_org-options"' in html
    assert 'value="牡丹区总工会（菏泽市总工会）"' in html
    assert '<datalist id="id_org-options"><option value="牡丹区总工会（菏泽市总工会）"' in html
    assert 'data-picker="org"' in html and 'data-picker-url="/pick/org/"' in html


def test_dispatch_by_name_from_the_order_page(people: Any, tree: Any, login: Any) -> None:
    from gonghui.hotline import services
    from gonghui.hotline.models import Ticket

    from .test_audit_labels import CALL

    ticket, _created = services.ticket_create(actor=people.operator, data=CALL)
    client = login(people.operator)
    page = client.get(f"/hotline/{ticket.pk}/").content.decode()
    # the holder's sub-unions are offered by name
    assert '<option value="牡丹区总工会（菏泽市总工会）" data-value="371702"' in page
    response = client.post(
        f"/hotline/{ticket.pk}/dispatch/",
        {"dispatch-org": "牡丹区总工会（菏泽市总工会）", "dispatch-note": "请办理"},
    )
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).handler_org == tree.county_a


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/members/", "org"),
        ("/members/new/", "org"),
        ("/members/import/", "org"),
        ("/members/transfer/", "to_org"),
        ("/members/homes/", "org"),
        ("/hotline/stats/", "org"),
    ],
)
def test_the_org_boxes_of_the_roster_and_the_statistics_are_pickers(
    people: Any, login: Any, url: str, field: str
) -> None:
    """Every org box of the member pages and the hotline statistics is an org picker: a
    union chosen by name, shown by name, never a code to know."""
    html = login(people.admin).get(url).content.decode()
    box = re.search(rf'<input[^>]*name="{field}"[^>]*>', html)
    assert box is not None, url
    assert 'data-picker="org"' in box.group(0), box.group(0)


def test_the_roster_and_the_statistics_take_an_org_by_name(people: Any, login: Any) -> None:
    member_create(
        actor=people.cadre_a, org=people.clerk_a.org, data={"name": "王强", "id_number": ID_WANG}
    )
    client = login(people.city_cadre)
    html = client.get("/members/", {"org": "甲公司工会"}).content.decode()
    assert "王强" in html and "未找到" not in html
    html = client.get("/hotline/stats/", {"org": "牡丹区总工会"}).content.decode()
    assert "未找到" not in html and 'value="牡丹区总工会' in html
    # a county's cadre cannot name another county's union, by name or by code
    html = login(people.cadre_b).get("/members/", {"org": "甲公司工会"}).content.decode()
    assert "未找到“甲公司工会”" in html and "王强" not in html
