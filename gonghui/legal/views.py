"""Web pages of legal aid: thin — a selector reads, a service writes, a template shows.

Staff (``/legal/``): the case list (the centre's subtree; a lawyer's own cases), a case's page
with its statutory dates, timeline and the steps the user may take, the letter of assignment
and the case summary as PDF, applying on a worker's behalf, converting a 12351 order, the
consultation queue, the station registry with its spreadsheet and each station's page.
Members (``/portal/legal/``): apply, upload evidence, follow, rate, consult — phone-sized.
Anything out of scope answers 404 like a missing record.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.errors import NotFound, ServiceError
from gonghui.core.masking import mask_id_number, mask_name
from gonghui.core.pdf import FontMissing
from gonghui.core.roles import ASSIGNEE_ROLES, Role, can
from gonghui.core.web import form_errors, spreadsheet_download, staff_page, workbook_download

from . import documents, registry, selectors, services
from .deadlines import case_limits, worst_card
from .forms import (
    STEP_FORMS,
    ApplyForm,
    AskForm,
    ConsultAssignForm,
    EvidenceForm,
    FromTicketForm,
    ImportForm,
    NoteForm,
    RateForm,
    ReplyForm,
    StaffApplyForm,
    StaffForm,
    StageForm,
    StationForm,
)
from .models import Case, ConsultKind, Status

PAGE = 50


def first_message(exc: ServiceError) -> str:
    errors = getattr(exc, "errors", None)
    return str(errors[0]["message"]) if errors else exc.detail


def _legal_staff(user: Any) -> bool:
    return can(user, "legal.view") or user.role in ASSIGNEE_ROLES


def legal_page(view: Any) -> Any:
    """Staff with ``legal.view``, lawyers and counsellors; everybody else 404."""

    @staff_page()
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _legal_staff(request.user):
            raise Http404()
        return cast(HttpResponse, view(request, *args, **kwargs))

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# --- cases --------------------------------------------------------------------------------

TABS = (
    ("todo", "待办"),
    ("open", "办理中"),
    ("all", "全部"),
)


@require_GET
@legal_page
def cases(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    tab = request.GET.get("tab", "todo")
    q = request.GET.get("q", "").strip()[:50]
    qs = selectors.case_list(user, q=q)
    if tab == "todo":
        if user.role == Role.LAWYER:
            qs = qs.filter(status__in=(Status.ASSIGNED, Status.IN_PROGRESS))
        else:
            qs = qs.filter(
                status__in=(Status.APPLIED, Status.COMPLETE, Status.APPROVED, Status.CONCLUDED)
            )
    elif tab == "open":
        qs = qs.open()  # type: ignore[attr-defined]
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    # the page is cut first; its applicants are counted for its rows alone
    page.object_list = selectors.with_workers(page.object_list)
    today = timezone.localdate()
    rows = []
    for case in page.object_list:
        limits = case_limits(case, today)
        rows.append(
            {"case": case, "next": limits[0] if limits else None, "card": worst_card(limits)}
        )
    context = {
        "rows": rows,
        "page": page,
        "tab": tab,
        "tabs": [(k, _(label)) for k, label in TABS],
        "q": q,
        "can_apply": can(user, "legal.apply"),
        "todo": selectors.centre_todo(user),
        "can_stations": can(user, "legal.view"),
    }
    return render(request, "legal/cases.html", context)


def _case_context(request: HttpRequest, case: Case, **forms: Any) -> dict[str, Any]:
    user: Any = request.user
    today = timezone.localdate()
    actions = []
    for name, label in selectors.case_actions(user, case):
        form_class = STEP_FORMS.get(name, NoteForm)
        form = forms.get(f"step_{name}") or form_class()
        if "lawyer" in form.fields:
            form.fields["lawyer"].choices = [  # type: ignore[union-attr]
                (u.username, f"{u.full_name or u.username}（{u.org.name if u.org else ''}）")
                for u in selectors.lawyers_for(case).select_related("org")
            ]
        actions.append({"name": name, "label": label, "form": form})
    applicants = [
        {
            "name": a.name
            if user.role == Role.MEMBER or user.pk == case.lawyer_id
            else mask_name(a.name),
            "id_number": mask_id_number(a.id_number) if a.id_number else "—",
            "is_member": a.is_member,
            "share": a.share,
        }
        for a in case.applicants.all()
    ]
    limits = case_limits(case, today)
    return {
        "case": case,
        "applicants": applicants,
        "claims": list(case.claims.all()),
        "limits": limits,
        "card": worst_card(limits),
        "timeline": selectors.case_timeline(case),
        "stages": list(case.stages.select_related("file")),
        "files": list(case.files.select_related("file")),
        "actions": actions,
        "stage_form": forms.get("stage_form")
        or (
            StageForm() if user.pk == case.lawyer_id and case.status == Status.IN_PROGRESS else None
        ),
        "evidence_form": forms.get("evidence_form") or EvidenceForm(),
        "ticket_url": _ticket_url(user, case),
        "letter": case.lawyer_id is not None,
    }


def _ticket_url(user: Any, case: Case) -> str:
    if not case.ticket_id:
        return ""
    from gonghui.hotline.models import Ticket

    if Ticket.objects.visible_to(user).filter(pk=case.ticket_id).exists():
        return f"/hotline/{case.ticket_id}/"
    return ""


@require_GET
@legal_page
def case(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_case(request.user, pk)
    return render(request, "legal/case.html", _case_context(request, item))


@require_POST
@legal_page
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_case(user, pk)
    form_class = STEP_FORMS.get(action, NoteForm)
    form = form_class(request.POST)
    if "lawyer" in form.fields:
        form.fields["lawyer"].choices = [  # type: ignore[attr-defined]
            (u.username, u.username) for u in selectors.lawyers_for(item)
        ]
    if form.is_valid():
        try:
            services.case_act(actor=user, case=item, action=action, data=form.cleaned_data)
        except ServiceError as exc:
            form_errors(form, exc)
            if getattr(exc, "status", 0) == 409:
                context = _case_context(request, item)
                context["action_error"] = exc.detail
                return render(request, "legal/case.html", context, status=409)
        else:
            messages.success(request, _("已办理"))
            return redirect("legal:case", pk=pk)
    context = _case_context(request, item, **{f"step_{action}": form})
    context["action_error"] = _("未能办理，请检查填写的内容")
    return render(request, "legal/case.html", context, status=422)


@require_POST
@legal_page
def stage(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_case(user, pk)
    form = StageForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.case_stage(
                actor=user,
                case=item,
                kind=d["kind"],
                on=d["on"],
                note=d["note"],
                upload=d["document"],
            )
        except ServiceError as exc:
            form_errors(form, exc)
            if "document" in form.fields and form.errors.get("file"):
                form.add_error("document", form.errors.pop("file"))
        else:
            messages.success(request, _("已记录办案阶段"))
            return redirect("legal:case", pk=pk)
    context = _case_context(request, item, stage_form=form)
    return render(request, "legal/case.html", context, status=422)


def _attach(request: HttpRequest, item: Case, template: str, back: str) -> HttpResponse:
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.case_attach(
                actor=request.user, case=item, upload=form.cleaned_data["evidence"]
            )
        except ServiceError as exc:
            for err in getattr(exc, "errors", []) or [{"message": exc.detail}]:
                form.add_error("evidence", err["message"])
        else:
            messages.success(request, _("已上传材料"))
            return redirect(back, pk=item.pk)
    if template == "legal/case.html":
        return render(
            request, template, _case_context(request, item, evidence_form=form), status=422
        )
    return render(
        request, template, _portal_case_context(request, item, evidence_form=form), status=422
    )


@require_POST
@legal_page
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_case(request.user, pk)
    if request.user.role == Role.LEADER:  # type: ignore[union-attr]
        raise Http404()
    return _attach(request, item, "legal/case.html", "legal:case")


def _file(user: Any, pk: int, file_pk: int) -> HttpResponse:
    item = selectors.access_case(user, pk)
    link = item.files.select_related("file").filter(file_id=file_pk).first()
    if link is None or link.file.purged_at is not None:
        raise Http404()
    response = FileResponse(link.file.open(), as_attachment=True, filename=link.file.name)
    response["Cache-Control"] = "no-store"
    return cast(HttpResponse, response)


@require_GET
@legal_page
def case_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    return _file(request.user, pk, file_pk)


def _pdf(request: HttpRequest, item: Case, kind: str) -> HttpResponse:
    try:
        if kind == "letter":
            return documents.pdf_response(
                documents.assignment_letter(item), f"{item.number}-委派函.pdf"
            )
        return documents.pdf_response(documents.case_summary(item), f"{item.number}-办理情况.pdf")
    except FontMissing as exc:
        return render(request, "legal/message.html", {"message": str(exc)}, status=503)
    except ServiceError as exc:
        messages.error(request, first_message(exc))
        return redirect("legal:case", pk=item.pk)


@require_GET
@legal_page
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(request, selectors.access_case(request.user, pk), "letter")


@require_GET
@legal_page
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(request, selectors.access_case(request.user, pk), "summary")


@staff_page("legal.apply")
def apply(request: HttpRequest) -> HttpResponse:
    """A cadre, clerk or operator applies on a worker's behalf (a group case: many lines)."""
    form = StaffApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.case_create(actor=request.user, data=form.data_for_service())
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已登记法律援助申请 %(n)s") % {"n": item.number})
            if selectors.cases_visible_to(request.user).filter(pk=item.pk).exists():
                return redirect("legal:case", pk=item.pk)
            return redirect("home")
    return render(
        request,
        "legal/apply.html",
        {"form": form, "staff": True},
        status=422 if form.errors else 200,
    )


