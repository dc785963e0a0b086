"""Pages of governance: committees and their seats, a plenary from its preparation to its
signed minutes (roll, agenda, tellers and scrutineers, attendance with the live quorum,
motions, elections with their rounds), the PDFs, and the member's phone pages (meetings to
attend, the QR check-in, the secret vote). Thin: selectors read in scope, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.errors import NotFound, ServiceError
from gonghui.core.masking import mask_name
from gonghui.core.pdf import FontMissing
from gonghui.core.pickers import bind_pickers
from gonghui.core.roles import Role, can
from gonghui.core.web import download, form_errors, staff_page
from gonghui.orgs.selectors import access_org

from . import counting, forms, minutes, selectors, services
from .models import (
    Committee,
    ElectionStatus,
    ItemKind,
    MeetingStatus,
    RoundStatus,
    Seat,
)
from .workflow import ELECTION, MEETING

VIEW = "governance.view"
MANAGE = "governance.manage"


def _manager(request: HttpRequest, org: Any) -> bool:
    return can(request.user, MANAGE, org)


def _fail(request: HttpRequest, exc: ServiceError) -> None:
    messages.error(request, exc.detail)


def _pdf(data: bytes, name: str) -> HttpResponse:
    return download(HttpResponse(data, content_type="application/pdf"), name)


# --- index, committees ---------------------------------------------------------------------------


@staff_page(VIEW)
def index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    committees = list(
        selectors.committees_visible_to(user)
        .filter(active=True)
        .order_by("org__path", "kind")[:100]
    )
    due = list(selectors.terms_due(user, today)[:50])
    meetings = list(selectors.meetings_visible_to(user).order_by("-held_on", "-id")[:30])
    return render(
        request,
        "governance/index.html",
        {
            "committees": committees,
            "due": due,
            "meetings": meetings,
            "today": today,
            "can_manage": can(user, MANAGE),
        },
    )


@staff_page(MANAGE)
def committee_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = bind_pickers(
        forms.CommitteeForm(request.POST or None, initial={"org": user.org.code}), user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            committee = services.committee_create(
                actor=user,
                org=access_org(user, data["org"]),
                kind=data["kind"],
                term_number=data["term_number"],
                term_start=data["term_start"],
                term_end=data["term_end"],
                seats=data["seats"],
            )
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            return redirect(committee.get_absolute_url())
    return render(request, "governance/form.html", {"form": form, "title": _("新建委员会")})


@staff_page(VIEW)
def committee(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    obj = selectors.access_committee(user, pk)
    seats = list(selectors.seats_of(obj))
    return render(
        request,
        "governance/committee.html",
        {
            "committee": obj,
            "seats": seats,
            "changes": list(selectors.changes_of(obj)[:200]),
            "meetings": list(obj.meetings.order_by("-held_on")[:20]),
            "can_manage": _manager(request, obj.org),
            "seat_form": bind_pickers(
                forms.SeatForm(initial={"since": timezone.localdate()}), user
            ),
            "end_form": forms.SeatEndForm(initial={"on": timezone.localdate()}),
            "card": "red"
            if obj.term_end < timezone.localdate()
            else (
                "yellow"
                if (obj.term_end - timezone.localdate()).days <= selectors.TERM_WARNING_DAYS
                else ""
            ),
        },
    )


@require_POST
@staff_page(MANAGE)
def seat_new(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    obj = selectors.access_committee(user, pk)
    form = bind_pickers(forms.SeatForm(request.POST), user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.seat_add(
                actor=user,
                committee=obj,
                person_name=data["person_name"],
                position=data["position"],
                since=data["since"],
                kind=data["kind"],
                member_id=int(data["member"]) if data.get("member") else None,
            )
            messages.success(request, _("已任职：%(n)s") % {"n": data["person_name"]})
        except ServiceError as exc:
            _fail(request, exc)
    else:
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(obj.get_absolute_url())


@require_POST
@staff_page(MANAGE)
def seat_end(request: HttpRequest, pk: int, seat_pk: int) -> HttpResponse:
    user: Any = request.user
    obj = selectors.access_committee(user, pk)
    seat = Seat.objects.filter(committee=obj, pk=seat_pk).first()
    if seat is None:
        raise Http404()
    form = forms.SeatEndForm(request.POST)
    if form.is_valid():
        try:
            services.seat_end(
                actor=user,
                seat=seat,
                kind=form.cleaned_data["kind"],
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as exc:
            _fail(request, exc)
    else:
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(obj.get_absolute_url())


# --- meetings ------------------------------------------------------------------------------------


@staff_page(MANAGE)
def meeting_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    committees = Committee.objects.visible_to(user).filter(active=True).select_related("org")
    initial = {"org": user.org.code, "held_on": timezone.localdate()}
    if request.GET.get("committee", "").isdigit():
        initial["committee"] = int(request.GET["committee"])
    form = bind_pickers(
        forms.MeetingForm(request.POST or None, committees=committees, initial=initial), user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = access_org(user, data["org"])
            meeting = services.meeting_create(
                actor=user,
                org=org,
                kind=data["kind"],
                title=data["title"],
                held_on=data["held_on"],
                committee=data["committee"],
                place=data["place"],
                presided_by=data["presided_by"],
            )
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            return redirect(meeting.get_absolute_url())
    return render(request, "governance/form.html", {"form": form, "title": _("筹备会议")})


def _meeting_context(request: HttpRequest, meeting: Any) -> dict[str, Any]:
    user: Any = request.user
    entitled, present = services.attendance(meeting)
    manage = _manager(request, meeting.org)
    committees = Committee.objects.filter(org=meeting.org, active=True)
    seats = Seat.objects.filter(org=meeting.org, until__isnull=True).select_related("committee")
    return {
        "meeting": meeting,
        "entitled": entitled,
        "present": present,
        "needed": counting.quorum_needed(entitled, meeting.rules),
        "quorum": counting.quorum_reached(present, entitled, meeting.rules),
        "roll": list(meeting.roll.all()),
        "agenda": list(meeting.agenda.all()),
        "elections": list(meeting.elections.all()),
        "can_manage": manage,
        "steps": [t for t in MEETING.allowed(meeting.status, user.role)] if manage else [],
        "agenda_form": forms.AgendaForm(seats=seats),
        "officers_form": forms.OfficersForm(
            initial={
                "tellers": "、".join(meeting.tellers),
                "scrutineers": "、".join(meeting.scrutineers),
            }
        ),
        "roll_form": forms.RollNamesForm(),
        "motion_form": forms.MotionForm(),
        "election_form": forms.ElectionForm(committees=committees),
        "rules_words": services.rules_in_words(meeting.rules),
        "rules_form": forms.RulesForm(
            initial={f: getattr(meeting, f) for f in services.RULE_FIELDS}
        )
        if manage
        and meeting.status in (MeetingStatus.PREPARING, MeetingStatus.IN_SESSION)
        and not meeting.elections.filter(rounds__isnull=False).exists()
        else None,
        "sign_form": forms.SignForm(
            initial={"text": minutes.draft(meeting), "signed_by": meeting.presided_by}
        ),
        "checkin_url": request.build_absolute_uri(
            reverse("governance:portal_checkin", args=[meeting.checkin_token])
        ),
        "preparing": meeting.status == MeetingStatus.PREPARING,
        "in_session": meeting.status == MeetingStatus.IN_SESSION,
        "closed": meeting.status == MeetingStatus.CLOSED,
        "ItemKind": ItemKind,
    }


@staff_page(VIEW)
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    obj = selectors.access_meeting(request.user, pk)
    return render(request, "governance/meeting.html", _meeting_context(request, obj))


@staff_page(VIEW)
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The live quorum panel (htmx polls it every few seconds on the meeting page)."""
    obj = selectors.access_meeting(request.user, pk)
    entitled, present = services.attendance(obj)
    return render(
        request,
        "governance/_quorum.html",
        {
            "meeting": obj,
            "entitled": entitled,
            "present": present,
            "needed": counting.quorum_needed(entitled, obj.rules),
            "quorum": counting.quorum_reached(present, entitled, obj.rules),
        },
    )


