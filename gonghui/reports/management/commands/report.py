"""``gonghui report --org CODE --from YYYY-MM-DD --to YYYY-MM-DD [--format text|json|xlsx|pdf]
[--output PATH]``: the work report of an org's subtree for a period, both days included.

``json`` prints only ``{"org", "from", "to", "figures": [...], "text"}`` on standard output
(the same as ``GET /api/v1/reports/work-summary``); ``xlsx`` and ``pdf`` need ``--output``
(or write the file's bytes to standard output when it is not a terminal). The command runs as
the system, so it sees every org.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.core import periods
from gonghui.core.errors import InvalidInput
from gonghui.orgs.models import Org
from gonghui.reports import exports, selectors
from gonghui.reports.text import paragraphs


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {text}") from exc


class Command(BaseCommand):
    help = "工作报告：某组织及其下级在一个期间内的各项指标（json 只向标准输出打印报告本身）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="组织代码，如 371700")
        parser.add_argument("--from", dest="start", required=True, help="起始日期 YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="截止日期 YYYY-MM-DD（含）")
        parser.add_argument(
            "--format", choices=("text", "json", "xlsx", "pdf"), default="text", dest="fmt"
        )
        parser.add_argument("--output", default="", help="写入文件（xlsx/pdf 必填于终端）")

    def handle(self, *args: Any, **opts: Any) -> None:
        start, end = _day(opts["start"]), _day(opts["end"])
        org = Org.objects.filter(code=opts["org"]).first()
        if org is None:
            raise CommandError(f"no org with code {opts['org']}")
        try:
            periods.check(start, end, start_field="--from", end_field="--to")
            report = selectors.report_compute(org=org, start=start, end=end)
        except InvalidInput as exc:
            raise CommandError(exc.errors[0]["message"]) from exc
        fmt = opts["fmt"]
        if fmt == "json":
            body: str | bytes = json.dumps(selectors.report_json(report), ensure_ascii=False)
        elif fmt == "text":
            body = self._text(report)
        elif fmt == "xlsx":
            body = exports.report_xlsx(report)
        else:
            try:
                body = exports.report_pdf(report)
            except exports.FontMissing as exc:
                raise CommandError(str(exc)) from exc
        self._emit(body, opts["output"])

    def _text(self, report: selectors.Report) -> str:
        lines = [report.title, report.period, "", *paragraphs(report), ""]
        width = max((len(f.label) for f in report.figures), default=4)
        for fig in report.figures:
            prev = (
                f"  （上年同期 {fig.previous_text}{fig.unit}）" if fig.previous is not None else ""
            )
            lines.append(f"{fig.label:\u3000<{width}}  {fig.text:>10} {fig.unit}{prev}")
        return "\n".join(lines)

    def _emit(self, body: str | bytes, output: str) -> None:
        if output:
            data = body.encode("utf-8") if isinstance(body, str) else body
            with open(output, "wb") as fh:
                fh.write(data)
            self.stderr.write(f"written: {output}")
            return
        if isinstance(body, bytes):
            if sys.stdout.isatty():
                raise CommandError("xlsx and pdf need --output PATH")
            sys.stdout.buffer.write(body)
            sys.stdout.flush()
            return
        self.stdout.write(body)
