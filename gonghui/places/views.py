"""Pages of the places: the list (filters, import, export), the map of Heze, a place (its
checklist, ratings, reviews, QR code and the printable door sign), the review queue and a
review's page; for members, the nearest search and the rating page their scan opens."""

from __future__ import annotations

from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.core import throttle
from gonghui.core.errors import NotFound, ServiceError
from gonghui.core.qr import qr_response, qr_svg
from gonghui.core.roles import Role, can
from gonghui.core.uploads import UploadRefused
from gonghui.core.web import (
    form_errors,
    rejected_rows_download,
    spreadsheet_download,
    staff_page,
    workbook_download,
)

from . import checklists, door, forms, registry, selectors, services
from .models import Kind, Rating, ReviewStatus
from .workflow import WORKFLOW

PAGE_SIZE = 50
# bursts of ratings: per member, and per address (many accounts from one phone or script)
RATE_LIMIT_USER = (5, 600)
RATE_LIMIT_ADDRESS = (30, 600)


def _county_choices() -> list[tuple[str, str]]:
    return [(o.code, o.name) for o in selectors.counties().order_by("code")]


def _filtered(request: HttpRequest) -> tuple[Any, dict[str, str]]:
    qs = selectors.places_for(request.user)
    f = {k: request.GET.get(k, "").strip()[:50] for k in ("kind", "county", "q", "stars")}
    if f["kind"] in Kind.values:
        qs = qs.filter(kind=f["kind"])
    if f["county"]:
        qs = qs.filter(county__code=f["county"])
    if f["q"]:
        qs = qs.filter(
            Q(name__contains=f["q"]) | Q(code__contains=f["q"]) | Q(address__contains=f["q"])
        )
    if f["stars"].isdigit():
        qs = qs.filter(stars=int(f["stars"]))
    return qs, f


@staff_page("places.view")
def place_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    qs, f = _filtered(request)
    page = Paginator(
        selectors.with_ratings(qs).order_by("county__code", "kind", "name", "id"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "places/list.html",
        {
            "page": page,
            "f": f,
            "kinds": Kind.choices,
            "counties": _county_choices(),
            "may_manage": can(user, "places.manage"),
            "import_form": forms.ImportForm(),
            "waiting": selectors.waiting_for(user).count(),
        },
    )


@staff_page("places.view")
def place_map(request: HttpRequest) -> HttpResponse:
    qs, f = _filtered(request)
    return render(
        request,
        "places/map.html",
        {
            "points": selectors.map_points(qs),
            "geojson": static("places/heze-counties.geojson"),
            "f": f,
            "kinds": Kind.choices,
            "counties": _county_choices(),
            "kind_labels": dict((k, str(v)) for k, v in Kind.choices),
        },
    )


@staff_page("places.manage")
def place_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = forms.PlaceForm(request.POST or None, initial={"org": user.org.code, "active": True})
    if request.method == "POST" and form.is_valid():
        if selectors.places_for(user).filter(code=form.cleaned_data["code"]).exists():
            form.add_error("code", _("阵地编号已被使用。"))
        else:
            try:
                place = services.place_save(actor=user, data=form.cleaned_data)
            except ServiceError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("服务阵地已保存。"))
                return redirect(place.get_absolute_url())
    return render(request, "places/form.html", {"form": form, "place": None})


@staff_page("places.manage")
def place_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    place = selectors.access_place(user, pk)
    if not can(user, "places.manage", place.org):
        raise Http404()
    initial = {f: getattr(place, f) for f in forms.PlaceForm.base_fields if f != "org"}
    initial["org"] = place.org.code
    form = forms.PlaceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data, code=place.code)
        try:
            services.place_save(actor=user, data=data, place=place)
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("服务阵地已保存。"))
            return redirect(place.get_absolute_url())
    return render(request, "places/form.html", {"form": form, "place": place})


def _scan_url(request: HttpRequest, place: Any) -> str:
    return request.build_absolute_uri(place.portal_url())


@staff_page("places.view")
def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    place = selectors.access_place(user, pk)
    reviews = place.reviews.order_by("-year")
    this_year = timezone.localdate().year
    return render(
        request,
        "places/detail.html",
        {
            "place": place,
            "items": checklists.labelled(place.kind, place.checklist),
            "summary": selectors.rating_summary(place),
            "ratings": Rating.objects.filter(place=place).order_by("-created_at", "-id")[:10],
            "reviews": reviews,
            "svg": qr_svg(_scan_url(request, place), title=place.name),
            "scan_url": _scan_url(request, place),
            "may_manage": can(user, "places.manage", place.org),
            "may_start": can(user, "places.manage", place.org)
            and not reviews.filter(year=this_year).exists(),
            "this_year": this_year,
        },
    )


