"""Pages of the payment machinery: the batch list, a batch with its lines, reconciliation,
the steps this user may take now, the bank file, the bank's confirmations, corrections.

Thin views: selectors read with scope, services write and audit. A batch outside the user's
subtree answers 404 exactly like a missing one. Names and accounts are masked on every page;
only the bank file (a POST, audited) holds whole numbers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.errors import Forbidden, NotFound, ServiceError
from gonghui.core.masking import mask_bank_account, mask_name
from gonghui.core.pickers import bind_pickers
from gonghui.core.roles import can
from gonghui.core.spreadsheets import XLSX_TYPE
from gonghui.core.web import download, form_errors, staff_page
from gonghui.orgs.models import Org

from . import selectors, services
from .forms import (
    BatchForm,
    ConfirmationsForm,
    FilterForm,
    LineForm,
    ReissueForm,
    ReverseForm,
)
from .models import Batch, BatchStatus, Line, LineKind, LineStatus
from .workflow import WORKFLOW

VIEW = "payments.view"
MAKE = "payments.make"
PAGE_SIZE = 50
BATCH_STEPS = ("submit", "recall", "approve")


@require_GET
@staff_page(VIEW)
def batch_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = FilterForm(request.GET or None)
    qs = selectors.batches_visible_to(user).annotate(
        total=Sum("lines__amount", filter=~Q(lines__kind=LineKind.REVERSAL)),
    )
    if form.is_valid():
        if form.cleaned_data["status"]:
            qs = qs.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["source"]:
            qs = qs.filter(source=form.cleaned_data["source"])
    page = Paginator(qs.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/list.html",
        {"form": form, "page": page, "can_make": can(user, MAKE)},
    )


@staff_page(MAKE)
def batch_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = bind_pickers(
        BatchForm(request.POST or None, initial={"org": user.org.code if user.org else ""}),
        user,
    )
    if request.method == "POST" and form.is_valid():
        org = Org.objects.filter(code=form.cleaned_data["org"]).first()
        try:
            if org is None:
                raise NotFound()
            batch = services.create_batch(
                org=org,
                source=form.cleaned_data["source"],
                purpose=form.cleaned_data["purpose"],
                title=form.cleaned_data["title"],
                by=user,
            )
        except NotFound:
            form.add_error("org", _("未找到该工会"))
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已新建代发批次"))
            return redirect("payments:detail", pk=batch.pk)
    return render(request, "payments/new.html", {"form": form})


def _line_row(line: Line) -> dict[str, Any]:
    return {
        "id": line.pk,
        "seq": line.seq,
        "kind": line.kind,
        "kind_label": line.get_kind_display(),
        "reference": line.reference,
        "payee": mask_name(line.payee_name),
        "account": mask_bank_account(line.bank_account),
        "bank_name": line.bank_name,
        "amount": line.amount,
        "status": line.status,
        "status_label": line.get_status_display(),
        "fail_reason": line.fail_reason,
        "paid_on": line.paid_on,
        "override_reason": line.override_reason,
        "reason": line.reason,
        "original": line.original,
        "frozen": line.frozen or line.batch.frozen,
        "can_reverse": (line.frozen or line.batch.frozen)
        and line.kind != LineKind.REVERSAL
        and line.status in (LineStatus.PENDING, LineStatus.PAID),
        "can_reissue": line.kind != LineKind.REVERSAL
        and line.status in (LineStatus.FAILED, LineStatus.REVERSED),
    }


def _detail(request: HttpRequest, batch: Batch, status: int = 200, **extra: Any) -> HttpResponse:
    user: Any = request.user
    lines = selectors.batch_lines(user, batch).select_related("original")
    page = Paginator(lines, 200).get_page(request.GET.get("page"))
    may_make = can(user, MAKE, batch.org)
    steps = [
        t
        for t in WORKFLOW.allowed(batch.status, user.role)
        if t.name in BATCH_STEPS
        and can(user, "payments.approve" if t.name == "approve" else MAKE, batch.org)
    ]
    context = {
        "batch": batch,
        "page": page,
        "rows": [_line_row(line) for line in page.object_list],
        "recon": selectors.reconciliation(batch),
        "steps": steps,
        "can_make": may_make,
        "can_approve": can(user, "payments.approve", batch.org),
        "can_bank_file": can(user, "payments.bank_file", batch.org)
        and batch.status in (BatchStatus.APPROVED, BatchStatus.EXPORTED, BatchStatus.PARTLY),
        "can_confirm": may_make
        and batch.status in (BatchStatus.EXPORTED, BatchStatus.PARTLY, BatchStatus.CONFIRMED),
        "line_form": extra.pop("line_form", None) or LineForm(),
        "confirm_form": extra.pop("confirm_form", None) or ConfirmationsForm(),
        "followups": list(batch.followups.all()),
        "error": extra.pop("error", ""),
        **extra,
    }
    return render(request, "payments/detail.html", context, status=status)


@require_GET
@staff_page(VIEW)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.access_batch(request.user, pk))


@require_POST
@staff_page(MAKE)
def line_add(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    batch = selectors.access_batch(user, pk)
    form = LineForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_line(
                batch,
                reference=data["reference"],
                amount=Decimal(data["amount"]),
                payee_name=data["payee_name"],
                id_number=data["id_number"],
                bank_name=data["bank_name"],
                bank_account=data["bank_account"],
                override_reason=data["override_reason"],
                by=user,
            )
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已添加代发明细"))
            return redirect("payments:detail", pk=pk)
    return _detail(request, batch, status=422, line_form=form, error=_("请检查填写的内容"))


@require_POST
@staff_page("payments.bank_file")
def bank_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The bank file, with whole account numbers: a POST (it changes the batch's state the
    first time and is audited every time), never a link that a crawler could follow."""
    user: Any = request.user
    batch = selectors.access_batch(user, pk)
    try:
        data = services.export_bank_file(batch, by=user)
    except ServiceError as exc:
        if isinstance(exc, NotFound):
            raise
        return _detail(request, batch, status=exc.status, error=exc.detail)
    return download(
        HttpResponse(data, content_type=XLSX_TYPE), f"payment-batch-{batch.pk}-bank.xlsx"
    )


