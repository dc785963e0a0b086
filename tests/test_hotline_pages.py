"""Hotline pages: intake, the queue with its tabs and cards, the order page (masked phone,
timeline, only the allowed steps, refusals shown), statistics, attachments, the member's
360° section and the portal (file, follow, rate). Every page is tried by someone outside
its scope: refused, nothing changed."""

from __future__ import annotations

import hashlib
import re
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gonghui.core.models import AuditEntry, StoredFile
from gonghui.core.uploads import purge_expired
from gonghui.hotline import services
from gonghui.hotline.models import Status, Ticket, TicketEvent

from .conftest import make_user

PHONE = "13853012345"
ACTION = re.compile(r'<form[^>]*data-action="([\w-]+)"')


def html_of(response: Any) -> str:
    return str(response.content.decode())


def new_ticket(actor: Any, **extra: Any) -> Ticket:
    data = {
        "received_at": timezone.now(),
        "channel": "phone",
        "caller_name": "王强",
        "caller_phone": PHONE,
        "category": "demand",
        "complexity": "normal",
        "topic": "0101",
        "content": "公司拖欠三个月工资,共计一万二千元。",
        **extra,
    }
    ticket, created = services.ticket_create(actor=actor, data=data)
    assert created
    return ticket


def step(actor: Any, ticket: Ticket, action: str, **data: Any) -> Ticket:
    return services.ticket_act(actor=actor, ticket=ticket, action=action, data=data)


@pytest.fixture
def at_a(people: Any, tree: Any) -> Ticket:
    """An order received by the city and dispatched to county A."""
    ticket = new_ticket(people.operator)
    return step(people.operator, ticket, "dispatch", org=tree.county_a.code, note="请核实处理")


def state(ticket: Ticket) -> tuple[Any, ...]:
    ticket.refresh_from_db()
    return (ticket.status, ticket.handler_org_id, ticket.reopen_count, ticket.events.count())


# --- nav and who may open what -----------------------------------------------------------


def test_nav_shows_hotline_to_staff_with_the_permission(people: Any, login: Any) -> None:
    assert "/hotline/" in html_of(login(people.operator).get("/"))
    assert "/hotline/" in html_of(login(people.clerk_a).get("/"))
    assert "/hotline/" not in html_of(login(people.lawyer_a).get("/"))


@pytest.mark.parametrize("who", ["member_a", "lawyer_a"])
@pytest.mark.parametrize("url", ["/hotline/", "/hotline/new/", "/hotline/stats/"])
def test_pages_refuse_members_and_lawyers(people: Any, login: Any, who: str, url: str) -> None:
    assert login(getattr(people, who)).get(url).status_code == 404


