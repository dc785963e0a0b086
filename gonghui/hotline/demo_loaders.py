"""Found by ``gonghui.demo.loaders.run_all`` (autodiscovery): adds the 12351 hotline's work
orders to the demo, after the tree, the accounts and the member roster."""

from __future__ import annotations

from gonghui.demo.loaders import register, register_accounts

from .demo import desk_accounts, load_hotline

register("hotline", load_hotline)
register_accounts(desk_accounts)
