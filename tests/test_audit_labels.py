"""The audit page and the "最近操作" lists in words: actions by their labels, fields by their
verbose names, choices by their labels, booleans as 是/否, related records and people by name;
filters take labels and pickers. And the hotline's timeline names people, not usernames."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.core import audit
from gonghui.core.models import AuditEntry
from gonghui.hotline import services
from gonghui.orgs.services import org_deactivate, org_update

from .conftest import make_user

CALL = {
    "channel": "wechat",
    "caller_name": "王小强",
    "caller_phone": "13800138000",
    "category": "demand",
    "complexity": "normal",
    "topic": "拖欠工资",
    "content": "公司拖欠三个月工资",
}


def _rows(html: str) -> list[str]:
    """The audit table's rows as text, tags stripped, spaces squeezed."""
    body = html.split('<table class="table audit">')[1].split("</table>")[0]
    rows = re.findall(r"<tr data-action[^>]*>(.*?)</tr>", body, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in rows]


def _dispatched(people: Any, tree: Any) -> Any:
    operator = make_user("op_wang", "operator", tree.city, full_name="王建国")
    ticket, _created = services.ticket_create(actor=operator, data=CALL)
    services.ticket_act(actor=operator, ticket=ticket, action="dispatch", data={"org": "371702"})
    return operator, ticket


def test_a_dispatch_reads_as_words(people: Any, tree: Any, login: Any) -> None:
    _operator, ticket = _dispatched(people, tree)
    html = login(people.city_cadre).get("/audit/", {"object_type": "ticket"}).content.decode()
    dispatch, create = _rows(html)
    # who (full name), their org, the action's label, the order by number and topic
    assert "王建国 菏泽市总工会 派单" in dispatch
    assert f"热线工单 {ticket.number} 拖欠工资" in dispatch
    assert f'<a href="/hotline/{ticket.pk}/">{ticket.number} 拖欠工资</a>' in html
    # fields by verbose name, choices by label, related orgs by name
    assert "状态 ： 已受理 → 已派单" in dispatch
    assert "承办单位 ： — → 牡丹区总工会" in dispatch
    assert "派单单位 ： — → 菏泽市总工会" in dispatch
    assert "受理工单" in create
    assert "来源渠道 ： — → 微信" in create
    assert "问题分类 ： — → 拖欠工资" in create
    for code in ("hotline.dispatch", "handler_org", "received", "wechat", "371702", "ticket "):
        assert code not in " ".join(_rows(html)), code


def test_booleans_read_as_yes_or_no(people: Any, tree: Any, login: Any) -> None:
    org_deactivate(actor=people.city_cadre, org=tree.union_b)
    html = login(people.city_cadre).get("/audit/", {"action": "org.deactivate"}).content.decode()
    (row,) = _rows(html)
    assert "撤销组织" in row and "乙公司工会" in row
    assert "有效 ： 是 → 否" in row
    assert "True" not in row and "False" not in row


def test_describe_one_row_without_a_page(people: Any, tree: Any) -> None:
    org_update(actor=people.cadre_a, org=tree.union_a, data={"headcount": 150})
    (row,) = audit.describe(AuditEntry.objects.filter(action="org.update"))
    assert (row.action, row.actor, row.actor_org) == ("修改组织", "cadre_a", "牡丹区总工会")
    assert (row.object_type, row.object, row.url) == ("工会组织", "甲公司工会", "/orgs/G-A-0001/")
    assert [(c.label, c.before, c.after) for c in row.changes] == [("职工人数", "120", "150")]


def test_unknown_actions_and_fields_show_as_written(people: Any, tree: Any) -> None:
    from django.db import transaction

    with transaction.atomic():
        entry = audit.record(
            actor=None,
            action="later.module",
            object_type="thing",
            object_id=7,
            object_repr="某事项",
            changes={"weight": {"before": 1, "after": 2}},
        )
    (row,) = audit.describe([entry])
    assert (row.action, row.actor, row.object_type, row.object) == (
        "later.module",
        "系统",
        "thing",
        "某事项",
    )
    assert [(c.label, c.before, c.after) for c in row.changes] == [("weight", "1", "2")]


def test_the_page_costs_the_same_queries_whatever_it_holds(
    people: Any, tree: Any, login: Any
) -> None:
    """One query per kind of record and per related model, not per row."""
    client = login(people.city_cadre)
    _dispatched(people, tree)
    org_update(actor=people.cadre_a, org=tree.union_a, data={"headcount": 199})
    client.get("/audit/")
    with CaptureQueriesContext(connection) as few:
        client.get("/audit/")
    for n in range(5):
        org_update(actor=people.cadre_a, org=tree.union_a, data={"headcount": 200 + n})
        other = make_user(f"op_{n}", "operator", tree.city, full_name=f"话务员{n}")
        ticket, _created = services.ticket_create(actor=other, data=CALL)
        services.ticket_act(actor=other, ticket=ticket, action="dispatch", data={"org": "371721"})
    with CaptureQueriesContext(connection) as many:
        html = client.get("/audit/").content.decode()
    assert len(many) == len(few)
    assert html.count('data-action="hotline.dispatch"') == 6


