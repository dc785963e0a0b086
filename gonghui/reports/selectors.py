"""The work report computed from the metrics registry: figures, last year's, breakdown by
subordinate org, month-by-month trend and the records behind a figure.

Nothing here knows a module: every figure is a ``core.metrics.Metric``, so a module that lands
later joins the report by declaring its metrics. Scope is checked once, on the org: a user gets
the report of their home org or an org below it (``report_org``), and every figure's records
are already limited to that org's subtree by the metric.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gonghui.core import metrics
from gonghui.core.errors import Forbidden, InvalidInput, NotFound
from gonghui.core.metrics import (
    OWN_LEVEL,
    Metric,
    Number,
    Tally,
    Value,
    as_text,
    display_unit,
    percentage,
    shown,
)
from gonghui.core.roles import role_can
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.selectors import access_org

PERM = "reports.view"


# --- scope and parameters -------------------------------------------------------------------


def report_org(user: Any, code: str | None) -> Org:
    """The org whose report ``user`` asks for: their home org when ``code`` is empty.
    A role without the report right gets Forbidden; an org outside the subtree NotFound."""
    if not getattr(user, "is_authenticated", False) or not role_can(user.role, PERM):
        raise Forbidden(_("当前角色无权查看工作报告"))
    if not code:
        if user.org_id is None:
            raise NotFound()
        code = user.org.code
    return access_org(user, code)


def check_period(start: date, end: date) -> None:
    if start > end:
        raise InvalidInput.one("to", _("截止日期不能早于起始日期"))


def report_metric(key: str) -> Metric:
    try:
        return metrics.get(key)
    except KeyError as exc:
        raise NotFound() from exc


def year_before(day: date) -> date:
    """The same day a year earlier; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def previous_period(start: date, end: date) -> tuple[date, date]:
    return year_before(start), year_before(end)


# --- numbers as the page writes them --------------------------------------------------------


def as_json_number(value: Value) -> int | float | None:
    # Two-decimal Decimals print exactly as floats (40.79 → 40.79); an empty rate is null.
    if value is None:
        return None
    return value if isinstance(value, int) else float(value)


# --- the report -----------------------------------------------------------------------------


@dataclass
class Figure:
    metric: Metric
    raw: Value  # None: a rate with nothing to divide by
    previous_raw: Value = None

    @property
    def key(self) -> str:
        return self.metric.key

    @property
    def label(self) -> str:
        return _(self.metric.label)

    @property
    def unit(self) -> str:
        return display_unit(self.metric)

    compared: bool = False  # last year's figure was computed (previous_raw None: empty rate)

    @property
    def value(self) -> Value:
        return shown(self.metric, self.raw)

    @property
    def previous(self) -> Value:
        return shown(self.metric, self.previous_raw)

    @property
    def text(self) -> str:
        return as_text(self.value)

    @property
    def previous_text(self) -> str:
        return as_text(self.previous) if self.compared else ""

    @property
    def change(self) -> str:
        """The change on last year as the page would print it: +12 / -3.50 / 持平 (nothing
        when either side is an empty rate)."""
        if self.value is None or self.previous is None:
            return ""
        delta = self.value - self.previous
        if not delta:
            return _("持平")
        return ("+" if delta > 0 else "") + as_text(delta)

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "value": as_json_number(self.value),
            "unit": self.unit,
            "previous": None if self.previous is None else as_json_number(self.previous),
        }


@dataclass
class Report:
    org: Org
    start: date
    end: date
    figures: list[Figure] = field(default_factory=list)
    # the figures as computed: the breakdown and the drill-down counts of the same request
    # reuse them instead of scanning the records again
    tally: Tally | None = field(default=None, repr=False, compare=False)

    @property
    def title(self) -> str:
        return _("%(org)s工作报告") % {"org": self.org.name}

    @property
    def period(self) -> str:
        return _("%(start)s至%(end)s") % {"start": self.start, "end": self.end}


def report_compute(
    *, org: Org, start: date, end: date, previous: bool = True, tally: Tally | None = None
) -> Report:
    """Every declared figure for ``org``'s subtree and the period (and the same period of last
    year): one statement per period for every family of figures (``Tally.prefetch``) that
    the breakdown held in ``tally`` has not already computed."""
    check_period(start, end)
    tally = tally or Tally(org)
    prev_start, prev_end = previous_period(start, end)
    report = Report(org=org, start=start, end=end, tally=tally)
    figures = metrics.all_metrics()
    tally.prefetch(figures, start, end)  # what the breakdown has not computed: one query
    if previous:
        tally.prefetch(figures, prev_start, prev_end)
    for metric in figures:
        raw = tally.value(metric, start, end)
        before = tally.value(metric, prev_start, prev_end) if previous else None
        report.figures.append(
            Figure(metric=metric, raw=raw, previous_raw=before, compared=previous)
        )
    return report


