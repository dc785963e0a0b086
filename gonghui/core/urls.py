from __future__ import annotations

from django.urls import path

from . import notice_views, views

urlpatterns = [
    path("audit/", views.audit, name="audit"),
    path("pick/<slug:kind>/", views.pick, name="pick"),
    path("notices/", notice_views.notice_list, name="notices"),
    path("notices/<int:pk>/", notice_views.notice_detail, name="notice"),
    path(
        "notices/<int:pk>/objections/<int:objection>/resolve/",
        notice_views.objection_resolve,
        name="objection_resolve",
    ),
]
