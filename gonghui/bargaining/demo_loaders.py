"""Found by ``gonghui.demo.loaders.run_all``: the offer campaigns, after the tree."""

from __future__ import annotations

from gonghui.demo.loaders import register

from .demo import load_bargaining

register("bargaining", load_bargaining)
