"""Pages of the 12351 hotline: the operator's intake, the queue of the user's org, the order
page with its timeline and the steps this user may take now, the statistics, attachments.

Thin views: selectors read with scope, services write and audit. An order outside the
user's path answers 404 exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from gonghui.core import metrics, periods
from gonghui.core.errors import InvalidInput, NotFound, ServiceError
from gonghui.core.masking import mask_name, mask_phone
from gonghui.core.metrics import as_text
from gonghui.core.models import ImportJob
from gonghui.core.pickers import Option, bind_pickers
from gonghui.core.roles import can
from gonghui.core.spreadsheets import XLSX_TYPE, read_rejected
from gonghui.core.web import (
    download,
    form_errors,
    rejected_rows_download,
    spreadsheet_download,
    staff_page,
    workbook_download,
)
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import access_org, org_children

from . import exporting, importing, selectors, services, stats
from .forms import (
    AttachForm,
    IntakeForm,
    QueueFilterForm,
    StatsForm,
    TransferImportForm,
    action_form,
    topic_options,
)
from .models import OPEN_STATUSES, Category, Status, Ticket, Urgency
from .workflow import NOTES, WORKFLOW

VIEW = "hotline.view"
HANDLE = "hotline.handle"
INTAKE = "hotline.intake"
STATS = "hotline.stats"
PAGE_SIZE = 50
NOTICES = 5


# --- helpers ---------------------------------------------------------------------------------


def _org_in_scope(user: Any, code: str) -> Org | None:
    try:
        return access_org(user, code.strip())
    except NotFound:
        return None


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


# timeline events that are not workflow steps (marked here so that makemessages finds them)
EVENT_LABELS: dict[str, str] = {
    "create": gettext_noop("受理"),
    "attach": gettext_noop("上传附件"),
    "rate": gettext_noop("会员评价"),
}
STEP_LABELS: dict[str, str] = {t.name: t.label for t in WORKFLOW.transitions}
STEP_LABELS.update({n.name: n.label for n in NOTES.values()})


def step_label(action: str) -> str:
    return _(STEP_LABELS.get(action) or EVENT_LABELS.get(action) or action)


def timeline(user: Any, ticket: Ticket) -> list[dict[str, Any]]:
    """The order's events as the pages show them. A member (the portal) gets no internal
    events, no notes and no names of the people who handled it."""
    public = getattr(user, "role", "") == "member"
    out = []
    for e in selectors.ticket_timeline(user, ticket, getattr(ticket, "returned_by", None)):
        out.append(
            {
                "action": e.action,
                "label": step_label(e.action),
                "to_label": Status(e.to_status).label
                if e.to_status and e.to_status != e.from_status
                else "",
                "at": e.at,
                # people by their names (the event's org is shown beside them); the
                # username only for an actor without an account (the provincial platform)
                "actor_label": ""
                if public
                else (e.actor.display_name if e.actor else e.actor_name),
                "org": None if public else e.org,
                "note": "" if public else e.note,
            }
        )
    return out


# --- the queue -------------------------------------------------------------------------------

TABS: list[tuple[str, Any]] = [
    ("todo", "待我处理"),
    ("open", "全部在办"),
    ("received", Status.RECEIVED.label),
    ("dispatched", Status.DISPATCHED.label),
    ("accepted", Status.ACCEPTED.label),
    ("extension_requested", Status.EXTENSION_REQUESTED.label),
    ("returned", Status.RETURNED.label),
    ("replied", Status.REPLIED.label),
    ("called_back", Status.CALLED_BACK.label),
    ("reopened", Status.REOPENED.label),
    ("checked", Status.CHECKED.label),
    ("closed", Status.CLOSED.label),
    ("all", "全部"),
]
TAB_KEYS = {k for k, _label in TABS}
# the queue row's field → the column it reads (one page of plain values, no model instances)
ROW_COLUMNS = {
    "id": "id",
    "number": "number",
    "urgency": "urgency",
    "received_at": "received_at",
    "category": "category",
    "topic": "topic__name",
    "caller": "caller_name",
    "handler": "handler_org__name",
    "receiving": "receiving_org__name",
    "status": "status",
    "due_on": "due_on",
    "card": "card",
}


def _form_filter(user: Any, form: QueueFilterForm) -> Q | None:
    """The filter form's conditions as one ``Q``; ``None`` when the form is invalid (an org
    outside the user's scope is an error on its field)."""
    if not form.is_valid():
        return None
    d = form.cleaned_data
    where = Q()
    q = d["q"].strip()
    if q:
        where &= Q(number=q) | Q(pk__in=Ticket.objects.pushed_as(q).values("pk"))
    if d["category"]:
        where &= Q(category=d["category"])
    if d["card"]:
        where &= Q(card=d["card"])
    if d["org"].strip():
        org = _org_in_scope(user, d["org"])
        if org is None:
            form.add_error("org", _("未找到该工会"))
            return None
        where &= Q(pk__in=Ticket.objects.on_path_of(org).values("pk"))
    try:  # the dates' bounds, as every period parameter has them (core.periods)
        periods.check_filter(d["start"], d["end"], start_field="start", end_field="end")
    except InvalidInput as exc:
        form.add_error(exc.errors[0]["field"], exc.errors[0]["message"])
        return None
    if d["start"]:
        where &= Q(received_on__gte=d["start"])
    if d["end"]:
        where &= Q(received_on__lte=d["end"])
    return where


