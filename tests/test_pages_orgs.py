"""The union tree pages: tree, search, org page and its write actions, by persona."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.core.models import AuditEntry
from gonghui.orgs.models import Enterprise, Org
from gonghui.orgs.services import org_insert

VALID_USCC = "91371700MA3C12345L"  # GB 32100 check character valid


def field_block(html: str, name: str) -> str:
    """The rendered wrapper of one form field: its label, input and errors."""
    match = re.search(rf'<div class="field[^"]*" id="field-{name}">(.*?)</div>', html, re.S)
    assert match, name
    return match.group(1)


def strip_tokens(content: bytes) -> str:
    """A page without its per-response CSRF tokens, to compare two answers."""
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', "", content.decode())


def snapshot(org: Org) -> tuple[Any, ...]:
    org.refresh_from_db()
    return (org.name, org.parent_id, org.path, org.active, org.uscc, org.headcount)


# --- tree and search -------------------------------------------------------------------------


def test_tree_starts_at_my_home_org(people: Any, tree: Any, login: Any) -> None:
    response = login(people.cadre_a).get("/orgs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "牡丹区总工会" in html
    assert "牡丹街道工会" in html
    assert 'hx-get="/orgs/371702001/children/"' in html
    assert "菏泽市总工会" not in html
    assert "曹县总工会" not in html


def test_tree_children_partial(people: Any, tree: Any, login: Any) -> None:
    response = login(people.cadre_a).get(
        f"/orgs/{tree.street_a.code}/children/", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "甲公司工会" in html
    assert "120 人" in html
    assert "有效" in html


def test_tree_children_out_of_scope_is_404(people: Any, tree: Any, login: Any) -> None:
    client = login(people.cadre_b)
    assert client.get(f"/orgs/{tree.street_a.code}/children/").status_code == 404
    assert client.get("/orgs/NOPE/children/").status_code == 404


def test_search_live_results_are_scoped(people: Any, tree: Any, login: Any) -> None:
    client = login(people.cadre_b)
    html = client.get("/orgs/_search/", {"q": "公司"}).content.decode()
    assert "乙公司工会" in html
    assert "甲公司工会" not in html
    html = client.get("/orgs/_search/", {"q": "G-A"}).content.decode()
    assert "没有符合条件的组织" in html
    html = login(people.city_cadre).get("/orgs/_search/", {"q": "G-"}).content.decode()
    assert "甲公司工会" in html and "乙公司工会" in html


def test_search_by_kind_and_credit_code(people: Any, tree: Any, login: Any) -> None:
    Org.objects.filter(pk=tree.union_a.pk).update(uscc=VALID_USCC)
    client = login(people.city_cadre)
    html = client.get("/orgs/_search/", {"kind": "county"}).content.decode()
    assert "牡丹区总工会" in html and "曹县总工会" in html and "甲公司工会" not in html
    html = client.get("/orgs/_search/", {"q": VALID_USCC.lower()}).content.decode()
    assert "甲公司工会" in html
    # the tree page itself answers a plain (non-htmx) search
    html = client.get("/orgs/", {"q": "曹县"}).content.decode()
    assert "找到 1 个组织" in html


def test_search_options_for_the_move_form(people: Any, tree: Any, login: Any) -> None:
    html = (
        login(people.cadre_a)
        .get("/orgs/_search/", {"format": "options", "parent": "3717"})
        .content.decode()
    )
    assert '<option value="371702">' in html
    assert '<option value="371721">' not in html


def test_tree_query_count_does_not_grow(people: Any, tree: Any, login: Any) -> None:
    client = login(people.cadre_a)
    url = f"/orgs/{tree.street_a.code}/children/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):
        org_insert(
            code=f"G-A-X{i:03d}", parent=tree.street_a, name=f"丙{i}公司工会", kind="grassroots"
        )
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert "丙29公司工会" in html
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as search_many:
        client.get("/orgs/_search/", {"q": "公司"})
    assert len(search_many) <= len(few) + 1


# --- org page --------------------------------------------------------------------------------


def test_org_page_for_cadre(people: Any, tree: Any, login: Any) -> None:
    Org.objects.filter(pk=tree.union_a.pk).update(
        chair="张三", contact_phone="0530-1234567", address="牡丹区中华路1号"
    )
    Enterprise.objects.create(
        name="甲公司", county=tree.county_a, union=tree.union_a, headcount=120, unit_category="170"
    )
    response = login(people.cadre_a).get(f"/orgs/{tree.union_a.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "张三" in html and "0530-1234567" in html and "牡丹区中华路1号" in html
    assert "甲公司" in html and "私营" in html
    assert "下属单位" in html
    # breadcrumbs stop at my home org
    match = re.search(r'<nav class="crumbs".*?</nav>', html, re.S)
    assert match
    crumbs = match.group(0)
    assert "牡丹区总工会" in crumbs and "牡丹街道工会" in crumbs
    assert "菏泽市总工会" not in crumbs
    assert "/orgs/G-A-0001/edit/" in html
    assert "/orgs/G-A-0001/deactivate/" in html


def test_org_page_shows_recent_audit_to_audit_viewers(people: Any, tree: Any, login: Any) -> None:
    client = login(people.cadre_a)
    client.post(
        f"/orgs/{tree.union_a.code}/edit/",
        {"name": "甲公司工会", "kind": "grassroots", "headcount": "150"},
    )
    html = client.get(f"/orgs/{tree.union_a.code}/").content.decode()
    assert "org.update" in html
    assert "<del>120</del> → <ins>150</ins>" in html
    html = login(people.clerk_a).get(f"/orgs/{tree.union_a.code}/").content.decode()
    assert "org.update" not in html


def test_org_page_out_of_scope_is_404_like_missing(people: Any, tree: Any, login: Any) -> None:
    client = login(people.cadre_b)
    missing = client.get("/orgs/NOPE/")
    forbidden = client.get(f"/orgs/{tree.union_a.code}/")
    assert missing.status_code == forbidden.status_code == 404
    # the same page but for the address itself (the language form returns to it)
    assert strip_tokens(missing.content) == strip_tokens(forbidden.content).replace(
        tree.union_a.code, "NOPE"
    )
    assert "甲公司工会" not in forbidden.content.decode()
    # nothing above one's own home org either
    assert client.get(f"/orgs/{tree.city.code}/").status_code == 404


def test_leader_reads_without_write_buttons(people: Any, tree: Any, login: Any) -> None:
    client = login(people.leader)
    html = client.get(f"/orgs/{tree.union_a.code}/").content.decode()
    assert "甲公司工会" in html
    assert "/edit/" not in html and "/deactivate/" not in html and "/move/" not in html
    assert "/new/" not in html
    before = snapshot(tree.union_a)
    assert client.get(f"/orgs/{tree.union_a.code}/edit/").status_code == 403
    assert (
        client.post(
            f"/orgs/{tree.union_a.code}/edit/", {"name": "领导改名", "kind": "grassroots"}
        ).status_code
        == 403
    )
    assert (
        client.post(f"/orgs/{tree.union_a.code}/move/", {"parent": tree.county_b.code}).status_code
        == 403
    )
    assert client.post(f"/orgs/{tree.union_a.code}/deactivate/", {"reason": "x"}).status_code == 403
    assert (
        client.post(
            f"/orgs/{tree.street_a.code}/new/",
            {"code": "G-L-1", "name": "新", "kind": "grassroots"},
        ).status_code
        == 403
    )
    assert snapshot(tree.union_a) == before
    assert not Org.objects.filter(code="G-L-1").exists()
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize("action", ["edit", "move", "deactivate", "new", "reactivate"])
def test_cadre_b_cannot_touch_county_a(people: Any, tree: Any, login: Any, action: str) -> None:
    client = login(people.cadre_b)
    before = snapshot(tree.union_a)
    url = f"/orgs/{tree.union_a.code}/{action}/"
    if action != "reactivate":
        assert client.get(url).status_code == 404
    data = {
        "name": "越权",
        "kind": "grassroots",
        "parent": tree.county_b.code,
        "reason": "越权",
        "code": "G-X-1",
    }
    assert client.post(url, data).status_code == 404
    assert snapshot(tree.union_a) == before
    assert not Org.objects.filter(code="G-X-1").exists()
    assert AuditEntry.objects.count() == 0


def test_cadre_b_cannot_move_own_org_under_county_a(people: Any, tree: Any, login: Any) -> None:
    client = login(people.cadre_b)
    before = snapshot(tree.union_b)
    response = client.post(f"/orgs/{tree.union_b.code}/move/", {"parent": tree.street_a.code})
    assert response.status_code == 200
    assert "上级组织不存在" in field_block(response.content.decode(), "parent")
    assert snapshot(tree.union_b) == before


def test_members_and_assignees_cannot_open_staff_pages(people: Any, tree: Any, login: Any) -> None:
    member = login(people.member_a)
    for url in [
        "/orgs/",
        f"/orgs/{tree.union_a.code}/",
        f"/orgs/{tree.union_a.code}/edit/",
        "/orgs/_search/?q=甲",
        "/users/",
        "/audit/",
        f"/users/{people.cadre_a.pk}/",
    ]:
        assert member.get(url).status_code == 404, url
    assert member.post(f"/orgs/{tree.union_a.code}/edit/", {"name": "x"}).status_code == 404
    assert member.get("/")["Location"] == "/portal/"
    lawyer = login(people.lawyer_a)
    assert lawyer.get(f"/orgs/{tree.union_a.code}/").status_code == 200
    assert lawyer.get(f"/orgs/{tree.union_a.code}/edit/").status_code == 403


# --- writes ----------------------------------------------------------------------------------


def test_create_child_org(people: Any, tree: Any, login: Any) -> None:
    client = login(people.cadre_a)
    page = client.get(f"/orgs/{tree.street_a.code}/new/").content.decode()
    assert '<option value="grassroots"' in page
    assert '<option value="county"' not in page
    response = client.post(
        f"/orgs/{tree.street_a.code}/new/",
        {
            "code": "ga０００2",
            "name": "丁公司工会",
            "kind": "grassroots",
            "headcount": "35",
            "founded_on": "2020-09-21",
            "uscc": "",
        },
    )
    assert response.status_code == 302
    org = Org.objects.get(code="GA0002")
    assert response["Location"] == "/orgs/GA0002/"
    assert org.parent == tree.street_a
    assert org.headcount == 35
    assert AuditEntry.objects.get(action="org.create").object_id == "GA0002"


def test_create_with_invalid_credit_code_names_the_field(
    people: Any, tree: Any, login: Any
) -> None:
    client = login(people.cadre_a)
    response = client.post(
        f"/orgs/{tree.street_a.code}/new/",
        {
            "code": "G-A-0003",
            "name": "戊公司工会",
            "kind": "grassroots",
            "uscc": "91370000ABCDEFGHIJ",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    block = field_block(html, "uscc")
    assert 'id="id_uscc_error"' in block
    assert 'value="91370000ABCDEFGHIJ"' in block  # the input is kept
    assert 'value="戊公司工会"' in field_block(html, "name")
    assert not Org.objects.filter(code="G-A-0003").exists()
    assert AuditEntry.objects.count() == 0


def test_edit_with_invalid_credit_code_changes_nothing(people: Any, tree: Any, login: Any) -> None:
    client = login(people.cadre_a)
    before = snapshot(tree.union_a)
    response = client.post(
        f"/orgs/{tree.union_a.code}/edit/",
        {
            "name": "甲公司新名",
            "kind": "grassroots",
            "uscc": "123",
            "headcount": "9",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "errorlist" in field_block(html, "uscc")
    assert "errorlist" not in field_block(html, "name")
    assert snapshot(tree.union_a) == before


def test_edit_org(people: Any, tree: Any, login: Any) -> None:
    client = login(people.cadre_a)
    page = client.get(f"/orgs/{tree.union_a.code}/edit/").content.decode()
    assert 'value="甲公司工会"' in page
    response = client.post(
        f"/orgs/{tree.union_a.code}/edit/",
        {
            "name": "甲公司工会",
            "short_name": "甲工会",
            "kind": "grassroots",
            "chair": "李四",
            "headcount": "130",
            "uscc": VALID_USCC,
        },
    )
    assert response.status_code == 302
    tree.union_a.refresh_from_db()
    assert (tree.union_a.short_name, tree.union_a.chair, tree.union_a.headcount) == (
        "甲工会",
        "李四",
        130,
    )
    assert tree.union_a.uscc == VALID_USCC


def test_move_under_own_child_names_the_field(people: Any, tree: Any, login: Any) -> None:
    client = login(people.cadre_a)
    before = snapshot(tree.street_a)
    # a grassroots union can take no children, so use a park as the would-be parent
    park = org_insert(code="PA1", parent=tree.street_a, name="化工园区工会", kind="park")
    response = client.post(f"/orgs/{tree.street_a.code}/move/", {"parent": park.code})
    html = response.content.decode()
    assert response.status_code == 200
    assert "不能把组织移到它自己或它的下级组织之下" in field_block(html, "parent")
    assert 'value="PA1"' in field_block(html, "parent")
    assert snapshot(tree.street_a) == before
    assert AuditEntry.objects.count() == 0


def test_move_org(people: Any, tree: Any, login: Any) -> None:
    client = login(people.city_cadre)
    page = client.get(f"/orgs/{tree.union_a.code}/move/").content.decode()
    assert 'hx-get="/orgs/_search/?format=options"' in page
    response = client.post(f"/orgs/{tree.union_a.code}/move/", {"parent": tree.county_b.code})
    assert response.status_code == 302
    tree.union_a.refresh_from_db()
    assert tree.union_a.parent == tree.county_b
    assert tree.union_a.path.startswith(tree.county_b.path)
    # now county A's cadre no longer sees it
    assert login(people.cadre_a).get(f"/orgs/{tree.union_a.code}/").status_code == 404


def test_deactivate_org_with_children_is_refused(people: Any, tree: Any, login: Any) -> None:
    client = login(people.cadre_a)
    response = client.post(f"/orgs/{tree.street_a.code}/deactivate/", {"reason": "合并"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "该组织仍有1 个下级组织" in html
    tree.street_a.refresh_from_db()
    assert tree.street_a.active is True
    assert AuditEntry.objects.count() == 0


def test_deactivate_requires_reason(people: Any, tree: Any, login: Any) -> None:
    client = login(people.cadre_a)
    leaf = org_insert(code="G-A-9", parent=tree.street_a, name="空工会", kind="grassroots")
    response = client.post(f"/orgs/{leaf.code}/deactivate/", {"reason": ""})
    assert "errorlist" in field_block(response.content.decode(), "reason")
    leaf.refresh_from_db()
    assert leaf.active is True


def test_deactivate_and_reactivate(people: Any, tree: Any, login: Any) -> None:
    client = login(people.cadre_a)
    leaf = org_insert(code="G-A-9", parent=tree.street_a, name="空工会", kind="grassroots")
    response = client.post(f"/orgs/{leaf.code}/deactivate/", {"reason": "企业注销"})
    assert response.status_code == 302
    leaf.refresh_from_db()
    assert leaf.active is False
    assert AuditEntry.objects.get(action="org.deactivate").note == "企业注销"
    html = client.get(f"/orgs/{leaf.code}/").content.decode()
    assert "已撤销" in html and "/orgs/G-A-9/reactivate/" in html
    assert client.get(f"/orgs/{leaf.code}/reactivate/").status_code == 405
    assert client.post(f"/orgs/{leaf.code}/reactivate/").status_code == 302
    leaf.refresh_from_db()
    assert leaf.active is True
    # reactivating an active org shows the service's message
    response = client.post(f"/orgs/{leaf.code}/reactivate/", follow=True)
    assert "该组织本就有效" in response.content.decode()
