"""The sign printed for a place's door (A4, via ``core.pdf``): its name, kind and code, its
stars, what it offers and when, and the QR code members scan to rate it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gonghui.core.pdf import Column, Document
from gonghui.core.qr import qr_modules

from . import checklists
from .models import Place

QR_MM = 80


def door_pdf(place: Place, url: str) -> bytes:
    doc = Document(
        title=place.name,
        number=_("编号：%(code)s") % {"code": place.code},
        subtitle=place.get_kind_display(),
        author=place.org.name,
    )
    pdf = doc.pdf
    modules = qr_modules(url)
    size = len(modules)
    cell = QR_MM / size
    left = pdf.l_margin + (doc.width - QR_MM) / 2
    top = pdf.get_y() + 2
    pdf.set_fill_color(0, 0, 0)
    for y, row in enumerate(modules):
        for x, dark in enumerate(row):
            if dark:
                pdf.rect(left + x * cell, top + y * cell, cell, cell, style="F")
    pdf.set_y(top + QR_MM + 4)
    doc.paragraph(_("扫码查看服务并评价"), indent=False)
    if place.stars:
        doc.paragraph(
            _("星级：%(stars)s（%(year)s年度评定）")
            % {"stars": "★" * place.stars, "year": place.stars_year},
            indent=False,
        )
    rows = [
        (_("地址"), place.address or "—"),
        (_("开放时间"), place.hours or "—"),
        (_("服务内容"), place.services or "—"),
        (_("联系电话"), place.phone or "—"),
        (_("所属工会"), place.org.name),
    ]
    met = [label for _k, label, ok in checklists.labelled(place.kind, place.checklist) if ok]
    if met:
        rows.append((_("达标条件"), "、".join(met)))
    doc.table(
        [Column(_("项目"), 30), Column(_("内容"), doc.width - 30)], [list(r) for r in rows], size=11
    )
    doc.seal(place.org.name, place.updated_at.date().isoformat())
    return doc.output()
