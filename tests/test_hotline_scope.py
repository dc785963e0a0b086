"""Scope of the work orders and the fast list paths: each is proven equal to the plain rule.

- ``on_path_of`` skips the path filter when the org's subtree is the whole tree: equal to
  "any org of the order's path lies in the subtree" for every org, and no longer taken when
  a second tree exists;
- ``page_of`` (ids sorted first, rows read after) returns the rows of a plain slice;
- the list API's rows, read as columns, equal ``TicketOut`` of each order, and its number
  of queries does not depend on ``limit``.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.core.scope import spans_whole_tree
from gonghui.hotline import services
from gonghui.hotline.api import TicketOut
from gonghui.hotline.models import Ticket, TicketOrg
from gonghui.hotline.selectors import page_of, ticket_rows, tickets_visible_to
from gonghui.orgs.models import Org
from gonghui.orgs.services import org_insert

from .conftest import make_user

CALL = {
    "channel": "phone",
    "caller_name": "王小强",
    "caller_phone": "13800138000",
    "category": "demand",
    "topic": "拖欠工资",
    "content": "公司拖欠三个月工资",
}


def _new(user: Any, day: int, **extra: Any) -> Ticket:
    at = f"2020-09-{day:02d}T10:00:00+08:00"
    ticket, _ = services.ticket_create(actor=user, data={**CALL, "received_at": at, **extra})
    return ticket


def _act(user: Any, ticket: Ticket, action: str, **data: Any) -> Ticket:
    return services.ticket_act(actor=user, ticket=ticket, action=action, data=data)


@pytest.fixture
def orders(people: Any, tree: Any) -> list[Ticket]:
    """Orders all over the tree: at the city, down to a union, reassigned across counties,
    returned, received by a county, closed late, with and without the same received time."""
    out = [_new(people.operator, day) for day in (1, 2, 3, 3, 4, 5)]
    a, b, c, d, e, _f = out
    _act(people.operator, a, "dispatch", org="371702")
    _act(people.cadre_a, a, "accept")
    _act(people.cadre_a, a, "dispatch", org="G-A-0001")
    _act(people.operator, b, "dispatch", org="371702")
    _act(people.operator, b, "reassign", org="371721")
    _act(people.operator, c, "dispatch", org="371721")
    _act(people.cadre_b, c, "return", reason="不属于本县")
    _act(people.operator, d, "dispatch", org="371702")
    _act(people.cadre_a, d, "accept")
    _act(people.cadre_a, d, "reply", result="已解决")
    _act(people.operator, d, "callback", satisfaction="satisfied")
    _act(people.operator, d, "check", passed=True)
    _act(people.operator, d, "close")
    _act(people.operator, e, "dispatch", org="371721")
    out.append(_new(people.cadre_a, 6, org="371702", caller_name="李四"))
    out.append(_new(people.cadre_b, 7, org="371721", caller_phone=""))
    return [Ticket.objects.get(pk=t.pk) for t in out]


def _by_path(org: Org) -> set[int]:
    """The plain rule: orders with any org of their path in ``org``'s subtree."""
    return set(
        TicketOrg.objects.filter(org__path__startswith=org.path).values_list("ticket_id", flat=True)
    )


def test_every_order_has_its_receiving_org_on_its_path(orders: list[Ticket]) -> None:
    # what makes the whole-tree shortcut exact: no order without a path row
    for t in orders:
        assert TicketOrg.objects.filter(ticket=t, org_id=t.receiving_org_id).exists()


def test_on_path_of_equals_the_path_rule_for_every_org(orders: list[Ticket]) -> None:
    for org in Org.objects.all():
        got = set(Ticket.objects.on_path_of(org).values_list("id", flat=True))
        assert got == _by_path(org), org.code
    assert _by_path(Org.objects.get(code="371700")) == {t.pk for t in orders}


