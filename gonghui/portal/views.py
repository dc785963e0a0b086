"""The member portal: phone-sized pages that later modules fill through ``portal_cards``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from gonghui.core import hooks
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
