"""Pages of the work report: the report (narrative, table with last year and definitions,
breakdown by subordinate org), the dashboard (ECharts), the records behind a figure, and the
XLSX/PDF downloads. Read-only; an org outside the user's subtree answers 404.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import hooks
from gonghui.core.errors import InvalidInput
from gonghui.core.metrics import Tally
from gonghui.core.web import staff_page

from . import exports, selectors
from .services import default_period
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


class PeriodForm(forms.Form):
    org = forms.CharField(label=gettext_lazy("组织代码"), required=False, max_length=32)
    start = forms.DateField(label=gettext_lazy("起始日期"), required=False)
    end = forms.DateField(label=gettext_lazy("截止日期"), required=False)


def _params(request: HttpRequest) -> tuple[PeriodForm, Any, date, date]:
    """The org and period of the query string (org defaults to the user's own)."""
    data = {
        "org": request.GET.get("org", ""),
        "start": request.GET.get("from", ""),
        "end": request.GET.get("to", ""),
    }
    form = PeriodForm(data)
    if not form.is_valid():
        field = next(iter(form.errors))
        raise InvalidInput.one(field, str(form.errors[field][0]))
    org = selectors.report_org(request.user, form.cleaned_data["org"])
    start, end = default_period(form.cleaned_data["start"], form.cleaned_data["end"])
    selectors.check_period(start, end)
    form = PeriodForm(initial={"org": org.code, "start": start, "end": end})
    return form, org, start, end


def _bad_period(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return render(
        request,
        "reports/summary.html",
        {"form": PeriodForm(request.GET), "error": exc.errors[0]["message"]},
        status=400,
    )


def _query(org: Any, start: date, end: date) -> str:
    return f"org={org.code}&from={start.isoformat()}&to={end.isoformat()}"


@staff_page(PERM)
def summary(request: HttpRequest) -> HttpResponse:
    try:
        form, org, start, end = _params(request)
    except InvalidInput as exc:
        return _bad_period(request, exc)
    report, split = selectors.report_page(org=org, start=start, end=end)
    return render(
        request,
        "reports/summary.html",
        {
            "form": form,
            "report": report,
            "paragraphs": paragraphs(report),
            "breakdown": split,
            "columns": [exports.column_name(o) for o in split.orgs] + [_("本级")],
            "query": _query(org, start, end),
            "pdf_ready": exports.pdf_available(),
        },
    )


@staff_page(PERM)
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        form, org, start, end = _params(request)
    except InvalidInput as exc:
        return _bad_period(request, exc)
    report, split = selectors.report_page(org=org, start=start, end=end)
    panels = [p for fn in hooks.dashboard_panels if (p := fn(org, start, end)) is not None]
    data = {
        "figures": [f.as_json() for f in report.figures],
        "trend": selectors.trend(org=org, start=start, end=end, tally=report.tally),
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
        {"form": form, "report": report, "data": data, "query": _query(org, start, end)},
    )


@staff_page(PERM)
def figure_detail(request: HttpRequest, key: str) -> HttpResponse:
    try:
        form, org, start, end = _params(request)
    except InvalidInput as exc:
        return _bad_period(request, exc)
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
            "form": form,
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
            "query": _query(org, start, end),
        },
    )


def _download(request: HttpRequest, kind: str) -> HttpResponse:
    _form, org, start, end = _params(request)
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
        return render(
            request,
            "reports/summary.html",
            {"form": PeriodForm(request.GET), "error": str(exc)},
            status=503,
        )
