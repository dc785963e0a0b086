"""What honours hand out and keep: certificates as PDF (``core.pdf``, one page each, in a
batch) and the spreadsheets — the honour roll and a round's nominee list."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core.masking import mask_name
from gonghui.core.pdf import Document

from .models import Honour, ModelWorker, Nomination


def _date(day: Any) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def certificates(honours: Iterable[Honour]) -> bytes:
    """One certificate page per honour: the honour, the holder, the citation, the number and
    the awarding org on the seal line. Raises ``FontMissing`` without a Chinese font."""
    doc: Document | None = None
    for honour in honours:
        round = honour.round
        if doc is None:
            doc = Document(title=_("荣誉证书"), number=honour.certificate_no)
        else:
            doc.pdf.add_page()
            doc._title(_("荣誉证书"), honour.certificate_no, "")
        doc.paragraph(f"{honour.name}：", indent=False, size=16)
        doc.paragraph(
            _(
                "在%(title)s中表现突出，经推荐、审核、公示，授予“%(award)s”荣誉称号。特发此证，以资鼓励。"
            )
            % {"title": round.title, "award": honour.award.name},
            size=14,
        )
        doc.seal(round.org.name, _date(honour.named_on))
    if doc is None:
        doc = Document(title=_("荣誉证书"))
        doc.paragraph(_("没有可打印的证书。"))
    return doc.output()


ROLL_HEADER = ["证书编号", "荣誉", "类别", "获得者", "推荐单位", "评选", "命名日期"]


def roll_rows(honours: Iterable[Honour]) -> Iterator[list[Any]]:
    for h in honours:
        yield [
            h.certificate_no,
            h.award.name,
            h.get_kind_display(),
            h.name,
            h.org.name,
            h.round.title,
            h.named_on.isoformat(),
        ]


NOMINEE_HEADER = [
    "编号",
    "候选对象",
    "推荐单位",
    "类别标记",
    "状态",
    "终止原因",
    "推荐日期",
    "专家评分",
]


def nominee_rows(nominations: Iterable[Nomination], *, reveal: bool) -> Iterator[list[Any]]:
    """A round's nominees; a person's name is masked unless the reader may see it."""
    for n in nominations:
        name = str(n) if (reveal or n.member_id is None) else mask_name(n.name)
        yield [
            n.pk,
            name,
            n.org.name,
            "、".join(n.tag_labels),
            n.get_status_display(),
            n.stop_reason,
            n.nominated_on.isoformat(),
            n.score if n.score is not None else "",
        ]


MODEL_WORKER_HEADER = [
    "姓名",
    "性别",
    "荣誉称号",
    "级别",
    "授予年度",
    "工作单位",
    "管理工会代码",
    "管理工会",
    "月荣誉津贴",
    "状态",
    "最近核实",
    "备注",
]


def model_worker_rows(workers: Iterable[ModelWorker]) -> Iterator[list[Any]]:
    """The register as the import reads it back (the same columns, names not codes)."""
    for w in workers:
        last = max(w.checks.all(), key=lambda c: c.year, default=None)
        yield [
            w.name,
            w.get_sex_display(),
            w.title,
            w.get_level_display(),
            w.year,
            w.employer,
            w.org.code,
            w.org.name,
            w.allowance,
            w.get_status_display(),
            f"{last.year}：{last.get_result_display()}" if last else "",
            w.note,
        ]