@staff_page("places.view")
def place_qr(request: HttpRequest, pk: int) -> HttpResponse:
    place = selectors.access_place(request.user, pk)
    return qr_response(_scan_url(request, place), title=place.name)


@staff_page("places.view")
def place_door(request: HttpRequest, pk: int) -> HttpResponse:
    """The sign for the door: name, code, stars, hours, services and the code to scan."""
    from gonghui.core.pdf import FontMissing
    from gonghui.core.web import download

    place = selectors.access_place(request.user, pk)
    try:
        data = door.door_pdf(place, _scan_url(request, place))
    except FontMissing as exc:
        return render(request, "places/font_missing.html", {"message": str(exc)}, status=503)
    return download(HttpResponse(data, content_type="application/pdf"), f"door-{place.code}.pdf")


@require_POST
@staff_page("places.manage")
def review_start(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    place = selectors.access_place(user, pk)
    try:
        review = services.review_start(actor=user, place=place)
    except ServiceError as exc:
        messages.error(request, exc.detail)
        return redirect(place.get_absolute_url())
    messages.success(request, _("已开始本年度星级自评，请填写达标条件并上传佐证材料。"))
    return redirect(review.get_absolute_url())


@staff_page("places.view")
def review_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    status = request.GET.get("status", "")
    qs = selectors.reviews_for(user)
    if status in ReviewStatus.values:
        qs = qs.filter(status=status)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    page = Paginator(qs.order_by("-year", "due_on", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "places/reviews.html",
        {
            "waiting": selectors.waiting_for(user)[:50],
            "page": page,
            "status": status,
            "year": year,
            "statuses": ReviewStatus.choices,
        },
    )


@staff_page("places.view")
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    review = selectors.access_review(user, pk)
    place = review.place
    owner_edits = can(user, "places.manage", place.org) and review.status in (
        ReviewStatus.DRAFT,
        ReviewStatus.RETURNED,
    )
    initial: dict[str, Any] = {f"item_{k}": v for k, v in (review.checklist or {}).items()}
    initial.update(self_stars=str(review.self_stars or ""), self_notes=review.self_notes)
    steps = [(t, forms.step_form(t.name)) for t in services.allowed_steps(user, review)]
    return render(
        request,
        "places/review.html",
        {
            "review": review,
            "place": place,
            "items": checklists.labelled(place.kind, review.checklist),
            "cap": checklists.max_stars(place.kind, review.checklist),
            "assess": forms.ChecklistForm(initial=initial, kind=place.kind)
            if owner_edits
            else None,
            "evidence_form": forms.EvidenceForm() if owner_edits else None,
            "evidence": review.evidence.select_related("file"),
            "events": review.events.select_related("actor", "actor_org"),
            "steps": steps,
        },
    )


@require_POST
@staff_page("places.manage")
def review_assess(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    review = selectors.access_review(user, pk)
    form = forms.ChecklistForm(request.POST, kind=review.place.kind)
    if form.is_valid():
        data = {"checklist": form.checklist(), "self_stars": form.cleaned_data["self_stars"],
                "self_notes": form.cleaned_data["self_notes"]}  # fmt: skip
        try:
            services.review_update(actor=user, review=review, data=data)
        except ServiceError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("自评已保存。"))
    else:
        messages.error(request, _("请检查填写的内容。"))
    return redirect(review.get_absolute_url())


@require_POST
@staff_page("places.manage")
def review_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    review = selectors.access_review(user, pk)
    form = forms.EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(
                actor=user,
                review=review,
                upload=form.cleaned_data["file"],
                label=form.cleaned_data["label"],
            )
        except ServiceError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("佐证材料已上传。"))
    else:
        messages.error(request, _("请选择要上传的文件。"))
    return redirect(review.get_absolute_url())


@staff_page("places.view")
def evidence_file(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    review = selectors.access_review(request.user, pk)
    item = review.evidence.select_related("file").filter(pk=evidence_id).first()
    if item is None or item.file.purged_at is not None:
        raise Http404()
    try:
        handle = item.file.open()
    except FileNotFoundError as exc:
        raise Http404() from exc
    response = FileResponse(handle, as_attachment=True, filename=item.file.name)
    response["Cache-Control"] = "no-store"
    return cast(HttpResponse, response)


def _error_text(exc: ServiceError) -> str:
    errors = getattr(exc, "errors", None)
    return "；".join(e["message"] for e in errors) if errors else exc.detail


@require_POST
@staff_page("places.manage")
def review_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    review = selectors.access_review(user, pk)
    if action not in forms.STEP_FIELDS:
        raise Http404()
    form = forms.step_form(action, request.POST)
    label = WORKFLOW.get(action).label
    if form.is_valid():
        try:
            services.review_act(actor=user, review=review, action=action, data=form.cleaned_data)
        except ServiceError as exc:
            messages.error(
                request, _("%(step)s未完成：%(why)s") % {"step": label, "why": _error_text(exc)}
            )
        else:
            messages.success(request, _("已%(step)s。") % {"step": label})
    else:
        messages.error(request, _("%(step)s未完成：请填写必填项。") % {"step": label})
    return redirect(review.get_absolute_url())


@require_GET
@staff_page("places.manage")
def import_template(request: HttpRequest) -> HttpResponse:
    return workbook_download(registry.template, "places-template.xlsx")


@require_POST
@staff_page("places.manage")
def import_places(request: HttpRequest) -> HttpResponse:
    form = forms.ImportForm(request.POST, request.FILES)
    result: dict[str, Any] | None = None
    if form.is_valid():
        try:
            result = registry.import_file(actor=request.user, upload=form.cleaned_data["file"])
        except (ServiceError, UploadRefused) as exc:
            for message in _error_text(exc).split("；"):
                form.add_error("file", message)
    return render(
        request, "places/import_result.html", {"form": form, "result": result},
        status=200 if result else 422,
    )  # fmt: skip


@require_GET
@staff_page("places.manage")
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """An import's refused rows as XLSX (the sheet's columns, 原行号 and 错误原因): fixed, the
    file imports again as it is."""
    return rejected_rows_download(registry.access_import(request.user, pk), "places")


@require_GET
@staff_page("places.view")
def export_places(request: HttpRequest) -> HttpResponse:
    qs, _f = _filtered(request)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    return spreadsheet_download(
        fmt, _("服务阵地"), registry.header(), registry.rows(qs), f"places.{fmt}"
    )


# --- the member's portal ----------------------------------------------------------------------


def member_page(view: Any) -> Any:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: Any = request.user
        if user.role != Role.MEMBER:
            return redirect("home")
        try:
            return cast(HttpResponse, view(request, *args, **kwargs))
        except NotFound as exc:
            raise Http404() from exc

    return wrapped


@require_GET
@member_page
def portal_find(request: HttpRequest) -> HttpResponse:
    """The nearest stations (or places of another kind) to where the phone is, or to the
    seat of a county chosen."""
    user: Any = request.user
    counties = _county_choices()
    form = forms.FindForm(request.GET or None, counties=counties)
    results: list[selectors.Near] = []
    origin = ""
    searched = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        kind = data["kind"] or Kind.STATION
        point = None
        if data["lat"] is not None and data["lng"] is not None:
            point, origin = (data["lng"], data["lat"]), _("您的位置")
        elif data["county"]:
            point = selectors.county_centre(data["county"])
            origin = dict(counties).get(data["county"], "")
        if point is not None:
            searched = True
            results = selectors.nearest(
                selectors.places_for(user), lng=point[0], lat=point[1], kind=kind
            )
    if results:
        ids = [n.place.pk for n in results]
        rated = {
            p.pk: p for p in selectors.with_ratings(selectors.places_for(user).filter(pk__in=ids))
        }
        for n in results:
            n.place.rating_avg = rated[n.place.pk].rating_avg  # type: ignore[attr-defined]
            n.place.rating_count = rated[n.place.pk].rating_count  # type: ignore[attr-defined]
    return render(
        request,
        "places/portal_find.html",
        {"form": form, "results": results, "origin": origin, "searched": searched},
    )


@member_page
def portal_place(request: HttpRequest, place_code: str) -> HttpResponse:
    """The page a member's scan of the door code opens: the place, its stars and members'
    average, and the rating form (once a month; bursts throttled)."""
    user: Any = request.user
    place = selectors.access_place_by_code(user, place_code)
    form = forms.RatingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        limit_user, window_user = RATE_LIMIT_USER
        limit_addr, window_addr = RATE_LIMIT_ADDRESS
        allowed = throttle.attempt(
            f"places.rate.user.{user.pk}", request, limit=limit_user, window=window_user
        ) and throttle.attempt("places.rate", request, limit=limit_addr, window=window_addr)
        if not allowed:
            messages.error(request, _("评价过于频繁，请稍后再试。"))
            status = 429
        elif form.is_valid():
            try:
                services.rate(
                    actor=user,
                    place=place,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
            except ServiceError as exc:
                messages.error(request, _error_text(exc))
                status = 409
            else:
                messages.success(request, _("感谢您的评价！"))
                return redirect(place.portal_url())
        else:
            status = 422
    mine = Rating.objects.filter(
        place=place, user=user, month=timezone.localdate().replace(day=1)
    ).first()
    return render(
        request,
        "places/portal_place.html",
        {
            "place": place,
            "summary": selectors.rating_summary(place),
            "form": form,
            "mine": mine,
            "items": checklists.labelled(place.kind, place.checklist),
            "debug": settings.DEBUG,
            "find_url": reverse("places:portal_find"),
        },
        status=status,
    )