def _queue_rows(user: Any, qs: Any, ordering: tuple[str, ...], start: int) -> list[dict[str, Any]]:
    """The page of the queue starting at ``start`` and one look-ahead row, as the table shows
    them: plain values, the caller's name masked, labels in the user's language; an order the
    user's org returned as it left it (``selectors.returned_out``), as its page shows it."""
    names = list(ROW_COLUMNS)
    categories = {k: str(v) for k, v in Category.choices}
    urgencies = {k: str(v) for k, v in Urgency.choices}
    rows = []
    page = selectors.page_of(qs, ordering, start, start + PAGE_SIZE + 1)
    values_list = list(page.values_list(*ROW_COLUMNS.values()))
    left = selectors.returned_out(user, [values[0] for values in values_list])
    for values in values_list:
        row = dict(zip(names, values, strict=True))
        if (was := left.get(row["id"])) is not None:
            row["status"] = was["status"] or row["status"]
            row["handler"] = was["handler_org"].name if was["handler_org"] else None
        row["caller"] = mask_name(row["caller"])
        row["category"] = categories.get(row["category"], row["category"])
        row["urgency"] = "" if row["urgency"] == Urgency.NORMAL else urgencies[row["urgency"]]
        row["handler"] = row["handler"] or row["receiving"]
        # formatted here, not by the template's date filter: a hundred filters per page
        row["received_at"] = exporting.cell(row["received_at"])
        row["due_on"] = exporting.cell(row["due_on"]) or "—"
        if row["status"] == Status.CLOSED:
            row["card"] = ""
        rows.append(row)
    return rows


def _tab(request: HttpRequest) -> str:
    tab = request.GET.get("tab", "todo")
    return tab if tab in TAB_KEYS else "todo"


def _queue_lists(user: Any, form: QueueFilterForm) -> tuple[Any, Any]:
    """(visible, to do): the user's orders and those waiting for their org, both under the
    filter form's conditions (none when the form is invalid)."""
    where = _form_filter(user, form)
    base = Ticket.objects.visible_to(user)
    # "to do" reads the org's own columns: every such order is on its path (waiting_for)
    todo = Ticket.objects.waiting_for(user)
    if where is None:
        return base.none(), todo.none()
    return base.filter(where), todo.filter(where)


def _tab_list(user: Any, base: Any, todo: Any, tab: str) -> tuple[Any, tuple[str, ...]]:
    """The tab's orders and their order: open orders by the nearest due date (the work of
    the day), history newest first. A status is the one the user sees: an order their org
    returned is filed under the status it left with (``selectors.with_status``)."""
    ordering = {
        "closed": ("-closed_at", "-id"),
        "all": ("-received_at", "-id"),
    }.get(tab, ("due_on", "-received_at", "-id"))
    if tab == "todo":
        return todo, ordering
    if tab == "open":
        return selectors.with_status(user, base, OPEN_STATUSES), ordering
    return (base if tab == "all" else selectors.with_status(user, base, [tab])), ordering


