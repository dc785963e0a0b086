"""Pages of honours and competitions: thin — a selector or a service, then a template.

A refused step (a service's 403/409/422) comes back to the record's page with the service's
message; out-of-scope records are 404 like missing ones (``staff_page``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.errors import Forbidden, ServiceError
from gonghui.core.pdf import FontMissing
from gonghui.core.roles import Role, can
from gonghui.core.throttle import client_address
from gonghui.core.web import download, form_errors, spreadsheet_download, staff_page
from gonghui.orgs.models import Org

from . import documents, selectors, services
from .forms import (
    AllotForm,
    CompetitionForm,
    CompetitionNominateForm,
    IndicatorForm,
    MaterialForm,
    ModelWorkerBenefitForm,
    ModelWorkerCheckForm,
    ModelWorkerForm,
    NominationForm,
    PhaseForm,
    ReasonForm,
    RoundForm,
    UnitForm,
    UnitScoreForm,
    VettingForm,
    VisitForm,
    score_form,
)
from .models import AwardKind, NominationStatus, Round, RoundStatus
from .workflow import ROUND

VIEW = "honors.view"
PAGE = 50


def _refused(request: HttpRequest, exc: ServiceError) -> None:
    """A refused step: a role or org that may not take it gets 403 (``staff_page``), any
    other refusal comes back to the record's page with the service's message."""
    if isinstance(exc, Forbidden):
        raise exc
    messages.error(request, exc.detail)


# --- rounds ----------------------------------------------------------------------------------


@staff_page(VIEW)
def rounds(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    qs = selectors.rounds_visible_to(user)
    status = request.GET.get("status", "")[:20]
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "honors/rounds.html",
        {
            "page": page,
            "statuses": RoundStatus.choices,
            "status": status,
            "can_manage": can(user, "honors.manage"),
            "waiting": selectors.waiting_for(user),
        },
    )


@staff_page("honors.manage")
def round_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = RoundForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            round = services.round_create(
                actor=user,
                org=user.org,
                award=d["award"],
                title=d["title"],
                year=d["year"],
                places=d["places"],
                opens_on=d["opens_on"],
                closes_on=d["closes_on"],
                criteria=d["criteria"],
                quota_rules=form.quota_rules(),
                scoring=form.scoring_rules(),
                drop_extremes=d["drop_extremes"],
                vote_enabled=d["vote_enabled"],
                vote_daily_limit=d["vote_daily_limit"],
                results_live=d["results_live"],
                notice_days=d["notice_days"],
            )
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已发起评选"))
            return redirect("honors:round", pk=round.pk)
    return render(request, "honors/round_form.html", {"form": form})


def _steps(user: Any, round: Round) -> list[Any]:
    if not can(user, "honors.manage", round.org):
        return []
    steps = ROUND.allowed(round.status, user.role)
    if not round.vote_enabled:
        steps = [s for s in steps if s.name != "vote"]
    if not round.scoring:
        steps = [s for s in steps if s.name != "score"]
    return steps


@staff_page(VIEW)
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    round = selectors.access_round(user, pk)
    noms = list(selectors.round_nominations(user, round))
    # the quota check of the user's own list (a county's), or of the whole round
    mine = user.org if user.org and user.org.path.startswith(round.org.path) else round.org
    allot_form = AllotForm()
    from gonghui.core.pickers import bind_pickers

    bind_pickers(allot_form, user)
    results = selectors.vote_counts(round) if round.vote_enabled else []
    return render(
        request,
        "honors/round.html",
        {
            "round": round,
            "nominations": noms,
            "allotments": selectors.allotments(round),
            "quota": services.quota_report(round, mine),
            "quota_org": mine,
            "steps": _steps(user, round),
            "can_manage": can(user, "honors.manage", round.org),
            "can_score": can(user, "honors.score", round.org),
            "can_nominate": round.status == RoundStatus.NOMINATING
            and can(user, "honors.nominate", user.org),
            "allot_form": allot_form,
            "results": results,
            "named": round.status == RoundStatus.NAMED,
        },
    )


@require_POST
@staff_page(VIEW)
def round_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    user: Any = request.user
    round = selectors.access_round(user, pk)
    try:
        services.round_step(actor=user, round=round, step=step[:20])
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已完成：%(s)s") % {"s": ROUND.get(step).label})
    return redirect("honors:round", pk=pk)


@require_POST
@staff_page("honors.manage")
def round_allot(request: HttpRequest, pk: int) -> HttpResponse:
    from gonghui.core.pickers import bind_pickers

    user: Any = request.user
    round = selectors.access_round(user, pk)
    if not can(user, "honors.manage", round.org):
        raise Forbidden(_("无权办理本次评选"))
    form = bind_pickers(AllotForm(request.POST), user)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("honors:round", pk=pk)
    org = Org.objects.get(code=form.cleaned_data["org"])
    try:
        services.round_allot(actor=user, round=round, org=org, places=form.cleaned_data["places"])
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已分配名额"))
    return redirect("honors:round", pk=pk)


@staff_page("honors.nominate")
def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    from gonghui.core.pickers import bind_pickers
    from gonghui.members.selectors import members_visible_to

    user: Any = request.user
    round = selectors.access_round(user, pk)
    form = bind_pickers(NominationForm(request.POST or None, request.FILES or None), user)
    individual = round.award.kind == AwardKind.INDIVIDUAL
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member = enterprise = None
        if individual and d["member"]:
            member = members_visible_to(user).filter(pk=d["member"]).first()
        if not individual and d["enterprise"]:
            enterprise = selectors.enterprises_for(user).filter(pk=d["enterprise"]).first()
        try:
            nom = services.nomination_create(
                actor=user,
                round=round,
                org=user.org,
                member=member,
                enterprise=enterprise,
                team=d["team"],
                tags=d["tags"],
                deeds=d["deeds"],
            )
            if d.get("material"):
                services.nomination_attach(actor=user, nomination=nom, upload=d["material"])
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已推荐"))
            return redirect("honors:nomination", pk=nom.pk)
    if individual:
        form.fields.pop("enterprise")
        form.fields.pop("team")
    else:
        form.fields.pop("member")
        if round.award.kind != AwardKind.TEAM:
            form.fields.pop("team")
    return render(request, "honors/nominate.html", {"round": round, "form": form})


@require_POST
@staff_page(VIEW)
def round_import(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    """Vetting answers (managers) or the user's own expert scores, from a spreadsheet: every
    row answered, the refused ones listed with their row number and reason."""
    from . import importing

    user: Any = request.user
    round = selectors.access_round(user, pk)
    upload = MaterialForm(request.POST, request.FILES)
    perms = {"vettings": "honors.manage", "scores": "honors.score", "nominees": "honors.nominate"}
    if what not in perms:
        raise Http404()
    target = user.org if what == "nominees" else round.org
    if target is None or not can(user, perms[what], target):
        raise Forbidden(_("无权办理本次评选"))
    if not upload.is_valid():
        messages.error(request, _("请选择要导入的文件"))
        return redirect("honors:round", pk=pk)
    fn = {
        "vettings": importing.import_vettings,
        "scores": importing.import_scores,
        "nominees": importing.import_nominees,
    }[what]
    try:
        result = fn(actor=user, round=round, upload=upload.cleaned_data["material"])
    except ServiceError as exc:
        _refused(request, exc)
        return redirect("honors:round", pk=pk)
    if what == "nominees":
        if result.rejected:
            messages.error(
                request,
                _("共%(rows)d行，%(bad)d行有误，全部未导入；请改正后重新导入")
                % {"rows": result.rows, "bad": len(result.rejected)},
            )
        else:
            messages.success(
                request,
                _("共%(rows)d行：新推荐%(c)d个，已推荐过%(n)d个")
                % {
                    "rows": result.rows,
                    "c": result.outcomes.get("created", 0),
                    "n": result.outcomes.get("unchanged", 0),
                },
            )
        for item in result.rejected[:20]:
            messages.error(request, _("第%(row)d行：%(reason)s") % item)
        for line in result.quota:
            messages.info(request, line)
        return redirect("honors:round", pk=pk)
    messages.success(
        request,
        _("共%(rows)d行，导入%(ok)d行，未导入%(bad)d行")
        % {"rows": result.rows, "ok": result.imported, "bad": len(result.rejected)},
    )
    for item in result.rejected[:20]:
        messages.error(request, _("第%(row)d行：%(reason)s") % item)
    return redirect("honors:round", pk=pk)


@staff_page(VIEW)
def nominees_export(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    round = selectors.access_round(user, pk)
    rows = documents.nominee_rows(selectors.round_nominations(user, round), reveal=True)
    return spreadsheet_download(
        "xlsx", "推荐对象", documents.NOMINEE_HEADER, rows, f"推荐对象-{round.pk}.xlsx"
    )


@staff_page(VIEW)
def certificates(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    round = selectors.access_round(user, pk)
    honours = selectors.honours_visible_to(user).filter(round=round).order_by("certificate_no")
    try:
        data = documents.certificates(honours)
    except FontMissing as exc:
        messages.error(request, str(exc))
        return redirect("honors:round", pk=pk)
    return download(HttpResponse(data, content_type="application/pdf"), f"荣誉证书-{round.pk}.pdf")


# --- nominations -----------------------------------------------------------------------------


@staff_page(VIEW)
def nomination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from gonghui.core import notices

    user: Any = request.user
    nom = selectors.access_nomination(user, pk)
    round = nom.round
    manage = can(user, "honors.manage", round.org)
    live = nom.status in (NominationStatus.PROPOSED, NominationStatus.SELECTED)
    return render(
        request,
        "honors/nomination.html",
        {
            "nom": nom,
            "round": round,
            "vettings": list(nom.vettings.all()),
            "scores": list(nom.scores.select_related("expert")),
            "visits": list(nom.visits.all()),
            "files": list(nom.files.select_related("file")),
            "notice": notices.notice_of(nom),
            "outcome": notices.outcome(nom),
            "can_select": live
            and nom.status == NominationStatus.PROPOSED
            and round.status == RoundStatus.NOMINATING,
            "can_withdraw": live and can(user, "honors.nominate", nom.org),
            "can_manage": manage and live,
            "vet_form": VettingForm() if manage and live else None,
            "visit_form": VisitForm() if manage and live else None,
            "score_form": score_form(round.scoring)
            if round.status == RoundStatus.SCORING
            and can(user, "honors.score", round.org)
            and nom.status == NominationStatus.SELECTED
            else None,
            "material_form": MaterialForm()
            if live and can(user, "honors.nominate", nom.org)
            else None,
        },
    )


@require_POST
@staff_page(VIEW)
def nomination_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    nom = selectors.access_nomination(user, pk)
    try:
        if action == "select":
            services.nomination_select(actor=user, nomination=nom)
        elif action in ("withdraw", "stop"):
            form = ReasonForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            fn = services.nomination_withdraw if action == "withdraw" else services.nomination_stop
            fn(actor=user, nomination=nom, reason=reason)
        elif action == "vet":
            vet = VettingForm(request.POST)
            if not vet.is_valid():
                raise _invalid(vet)
            services.vetting_record(actor=user, nomination=nom, **vet.cleaned_data)
        elif action == "visit":
            visit = VisitForm(request.POST)
            if not visit.is_valid():
                raise _invalid(visit)
            services.site_visit_record(actor=user, nomination=nom, **visit.cleaned_data)
        elif action == "score":
            marks = score_form(nom.round.scoring, request.POST)
            if not marks.is_valid():
                raise _invalid(marks)
            services.score_submit(actor=user, nomination=nom, marks=marks.cleaned_data)
        elif action == "attach":
            material = MaterialForm(request.POST, request.FILES)
            if not material.is_valid():
                raise _invalid(material)
            services.nomination_attach(
                actor=user, nomination=nom, upload=material.cleaned_data["material"]
            )
        else:
            raise Http404()
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已保存"))
    return redirect("honors:nomination", pk=pk)


def _invalid(form: Any) -> ServiceError:
    from gonghui.core.errors import InvalidInput

    return InvalidInput(
        [{"field": f, "message": str(m)} for f, errs in form.errors.items() for m in errs],
        detail="；".join(
            f"{form.fields[f].label if f in form.fields else ''}：{m}"
            for f, errs in form.errors.items()
            for m in errs
        ),
    )


@staff_page(VIEW)
def material(request: HttpRequest, pk: int, file_pk: int) -> Any:
    from django.http import FileResponse

    user: Any = request.user
    nom = selectors.access_nomination(user, pk)
    item = nom.files.select_related("file").filter(pk=file_pk).first()
    if item is None:
        raise Http404()
    try:
        handle = item.file.open()
    except FileNotFoundError as exc:
        raise Http404() from exc
    response = FileResponse(handle, as_attachment=True, filename=item.file.name)
    return response


# --- the honour roll ---------------------------------------------------------------------------


@staff_page(VIEW)
def roll(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    qs = selectors.honours_visible_to(user)
    award = request.GET.get("award", "")[:32]
    if award:
        qs = qs.filter(award__code=award)
    if request.GET.get("format") == "xlsx":
        return spreadsheet_download(
            "xlsx",
            "荣誉榜",
            documents.ROLL_HEADER,
            documents.roll_rows(qs.iterator()),
            "荣誉榜.xlsx",
        )
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "honors/roll.html",
        {"page": page, "award": award, "awards": selectors.awards()},
    )


# --- the model workers' register (劳模库) -----------------------------------------------------


@staff_page(VIEW)
def model_workers(request: HttpRequest) -> HttpResponse:
    """The register of the user's subtree: search, filters, the XLSX export (the same columns
    the import reads) and, for managers, the import."""
    from .models import ModelWorkerLevel, ModelWorkerStatus

    user: Any = request.user
    q = request.GET.get("q", "")[:50]
    status = request.GET.get("status", "")[:12]
    level = request.GET.get("level", "")[:12]
    qs = selectors.model_worker_search(user, q=q, status=status, level=level)
    if request.GET.get("format") == "xlsx":
        return spreadsheet_download(
            "xlsx",
            "劳模库",
            documents.MODEL_WORKER_HEADER,
            documents.model_worker_rows(qs.prefetch_related("checks")),
            "劳模库.xlsx",
        )
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "honors/model_workers.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "level": level,
            "statuses": ModelWorkerStatus.choices,
            "levels": ModelWorkerLevel.choices,
            "can_manage": can(user, "honors.manage"),
            "import_form": MaterialForm() if can(user, "honors.manage") else None,
        },
    )


@staff_page("honors.manage")
def model_worker_new(request: HttpRequest) -> HttpResponse:
    from gonghui.core.pickers import bind_pickers
    from gonghui.members.selectors import members_visible_to

    user: Any = request.user
    form = bind_pickers(ModelWorkerForm(request.POST or None, initial={"status": "active"}), user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member = members_visible_to(user).filter(pk=d["member"]).first() if d["member"] else None
        try:
            worker, _outcome = services.model_worker_save(
                actor=user,
                org=member.org if member else user.org,
                name=d["name"],
                title=d["title"],
                level=d["level"],
                year=d["year"],
                employer=d["employer"],
                sex=d["sex"],
                allowance=d["allowance"] or 0,
                status=d["status"],
                note=d["note"],
                member=member,
            )
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("honors:model_worker", pk=worker.pk)
    return render(request, "honors/model_worker_form.html", {"form": form})


@require_POST
@staff_page("honors.manage")
def model_workers_import(request: HttpRequest) -> HttpResponse:
    from . import importing

    user: Any = request.user
    upload = MaterialForm(request.POST, request.FILES)
    if not upload.is_valid():
        messages.error(request, _("请选择要导入的文件"))
        return redirect("honors:model_workers")
    try:
        result = importing.import_model_workers(actor=user, upload=upload.cleaned_data["material"])
    except ServiceError as exc:
        _refused(request, exc)
        return redirect("honors:model_workers")
    done = result.outcomes
    messages.success(
        request,
        _("共%(rows)d行：新增%(c)d行，更新%(u)d行，无变化%(n)d行，未导入%(bad)d行")
        % {
            "rows": result.rows,
            "c": done.get("created", 0),
            "u": done.get("updated", 0),
            "n": done.get("unchanged", 0),
            "bad": len(result.rejected),
        },
    )
    for item in result.rejected[:20]:
        messages.error(request, _("第%(row)d行：%(reason)s") % item)
    return redirect("honors:model_workers")


@staff_page(VIEW)
def model_worker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from django.db.models import Sum

    from .models import ModelWorkerStatus

    user: Any = request.user
    worker = selectors.access_model_worker(user, pk)
    manage = can(user, "honors.manage", worker.org) and worker.status == ModelWorkerStatus.ACTIVE
    today = timezone.localdate()
    benefits = list(worker.benefits.all())
    return render(
        request,
        "honors/model_worker.html",
        {
            "worker": worker,
            "checks": list(worker.checks.all()),
            "benefits": benefits,
            "total": worker.benefits.aggregate(t=Sum("amount"))["t"] or 0,
            "check_form": ModelWorkerCheckForm(
                initial={"year": today.year, "checked_on": today, "result": "normal"}
            )
            if manage
            else None,
            "benefit_form": ModelWorkerBenefitForm(initial={"granted_on": today})
            if manage
            else None,
        },
    )


@require_POST
@staff_page("honors.manage")
def model_worker_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    worker = selectors.access_model_worker(user, pk)
    try:
        if action == "check":
            check = ModelWorkerCheckForm(request.POST)
            if not check.is_valid():
                raise _invalid(check)
            services.model_worker_check(actor=user, worker=worker, **check.cleaned_data)
        elif action == "benefit":
            benefit = ModelWorkerBenefitForm(request.POST)
            if not benefit.is_valid():
                raise _invalid(benefit)
            services.model_worker_benefit(actor=user, worker=worker, **benefit.cleaned_data)
        else:
            raise Http404()
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已保存"))
    return redirect("honors:model_worker", pk=pk)


# --- competitions ----------------------------------------------------------------------------


@staff_page(VIEW)
def competitions(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = CompetitionForm(request.POST or None) if can(user, "honors.manage") else None
    if request.method == "POST":
        if form is None:
            raise Forbidden(_("无权发起劳动竞赛"))
        if form.is_valid():
            d = form.cleaned_data
            try:
                comp = services.competition_create(
                    actor=user,
                    org=user.org,
                    title=d["title"],
                    project=d["project"],
                    starts_on=d["starts_on"],
                    ends_on=d["ends_on"],
                    indicators=[x for x in d["indicators"].splitlines() if x.strip()],
                    description=d["description"],
                )
            except ServiceError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("已发起劳动竞赛"))
                return redirect("honors:competition", pk=comp.pk)
    page = Paginator(selectors.competitions_visible_to(user), PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "honors/competitions.html", {"page": page, "form": form})


@staff_page(VIEW)
def competition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The competition: its phases, indicators, units, the ranking from the scores and, for
    its managers, the forms to add phases and indicators, import scores and nominate the top
    of the ranking into an open round."""
    from gonghui.core.pickers import bind_pickers

    user: Any = request.user
    comp = selectors.access_competition(user, pk)
    manage = can(user, "honors.manage", comp.org)
    ranking = selectors.competition_ranking(comp)
    editable = manage and comp.status != "finished"
    rounds = list(selectors.open_rounds_for_competition(user, comp)) if manage else []
    return render(
        request,
        "honors/competition.html",
        {
            "comp": comp,
            "units": list(comp.units.select_related("enterprise")),
            "ranking": ranking,
            "scored": any(r.total is not None for r in ranking.rows),
            "manage": manage,
            "editable": editable,
            "unit_form": bind_pickers(UnitForm(), user) if editable else None,
            "phase_form": PhaseForm() if editable else None,
            "indicator_form": IndicatorForm(initial={"unit": "分"}) if editable else None,
            "import_form": MaterialForm() if manage and comp.status == "running" else None,
            "rounds": rounds,
        },
    )


