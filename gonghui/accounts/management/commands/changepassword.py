"""``gonghui changepassword [USERNAME]``: Django's command, through ``user_set_password``.

Django's own command sets the password and saves the user, nothing more: the user's API
tokens would stay valid and no audit row would say it happened. Here the change is the same
service the pages and the API use — the password policy, every API token of the user revoked,
every other session ended, one audit row (with no actor: the command line).
"""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.management.commands import changepassword
from django.core.management.base import CommandError

from gonghui.accounts.models import User
from gonghui.accounts.services import user_set_password
from gonghui.core.errors import InvalidInput

MAX_TRIES = 3


class Command(changepassword.Command):
    help = "修改账号密码（Change a user's password）；吊销该账号的全部 API 令牌并结束其会话。"

    def _get_pass(self, prompt: str = "") -> str:
        typed = getpass.getpass(prompt=prompt)
        if not typed:
            raise CommandError("已取消")
        return typed

    def handle(self, *args: Any, **options: Any) -> str:
        username = options["username"] or getpass.getuser()
        user = User._default_manager.using(options["database"]).filter(username=username).first()
        if user is None:
            raise CommandError(f"账号 {username} 不存在")
        self.stdout.write(f"修改账号 {user.username} 的密码")
        for _attempt in range(MAX_TRIES):
            first = self._get_pass("新密码：")
            second = self._get_pass("再次输入新密码：")
            if first != second:
                self.stdout.write("两次输入的密码不一致，请重试。")
                continue
            try:
                user_set_password(actor=None, user=user, password=first)
            except InvalidInput as exc:
                self.stderr.write("\n".join(e["message"] for e in exc.errors))
                continue
            return f"账号 {user.username} 的密码已修改，其 API 令牌已全部吊销。"
        raise CommandError(f"已尝试 {MAX_TRIES} 次，账号 {user.username} 的密码未修改")
