"""The hotline's demo orders: the seed page's 84, every month since up to today (the living
demo), every state, real timelines, idempotent."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Min, Sum
from django.utils import timezone

from gonghui.core import metrics
from gonghui.core.models import AuditEntry
from gonghui.demo.loaders import run_all
from gonghui.hotline.demo import SEED_END, WINDOW
from gonghui.hotline.models import Notification, Status, Ticket, TicketEvent, TicketOrg
from gonghui.orgs.models import Org


def test_demo_closes_84_orders_in_the_seed_period_and_covers_every_state(demo: str) -> None:
    city = Org.objects.get(code="371700")
    closed = metrics.get("hotline.closed")
    assert closed.value(city, date(2020, 1, 1), date(2020, 9, 19)) == 84
    assert closed.records(city, *WINDOW).count() == 84
    assert closed.value(city, date(2019, 1, 1), date(2019, 6, 30)) == 0
    # the counties' closed orders add up to the city's (each order has one county)
    by_county = (
        Ticket.objects.filter(closed_on__range=WINDOW, county__isnull=False)
        .values("county__code")
        .annotate(n=Count("id"))
    )
    spot = Ticket.objects.filter(closed_on__range=WINDOW, answered_on_spot=True).count()
    assert sum(row["n"] for row in by_county) + spot == 84
    for row in by_county:
        # a county counts the orders that passed through it (one it returned included)
        county = Org.objects.get(code=row["county__code"])
        on_path = (
            Ticket.objects.filter(closed_on__range=WINDOW, path__org__path__startswith=county.path)
            .distinct()
            .count()
        )
        assert closed.value(county, *WINDOW) == on_path >= row["n"]

    total = Ticket.objects.count()
    seed = Ticket.objects.filter(received_on__lte=SEED_END)
    assert 150 <= seed.count() <= 300
    # the seed's orders are all closed by the end of 2020: the open ones are recent
    assert set(seed.values_list("status", flat=True)) == {Status.CLOSED}
    assert not seed.filter(closed_on__gt=SEED_END).exists()
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    assert Ticket.objects.filter(card="red").exists()
    assert Ticket.objects.filter(card="yellow").exists()
    assert Ticket.objects.filter(reopen_count__gt=0).exists()
    assert Ticket.objects.filter(closed_on_time=False).exists()
    assert Ticket.objects.filter(answered_on_spot=True).count() >= 84 // 2
    wages = Ticket.objects.aggregate(s=Sum("wages_recovered"))["s"]
    assert wages > Decimal("100000")
    assert set(Ticket.objects.values_list("category", flat=True)) == {
        "consult",
        "demand",
        "suggestion",
    }
    assert Ticket.objects.filter(topic__parent__isnull=True).count() == 0
    assert Ticket.objects.filter(external_no__startswith="SD12351-").count() == total
    assert (
        Notification.objects.filter(kind="red").count() == Ticket.objects.filter(card="red").count()
    )

    # every order has its timeline, its path and audit rows, at the planned times
    assert not Ticket.objects.annotate(n=Count("events")).filter(n=0).exists()
    assert not Ticket.objects.annotate(n=Count("path")).filter(n=0).exists()
    assert AuditEntry.objects.filter(object_type="ticket", action="hotline.create").count() == total
    firsts = dict(
        TicketEvent.objects.values("ticket_id")
        .annotate(at=Min("at"))
        .values_list("ticket_id", "at")
    )
    now = timezone.now()
    for ticket in Ticket.objects.prefetch_related("events"):
        events = list(ticket.events.all())
        assert events[0].action == "create"
        assert events[0].at == ticket.received_at == firsts[ticket.pk]
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert date(2019, 7, 1) <= ticket.received_on <= timezone.localdate(now)
        assert events[-1].at <= now
        if ticket.status == Status.CLOSED:
            assert ticket.closed_on == timezone.localdate(events[-1].at)
            assert ticket.closed_on_time == (ticket.closed_on <= ticket.due_on)
        else:
            assert ticket.closed_on is None
        if ticket.dispatched_at is not None:
            dispatch = next(e for e in events if e.action == "dispatch")
            assert ticket.dispatched_at == dispatch.at
    assert not TicketOrg.objects.filter(at__gt=now).exists()


def test_demo_lives_up_to_today_with_seasons(demo: str) -> None:
    today = timezone.localdate()
    city = Org.objects.get(code="371700")
    received, closed = metrics.get("hotline.received"), metrics.get("hotline.closed")
    # every year since the seed has orders arriving and closing, more of them as years go by
    per_year = {
        year: (
            received.value(city, date(year, 1, 1), date(year, 12, 31)),
            closed.value(city, date(year, 1, 1), date(year, 12, 31)),
        )
        for year in range(2021, today.year + 1)
    }
    assert all(r > 0 and c > 0 for r, c in per_year.values()), per_year
    if today.year > 2022:
        assert per_year[today.year - 1][0] > per_year[2021][0]
    # this month, this quarter and this year are alive: today has its call
    assert received.value(city, today.replace(day=1), today) > 0
    assert received.value(city, today, today) >= 1
    # wage arrears crowd into the weeks before Spring Festival (December and January)
    living = Ticket.objects.filter(received_on__gt=SEED_END, received_on__lte=today)
    wages = living.filter(topic__parent__code="01")
    festival = wages.filter(received_on__month__in=(12, 1)).count()
    summer = wages.filter(received_on__month__in=(6, 7)).count()
    assert festival > 2 * summer
    # the orders still open were received in the last weeks, bar the long overdue ones
    open_orders = Ticket.objects.exclude(status=Status.CLOSED)
    assert open_orders.exists()
    assert not open_orders.filter(received_on__lt=today - timedelta(days=120)).exists()


def test_demo_second_run_creates_nothing(demo: str) -> None:
    """Every loader run again over the loaded demo: nothing new, anywhere."""
    assert "热线工单：新建 " in demo
    before = _everything()
    counts = (
        Ticket.objects.count(),
        TicketEvent.objects.count(),
        TicketOrg.objects.count(),
        Notification.objects.count(),
        AuditEntry.objects.count(),
    )
    cards = dict(Ticket.objects.values_list("external_no", "card"))
    out = io.StringIO()
    run_all(out)
    second = out.getvalue()
    assert f"热线工单：新建 0 件，已有 {counts[0]} 件" in second
    assert (
        Ticket.objects.count(),
        TicketEvent.objects.count(),
        TicketOrg.objects.count(),
        Notification.objects.count(),
        AuditEntry.objects.count(),
    ) == counts
    assert dict(Ticket.objects.values_list("external_no", "card")) == cards
    assert "会员：新建 0 名" in second
    assert _everything() == before


def _everything() -> dict[str, int]:
    """How many rows each table of the demo holds."""
    from django.apps import apps

    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in ("orgs", "accounts", "members", "hotline", "core")
    }
