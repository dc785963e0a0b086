"""API of hardship assistance (``/api/v1/assistance``).

- ``POST /check``: the eligibility self-test (nothing written): the category and why;
- ``GET/POST /families``, ``GET /families/{id}`` (masked), one ``POST /families/{id}/<step>``
  per workflow step (409 naming what is allowed), ``POST /families/{id}/reveal`` (audited),
  ``GET /families/{id}/history`` (every step), ``GET/POST /families/{id}/attachments``;
- ``GET/POST /grants``, ``POST /grants/{id}/approve|refuse|paid``;
- ``GET/POST /campaigns``, ``POST /campaigns/{id}/recipients`` (rows; or ``/import`` a sheet),
  ``POST /campaigns/{id}/approve|paid|reissue``, ``GET /campaigns/{id}/recipients``;
- ``GET/PUT /dibao`` the 低保 table.
A record outside the caller's scope answers 404 like a missing one; names, IDs, phones and
accounts are masked in every answer.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gonghui.core.api import BoundedText, InputSchema, Page, PageParams, paginate
from gonghui.core.errors import Forbidden, InvalidInput
from gonghui.core.masking import mask_generic, mask_id_number, mask_name
from gonghui.core.roles import Role, can
from gonghui.orgs.models import Org

from . import selectors, services
from .models import Campaign, DibaoStandard, Family, Grant, Recipient

router = Router(tags=["assistance"])


def _staff(user: Any, perm: str = "assistance.view") -> None:
    if getattr(user, "role", "") == Role.MEMBER or not can(user, perm):
        raise Forbidden("当前角色不能使用困难帮扶功能。")


# --- schemas ---------------------------------------------------------------------------------


class CheckIn(InputSchema):
    household_income: Decimal = Field(..., ge=0, description="家庭年可支配收入（元）")
    rigid_expenses: Decimal = Field(Decimal("0"), ge=0, description="家庭年刚性支出（元）")
    household_size: int = Field(..., ge=1, le=30, description="家庭人口")
    hardship_costs: Decimal = Field(Decimal("0"), ge=0, description="本年致困支出或损失（元）")
    major_event: bool = False
    org: str = Field("", description="工会代码，缺省为本人所在工会")
    year: int | None = Field(None, ge=2000, le=2100)


class CheckOut(Schema):
    category: str
    category_label: str
    per_capita: Decimal
    dibao: Decimal
    threshold: Decimal
    rule: str
    rule_label: str
    explanation: str


class RelativeIn(InputSchema):
    name: str = Field(..., max_length=50)
    relation: str = Field(..., max_length=10, description="spouse/child/parent/sibling/other")
    id_number: str = Field("", max_length=20)
    monthly_income: Decimal = Field(Decimal("0"), ge=0)
    health: str = Field("", max_length=200)
    employer_or_school: str = Field("", max_length=100)


class ExpenseIn(InputSchema):
    kind: str = Field(..., max_length=12, description="illness/disability/schooling/job")
    amount: Decimal = Field(..., ge=0)
    note: str = Field("", max_length=200)


class FamilyIn(InputSchema):
    bounds = (Family,)

    org: str = Field("", description="工会代码（工作人员代为登记时），会员申请时不填")
    name: str
    id_number: str = Field(..., max_length=20)
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=200)
    health: str = Field("", max_length=200)
    disability: str = Field("", max_length=200)
    employer: str = ""
    work_status: str = ""
    main_cause: str = Field(..., description="illness/disability/schooling/disaster/accident/...")
    household_income: Decimal = Field(Decimal("0"), ge=0)
    own_monthly_income: Decimal = Field(Decimal("0"), ge=0)
    hardship_costs: Decimal = Field(Decimal("0"), ge=0)
    household_size: int = Field(1, ge=1, le=30)
    major_event: bool = False
    bank_name: str = ""
    bank_account: str = Field("", max_length=30)
    pledge: bool = Field(False, description="确认收入承诺并授权核查")
    relatives: list[RelativeIn] = Field(default_factory=list, max_length=20)
    expenses: list[ExpenseIn] = Field(default_factory=list, max_length=30)


class FamilyOut(Schema):
    id: int
    number: str
    org: str
    org_name: str
    status: str
    status_label: str
    category: str
    category_label: str
    name: str
    id_number: str
    applied_on: datetime.date
    archived_on: datetime.date | None
    household_size: int
    per_capita: str
    dibao: Decimal | None
    threshold: Decimal | None
    rule: str
    explanation: str
    duplicate_of: str | None


def family_out(user: Any, f: Family) -> dict[str, Any]:
    """A file as the API shows it: names and IDs masked; the income figures only for the
    file's own applicant or a user with the reveal right (the page shows the same)."""
    income_shown = getattr(user, "role", "") == Role.MEMBER or selectors.may_reveal(user, f)
    return {
        "id": f.pk,
        "number": f.number,
        "org": f.org.code,
        "org_name": f.org.name,
        "status": f.status,
        "status_label": f.get_status_display(),
        "category": f.category,
        "category_label": f.get_category_display() if f.category else "",
        "name": mask_name(f.name),
        "id_number": mask_id_number(f.id_number),
        "applied_on": f.applied_on,
        "archived_on": f.archived_on,
        "household_size": f.household_size,
        "per_capita": f.per_capita if income_shown else "***",
        "dibao": f.dibao,
        "threshold": f.threshold if income_shown else None,
        "rule": f.rule,
        "explanation": f.explanation if income_shown else "",
        "duplicate_of": f.duplicate_of.number if f.duplicate_of_id and f.duplicate_of else None,
    }