@staff_page("legal.convert")
def from_ticket(request: HttpRequest, ticket_pk: int) -> HttpResponse:
    from gonghui.hotline import selectors as hotline_selectors

    ticket = hotline_selectors.access_ticket(request.user, ticket_pk)
    existing = Case.objects.filter(ticket=ticket).first()
    if existing is not None:
        return redirect("legal:case", pk=existing.pk)
    form = FromTicketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.case_from_ticket(
                actor=request.user, ticket=ticket, data=form.cleaned_data
            )
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已转为法律援助案件 %(n)s") % {"n": item.number})
            if selectors.cases_visible_to(request.user).filter(pk=item.pk).exists():
                return redirect("legal:case", pk=item.pk)
            return redirect("hotline:detail", pk=ticket.pk)
    return render(
        request,
        "legal/from_ticket.html",
        {"form": form, "ticket": ticket},
        status=422 if form.errors else 200,
    )


# --- consultations --------------------------------------------------------------------------


@require_GET
@legal_page
def consultations(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    qs = selectors.consultations_visible_to(user)
    kind = request.GET.get("kind", "")
    if kind in ConsultKind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "c": c,
            "asker": (c.asker.full_name or c.asker.username)
            if selectors.shows_asker(user, c)
            else "—",
        }
        for c in page.object_list
    ]
    return render(request, "legal/consultations.html", {"rows": rows, "page": page, "kind": kind})


