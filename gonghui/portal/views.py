"""The member portal: phone-sized pages that later modules fill through ``portal_cards``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core import hooks
from gonghui.core.errors import NotFound, ServiceError
from gonghui.core.roles import Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The member's "我的" page. Staff have no member portal: they are sent home."""
    user: Any = request.user
    if user.role != Role.MEMBER:
        return redirect("home")
    cards = [card for card in (fn(user) for fn in hooks.portal_cards) if card]
    return render(request, "portal/home.html", {"org": user.org, "cards": cards})


@login_required
def card(request: HttpRequest) -> HttpResponse:
    """The member's electronic card: its QR code is a freshly signed verification address."""
    from gonghui.members import cards
    from gonghui.members.models import Member

    user: Any = request.user
    if user.role != Role.MEMBER:
        return redirect("home")
    member = Member.objects.visible_to(user).select_related("org").first()
    context: dict[str, Any] = {"member": member}
    if member is not None:
        url = request.build_absolute_uri(reverse("join:verify", args=[cards.card_token(member)]))
        context.update(number=cards.member_number(member), svg=cards.qr_svg(url), url=url)
    response = render(request, "portal/card.html", context)
    response["Cache-Control"] = "no-store"
    return response


# --- 12351 hotline: file an order, follow it, rate the service --------------------------------


def _member_only(request: HttpRequest) -> Any:
    user: Any = request.user
    return user if user.role == Role.MEMBER else None


@login_required
def hotline(request: HttpRequest) -> HttpResponse:
    """The member's orders, newest first."""
    from gonghui.hotline import selectors

    user = _member_only(request)
    if user is None:
        return redirect("home")
    tickets = selectors.tickets_visible_to(user).select_related("topic")[:100]
    return render(request, "portal/hotline_list.html", {"tickets": tickets})


@login_required
def hotline_new(request: HttpRequest) -> HttpResponse:
    from gonghui.core.web import form_errors
    from gonghui.hotline import services
    from gonghui.hotline.forms import PortalTicketForm, topic_options
    from gonghui.hotline.models import Channel

    user = _member_only(request)
    if user is None:
        return redirect("home")
    form = PortalTicketForm(request.POST or None)
    topic_options(form, user)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "channel": Channel.APP}
        try:
            ticket, _created = services.ticket_create(actor=user, data=data)
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已提交，工单号 %(number)s") % {"number": ticket.number})
            return redirect("portal:hotline_detail", pk=ticket.pk)
    return render(request, "portal/hotline_new.html", {"form": form})


def _my_ticket(request: HttpRequest, pk: int) -> Any:
    from gonghui.hotline import selectors

    try:
        return selectors.ticket_detail(request.user, pk)
    except NotFound as exc:
        raise Http404() from exc


RATEABLE = ("replied", "called_back", "checked", "closed")


@login_required
def hotline_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One order as the member sees it: status and the public timeline (no internal notes,
    no handler's names); the result once the order is closed; the rating form."""
    from gonghui.hotline.forms import RateForm
    from gonghui.hotline.views import timeline

    if _member_only(request) is None:
        return redirect("home")
    ticket = _my_ticket(request, pk)
    context = {
        "ticket": ticket,
        "events": timeline(request.user, ticket),
        "show_result": ticket.status == "closed",
        "rate_form": RateForm() if ticket.status in RATEABLE and ticket.rating is None else None,
    }
    return render(request, "portal/hotline_detail.html", context)


@require_POST
@login_required
def hotline_rate(request: HttpRequest, pk: int) -> HttpResponse:
    from gonghui.hotline import services
    from gonghui.hotline.forms import RateForm

    if _member_only(request) is None:
        return redirect("home")
    ticket = _my_ticket(request, pk)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_rate(
                actor=request.user,
                ticket=ticket,
                rating=form.cleaned_data["rating"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("感谢您的评价"))
    else:
        messages.error(request, _("请选择评价"))
    return redirect("portal:hotline_detail", pk=pk)


# --- 会籍接转: the member confirms a union's request to take them in --------------------------


@login_required
def transfers(request: HttpRequest) -> HttpResponse:
    """The requests of unions that want to take the member in: the member may confirm."""
    from gonghui.members.selectors import transfer_requests_visible_to, transfer_view

    user = _member_only(request)
    if user is None:
        return redirect("home")
    rows = [transfer_view(user, r) for r in transfer_requests_visible_to(user)[:50]]
    return render(request, "portal/transfers.html", {"rows": rows})


@require_POST
@login_required
def transfer_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    from gonghui.members import services
    from gonghui.members.selectors import access_transfer_request

    user = _member_only(request)
    if user is None:
        return redirect("home")
    try:
        req = access_transfer_request(user, pk)
        services.transfer_confirm(actor=user, request=req)
    except NotFound as exc:
        raise Http404() from exc
    except ServiceError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("已确认转入 %(org)s") % {"org": req.to_org.name})
    return redirect("portal:transfers")
