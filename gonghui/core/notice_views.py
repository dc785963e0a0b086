"""Pages of public notices (公示): the staff list and a notice's page, where objections are
recorded and answered; the member portal's list and its objection form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import hooks, notices
from .errors import NotFound, ServiceError
from .models import Objection, ObjectionStatus, PublicNotice
from .roles import Role, can
from .scope import access
from .web import form_errors, staff_page

PAGE_SIZE = 50


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("异议内容"),
        max_length=notices.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("写明异议的事实和理由。"),
    )
    name = forms.CharField(label=gettext_lazy("异议人"), max_length=50, required=False)
    contact = forms.CharField(label=gettext_lazy("联系方式"), max_length=50, required=False)


class MemberObjectionForm(forms.Form):
    text = ObjectionForm.base_fields["text"]


class ResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=gettext_lazy("处理结果"),
        choices=[("0", gettext_lazy("异议不成立")), ("1", gettext_lazy("异议成立"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=gettext_lazy("处理意见"),
        max_length=notices.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _with_outcome(rows: list[PublicNotice], today: Any) -> list[tuple[PublicNotice, str, str]]:
    return [
        (n, key, str(notices.OUTCOME_LABELS[key]))
        for n in rows
        for key in [notices.notice_outcome(n, today)]
    ]


@staff_page("notices.view")
def notice_list(request: HttpRequest) -> HttpResponse:
    """The notices posted in the user's subtree: running first, then by start date."""
    today = timezone.localdate()
    qs = PublicNotice.objects.visible_to(request.user).select_related("org")
    running = request.GET.get("running") == "1"
    if running:
        qs = qs.filter(starts_on__lte=today, ends_on__gte=today)
    page = Paginator(qs.order_by("-starts_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/notices.html",
        {"page": page, "rows": _with_outcome(list(page), today), "running": running},
    )


@staff_page("notices.view")
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A notice, its objections and their answers; staff record and answer objections."""
    user: Any = request.user
    notice = access(PublicNotice.objects.select_related("org", "created_by"), user, pk=pk)
    today = timezone.localdate()
    may_manage = can(user, "notices.manage", notice.org)
    form = ObjectionForm(request.POST or None, prefix="obj")
    posted = request.method == "POST" and may_manage and "obj-text" in request.POST
    if posted and form.is_valid():
        try:
            notices.object_to(notice, by=user, **form.cleaned_data)
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("异议已登记。"))
            return redirect(notice.get_absolute_url())
    objections = list(notice.objections.select_related("resolved_by", "raised_by"))
    outcome = notices.notice_outcome(notice, today)
    return render(
        request,
        "core/notice.html",
        {
            "notice": notice,
            "objections": objections,
            "outcome": notices.OUTCOME_LABELS[outcome],
            "running": notice.is_running(today),
            "may_manage": may_manage,
            "form": form,
            "resolve_form": ResolveForm(),
            "open_status": ObjectionStatus.OPEN,
        },
    )


@require_POST
@staff_page("notices.manage")
def objection_resolve(request: HttpRequest, pk: int, objection: int) -> HttpResponse:
    user: Any = request.user
    notice = access(PublicNotice.objects.all(), user, pk=pk)
    item = access(Objection.objects.filter(notice=notice), user, pk=objection)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理结果并写明处理意见。"))
        return redirect(notice.get_absolute_url())
    try:
        notices.resolve(item, by=user, **form.cleaned_data)
    except ServiceError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("异议已处理。"))
    return redirect(notice.get_absolute_url())


# --- the member portal ---------------------------------------------------------------------


def _member(request: HttpRequest) -> Any:
    user: Any = request.user
    if user.role != Role.MEMBER:
        raise Http404()
    return user


@login_required
def portal_notices(request: HttpRequest) -> HttpResponse:
    """The notices running at the member's union and above."""
    user = _member(request)
    today = timezone.localdate()
    rows = (
        PublicNotice.objects.visible_to(user)
        .filter(starts_on__lte=today, ends_on__gte=today)
        .select_related("org")
        .order_by("ends_on", "-id")[:PAGE_SIZE]
    )
    return render(request, "portal/notices.html", {"rows": rows})


@login_required
def portal_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """A running notice; the member may object to it (and sees only their own objections)."""
    user = _member(request)
    today = timezone.localdate()
    try:
        notice = access(
            PublicNotice.objects.filter(starts_on__lte=today, ends_on__gte=today), user, pk=pk
        )
    except NotFound as exc:
        raise Http404() from exc
    form = MemberObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notices.object_to(notice, by=user, text=form.cleaned_data["text"])
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("您的异议已提交，公示单位会在公示期内处理并答复。"))
            return redirect("portal:notice", pk=notice.pk)
    mine = notice.objections.filter(raised_by=user)
    return render(request, "portal/notice.html", {"notice": notice, "form": form, "mine": mine})


def portal_card(user: Any) -> dict[str, str] | None:
    """The portal's card: how many notices run at the member's union and above."""
    from django.urls import reverse

    today = timezone.localdate()
    count = (
        PublicNotice.objects.visible_to(user)
        .filter(starts_on__lte=today, ends_on__gte=today)
        .count()
    )
    if not count:
        return None
    return {
        "title": _("公示"),
        "body": _("本会和上级工会正在公示 %(n)d 项，有异议可在公示期内提出。") % {"n": count},
        "url": reverse("portal:notices"),
    }


hooks.portal_cards.append(portal_card)
