"""Pages anyone may open without logging in: the QR join flow and the e-card check."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "join"
urlpatterns = [
    path("join/<str:code>/", views.join_start, name="start"),
    path("join/<str:code>/done/", views.join_done, name="done"),
    path("verify/<str:token>/", views.verify, name="verify"),
]
