"""The Heze demo, loaded once for every test of this package.

A full load (the tree, the accounts, some 40,000 members and 650 work orders through the real
services) costs about a minute of CPU on SQLite and several minutes on PostgreSQL, so the
tests that read the demo live here and share one load: ``heze_db`` runs every loader once, at
the first test of the package, inside a transaction that is rolled back after the package's
last test. Each test runs in its own savepoint on top (pytest-django's ``db``), so what a test
writes is gone before the next one. Tests that need their own small tree (``tests.conftest``'s
``tree``) stay outside this package: here the demo's 371700 is already there.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction

from gonghui.demo import loaders


@pytest.fixture(scope="package")
def heze_db(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """What the first load printed; the data stay until the package is done."""
    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        loaders.run_all(out)
        if connection.vendor == "postgresql":
            # The load's foreign keys are checked at commit (deferred), and no commit comes:
            # check them once here. Else every test's teardown, which checks the deferred
            # constraints (Django's TestCase does), checks the whole load's again, some ten
            # seconds a test on PostgreSQL.
            connection.check_constraints()
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(heze_db: str, db: Any) -> str:
    """The loaded demo, for a test that reads or writes the database (rolled back after it)."""
    return heze_db
