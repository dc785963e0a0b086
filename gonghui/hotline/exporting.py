"""Work orders as spreadsheets: the queue as XLSX or CSV, the statistics as an XLSX workbook.

The queue's export holds exactly the orders of the queue page the user is looking at — the
same scope, filters and tab, in the same order — every page of it. The caller's name and
phone are always masked: a worker's contact stays behind the order page's audited reveal,
and a file, once downloaded, is out of the system's reach. Labels are in the user's
language, dates local, wages and worker counts numbers that Excel can sum.

The statistics workbook holds the statistics page: the figures on the first sheet, then one
sheet per breakdown (category, county, topic) with every figure per row.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gonghui.core.masking import mask_name, mask_phone

from . import stats
from .models import Card, Category, Channel, Complexity, Satisfaction, Status, Ticket, Urgency

# (column, heading): the order's columns as a cadre reads them
ORDER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("number", gettext_noop("工单号")),
    ("external_no", gettext_noop("省平台工单号")),
    ("received_at", gettext_noop("受理时间")),
    ("channel", gettext_noop("来源渠道")),
    ("category", gettext_noop("类别")),
    ("complexity", gettext_noop("难易程度")),
    ("topic__name", gettext_noop("诉求主题")),
    ("urgency", gettext_noop("紧急程度")),
    ("caller_name", gettext_noop("来电人")),
    ("caller_phone", gettext_noop("联系电话")),
    ("employer", gettext_noop("工作单位")),
    ("status", gettext_noop("状态")),
    ("receiving_org__name", gettext_noop("受理单位")),
    ("handler_org__name", gettext_noop("承办单位")),
    ("due_on", gettext_noop("办理期限")),
    ("card", gettext_noop("警示")),
    ("closed_at", gettext_noop("结案时间")),
    ("closed_on_time", gettext_noop("按时办结")),
    ("satisfaction", gettext_noop("满意度")),
    ("reopen_count", gettext_noop("重办次数")),
    ("wages_recovered", gettext_noop("追回欠薪（元）")),
    ("workers", gettext_noop("涉及职工（人）")),
)
_CHOICES = {
    "channel": Channel,
    "category": Category,
    "complexity": Complexity,
    "urgency": Urgency,
    "status": Status,
    "card": Card,
    "satisfaction": Satisfaction,
}
CHUNK = 2000


def cell(value: Any) -> Any:
    """A value as the queue and its files show it: times local to the minute, dates ISO."""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


def order_rows(qs: QuerySet[Ticket], user: Any = None) -> tuple[list[str], Iterator[list[Any]]]:
    """(header, rows) of the orders of ``qs`` in its order: plain values read in chunks, the
    caller masked, choice values as labels, yes/no in words; with ``user``, an order that
    user's org returned as it left it (``selectors.returned_out``)."""
    from .selectors import returned_out

    paths = [path for path, _heading in ORDER_COLUMNS]
    labels = {
        paths.index(key): {k: str(v) for k, v in choices.choices}
        for key, choices in _CHOICES.items()
    }
    labels[paths.index("card")][""] = ""  # no card: an empty cell, not "无"
    name_at, phone_at = paths.index("caller_name"), paths.index("caller_phone")
    on_time_at = paths.index("closed_on_time")
    yes_no = {True: _("是"), False: _("否"), None: ""}

    def as_left(chunk: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        left = returned_out(user, [values[0] for values in chunk]) if user is not None else {}
        for ticket_id, *values in chunk:
            if (was := left.get(ticket_id)) is not None:
                shown = {**was, "status": was["status"] or values[paths.index("status")]}
                handler = shown.pop("handler_org")
                shown["handler_org__name"] = handler.name if handler is not None else None
                for name, value in shown.items():
                    if name in paths:
                        values[paths.index(name)] = value
            yield tuple(values)

    def chunks() -> Iterator[tuple[Any, ...]]:
        chunk: list[tuple[Any, ...]] = []
        for values in qs.values_list("id", *paths).iterator(chunk_size=CHUNK):
            chunk.append(values)
            if len(chunk) >= CHUNK:
                yield from as_left(chunk)
                chunk = []
        yield from as_left(chunk)

    def rows() -> Iterator[list[Any]]:
        for values in chunks():
            row = [cell(v) for v in values]
            row[name_at] = mask_name(row[name_at])
            row[phone_at] = mask_phone(row[phone_at])
            row[on_time_at] = yes_no[row[on_time_at]]
            for at, table in labels.items():
                row[at] = table.get(row[at], row[at])
            yield row

    return [_(heading) for _path, heading in ORDER_COLUMNS], rows()


def file_name(kind: str, fmt: str) -> str:
    return f"hotline-{kind}-{timezone.localdate():%Y%m%d}.{fmt}"


# --- the statistics workbook ----------------------------------------------------------------

# a breakdown sheet's figure columns: (key, heading), rates in per cent
BREAKDOWN_COLUMNS: tuple[tuple[str, str], ...] = (
    ("received", gettext_noop("受理")),
    ("dispatched", gettext_noop("派单")),
    ("closed", gettext_noop("办结")),
    ("closed_on_time", gettext_noop("按时办结")),
    ("on_time_rate", gettext_noop("按时办结率（%）")),
    ("callback_rate", gettext_noop("回访率（%）")),
    ("satisfaction_rate", gettext_noop("满意率（%）")),
    ("reopen_rate", gettext_noop("重办率（%）")),
    ("wages_recovered", gettext_noop("追回欠薪（元）")),
)


def _number(key: str, value: Any) -> float | None:
    """A figure as the workbook holds it: rates in per cent (none when nothing to divide
    by), money in yuan, counts as they are."""
    if value is None:
        return None
    if key in stats.PERCENT_KEYS:
        return round(float(value) * 100, 2)
    return float(value) if isinstance(value, Decimal) else value


def stats_xlsx(
    org: Any,
    start: date,
    end: date,
    figures: dict[str, Any],
    breakdowns: dict[str, list[dict[str, Any]]],
) -> bytes:
    """The statistics page as a workbook (``stats.stats_overview``'s figures and
    breakdowns for ``org`` over ``start``..``end``)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    count = book.add_format({"num_format": "0"})
    amount = book.add_format({"num_format": "#,##0.00"})
    percent = book.add_format({"num_format": "0.0"})

    def fmt(key: str) -> Any:
        if key in stats.PERCENT_KEYS:
            return percent
        return amount if key == "wages_recovered" else count

    sheet = book.add_worksheet(_("汇总"))
    sheet.write(0, 0, _("12351 热线统计"), title)
    sheet.write(1, 0, f"{org.name}（{org.code}）")
    sheet.write(2, 0, f"{start.isoformat()} — {end.isoformat()}")
    sheet.write_row(4, 0, [_("指标"), _("数值"), _("单位")], bold)
    for i, (key, label, unit) in enumerate(stats.FIGURES, start=5):
        sheet.write(i, 0, _(label))
        value = _number(key, figures[key])
        if value is None:
            sheet.write(i, 1, "—")
        else:
            sheet.write_number(i, 1, value, fmt(key))
        # the workbook keeps wages in yuan to the fen (the page shows 万元, as the report does)
        sheet.write(i, 2, _("元") if key == "wages_recovered" else _(unit))
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 2, 14)

    for by, sheet_title, column in stats.BREAKDOWN_TITLES:
        sheet = book.add_worksheet(_(sheet_title))
        sheet.write_row(0, 0, [_(column), *(_(h) for _k, h in BREAKDOWN_COLUMNS)], bold)
        sheet.freeze_panes(1, 1)
        for i, row in enumerate(breakdowns[by], start=1):
            sheet.write(i, 0, str(row["label"]))
            for j, (key, _heading) in enumerate(BREAKDOWN_COLUMNS, start=1):
                value = _number(key, row[key])
                if value is not None:
                    sheet.write_number(i, j, value, fmt(key))
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, len(BREAKDOWN_COLUMNS), 13)
    book.close()
    return buffer.getvalue()
