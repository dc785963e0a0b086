"""Each role's home page is its work: the clerk's roster and approvals, the operator's queue
and today's calls, the leader's dashboard, the member's portal, the cadre's figures and to-do,
the admin's accounts and lockouts, the lawyer's and counsellor's assigned cases."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.core import hooks, metrics
from gonghui.members.services import join_apply
from gonghui.orgs.models import Org
from gonghui.orgs.services import org_update

from .conftest import make_user
from .test_hotline_pages import new_ticket, step
from .test_members_api import ID_LI


def page(login: Any, user: Any) -> str:
    response = login(user).get("/")
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_home_page_lives_outside_core() -> None:
    # core is the kernel every module reuses and imports no module
    from gonghui.core import urls, views

    assert not any(getattr(p, "name", "") == "home" for p in urls.urlpatterns)
    assert not hasattr(views, "home")


def test_the_clerk_lands_on_the_roster_import_and_approvals(
    people: Any, tree: Any, login: Any
) -> None:
    join_apply(org=tree.union_a, data={"name": "李红", "id_number": ID_LI, "phone": "13700001234"})
    html = page(login, people.clerk_a)
    assert "您好，clerk_a" in html
    for url in ("/members/", "/members/import/", "/members/applications/"):
        assert f'href="{url}"' in html
    assert "入会审批" in html and "李红" in html  # the application waiting, by name
    assert "待审核入会申请" in html
    assert "本年度工作数据" not in html  # not the cadre's figures


def test_the_clerk_without_applications_sees_an_empty_state(
    people: Any, tree: Any, login: Any
) -> None:
    html = page(login, people.clerk_a)
    assert "没有待审核的入会申请。" in html


def test_the_operator_lands_on_the_queue_and_todays_calls(
    people: Any, tree: Any, login: Any
) -> None:
    ticket = new_ticket(people.operator)
    html = page(login, people.operator)
    assert 'href="/hotline/?tab=todo"' in html and 'href="/hotline/new/"' in html
    assert "今日来电" in html
    assert f'href="/hotline/{ticket.pk}/"' in html  # today's call opens its order
    assert "最近操作" not in html  # operators hold no audit.view


def test_the_operator_with_no_calls_today(people: Any, tree: Any, login: Any) -> None:
    html = page(login, people.operator)
    assert "今天还没有受理工单。" in html


def test_the_leader_lands_on_the_dashboard(people: Any, login: Any) -> None:
    response = login(people.leader).get("/")
    assert response.status_code == 302 and response["Location"] == "/reports/dashboard/"


def test_the_member_lands_on_the_portal(people: Any, login: Any) -> None:
    response = login(people.member_a).get("/")
    assert response.status_code == 302 and response["Location"] == "/portal/"


def test_the_cadre_sees_the_orgs_figures_and_to_do(people: Any, tree: Any, login: Any) -> None:
    ticket = new_ticket(people.operator)
    step(people.operator, ticket, "dispatch", org=tree.county_a.code, note="请核实处理")
    html = page(login, people.cadre_a)
    assert "牡丹区总工会" in html and "工会干部" in html
    assert "待办" in html and "待本级办理的热线工单" in html
    todo = html.split('<ul class="todo">')[1].split("</ul>")[0]
    assert (
        '<a href="/hotline/?tab=todo">待本级办理的热线工单</a><span class="todo-count">1</span>'
        in todo
    )
    assert "工作数据（本年）" in html and "县区总工会" in html and "有效账号" in html
    assert "/orgs/371702/new/" in html
    assert "最近操作" in html


def test_the_cadres_figures_are_the_registered_metrics(
    people: Any, tree: Any, login: Any, monkeypatch: Any
) -> None:
    metric = metrics.Metric(
        key="test.grassroots",
        label="基层工会数",
        unit="个",
        definition="子树内的基层工会",
        records=lambda org, start, end: Org.objects.filter(
            path__startswith=org.path, kind="grassroots"
        ),
    )
    monkeypatch.setitem(metrics._REGISTRY, metric.key, metric)
    html = page(login, people.city_cadre)
    assert 'title="子树内的基层工会"' in html
    assert '<span class="stat-value">2<small> 个</small></span>' in html
    assert 'href="/reports/figures/test.grassroots/?' in html  # a figure opens its records
    html = page(login, people.cadre_a)
    assert '<span class="stat-value">1<small> 个</small></span>' in html


def test_the_cadres_recent_actions_are_scoped(people: Any, tree: Any, login: Any) -> None:
    org_update(actor=people.cadre_b, org=tree.union_b, data={"chair": "乙主席"})
    org_update(actor=people.cadre_a, org=tree.union_a, data={"chair": "甲主席"})
    html = page(login, people.cadre_a)
    assert "甲主席" in html and "乙主席" not in html


def test_the_admin_sees_accounts_and_lockouts(people: Any, tree: Any, login: Any) -> None:
    from axes.models import AccessAttempt
    from django.utils import timezone

    AccessAttempt.objects.create(
        username="cadre_b",
        ip_address="127.0.0.1",
        user_agent="test",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        attempt_time=timezone.now(),
        get_data="",
        post_data="",
        http_accept="",
        path_info="/login/",
    )
    html = page(login, people.admin)
    assert 'href="/users/new/"' in html and 'href="/users/"' in html
    assert "以下账号因连续登录失败已被暂时锁定：cadre_b" in html
    assert "系统管理员" in html and "工会干部" in html  # accounts by role, as labels
    assert f'href="/users/{people.cadre_b.pk}/"' in html


def test_the_admin_without_lockouts(people: Any, login: Any) -> None:
    html = page(login, people.admin)
    assert "目前没有因连续登录失败而被锁定的账号。" in html


def test_the_lawyer_sees_a_clear_empty_state(people: Any, login: Any) -> None:
    html = page(login, people.lawyer_a)
    assert "我的案件与咨询" in html
    assert "目前没有分派给您的案件或咨询。" in html
    assert "本年度工作数据" not in html and "有效账号" not in html  # nothing of the subtree


@pytest.mark.parametrize("role", ["lawyer", "counsellor"])
def test_assigned_cases_are_listed_soonest_due_first(
    people: Any, tree: Any, login: Any, monkeypatch: Any, role: str
) -> None:
    user = make_user(f"{role}_x", role, tree.county_a)

    def cases(who: Any) -> list[dict[str, Any]]:
        if who != user:
            return []
        return [
            {"title": "张某欠薪案", "url": "/x/1/", "kind": "法律援助", "status": "办理中",
             "due": date(2020, 6, 1)},
            {"title": "李某咨询", "url": "/x/2/", "kind": "心理咨询", "status": "待回复",
             "due": date(2020, 5, 1)},
        ]  # fmt: skip

    monkeypatch.setattr(hooks, "assigned_cases", [cases])
    html = page(login, user)
    assert html.index("李某咨询") < html.index("张某欠薪案")
    assert 'href="/x/1/"' in html and "2020-06-01" in html
    assert "目前没有分派给您的案件或咨询。" not in html
    assert "张某欠薪案" not in page(login, people.lawyer_a)  # only the user's own


def test_a_user_without_an_org_is_told_so(tree: Any, login: Any) -> None:
    user = make_user("orphan", "cadre", tree.city)
    user.org = None
    user.save(update_fields=["org"])
    assert "您的账号尚未分配所属组织，请联系系统管理员。" in page(login, user)


@pytest.mark.parametrize("persona", ["city_cadre", "clerk_a", "operator", "admin", "lawyer_a"])
def test_each_home_page_has_a_query_budget(
    people: Any, tree: Any, login: Any, persona: str
) -> None:
    client = login(getattr(people, persona))
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    # a fixed number whatever the data, which is what this guards: the kernel's reads, one
    # query per module for its items due (``core.deadlines`` sources) and its to-do counts,
    # and every module's figures together in one statement per 30 families
    # (``Tally.prefetch``): 36 for the cadre with every module of 2026-12-06 (77 before the
    # figures were read together); the margin is for the modules being added
    assert len(queries) <= 49, [q["sql"] for q in queries]


def test_anonymous_is_sent_to_log_in(db: Any, client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
