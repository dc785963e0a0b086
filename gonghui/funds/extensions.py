"""What funds adds to the kernel's screens and to the payment machinery: the nav entry, and
the settlement hook that marks refunds paid when the bank confirms their lines."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from gonghui.core import hooks
from gonghui.payments import services as payments


def _settle(batch: Any, by: Any) -> None:
    from .services import settle

    settle(batch, by)


payments.SETTLED["funds"] = _settle
hooks.nav_items.append(("funds.view", gettext_lazy("工会经费"), "funds:home"))  # type: ignore[arg-type]
