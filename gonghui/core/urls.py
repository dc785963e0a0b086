from __future__ import annotations

from django.urls import path

from . import monitoring, notice_views, views

urlpatterns = [
    path("healthz", monitoring.healthz, name="healthz"),
    path("readyz", monitoring.readyz, name="readyz"),
    path("audit/", views.audit, name="audit"),
    path("audit/export.<str:fmt>", views.audit_export, name="audit_export"),
    path("pick/<slug:kind>/", views.pick, name="pick"),
    path("notices/", notice_views.notice_list, name="notices"),
    path("notices/<int:pk>/", notice_views.notice_detail, name="notice"),
    path(
        "notices/<int:pk>/objections/<int:objection>/resolve/",
        notice_views.objection_resolve,
        name="objection_resolve",
    ),
]
