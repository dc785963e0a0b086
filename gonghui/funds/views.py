"""Pages of union fees: the module's home (what waits, the rounds, the imports), the ledger,
the collection sheet's import and its result, size data, a refund round with its
applications, an application with its reasoning and steps, and the letter.

Thin views: selectors read with scope, services write and audit. A record outside the
user's subtree answers 404 exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.errors import Forbidden, NotFound, ServiceError
from gonghui.core.masking import mask_bank_account
from gonghui.core.pdf import FontMissing
from gonghui.core.pickers import bind_pickers
from gonghui.core.roles import can, role_can
from gonghui.core.web import (
    download,
    form_errors,
    spreadsheet_download,
    staff_page,
    workbook_download,
)
from gonghui.orgs.models import Enterprise, Org

from . import letters, selectors, services, sizesheet
from .forms import (
    ApplyForm,
    ImportForm,
    LedgerFilter,
    PayForm,
    RefuseForm,
    ReverseForm,
    SizeForm,
    SizeImportForm,
)
from .models import ApplicationStatus, FeeLine

VIEW = "funds.view"
MANAGE = "funds.manage"
PAGE_SIZE = 50


def _may_enter(user: Any) -> None:
    if not (role_can(user.role, VIEW) or role_can(user.role, "funds.apply")):
        raise Http404()


@require_GET
@staff_page()
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _may_enter(user)
    return render(
        request,
        "funds/home.html",
        {
            "rounds": list(selectors.rounds()[:12]),
            "work": selectors.waiting_work(user),
            "imports": list(selectors.imports(user)[:10]),
            "mine": list(selectors.applications(user).order_by("-applied_on", "-id")[:20]),
            "can_view": role_can(user.role, VIEW),
            "can_manage": role_can(user.role, MANAGE),
        },
    )


@require_GET
@staff_page(VIEW)
def ledger(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = LedgerFilter(request.GET or None)
    qs = selectors.ledger(user)
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            qs = qs.filter(Q(enterprise__name__icontains=q) | Q(enterprise__uscc=q.upper()))
        if form.cleaned_data["start"]:
            qs = qs.filter(period__gte=form.cleaned_data["start"].replace(day=1))
        if form.cleaned_data["end"]:
            qs = qs.filter(period__lte=form.cleaned_data["end"])
    page = Paginator(qs.order_by("-period", "enterprise__name", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    may_reverse = can(user, MANAGE)
    corrected: set[int] = set()
    if may_reverse:  # one query for the page: which of its lines a reversal already corrects
        ids = [line.pk for line in page.object_list]
        corrected = set(
            FeeLine.objects.filter(reversal_of__in=ids).values_list("reversal_of_id", flat=True)
        )
    return render(
        request,
        "funds/ledger.html",
        {
            "form": form,
            "page": page,
            "can_manage": may_reverse,
            "corrected": corrected,
            "reverse_form": ReverseForm(),
        },
    )


@staff_page(VIEW)
def imports(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = bind_pickers(
        ImportForm(
            request.POST or None,
            request.FILES or None,
            initial={"county": user.org.code if user.org else ""},
        ),
        user,
    )
    if request.method == "POST":
        if not can(user, MANAGE):
            raise Forbidden(_("当前角色不能导入经费征收数据"))
        if form.is_valid():
            county = Org.objects.filter(code=form.cleaned_data["county"]).first()
            try:
                if county is None:
                    raise NotFound()
                record = services.collection_import(
                    county=county, upload=form.cleaned_data["file"], by=user
                )
            except NotFound:
                form.add_error("county", _("未找到该工会"))
            except ServiceError as exc:
                form_errors(form, exc)
            else:
                return redirect("funds:import_detail", pk=record.pk)
    return render(
        request,
        "funds/imports.html",
        {
            "form": form,
            "imports": list(selectors.imports(user)[:50]),
            "can_manage": can(user, MANAGE),
        },
        status=422 if form.errors else 200,
    )


@require_GET
@staff_page(VIEW)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.access_import(request.user, pk)
    return render(request, "funds/import_detail.html", {"record": record})


@staff_page(MANAGE)
def size_form(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = bind_pickers(SizeForm(request.POST or None), user)
    saved = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        enterprise = Enterprise.objects.visible_to(user).filter(pk=data["enterprise"]).first()
        try:
            if enterprise is None:
                raise NotFound()
            saved = services.size_record(
                enterprise=enterprise,
                year=data["year"],
                industry_code=data["industry_code"],
                employees=data["employees"],
                revenue=data["revenue"],
                assets=data["assets"],
                financial_tie=data["financial_tie"] or "",
                group_member=data["group_member"],
                by=user,
            )
        except NotFound:
            form.add_error("enterprise", _("未找到该单位"))
        except ServiceError as exc:
            form_errors(form, exc)
    return render(
        request,
        "funds/sizes.html",
        _sizes_context(user, form=form, saved=saved),
        status=422 if form.errors else 200,
    )


def _sizes_context(user: Any, **extra: Any) -> dict[str, Any]:
    return {
        "import_form": extra.pop("import_form", None)
        or bind_pickers(
            SizeImportForm(initial={"county": user.org.code if user.org else ""}), user
        ),
        "size_imports": list(selectors.size_imports(user)[:20]),
        **extra,
    }


@require_GET
@staff_page(MANAGE)
def size_template(request: HttpRequest) -> HttpResponse:
    return workbook_download(sizesheet.template, "funds-sizes-template.xlsx")


@require_GET
@staff_page(VIEW)
def size_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """What is recorded in the user's scope, in the template's columns (so it imports again)
    with the class and its reasoning after them."""
    if fmt not in ("xlsx", "csv"):
        raise Http404()
    return spreadsheet_download(
        fmt,
        _("单位规模"),
        [label for _n, label in sizesheet.COLUMNS] + sizesheet.EXPORT_EXTRA,
        sizesheet.export_rows(selectors.sizes(request.user)),
        f"funds-sizes.{fmt}",
    )


@require_POST
@staff_page(MANAGE)
def size_import(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = bind_pickers(SizeImportForm(request.POST, request.FILES), user)
    if form.is_valid():
        county = Org.objects.filter(code=form.cleaned_data["county"]).first()
        try:
            if county is None:
                raise NotFound()
            record = sizesheet.size_import(county=county, upload=form.cleaned_data["file"], by=user)
        except NotFound:
            form.add_error("county", _("未找到该工会"))
        except ServiceError as exc:
            for err in getattr(exc, "errors", None) or [{"message": exc.detail}]:
                form.add_error("file", err["message"])
        else:
            return redirect("funds:size_import", pk=record.pk)
    context = _sizes_context(user, form=bind_pickers(SizeForm(), user), import_form=form)
    return render(request, "funds/sizes.html", context, status=422)


@require_GET
@staff_page(VIEW)
def size_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.access_size_import(request.user, pk)
    return render(request, "funds/size_import.html", {"record": record})


@require_GET
@staff_page(VIEW)
def size_rejected(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.access_size_import(request.user, pk)
    if not record.problems:
        raise Http404()
    return workbook_download(
        lambda out: sizesheet.rejected_workbook(record, out),
        f"funds-sizes-{record.pk}-rejected.xlsx",
    )


@require_POST
@staff_page(MANAGE)
def line_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    """A booked month corrected: a reversal line (the original is never edited)."""
    user: Any = request.user
    line = selectors.line(user, pk)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写冲正原因"))
    else:
        try:
            services.line_reverse(line=line, reason=form.cleaned_data["reason"], by=user)
        except NotFound:
            raise
        except ServiceError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("已冲正，可重新导入该月的征收数据"))
    return redirect(f"{reverse('funds:ledger')}?q={line.enterprise.uscc}")


def _round_context(request: HttpRequest, pk: int, **extra: Any) -> dict[str, Any]:
    user: Any = request.user
    round = selectors.access_round(user, pk)
    apps = selectors.applications(user).filter(round=round).order_by("county__code", "id")
    page = Paginator(apps, 100).get_page(request.GET.get("page"))
    return {
        "round": round,
        "page": page,
        "summary": selectors.round_summary(user, round),
        "statuses": ApplicationStatus,
        "can_manage": can(user, MANAGE),
        "can_apply": role_can(user.role, "funds.apply"),
        "pay_form": extra.pop("pay_form", None)
        or bind_pickers(PayForm(initial={"county": user.org.code if user.org else ""}), user),
        **extra,
    }


@require_GET
@staff_page()
def round_page(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "funds/round.html", _round_context(request, pk))


@staff_page("funds.apply")
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    round = selectors.access_round(user, pk)
    form = bind_pickers(ApplyForm(request.POST or None), user)
    if request.method == "POST" and form.is_valid():
        from .pickers import applicable

        enterprise = applicable(user).filter(pk=form.cleaned_data["enterprise"]).first()
        try:
            if enterprise is None:
                raise NotFound()
            app = services.refund_apply(
                round=round,
                enterprise=enterprise,
                bank_name=form.cleaned_data["bank_name"],
                bank_account=form.cleaned_data["bank_account"],
                by=user,
            )
        except NotFound:
            form.add_error("enterprise", _("未找到该单位"))
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已提交返还申请"))
            return redirect("funds:application", pk=app.pk)
    return render(
        request,
        "funds/apply.html",
        {"round": round, "form": form},
        status=422 if form.errors else 200,
    )


@require_POST
@staff_page(MANAGE)
def pay(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    round = selectors.access_round(user, pk)
    form = bind_pickers(PayForm(request.POST), user)
    if form.is_valid():
        county = Org.objects.filter(code=form.cleaned_data["county"]).first()
        try:
            if county is None:
                raise NotFound()
            batch = services.refund_pay(county=county, round=round, by=user)
        except NotFound:
            form.add_error("county", _("未找到该工会"))
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已生成代发批次，请提交审批"))
            return redirect("payments:detail", pk=batch.pk)
    return render(
        request, "funds/round.html", _round_context(request, pk, pay_form=form), status=422
    )


def _application_context(request: HttpRequest, app: Any, **extra: Any) -> dict[str, Any]:
    user: Any = request.user
    from .services import WORKFLOW

    steps = (
        [t for t in WORKFLOW.allowed(app.status, user.role) if t.name != "pay"]
        if can(user, MANAGE, app.county)
        else []
    )
    return {
        "app": app,
        "account": mask_bank_account(app.bank_account),
        "steps": steps,
        "refuse_form": extra.pop("refuse_form", None) or RefuseForm(),
        **extra,
    }


@require_GET
@staff_page()
def application(request: HttpRequest, pk: int) -> HttpResponse:
    app = selectors.access_application(request.user, pk)
    return render(request, "funds/application.html", _application_context(request, app))


@require_POST
@staff_page(MANAGE)
def application_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    app = selectors.access_application(user, pk)
    if action not in ("check", "approve", "refuse"):
        raise Http404()
    refuse_form = RefuseForm(request.POST if action == "refuse" else None)
    try:
        if action == "check":
            services.refund_check(app, by=user)
        elif action == "approve":
            services.refund_approve(app, by=user)
        elif refuse_form.is_valid():
            services.refund_refuse(app, reason=refuse_form.cleaned_data["reason"], by=user)
        else:
            context = _application_context(request, app, refuse_form=refuse_form)
            return render(request, "funds/application.html", context, status=422)
    except ServiceError as exc:
        if isinstance(exc, NotFound):
            raise
        context = _application_context(request, app, error=exc.detail, refuse_form=refuse_form)
        return render(request, "funds/application.html", context, status=exc.status)
    messages.success(request, _("已完成"))
    return redirect("funds:application", pk=pk)


@require_GET
@staff_page()
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    app = selectors.access_application(request.user, pk)
    try:
        data = letters.refund_letter(app)
    except FontMissing as exc:
        context = _application_context(request, app, error=str(exc))
        return render(request, "funds/application.html", context, status=503)
    return download(HttpResponse(data, content_type="application/pdf"), f"refund-{app.number}.pdf")