@staff_page(VIEW)
def competition_scores(request: HttpRequest, pk: int) -> HttpResponse:
    """The score grid of one phase: a row per unit, a column per indicator; saved as one
    whole (any cell refused refuses the lot, naming the cell); a cleared cell removes its
    score."""
    from decimal import Decimal, InvalidOperation

    from gonghui.core.errors import InvalidInput

    user: Any = request.user
    comp = selectors.access_competition(user, pk)
    phases = list(comp.phases.all())
    phase = next((p for p in phases if str(p.pk) == request.GET.get("phase", "")[:12]), None)
    phase = phase or (phases[0] if phases else None)
    ranking = selectors.competition_ranking(comp)
    units = list(comp.units.select_related("enterprise").order_by("id"))
    manage = can(user, "honors.manage", comp.org) and comp.status == "running"
    typed: dict[str, str] = {}
    if request.method == "POST":
        if not can(user, "honors.manage", comp.org):
            raise Forbidden(_("无权办理本次竞赛"))
        if phase is None:
            raise Http404()
        entries = []
        bad: list[dict[str, str]] = []
        for unit in units:
            for ind in ranking.indicators:
                name = f"s-{unit.pk}-{ind.pk}"
                raw = request.POST.get(name, "").strip()[:20]
                typed[name] = raw
                label = f"{unit.name}·{ind.name}"
                try:
                    value = Decimal(raw) if raw else None
                except InvalidOperation:
                    bad.append({"field": label, "message": _("得分应为数字")})
                    continue
                entries.append(
                    services.ScoreEntry(
                        unit=unit, indicator=ind, phase=phase, score=value, label=label
                    )
                )
        try:
            if bad:
                raise InvalidInput(
                    bad, detail="；".join(f"{e['field']}：{e['message']}" for e in bad)
                )
            done = services.competition_scores_save(
                actor=user, competition=comp, entries=entries, source=phase.name
            )
        except ServiceError as exc:
            _refused(request, exc)
        else:
            messages.success(
                request,
                _("已保存：新增%(c)d项，修改%(u)d项，清除%(x)d项")
                % {"c": done["created"], "u": done["updated"], "x": done["cleared"]},
            )
            return redirect(
                f"{reverse('honors:competition_scores', args=[comp.pk])}?phase={phase.pk}"
            )
    cells = ranking.cells.get(phase.pk, {}) if phase else {}
    grid = [
        (
            unit,
            [
                (
                    ind,
                    f"s-{unit.pk}-{ind.pk}",
                    typed.get(f"s-{unit.pk}-{ind.pk}")
                    if typed
                    else (cells.get((unit.pk, ind.pk)) or ""),
                )
                for ind in ranking.indicators
            ],
        )
        for unit in units
    ]
    return render(
        request,
        "honors/competition_scores.html",
        {
            "comp": comp,
            "phases": phases,
            "phase": phase,
            "indicators": ranking.indicators,
            "grid": grid,
            "manage": manage,
        },
    )


