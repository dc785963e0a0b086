"""Pages of the activities module. Staff: the list (upcoming and past, the teams, volunteer
hours per member), an activity (sign-ups and waiting list, check-in by the clerk and the door's
QR code, hours, photos), a team and its roll. The member's phone: activities to join, their
own sign-ups and hours, the check-in page the QR code opens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.errors import InvalidInput, NotFound, ServiceError
from gonghui.core.masking import mask_name
from gonghui.core.pickers import bind_pickers
from gonghui.core.qr import qr_response
from gonghui.core.roles import Role, can
from gonghui.core.uploads import UploadRefused
from gonghui.core.web import form_errors, rejected_rows_download, staff_page, workbook_download

from . import forms, importing, selectors, services
from .models import Photo, SignupStatus, TeamMember

VIEW, MANAGE = "activities.view", "activities.manage"
PAGE_SIZE = 50


def _first(exc: ServiceError) -> str:
    errors = getattr(exc, "errors", None)
    return str(errors[0]["message"]) if errors else exc.detail


def _teams(user: Any) -> list[tuple[str, str]]:
    return [(str(t.pk), t.name) for t in selectors.teams_visible_to(user)]


@staff_page(VIEW)
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    may_manage = can(user, MANAGE, user.org)
    form = forms.ActivityForm(request.POST or None, teams=_teams(user))
    team_form = forms.TeamForm(request.POST or None, prefix="team")
    if request.method == "POST":
        if not may_manage:
            raise Http404()
        chosen = team_form if request.POST.get("what") == "team" else form
        if chosen.is_valid():
            try:
                if chosen is team_form:
                    obj: Any = services.team_create(
                        actor=user, org=user.org, **team_form.cleaned_data
                    )
                else:
                    obj = services.activity_save(actor=user, org=user.org, data=form.cleaned_data)
            except ServiceError as exc:
                form_errors(chosen, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect(obj.get_absolute_url())
    tab = request.GET.get("tab", "upcoming")
    now = timezone.now()
    qs = selectors.activities_visible_to(user)
    qs = (
        qs.filter(ends_at__gte=now).order_by("starts_at", "id")
        if tab == "upcoming"
        else qs.filter(ends_at__lt=now).order_by("-starts_at", "-id")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/home.html",
        {
            "page": page,
            "tab": tab,
            "teams": list(selectors.teams_visible_to(user)),
            "hours": selectors.volunteer_hours(user, 20),
            "form": form if may_manage else None,
            "team_form": team_form if may_manage else None,
        },
        status=422 if request.method == "POST" else 200,
    )


@staff_page(VIEW)
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_activity(user, pk)
    may_manage = can(user, MANAGE, item.org)
    signups = list(
        selectors.signups_of(user, item)
        .exclude(status=SignupStatus.CANCELLED)
        .order_by("status", "queued_at", "id")
    )
    return render(
        request,
        "activities/activity.html",
        {
            "activity": item,
            "confirmed": [s for s in signups if s.status == SignupStatus.CONFIRMED],
            "waiting": [s for s in signups if s.status == SignupStatus.WAITING],
            "photos": list(item.photos.select_related("file")),
            "may_manage": may_manage,
            "photo_form": forms.PhotoForm(),
            "cancel_form": forms.CancelForm(),
            "import_form": forms.ImportForm(),
            "imports": list(item.imports.select_related("job", "job__actor").order_by("-id")[:5])
            if may_manage
            else [],
            "checkin_url": request.build_absolute_uri(
                reverse("activities_portal:checkin", args=[item.checkin_token])
            ),
        },
    )


@staff_page(MANAGE)
def import_template(request: HttpRequest) -> HttpResponse:
    return workbook_download(importing.template, "activity-signups-template.xlsx")


@staff_page(MANAGE)
def import_signups(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload the activity's sign-up sheet (sign-ups, attendance, hours): every row answered,
    then the run's result page."""
    user: Any = request.user
    item = selectors.access_activity(user, pk)
    if not can(user, MANAGE, item.org):
        raise Http404()
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = importing.import_run(actor=user, activity=item, upload=form.cleaned_data["file"])
        except NotFound as exc:
            raise Http404() from exc
        except (ServiceError, UploadRefused) as exc:
            form.add_error("file", _first(exc))
        else:
            return redirect("activities:import_job", pk=item.pk, job=job.pk)
    return render(
        request,
        "activities/import.html",
        {"activity": item, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@staff_page(MANAGE)
def import_job(request: HttpRequest, pk: int, job: int) -> HttpResponse:
    """A run's counts and its first refused rows (number, name, reason)."""
    item = selectors.access_activity(request.user, pk)
    run = importing.access_import(request.user, item, job)
    return render(
        request,
        "activities/import_job.html",
        {"activity": item, "job": run, "rejected": importing.rejected_preview(run)},
    )


@staff_page(MANAGE)
def import_errors(request: HttpRequest, pk: int, job: int) -> HttpResponse:
    """The run's refused rows as XLSX (the sheet's columns, 原行号 and 错误原因): fixed, the
    file imports again as it is."""
    item = selectors.access_activity(request.user, pk)
    return rejected_rows_download(importing.access_import(request.user, item, job), "signups")


@staff_page(VIEW)
def checkin_qr(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_activity(request.user, pk)
    url = request.build_absolute_uri(
        reverse("activities_portal:checkin", args=[item.checkin_token])
    )
    return qr_response(url, title=item.title)


@require_POST
@staff_page(MANAGE)
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_activity(request.user, pk)
    form = forms.CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写取消原因。"))
    else:
        try:
            services.activity_cancel(
                actor=request.user, activity=item, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("活动已取消。"))
        except ServiceError as exc:
            messages.error(request, _first(exc))
    return redirect(item.get_absolute_url())


@require_POST
@staff_page(MANAGE)
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_activity(request.user, pk)
    form = forms.PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.photo_add(
                actor=request.user,
                activity=item,
                upload=form.cleaned_data["file"],
                caption=form.cleaned_data["caption"],
            )
            messages.success(request, _("照片已上传。"))
        except ServiceError as exc:
            messages.error(request, _first(exc))
    else:
        messages.error(request, _("请选择照片文件。"))
    return redirect(item.get_absolute_url())


@staff_page(VIEW)
def photo(request: HttpRequest, pk: int) -> Any:
    user: Any = request.user
    item = Photo.objects.select_related("file", "activity").filter(pk=pk).first()
    if item is None:
        raise Http404()
    selectors.access_activity(user, item.activity_id)  # the same 404 outside the scope
    try:
        handle = item.file.open()
    except FileNotFoundError as exc:
        raise Http404() from exc
    response = FileResponse(handle, filename=item.file.name)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@staff_page(MANAGE)
def signup_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: Any = request.user
    signup = selectors.access_signup(user, pk)
    try:
        if action == "checkin":
            services.check_in(actor=user, signup=signup)
        elif action == "checkout":
            services.check_in(actor=user, signup=signup, present=False)
        elif action == "cancel":
            services.signup_cancel(user=user, signup=signup)
        elif action == "hours":
            form = forms.HoursForm(request.POST)
            if not form.is_valid():
                raise InvalidInput.one("hours", _("时长应在 0 至 24 小时之间。"))
            services.hours_set(actor=user, signup=signup, hours=form.cleaned_data["hours"])
        else:
            raise Http404()
        messages.success(request, _("已保存。"))
    except ServiceError as exc:
        if isinstance(exc, NotFound):
            raise Http404() from exc
        messages.error(request, _first(exc))
    return redirect(signup.activity.get_absolute_url())


@staff_page(VIEW)
def team(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = selectors.access_team(user, pk)
    may_manage = can(user, MANAGE, item.org)
    form = bind_pickers(
        forms.JoinForm(request.POST or None, initial={"joined_on": timezone.localdate()}), user
    )
    if request.method == "POST":
        if not may_manage:
            raise Http404()
        if request.POST.get("leave"):
            entry = (
                TeamMember.objects.filter(
                    team=item, pk=request.POST.get("leave", "")[:12] or 0
                ).first()
                if str(request.POST.get("leave", "")).isdigit()
                else None
            )
            if entry is None:
                raise Http404()
            try:
                services.team_leave(actor=user, entry=entry)
                messages.success(request, _("已登记离队。"))
            except ServiceError as exc:
                messages.error(request, _first(exc))
            return redirect(item.get_absolute_url())
        if form.is_valid():
            from gonghui.members.models import Member

            try:
                member = Member.objects.visible_to(user).get(pk=int(form.cleaned_data["member"]))
                services.team_join(
                    actor=user,
                    team=item,
                    member=member,
                    joined_on=form.cleaned_data["joined_on"],
                    role=form.cleaned_data["role"],
                )
            except Member.DoesNotExist:
                form.add_error("member", _("未找到该会员。"))
            except ServiceError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("已加入队伍。"))
                return redirect(item.get_absolute_url())
    return render(
        request,
        "activities/team.html",
        {
            "team": item,
            "roll": selectors.team_roll(item),
            "form": form if may_manage else None,
            "activities": item.activities.order_by("-starts_at")[:20],
        },
        status=422 if request.method == "POST" else 200,
    )


# --- the member's phone ------------------------------------------------------------------------


def _member(request: HttpRequest) -> Any:
    user: Any = request.user
    if user.role != Role.MEMBER:
        raise Http404()
    return user


@login_required
def portal_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    mine = list(selectors.my_signups(user).exclude(status=SignupStatus.CANCELLED)[:50])
    return render(
        request,
        "activities/portal_list.html",
        {
            "open": list(selectors.open_for_member(user)[:50]),
            "mine": mine,
            "signed": {s.activity_id: s for s in mine},
            "hours": selectors.my_hours(user),
            "attended": selectors.my_signups(user).filter(attended=True).count(),
        },
    )


@login_required
def portal_activity(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    try:
        item = selectors.access_for_member(user, pk)
    except NotFound as exc:
        raise Http404() from exc
    mine = selectors.my_signups(user).filter(activity=item).first()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel" and mine is not None:
                services.signup_cancel(user=user, signup=mine)
                messages.success(request, _("已取消报名。"))
            else:
                result = services.signup(user=user, activity=item)
                messages.success(
                    request,
                    _("报名成功。")
                    if result.status == SignupStatus.CONFIRMED
                    else _("名额已满，已进入候补。"),
                )
        except ServiceError as exc:
            messages.error(request, _first(exc))
        return redirect("activities_portal:activity", pk=item.pk)
    position = None
    if mine is not None and mine.status == SignupStatus.WAITING:
        position = (
            item.signups.filter(status=SignupStatus.WAITING, queued_at__lt=mine.queued_at).count()
            + 1
        )
    return render(
        request,
        "activities/portal_activity.html",
        {
            "activity": item,
            "mine": mine if mine and mine.status != SignupStatus.CANCELLED else None,
            "position": position,
            "over": item.ends_at < timezone.now(),
        },
    )


@login_required
def portal_checkin(request: HttpRequest, token: str) -> HttpResponse:
    """The door's QR code opens this page; the member confirms with one tap (POST)."""
    user = _member(request)
    from .models import Activity

    item = Activity.objects.filter(checkin_token=token[:64]).first()
    member = selectors.member_of(user)
    mine = item.signups.filter(member=member).first() if item and member else None
    if item is None or mine is None or mine.status == SignupStatus.CANCELLED:
        raise Http404()
    if request.method == "POST":
        try:
            services.check_in_by_qr(user=user, token=item.checkin_token)
            messages.success(request, _("签到成功。"))
        except ServiceError as exc:
            messages.error(request, _first(exc))
        return redirect("activities_portal:checkin", token=token)
    return render(
        request,
        "activities/portal_checkin.html",
        {"activity": item, "mine": mine, "name": mask_name(member.name)},
    )
