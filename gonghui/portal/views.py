"""The member portal: phone-sized pages that later modules fill through ``portal_cards``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

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