@require_POST
@staff_page("honors.manage")
def competition_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    from gonghui.core.pickers import bind_pickers

    user: Any = request.user
    comp = selectors.access_competition(user, pk)
    try:
        if action in ("start", "finish"):
            services.competition_step(actor=user, competition=comp, step=action)
        elif action == "join":
            form = bind_pickers(UnitForm(request.POST), user)
            if not form.is_valid():
                raise _invalid(form)
            enterprise = selectors.enterprises_for(user).get(pk=form.cleaned_data["enterprise"])
            services.competition_join(
                actor=user, competition=comp, enterprise=enterprise, team=form.cleaned_data["team"]
            )
        elif action == "score":
            score = UnitScoreForm(request.POST)
            if not score.is_valid():
                raise _invalid(score)
            unit = comp.units.filter(pk=score.cleaned_data["unit"]).first()
            if unit is None:
                raise Http404()
            services.competition_score(
                actor=user,
                unit=unit,
                score=score.cleaned_data["score"],
                result=score.cleaned_data["result"],
            )
        elif action == "phase":
            phase = PhaseForm(request.POST)
            if not phase.is_valid():
                raise _invalid(phase)
            services.competition_phase_save(actor=user, competition=comp, **phase.cleaned_data)
        elif action == "indicator":
            indicator = IndicatorForm(request.POST)
            if not indicator.is_valid():
                raise _invalid(indicator)
            services.competition_indicator_save(
                actor=user, competition=comp, **indicator.cleaned_data
            )
        elif action == "import":
            return _competition_import(request, comp)
        elif action == "nominate":
            return _competition_nominate(request, comp)
        else:
            raise Http404()
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已保存"))
    return redirect("honors:competition", pk=pk)


