"""Pages of the ventures module: the overview (figures, parks, ventures due for review, the
spreadsheets), a park (its ventures, adding one), a venture (its founder, people, support,
yearly reviews, the 农民工之星 nomination) and the import result."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.errors import ServiceError
from gonghui.core.pickers import bind_pickers
from gonghui.core.roles import can
from gonghui.core.web import form_errors, spreadsheet_download, staff_page, workbook_download

from . import forms, registry, selectors, services
from .models import Person, Role
from .workflow import VENTURE

VIEW, MANAGE = "ventures.view", "ventures.manage"
PAGE_SIZE = 50
SHEETS = ("parks", "ventures", "people")


def _first(exc: ServiceError) -> str:
    errors = getattr(exc, "errors", None)
    return str(errors[0]["message"]) if errors else exc.detail


@staff_page(VIEW)
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    may_manage = can(user, MANAGE, user.org)
    form = bind_pickers(forms.ParkForm(request.POST or None), user)
    if request.method == "POST":
        if not may_manage:
            raise Http404()
        if form.is_valid():
            try:
                park = services.park_save(actor=user, data=form.cleaned_data)
            except ServiceError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("已登记工友创业园。"))
                return redirect(park.get_absolute_url())
    q = (request.GET.get("q") or "").strip()[:50]
    parks = selectors.parks_visible_to(user)
    if q:
        parks = parks.filter(name__icontains=q)
    page = Paginator(parks.order_by("-recognized_on", "code"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    year = timezone.localdate().year
    return render(
        request,
        "ventures/home.html",
        {
            "totals": selectors.totals(user),
            "page": page,
            "q": q,
            "due": selectors.due_for_review(user, year).order_by("started_on", "id")[:20],
            "due_count": selectors.due_for_review(user, year).count(),
            "year": year,
            "form": form if may_manage else None,
            "import_form": forms.ImportForm() if may_manage else None,
            "sheets": [(s, _(registry.SHEET_NAMES[s])) for s in SHEETS],
        },
    )


@staff_page(VIEW)
def park(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_park(user, pk)
    may_manage = can(user, MANAGE, item.org)
    form = bind_pickers(forms.VentureForm(request.POST or None), user)
    if request.method == "POST":
        if not may_manage:
            raise Http404()
        if form.is_valid():
            try:
                venture = services.venture_save(actor=user, park=item, data=form.cleaned_data)
            except ServiceError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("已登记创业项目。"))
                return redirect(venture.get_absolute_url())
    ventures = selectors.ventures_visible_to(user).filter(park=item).order_by("-started_on", "id")
    page = Paginator(ventures, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "ventures/park.html",
        {"park": item, "page": page, "form": form if may_manage else None},
    )


@staff_page(VIEW)
def venture(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_venture(user, pk)
    return _venture_page(request, item)


def _venture_page(
    request: HttpRequest, item: Any, person_form: Any = None, review_form: Any = None
) -> HttpResponse:
    user: Any = request.user
    may_manage = can(user, MANAGE, item.org)
    year = timezone.localdate().year
    people = (
        item.people.filter(role=Role.EMPLOYEE)
        .select_related("member")
        .order_by("ended_on", "-started_on", "id")
    )
    show = request.GET.get("show", "")
    if show == "hardship":
        people = people.filter(hardship=True)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    steps = VENTURE.allowed(item.status, user.role) if may_manage else []
    review_form = review_form or forms.ReviewForm(initial={"year": year})
    if steps:
        review_form.fields["step"].choices = [(t.name, t.label) for t in steps]
    status = 422 if (person_form and person_form.errors) or review_form.errors else 200
    return render(
        request,
        "ventures/venture.html",
        {
            "venture": item,
            "founder": services.founder_of(item),
            "page": page,
            "show": show,
            "figures": services.year_figures(item, year),
            "year": year,
            "reviews": list(item.reviews.select_related("reviewed_by")),
            "may_manage": may_manage,
            "steps": steps,
            "review_form": review_form,
            "person_form": person_form or bind_pickers(forms.PersonForm(), user),
            "end_form": forms.EndForm(initial={"ended_on": timezone.localdate()}),
            "star_round": services.star_round(user)
            if may_manage and not item.nomination_id
            else None,
        },
        status=status,
    )


@require_POST
@staff_page(MANAGE)
def person_add(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_venture(user, pk)
    form = bind_pickers(forms.PersonForm(request.POST), user)
    if form.is_valid():
        try:
            services.person_add(actor=user, venture=item, data=form.cleaned_data)
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已登记就业人员。"))
            return redirect(item.get_absolute_url())
    return _venture_page(request, item, person_form=form)


@require_POST
@staff_page(MANAGE)
def person_end(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    person: Person = selectors.access_person(user, pk)
    form = forms.EndForm(request.POST)
    if form.is_valid():
        try:
            services.person_end(actor=user, person=person, ended_on=form.cleaned_data["ended_on"])
            messages.success(request, _("已登记离职。"))
        except ServiceError as exc:
            messages.error(request, _first(exc))
    else:
        messages.error(request, _("请填写离职日期。"))
    return redirect(person.venture.get_absolute_url())


@require_POST
@staff_page(MANAGE)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_venture(user, pk)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.venture_review(actor=user, venture=item, **form.cleaned_data)
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("年度复核已记录。"))
            return redirect(item.get_absolute_url())
    return _venture_page(request, item, review_form=form)


@require_POST
@staff_page(MANAGE)
def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_venture(user, pk)
    try:
        nomination = services.venture_nominate(actor=user, venture=item)
    except ServiceError as exc:
        messages.error(request, _first(exc))
    else:
        messages.success(request, _("已推荐“农民工之星”：%(r)s。") % {"r": nomination.round.title})
    return redirect(item.get_absolute_url())


@require_GET
@staff_page(VIEW)
def export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    user: Any = request.user
    if table not in SHEETS or fmt not in ("xlsx", "csv"):
        raise Http404()
    header = [label for _n, label in registry.COLUMNS[table]]
    if table == "parks":
        rows = registry.park_rows(selectors.parks_visible_to(user).order_by("code"))
    elif table == "ventures":
        rows = registry.venture_rows(
            selectors.ventures_visible_to(user).order_by("park__code", "name")
        )
    else:
        header = registry.PEOPLE_EXPORT_HEADER
        rows = registry.people_rows(selectors.people_visible_to(user))
    return spreadsheet_download(
        fmt, _(registry.SHEET_NAMES[table]), header, rows, f"ventures-{table}.{fmt}"
    )


@require_GET
@staff_page(MANAGE)
def template(request: HttpRequest, table: str) -> HttpResponse:
    if table not in SHEETS:
        raise Http404()
    return workbook_download(
        lambda out: registry.template(table, out), f"ventures-{table}-template.xlsx"
    )


@require_POST
@staff_page(MANAGE)
def import_sheet(request: HttpRequest, table: str) -> HttpResponse:
    if table not in SHEETS:
        raise Http404()
    form = forms.ImportForm(request.POST, request.FILES)
    result: dict[str, Any] | None = None
    if form.is_valid():
        try:
            result = registry.import_file(
                actor=request.user, upload=form.cleaned_data["file"], kind=table
            )
        except ServiceError as exc:
            for err in getattr(exc, "errors", []) or [{"message": exc.detail}]:
                form.add_error("file", err["message"])
    return render(
        request,
        "ventures/import_result.html",
        {
            "form": form,
            "result": result,
            "table": table,
            "sheet_name": _(registry.SHEET_NAMES[table]),
        },
        status=200 if result else 422,
    )
