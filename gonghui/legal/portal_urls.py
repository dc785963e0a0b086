from __future__ import annotations

from django.urls import path

from . import views

app_name = "legal_portal"
urlpatterns = [
    path("", views.portal_home, name="home"),
    path("apply/", views.portal_apply, name="apply"),
    path("ask/", views.portal_ask, name="ask"),
    path("cases/<int:pk>/", views.portal_case, name="case"),
    path("cases/<int:pk>/files/", views.portal_attach, name="attach"),
    path("cases/<int:pk>/files/<int:file_pk>/", views.portal_file, name="file"),
    path("cases/<int:pk>/rate/", views.portal_rate, name="rate"),
    path("cases/<int:pk>/<str:action>/", views.portal_step, name="step"),
    path("consultations/<int:pk>/", views.portal_consultation, name="consultation"),
    path(
        "consultations/<int:pk>/reply/", views.portal_consultation_reply, name="consultation_reply"
    ),
    path(
        "consultations/<int:pk>/close/", views.portal_consultation_close, name="consultation_close"
    ),
]