def _competition_import(request: HttpRequest, comp: Any) -> HttpResponse:
    from . import importing

    user: Any = request.user
    upload = MaterialForm(request.POST, request.FILES)
    if not upload.is_valid():
        messages.error(request, _("请选择要导入的文件"))
        return redirect("honors:competition", pk=comp.pk)
    try:
        result = importing.import_competition_scores(
            actor=user, competition=comp, upload=upload.cleaned_data["material"]
        )
    except ServiceError as exc:
        _refused(request, exc)
        return redirect("honors:competition", pk=comp.pk)
    if result.rejected:
        messages.error(
            request,
            _("共%(rows)d行，%(bad)d行有误，全部未导入；请改正后重新导入")
            % {"rows": result.rows, "bad": len(result.rejected)},
        )
        for item in result.rejected[:20]:
            messages.error(request, _("第%(row)d行：%(reason)s") % item)
    else:
        done = result.outcomes
        messages.success(
            request,
            _("共%(rows)d行：新增%(c)d项，修改%(u)d项，无变化%(n)d项")
            % {
                "rows": result.rows,
                "c": done.get("created", 0),
                "u": done.get("updated", 0),
                "n": done.get("unchanged", 0),
            },
        )
    return redirect("honors:competition", pk=comp.pk)


def _competition_nominate(request: HttpRequest, comp: Any) -> HttpResponse:
    user: Any = request.user
    form = CompetitionNominateForm(request.POST)
    form.fields["units"].choices = [  # type: ignore[attr-defined]
        (u.pk, u.pk) for u in comp.units.all()
    ]
    if not form.is_valid():
        messages.error(request, _("请选择评选和要推荐的参赛单位"))
        return redirect("honors:competition", pk=comp.pk)
    round = (
        selectors.open_rounds_for_competition(user, comp)
        .filter(pk=form.cleaned_data["round"])
        .first()
    )
    if round is None:
        raise Http404()
    units = list(comp.units.filter(pk__in=form.cleaned_data["units"]))
    try:
        made = services.competition_nominate(
            actor=user,
            competition=comp,
            round=round,
            units=units,
            select=form.cleaned_data["select"],
        )
    except ServiceError as exc:
        _refused(request, exc)
        return redirect("honors:competition", pk=comp.pk)
    messages.success(
        request,
        _("已推荐%(n)d个到%(round)s") % {"n": len(made), "round": round.title},
    )
    for result in services.quota_report(round, comp.org):
        (messages.success if result.ok else messages.warning)(request, result.message)
    return redirect("honors:round", pk=round.pk)


