"""API of the payment machinery (``/api/v1/payments``).

- ``GET /batches`` (``status``, ``source``), ``POST /batches``, ``GET /batches/{id}`` with its
  reconciliation; ``GET /batches/{id}/lines``; ``POST /batches/{id}/lines`` adds a payee to a
  draft (a second payment of the same record and payee is 422 on ``reference`` unless
  ``override_reason`` says why).
- ``POST /batches/{id}/submit|recall|approve``: one step each; an illegal step is 409 with
  ``allowed``; approving an approved batch answers it as it is.
- ``POST /batches/{id}/bank-file``: the XLSX for the bank (whole account numbers: only with
  the right, audited); ``POST /batches/{id}/confirmations`` the bank's sheet (multipart
  ``file``): counts and the rows that did not match.
- ``POST /lines/{id}/reverse`` (``reason``), ``POST /lines/{id}/reissue``; ``GET /lines``
  with ``reference`` lists what a source record has been paid.
A batch or line outside the caller's subtree answers 404 like a missing one. Payee names and
accounts are masked in every answer.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from gonghui.core.api import InputSchema, Page, PageParams, paginate
from gonghui.core.errors import Forbidden, InvalidInput
from gonghui.core.masking import mask_bank_account, mask_name
from gonghui.core.roles import role_can
from gonghui.core.spreadsheets import XLSX_TYPE
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import access_org

from . import selectors, services
from .models import Batch, Line

router = Router(tags=["payments"])


class BatchIn(InputSchema):
    bounds = (Batch,)

    org: str = Field("", description="付款单位代码，缺省为调用者所在单位")
    source: str = Field(..., description="assistance / funds / honors / other")
    purpose: str = Field(..., description="用途（写入银行文件）")
    title: str


class BatchOut(Schema):
    id: int
    org: str
    org_name: str
    source: str
    purpose: str
    title: str
    status: str
    follows: int | None
    created_by: str
    approved_by: str | None
    created_at: datetime.datetime
    approved_at: datetime.datetime | None
    exported_at: datetime.datetime | None

    @staticmethod
    def resolve_org(obj: Batch) -> str:
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj: Batch) -> str:
        return obj.org.name

    @staticmethod
    def resolve_follows(obj: Batch) -> int | None:
        return obj.follows_id

    @staticmethod
    def resolve_created_by(obj: Batch) -> str:
        return obj.created_by.get_username()

    @staticmethod
    def resolve_approved_by(obj: Batch) -> str | None:
        return obj.approved_by.get_username() if obj.approved_by else None


class Bucket(Schema):
    status: str
    label: str
    count: int
    amount: Decimal


class Reconciliation(Schema):
    total: Decimal
    count: int
    buckets: list[Bucket]
    balanced: bool
    reversal_count: int
    reversal_amount: Decimal


class BatchDetail(BatchOut):
    reconciliation: Reconciliation

    @staticmethod
    def resolve_reconciliation(obj: Batch) -> dict[str, Any]:
        return selectors.reconciliation(obj)


class LineIn(InputSchema):
    bounds = (Line,)

    reference: str = Field(..., description="来源记录的业务编号，如 assistance.grant:123")
    amount: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2)
    payee_name: str
    id_number: str = Field("", max_length=30)
    bank_name: str = ""
    bank_account: str = Field("", max_length=40)
    member: int | None = Field(None, description="会员编号（可选）")
    override_reason: str = Field("", description="同一笔款项再次支付给同一人时的理由")


class LineOut(Schema):
    id: int
    batch: int
    seq: int
    kind: str
    reference: str
    payee_name: str = Field(..., description="户名（脱敏）")
    bank_account: str = Field(..., description="账号（脱敏）")
    bank_name: str
    amount: Decimal
    status: str
    fail_reason: str
    paid_on: datetime.date | None
    original: int | None
    override_reason: str
    reason: str

    @staticmethod
    def resolve_batch(obj: Line) -> int:
        return obj.batch_id

    @staticmethod
    def resolve_original(obj: Line) -> int | None:
        return obj.original_id

    @staticmethod
    def resolve_payee_name(obj: Line) -> str:
        return mask_name(obj.payee_name)

    @staticmethod
    def resolve_bank_account(obj: Line) -> str:
        return mask_bank_account(obj.bank_account)


class BatchFilters(PageParams):
    status: str = ""
    source: str = ""


class LineFilters(PageParams):
    reference: str = Field("", description="业务编号：该记录的全部支付、冲正与重发")


class ReverseIn(InputSchema):
    bounds = (Line,)

    reason: str


class ReissueIn(InputSchema):
    bank_account: str = Field("", max_length=40, description="新账号，缺省沿用原账号")
    bank_name: str = Field("", max_length=100)


class Problem(Schema):
    row: int
    reason: str


class ConfirmationsOut(Schema):
    rows: int
    paid: int
    failed: int
    unchanged: int
    unmatched: int
    problems: list[Problem]
    status: str


def _view(request: HttpRequest) -> Any:
    user: Any = request.user
    if not role_can(getattr(user, "role", ""), "payments.view"):
        raise Forbidden(_("当前角色无权查看代发支付"))
    return user


def _batch(user: Any, batch_id: int) -> Batch:
    return selectors.access_batch(user, batch_id)


@router.get("/batches", response=Page[BatchOut], summary="代发批次列表")
def batch_list(request: HttpRequest, filters: Query[BatchFilters]) -> dict[str, Any]:
    user = _view(request)
    qs = selectors.batches_visible_to(user).select_related("org", "created_by", "approved_by")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.source:
        qs = qs.filter(source=filters.source)
    return paginate(qs.order_by("-created_at", "-id"), filters)


@router.post("/batches", response={201: BatchDetail}, summary="新建代发批次")
def batch_new(request: HttpRequest, payload: BatchIn) -> Status[Batch]:
    user: Any = request.user
    org: Org | None = user.org
    if payload.org:
        try:
            org = access_org(user, payload.org.strip())
        except Exception:  # noqa: BLE001 - NotFound: the same answer as an unknown code
            raise InvalidInput.one("org", _("未找到该工会")) from None
    if org is None:
        raise InvalidInput.one("org", _("未找到该工会"))
    batch = services.create_batch(
        org=org, source=payload.source, purpose=payload.purpose, title=payload.title, by=user
    )
    return Status(201, _batch(user, batch.pk))


@router.get("/batches/{batch_id}", response=BatchDetail, summary="代发批次与对账")
def batch_get(request: HttpRequest, batch_id: int) -> Batch:
    return _batch(_view(request), batch_id)


@router.get("/batches/{batch_id}/lines", response=Page[LineOut], summary="代发明细")
def batch_lines(request: HttpRequest, batch_id: int, filters: Query[PageParams]) -> Any:
    user = _view(request)
    batch = _batch(user, batch_id)
    return paginate(selectors.batch_lines(user, batch), filters)


@router.post("/batches/{batch_id}/lines", response={201: LineOut}, summary="添加代发明细")
def line_new(request: HttpRequest, batch_id: int, payload: LineIn) -> Status[Line]:
    user: Any = request.user
    batch = _batch(user, batch_id)
    member = None
    if payload.member is not None:
        from gonghui.members.models import Member

        member = Member.objects.visible_to(user).filter(pk=payload.member).first()
        if member is None:
            raise InvalidInput.one("member", _("未找到该会员"))
    line = services.add_line(
        batch,
        reference=payload.reference,
        amount=payload.amount,
        payee_name=payload.payee_name,
        id_number=payload.id_number,
        bank_name=payload.bank_name,
        bank_account=payload.bank_account,
        member=member,
        override_reason=payload.override_reason,
        by=user,
    )
    return Status(201, line)


def _step_route(name: str, summary: str) -> None:
    def view(request: HttpRequest, batch_id: int) -> Batch:
        user: Any = request.user
        batch = _batch(user, batch_id)
        getattr(services, name)(batch, by=user)
        return _batch(user, batch_id)

    view.__name__ = f"batch_{name}"
    router.post(f"/batches/{{batch_id}}/{name}", response=BatchDetail, summary=summary)(view)


_step_route("submit", "提交审批")
_step_route("recall", "撤回修改")
_step_route("approve", "审批通过（审批人不能是制单人；重复审批无副作用）")


@router.post(
    "/batches/{batch_id}/bank-file",
    summary="导出银行代发文件（XLSX，含完整账号，留痕）",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {"description": "XLSX", "content": {XLSX_TYPE: {"schema": {"type": "string"}}}}
        }
    },
)
def bank_file(request: HttpRequest, batch_id: int) -> HttpResponse:
    user: Any = request.user
    batch = _batch(user, batch_id)
    data = services.export_bank_file(batch, by=user)
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="payment-batch-{batch.pk}-bank.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


@router.post("/batches/{batch_id}/confirmations", response=ConfirmationsOut, summary="导入银行回单")
def confirmations(request: HttpRequest, batch_id: int, file: File[UploadedFile]) -> Any:
    user: Any = request.user
    batch = _batch(user, batch_id)
    return services.import_confirmations(batch, file, by=user)


@router.get("/lines", response=Page[LineOut], summary="代发明细查询（按业务编号）")
def line_list(request: HttpRequest, filters: Query[LineFilters]) -> dict[str, Any]:
    user = _view(request)
    qs = selectors.lines_visible_to(user)
    if filters.reference:
        qs = qs.filter(reference=filters.reference)
    return paginate(qs.order_by("-id"), filters)


@router.get("/lines/{line_id}", response=LineOut, summary="代发明细")
def line_get(request: HttpRequest, line_id: int) -> Line:
    return selectors.access_line(_view(request), line_id)


@router.post("/lines/{line_id}/reverse", response={201: LineOut}, summary="冲正")
def line_reverse(request: HttpRequest, line_id: int, payload: ReverseIn) -> Status[Line]:
    user: Any = request.user
    line = selectors.access_line(user, line_id)
    return Status(201, services.reverse(line, reason=payload.reason, by=user))


@router.post("/lines/{line_id}/reissue", response={201: LineOut}, summary="重发")
def line_reissue(request: HttpRequest, line_id: int, payload: ReissueIn) -> Status[Line]:
    user: Any = request.user
    line = selectors.access_line(user, line_id)
    new = services.reissue(
        line, by=user, bank_account=payload.bank_account, bank_name=payload.bank_name
    )
    return Status(201, new)
