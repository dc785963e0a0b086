"""``gonghui adduser USERNAME --org CODE --role ROLE [--password PW] [--full-name N]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.accounts.services import user_create
from gonghui.core.errors import InvalidInput, ServiceError
from gonghui.core.roles import Role


class Command(BaseCommand):
    help = "创建账号（Create a user）：所属组织代码、角色；不给密码时生成一个并打印。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--org", required=True, help="所属组织代码，如 371700")
        parser.add_argument("--role", required=True, help="角色：" + ", ".join(Role.values))
        parser.add_argument("--password", default=None, help="不给则生成并打印")
        parser.add_argument("--full-name", default="", help="姓名")
        parser.add_argument("--title", default="", help="职务/部门")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user, password = user_create(
                actor=None,
                username=options["username"],
                org=options["org"],
                role=options["role"],
                password=options["password"],
                full_name=options["full_name"],
                title=options["title"],
            )
        except InvalidInput as exc:
            raise CommandError(
                "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors), returncode=2
            ) from exc
        except ServiceError as exc:
            raise CommandError(exc.detail, returncode=2) from exc
        self.stdout.write(
            f"已创建账号 {user.username}（角色 {Role(user.role).label}，"
            f"组织 {user.org.name if user.org else ''} {options['org']}）"
        )
        if options["password"] is None:
            self.stdout.write(f"密码：{password}")
