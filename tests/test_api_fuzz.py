"""schemathesis over every operation of ``/api/v1/openapi.json``, in-process against the WSGI
app, as the city's admin (who sees everything) on the standing personas' tree with a work
order and a member in it: no input the schema allows, nor any it refuses, answers 5xx
(``not_a_server_error``). It runs with the suite, so on SQLite and on PostgreSQL alike.

``GONGHUI_FUZZ_EXAMPLES`` (default 5) sets the examples per operation; CI keeps the default,
a deeper run is ``GONGHUI_FUZZ_EXAMPLES=500 pytest tests/test_api_fuzz.py``.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from gonghui.wsgi import application

EXAMPLES = int(os.environ.get("GONGHUI_FUZZ_EXAMPLES", "5"))

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def in_test_transaction() -> Any:
    """The WSGI app closes the database connection after each request (Django's test
    client keeps it, and so the test's transaction, by the same two disconnections)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_data(people: Any, in_test_transaction: Any) -> Any:
    """A work order and a member in the tree, so that some generated ids find a record."""
    from gonghui.hotline import services as hotline
    from gonghui.members.services import member_create

    hotline.ticket_create(
        actor=people.operator,
        data={"caller_name": "王", "category": "demand", "topic": "拖欠工资", "content": "欠薪"},
    )
    member_create(
        actor=people.admin,
        org=people.clerk_a.org,
        data={"name": "李四", "id_number": "11010519491231002X"},
    )
    return people


@pytest.mark.django_db(transaction=False)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_answers_a_server_error(case: Any, fuzz_data: Any) -> None:
    from gonghui.accounts.services import token_issue

    # a fresh token for each call: a generated call may revoke the one before
    _, raw = token_issue(user=fuzz_data.admin)
    case.call_and_validate(headers={"Authorization": f"Bearer {raw}"}, checks=[not_a_server_error])
