"""The demo's union fees: the seed page's 103 small and micro enterprises refunded 40.79万元
in 2020-01-01..2020-09-19, from records made through the services; loading twice changes
nothing; this month has its ledger."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gonghui.core import metrics
from gonghui.core.models import AuditEntry
from gonghui.demo.loaders import run_all
from gonghui.funds.models import FeeLine, RefundApplication
from gonghui.orgs.models import Org
from gonghui.payments.models import Batch


def test_the_demo_makes_the_seed_figures_true(db: Any) -> None:
    run_all(io.StringIO(), only=["orgs", "accounts", "funds"])
    city = Org.objects.get(code="371700")
    start, end = date(2020, 1, 1), date(2020, 9, 19)
    assert metrics.get("funds.refund_enterprises").value(city, start, end) == 103
    assert metrics.get("funds.refund_amount").value(city, start, end) == Decimal("407900.00")
    assert metrics.get("payments.paid_amount").value(city, start, end) == Decimal("407900.00")
    # spread over the counties, refused ones kept with their reasons
    counties = {a.county_id for a in RefundApplication.objects.filter(status="paid")}
    assert len(counties) >= 5
    assert (
        RefundApplication.objects.filter(status="refused").exclude(refused_reason="").count() == 10
    )
    this_month = timezone.localdate().replace(day=1)
    assert FeeLine.objects.filter(period=this_month).exists()
    counts = (FeeLine.objects.count(), AuditEntry.objects.count(), Batch.objects.count())
    run_all(io.StringIO(), only=["orgs", "accounts", "funds"])
    assert (FeeLine.objects.count(), AuditEntry.objects.count(), Batch.objects.count()) == counts
