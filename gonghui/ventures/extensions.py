"""The ventures module's permissions and its place in the navigation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from gonghui.core import hooks
from gonghui.core.roles import grant

grant("ventures.view", "admin", "cadre", "leader", "clerk")
grant("ventures.manage", "admin", "cadre")

hooks.nav_items.append(("ventures.view", gettext_lazy("工友创业园"), "ventures:home"))  # type: ignore[arg-type]