@require_POST
@staff_page(MAKE)
def confirmations(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    batch = selectors.access_batch(user, pk)
    form = ConfirmationsForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = services.import_confirmations(batch, form.cleaned_data["file"], by=user)
        except ServiceError as exc:
            if isinstance(exc, NotFound):
                raise
            form_errors(form, exc)
        else:
            batch.refresh_from_db()
            return _detail(request, batch, result=result)
    return _detail(request, batch, status=422, confirm_form=form, error=_("回单未能导入"))


@require_POST
@staff_page(VIEW)
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    batch = selectors.access_batch(user, pk)
    step = {"submit": services.submit, "recall": services.recall, "approve": services.approve}
    if action not in step:
        raise Http404()
    try:
        step[action](batch, by=user)
    except ServiceError as exc:
        if isinstance(exc, NotFound):
            raise
        batch.refresh_from_db()
        return _detail(request, batch, status=exc.status, error=exc.detail)
    messages.success(request, _("已完成：%(step)s") % {"step": _(WORKFLOW.get(action).label)})
    return redirect("payments:detail", pk=pk)


@require_POST
@staff_page(VIEW)
def line_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    line = selectors.access_line(user, pk)
    batch = line.batch
    needs = {"reverse": "payments.approve", "reissue": MAKE, "remove": MAKE}.get(action)
    if needs is None:
        raise Http404()
    if not can(user, needs, batch.org):
        raise Forbidden(_("当前角色无权办理代发支付"))
    try:
        if action == "reverse":
            form: Any = ReverseForm(request.POST)
            if not form.is_valid():
                return _detail(request, batch, status=422, error=_("请填写冲正原因"))
            new = services.reverse(line, reason=form.cleaned_data["reason"], by=user)
        elif action == "reissue":
            form = ReissueForm(request.POST)
            if not form.is_valid():
                return _detail(request, batch, status=422, error=_("请检查填写的内容"))
            new = services.reissue(
                line,
                by=user,
                bank_account=form.cleaned_data["bank_account"],
                bank_name=form.cleaned_data["bank_name"],
            )
        elif action == "remove":
            services.remove_line(line, by=user)
            messages.success(request, _("已删除代发明细"))
            return redirect("payments:detail", pk=batch.pk)
        else:
            raise Http404()
    except ServiceError as exc:
        if isinstance(exc, NotFound):
            raise
        return _detail(request, batch, status=exc.status, error=exc.detail)
    messages.success(request, _("已记入更正批次"))
    return redirect("payments:detail", pk=new.batch_id)
