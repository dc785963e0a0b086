"""Pages of collective bargaining: the overview (campaigns, what is due, coverage), a
campaign (its enterprises by step, adding enterprises, the offer letters, the progress
sheet), a thread (its dates and the next step's form), contracts, and the member's request."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.errors import ServiceError
from gonghui.core.roles import Role, can
from gonghui.core.scope import access
from gonghui.core.uploads import UploadRefused, check_archive, limit_rows, remove
from gonghui.core.web import download, form_errors, spreadsheet_download, staff_page
from gonghui.orgs.models import Enterprise, Org

from . import forms, letters, selectors, services
from .models import Card, Contract, LetterBatch, Status, Thread, WorkerRequest
from .workflow import DUE, WORKFLOW

PAGE_SIZE = 50
MAX_CODES = 20000


@staff_page("bargaining.view")
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    form = forms.CampaignForm(request.POST or None)
    may_launch = can(user, "bargaining.launch", user.org)
    if request.method == "POST" and may_launch and form.is_valid():
        try:
            campaign = services.campaign_create(actor=user, org=user.org, data=form.cleaned_data)
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("集中要约行动已发起，可以加入要约企业了。"))
            return redirect(campaign.get_absolute_url())
    threads = selectors.threads_for(user)
    by = request.GET.get("by", "county")
    by = by if by in selectors.COVERAGE_BY else "county"
    return render(
        request,
        "bargaining/home.html",
        {
            "campaigns": selectors.campaigns_for(user)[:20],
            "progress": selectors.progress(threads),
            "statuses": Status.choices,
            "red": threads.open().filter(card=Card.RED).order_by("due_on", "id")[:20],
            "requests": selectors.requests_reached(user)[:20],
            "expiring": selectors.expiring(user, today)[:20],
            "coverage": selectors.coverage(user.org, today, by),
            "coverage_by": by,
            "form": form if may_launch else None,
        },
    )


def _campaign(user: Any, pk: int) -> Any:
    campaign = selectors.campaigns_for(user).filter(pk=pk).first()
    if campaign is None:
        raise Http404()
    return campaign


def _filtered_enterprises(user: Any, form: forms.OfferFilterForm) -> Any:
    qs = selectors.enterprises_in_subtree(user)
    data = form.cleaned_data
    if data.get("industry"):
        qs = qs.filter(industry=data["industry"])
    if data.get("size_class"):
        qs = qs.filter(size_class=data["size_class"])
    if data.get("union") == "yes":
        qs = qs.filter(union__isnull=False)
    elif data.get("union") == "no":
        qs = qs.filter(union__isnull=True)
    if data.get("min_headcount"):
        qs = qs.filter(headcount__gte=data["min_headcount"])
    return qs


@staff_page("bargaining.view")
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = _campaign(user, pk)
    threads = selectors.threads_for(user, item)
    status = request.GET.get("status", "")
    card = request.GET.get("card", "")
    listed = threads
    if status in Status.values:
        listed = listed.filter(status=status)
    if card in (Card.RED, Card.YELLOW):
        listed = listed.open().filter(card=card)
    page = Paginator(listed.order_by("due_on", "enterprise__name", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    may_manage = can(user, "bargaining.manage")
    filter_form = forms.OfferFilterForm(request.GET if "industry" in request.GET else None)
    matching = None
    if filter_form.is_bound and filter_form.is_valid():
        matching = _filtered_enterprises(user, filter_form).count()
    return render(
        request,
        "bargaining/campaign.html",
        {
            "campaign": item,
            "progress": selectors.progress(threads),
            "statuses": Status.choices,
            "page": page,
            "status": status,
            "card": card,
            "may_manage": may_manage,
            "filter_form": filter_form,
            "matching": matching,
            "codes_form": forms.CodesForm(),
            "batches": LetterBatch.objects.filter(campaign=item, org=user.org)[:5],
        },
    )


@require_POST
@staff_page("bargaining.manage")
def campaign_offer(request: HttpRequest, pk: int) -> HttpResponse:
    """Offer every enterprise matching the filters (within the user's subtree)."""
    user: Any = request.user
    item = _campaign(user, pk)
    form = forms.OfferFilterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("筛选条件有误。"))
        return redirect(item.get_absolute_url())
    counts = services.offer(
        actor=user, campaign=item, enterprises=_filtered_enterprises(user, form).iterator()
    )
    messages.success(
        request,
        _("新加入要约企业 %(offered)d 家；已在本次行动中的 %(already)d 家未重复加入。") % counts,
    )
    return redirect(item.get_absolute_url())