class FamilyFilters(PageParams):
    status: str = ""
    category: str = ""
    q: str = ""


class StepIn(InputSchema):
    note: str = Field("", max_length=5000, description="调查情况/评议意见/审核意见/理由/走访情况")
    investigation: str = Field("", max_length=5000)
    household_income: Decimal | None = Field(None, ge=0)
    hardship_costs: Decimal | None = Field(None, ge=0)
    household_size: int | None = Field(None, ge=1, le=30)
    kind: str = Field("", max_length=12, description="退出方式：relieved/cancelled")
    days: int = Field(5, ge=1, le=30, description="公示工作日数")
    relatives: list[RelativeIn] | None = Field(None, max_length=20)
    expenses: list[ExpenseIn] | None = Field(None, max_length=30)


class RevealIn(InputSchema):
    reason: str = Field("", max_length=200)


class RevealOut(Schema):
    id_number: str
    phone: str
    address: str
    bank_account: str
    health: str
    disability: str


# --- the self-test and the files ---------------------------------------------------------------


@router.post("/check", response=CheckOut, summary="困难职工自测（不保存）")
def check(request: HttpRequest, payload: CheckIn) -> dict[str, Any]:
    user: Any = request.user
    org = user.org
    if payload.org:
        org = Org.objects.filter(code=payload.org).first()
        if org is None:
            raise InvalidInput.one("org", "找不到该工会。")
    if org is None:
        raise InvalidInput.one("org", "请选择工会。")
    data = payload.dict()
    result = services.eligibility(org=org, data=data, year=payload.year)
    return {
        "category": result.category,
        "category_label": result.category_label,
        "per_capita": result.per_capita,
        "dibao": result.dibao,
        "threshold": result.threshold,
        "rule": result.rule,
        "rule_label": result.rule_label,
        "explanation": result.explanation,
    }


@router.get("/families", response=Page[FamilyOut], summary="困难职工档案与申请")
def family_list(request: HttpRequest, filters: Query[FamilyFilters]) -> dict[str, Any]:
    user: Any = request.user
    qs = selectors.families_filtered(
        user, status=filters.status, category=filters.category, q=filters.q.strip()
    ).select_related("duplicate_of")
    page = paginate(qs, filters)
    page["items"] = [family_out(user, f) for f in page["items"]]
    return page


@router.post("/families", response={201: FamilyOut}, summary="提交困难职工申请")
def family_create(request: HttpRequest, payload: FamilyIn) -> Status[dict[str, Any]]:
    data = payload.dict()
    relatives, expenses = data.pop("relatives"), data.pop("expenses")
    family = services.family_apply(
        actor=request.user, data=data, relatives=relatives, expenses=expenses
    )
    return Status(201, family_out(request.user, selectors.access_family(request.user, family.pk)))


@router.get("/families/{family_id}", response=FamilyOut, summary="困难职工档案详情")
def family_get(request: HttpRequest, family_id: int) -> dict[str, Any]:
    return family_out(request.user, selectors.access_family(request.user, family_id))


@router.post("/families/{family_id}/reveal", response=RevealOut, summary="查看完整个人信息（留痕）")
def family_reveal(request: HttpRequest, family_id: int, payload: RevealIn) -> dict[str, str]:
    family = selectors.access_family(request.user, family_id)
    return services.family_reveal(actor=request.user, family=family, reason=payload.reason)


