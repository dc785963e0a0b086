"""Found by ``gonghui.demo.loaders.run_all``: the seed's plenary and grassroots 换届."""

from __future__ import annotations

from gonghui.demo.loaders import register

from .demo import load_governance

register("governance", load_governance)