@require_GET
@staff_page(VIEW)
def queue(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = QueueFilterForm(request.GET)
    bind_pickers(form, user)
    tab = _tab(request)
    base, todo = _queue_lists(user, form)
    # One GROUP BY for every status tab's count, one for "to do", one page: a fixed budget.
    # COUNT(*), not COUNT(id): the status index alone answers it when the scope is the city
    by_status = dict(base.order_by().values_list("status").annotate(n=Count("*")))
    for now, left in selectors.statuses_as_seen(user, base).values():
        by_status[now] -= 1  # counted with the status it left the user's org with
        by_status[left] = by_status.get(left, 0) + 1
    counts: dict[str, int | None] = {
        "todo": todo.count(),
        "open": sum(n for s, n in by_status.items() if s != Status.CLOSED),
        "all": sum(by_status.values()),
        **{s: by_status.get(s, 0) for s in Status.values},
    }
    params = {k: v for k, v in request.GET.items() if k not in ("tab", "page") and v}
    tabs = [
        {
            "key": key,
            "label": _(str(label)),
            "count": counts.get(key),
            "active": key == tab,
            "query": urlencode({**params, "tab": key}),
        }
        for key, label in TABS
        if key in ("todo", "open", "all") or counts.get(key)
    ]
    page = _page_number(request)
    listed, ordering = _tab_list(user, base, todo, tab)
    rows = _queue_rows(user, listed, ordering, (page - 1) * PAGE_SIZE)
    here = {**params, "tab": tab}
    context = {
        "form": form,
        "tab": tab,
        "tabs": tabs,
        "rows": rows[:PAGE_SIZE],
        "org": user.org,
        "page": page,
        "has_next": len(rows) > PAGE_SIZE,
        "prev_query": urlencode({**here, "page": page - 1}),
        "next_query": urlencode({**here, "page": page + 1}),
        "can_create": can(user, INTAKE),
        # a grassroots clerk handles the orders sent to their union; the statistics are the
        # federations' (cadres, leaders, the operators): the clerk sees no button to them
        "can_stats": can(user, STATS),
        "export_query": urlencode(here),
        # the tick's yellow/red notices and supervision notices to the user's org, unread
        "notices": list(
            services.notifications_for(user)
            .filter(read_at__isnull=True)
            .select_related("ticket")[:NOTICES]
        ),
    }
    return render(request, "hotline/queue.html", context)


@require_GET
@staff_page(VIEW)
def queue_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The queue as the user sees it — scope, filters and tab, every page — as XLSX or
    CSV; callers masked (``exporting``)."""
    if fmt not in ("xlsx", "csv"):
        raise Http404()
    user: Any = request.user
    form = QueueFilterForm(request.GET)
    bind_pickers(form, user)
    base, todo = _queue_lists(user, form)
    listed, ordering = _tab_list(user, base, todo, _tab(request))
    header, rows = exporting.order_rows(listed.order_by(*ordering), user=user)
    name = exporting.file_name("orders", fmt)
    return spreadsheet_download(fmt, _("热线工单"), header, rows, name)


# --- intake ----------------------------------------------------------------------------------


@staff_page(INTAKE)
def create(request: HttpRequest) -> HttpResponse:
    """The operator's form: keyboard first (autofocus, Tab order of a call, Ctrl+Enter)."""
    user: Any = request.user
    form = IntakeForm(request.POST or None, request.FILES or None)
    topic_options(form, user)
    if request.method == "POST" and form.is_valid():
        try:
            ticket, _created = services.ticket_create(actor=user, data=form.service_data())
            upload = form.cleaned_data.get("attachment")
            if upload:
                services.ticket_attach(actor=user, ticket=ticket, upload=upload)
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _("已受理工单 %(number)s(%(status)s)")
                % {"number": ticket.number, "status": ticket.get_status_display()},
            )
            if request.POST.get("next") == "new":
                return redirect("hotline:create")
            return redirect("hotline:detail", pk=ticket.pk)
    return render(
        request,
        "hotline/intake.html",
        {"form": form, "wide": IntakeForm.WIDE},
    )