@staff_page(VIEW)
def checkin_qr(request: HttpRequest, pk: int) -> HttpResponse:
    from gonghui.core.qr import qr_response

    obj = selectors.access_meeting(request.user, pk)
    url = request.build_absolute_uri(reverse("governance:portal_checkin", args=[obj.checkin_token]))
    return qr_response(url, title=obj.title)


@staff_page(VIEW)
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    obj = selectors.access_meeting(request.user, pk)
    try:
        return _pdf(minutes.minutes_pdf(obj), f"minutes-{obj.number}.pdf")
    except FontMissing as exc:
        messages.error(request, str(exc))
        return redirect(obj.get_absolute_url())


@require_POST
@staff_page(MANAGE)
def meeting_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    obj = selectors.access_meeting(user, pk)
    post = request.POST
    try:
        if action in ("open", "close"):
            getattr(services, f"meeting_{action}")(actor=user, meeting=obj)
        elif action == "roll_seats":
            n = services.roll_from_seats(actor=user, meeting=obj)
            messages.success(request, _("已列入应到人员 %(n)d 人") % {"n": n})
        elif action == "roll_names":
            roll_form = forms.RollNamesForm(post)
            if roll_form.is_valid():
                services.roll_bulk(actor=user, meeting=obj, names=roll_form.names_list())
        elif action == "officers":
            officers = forms.OfficersForm(post)
            if officers.is_valid():
                services.meeting_set_officers(
                    actor=user,
                    meeting=obj,
                    tellers=officers.names("tellers"),
                    scrutineers=officers.names("scrutineers"),
                )
        elif action == "rules":
            rules_form = forms.RulesForm(post)
            if rules_form.is_valid():
                services.meeting_set_rules(actor=user, meeting=obj, rules=rules_form.cleaned_data)
                messages.success(request, _("已修改计票规则"))
            else:
                messages.error(
                    request, "；".join(str(e) for errs in rules_form.errors.values() for e in errs)
                )
        elif action == "agenda":
            seats = Seat.objects.filter(org=obj.org, until__isnull=True)
            agenda = forms.AgendaForm(post, seats=seats)
            if agenda.is_valid():
                d = agenda.cleaned_data
                services.agenda_add(
                    actor=user,
                    meeting=obj,
                    kind=d["kind"],
                    title=d["title"],
                    majority=d["majority"],
                    releases=list(d["releases"]),
                )
            else:
                messages.error(
                    request, "；".join(str(e) for errs in agenda.errors.values() for e in errs)
                )
        elif action == "checkin":
            entry = selectors.access_entry(user, obj, post.get("entry", ""))
            services.check_in(actor=user, entry=entry, present=post.get("present") == "1")
            if request.headers.get("HX-Request"):
                return attendance(request, pk)
        elif action == "motion":
            item = obj.agenda.filter(
                pk=post.get("item", "0") if post.get("item", "").isdigit() else 0
            ).first()
            if item is None:
                raise NotFound()
            motion = forms.MotionForm(post)
            if motion.is_valid():
                d = motion.cleaned_data
                services.motion_vote(
                    actor=user,
                    item=item,
                    votes_for=d["votes_for"],
                    votes_against=d["votes_against"] or 0,
                    votes_abstain=d["votes_abstain"] or 0,
                )
            else:
                messages.error(
                    request, "；".join(str(e) for errs in motion.errors.values() for e in errs)
                )
        elif action == "election":
            committees = Committee.objects.filter(org=obj.org, active=True)
            form = forms.ElectionForm(post, committees=committees)
            if form.is_valid():
                d = form.cleaned_data
                election = services.election_create(
                    actor=user,
                    meeting=obj,
                    committee=d["committee"],
                    title=d["title"],
                    seats=d["seats"],
                    method=d["method"],
                    candidates=form.candidate_names(),
                    position=d["position"],
                    by_election=d["by_election"],
                    secret_online=d["secret_online"],
                )
                return redirect(election.get_absolute_url())
            messages.error(
                request, "；".join(str(e) for errs in form.errors.values() for e in errs)
            )
        elif action == "sign":
            sign = forms.SignForm(post)
            if sign.is_valid():
                services.minutes_sign(
                    actor=user,
                    meeting=obj,
                    signed_by=sign.cleaned_data["signed_by"],
                    text=sign.cleaned_data["text"],
                )
            else:
                messages.error(
                    request, "；".join(str(e) for errs in sign.errors.values() for e in errs)
                )
        else:
            raise Http404()
    except NotFound as exc:
        raise Http404() from exc
    except ServiceError as exc:
        _fail(request, exc)
    return redirect(obj.get_absolute_url())


