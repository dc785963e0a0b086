"""Audit page, member portal and error pages (the home pages: test_home.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gonghui.core import hooks
from gonghui.core.models import AuditEntry
from gonghui.orgs.models import Org
from gonghui.orgs.services import org_update


def test_member_home_redirects_to_portal(people: Any, login: Any) -> None:
    response = login(people.member_a).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/"


def test_portal_for_member(people: Any, tree: Any, login: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(
        hooks,
        "portal_cards",
        [
            lambda user: {
                "title": "我的会员卡",
                "body": f"{user.full_name} 的电子会员卡",
                "url": "/x/",
            },
            lambda user: None,
        ],
    )
    response = login(people.member_a).get("/portal/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="portal"' in html
    assert "member_a" in html and "甲公司工会" in html and "会员" in html
    assert '<a href="/x/">我的会员卡</a>' in html
    assert "member_a 的电子会员卡" in html
    # the member's nav holds only the portal
    assert 'href="/orgs/"' not in html and 'href="/audit/"' not in html


def test_portal_sends_staff_home(people: Any, login: Any) -> None:
    response = login(people.cadre_a).get("/portal/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def make_rows(actor: Any, org: Org, n: int) -> None:
    for i in range(n):
        org_update(actor=actor, org=org, data={"headcount": 1000 + i})


def test_audit_page_lists_changes_before_and_after(people: Any, tree: Any, login: Any) -> None:
    org_update(actor=people.cadre_a, org=tree.union_a, data={"chair": "甲主席", "headcount": 150})
    response = login(people.cadre_a).get("/audit/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "cadre_a" in html and "牡丹区总工会" in html
    assert '<td data-label="操作">修改组织</td>' in html
    assert '<span class="field">职工人数</span>：<del>120</del> → <ins>150</ins>' in html
    assert '<span class="field">工会主席</span>：<del>—</del> → <ins>甲主席</ins>' in html
    assert 'href="/orgs/G-A-0001/"' in html


def test_audit_page_is_scoped(people: Any, tree: Any, login: Any) -> None:
    org_update(actor=people.cadre_a, org=tree.union_a, data={"chair": "甲主席"})
    org_update(actor=people.cadre_b, org=tree.union_b, data={"chair": "乙主席"})
    html = login(people.cadre_b).get("/audit/").content.decode()
    assert "乙主席" in html and "甲主席" not in html
    html = login(people.cadre_b).get("/audit/", {"object_id": "G-A-0001"}).content.decode()
    assert "甲主席" not in html and "共 0 条" in html
    html = login(people.leader).get("/audit/").content.decode()
    assert "乙主席" in html and "甲主席" in html


@pytest.mark.parametrize("persona", ["operator", "clerk_a", "lawyer_a", "member_a"])
def test_audit_page_refused_without_audit_view(people: Any, login: Any, persona: str) -> None:
    assert login(getattr(people, persona)).get("/audit/").status_code == 404


def test_audit_filters(people: Any, tree: Any, login: Any) -> None:
    org_update(actor=people.cadre_a, org=tree.union_a, data={"chair": "甲主席"})
    org_update(actor=people.city_cadre, org=tree.street_a, data={"chair": "街道主席"})
    client = login(people.city_cadre)
    html = client.get("/audit/", {"actor": "cadre_a"}).content.decode()
    assert "甲主席" in html and "街道主席" not in html
    html = client.get("/audit/", {"object_type": "org", "object_id": "371702001"}).content.decode()
    assert "街道主席" in html and "甲主席" not in html
    html = client.get("/audit/", {"action": "org.create"}).content.decode()
    assert "共 0 条" in html
    today = timezone.localdate()
    html = client.get(
        "/audit/", {"date_from": today.isoformat(), "date_to": today.isoformat()}
    ).content.decode()
    assert "共 2 条" in html
    tomorrow = (today + timedelta(days=1)).isoformat()
    html = client.get("/audit/", {"date_from": tomorrow}).content.decode()
    assert "共 0 条" in html
    response = client.get("/audit/", {"date_from": "not-a-date"})
    assert response.status_code == 200
    assert "共 2 条" in response.content.decode()


def test_audit_pagination_and_query_budget(people: Any, tree: Any, login: Any) -> None:
    client = login(people.city_cadre)
    make_rows(people.cadre_a, tree.union_a, 3)
    client.get("/audit/")
    with CaptureQueriesContext(connection) as few:
        client.get("/audit/")
    make_rows(people.city_cadre, tree.street_a, 55)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/audit/").content.decode()
    assert len(many) == len(few)
    assert "共 58 条" in html and "第 1 / 2 页" in html
    assert html.count('data-action="org.update"') == 50
    html = client.get("/audit/", {"page": 2}).content.decode()
    assert html.count('data-action="org.update"') == 8
    assert "上一页" in html


def test_audit_rows_hold_no_session_data(people: Any, tree: Any, login: Any) -> None:
    # a page view writes nothing to the audit log
    client = login(people.city_cadre)
    for url in ["/", "/orgs/", f"/orgs/{tree.union_a.code}/", "/users/", "/audit/"]:
        assert client.get(url).status_code == 200, url
    assert AuditEntry.objects.count() == 0


def test_error_pages_render(people: Any, login: Any) -> None:
    response = login(people.cadre_a).get("/no-such-page/")
    assert response.status_code == 404
    assert "未找到" in response.content.decode()
    assert login(people.leader).get("/orgs/371702/edit/").status_code == 403
    html = login(people.leader).get("/orgs/371702/edit/").content.decode()
    assert "无权" in html


def test_500_template_renders_without_context() -> None:
    from django.template.loader import get_template

    html = get_template("500.html").render()
    assert "服务器错误" in html