def report_page(*, org: Org, start: date, end: date) -> tuple[Report, Breakdown]:
    """What the report page shows: the breakdown by subordinate org first (one ``GROUP BY``
    per family), then the figures — this period's are the sums of the breakdown's groups,
    last year's one aggregate per family."""
    tally = Tally(org)
    split = breakdown(org=org, start=start, end=end, tally=tally)
    return report_compute(org=org, start=start, end=end, tally=tally), split


def report_json(report: Report) -> dict[str, Any]:
    from .text import report_text

    return {
        "org": report.org.code,
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "figures": [f.as_json() for f in report.figures],
        "text": report_text(report),
    }


# --- breakdown by subordinate org -----------------------------------------------------------


def org_field(metric: Metric, model: type[Any]) -> str | None:
    """The records' field naming their org (``id`` when the records are orgs), or None when
    the model has no such field (a record tied to several orgs that declares none): such a
    figure has no breakdown and its drill-down no org column."""
    name = metric.org_field or getattr(model, "scope_field", "org")
    if name in ("id", "pk"):
        return "id" if model is Org else None
    try:
        target = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return name if getattr(target, "related_model", None) is Org else None


def _raw_by_org(metric: Metric, tally: Tally, start: date, end: date) -> dict[int, Number] | None:
    """The figure per org that holds records: one GROUP BY per family (None: no org field)."""
    return tally.split(metric, start, end, lambda model: org_field(metric, model))


@dataclass
class Breakdown:
    orgs: list[Org]  # the org's direct subordinates, then "本级" (the org itself) as None
    rows: list[tuple[Figure, list[Value]]]  # per figure: a shown value per column

    @property
    def columns(self) -> list[str]:
        return [o.name for o in self.orgs] + [_(OWN_LEVEL)]


def breakdown(
    *,
    org: Org,
    start: date,
    end: date,
    keys: list[str] | None = None,
    tally: Tally | None = None,
) -> Breakdown:
    """Each figure split by the org's direct subordinates (for the city: its counties and
    zones); records held by the org itself form the last column. The columns add up to the
    figure for counts and sums. A figure whose records name no single org (its metric declares
    no ``org_field`` and its model has no ``org``) is left out."""
    check_period(start, end)
    tally = tally or Tally(org)
    # counties and districts first (the page's "by county"), then the other subordinates
    children = sorted(
        Org.objects.filter(parent=org), key=lambda o: (o.kind != OrgKind.COUNTY, o.code)
    )
    depth = len(org.path.strip("/").split("/"))
    owner: dict[int, int | None] = {}  # any org id of the subtree → child id (None: the org)
    for oid, path in Org.objects.filter(path__startswith=org.path).values_list("id", "path"):
        parts = path.strip("/").split("/")
        owner[oid] = int(parts[depth]) if len(parts) > depth else None
    slots = {c.id: i for i, c in enumerate(children)}
    width = len(children) + 1

    def split(metric: Metric) -> list[Number] | None:
        cells: list[Number] = [0] * width
        by_org = _raw_by_org(metric, tally, start, end)
        if by_org is None:
            return None
        for oid, n in by_org.items():
            child = owner.get(oid)
            cells[slots[child] if child is not None else width - 1] += n
        return cells

    rows: list[tuple[Figure, list[Value]]] = []
    for metric in metrics.all_metrics():
        if keys is not None and metric.key not in keys:
            continue
        if metric.effective_kind == "rate" and metric.ratio is not None:
            num = split(metrics.get(metric.ratio[0]))
            den = split(metrics.get(metric.ratio[1]))
            if num is None or den is None:
                continue  # records tied to no single org: no breakdown
            raw_cells: list[Value] = [percentage(n, d) for n, d in zip(num, den, strict=True)]
            total: Value = percentage(sum(num), sum(den))
        else:
            cells = split(metric)
            if cells is None:
                continue
            raw_cells, total = list(cells), sum(cells)
        figure = Figure(metric=metric, raw=total)
        rows.append((figure, [shown(metric, c) for c in raw_cells]))
    return Breakdown(orgs=children, rows=rows)


# --- month-by-month trend -------------------------------------------------------------------


