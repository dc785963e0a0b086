"""The narrative of the work report, in the seed page's style: one paragraph per line of work
("一是……；二是……"), each a run of clauses such as "新组建8个县级化工产业工会".

A figure's clause is its metric's ``paragraph`` (``{value}`` and ``{unit}`` filled in with the
number as the page prints it), or "label value unit" when the module declared none. The line of
work is the metric's ``section``, else a heading for its module.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gonghui.core.pdf import chinese_ordinal

if TYPE_CHECKING:
    from .selectors import Figure, Report

# Headings for modules whose metrics name no section.
MODULE_SECTIONS = {
    "orgs": gettext_noop("工会组织建设"),
    "members": gettext_noop("会员发展与服务"),
    "hotline": gettext_noop("职工维权服务"),
    "legal": gettext_noop("职工维权服务"),
    "assistance": gettext_noop("困难职工帮扶"),
    "funds": gettext_noop("工会经费保障"),
    "honors": gettext_noop("劳模工匠选树"),
    "competitions": gettext_noop("劳动和技能竞赛"),
    "ventures": gettext_noop("职工创业就业"),
    "bargaining": gettext_noop("集体协商"),
    "places": gettext_noop("服务职工阵地建设"),
    "office": gettext_noop("综合办公"),
}


def chinese_date(day: date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def section_of(figure: Figure) -> str:
    metric = figure.metric
    if metric.section:
        return _(metric.section)
    heading = MODULE_SECTIONS.get(metric.module)
    return _(heading) if heading else _("其他工作")


def clause(figure: Figure) -> str:
    template = figure.metric.paragraph
    if template:
        return _(template).format(value=figure.text, unit=figure.unit)
    return f"{figure.label}{figure.text}{figure.unit}"


def opening(report: Report) -> str:
    return _("%(start)s至%(end)s，%(org)s及所属各级工会工作情况如下。") % {
        "start": chinese_date(report.start),
        "end": chinese_date(report.end),
        "org": report.org.name,
    }


def sections(report: Report) -> list[tuple[str, list[str]]]:
    """The lines of work in the order of their first figure, each with its clauses."""
    out: dict[str, list[str]] = {}
    for figure in report.figures:
        if figure.value is None:  # a rate with nothing to divide by: no clause ("率—%")
            continue
        out.setdefault(section_of(figure), []).append(clause(figure))
    return list(out.items())


def section_body(clauses: list[str]) -> str:
    """The clauses of a line of work as one sentence: "……；……。"."""
    return _("；").join(clauses) + _("。")


def paragraphs(report: Report) -> list[str]:
    out = [opening(report)]
    for i, (heading, clauses) in enumerate(sections(report)):
        ordinal = chinese_ordinal(i + 1)  # 一 … 十, 十一 …
        out.append(
            _("%(n)s是%(heading)s：%(body)s")
            % {"n": ordinal, "heading": heading, "body": section_body(clauses)}
        )
    return out


def report_text(report: Report) -> str:
    return "\n".join(paragraphs(report))