class EventOut(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    on: datetime.date
    actor: str
    org: str
    note: str


@router.get(
    "/families/{family_id}/history", response=list[EventOut], summary="档案历史（每一步及其办理人）"
)
def family_history(request: HttpRequest, family_id: int) -> list[dict[str, Any]]:
    """Every step of the file. The applicant sees the steps and their dates; who took them
    and their notes (the investigation, the deliberation) only staff, as on the pages."""
    from django.utils.translation import gettext

    from .workflow import WORKFLOW

    user: Any = request.user
    family = selectors.access_family(user, family_id)
    public = getattr(user, "role", "") == Role.MEMBER
    labels = {t.name: gettext(t.label) for t in WORKFLOW.transitions} | {"apply": "提交申请"}
    return [
        {
            "action": e.action,
            "label": labels.get(e.action, e.action),
            "from_status": e.from_status,
            "to_status": e.to_status,
            "on": e.on,
            "actor": "" if public or e.actor is None else e.actor.display_name,
            "org": "" if public or e.org is None else e.org.name,
            "note": "" if public else e.note,
        }
        for e in family.events.select_related("actor", "org")
    ]


class AttachmentOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    uploaded_at: datetime.datetime


def _attachment_out(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "kind": a.kind,
        "kind_label": a.get_kind_display(),
        "name": a.name,
        "uploaded_at": a.uploaded_at,
    }


@router.get("/families/{family_id}/attachments", response=list[AttachmentOut], summary="申请材料")
def family_attachments(request: HttpRequest, family_id: int) -> list[dict[str, Any]]:
    family = selectors.access_family(request.user, family_id)
    return [_attachment_out(a) for a in family.attachments.all()]


@router.post(
    "/families/{family_id}/attachments",
    response={201: AttachmentOut},
    summary="上传申请材料（书面申请、收入承诺书、授权书、证明材料）",
)
def family_attach(
    request: HttpRequest, family_id: int, kind: Form[BoundedText], file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    family = selectors.access_family(request.user, family_id)
    item = services.family_attach(actor=request.user, family=family, upload=file, kind=kind)
    return Status(201, _attachment_out(item))


def _do(user: Any, family: Family, action: str, p: StepIn) -> Family:
    data = {
        k: v
        for k, v in p.dict().items()
        if v is not None and k in {"household_income", "hardship_costs", "household_size"}
    }
    if action == "investigate":
        return services.family_investigate(
            actor=user,
            family=family,
            data={**data, "investigation": p.investigation or p.note},
            relatives=None if p.relatives is None else [r.dict() for r in p.relatives],
            expenses=None if p.expenses is None else [e.dict() for e in p.expenses],
        )
    if action == "deliberate":
        return services.family_deliberate(actor=user, family=family, opinion=p.note)
    if action == "publish":
        return services.family_publish(actor=user, family=family, days=p.days)
    if action == "submit_review":
        return services.family_submit_review(actor=user, family=family)
    if action == "approve":
        return services.family_approve(actor=user, family=family, note=p.note)
    if action == "send_back":
        return services.family_send_back(actor=user, family=family, reason=p.note)
    if action == "reject":
        return services.family_reject(actor=user, family=family, reason=p.note)
    if action == "survey":
        return services.family_survey(actor=user, family=family, note=p.note)
    if action == "verify":
        return services.family_verify(actor=user, family=family, data=data, note=p.note)
    kind = p.kind or ("cancelled" if action == "cancel" else "relieved")
    return services.family_exit(actor=user, family=family, kind=kind, reason=p.note)


STEPS = {
    "investigate": "入户调查",
    "deliberate": "民主评议",
    "publish": "发布公示",
    "submit_review": "报上级审核",
    "approve": "审核通过并建档",
    "send_back": "退回重新调查",
    "reject": "不予建档",
    "survey": "半年走访",
    "verify": "年度复核",
    "exit": "解困脱困",
    "cancel": "注销",
}


def _step_route(action: str, summary: str) -> None:
    def view(request: HttpRequest, family_id: int, payload: StepIn) -> dict[str, Any]:
        user: Any = request.user
        family = selectors.access_family(user, family_id)
        _staff(user, "assistance.handle")
        _do(user, family, action, payload)
        return family_out(user, selectors.access_family(user, family_id))

    view.__name__ = f"family_{action}"
    router.post(f"/families/{{family_id}}/{action}", response=FamilyOut, summary=summary)(view)


for _action, _summary in STEPS.items():
    _step_route(_action, _summary)


# --- grants ---------------------------------------------------------------------------------


class GrantIn(InputSchema):
    bounds = (Grant,)

    family: int = Field(..., ge=1, description="困难档案 id")
    kind: str = Field(..., description="living/schooling/medical/training/warmth")
    period: str = Field(..., max_length=10, description="2020 或 2020H1")
    amount: Decimal = Field(..., gt=0)
    fund_source: str
    reason: str = ""
    override_reason: str = Field("", description="同一家庭同类同期再次发放时必填")


class GrantOut(Schema):
    id: int
    org: str
    family: str | None
    kind: str
    kind_label: str
    period: str
    fund_source: str
    amount: Decimal
    status: str
    status_label: str
    override_reason: str
    granted_on: datetime.date
    approved_on: datetime.date | None
    paid_on: datetime.date | None


def grant_out(g: Grant) -> dict[str, Any]:
    return {
        "id": g.pk,
        "org": g.org.code,
        "family": g.family.number if g.family is not None else None,
        "kind": g.kind,
        "kind_label": g.get_kind_display(),
        "period": g.period,
        "fund_source": g.fund_source,
        "amount": g.amount,
        "status": g.status,
        "status_label": g.get_status_display(),
        "override_reason": g.override_reason,
        "granted_on": g.granted_on,
        "approved_on": g.approved_on,
        "paid_on": g.paid_on,
    }


class ReasonIn(InputSchema):
    reason: str = Field("", max_length=200)


@router.get("/grants", response=Page[GrantOut], summary="救助金")
def grant_list(request: HttpRequest, filters: Query[PageParams]) -> dict[str, Any]:
    _staff(request.user)
    page = paginate(
        selectors.grants_visible_to(request.user).order_by("-granted_on", "-id"), filters
    )
    page["items"] = [grant_out(g) for g in page["items"]]
    return page


@router.post("/grants", response={201: GrantOut}, summary="发起救助")
def grant_create(request: HttpRequest, payload: GrantIn) -> Status[dict[str, Any]]:
    _staff(request.user, "assistance.handle")
    family = selectors.access_family(request.user, payload.family)
    grant = services.grant_create(
        actor=request.user,
        family=family,
        kind=payload.kind,
        period=payload.period,
        amount=payload.amount,
        fund_source=payload.fund_source,
        reason=payload.reason,
        override_reason=payload.override_reason,
    )
    return Status(201, grant_out(selectors.access_grant(request.user, grant.pk)))


@router.post("/grants/{grant_id}/approve", response=GrantOut, summary="审批救助金（按金额权限）")
def grant_approve(request: HttpRequest, grant_id: int) -> dict[str, Any]:
    grant = selectors.access_grant(request.user, grant_id)
    _staff(request.user, "assistance.handle")
    services.grant_approve(actor=request.user, grant=grant)
    return grant_out(selectors.access_grant(request.user, grant_id))


@router.post("/grants/{grant_id}/refuse", response=GrantOut, summary="退回救助申请")
def grant_refuse(request: HttpRequest, grant_id: int, payload: ReasonIn) -> dict[str, Any]:
    grant = selectors.access_grant(request.user, grant_id)
    _staff(request.user, "assistance.handle")
    services.grant_refuse(actor=request.user, grant=grant, reason=payload.reason)
    return grant_out(selectors.access_grant(request.user, grant_id))


@router.post("/grants/{grant_id}/paid", response=GrantOut, summary="救助金已发放")
def grant_paid(request: HttpRequest, grant_id: int) -> dict[str, Any]:
    grant = selectors.access_grant(request.user, grant_id)
    _staff(request.user, "assistance.handle")
    services.grant_paid(actor=request.user, grant=grant)
    return grant_out(selectors.access_grant(request.user, grant_id))


# --- campaigns ------------------------------------------------------------------------------


class CampaignIn(InputSchema):
    bounds = (Campaign,)

    org: str = Field("", description="发起单位代码，缺省为本单位")
    title: str
    kind: str = Field(..., description="condolence/warmth/other")
    year: int = Field(..., ge=2000, le=2100)
    fund_source: str = ""
    default_amount: Decimal | None = Field(None, ge=0)


class CampaignOut(Schema):
    id: int
    org: str
    title: str
    kind: str
    year: int
    status: str
    started_on: datetime.date
    default_amount: Decimal | None


def campaign_out(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.pk,
        "org": c.org.code,
        "title": c.title,
        "kind": c.kind,
        "year": c.year,
        "status": c.status,
        "started_on": c.started_on,
        "default_amount": c.default_amount,
    }


class RecipientIn(InputSchema):
    bounds = (Recipient,)

    name: str
    id_number: str = Field(..., max_length=20)
    org: str = Field("", max_length=32, description="所在工会代码，缺省为发起单位")
    team: str = ""
    bank_name: str = ""
    bank_account: str = Field(..., max_length=30)
    amount: Decimal | None = Field(None, ge=0)


class RecipientsIn(InputSchema):
    rows: list[RecipientIn] = Field(..., max_length=5000)


class RejectedRow(Schema):
    row: int
    reason: str


class AddOut(Schema):
    rows: int
    created: int
    unchanged: int
    conflicts: int
    rejected: list[RejectedRow]


class RecipientOut(Schema):
    id: int
    org: str
    name: str
    id_number: str
    team: str
    bank_account: str
    amount: Decimal
    status: str
    paid_on: datetime.date | None
    fail_reason: str
    conflict: str


class RecipientFilters(PageParams):
    status: str = ""


class PaidIn(InputSchema):
    paid_on: datetime.date | None = None
    failed: dict[int, str] = Field(default_factory=dict, description="名单 id → 银行失败原因")


def _add_out(result: services.ImportResult) -> dict[str, Any]:
    return {
        **result.as_dict(),
        "rejected": [{"row": n, "reason": reason} for n, _cells, reason in result.rejected],
    }


@router.get("/campaigns", response=Page[CampaignOut], summary="慰问活动")
def campaign_list(request: HttpRequest, filters: Query[PageParams]) -> dict[str, Any]:
    _staff(request.user)
    page = paginate(selectors.campaigns_visible_to(request.user), filters)
    page["items"] = [campaign_out(c) for c in page["items"]]
    return page


@router.post("/campaigns", response={201: CampaignOut}, summary="发起慰问活动")
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Status[dict[str, Any]]:
    user: Any = request.user
    _staff(user, "assistance.review")
    org = user.org
    if payload.org:
        org = Org.objects.filter(code=payload.org).first()
        if org is None:
            raise InvalidInput.one("org", "找不到该工会。")
    campaign = services.campaign_create(
        actor=user,
        org=org,
        title=payload.title,
        kind=payload.kind,
        year=payload.year,
        fund_source=payload.fund_source,
        default_amount=payload.default_amount,
    )
    return Status(201, campaign_out(campaign))


@router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="慰问活动详情")
def campaign_get(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    _staff(request.user)
    return campaign_out(selectors.access_campaign(request.user, campaign_id))


@router.get("/campaigns/{campaign_id}/recipients", response=Page[RecipientOut], summary="慰问名单")
def recipient_list(
    request: HttpRequest, campaign_id: int, filters: Query[RecipientFilters]
) -> dict[str, Any]:
    _staff(request.user)
    campaign = selectors.access_campaign(request.user, campaign_id)
    page = paginate(selectors.recipients_of(request.user, campaign, status=filters.status), filters)
    page["items"] = [
        {
            "id": r.pk,
            "org": r.org.code,
            "name": mask_name(r.name),
            "id_number": mask_id_number(r.id_number),
            "team": r.team,
            "bank_account": mask_generic(r.bank_account),
            "amount": r.amount,
            "status": r.status,
            "paid_on": r.paid_on,
            "fail_reason": r.fail_reason,
            "conflict": r.conflict,
        }
        for r in page["items"]
    ]
    return page


@router.post(
    "/campaigns/{campaign_id}/recipients", response=AddOut, summary="添加慰问名单（逐行校验）"
)
def recipient_add(request: HttpRequest, campaign_id: int, payload: RecipientsIn) -> dict[str, Any]:
    _staff(request.user, "assistance.review")
    campaign = selectors.access_campaign(request.user, campaign_id)
    rows = [
        (
            i,
            {k: ("" if v is None else str(v)) for k, v in r.dict().items()},
            list(r.dict().values()),
        )
        for i, r in enumerate(payload.rows, start=1)
    ]
    result = services.recipients_add(actor=request.user, campaign=campaign, rows=rows)
    return _add_out(result)


@router.post("/campaigns/{campaign_id}/import", response=AddOut, summary="导入慰问名单（XLSX/CSV）")
def recipient_import(
    request: HttpRequest, campaign_id: int, file: File[UploadedFile]
) -> dict[str, Any]:
    from gonghui.core import uploads

    _staff(request.user, "assistance.review")
    campaign = selectors.access_campaign(request.user, campaign_id)
    received = uploads.receive(file)
    try:
        result = services.recipients_import(
            actor=request.user, campaign=campaign, path=received.path, file_name=received.name
        )
    finally:
        uploads.remove(received.path)
    return _add_out(result)


class CountOut(Schema):
    count: int


@router.post("/campaigns/{campaign_id}/approve", response=CountOut, summary="批量审批名单")
def campaign_approve(request: HttpRequest, campaign_id: int) -> dict[str, int]:
    _staff(request.user, "assistance.review")
    campaign = selectors.access_campaign(request.user, campaign_id)
    return {"count": services.recipients_approve(actor=request.user, campaign=campaign)}


class PaidOut(Schema):
    paid: int
    failed: int


@router.post("/campaigns/{campaign_id}/paid", response=PaidOut, summary="确认发放结果")
def campaign_paid(request: HttpRequest, campaign_id: int, payload: PaidIn) -> dict[str, int]:
    _staff(request.user, "assistance.review")
    campaign = selectors.access_campaign(request.user, campaign_id)
    return services.recipients_paid(
        actor=request.user, campaign=campaign, on=payload.paid_on, failed=payload.failed
    )


class BatchOut(Schema):
    batch: int | None = Field(None, description="代发批次 id；没有待支付的名单时为空")


@router.post("/campaigns/{campaign_id}/pay", response=BatchOut, summary="生成代发批次（已提交）")
def campaign_pay(request: HttpRequest, campaign_id: int) -> dict[str, int | None]:
    _staff(request.user, "assistance.review")
    campaign = selectors.access_campaign(request.user, campaign_id)
    batch = services.campaign_pay(actor=request.user, campaign=campaign)
    return {"batch": batch.pk if batch is not None else None}


@router.post("/campaigns/{campaign_id}/sync", response=PaidOut, summary="读取代发到账结果")
def campaign_sync(request: HttpRequest, campaign_id: int) -> dict[str, int]:
    _staff(request.user, "assistance.review")
    campaign = selectors.access_campaign(request.user, campaign_id)
    return services.payments_sync(actor=request.user, campaign=campaign)


@router.post("/grants/{grant_id}/pay", response=BatchOut, summary="救助金生成代发批次")
def grant_pay(request: HttpRequest, grant_id: int) -> dict[str, int | None]:
    user: Any = request.user
    grant = selectors.access_grant(user, grant_id)
    _staff(user, "assistance.review")
    batch = services.grants_pay(actor=user, org=user.org, grants=[grant])
    return {"batch": batch.pk if batch is not None else None}


@router.post("/campaigns/{campaign_id}/reissue", response=CountOut, summary="失败的重新发放")
def campaign_reissue(request: HttpRequest, campaign_id: int) -> dict[str, int]:
    _staff(request.user, "assistance.review")
    campaign = selectors.access_campaign(request.user, campaign_id)
    return {"count": services.recipients_reissue(actor=request.user, campaign=campaign)}


# --- 低保 standards ---------------------------------------------------------------------------


class DibaoIn(InputSchema):
    bounds = (DibaoStandard,)

    region_code: str = Field(..., max_length=12)
    region_name: str = ""
    year: int = Field(..., ge=2000, le=2100)
    monthly: Decimal = Field(..., gt=0)


class DibaoOut(Schema):
    region_code: str
    region_name: str
    year: int
    monthly: Decimal


@router.get("/dibao", response=Page[DibaoOut], summary="低保标准（按地区和年度）")
def dibao_list(request: HttpRequest, filters: Query[PageParams]) -> dict[str, Any]:
    _staff(request.user)
    return paginate(DibaoStandard.objects.order_by("region_code", "-year"), filters)


@router.put("/dibao", response=DibaoOut, summary="设置低保标准")
def dibao_put(request: HttpRequest, payload: DibaoIn) -> DibaoStandard:
    _staff(request.user, "assistance.configure")
    return services.dibao_set(
        actor=request.user,
        region_code=payload.region_code,
        region_name=payload.region_name,
        year=payload.year,
        monthly=payload.monthly,
    )