# --- elections -----------------------------------------------------------------------------------


def _election_context(
    request: HttpRequest, election: Any, codes: list[tuple[str, str]] | None = None
) -> dict[str, Any]:
    user: Any = request.user
    manage = _manager(request, election.org)
    rounds = list(election.rounds.all())
    current = next((r for r in rounds if r.status == RoundStatus.OPEN), None)
    counts = {
        r.pk: list(r.counts.select_related("candidate").order_by("-approve", "candidate__order"))
        for r in rounds
    }
    return {
        "election": election,
        "meeting": election.meeting,
        "candidates": list(election.candidates.all()),
        "rounds": [(r, counts[r.pk]) for r in rounds],
        "current": current,
        "count_form": forms.count_form(list(current.candidates.all()))
        if current and not current.secret_online
        else None,
        "can_manage": manage,
        "can_open": manage
        and election.status in (ElectionStatus.PREPARING, ElectionStatus.COUNTED),
        "can_confirm": manage and election.status == ElectionStatus.DECIDED,
        "candidate_form": bind_pickers(forms.CandidateForm(), user)
        if manage and election.status == ElectionStatus.PREPARING
        else None,
        "slate_errors": counting.slate_errors(
            election.method,
            election.seats,
            sum(1 for c in election.candidates.all() if not c.write_in),
            election.meeting.rules,
        )
        if election.status == ElectionStatus.PREPARING
        else [],
        "codes": codes or [],
        "steps": ELECTION.allowed(election.status, user.role) if manage else [],
    }