def test_a_large_subtree_is_filtered_by_subquery_with_the_same_orders(
    orders: list[Ticket], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Subtrees of more than ``LISTED_SUBTREE_MAX`` orgs are not listed id by id: the same
    orders through the subquery."""
    from gonghui.core import scope

    monkeypatch.setattr(scope, "LISTED_SUBTREE_MAX", 1)
    for org in Org.objects.all():
        got = set(Ticket.objects.on_path_of(org).values_list("id", flat=True))
        assert got == _by_path(org), org.code
    county = Org.objects.get(code="371702")
    assert not isinstance(scope.subtree_org_id_list(county), list)
    monkeypatch.setattr(scope, "LISTED_SUBTREE_MAX", 1000)
    listed = scope.subtree_org_id_list(county)
    # a list on PostgreSQL (its planner reads per-org statistics), the subquery on SQLite
    assert isinstance(listed, list) == (connection.vendor == "postgresql")
    assert set(Org.objects.filter(id__in=listed).values_list("id", flat=True)) == set(
        Org.objects.filter(path__startswith=county.path).values_list("id", flat=True)
    )


def test_the_root_of_the_only_tree_reads_no_path(people: Any, tree: Any, orders: Any) -> None:
    assert spans_whole_tree(tree.city)
    assert not spans_whole_tree(tree.county_a)
    sql = str(Ticket.objects.on_path_of(tree.city).query)
    assert "hotline_ticketorg" not in sql
    assert "hotline_ticketorg" in str(Ticket.objects.on_path_of(tree.county_a).query)
    visible = set(tickets_visible_to(people.operator).values_list("id", flat=True))
    assert visible == _by_path(tree.city) == set(Ticket.objects.values_list("id", flat=True))


def test_a_second_tree_turns_the_shortcut_off(people: Any, tree: Any, orders: Any) -> None:
    other = org_insert(code="371800", parent=None, name="另一市总工会", kind="city")
    outsider = make_user("other_operator", "operator", other)
    theirs = _new(outsider, 8)
    assert not spans_whole_tree(tree.city)
    assert not spans_whole_tree(other)
    assert "hotline_ticketorg" in str(Ticket.objects.on_path_of(tree.city).query)
    for user in (people.operator, people.cadre_a, outsider):
        visible = set(tickets_visible_to(user).values_list("id", flat=True))
        assert visible == _by_path(user.org), user.username
    assert theirs.pk not in set(tickets_visible_to(people.operator).values_list("id", flat=True))
    assert set(tickets_visible_to(outsider).values_list("id", flat=True)) == {theirs.pk}


@pytest.mark.parametrize(
    "ordering",
    [("-received_at", "-id"), ("due_on", "-received_at", "-id"), ("-closed_at", "-id")],
)
def test_page_of_equals_a_plain_slice(people: Any, orders: Any, ordering: Any) -> None:
    for user in (people.operator, people.cadre_a, people.cadre_b):
        qs = tickets_visible_to(user)
        for start, stop in ((0, 3), (2, 5), (0, 50), (7, 9)):
            plain = list(qs.order_by(*ordering)[start:stop])
            assert list(page_of(qs, ordering, start, stop)) == plain


def test_list_rows_equal_ticket_out(people: Any, api: Any, orders: Any) -> None:
    fields = set(TicketOut.model_fields)
    for user in (people.operator, people.cadre_a):
        client = api(user)
        body = client.get("/api/v1/hotline/tickets?limit=500").json()
        ids = list(tickets_visible_to(user).order_by("-received_at", "-id").values_list("id"))
        assert [row["id"] for row in body["items"]] == [i for (i,) in ids]
        assert body["count"] == len(ids)
        for row in body["items"]:
            # the order's own answer (TicketOut read from the model) has the same values
            detail = client.get(f"/api/v1/hotline/tickets/{row['id']}").json()
            assert set(row) == fields
            assert row == {k: detail[k] for k in fields}
    assert body["items"][0]["caller_name"] == "李*"  # masked
    # a window of the list is a window of the same rows
    page = api(people.operator).get("/api/v1/hotline/tickets?limit=3&offset=2").json()
    every = api(people.operator).get("/api/v1/hotline/tickets").json()["items"]
    assert page["items"] == every[2:5]


def test_list_rows_mark_overdue_as_the_model_does(people: Any, orders: Any) -> None:
    for today in (
        datetime.date(2020, 9, 1),
        datetime.date(2020, 10, 30),
        datetime.date(2030, 1, 1),
    ):
        rows = ticket_rows(tickets_visible_to(people.operator), 0, 50, today=today)
        by_id = {t.pk: t for t in orders}
        for row in rows:
            t = by_id[row["id"]]
            late = t.due_on is not None and (
                t.closed_on_time is False if t.status == "closed" else today > t.due_on
            )
            assert row["overdue"] is late


def test_list_queries_do_not_depend_on_limit(people: Any, api: Any, orders: Any) -> None:
    for user in (people.operator, people.cadre_a):
        client = api(user)
        client.get("/api/v1/hotline/tickets")  # the token's first use is recorded once
        counts = []
        for limit in (1, 500):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(f"/api/v1/hotline/tickets?limit={limit}").status_code == 200
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1]


def test_scope_still_refuses(people: Any, api: Any, orders: Any) -> None:
    # a county sees only the orders whose path enters it, a lawyer none
    b = {t.pk for t in orders if TicketOrg.objects.filter(ticket=t, org__code="371721").exists()}
    body = api(people.cadre_b).get("/api/v1/hotline/tickets?limit=500").json()
    assert {row["id"] for row in body["items"]} == b
    assert body["count"] == len(b)
    assert api(people.lawyer_a).get("/api/v1/hotline/tickets").json() == {"items": [], "count": 0}


def test_open_is_every_status_but_closed(people: Any, orders: Any) -> None:
    from django.db import IntegrityError, transaction

    qs = tickets_visible_to(people.operator)
    assert set(qs.open()) == set(qs.exclude(status="closed"))
    assert qs.open().count() == len(orders) - 1
    # what makes the two equal: no order holds a status outside the workflow's
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=orders[0].pk).update(status="lost")


def test_a_page_asks_the_tree_once_per_org_and_a_new_block_asks_again(
    people: Any, tree: Any
) -> None:
    """Within ``spans_remembered`` (every GET and HEAD request, by ``TreeAnswersMiddleware``)
    the tree's answers are asked once per org; outside it, or in a new block, afresh — so a
    root added between two requests is seen by the second."""
    from gonghui.core import scope

    with scope.spans_remembered(), CaptureQueriesContext(connection) as ctx:
        for _ in range(3):
            assert scope.spans_whole_tree(tree.city)
            scope.subtree_org_id_list(tree.county_a)
    # one query for the city's shape; on PostgreSQL one for the county's ids (SQLite: none)
    assert len(ctx.captured_queries) == (2 if connection.vendor == "postgresql" else 1)
    org_insert(code="371800", parent=None, name="另一市总工会", kind="city")
    with scope.spans_remembered():
        assert not scope.spans_whole_tree(tree.city)


def test_the_middleware_remembers_for_reads_only(people: Any, tree: Any) -> None:
    from django.http import HttpRequest, HttpResponse

    from gonghui.core import scope
    from gonghui.core.middleware import TreeAnswersMiddleware

    seen: list[bool] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(scope._spans_known.get() is not None)
        return HttpResponse()

    for method in ("GET", "HEAD", "POST", "PUT", "DELETE"):
        request = HttpRequest()
        request.method = method
        TreeAnswersMiddleware(view)(request)
    assert seen == [True, True, False, False, False]
    assert scope._spans_known.get() is None
