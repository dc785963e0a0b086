"""Found by ``gonghui.demo.loaders.run_all``: the places, after the tree and the accounts."""

from __future__ import annotations

from gonghui.demo.loaders import register

from .demo import load_places

register("places", load_places)