def months(start: date, end: date) -> list[tuple[date, date]]:
    """The calendar months of the period, cut to it at both ends."""
    out = []
    y, m = start.year, start.month
    while date(y, m, 1) <= end:
        first = max(start, date(y, m, 1))
        last = min(end, date(y, m, calendar.monthrange(y, m)[1]))
        out.append((first, last))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def trend(
    *,
    org: Org,
    start: date,
    end: date,
    keys: list[str] | None = None,
    tally: Tally | None = None,
) -> dict[str, Any]:
    """Each figure month by month: ``{"months": ["2020-01", ...], "series": [{"key", "label",
    "unit", "values"}]}``; a stock figure (members in good standing) reads at each month's
    end, a flow figure counts within the month."""
    check_period(start, end)
    tally = tally or Tally(org)
    spans = months(start, end)
    series = []
    for metric in metrics.all_metrics():
        if keys is not None and metric.key not in keys:
            continue
        values = [as_json_number(shown(metric, tally.value(metric, a, b))) for a, b in spans]
        series.append(
            {
                "key": metric.key,
                "label": _(metric.label),
                "unit": display_unit(metric),
                "values": values,
            }
        )
    return {"months": [f"{a:%Y-%m}" for a, _b in spans], "series": series}


# --- the records behind a figure ------------------------------------------------------------


def figure_records(metric: Metric, org: Org, start: date, end: date) -> QuerySet[Any]:
    """The figure's records, their orgs loaded, in a stable order (by id: the order of entry).
    For a rate: the numerator's."""
    check_period(start, end)
    if metric.effective_kind == "rate" and metric.ratio is not None:
        metric = metrics.get(metric.ratio[0])
    qs = metric.queryset(org, start, end)
    fld = org_field(metric, qs.model)
    related = {path.rsplit("__", 1)[0] for path, _label in metric.columns if "__" in path}
    if fld is not None and fld != "id":
        related.add(fld)
    if related:
        # a second query per page for the orgs (and other related rows), not a join: joined,
        # SQLite reads the orgs first and sorts every record of the subtree by id for the page
        qs = qs.prefetch_related(*sorted(related))
    return qs.order_by("pk")


@dataclass
class RecordPage:
    figure: Figure
    count: int  # the records behind the figure (for a count: the figure itself)
    items: list[Any]  # the page's records


def figure_page(
    metric: Metric, org: Org, start: date, end: date, offset: int, limit: int
) -> RecordPage:
    """One page of a figure's records with the figure and their count: the count comes from
    the figure's own aggregate (a count figure *is* the count of its records; an amount's
    records are counted in the query that sums them), so the page costs that aggregate and
    the page query, never a second scan."""
    tally = Tally(org, families=False)
    figure = Figure(metric=metric, raw=tally.value(metric, start, end))
    count = tally.count(metric, start, end)
    qs = figure_records(metric, org, start, end)
    return RecordPage(figure=figure, count=count, items=record_slice(qs, offset, limit))


def record_slice(qs: QuerySet[Any], offset: int, limit: int) -> list[Any]:
    """``qs[offset:offset + limit]`` in two steps: the ids first (a figure's filters can often
    be answered from an index alone, and only ids are sorted), then those rows."""
    ids = list(qs.values_list("pk", flat=True)[offset : offset + limit])
    return list(qs.filter(pk__in=ids)) if ids else []


def record_org(metric: Metric, obj: Any) -> Org | None:
    fld = org_field(metric, type(obj))
    if fld is None:
        return None
    return obj if fld == "id" else getattr(obj, fld, None)


def _field_value(obj: Any, path: str) -> Any:
    value = obj
    for part in path.split("__"):
        if value is None:
            return None
        display = getattr(value, f"get_{part}_display", None)
        value = display() if callable(display) else getattr(value, part, None)
    return value


def record_row(metric: Metric, obj: Any) -> dict[str, Any]:
    """One record as the drill-down and the detail sheet show it."""
    source = record_source(metric)
    org = record_org(source, obj)
    if org is not None and org is obj:  # an org: its column names the org above it, not itself
        org = org.parent
    url = getattr(obj, "get_absolute_url", None)
    row: dict[str, Any] = {
        "id": obj.pk,
        "url": url() if callable(url) else "",
        "name": str(obj),
        "org": org.code if org is not None else "",
        "org_name": org.name if org is not None else "",
    }
    if source.sum_field:
        amount = _field_value(obj, source.sum_field)
        row["amount"] = str(amount) if amount is not None else None
    row["fields"] = {label: _plain(_field_value(obj, path)) for path, label in source.columns}
    return row


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def record_source(metric: Metric) -> Metric:
    """The metric whose records a figure lists (a rate: its numerator's)."""
    if metric.effective_kind == "rate" and metric.ratio is not None:
        return metrics.get(metric.ratio[0])
    return metric


def record_columns(metric: Metric) -> list[str]:
    return [label for _path, label in record_source(metric).columns]


def record_headings(model: type[Any]) -> tuple[str, str]:
    """The headings of a drill-down's name and org columns, the records' own: a work order's
    number is "工单编号", a member's name "姓名"; orgs are listed with the org above them."""
    name = _("记录")
    for field_name in ("number", "name"):
        try:
            name = str(model._meta.get_field(field_name).verbose_name)
            break
        except FieldDoesNotExist:
            continue
    return name, (_("上级工会") if model is Org else _("所属工会"))
