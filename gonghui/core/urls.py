from __future__ import annotations

from django.urls import path

from . import monitoring, views

urlpatterns = [
    path("healthz", monitoring.healthz, name="healthz"),
    path("readyz", monitoring.readyz, name="readyz"),
    path("audit/", views.audit, name="audit"),
    path("audit/export.<str:fmt>", views.audit_export, name="audit_export"),
    path("pick/<slug:kind>/", views.pick, name="pick"),
]
