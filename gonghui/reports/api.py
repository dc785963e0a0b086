"""API of the work report (``/api/v1/reports``): read-only, for roles holding ``reports.view``.

``GET /work-summary?org=&from=&to=`` answers exactly what ``gonghui report --format json``
prints; ``GET /figures/{key}/records`` lists the records behind a figure, ``count`` being the
figure (for an amount: the records whose amounts add up to it, ``total`` in yuan). An org
outside the caller's subtree answers 404 like a missing one.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gonghui.core import metrics, periods
from gonghui.core.api import InputSchema, PageParams
from gonghui.core.metrics import Metric

from . import selectors

router = Router(tags=["reports"])


class PeriodParams(InputSchema):
    org: str = Field("", description="组织代码；缺省为本人所在组织")
    period: str = Field(
        "",
        description="预设期间：month（本月）、quarter（本季度）、year（本年）、last_year（上年）；"
        "给出 from/to 时以日期为准；都不给为本年",
    )
    date_from: datetime.date | None = Field(None, alias="from", description="起始日期（含）")
    date_to: datetime.date | None = Field(None, alias="to", description="截止日期（含）")


class RecordParams(PageParams, PeriodParams):
    pass


class FigureOut(Schema):
    key: str
    label: str
    value: int | float | None = Field(..., description="数值；比率的分母为 0 时为 null")
    unit: str
    previous: int | float | None


class SummaryOut(Schema):
    org: str
    from_: str = Field(..., alias="from")
    to: str
    figures: list[FigureOut]
    text: str


class MetricOut(Schema):
    key: str
    label: str
    unit: str
    definition: str
    module: str
    kind: str


class RecordOut(Schema):
    id: int
    name: str
    org: str
    org_name: str
    amount: str | None = Field(None, description="金额（元），仅金额类指标")
    fields: dict[str, Any]


class RecordPage(Schema):
    items: list[RecordOut]
    count: int
    value: int | float | None = Field(
        ..., description="该指标的数值（同报告；比率无分母时为 null）"
    )
    total: str | None = Field(None, description="金额类指标：记录金额合计（元）")


def _scope(request: HttpRequest, params: PeriodParams) -> tuple[Any, datetime.date, datetime.date]:
    org = selectors.report_org(request.user, params.org)
    period = periods.resolve(period=params.period, start=params.date_from, end=params.date_to)
    return org, period.start, period.end


@router.get("/work-summary", response=SummaryOut, by_alias=True, summary="工作报告")
def work_summary(request: HttpRequest, params: Query[PeriodParams]) -> dict[str, Any]:
    org, start, end = _scope(request, params)
    return selectors.report_json(selectors.report_compute(org=org, start=start, end=end))


@router.get("/figures", response=list[MetricOut], summary="报告指标及其口径")
def figure_list(request: HttpRequest) -> list[dict[str, Any]]:
    selectors.report_org(request.user, "")
    return [
        {
            "key": m.key,
            "label": m.label,
            "unit": selectors.display_unit(m),
            "definition": m.definition,
            "module": m.module,
            "kind": m.effective_kind,
        }
        for m in metrics.all_metrics()
    ]


@router.get("/figures/{key}/records", response=RecordPage, summary="指标背后的记录")
def figure_records(request: HttpRequest, key: str, params: Query[RecordParams]) -> dict[str, Any]:
    org, start, end = _scope(request, params)
    metric: Metric = selectors.report_metric(key)
    page = selectors.figure_page(metric, org, start, end, params.offset, params.limit)
    figure = page.figure
    out: dict[str, Any] = {
        "items": [selectors.record_row(metric, obj) for obj in page.items],
        "count": page.count,
        "value": selectors.as_json_number(figure.value),
    }
    if metric.sum_field and metric.effective_kind != "rate":
        out["total"] = str(figure.raw)
    return out


@router.get("/breakdown", summary="按下级组织分列")
def figure_breakdown(request: HttpRequest, params: Query[PeriodParams]) -> dict[str, Any]:
    org, start, end = _scope(request, params)
    split = selectors.breakdown(org=org, start=start, end=end)
    return {
        "org": org.code,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "orgs": [{"code": o.code, "name": o.name} for o in split.orgs]
        + [{"code": org.code, "name": split.columns[-1]}],
        "figures": [
            {
                "key": fig.key,
                "label": fig.label,
                "unit": fig.unit,
                "value": selectors.as_json_number(fig.value),
                "values": [selectors.as_json_number(c) for c in cells],
            }
            for fig, cells in split.rows
        ],
    }


@router.get("/trend", summary="逐月趋势")
def figure_trend(request: HttpRequest, params: Query[PeriodParams]) -> dict[str, Any]:
    org, start, end = _scope(request, params)
    periods.check_trend(start, end)
    return {
        "org": org.code,
        "from": start.isoformat(),
        "to": end.isoformat(),
        **selectors.trend(org=org, start=start, end=end),
    }