def test_recent_actions_on_the_home_page_read_as_words(people: Any, tree: Any, login: Any) -> None:
    _dispatched(people, tree)
    html = login(people.city_cadre).get("/").content.decode()
    assert "最近操作" in html
    assert "派单" in html and "承办单位" in html and "hotline.dispatch</" not in html


def test_filters_take_labels_and_pickers(people: Any, tree: Any, login: Any) -> None:
    _dispatched(people, tree)
    org_update(actor=people.cadre_a, org=tree.union_a, data={"headcount": 150})
    client = login(people.city_cadre)
    html = client.get("/audit/").content.decode()
    # the action and type filters list labels (their values stay the codes the URL carries)
    assert '<option value="hotline.dispatch">派单</option>' in html
    assert '<optgroup label="热线工单">' in html
    assert '<option value="ticket">热线工单</option>' in html
    assert 'data-picker="user"' in html
    # the actor picker takes a full name (or pinyin) as well as the username
    for who in ("王建国", "wangjianguo", "wjg", "op_wang", "王建国（菏泽市总工会）"):
        rows = _rows(client.get("/audit/", {"actor": who}).content.decode())
        assert len(rows) == 2 and all("王建国" in r for r in rows), who
    rows = _rows(client.get("/audit/", {"action": "hotline.dispatch"}).content.decode())
    assert len(rows) == 1 and "派单" in rows[0]
    # the chosen actor shows as a name in the box
    html = client.get("/audit/", {"actor": "op_wang"}).content.decode()
    assert 'value="王建国（菏泽市总工会）"' in html


def test_the_actor_filter_finds_no_one_outside_scope(people: Any, tree: Any, login: Any) -> None:
    make_user("cadre_b2", "cadre", tree.county_b, full_name="赵六")
    org_update(actor=people.cadre_b, org=tree.union_b, data={"headcount": 90})
    html = login(people.cadre_a).get("/audit/", {"actor": "赵六"}).content.decode()
    assert "未找到“赵六”" in html


def test_timeline_names_people_with_their_org(people: Any, tree: Any, login: Any) -> None:
    _operator, ticket = _dispatched(people, tree)
    html = login(people.city_cadre).get(f"/hotline/{ticket.pk}/").content.decode()
    timeline = html.split('data-testid="timeline"')[1].split("</ol>")[0]
    assert "王建国 · 菏泽市总工会" in timeline
    assert "op_wang" not in timeline


def test_the_audit_page_in_english(people: Any, tree: Any, login: Any) -> None:
    from django.conf import settings

    _dispatched(people, tree)
    org_deactivate(actor=people.city_cadre, org=tree.union_b)
    client = login(people.city_cadre)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    rows = " ".join(_rows(client.get("/audit/").content.decode()))
    assert "Handling union ： — → 牡丹区总工会" in rows  # names stay as they are written
    assert "Status ： Received → Dispatched" in rows
    assert "Yes → No" in rows
    assert "Register order" in rows
    assert "派单" not in rows and "受理工单" not in rows


def test_filter_by_the_records_org_by_name(people: Any, tree: Any, login: Any) -> None:
    org_update(actor=people.cadre_a, org=tree.union_a, data={"chair": "甲主席"})
    org_update(actor=people.cadre_b, org=tree.union_b, data={"chair": "乙主席"})
    client = login(people.city_cadre)
    rows = _rows(client.get("/audit/", {"org": "牡丹区"}).content.decode())
    assert len(rows) == 1 and "甲主席" in rows[0]
    rows = _rows(client.get("/audit/", {"org": "cxzgh"}).content.decode())
    assert len(rows) == 1 and "乙主席" in rows[0]
    # county B's cadre cannot pick county A, and sees nothing of it
    html = login(people.cadre_b).get("/audit/", {"org": "牡丹区总工会"}).content.decode()
    assert "未找到“牡丹区总工会”" in html and "甲主席" not in html


def test_the_api_timeline_names_people_too(people: Any, tree: Any, api: Any) -> None:
    _operator, ticket = _dispatched(people, tree)
    detail = api(people.city_cadre).get(f"/api/v1/hotline/tickets/{ticket.pk}").json()
    dispatch = detail["timeline"][1]
    assert (dispatch["action"], dispatch["actor"], dispatch["actor_name"]) == (
        "dispatch",
        "op_wang",
        "王建国",
    )
    assert (dispatch["org"], dispatch["org_name"]) == ("371700", "菏泽市总工会")
