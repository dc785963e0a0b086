"""Pages of the work report: the report (narrative, table with last year and definitions,
breakdown by subordinate org), the dashboard (ECharts), the records behind a figure, and the
XLSX/PDF downloads. Read-only; an org outside the user's subtree answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import hooks, periods
from gonghui.core.errors import InvalidInput
from gonghui.core.metrics import Tally
from gonghui.core.pickers import PickerField, bind_pickers
from gonghui.core.web import staff_page
from gonghui.orgs.models import Org

from . import exports, selectors
from .text import paragraphs

PERM = selectors.PERM
PAGE_SIZE = 50


class CountedPaginator(Paginator):
    """A paginator told its count (already known exactly) instead of counting again."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count


class OrgForm(forms.Form):
    """The org of a report page: chosen by name, short name or pinyin (``core.pickers``); a
    code in the address (the links between the report's pages) is taken as it is."""

    org = PickerField("org", label=gettext_lazy("工会组织"), required=False)


def _org_form(request: HttpRequest) -> OrgForm:
    """The form of the org box, showing the org the page reports on (the user's own when the
    address names none)."""
    user: Any = request.user
    typed = request.GET.get("org", "").strip()[:200]
    if not typed and user.org is not None:
        typed = user.org.code
    return bind_pickers(OrgForm({"org": typed}), user)


@dataclass
class Params:
    """The org and period of a report page, and its period picker."""

    org: Any
    period: periods.Period
    picker: dict[str, Any]

    @property
    def start(self) -> date:
        return self.period.start

    @property
    def end(self) -> date:
        return self.period.end


def _params(request: HttpRequest) -> Params:
    """The org (the user's own unless the query names one) and the period of the query
    string, else the one the user chose last (``core.periods``)."""
    typed = request.GET.get("org", "").strip()
    if typed and Org.objects.filter(code=typed).exists():
        code = typed  # a code: in scope or not, ``report_org`` answers (404 outside it)
    else:
        form = _org_form(request)
        if not form.is_valid():
            raise InvalidInput.one("org", str(form.errors["org"][0]))
        code = form.cleaned_data["org"]
    period = periods.period_for_page(request)
    org = selectors.report_org(request.user, code)
    picker = periods.picker(period, org_field="org", org_value=org.code)
    picker["org_box"] = bind_pickers(OrgForm({"org": org.code}), request.user)["org"]
    return Params(org=org, period=period, picker=picker)


def _bad_period(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return _page_error(request, exc.errors[0]["message"], status=400)


def _page_error(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    """The report page with the period picker and ``message`` instead of figures."""
    today = timezone.localdate()
    picker = periods.picker(periods.preset(periods.DEFAULT_PRESET, today), org_field="org")
    picker["org_value"] = request.GET.get("org", "")[:32]
    picker["org_box"] = _org_form(request)["org"]
    return render(
        request, "reports/summary.html", {"picker": picker, "error": message}, status=status
    )


def _query(org: Any, period: periods.Period) -> str:
    """The page's org and period as links to its other views carry them (a preset by name)."""
    return f"org={org.code}&{period.query()}"


@staff_page(PERM)
def summary(request: HttpRequest) -> HttpResponse:
    try:
        p = _params(request)
    except InvalidInput as exc:
        return _bad_period(request, exc)
    org, start, end = p.org, p.start, p.end
    report, split = selectors.report_page(org=org, start=start, end=end)
    return render(
        request,
        "reports/summary.html",
        {
            "picker": p.picker,
            "report": report,
            "paragraphs": paragraphs(report),
            "breakdown": split,
            "columns": [exports.column_name(o) for o in split.orgs] + [_("本级")],
            "query": _query(org, p.period),
            "pdf_ready": exports.pdf_available(),
        },
    )


@staff_page(PERM)
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        p = _params(request)
    except InvalidInput as exc:
        return _bad_period(request, exc)
    org, start, end = p.org, p.start, p.end
    report, split = selectors.report_page(org=org, start=start, end=end)
    panels = [x for fn in hooks.dashboard_panels if (x := fn(org, start, end)) is not None]
    data = {
        "figures": [f.as_json() for f in report.figures],
        # a long period's trend: its last months (core.periods.trend_start)
        "trend": selectors.trend(
            org=org, start=periods.trend_start(start, end), end=end, tally=report.tally
        ),
        "breakdown": {
            # short names (牡丹区, 曹县 …) so that the bar chart's labels are not cut off
            "orgs": [exports.column_name(o) for o in split.orgs] + [_("本级")],
            "series": [
                {
                    "key": fig.key,
                    "label": fig.label,
                    "unit": fig.unit,
                    "values": [selectors.as_json_number(c) for c in cells],
                }
                for fig, cells in split.rows
            ],
        },
        "panels": panels,
        "labels": {
            "trend": _("逐月趋势"),
            "breakdown": _("下级组织对比"),
            "previous": _("上年同期"),
            "current": _("本期"),
        },
    }
    return render(
        request,
        "reports/dashboard.html",
        {"picker": p.picker, "report": report, "data": data, "query": _query(org, p.period)},
    )


@staff_page(PERM)
def figure_detail(request: HttpRequest, key: str) -> HttpResponse:
    try:
        p = _params(request)
    except InvalidInput as exc:
        return _bad_period(request, exc)
    org, start, end = p.org, p.start, p.end
    metric = selectors.report_metric(key)
    tally = Tally(org, families=False)
    figure = selectors.Figure(metric=metric, raw=tally.value(metric, start, end))
    qs = selectors.figure_records(metric, org, start, end)
    # the count of the records is the figure's own aggregate (see selectors.figure_page)
    paginator = CountedPaginator(qs, PAGE_SIZE, count=tally.count(metric, start, end))
    page = paginator.get_page(request.GET.get("page"))
    objects = selectors.record_slice(qs, (page.number - 1) * PAGE_SIZE, PAGE_SIZE)
    rows = [selectors.record_row(metric, obj) for obj in objects]
    name_heading, org_heading = selectors.record_headings(qs.model)
    return render(
        request,
        "reports/figure.html",
        {
            "picker": p.picker,
            "org": org,
            "start": start,
            "end": end,
            "figure": figure,
            "columns": selectors.record_columns(metric),
            "name_heading": name_heading,
            "org_heading": org_heading,
            "rows": rows,
            "page": page,
            "has_amount": bool(metric.sum_field) and metric.effective_kind != "rate",
            "query": _query(org, p.period),
        },
    )


def _download(request: HttpRequest, kind: str) -> HttpResponse:
    p = _params(request)
    org, start, end = p.org, p.start, p.end
    # both files hold the breakdown: computed first, the figures sum it
    report, split = selectors.report_page(org=org, start=start, end=end)
    if kind == "xlsx":
        body = exports.report_xlsx(report)
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = exports.report_pdf(report, split)
        ctype = "application/pdf"
    response = HttpResponse(body, content_type=ctype)
    name = f"work-report-{org.code}-{start:%Y%m%d}-{end:%Y%m%d}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_page(PERM)
def download_xlsx(request: HttpRequest) -> HttpResponse:
    try:
        return _download(request, "xlsx")
    except InvalidInput as exc:
        return _bad_period(request, exc)


@staff_page(PERM)
def download_pdf(request: HttpRequest) -> HttpResponse:
    try:
        return _download(request, "pdf")
    except InvalidInput as exc:
        return _bad_period(request, exc)
    except exports.FontMissing as exc:
        # the server lacks a font, not the user's request: say what to install (503)
        return _page_error(request, str(exc), status=503)
