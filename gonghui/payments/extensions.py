"""What payments adds to the kernel's screens: the nav entry."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from gonghui.core import hooks

hooks.nav_items.append(("payments.view", gettext_lazy("代发支付"), "payments:list"))  # type: ignore[arg-type]
