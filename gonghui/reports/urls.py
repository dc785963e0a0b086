from __future__ import annotations

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.summary, name="summary"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("figures/<str:key>/", views.figure_detail, name="figure"),
    path("download.xlsx", views.download_xlsx, name="xlsx"),
    path("download.pdf", views.download_pdf, name="pdf"),
]
