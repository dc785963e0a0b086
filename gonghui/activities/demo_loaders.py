"""Found by ``gonghui.demo.loaders.run_all``: the activities, after the registry."""

from __future__ import annotations

from gonghui.demo.loaders import register

from .demo import load_activities

register("activities", load_activities)
