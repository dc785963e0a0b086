"""Found by ``gonghui.demo.loaders.run_all`` (autodiscovery): adds the 12351 hotline's work
orders to the demo, after the tree, the accounts and the member roster."""

from __future__ import annotations

from gonghui.demo.loaders import register

from .demo import load_hotline

register("hotline", load_hotline)
