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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.errors import Forbidden, NotFound, ServiceError
from gonghui.core.masking import mask_bank_account
from gonghui.core.pdf import FontMissing
from gonghui.core.pickers import bind_pickers
from gonghui.core.roles import can, role_can
from gonghui.core.web import download, form_errors, staff_page
from gonghui.orgs.models import Enterprise, Org

from . import letters, selectors, services
from .forms import ApplyForm, ImportForm, LedgerFilter, PayForm, RefuseForm, SizeForm
from .models import ApplicationStatus

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
    return render(request, "funds/ledger.html", {"form": form, "page": page})


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
        {"form": form, "saved": saved},
        status=422 if form.errors else 200,
    )


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
