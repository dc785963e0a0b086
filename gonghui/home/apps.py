from __future__ import annotations

from django.apps import AppConfig


class HomeConfig(AppConfig):
    """Each role's home page: its work, from the modules' selectors (no module reads this)."""

    name = "gonghui.home"
    label = "home"
    verbose_name = "首页"
