"""``gonghui grant-runtime-role ROLE [--print]``: give the PostgreSQL role the web processes
and workers run as what they need and no more — rows of every table, but only INSERT and
SELECT on the audit log and its seals. Run it as the owner (the role migrations run as),
after every ``migrate``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from gonghui.core.auditchain import runtime_grants


class Command(BaseCommand):
    help = "Grant the PostgreSQL runtime role its privileges (audit: INSERT and SELECT only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("role")
        parser.add_argument("--print", action="store_true", help="print the SQL, run nothing")

    def handle(self, *args: Any, role: str, **options: Any) -> None:
        statements = runtime_grants(role)
        if options["print"]:
            self.stdout.write(";\n".join(statements) + ";")
            return
        if connection.vendor != "postgresql":
            raise CommandError("只有 PostgreSQL 有数据库角色")
        with transaction.atomic(), connection.cursor() as cur:
            for sql in statements:
                cur.execute(sql)
        self.stdout.write(f"已为 {role} 授权")