def _consult_context(request: HttpRequest, c: Any, **forms: Any) -> dict[str, Any]:
    user: Any = request.user
    readable = selectors.can_read(user, c)
    assign_form = None
    if can(user, "legal.manage", c.org) and c.status != "closed":
        assign_form = forms.get("assign_form") or ConsultAssignForm()
        assign_form.fields["assignee"].choices = [  # type: ignore[union-attr]
            (u.username, u.full_name or u.username) for u in selectors.assignees_for(c)
        ]
    return {
        "c": c,
        "readable": readable,
        "asker": (c.asker.full_name or c.asker.username) if selectors.shows_asker(user, c) else "",
        "thread": selectors.consultation_messages(user, c),
        "reply_form": forms.get("reply_form")
        or (
            ReplyForm() if user.pk in (c.asker_id, c.assignee_id) and c.status != "closed" else None
        ),
        "assign_form": assign_form,
        "may_close": user.pk in (c.asker_id, c.assignee_id) and c.status != "closed",
    }


@require_GET
@legal_page
def consultation(request: HttpRequest, pk: int) -> HttpResponse:
    c = selectors.access_consultation(request.user, pk)
    return render(request, "legal/consultation.html", _consult_context(request, c))


def _consult_post(
    request: HttpRequest, pk: int, what: str, template: str, back: str
) -> HttpResponse:
    user: Any = request.user
    c = selectors.access_consultation(user, pk)
    try:
        if what == "reply":
            form = ReplyForm(request.POST)
            if not form.is_valid():
                return render(
                    request, template, _consult_context(request, c, reply_form=form), status=422
                )
            services.consultation_reply(actor=user, consultation=c, text=form.cleaned_data["text"])
        elif what == "assign":
            aform = ConsultAssignForm(request.POST)
            aform.fields["assignee"].choices = [  # type: ignore[attr-defined]
                (u.username, u.username) for u in selectors.assignees_for(c)
            ]
            if not aform.is_valid():
                return render(
                    request, template, _consult_context(request, c, assign_form=aform), status=422
                )
            services.consultation_assign(
                actor=user, consultation=c, assignee=aform.cleaned_data["assignee"]
            )
        else:
            services.consultation_close(actor=user, consultation=c)
    except NotFound as exc:
        raise Http404() from exc
    except ServiceError as exc:
        messages.error(request, first_message(exc))
    return redirect(back, pk=pk)