# --- the member portal: vote and my honours -------------------------------------------------


def _member(request: HttpRequest) -> Any:
    user: Any = request.user
    if user.role != Role.MEMBER:
        raise Http404()
    return user


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    """Rounds open to vote among the unions above the member's, their candidates, the live
    count where the round publishes it, the member's own vote, and their honours."""
    from .models import Nomination, Vote

    user = _member(request)
    member = selectors.member_of(user)
    open_rounds = []
    for round in selectors.rounds_visible_to(user):
        mine = Vote.objects.filter(round=round, member=member).first() if member else None
        candidates = (
            Nomination.objects.filter(round=round, status=NominationStatus.SELECTED)
            .select_related("org")
            .order_by("org__code", "id")
        )
        counts = (
            {r["id"]: r["votes"] for r in selectors.vote_counts(round)}
            if round.results_live
            else {}
        )
        open_rounds.append(
            {
                "round": round,
                "voted": mine,
                "candidates": [(c, counts.get(c.pk)) for c in candidates],
            }
        )
    return render(
        request,
        "honors/portal.html",
        {
            "rounds": open_rounds,
            "honours": list(selectors.honours_visible_to(user)),
            "verified": member is not None,
        },
    )


@require_POST
@login_required
def portal_vote(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    try:
        round = selectors.access_round(user, pk)
        services.vote_cast(
            actor=user,
            round=round,
            nomination_id=request.POST.get("nomination", "")[:20],
            address=client_address(request),
        )
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404() from exc
        messages.error(request, exc.detail)
        return redirect("honors_portal:list")
    messages.success(request, _("投票成功，感谢参与"))
    return redirect("honors_portal:list")