def _codes(path: Any) -> list[str]:
    """The credit codes of an uploaded list: the column headed 统一社会信用代码 (or the
    first column)."""
    from gonghui.core.spreadsheets import iter_raw_rows

    rows = limit_rows(iter_raw_rows(path), MAX_CODES + 1)
    header = [str(c or "").strip() for c in next(rows, [])]
    column = next((i for i, h in enumerate(header) if "信用代码" in h), 0)
    codes = []
    if column == 0 and header and len(header[0]) == 18:
        codes.append(header[0])  # no header row: the first row is a code
    for row in rows:
        codes.append(str(row[column] if len(row) > column and row[column] is not None else ""))
    return codes


@require_POST
@staff_page("bargaining.manage")
def campaign_codes(request: HttpRequest, pk: int) -> HttpResponse:
    """Offer the enterprises of an uploaded list of credit codes; list the rows not matched."""
    from gonghui.core.spreadsheets import save_upload

    user: Any = request.user
    item = _campaign(user, pk)
    form = forms.CodesForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择企业名单文件。"))
        return redirect(item.get_absolute_url())
    received = None
    try:
        received = save_upload(form.cleaned_data["file"], prefix="codes-")
        if received.kind == "zip":
            check_archive(received.path)
        codes = _codes(received.path)
    except UploadRefused as exc:
        messages.error(request, str(exc))
        return redirect(item.get_absolute_url())
    except ValueError as exc:
        messages.error(request, _("无法读取该文件：%(why)s") % {"why": exc})
        return redirect(item.get_absolute_url())
    finally:
        if received is not None:
            remove(received.path)
    counts, problems = services.offer_by_codes(actor=user, campaign=item, codes=codes)
    return render(
        request,
        "bargaining/codes_result.html",
        {"campaign": item, "counts": counts, "problems": problems[:500], "more": len(problems)},
    )


