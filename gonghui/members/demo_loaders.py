"""Found by ``gonghui.demo.loaders.run_all`` (autodiscovery): adds the member roster to the demo."""

from __future__ import annotations

from gonghui.demo.loaders import register

from .demo import load_members

register("members", load_members)