@require_POST
@legal_page
def consultation_reply(request: HttpRequest, pk: int) -> HttpResponse:
    return _consult_post(request, pk, "reply", "legal/consultation.html", "legal:consultation")


@require_POST
@legal_page
def consultation_assign(request: HttpRequest, pk: int) -> HttpResponse:
    return _consult_post(request, pk, "assign", "legal/consultation.html", "legal:consultation")


@require_POST
@legal_page
def consultation_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _consult_post(request, pk, "close", "legal/consultation.html", "legal:consultation")


# --- stations -------------------------------------------------------------------------------


@require_GET
@staff_page("legal.view")
def stations(request: HttpRequest) -> HttpResponse:
    qs = selectors.stations_visible_to(request.user)
    items = list(qs[:500])
    # a plain plot of the stations by longitude and latitude (no map tiles: nothing leaves
    # the site), each dot a link to the station's page
    placed = [s for s in items if s.longitude is not None and s.latitude is not None]
    dots = []
    if placed:
        xs = [float(s.longitude) for s in placed]  # type: ignore[arg-type]
        ys = [float(s.latitude) for s in placed]  # type: ignore[arg-type]
        w, h = max(max(xs) - min(xs), 0.01), max(max(ys) - min(ys), 0.01)
        for s, x, y in zip(placed, xs, ys, strict=True):
            dots.append(
                {
                    "s": s,
                    "x": round(20 + (x - min(xs)) / w * 560, 1),
                    "y": round(20 + (max(ys) - y) / h * 260, 1),
                }
            )
    return render(
        request,
        "legal/stations.html",
        {
            "stations": items,
            "dots": dots,
            "may_edit": can(request.user, "legal.stations"),
            "import_form": ImportForm(),
            "station_form": StationForm(),
        },
    )


def _station_context(request: HttpRequest, item: Any, **forms: Any) -> dict[str, Any]:
    user: Any = request.user
    staff = list(item.staff.order_by("-active", "name").select_related("user"))
    open_cases = selectors.case_list(user).filter(station=item).open()  # type: ignore[attr-defined]
    may_edit = can(user, "legal.stations", item.org)
    context: dict[str, Any] = {
        "station": item,
        "staff": [p for p in staff if p.active],
        "off_duty": [p for p in staff if not p.active],
        "open_cases": open_cases.count(),
        "cases": list(open_cases[:20]),
        "may_edit": may_edit,
    }
    if may_edit:
        context["station_form"] = forms.get("station_form") or StationForm(
            initial={
                "code": item.code,
                "name": item.name,
                "kind": item.kind,
                "org": item.org.code,
                "address": item.address,
                "longitude": item.longitude,
                "latitude": item.latitude,
                "hours": item.hours,
                "phone": item.phone,
                "founded_on": item.founded_on,
                "active": item.active,
            }
        )
        context["station_form"].fields["code"].disabled = True  # the station's key
        context["staff_form"] = forms.get("staff_form") or StaffForm(
            initial={"since": timezone.localdate()}
        )
        context["staff_forms"] = [
            (
                p,
                StaffForm(
                    auto_id=f"id_staff{p.pk}_%s",
                    initial={
                        "name": p.name,
                        "kind": p.kind,
                        "firm": p.firm,
                        "phone": p.phone,
                        "user": p.user.username if p.user else "",
                        "since": p.since,
                        "active": p.active,
                    },
                ),
            )
            for p in staff
        ]
    return context