@staff_page(VIEW)
def election(request: HttpRequest, pk: int) -> HttpResponse:
    obj = selectors.access_election(request.user, pk)
    return render(request, "governance/election.html", _election_context(request, obj))


@staff_page(VIEW)
def result_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    obj = selectors.access_election(request.user, pk)
    try:
        return _pdf(minutes.result_pdf(obj), f"election-{obj.pk}.pdf")
    except FontMissing as exc:
        messages.error(request, str(exc))
        return redirect(obj.get_absolute_url())


@staff_page(VIEW)
def ballots_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = selectors.access_round(request.user, pk)
    copies = max(1, min(rnd.present or 1, 2000))
    try:
        return _pdf(minutes.ballots_pdf(rnd, copies), f"ballots-{rnd.election_id}-{rnd.number}.pdf")
    except FontMissing as exc:
        messages.error(request, str(exc))
        return redirect(rnd.election.get_absolute_url())


@require_POST
@staff_page(MANAGE)
def election_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    obj = selectors.access_election(user, pk)
    current = obj.rounds.filter(status=RoundStatus.OPEN).first()
    try:
        if action == "open_round":
            services.round_open(actor=user, election=obj)
        elif action == "confirm":
            services.election_confirm(actor=user, election=obj)
        elif action == "candidate_add":
            add = bind_pickers(forms.CandidateForm(request.POST), user)
            if add.is_valid():
                from gonghui.members.models import Member

                member_id = add.cleaned_data["member"]
                member = (
                    Member.objects.visible_to(user).filter(pk=member_id).first()
                    if member_id
                    else None
                )
                services.candidate_add(
                    actor=user, election=obj, member=member, name=add.cleaned_data["name"]
                )
            else:
                messages.error(
                    request, "；".join(str(e) for errs in add.errors.values() for e in errs)
                )
        elif action == "candidate_remove":
            candidate = obj.candidates.filter(
                pk=int(request.POST["candidate"])
                if request.POST.get("candidate", "").isdigit()
                else 0
            ).first()
            if candidate is None:
                raise Http404()
            services.candidate_remove(actor=user, election=obj, candidate=candidate)
        elif action == "count" and current is not None and not current.secret_online:
            form = forms.count_form(list(current.candidates.all()), request.POST)
            if not form.is_valid():
                messages.error(
                    request, "；".join(str(e) for errs in form.errors.values() for e in errs)
                )
                return redirect(obj.get_absolute_url())
            d = form.cleaned_data
            counts = {
                c.pk: (d.get(f"c{c.pk}_a") or 0, d.get(f"c{c.pk}_d") or 0, d.get(f"c{c.pk}_b") or 0)
                for c in current.candidates.all()
            }
            write_ins = (
                {d["write_in_name"]: d.get("write_in_votes") or 0} if d.get("write_in_name") else {}
            )
            outcome = services.round_count(
                actor=user,
                round=current,
                issued=d["issued"],
                returned=d["returned"],
                valid=d["valid"],
                invalid=d["invalid"] or 0,
                counts=counts,
                write_ins=write_ins,
            )
            messages.info(request, outcome.summary)
        elif action == "codes" and current is not None and current.secret_online:
            issued = services.codes_issue(actor=user, round=current)
            obj.refresh_from_db()
            # shown once, never stored in the clear: the clerk hands them out now
            return render(
                request,
                "governance/election.html",
                _election_context(request, obj, [(e.person_name, code) for e, code in issued]),
            )
        elif action == "close" and current is not None and current.secret_online:
            outcome = services.round_close(actor=user, round=current)
            messages.info(request, outcome.summary)
        else:
            raise Http404()
    except ServiceError as exc:
        if isinstance(exc, NotFound):
            raise Http404() from exc
        _fail(request, exc)
    return redirect(obj.get_absolute_url())


