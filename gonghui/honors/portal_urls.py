"""The member's pages of honours, under ``/portal/honors/``: vote, and my honours."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "honors_portal"
urlpatterns = [
    path("", views.portal, name="list"),
    path("<int:pk>/vote/", views.portal_vote, name="vote"),
]
