"""API of union fees (``/api/v1/funds``).

- ``GET /ledger`` (``uscc``, ``from``, ``to`` months): booked lines, each with the import and
  the sheet row it came from (the fund-audit committee's trace from figure to sheet row).
- ``POST /imports`` (multipart ``file``, ``county``): the tax bureau's collection sheet;
  ``GET /imports/{id}``: its counts and refused rows.
- ``POST /sizes``: an enterprise's figures for a year, classified by the 2011 standard.
- ``GET /policies``, ``POST /policies`` and ``POST /policies/{id}/rounds`` (admin);
  ``GET /rounds``.
- ``GET|POST /applications``, ``GET /applications/{id}``, ``POST /applications/{id}/check|
  approve|refuse``; ``POST /rounds/{id}/pay`` (``county``): the approved refunds into a
  payment batch; ``GET /applications/{id}/letter``: the letter (PDF).
Out of scope answers 404 like missing; bank accounts are masked.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from gonghui.core.api import BoundedText, InputSchema, Page, PageParams, paginate
from gonghui.core.errors import Forbidden, InvalidInput, NotFound
from gonghui.core.masking import mask_bank_account
from gonghui.core.pdf import FontMissing
from gonghui.core.roles import role_can
from gonghui.orgs.models import Enterprise, Org
from gonghui.orgs.selectors import access_org

from . import letters, pickers, selectors, services
from .models import (
    CollectionImport,
    EnterpriseSize,
    FeeLine,
    RefundApplication,
    RefundPolicy,
    RefundRound,
)

router = Router(tags=["funds"])


class FeeLineOut(Schema):
    id: int
    enterprise: str
    uscc: str
    county: str
    period: datetime.date
    kind: str
    payroll: Decimal
    due: Decimal
    paid: Decimal
    grassroots_share: Decimal
    upper_share: Decimal
    source_import: int | None
    source_file: str | None
    source_row: int | None
    reversal_of: int | None

    @staticmethod
    def resolve_enterprise(obj: FeeLine) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_uscc(obj: FeeLine) -> str:
        return obj.enterprise.uscc

    @staticmethod
    def resolve_county(obj: FeeLine) -> str:
        return obj.county.code

    @staticmethod
    def resolve_source_import(obj: FeeLine) -> int | None:
        return obj.source_import_id

    @staticmethod
    def resolve_source_file(obj: FeeLine) -> str | None:
        return obj.source_import.file_name if obj.source_import else None

    @staticmethod
    def resolve_reversal_of(obj: FeeLine) -> int | None:
        return obj.reversal_of_id


class LedgerFilters(PageParams):
    uscc: str = Field("", description="统一社会信用代码")
    period_from: datetime.date | None = Field(None, alias="from", description="所属月份起")
    period_to: datetime.date | None = Field(None, alias="to", description="所属月份止")


class Problem(Schema):
    row: int
    reason: str


class ImportOut(Schema):
    id: int
    county: str
    file_name: str
    rows: int
    booked: int
    unchanged: int
    rejected: int
    problems: list[Problem]

    @staticmethod
    def resolve_county(obj: CollectionImport) -> str:
        return obj.county.code


class SizeIn(InputSchema):
    bounds = (EnterpriseSize,)

    enterprise: int
    year: int = Field(..., ge=2000, le=2100)
    industry_code: str
    employees: int = Field(..., ge=0)
    revenue: Decimal = Field(..., ge=0, description="营业收入（万元）")
    assets: Decimal = Field(..., ge=0, description="资产总额（万元）")
    financial_tie: str = Field("", description="bank / insurer / securities / group")
    group_member: bool = False


class SizeOut(Schema):
    id: int
    enterprise: int
    year: int
    industry_code: str
    employees: int
    revenue: Decimal
    assets: Decimal
    financial_tie: str
    group_member: bool
    size_class: str
    size_reason: str

    @staticmethod
    def resolve_enterprise(obj: EnterpriseSize) -> int:
        return obj.enterprise_id


class PolicyIn(InputSchema):
    bounds = (RefundPolicy,)

    name: str
    basis: str = ""
    starts_on: datetime.date
    ends_on: datetime.date
    classes: str = Field("small,micro", description="返还的规模：small,micro")
    share: Decimal = Field(Decimal("1.000"), gt=0, le=1, max_digits=4, decimal_places=3)
    exclude_financial: bool = True
    exclude_group_members: bool = False
    refund_founding_fund: bool = True


class PolicyOut(Schema):
    id: int
    name: str
    basis: str
    starts_on: datetime.date
    ends_on: datetime.date
    classes: str
    share: Decimal
    exclude_financial: bool
    exclude_group_members: bool
    refund_founding_fund: bool


class RoundIn(InputSchema):
    bounds = (RefundRound,)

    name: str
    period_start: datetime.date
    period_end: datetime.date
    opens_on: datetime.date
    closes_on: datetime.date


class RoundOut(Schema):
    id: int
    policy: str
    name: str
    period_start: datetime.date
    period_end: datetime.date
    opens_on: datetime.date
    closes_on: datetime.date

    @staticmethod
    def resolve_policy(obj: RefundRound) -> str:
        return obj.policy.name


class ApplicationIn(InputSchema):
    bounds = (RefundApplication,)

    round: int
    enterprise: int
    bank_name: str
    bank_account: str = Field(..., max_length=40)


class ApplicationOut(Schema):
    id: int
    number: str
    round: int
    enterprise: str
    uscc: str
    county: str
    status: str
    applied_on: datetime.date
    eligible: bool
    amount: Decimal
    explanation: list[str]
    refused_reason: str
    bank_name: str
    bank_account: str = Field(..., description="账号（脱敏）")
    payment_batch: int | None
    paid_on: datetime.date | None

    @staticmethod
    def resolve_round(obj: RefundApplication) -> int:
        return obj.round_id

    @staticmethod
    def resolve_enterprise(obj: RefundApplication) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_uscc(obj: RefundApplication) -> str:
        return obj.enterprise.uscc

    @staticmethod
    def resolve_county(obj: RefundApplication) -> str:
        return obj.county.code

    @staticmethod
    def resolve_bank_account(obj: RefundApplication) -> str:
        return mask_bank_account(obj.bank_account)

    @staticmethod
    def resolve_payment_batch(obj: RefundApplication) -> int | None:
        return obj.payment_batch_id


class ApplicationFilters(PageParams):
    round: int | None = None
    status: str = ""


class RefuseIn(InputSchema):
    reason: str = Field(..., max_length=200)


class PayIn(InputSchema):
    county: str = Field(..., description="县区总工会代码")


class PayOut(Schema):
    batch: int
    lines: int


def _viewer(request: HttpRequest) -> Any:
    user: Any = request.user
    if not role_can(getattr(user, "role", ""), "funds.view"):
        raise Forbidden(_("当前角色无权查看工会经费"))
    return user


def _county(user: Any, code: str, field: str = "county") -> Org:
    try:
        return access_org(user, code.strip())
    except NotFound:
        raise InvalidInput.one(field, _("未找到该工会")) from None


@router.get("/ledger", response=Page[FeeLineOut], summary="经费台账", by_alias=True)
def ledger(request: HttpRequest, filters: Query[LedgerFilters]) -> dict[str, Any]:
    qs = selectors.ledger(_viewer(request))
    if filters.uscc:
        qs = qs.filter(enterprise__uscc=filters.uscc.strip().upper())
    if filters.period_from:
        qs = qs.filter(period__gte=filters.period_from.replace(day=1))
    if filters.period_to:
        qs = qs.filter(period__lte=filters.period_to)
    return paginate(qs.order_by("-period", "enterprise_id", "id"), filters)


@router.post("/imports", response={201: ImportOut}, summary="导入税务代征的经费征收数据")
def import_new(
    request: HttpRequest, file: File[UploadedFile], county: Form[BoundedText] = ""
) -> Status[CollectionImport]:
    user: Any = request.user
    org = _county(user, county) if county else user.org
    if org is None:
        raise InvalidInput.one("county", _("未找到该工会"))
    record = services.collection_import(county=org, upload=file, by=user)
    return Status(201, record)


@router.get("/imports/{import_id}", response=ImportOut, summary="经费征收数据导入结果")
def import_get(request: HttpRequest, import_id: int) -> CollectionImport:
    return selectors.access_import(_viewer(request), import_id)


@router.post("/sizes", response={200: SizeOut}, summary="登记单位规模数据（2011年标准划型）")
def size_new(request: HttpRequest, payload: SizeIn) -> EnterpriseSize:
    user: Any = request.user
    enterprise = Enterprise.objects.visible_to(user).filter(pk=payload.enterprise).first()
    if enterprise is None:
        raise InvalidInput.one("enterprise", _("未找到该单位"))
    return services.size_record(
        enterprise=enterprise,
        year=payload.year,
        industry_code=payload.industry_code,
        employees=payload.employees,
        revenue=payload.revenue,
        assets=payload.assets,
        financial_tie=payload.financial_tie,
        group_member=payload.group_member,
        by=user,
    )


@router.get("/policies", response=list[PolicyOut], summary="返还政策")
def policy_list(request: HttpRequest) -> Any:
    _viewer(request)
    return list(selectors.policies())


@router.post("/policies", response={201: PolicyOut}, summary="新建返还政策（管理员）")
def policy_new(request: HttpRequest, payload: PolicyIn) -> Status[RefundPolicy]:
    policy = services.policy_create(by=request.user, **payload.dict())
    return Status(201, policy)


@router.post(
    "/policies/{policy_id}/rounds", response={201: RoundOut}, summary="新建申报批次（管理员）"
)
def round_new(request: HttpRequest, policy_id: int, payload: RoundIn) -> Status[RefundRound]:
    policy = selectors.policies().filter(pk=policy_id).first()
    if policy is None:
        raise NotFound()
    return Status(201, services.round_create(policy=policy, by=request.user, **payload.dict()))


@router.get("/rounds", response=list[RoundOut], summary="返还申报批次")
def round_list(request: HttpRequest) -> Any:
    user: Any = request.user
    if not (role_can(user.role, "funds.view") or role_can(user.role, "funds.apply")):
        raise Forbidden(_("当前角色无权查看工会经费"))
    return list(selectors.rounds())


@router.get("/applications", response=Page[ApplicationOut], summary="返还申请")
def application_list(request: HttpRequest, filters: Query[ApplicationFilters]) -> Any:
    user: Any = request.user
    if not (role_can(user.role, "funds.view") or role_can(user.role, "funds.apply")):
        raise Forbidden(_("当前角色无权查看工会经费"))
    qs = selectors.applications(user)
    if filters.round:
        qs = qs.filter(round_id=filters.round)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(qs.order_by("-applied_on", "-id"), filters)


@router.post("/applications", response={201: ApplicationOut}, summary="申请返还")
def application_new(request: HttpRequest, payload: ApplicationIn) -> Status[RefundApplication]:
    user: Any = request.user
    round = selectors.access_round(user, payload.round)
    enterprise = pickers.applicable(user).filter(pk=payload.enterprise).first()
    if enterprise is None:
        raise InvalidInput.one("enterprise", _("未找到该单位"))
    app = services.refund_apply(
        round=round,
        enterprise=enterprise,
        bank_name=payload.bank_name,
        bank_account=payload.bank_account,
        by=user,
    )
    return Status(201, selectors.access_application(user, app.pk))


@router.get("/applications/{refund_id}", response=ApplicationOut, summary="返还申请详情")
def application_get(request: HttpRequest, refund_id: int) -> RefundApplication:
    return selectors.access_application(request.user, refund_id)


@router.post("/applications/{refund_id}/check", response=ApplicationOut, summary="审核（重新测算）")
def application_check(request: HttpRequest, refund_id: int) -> RefundApplication:
    app = selectors.access_application(request.user, refund_id)
    services.refund_check(app, by=request.user)
    return selectors.access_application(request.user, refund_id)


@router.post("/applications/{refund_id}/approve", response=ApplicationOut, summary="批准返还")
def application_approve(request: HttpRequest, refund_id: int) -> RefundApplication:
    app = selectors.access_application(request.user, refund_id)
    services.refund_approve(app, by=request.user)
    return selectors.access_application(request.user, refund_id)


@router.post("/applications/{refund_id}/refuse", response=ApplicationOut, summary="不予返还")
def application_refuse(
    request: HttpRequest, refund_id: int, payload: RefuseIn
) -> RefundApplication:
    app = selectors.access_application(request.user, refund_id)
    services.refund_refuse(app, reason=payload.reason, by=request.user)
    return selectors.access_application(request.user, refund_id)


@router.get(
    "/applications/{refund_id}/letter",
    summary="返还审核结果告知书（PDF）",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "PDF",
                "content": {"application/pdf": {"schema": {"type": "string"}}},
            }
        }
    },
)
def application_letter(request: HttpRequest, refund_id: int) -> HttpResponse:
    app = selectors.access_application(request.user, refund_id)
    try:
        data = letters.refund_letter(app)
    except FontMissing as exc:
        raise InvalidInput.one("letter", str(exc)) from None
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="refund-{app.number}.pdf"'
    return response


@router.post("/rounds/{round_id}/pay", response={201: PayOut}, summary="已批准的返还转入代发批次")
def round_pay(request: HttpRequest, round_id: int, payload: PayIn) -> Status[dict[str, int]]:
    user: Any = request.user
    round = selectors.access_round(user, round_id)
    county = _county(user, payload.county)
    batch = services.refund_pay(county=county, round=round, by=user)
    return Status(201, {"batch": batch.pk, "lines": batch.lines.count()})
