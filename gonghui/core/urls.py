from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("audit/", views.audit, name="audit"),
    path("pick/<slug:kind>/", views.pick, name="pick"),
]
