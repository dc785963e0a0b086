from __future__ import annotations

from django.urls import path

from . import views

app_name = "honors"
urlpatterns = [
    path("", views.rounds, name="rounds"),
    path("new/", views.round_new, name="round_new"),
    path("roll/", views.roll, name="roll"),
    path("competitions/", views.competitions, name="competitions"),
    path("competitions/<int:pk>/", views.competition_detail, name="competition"),
    path("competitions/<int:pk>/scores/", views.competition_scores, name="competition_scores"),
    path("competitions/<int:pk>/<str:action>/", views.competition_act, name="competition_act"),
    path("model-workers/", views.model_workers, name="model_workers"),
    path("model-workers/new/", views.model_worker_new, name="model_worker_new"),
    path("model-workers/import/", views.model_workers_import, name="model_workers_import"),
    path("model-workers/<int:pk>/", views.model_worker_detail, name="model_worker"),
    path("model-workers/<int:pk>/<str:action>/", views.model_worker_act, name="model_worker_act"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination"),
    path("nominations/<int:pk>/files/<int:file_pk>/", views.material, name="material"),
    path("nominations/<int:pk>/<str:action>/", views.nomination_act, name="nomination_act"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/allot/", views.round_allot, name="allot"),
    path("<int:pk>/nominate/", views.nominate, name="nominate"),
    path("<int:pk>/nominees.xlsx", views.nominees_export, name="nominees_export"),
    path("<int:pk>/certificates.pdf", views.certificates, name="certificates"),
    path("<int:pk>/steps/<str:step>/", views.round_step, name="step"),
    path("<int:pk>/import/<str:what>/", views.round_import, name="import"),
]
