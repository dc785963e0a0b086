"""The letter to the enterprise explaining its refund decision (core.pdf): who applied, the
decision, every step of the reasoning stored with it, the amount and where it was paid."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gonghui.core.masking import mask_bank_account
from gonghui.core.pdf import Column, Document

from .models import ApplicationStatus, RefundApplication

DECISIONS = {
    ApplicationStatus.APPLIED: "已受理，正在审核",
    ApplicationStatus.CHECKED: "已审核，等待决定",
    ApplicationStatus.APPROVED: "予以返还",
    ApplicationStatus.REFUSED: "不予返还",
    ApplicationStatus.PAID: "予以返还，款项已到账",
}


def refund_letter(app: RefundApplication) -> bytes:
    county = app.county
    doc = Document(
        title=_("小微企业工会经费返还审核结果告知书"),
        number=app.number,
        author=county.name,
    )
    doc.section(_("申请单位"), numbered=False)
    doc.paragraph(
        _("%(name)s（统一社会信用代码 %(uscc)s）：")
        % {"name": app.enterprise.name, "uscc": app.enterprise.uscc},
        indent=False,
    )
    doc.paragraph(
        _("你单位于 %(d)s 提出的“%(round)s”工会经费返还申请（编号 %(n)s），经审核，结果为：%(r)s。")
        % {
            "d": f"{app.applied_on:%Y年%m月%d日}",
            "round": str(app.round),
            "n": app.number,
            "r": DECISIONS[ApplicationStatus(app.status)],
        }
    )
    doc.section(_("审核依据"))
    for line in app.explanation:
        doc.paragraph(str(line))
    if app.refused_reason:
        doc.paragraph(_("不予返还的理由：%(r)s") % {"r": app.refused_reason})
    if app.status in (ApplicationStatus.APPROVED, ApplicationStatus.PAID):
        doc.section(_("返还款项"))
        doc.table(
            [Column(_("项目"), 60), Column(_("内容"), doc.width - 60)],
            [
                [_("返还金额"), f"{app.amount} 元"],
                [_("收款开户行"), app.bank_name],
                [_("收款账号"), mask_bank_account(app.bank_account)],
                [_("到账日期"), f"{app.paid_on:%Y-%m-%d}" if app.paid_on else _("待银行回单")],
            ],
        )
    doc.paragraph(
        _("如对审核结果有异议，可自收到本告知书之日起十五日内向%(c)s提出。") % {"c": county.name}
    )
    day = app.decided_on or app.applied_on
    doc.seal(county.name, f"{day:%Y年%m月%d日}")
    return doc.output()
