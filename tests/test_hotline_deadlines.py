"""Working-day deadlines across the 2020 National Day holiday, extensions, cards, the tick."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from typing import Any

from django.core.management import call_command

from gonghui.core.models import WorkdayOverride
from gonghui.hotline import deadlines, services
from gonghui.hotline.models import DeadlineRule, Notification, Ticket

D = datetime.date
CALL = {
    "received_at": "2020-09-25T10:00:00+08:00",
    "caller_name": "王小强",
    "caller_phone": "13800138000",
    "category": "demand",
    "topic": "0101",
    "content": "欠薪",
}


def test_due_date_across_national_day_with_makeup_days(db: Any) -> None:
    # received Fri 2020-09-25: Sun 09-27 is a makeup workday (1), 09-28..30 (2-4), 10-01..08
    # off, 10-09 (5), Sat 10-10 makeup (6), then 10-12..16 and 10-19..22 → the 15th is 10-22
    assert deadlines.due_date(D(2020, 9, 25), "demand", "normal") == D(2020, 10, 22)
    assert deadlines.due_date(D(2020, 9, 30), "demand", "normal") == D(2020, 10, 28)
    assert deadlines.extended(D(2020, 10, 22), 7) == D(2020, 11, 2)


def test_due_date_follows_the_configured_rule(db: Any) -> None:
    assert deadlines.due_date(D(2020, 9, 25), "demand", "hard") == D(2020, 10, 29)
    DeadlineRule.objects.filter(category="demand", complexity="normal").update(days=5)
    assert deadlines.due_date(D(2020, 9, 25), "demand", "normal") == D(2020, 10, 9)


def test_local_override_moves_the_due_date(db: Any) -> None:
    WorkdayOverride.objects.create(day=D(2020, 10, 12), is_workday=False, note="本地休")
    assert deadlines.due_date(D(2020, 9, 25), "demand", "normal") == D(2020, 10, 23)


def test_cards(db: Any) -> None:
    due = D(2020, 10, 9)
    assert deadlines.card_for(due, D(2020, 9, 29)) == ""
    assert deadlines.card_for(due, D(2020, 9, 30)) == "yellow"  # next working day is 10-09
    assert deadlines.card_for(due, D(2020, 10, 9)) == "yellow"
    assert deadlines.card_for(due, D(2020, 10, 10)) == "red"


def test_tick_sets_cards_notifies_once_and_clears(people: Any, tree: Any) -> None:
    t, _ = services.ticket_create(actor=people.operator, data=CALL)
    services.ticket_dispatch(actor=people.operator, ticket=t, org="371702")
    assert services.tickets_tick(today=D(2020, 10, 21)) == {
        "red": 0,
        "yellow": 1,
        "cleared": 0,
        "notified": 1,
    }
    assert Ticket.objects.get().card == "yellow"
    assert services.tickets_tick(today=D(2020, 10, 21))["notified"] == 0
    assert services.tickets_tick(today=D(2020, 10, 23)) == {
        "red": 1,
        "yellow": 0,
        "cleared": 0,
        "notified": 1,
    }
    notes = list(Notification.objects.order_by("id").values_list("org__code", "kind"))
    assert notes == [("371702", "yellow"), ("371702", "red")]
    # an extension granted moves the due date: the red card goes
    Ticket.objects.update(due_on=D(2020, 11, 2))
    assert services.tickets_tick(today=D(2020, 10, 23))["cleared"] == 1
    assert Ticket.objects.get().card == ""


def test_hotline_tick_command(people: Any) -> None:
    services.ticket_create(actor=people.operator, data=CALL)
    out = StringIO()
    call_command("hotline_tick", "--date", "2020-10-23", stdout=out)
    assert json.loads(out.getvalue()) == {"red": 1, "yellow": 0, "cleared": 0, "notified": 1}


def test_dashed_command_name_is_an_alias() -> None:
    from gonghui.cli import COMMAND_ALIASES

    assert COMMAND_ALIASES["hotline-tick"] == "hotline_tick"