@require_POST
@staff_page("bargaining.manage")
def campaign_letters(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the offer letters of the user's enterprises in this campaign: one merged PDF, or
    one PDF per enterprise in a ZIP (``layout=zip``)."""
    from .tasks import letters_job

    user: Any = request.user
    item = _campaign(user, pk)
    layout = "zip" if request.POST.get("layout") == "zip" else "merged"
    batch = letters.batch_request(actor=user, campaign=item, org=user.org, layout=layout)
    letters_job.enqueue(batch.pk)
    messages.success(request, _("要约书正在后台生成，完成后可在本页下载。"))
    return redirect("bargaining:batch", pk=batch.pk)


@staff_page("bargaining.view")
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = access(LetterBatch.objects.select_related("campaign", "file"), user, pk=pk)
    return render(request, "bargaining/batch.html", {"batch": item})


@staff_page("bargaining.view")
def batch_download(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = access(LetterBatch.objects.select_related("file"), user, pk=pk)
    if item.file is None or item.file.purged_at is not None:
        raise Http404()
    try:
        handle = item.file.open()
    except FileNotFoundError as exc:
        raise Http404() from exc
    response = FileResponse(
        handle,
        content_type="application/zip" if item.layout == "zip" else "application/pdf",
        as_attachment=True,
        filename=item.file.name,
    )
    response["Cache-Control"] = "no-store"
    return response  # type: ignore[return-value]


@staff_page("bargaining.view")
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's progress as a spreadsheet: one row per enterprise of the user's subtree."""
    user: Any = request.user
    item = _campaign(user, pk)
    header = [
        _("企业"),
        _("统一社会信用代码"),
        _("所在县区"),
        _("进展"),
        _("要约日期"),
        _("回应日期"),
        _("协商日期"),
        _("协商轮次"),
        _("签订日期"),
        _("当前步骤期限"),
        _("督办"),
    ]
    status_labels = dict(Status.choices)
    card_labels = dict(Card.choices)

    def rows() -> Any:
        for t in selectors.threads_for(user, item).order_by("county__code", "enterprise__name"):
            yield [
                t.enterprise.name,
                t.enterprise.uscc,
                t.county.name,
                status_labels[t.status],
                t.offered_on,
                t.answered_on,
                t.talks_on,
                t.rounds,
                t.signed_on,
                t.due_on,
                card_labels.get(t.card, "") if t.card else "",
            ]

    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    return spreadsheet_download(fmt, _("要约进展"), header, rows(), f"要约进展-{item.year}.{fmt}")


@staff_page("bargaining.view")
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = access(
        Thread.objects.select_related("enterprise", "county", "union", "campaign", "contract"),
        user,
        pk=pk,
    )
    steps = []
    if can(user, "bargaining.manage"):
        steps = [(t, forms.step_form(t.name)) for t in WORKFLOW.allowed(item.status, user.role)]
    clock = DUE.get(item.status)
    return render(
        request,
        "bargaining/thread.html",
        {
            "thread": item,
            "steps": steps,
            "clock": clock,
            "rounds": item.round_notes.all(),
        },
    )


@require_POST
@staff_page("bargaining.manage")
def thread_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    item = access(Thread.objects.select_related("enterprise", "county"), user, pk=pk)
    if action not in forms.STEP_FIELDS:
        raise Http404()
    form = forms.step_form(action, request.POST)
    if form.is_valid():
        try:
            services.thread_act(actor=user, thread=item, action=action, data=form.cleaned_data)
        except ServiceError as exc:
            messages.error(
                request,
                _("%(step)s未完成：%(why)s")
                % {
                    "step": WORKFLOW.get(action).label,
                    "why": "；".join(e["message"] for e in getattr(exc, "errors", []))
                    or exc.detail,
                },
            )
        else:
            messages.success(request, _("已%(step)s。") % {"step": WORKFLOW.get(action).label})
    else:
        messages.error(
            request,
            _("请检查填写的内容：%(errors)s")
            % {
                "errors": "；".join(
                    f"{form.fields[f].label}{e[0]}"
                    for f, e in form.errors.items()
                    if f in form.fields
                )
            },
        )
    return redirect(item.get_absolute_url())


@staff_page("bargaining.view")
def thread_letter(request: HttpRequest, pk: int) -> HttpResponse:
    from gonghui.core.pdf import FontMissing

    user: Any = request.user
    item = access(
        Thread.objects.select_related("enterprise", "county", "union", "campaign"), user, pk=pk
    )
    try:
        data = letters.letter_pdf(item)
    except FontMissing as exc:
        return render(request, "bargaining/font_missing.html", {"message": str(exc)}, status=503)
    return download(HttpResponse(data, content_type="application/pdf"), f"要约书-{item.pk}.pdf")


@staff_page("bargaining.view")
def contracts(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    form = forms.ContractForm(request.POST or None, user=user)
    may_manage = can(user, "bargaining.manage")
    if request.method == "POST" and may_manage and form.is_valid():
        data = dict(form.cleaned_data)
        county_code = data.pop("county") or user.org.code
        county = Org.objects.filter(code=county_code).first() or user.org
        codes = [c.strip().upper() for c in data.pop("enterprises").split() if c.strip()]
        found = list(
            Enterprise.objects.visible_to(user)
            .filter(uscc__in=codes)
            .select_related("county", "union")
        )
        missing = sorted(set(codes) - {e.uscc for e in found})
        if missing:
            form.add_error(
                "enterprises",
                _("本单位范围内找不到：%(codes)s") % {"codes": "、".join(missing[:20])},
            )
        else:
            try:
                contract = services.contract_record(
                    actor=user, county=county, data=data, enterprises=found
                )
            except ServiceError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("集体合同已登记。"))
                return redirect(contract.get_absolute_url())
    qs = Contract.objects.visible_to(user).select_related("county").order_by("ends_on", "id")
    show = request.GET.get("show", "in_force")
    if show == "in_force":
        qs = qs.in_force(today)
    elif show == "expiring":
        qs = qs.expiring(today)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "bargaining/contracts.html",
        {
            "page": page,
            "show": show,
            "form": form if may_manage else None,
            "file_form": forms.ContractsFileForm() if may_manage else None,
            "today": today,
        },
    )


