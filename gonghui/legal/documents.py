"""The case's documents, laid out by ``core.pdf``: the letter of assignment (案件委派函) naming
the lawyer, and the case summary (stages, dates, outcome). The letter names the first
applicant in full: it is addressed to the lawyer, who must reach them; the summary masks
every applicant's name."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.errors import InvalidInput
from gonghui.core.masking import mask_name
from gonghui.core.pdf import Column, Document

from .deadlines import case_limits
from .models import Case, Status

ASSIGNED = (Status.ASSIGNED, Status.IN_PROGRESS, Status.CONCLUDED, Status.CLOSED)


def pdf_response(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private, no-store"
    return response


def assignment_letter(case: Case) -> bytes:
    if case.status not in ASSIGNED or case.lawyer is None:
        raise InvalidInput.one("lawyer", _("案件指派律师后才能出具委派函。"))
    lawyer = case.lawyer.full_name or case.lawyer.username
    applicants = list(case.applicants.all())
    first = applicants[0].name if applicants else ""
    who = first + (_("等%(n)s人") % {"n": len(applicants)} if len(applicants) > 1 else "")
    doc = Document(
        title=_("案件委派函"),
        number=_("%(org)s法援委〔%(year)s〕%(no)s号")
        % {
            "org": case.org.short_name or case.org.name[:2],
            "year": case.applied_on.year,
            "no": case.number[-4:],
        },
        author=case.org.name,
    )
    doc.paragraph(_("%(lawyer)s律师：") % {"lawyer": lawyer}, indent=False)
    doc.paragraph(
        _(
            "经审查，%(who)s与%(employer)s劳动争议一案（案件编号%(number)s）符合工会法律援助条件，"
            "本会决定予以援助。现委派你承办该案，援助事项为%(service)s。请自收到本函之日起"
            "及时与受援人联系，依法维护其合法权益，并按规定记录办案进程、报告办理结果。"
        )
        % {
            "who": who,
            "employer": case.employer_name,
            "number": case.number,
            "service": case.get_service_display(),
        }
    )
    doc.section(_("案件要点"))
    rows = [
        (_("争议发生日"), f"{case.dispute_on:%Y年%m月%d日}"),
        (_("申请日"), f"{case.applied_on:%Y年%m月%d日}"),
        (_("批准日"), f"{case.decided_on:%Y年%m月%d日}" if case.decided_on else "—"),
        (_("受援人数"), str(len(applicants))),
    ]
    rows += [(c.item, f"{c.amount}元") for c in case.claims.all()]
    doc.table([Column(_("项目"), 60), Column(_("内容"), 110)], rows)
    limits = case_limits(case, timezone.localdate())
    if limits:
        doc.section(_("需注意的法定期限"))
        doc.table(
            [Column(_("期限"), 80), Column(_("截止日"), 90)],
            [(item.label, f"{item.due_on:%Y年%m月%d日}") for item in limits],
        )
    doc.seal(case.org.name, f"{(case.assigned_on or timezone.localdate()):%Y年%m月%d日}")
    return doc.output()


def case_summary(case: Case) -> bytes:
    doc = Document(title=_("法律援助案件办理情况"), number=case.number, author=case.org.name)
    applicants = list(case.applicants.all())
    doc.section(_("基本情况"))
    doc.table(
        [Column(_("项目"), 60), Column(_("内容"), 110)],
        [
            (_("承办中心"), case.org.name),
            (_("援助事项"), case.get_service_display()),
            (_("用人单位"), case.employer_name),
            (_("申请人"), "、".join(mask_name(a.name) for a in applicants)),
            (
                _("承办律师"),
                (case.lawyer.full_name or case.lawyer.username) if case.lawyer else "—",
            ),
            (_("状态"), case.get_status_display()),
        ],
    )
    doc.section(_("办案阶段"))
    stages = list(case.stages.all())
    doc.table(
        [Column(_("日期"), 40), Column(_("阶段"), 40), Column(_("说明"), 90)],
        [(f"{s.on:%Y-%m-%d}", s.get_kind_display(), s.note) for s in stages] or [("—", "—", "—")],
    )
    doc.section(_("办理结果"))
    doc.paragraph(
        _("结果：%(outcome)s；挽回金额%(amount)s元；受助职工%(workers)s人。")
        % {
            "outcome": case.get_outcome_display() or "—",
            "amount": case.amount_recovered,
            "workers": case.workers_helped,
        }
    )
    doc.seal(case.org.name, f"{timezone.localdate():%Y年%m月%d日}")
    return doc.output()
