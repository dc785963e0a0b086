"""Found by ``gonghui.demo.loaders.run_all``: the parks, ventures and their people, after the
registry, the assistance archive and the honours."""

from __future__ import annotations

from gonghui.demo.loaders import register

from .demo import load_ventures

register("ventures", load_ventures)
