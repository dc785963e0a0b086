"""The worker's assistance pages under ``/portal/assistance/``."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "assistance_portal"
urlpatterns = [
    path("", views.portal_home, name="home"),
    path("check/", views.portal_check, name="check"),
    path("apply/", views.portal_apply, name="apply"),
    path("<int:pk>/", views.portal_detail, name="detail"),
    path("<int:pk>/files/<int:file_pk>/", views.portal_attachment, name="attachment"),
]