# --- the order page and its steps ------------------------------------------------------------


def _actions(
    user: Any,
    ticket: Ticket,
    bound: tuple[str, Any] | None = None,
    dispatch_orgs: list[Org] | None = None,
) -> list[Any]:
    """The steps this user may take on this order now, each with its form (the one that
    failed keeps what was typed and its errors)."""
    dispatch_options = [
        Option(o.code, o.name, o.parent.name if o.parent else "") for o in dispatch_orgs or []
    ]
    out = []
    for name, label in selectors.ticket_actions(user, ticket):
        if name not in services.STEPS:
            continue  # no page step for it (the consultation's answer is given at intake)
        form = bound[1] if bound and bound[0] == name else action_form(name, prefix=name, user=user)
        if "org" in form.fields:
            # the holder's sub-unions offered first (and the only list without JavaScript)
            form.fields["org"].widget.options = dispatch_options
        out.append({"name": name, "label": _(label), "form": form})
    return out


# Other modules' links on an order's page (legal aid: the case it became, or "convert"):
# ``fn(user, ticket) -> {"label", "url", "testid"} | None``; the module appends at start-up.
TICKET_LINKS: list[Callable[[Any, Ticket], dict[str, str] | None]] = []


def _detail(
    request: HttpRequest,
    ticket: Ticket,
    *,
    bound: tuple[str, Any] | None = None,
    error: str = "",
    attach_form: AttachForm | None = None,
    revealed: dict[str, str] | None = None,
) -> HttpResponse:
    user: Any = request.user
    member_url = ""
    if ticket.member_id and can(user, "members.view", ticket.member.org if ticket.member else None):
        member_url = reverse("members:detail", args=[ticket.member_id])
    holder = Org.objects.filter(pk=ticket.holder_id).first()
    dispatch_orgs = list(org_children(user, holder)[:100]) if holder else []
    context = {
        "ticket": ticket,
        "caller_phone": revealed["caller_phone"] if revealed else mask_phone(ticket.caller_phone),
        "revealed": revealed,
        "may_reveal": not revealed
        and bool(ticket.caller_phone)
        and can(user, "hotline.reveal", ticket.receiving_org),
        "member_url": member_url,
        "events": timeline(user, ticket),
        "attachments": list(ticket.attachments.all()),
        "actions": _actions(user, ticket, bound, dispatch_orgs),
        "action_error": error,
        "attach_form": attach_form or (AttachForm() if can(user, HANDLE) else None),
        "links": [link for fn in TICKET_LINKS if (link := fn(user, ticket))],
    }
    return render(request, "hotline/detail.html", context)


@require_GET
@staff_page(VIEW)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.ticket_detail(request.user, pk))


@require_POST
@staff_page(VIEW)
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The caller's full number for the callback, in this response only; audited."""
    user: Any = request.user
    ticket = selectors.access_ticket(user, pk)
    revealed = services.ticket_reveal(actor=user, ticket=ticket)  # Forbidden → 403
    return _detail(request, selectors.ticket_detail(user, pk), revealed=revealed)


@require_POST
@staff_page(VIEW)
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One workflow step from the order page. A refused step shows the page again with the
    service's message (what is allowed instead) and the form as typed."""
    user: Any = request.user
    ticket = selectors.access_ticket(user, pk)
    form = action_form(action, request.POST, prefix=action, user=user)
    if not form.is_valid():
        ticket = selectors.ticket_detail(user, pk)
        return _detail(request, ticket, bound=(action, form), error=_("请检查填写的内容"))
    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    for key, value in data.items():
        if isinstance(value, Decimal):
            data[key] = str(value)
    try:
        ticket = services.ticket_act(actor=user, ticket=ticket, action=action, data=data)
    except ServiceError as exc:
        form_errors(form, exc) if not isinstance(exc, NotFound) else None
        ticket = selectors.ticket_detail(user, pk)
        return _detail(request, ticket, bound=(action, form), error=exc.detail)
    messages.success(request, _("已完成：%(step)s") % {"step": step_label(action)})
    return redirect("hotline:detail", pk=pk)


