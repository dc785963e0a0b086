"""Found by ``gonghui.demo.loaders.run_all`` (autodiscovery): adds honours and competitions to
the demo, after the tree, the accounts and the member roster."""

from __future__ import annotations

from gonghui.demo.loaders import register

from .demo import load_honors

register("honors", load_honors)