# --- the member's phone --------------------------------------------------------------------------


def _member(request: HttpRequest) -> Any:
    user: Any = request.user
    if user.role != Role.MEMBER:
        raise Http404()
    return user


@login_required
def portal_meetings(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    return render(
        request,
        "governance/portal_meetings.html",
        {
            "meetings": list(selectors.meetings_for_member(user)),
            "rounds": list(selectors.open_rounds_for_member(user)),
        },
    )


@login_required
def portal_checkin(request: HttpRequest, token: str) -> HttpResponse:
    """The door's QR code opens this page; the member confirms with one tap (POST)."""
    user = _member(request)
    from .models import Meeting

    meeting = Meeting.objects.filter(checkin_token=token[:64]).first()
    entry = meeting.roll.filter(member__user=user).first() if meeting else None
    if meeting is None or entry is None:
        raise Http404()
    if request.method == "POST":
        try:
            services.check_in_by_qr(user=user, token=meeting.checkin_token)
            messages.success(request, _("签到成功"))
        except ServiceError as exc:
            _fail(request, exc)
        return redirect("governance:portal_checkin", token=token)
    return render(
        request,
        "governance/portal_checkin.html",
        {"meeting": meeting, "entry": entry, "name": mask_name(entry.person_name)},
    )


@login_required
def portal_vote(request: HttpRequest, pk: int) -> HttpResponse:
    """The secret vote on the phone: take the one-time code (once), then cast the ballot with
    it. The page never records who chose what."""
    user = _member(request)
    rnd = selectors.open_rounds_for_member(user).filter(pk=pk).first()
    if rnd is None:
        raise Http404()
    code = ""
    if request.method == "POST":
        try:
            if request.POST.get("step") == "code":
                code = services.code_for_member(user=user, round=rnd)
            else:
                choices = {}
                for c in rnd.candidates.all():
                    value = request.POST.get(f"c{c.pk}", "abstain")
                    choices[c.pk] = (
                        value if value in ("approve", "disapprove", "abstain") else "abstain"
                    )
                write_in = (request.POST.get("write_in") or "").strip()[:50]
                services.ballot_cast(
                    round=rnd,
                    code=request.POST.get("code", "")[:32],
                    choices=choices,
                    write_ins=[write_in] if write_in else [],
                )
                messages.success(request, _("投票成功，感谢参与。"))
                return redirect("governance:portal_meetings")
        except ServiceError as exc:
            _fail(request, exc)
    return render(
        request,
        "governance/portal_vote.html",
        {
            "round": rnd,
            "election": rnd.election,
            "candidates": list(rnd.candidates.all()),
            "code": code,
        },
    )