@require_POST
@staff_page(HANDLE)
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a file to an order on the user's path (a read-only leader cannot)."""
    user: Any = request.user
    ticket = selectors.access_ticket(user, pk)
    form = AttachForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.ticket_attach(
                actor=user, ticket=ticket, upload=form.cleaned_data["attachment"]
            )
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已上传附件"))
            return redirect("hotline:detail", pk=pk)
    ticket = selectors.ticket_detail(user, pk)
    return _detail(request, ticket, error=_("附件未上传"), attach_form=form)


@require_GET
@staff_page(VIEW)
def attachment(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    ticket = selectors.access_ticket(request.user, pk)
    item = ticket.attachments.select_related("stored").filter(pk=file_pk).first()
    if item is None:
        raise Http404()
    try:
        handle = item.open()
    except FileNotFoundError as exc:  # past its retention
        raise Http404() from exc
    response = FileResponse(
        handle, as_attachment=True, filename=item.name, content_type=item.content_type
    )
    response["Cache-Control"] = "no-store"
    return cast(HttpResponse, response)


# --- the provincial transfer sheet ---------------------------------------------------------

PREVIEW_REJECTED = 50


def _import_job(user: Any, pk: int) -> ImportJob:
    """One transfer import the user may open: in their subtree and at an org where they
    file orders; anything else answers 404 like a missing one."""
    job = importing.import_jobs_visible_to(user).filter(pk=pk).first()
    if job is None or not can(user, INTAKE, job.org):
        raise Http404()
    return cast(ImportJob, job)


@staff_page(INTAKE)
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload the provincial transfer sheet: every row filed as an order at once, the same
    provincial number never twice; then the run's result page."""
    user: Any = request.user
    initial = {"org": user.org.code if user.org else ""}
    form = TransferImportForm(request.POST or None, request.FILES or None, initial=initial)
    bind_pickers(form, user)
    if request.method == "POST" and form.is_valid():
        org = _org_in_scope(user, form.cleaned_data["org"])
        if org is None:
            form.add_error("org", _("未找到该工会"))
        else:
            try:
                job = importing.import_job_run(
                    actor=user, org=org, upload=form.cleaned_data["file"]
                )
            except ServiceError as exc:
                form_errors(form, exc)
            else:
                return redirect("hotline:import_job", pk=job.pk)
    jobs = importing.import_jobs_visible_to(user)[:10]
    return render(request, "hotline/import.html", {"form": form, "jobs": jobs})


@require_GET
@staff_page(INTAKE)
def import_template(request: HttpRequest) -> HttpResponse:
    return workbook_download(importing.template, "hotline-transfer-template.xlsx")


@require_GET
@staff_page(INTAKE)
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A run's counts and its first rejected rows (number and reason)."""
    job = _import_job(request.user, pk)
    rejected = []
    if job.errors_file:
        rejected = read_rejected(
            job.errors_file, importing.ALIASES["external_no"], PREVIEW_REJECTED
        )
    return render(request, "hotline/import_job.html", {"job": job, "rejected": rejected})


@require_GET
@staff_page(INTAKE)
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's rejected rows as XLSX, with their row numbers and reasons: fixed, the file
    imports again as it is."""
    return rejected_rows_download(_import_job(request.user, pk), "transfer")


# --- statistics ------------------------------------------------------------------------------


def _figure(key: str, values: dict[str, Any]) -> str:
    """A figure as the work report writes it (``hotline.metrics``): a rate as a percentage
    to two decimals ("—" when nothing to divide by), the wages in 万元."""
    if key in stats.PERCENT_KEYS:
        return as_text(values[f"{key}_percent"])
    if key == "wages_recovered":
        return as_text(values["wages_shown"])
    return str(values[key])


def _breakdown(rows: list[dict[str, Any]], by: str, title: str, col: str) -> Any:
    for r in rows:
        r["on_time"] = as_text(r["on_time_rate_percent"])
        r["satisfaction"] = as_text(r["satisfaction_rate_percent"])
        r["wages"] = as_text(r["wages_shown"])
    return {
        "key": by,
        "title": _(title),
        "column": _(col),
        "rows": rows,
        "chart_id": f"chart-data-{by}",
        "chart": {
            "labels": [str(r["label"]) for r in rows],
            "series": [
                {"name": _("受理"), "data": [r["received"] for r in rows]},
                {"name": _("办结"), "data": [r["closed"] for r in rows]},
                {"name": _("按时办结"), "data": [r["closed_on_time"] for r in rows]},
            ],
        },
    }


def _stats_request(
    request: HttpRequest,
) -> tuple[StatsForm, Org | None, periods.Period, dict[str, Any]]:
    """(form, org, period, picker) of the statistics: the user's org unless the form names
    another, and the period of the query string or the one the user chose last (本年 at
    first, ``core.periods``); an org outside the user's scope or a period beyond the bounds
    is an error on its field."""
    user: Any = request.user
    data = request.GET.copy()
    if not data.get("org") and user.org is not None:
        data["org"] = user.org.code  # the picker shows the user's own org by name
    form = bind_pickers(StatsForm(data), user)
    form.is_valid()
    org: Org | None = user.org
    code = (form.cleaned_data.get("org") or "").strip()
    if code:
        org = _org_in_scope(user, code)
        if org is None:
            form.add_error("org", _("未找到该工会"))
    period = periods.preset(periods.DEFAULT_PRESET)
    if "start" not in form.errors and "end" not in form.errors:
        try:
            period = periods.period_for_page(request, start_field="start", end_field="end")
        except InvalidInput as exc:
            err = exc.errors[0]
            form.add_error(err["field"] if err["field"] in form.fields else None, err["message"])
    picker = periods.picker(
        period,
        start_field="start",
        end_field="end",
        org_field="org",
        org_value=code if code else (org.code if org else ""),
    )
    return form, org, period, picker


@require_GET
@staff_page(STATS)
def stats_page(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form, org, period, picker = _stats_request(request)
    start, end = period.start, period.end
    figures: list[dict[str, Any]] = []
    breakdowns: list[Any] = []
    if org is not None and not form.errors:
        # the figures and the three breakdowns: one aggregate query
        values, by = stats.stats_overview(user, org, start, end)
        figures = [
            {
                "key": k,
                "label": _(label),
                "unit": _(unit),
                "value": _figure(k, values),
                "definition": metrics.get(f"hotline.{k}").definition,
            }
            for k, label, unit in stats.FIGURES
        ]
        breakdowns = [_breakdown(by[b[0]], *b) for b in stats.BREAKDOWN_TITLES]
    context = {
        "form": form,
        "org": org,
        "start": start,
        "end": end,
        "picker": picker,
        "figures": figures,
        "breakdowns": breakdowns,
        "export_query": urlencode(
            {"org": org.code if org else "", "start": start.isoformat(), "end": end.isoformat()}
        ),
    }
    return render(request, "hotline/stats.html", context)


@require_GET
@staff_page(STATS)
def stats_export(request: HttpRequest) -> HttpResponse:
    """The statistics page as an XLSX workbook: the figures, then one sheet per breakdown."""
    user: Any = request.user
    form, org, period, _picker = _stats_request(request)
    start, end = period.start, period.end
    if org is None or form.errors:
        raise Http404()
    values, by = stats.stats_overview(user, org, start, end)
    workbook = exporting.stats_xlsx(org, start, end, values, by)
    response = HttpResponse(workbook, content_type=XLSX_TYPE)
    return download(response, exporting.file_name("stats", "xlsx"))


CATEGORY_LABELS = dict(Category.choices)
