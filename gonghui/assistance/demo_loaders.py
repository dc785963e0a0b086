"""Found by ``gonghui.demo.loaders.run_all`` (autodiscovery): adds hardship assistance to the
demo, after the tree, the accounts, the members and the hotline."""

from __future__ import annotations

from gonghui.demo.loaders import register

from .demo import load_assistance

register("assistance", load_assistance)