def test_pages_send_anonymous_to_login(db: Any) -> None:
    from django.test import Client

    response = Client().get("/hotline/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- intake ------------------------------------------------------------------------------


def intake(**extra: Any) -> dict[str, Any]:
    return {
        "caller_phone": "138 5301 2345",
        "caller_name": "李娜",
        "category": "demand",
        "topic": "拖欠工资（欠薪）",  # as the picker fills it in
        "complexity": "normal",
        "content": "工地拖欠工资两个月。",
        "urgency": "normal",
        "channel": "phone",
        **extra,
    }


def test_intake_form_is_keyboard_first(people: Any, login: Any) -> None:
    html = html_of(login(people.operator).get("/hotline/new/"))
    form = html.split('data-testid="intake"')[1].split("</form>")[0]
    fields = re.findall(r'<(?:input|select|textarea)[^>]*name="(\w+)"', form)
    assert fields[:6] == [
        "csrfmiddlewaretoken",
        "caller_phone",
        "caller_name",
        "category",
        "topic",
        "complexity",
    ]
    assert re.search(r'name="caller_phone"[^>]*autofocus|autofocus[^>]*name="caller_phone"', html)
    assert "data-ctrl-enter" in html
    # the topic is a picker: a box with the topic list (searched by pinyin with JavaScript)
    assert 'list="id_topic-options"' in html and 'data-picker="topic"' in html
    assert '<option value="拖欠工资（欠薪）" data-value="0101" data-label="拖欠工资"' in html
    assert "/static/js/hotline.js" in html


def test_intake_creates_an_order_and_shows_it(people: Any, login: Any, tree: Any) -> None:
    client = login(people.operator)
    response = client.post("/hotline/new/", intake())
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/hotline/{ticket.pk}/"
    assert ticket.status == Status.RECEIVED
    assert ticket.topic.code == "0101"
    assert ticket.caller_phone == PHONE
    assert ticket.receiving_org == tree.city
    assert ticket.filed_by == people.operator
    page = html_of(client.get(response["Location"]))
    assert ticket.number in page
    assert "138****2345" in page
    assert PHONE not in page


@pytest.mark.parametrize("topic", ["0101", "拖欠工资", "欠薪", "tqgz", "tuoqiangong"])
def test_intake_takes_the_topic_by_code_or_name(people: Any, login: Any, topic: str) -> None:
    login(people.operator).post("/hotline/new/", intake(topic=topic))
    assert Ticket.objects.get().topic.name in ("拖欠工资", "欠薪")


def test_intake_save_and_take_the_next_call(people: Any, login: Any) -> None:
    response = login(people.operator).post("/hotline/new/", {**intake(), "next": "new"})
    assert response.status_code == 302
    assert response["Location"] == "/hotline/new/"
    assert Ticket.objects.count() == 1


def test_intake_consultation_answered_on_the_spot_closes(people: Any, login: Any) -> None:
    data = intake(category="consult", topic="0201", answered="on", answer="依法应签订书面合同。")
    response = login(people.operator).post("/hotline/new/", data)
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.status == Status.CLOSED
    assert ticket.answered_on_spot is True
    assert ticket.closed_on_time is True


def test_intake_only_a_consultation_is_answered_on_the_spot(people: Any, login: Any) -> None:
    response = login(people.operator).post("/hotline/new/", intake(answered="on", answer="已答复"))
    assert response.status_code == 200
    assert "只有咨询类工单可以当场答复结案" in html_of(response)
    assert Ticket.objects.count() == 0


def test_intake_names_the_field_in_error(people: Any, login: Any) -> None:
    response = login(people.operator).post(
        "/hotline/new/", intake(topic="不存在的主题", content="")
    )
    html = html_of(response)
    assert response.status_code == 200
    assert re.search(r'id="field-content"[^>]*>.*?errorlist', html, re.S)
    assert re.search(r'id="field-topic".*?class="errorlist"', html, re.S)
    assert Ticket.objects.count() == 0


def test_intake_refused_to_a_clerk(people: Any, login: Any) -> None:
    response = login(people.clerk_a).post("/hotline/new/", intake())
    assert response.status_code == 404
    assert Ticket.objects.count() == 0


def test_intake_with_an_attachment(people: Any, login: Any) -> None:
    upload = SimpleUploadedFile("工资条.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client = login(people.operator)
    client.post("/hotline/new/", {**intake(), "attachment": upload})
    ticket = Ticket.objects.get()
    item = ticket.attachments.get()
    assert item.name == "工资条.pdf"
    url = f"/hotline/{ticket.pk}/files/{item.pk}/"
    assert url in html_of(client.get(f"/hotline/{ticket.pk}/"))
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    cadre_b = make_user("cadre_b2", "cadre", ticket.receiving_org.children.get(code="371721"))
    assert login(cadre_b).get(url).status_code == 404


# --- the queue ---------------------------------------------------------------------------


def test_queue_of_the_handler_shows_its_order(people: Any, login: Any, at_a: Ticket) -> None:
    html = html_of(login(people.cadre_a).get("/hotline/"))
    assert at_a.number in html
    assert 'data-tab="todo"' in html
    assert "王**" in html or "王*" in html
    assert PHONE not in html


def test_queue_hides_orders_outside_the_path(people: Any, login: Any, at_a: Ticket) -> None:
    for tab in ("todo", "all", "dispatched"):
        html = html_of(login(people.cadre_b).get(f"/hotline/?tab={tab}"))
        assert at_a.number not in html


def test_queue_tabs_by_status(people: Any, login: Any, at_a: Ticket) -> None:
    other = new_ticket(people.operator)
    client = login(people.operator)
    received = html_of(client.get("/hotline/?tab=received"))
    assert other.number in received and at_a.number not in received
    dispatched = html_of(client.get("/hotline/?tab=dispatched"))
    assert at_a.number in dispatched and other.number not in dispatched
    todo = html_of(client.get("/hotline/?tab=todo"))
    assert other.number in todo and at_a.number not in todo


def test_queue_shows_yellow_and_red_cards(people: Any, login: Any, at_a: Ticket) -> None:
    yellow = new_ticket(people.operator)
    step(people.operator, yellow, "dispatch", org="371702")
    Ticket.objects.filter(pk=at_a.pk).update(card="red")
    Ticket.objects.filter(pk=yellow.pk).update(card="yellow")
    client = login(people.cadre_a)
    html = html_of(client.get("/hotline/"))
    assert re.search(rf'class="card-red" data-number="{at_a.number}"', html)
    assert re.search(rf'class="card-yellow" data-number="{yellow.number}"', html)
    red_only = html_of(client.get("/hotline/?card=red&tab=all"))
    assert at_a.number in red_only and yellow.number not in red_only


def test_queue_filters_by_org_in_scope_only(people: Any, login: Any, at_a: Ticket) -> None:
    client = login(people.cadre_b)
    html = html_of(client.get("/hotline/?org=371702&tab=all"))
    assert "未找到“371702”" in html
    assert at_a.number not in html
    # by its name too (the picker's text), and the box shows the name, not the code
    html = html_of(client.get("/hotline/?org=牡丹区总工会&tab=all"))
    assert "未找到“牡丹区总工会”" in html and at_a.number not in html
    city = html_of(login(people.city_cadre).get("/hotline/?org=371702&tab=all"))
    assert at_a.number in city
    assert 'value="牡丹区总工会（菏泽市总工会）"' in city
    city = html_of(login(people.city_cadre).get("/hotline/?org=mdq&tab=all"))
    assert at_a.number in city


def test_queue_query_count_does_not_grow_with_rows(people: Any, login: Any) -> None:
    client = login(people.operator)
    new_ticket(people.operator)
    with CaptureQueriesContext(connection) as one:
        client.get("/hotline/?tab=all")
    for _ in range(6):
        new_ticket(people.operator)
    with CaptureQueriesContext(connection) as seven:
        response = client.get("/hotline/?tab=all")
    assert html_of(response).count("data-number=") == 7
    assert len(seven) == len(one)


def test_to_do_follows_the_order_down_the_tree_and_stays_on_its_path(
    people: Any, tree: Any, login: Any
) -> None:
    """The "to do" tab reads the order's own org columns, not its path rows
    (``Ticket.objects.waiting_for``): through dispatch down the tree, a return, a
    reassignment, the reply and the callback it names exactly the org whose step is next,
    and never an order the user could not see."""
    clerk_s = make_user("clerk_s", "clerk", tree.street_a)
    users = {
        "operator": people.operator,
        "cadre_a": people.cadre_a,
        "clerk_s": clerk_s,
        "clerk_a": people.clerk_a,
        "cadre_b": people.cadre_b,
        "member_a": people.member_a,
        "lawyer_a": people.lawyer_a,
    }
    ticket = new_ticket(people.operator)

    def waiting_now(expected: set[str]) -> None:
        holders = set()
        for name, user in users.items():
            waiting = set(Ticket.objects.waiting_for(user).values_list("pk", flat=True))
            visible = set(Ticket.objects.visible_to(user).values_list("pk", flat=True))
            assert waiting <= visible, name
            if ticket.pk in waiting:
                holders.add(name)
        assert holders == expected
        for name in ("operator", "cadre_a", "clerk_a", "cadre_b"):
            todo = html_of(login(users[name]).get("/hotline/?tab=todo"))
            assert (ticket.number in todo) == (name in expected), name

    waiting_now({"operator"})
    ticket = step(people.operator, ticket, "dispatch", org=tree.county_a.code)
    waiting_now({"cadre_a"})
    ticket = step(people.cadre_a, ticket, "dispatch", org=tree.street_a.code)
    waiting_now({"clerk_s"})
    ticket = step(clerk_s, ticket, "return", reason="不属本街道")
    waiting_now({"cadre_a"})
    ticket = step(people.cadre_a, ticket, "dispatch", org=tree.street_a.code)
    ticket = step(people.cadre_a, ticket, "reassign", org=tree.union_a.code)
    waiting_now({"clerk_a"})
    ticket = step(people.clerk_a, ticket, "accept")
    waiting_now({"clerk_a"})
    ticket = step(people.clerk_a, ticket, "reply", result="已追回工资", wages_recovered="12000")
    waiting_now({"operator"})
    ticket = step(people.operator, ticket, "callback", satisfaction="satisfied", note="满意")
    ticket = step(people.operator, ticket, "check", passed=True)
    ticket = step(people.operator, ticket, "close")
    waiting_now(set())


# --- the order page ----------------------------------------------------------------------


def test_order_page_shows_masked_phone_and_timeline(people: Any, login: Any, at_a: Ticket) -> None:
    html = html_of(login(people.cadre_a).get(f"/hotline/{at_a.pk}/"))
    assert "138****2345" in html
    assert PHONE not in html
    assert "公司拖欠三个月工资" in html
    timeline = html.split('data-testid="timeline"')[1]
    assert "派单" in timeline and "请核实处理" in timeline
    assert "牡丹区总工会" in html


def test_order_page_is_404_outside_the_path(people: Any, login: Any, at_a: Ticket) -> None:
    assert login(people.cadre_b).get(f"/hotline/{at_a.pk}/").status_code == 404
    assert login(people.cadre_b).get("/hotline/999999/").status_code == 404


def test_order_page_lists_only_the_steps_allowed_now(people: Any, login: Any, at_a: Ticket) -> None:
    handler = html_of(login(people.cadre_a).get(f"/hotline/{at_a.pk}/"))
    assert sorted(re.findall(ACTION, handler)) == ["accept", "dispatch", "return"]
    operator = html_of(login(people.operator).get(f"/hotline/{at_a.pk}/"))
    assert re.findall(ACTION, operator) == ["reassign", "supervise"]
    leader = html_of(login(people.leader).get(f"/hotline/{at_a.pk}/"))
    assert re.findall(ACTION, leader) == []
    assert 'data-testid="no-actions"' in leader


def test_the_whole_flow_through_the_pages(people: Any, login: Any, tree: Any) -> None:
    op = login(people.operator)
    op.post("/hotline/new/", intake())
    ticket = Ticket.objects.get()
    url = f"/hotline/{ticket.pk}/"
    assert op.post(url + "dispatch/", {"dispatch-org": "371702"}).status_code == 302
    a = login(people.cadre_a)
    assert a.post(url + "accept/", {}).status_code == 302
    reply = {
        "reply-result": "已督促企业支付",
        "reply-wages_recovered": "12000.50",
        "reply-workers": "3",
    }
    assert a.post(url + "reply/", reply).status_code == 302
    assert op.post(url + "callback/", {"callback-satisfaction": "satisfied"}).status_code == 302
    assert op.post(url + "check/", {"check-passed": "yes"}).status_code == 302
    assert op.post(url + "close/", {}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert str(ticket.wages_recovered) == "12000.50"
    assert ticket.workers == 3
    actions = list(ticket.events.values_list("action", flat=True))
    assert actions[-6:] == ["dispatch", "accept", "reply", "callback", "check", "close"]
    assert AuditEntry.objects.filter(object_type="ticket", object_id=str(ticket.pk)).count() == 7


def test_a_refused_step_is_shown_and_changes_nothing(people: Any, login: Any, at_a: Ticket) -> None:
    before = state(at_a)
    response = login(people.cadre_a).post(f"/hotline/{at_a.pk}/close/", {})
    assert response.status_code == 200
    html = html_of(response)
    assert 'data-testid="action-error"' in html
    assert "不能执行" in html
    assert state(at_a) == before


def test_a_step_with_missing_input_keeps_the_form(people: Any, login: Any, at_a: Ticket) -> None:
    before = state(at_a)
    response = login(people.cadre_a).post(f"/hotline/{at_a.pk}/return/", {"return-reason": ""})
    assert response.status_code == 200
    assert re.search(r'<form[^>]*data-action="return".*?errorlist', html_of(response), re.S)
    assert state(at_a) == before


def test_a_step_outside_the_path_is_404(people: Any, login: Any, at_a: Ticket) -> None:
    before = state(at_a)
    response = login(people.cadre_b).post(f"/hotline/{at_a.pk}/accept/", {})
    assert response.status_code == 404
    assert state(at_a) == before


def test_a_clerk_below_cannot_take_the_county_step(people: Any, login: Any, at_a: Ticket) -> None:
    before = state(at_a)
    response = login(people.clerk_a).post(f"/hotline/{at_a.pk}/accept/", {})
    assert response.status_code in (200, 404)
    assert state(at_a) == before


def test_return_goes_back_with_its_reason(people: Any, login: Any, at_a: Ticket) -> None:
    client = login(people.cadre_a)
    client.post(f"/hotline/{at_a.pk}/return/", {"return-reason": "不属本区管辖"})
    at_a.refresh_from_db()
    assert at_a.status == Status.RETURNED
    assert TicketEvent.objects.filter(ticket=at_a, action="return").get().note == "不属本区管辖"


# --- statistics --------------------------------------------------------------------------


def test_stats_page_shows_figures_charts_and_tables(people: Any, login: Any, at_a: Ticket) -> None:
    today = timezone.localdate()
    client = login(people.city_cadre)
    html = html_of(
        client.get(f"/hotline/stats/?org=371700&start={today - timedelta(days=1)}&end={today}")
    )
    figures = dict(re.findall(r'data-key="(\w+)"><span class="stat-value">([^<]+)<', html))
    assert figures["received"] == "1"
    assert figures["dispatched"] == "1"
    assert figures["closed"] == "0"
    county_a = html.split('data-testid="table-county"')[1].split("</table>")[0]
    assert re.search(
        r'<tr data-key="371702"><td>牡丹区总工会</td>(<td class="num">[^<]*</td>){6}', county_a
    )
    for key in ("category", "topic", "county"):
        assert f'data-testid="chart-{key}"' in html
        assert f'id="chart-data-{key}"' in html
        assert f'data-testid="table-{key}"' in html
    assert "/static/vendor/echarts-5.6.0.min.js" in html


def test_stats_of_another_subtree_are_refused(people: Any, login: Any, at_a: Ticket) -> None:
    html = html_of(login(people.cadre_b).get("/hotline/stats/?org=371702"))
    assert "未找到“371702”" in html
    assert 'data-testid="figures"' not in html


def test_stats_refused_to_a_clerk(people: Any, login: Any) -> None:
    assert login(people.clerk_a).get("/hotline/stats/").status_code == 404


# --- the member's 360° page and the portal -----------------------------------------------


@pytest.fixture
def member_wang(people: Any, tree: Any) -> Any:
    from gonghui.members.services import member_create

    return member_create(
        actor=people.clerk_a,
        org=tree.union_a,
        data={
            "name": "王强",
            "id_number": "37170219900101123" + _check("37170219900101123"),
            "phone": PHONE,
            "joined_on": "2015-03-01",
        },
    )


def _check(body: str) -> str:
    from gonghui.core.identifiers import citizen_id_check_char

    return citizen_id_check_char(body)


def test_member_360_lists_their_orders(people: Any, login: Any, member_wang: Any) -> None:
    ticket = new_ticket(people.operator)
    step(people.operator, ticket, "dispatch", org="371702")
    ticket.refresh_from_db()
    assert ticket.member_id == member_wang.pk
    html = html_of(login(people.cadre_a).get(f"/members/{member_wang.pk}/"))
    assert "12351 热线工单" in html
    assert f'<a href="/hotline/{ticket.pk}/">{ticket.number} 拖欠工资</a>' in html


def test_member_360_hides_orders_off_the_users_path(
    people: Any, login: Any, tree: Any, member_wang: Any
) -> None:
    ticket = new_ticket(people.operator)
    step(people.operator, ticket, "dispatch", org="371721")
    html = html_of(login(people.cadre_a).get(f"/members/{member_wang.pk}/"))
    assert ticket.number not in html


def test_portal_member_files_follows_and_rates(people: Any, login: Any, tree: Any) -> None:
    client = login(people.member_a)
    assert "/portal/hotline/" in html_of(client.get("/portal/"))
    response = client.post(
        "/portal/hotline/new/",
        {"category": "demand", "topic": "欠薪", "content": "老板拖欠工资", "caller_phone": PHONE},
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/hotline/{ticket.pk}/"
    assert ticket.filed_by == people.member_a
    assert ticket.channel == "app"
    assert ticket.number in html_of(client.get("/portal/hotline/"))
    # the handler's internal note never reaches the member
    step(people.operator, ticket, "dispatch", org="371702", note="内部意见:先电话核实")
    step(people.cadre_a, ticket, "accept")
    step(people.cadre_a, ticket, "reply", result="已支付", wages_recovered="3000")
    page = html_of(client.get(f"/portal/hotline/{ticket.pk}/"))
    assert "内部意见" not in page
    assert "cadre_a" not in page
    assert "派单" in page
    assert 'data-testid="rate-form"' in page
    assert client.post(f"/portal/hotline/{ticket.pk}/rate/", {"rating": "5"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.rating == 5
    assert 'data-testid="rate-form"' not in html_of(client.get(f"/portal/hotline/{ticket.pk}/"))


def test_portal_orders_of_someone_else_are_404(people: Any, login: Any, at_a: Ticket) -> None:
    other = make_user("member_b", "member", people.cadre_b.org)
    client = login(other)
    assert client.get(f"/portal/hotline/{at_a.pk}/").status_code == 404
    assert client.post(f"/portal/hotline/{at_a.pk}/rate/", {"rating": "1"}).status_code == 404
    at_a.refresh_from_db()
    assert at_a.rating is None
    assert at_a.number not in html_of(client.get("/portal/hotline/"))


def test_portal_pages_send_staff_home(people: Any, login: Any) -> None:
    assert login(people.operator).get("/portal/hotline/")["Location"] == "/"


def test_queue_shows_the_notices_of_my_org(people: Any, login: Any, at_a: Ticket) -> None:
    from gonghui.hotline.models import Notification

    Notification.objects.create(
        org=at_a.handler_org, ticket=at_a, kind="red", due_on=at_a.due_on, message="已超期"
    )
    html = html_of(login(people.cadre_a).get("/hotline/"))
    notices = html.split('data-testid="notices"')[1].split("</section>")[0]
    assert f'<a href="/hotline/{at_a.pk}/">已超期</a>' in notices
    assert 'data-testid="notices"' not in html_of(login(people.cadre_b).get("/hotline/"))
    assert 'data-testid="notices"' not in html_of(login(people.operator).get("/hotline/"))


def test_order_page_query_count_does_not_grow_with_the_timeline(
    people: Any, login: Any, at_a: Ticket
) -> None:
    client = login(people.cadre_a)
    with CaptureQueriesContext(connection) as short:
        client.get(f"/hotline/{at_a.pk}/")
    step(people.cadre_a, at_a, "accept")
    for i in range(4):
        step(people.cadre_a, at_a, "progress", note=f"第{i}次进展")
    with CaptureQueriesContext(connection) as long:
        response = client.get(f"/hotline/{at_a.pk}/")
    assert html_of(response).count('<li data-action="progress">') == 4
    assert len(long) == len(short)


def test_intake_refuses_a_bad_attachment_and_files_nothing(people: Any, login: Any) -> None:
    upload = SimpleUploadedFile("run.exe", b"MZ", content_type="application/x-msdownload")
    response = login(people.operator).post("/hotline/new/", {**intake(), "attachment": upload})
    assert response.status_code == 200
    assert "不支持的附件类型" in html_of(response)
    assert Ticket.objects.count() == 0


def test_handler_attaches_a_file_on_the_order_page(people: Any, login: Any, at_a: Ticket) -> None:
    upload = SimpleUploadedFile("回执.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    client = login(people.cadre_a)
    response = client.post(f"/hotline/{at_a.pk}/files/", {"attachment": upload})
    assert response.status_code == 302
    assert at_a.attachments.get().name == "回执.png"
    assert at_a.events.filter(action="attach").count() == 1


def test_attachments_go_through_the_upload_guard(
    people: Any, login: Any, at_a: Ticket, settings: Any
) -> None:
    """An executable named as a PDF, or one declared as a PDF by the browser, is refused for
    its first bytes; what is kept is a 0600 StoredFile under the data dir, with its hash."""
    client = login(people.cadre_a)
    for name, declared in (("工资条.pdf", "application/pdf"), ("工资条.exe", "application/pdf")):
        upload = SimpleUploadedFile(name, b"MZ\x90\x00evil", content_type=declared)
        response = client.post(f"/hotline/{at_a.pk}/files/", {"attachment": upload})
        assert response.status_code == 200
        assert at_a.attachments.count() == 0
    assert not StoredFile.objects.exists()
    upload = SimpleUploadedFile("工资条.pdf", b"%PDF-1.4 test", content_type="text/html")
    assert client.post(f"/hotline/{at_a.pk}/files/", {"attachment": upload}).status_code == 302
    item = at_a.attachments.select_related("stored").get()
    assert item.content_type == "application/pdf"  # from the name, not the browser's say
    assert item.stored.sha256 == hashlib.sha256(b"%PDF-1.4 test").hexdigest()
    path = Path(settings.DATA_DIR) / item.stored.path
    assert path.read_bytes() == b"%PDF-1.4 test"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    download = client.get(f"/hotline/{at_a.pk}/files/{item.pk}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    # past its retention the hourly purge deletes it; the link then answers 404
    purge_expired(now=item.stored.retain_until + timedelta(seconds=1))
    assert client.get(f"/hotline/{at_a.pk}/files/{item.pk}/").status_code == 404


def test_attaching_is_refused_outside_the_path_and_to_a_leader(
    people: Any, login: Any, at_a: Ticket
) -> None:
    for user in (people.cadre_b, people.leader):
        upload = SimpleUploadedFile("x.pdf", b"%PDF", content_type="application/pdf")
        response = login(user).post(f"/hotline/{at_a.pk}/files/", {"attachment": upload})
        assert response.status_code == 404
    assert at_a.attachments.count() == 0
    assert 'data-testid="attach-form"' not in html_of(
        login(people.leader).get(f"/hotline/{at_a.pk}/")
    )


def test_operator_reveals_the_callers_number_once_audited(
    people: Any, login: Any, at_a: Ticket
) -> None:
    from gonghui.core.models import AuditEntry

    client = login(people.operator)
    assert 'data-testid="reveal"' in html_of(client.get(f"/hotline/{at_a.pk}/"))
    html = html_of(client.post(f"/hotline/{at_a.pk}/reveal/"))
    assert PHONE in html
    row = AuditEntry.objects.get(action="hotline.reveal", object_id=str(at_a.pk))
    assert row.actor_name == "operator" and PHONE not in str(row.changes)
    assert PHONE not in html_of(client.get(f"/hotline/{at_a.pk}/"))


def test_reveal_refused_to_the_handler_and_outside_the_path(
    people: Any, login: Any, at_a: Ticket, api: Any
) -> None:
    from gonghui.core.models import AuditEntry

    page = html_of(login(people.cadre_a).get(f"/hotline/{at_a.pk}/"))
    assert 'data-testid="reveal"' not in page
    assert login(people.cadre_a).post(f"/hotline/{at_a.pk}/reveal/").status_code == 403
    assert login(people.cadre_b).post(f"/hotline/{at_a.pk}/reveal/").status_code == 404
    url = f"/api/v1/hotline/tickets/{at_a.pk}/reveal"
    assert api(people.cadre_b).post(url, {}, content_type="application/json").status_code == 404
    assert api(people.cadre_a).post(url, {}, content_type="application/json").status_code == 403
    ok = api(people.operator).post(url, {"reason": "回访"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["caller_phone"] == PHONE
    assert AuditEntry.objects.filter(action="hotline.reveal").count() == 1


def test_dashboard_deadline_panel_counts_open_orders_by_card(
    people: Any, tree: Any, at_a: Ticket, login: Any
) -> None:
    import json
    from datetime import timedelta

    from gonghui.hotline.extensions import deadline_panel

    Ticket.objects.filter(pk=at_a.pk).update(card="red")
    today = timezone.localdate()
    panel = deadline_panel(tree.city, today - timedelta(days=30), today)
    assert panel is not None
    data = {d["name"]: d["value"] for d in panel["option"]["series"][0]["data"]}
    assert sum(data.values()) == 1 and list(data.values())[2] == 1
    assert deadline_panel(tree.county_b, today - timedelta(days=30), today) is None
    page = login(people.city_cadre).get("/reports/dashboard/")
    # the dashboard hands its charts to the page through json_script (non-ASCII escaped)
    assert page.status_code == 200
    assert json.dumps("热线工单办理期限")[1:-1] in html_of(page)