@require_GET
@staff_page("legal.view")
def station(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_station(request.user, pk)
    return render(request, "legal/station.html", _station_context(request, item))


@require_POST
@staff_page("legal.stations")
def station_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The station's own record changed from its page (its code stays its key)."""
    item = selectors.access_station(request.user, pk)
    if not can(request.user, "legal.stations", item.org):
        raise Http404()
    form = StationForm(request.POST, initial={"code": item.code})
    form.fields["code"].disabled = True
    if form.is_valid():
        data = {**form.cleaned_data, "code": item.code}
        try:
            services.station_save(actor=request.user, data=data, station=item)
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已保存站点"))
            return redirect("legal:station", pk=item.pk)
    context = _station_context(request, item, station_form=form)
    return render(request, "legal/station.html", context, status=422)


@require_POST
@staff_page("legal.stations")
def station_staff(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a person to the station, or change one (by name): kind, firm, phone, the account
    they log in with, on or off duty."""
    item = selectors.access_station(request.user, pk)
    if not can(request.user, "legal.stations", item.org):
        raise Http404()
    form = StaffForm(request.POST)
    if form.is_valid():
        data = {**form.cleaned_data, "station": item.code}
        try:
            person = services.staff_save(actor=request.user, data=data)
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已保存人员 %(name)s") % {"name": person.name})
            return redirect("legal:station", pk=item.pk)
    context = _station_context(request, item, staff_form=form)
    return render(request, "legal/station.html", context, status=422)


@require_POST
@staff_page("legal.stations")
def station_save(request: HttpRequest) -> HttpResponse:
    form = StationForm(request.POST)
    if form.is_valid():
        try:
            item = services.station_save(actor=request.user, data=form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, first_message(exc))
        else:
            messages.success(request, _("已保存站点"))
            return redirect("legal:station", pk=item.pk)
    else:
        messages.error(request, _("站点未保存，请检查填写的内容"))
    return redirect("legal:stations")


@require_GET
@staff_page("legal.view")
def registry_export(request: HttpRequest, sheet: str, fmt: str) -> HttpResponse:
    if sheet not in ("stations", "staff") or fmt not in ("xlsx", "csv"):
        raise Http404()
    if sheet == "stations":
        columns, rows = (
            registry.STATION_COLUMNS,
            registry.station_rows(selectors.stations_visible_to(request.user)),
        )
    else:
        columns = registry.STAFF_COLUMNS
        rows = registry.staff_rows(
            selectors.staff_visible_to(request.user).order_by("station__code", "name")
        )
    return spreadsheet_download(
        fmt,
        _("站点") if sheet == "stations" else _("人员"),
        [label for _, label in columns],
        rows,
        f"legal-{sheet}.{fmt}",
    )


@require_GET
@staff_page("legal.stations")
def registry_template(request: HttpRequest, sheet: str) -> HttpResponse:
    if sheet not in ("stations", "staff"):
        raise Http404()
    return workbook_download(
        lambda out: registry.template(sheet, out), f"legal-{sheet}-template.xlsx"
    )


@require_POST
@staff_page("legal.stations")
def registry_import(request: HttpRequest, sheet: str) -> HttpResponse:
    if sheet not in ("stations", "staff"):
        raise Http404()
    form = ImportForm(request.POST, request.FILES)
    result: dict[str, Any] | None = None
    if form.is_valid():
        try:
            result = registry.import_file(
                actor=request.user, upload=form.cleaned_data["file"], kind=sheet
            )
        except ServiceError as exc:
            for err in getattr(exc, "errors", []) or [{"message": exc.detail}]:
                form.add_error("file", err["message"])
    return render(
        request,
        "legal/import_result.html",
        {"form": form, "result": result, "kind": sheet},
        status=200 if result else 422,
    )


# --- the member's portal ----------------------------------------------------------------------


def member_page(view: Any) -> Any:
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: Any = request.user
        if user.role != Role.MEMBER:
            return redirect("home")
        try:
            return cast(HttpResponse, view(request, *args, **kwargs))
        except NotFound as exc:
            raise Http404() from exc

    wrapped.__name__ = view.__name__
    return wrapped


@require_GET
@member_page
def portal_home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(
        request,
        "legal/portal_home.html",
        {
            "cases": list(Case.objects.visible_to(user).order_by("-applied_on", "-id")[:50]),
            "consultations": list(selectors.consultations_visible_to(user)[:50]),
        },
    )


@member_page
def portal_apply(request: HttpRequest) -> HttpResponse:
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.case_create(actor=request.user, data=form.data_for_service())
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, _("申请已提交，编号 %(n)s。可在此上传证据材料。") % {"n": item.number}
            )
            return redirect("legal_portal:case", pk=item.pk)
    return render(
        request,
        "legal/apply.html",
        {"form": form, "staff": False},
        status=422 if form.errors else 200,
    )


def _portal_case_context(request: HttpRequest, item: Case, **forms: Any) -> dict[str, Any]:
    return {
        "case": item,
        "timeline": [e for e in selectors.case_timeline(item)],
        "files": list(item.files.select_related("file")),
        "evidence_form": forms.get("evidence_form")
        or (
            EvidenceForm()
            if item.status in (Status.APPLIED, Status.RETURNED, Status.COMPLETE)
            else None
        ),
        "rate_form": RateForm() if item.status == Status.CLOSED and item.rating is None else None,
        "may_resubmit": item.status == Status.RETURNED,
        "may_withdraw": item.status in (Status.APPLIED, Status.RETURNED, Status.COMPLETE),
    }


@require_GET
@member_page
def portal_case(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_case(request.user, pk)
    return render(request, "legal/portal_case.html", _portal_case_context(request, item))


@require_POST
@member_page
def portal_attach(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_case(request.user, pk)
    return _attach(request, item, "legal/portal_case.html", "legal_portal:case")


@require_GET
@member_page
def portal_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    return _file(request.user, pk, file_pk)


@require_POST
@member_page
def portal_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = selectors.access_case(request.user, pk)
    if action not in ("resubmit", "withdraw"):
        raise Http404()
    try:
        services.case_act(
            actor=request.user,
            case=item,
            action=action,
            data={"reason": request.POST.get("reason", "")[:1000] or _("本人撤回")},
        )
    except ServiceError as exc:
        messages.error(request, first_message(exc))
    return redirect("legal_portal:case", pk=pk)


@require_POST
@member_page
def portal_rate(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_case(request.user, pk)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.case_rate(
                actor=request.user,
                case=item,
                rating=form.cleaned_data["rating"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as exc:
            messages.error(request, first_message(exc))
        else:
            messages.success(request, _("感谢您的评价"))
    return redirect("legal_portal:case", pk=pk)


@member_page
def portal_ask(request: HttpRequest) -> HttpResponse:
    form = AskForm(request.POST or None, initial={"kind": request.GET.get("kind", "legal")})
    if request.method == "POST" and form.is_valid():
        try:
            c = services.consultation_ask(actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            return redirect("legal_portal:consultation", pk=c.pk)
    return render(
        request, "legal/portal_ask.html", {"form": form}, status=422 if form.errors else 200
    )


@require_GET
@member_page
def portal_consultation(request: HttpRequest, pk: int) -> HttpResponse:
    c = selectors.access_consultation(request.user, pk)
    return render(request, "legal/portal_consultation.html", _consult_context(request, c))


@require_POST
@member_page
def portal_consultation_reply(request: HttpRequest, pk: int) -> HttpResponse:
    return _consult_post(
        request, pk, "reply", "legal/portal_consultation.html", "legal_portal:consultation"
    )


@require_POST
@member_page
def portal_consultation_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _consult_post(
        request, pk, "close", "legal/portal_consultation.html", "legal_portal:consultation"
    )
