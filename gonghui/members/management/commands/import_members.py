"""``gonghui import-members FILE --org CODE [--dry-run] [--errors OUT.xlsx] [--json]``

Imports a member roster into a union (the PRODUCT.md contract). Progress goes to standard
error; with ``--json`` the last line of standard output is
``{"rows", "created", "updated", "unchanged", "rejected", "warned", "errors_file"}`` (``warned``:
rows imported with a value not recognised, listed in the errors file's second sheet). Exit 0
when the import ran (rejected rows included), 2 when the file is unusable (nothing written).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gonghui.core.errors import InvalidInput
from gonghui.core.spreadsheets import UnusableFile
from gonghui.members.importing import WRITING, member_import
from gonghui.orgs.models import Org


class Command(BaseCommand):
    help = _("导入会员名册（CSV、XLSX、XLS）")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("名册文件"))
        parser.add_argument("--org", required=True, help=_("导入到的工会代码"))
        parser.add_argument("--dry-run", action="store_true", help=_("只校验并报告，不写入"))
        parser.add_argument(
            "--errors", metavar="OUT.xlsx", help=_("未导入的行及原因、导入提示写到此文件")
        )
        parser.add_argument("--json", action="store_true", help=_("最后一行输出 JSON 结果"))
        parser.add_argument("--workers", type=int, default=None, help=_("校验进程数"))

    def handle(self, *args: Any, **options: Any) -> None:
        org = Org.objects.filter(code=options["org"].strip()).first()
        if org is None:
            raise CommandError(_("找不到工会代码：%(c)s") % {"c": options["org"]})
        started = time.monotonic()
        last = [0.0]

        def progress(done: int, total: int, stage: str) -> None:
            now = time.monotonic()
            if stage in WRITING:
                sys.stderr.write(_("已校验 %(n)d 行，写入中…") % {"n": done} + "\n")
            elif now - last[0] >= 1:
                last[0] = now
                sys.stderr.write(_("已校验 %(n)d / %(t)d 行") % {"n": done, "t": total} + "\n")
            sys.stderr.flush()

        try:
            result = member_import(
                actor=None,
                org=org,
                path=Path(options["file"]),
                dry_run=options["dry_run"],
                errors_path=options["errors"],
                progress=progress,
                workers=options["workers"],
            )
        except UnusableFile as exc:
            self._fail(exc.detail, options["json"])
        except InvalidInput as exc:  # the union takes no members, or is closed
            self._fail(exc.detail, options["json"])
        summary = _(
            "共 %(rows)d 行：新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d，"
            "未导入 %(rejected)d，有提示 %(warned)d（%(s).1f 秒）"
        ) % {**result.as_json(), "s": time.monotonic() - started}
        if options["dry_run"]:
            summary = _("[预览，未写入] ") + summary
        sys.stderr.write(summary + "\n")
        if result.errors_file:
            sys.stderr.write(_("未导入的行及原因：%(f)s") % {"f": result.errors_file} + "\n")
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))

    def _fail(self, message: str, as_json: bool) -> None:
        sys.stderr.write(_("无法导入：%(m)s") % {"m": message} + "\n")
        if as_json:
            self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
        sys.stdout.flush()
        sys.exit(2)
