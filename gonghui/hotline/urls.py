from __future__ import annotations

from django.urls import path

from . import views

app_name = "hotline"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.create, name="create"),
    path("export.<str:fmt>", views.queue_export, name="export"),
    path("import/", views.import_page, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/rejected.xlsx", views.import_errors, name="import_errors"),
    path("stats/", views.stats_page, name="stats"),
    path("stats/export.xlsx", views.stats_export, name="stats_export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/files/", views.attach, name="attach"),
    path("<int:pk>/files/<int:file_pk>/", views.attachment, name="attachment"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
]
