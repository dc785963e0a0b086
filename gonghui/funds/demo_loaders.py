"""Found by ``gonghui.demo.loaders.run_all`` (autodiscovery): the union-fee ledger, size data
and the 2020 refund round, after the tree and the accounts."""

from __future__ import annotations

from gonghui.demo.loaders import register, register_accounts

from .demo import finance_accounts, load_funds

register("funds", load_funds)
register_accounts(finance_accounts)
