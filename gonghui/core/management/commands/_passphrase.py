"""The backup passphrase: ``GONGHUI_BACKUP_PASSPHRASE``, else asked at the terminal."""

from __future__ import annotations

import getpass
import os

from django.core.management.base import CommandError


def passphrase(*, confirm: bool) -> str:
    value = os.environ.get("GONGHUI_BACKUP_PASSPHRASE", "")
    if value:
        return value
    try:
        value = getpass.getpass("备份口令：")
        if confirm and getpass.getpass("再输入一次：") != value:
            raise CommandError("两次输入的口令不一致")
    except EOFError as exc:
        raise CommandError("请设置 GONGHUI_BACKUP_PASSPHRASE 或在终端输入口令") from exc
    if not value:
        raise CommandError("备份口令不能为空")
    return value