@staff_page("bargaining.manage")
def contracts_template(request: HttpRequest) -> HttpResponse:
    """The ledger template: one row per contract, the columns the import reads."""
    import io

    from gonghui.core.spreadsheets import XLSX_TYPE

    from . import importing

    buffer = io.BytesIO()
    importing.template(buffer)
    return download(
        HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), "集体合同台账模板.xlsx"
    )


@require_POST
@staff_page("bargaining.manage")
def contracts_import(request: HttpRequest) -> HttpResponse:
    """Contracts signed on paper, from the county's ledger: saved row by row, the rows not saved
    listed with their row number and reason."""
    from gonghui.core.spreadsheets import save_upload

    from . import importing

    user: Any = request.user
    form = forms.ContractsFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择集体合同台账文件。"))
        return redirect("bargaining:contracts")
    received = None
    try:
        received = save_upload(form.cleaned_data["file"], prefix="contracts-")
        if received.kind == "zip":
            check_archive(received.path)
        outcome = importing.import_file(actor=user, path=received.path, file_name=received.name)
    except UploadRefused as exc:  # the guard's refusals and an unusable sheet alike
        messages.error(request, str(exc))
        return redirect("bargaining:contracts")
    except ValueError as exc:
        messages.error(request, _("无法读取该文件：%(why)s") % {"why": exc})
        return redirect("bargaining:contracts")
    finally:
        if received is not None:
            remove(received.path)
    return render(
        request,
        "bargaining/contracts_result.html",
        {"outcome": outcome, "problems": outcome.rejected[:500]},
    )


@staff_page("bargaining.view")
def contract(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = access(Contract.objects.select_related("county", "union"), user, pk=pk)
    return render(
        request,
        "bargaining/contract.html",
        {
            "contract": item,
            "enterprises": item.enterprises.select_related("county")[:200],
            "count": item.enterprises.count(),
            "today": timezone.localdate(),
        },
    )


# --- the member's request ---------------------------------------------------------------------


@login_required
def member_request(request: HttpRequest) -> HttpResponse:
    """A member asks for collective bargaining at their employer (a fifth of the workers
    signing puts the union on notice). Members only; they see their employer's count, never
    who signed."""
    from gonghui.members.models import Member

    user: Any = request.user
    if user.role != Role.MEMBER:
        raise Http404()
    member = Member.objects.visible_to(user).select_related("employer").first()
    if request.method == "POST" and member is not None:
        try:
            services.request_sign(member=member)
        except ServiceError as exc:
            errors = getattr(exc, "errors", None)
            messages.error(request, errors[0]["message"] if errors else exc.detail)
        else:
            messages.success(request, _("您的签名已记录。"))
        return redirect("bargaining:request")
    req = None
    signed = False
    if member is not None and member.employer_id:
        req = (
            WorkerRequest.objects.filter(enterprise_id=member.employer_id, thread__isnull=True)
            .order_by("-opened_on")
            .first()
        )
        signed = bool(req and req.signers.filter(pk=member.pk).exists())
    return render(
        request,
        "bargaining/request.html",
        {
            "member": member,
            "req": req,
            "signed": signed,
            "count": req.signers.count() if req else 0,
        },
    )
