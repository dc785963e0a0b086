"""Found by ``gonghui.demo.loaders.run_all`` (autodiscovery): adds legal aid to the demo, after
the tree, the accounts, the members and the hotline (whose county desks check the cases)."""

from __future__ import annotations

from gonghui.demo.loaders import register, register_accounts

from .demo import demo_accounts, load_legal

register("legal", load_legal)
register_accounts(demo_accounts)
