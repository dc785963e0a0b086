from __future__ import annotations

from django.urls import path

from . import views

app_name = "assistance"
urlpatterns = [
    path("", views.files, name="files"),
    path("new/", views.create, name="create"),
    path("export.xlsx", views.files_export, name="files_export"),
    path("grants/", views.grants, name="grants"),
    path("grants/<int:pk>/", views.grant, name="grant"),
    path("grants/<int:pk>/<str:action>/", views.grant_act, name="grant_act"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/template.xlsx", views.campaign_template, name="campaign_template"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("campaigns/<int:pk>/export.xlsx", views.campaign_export, name="campaign_export"),
    path("campaigns/<int:pk>/rejected.xlsx", views.campaign_rejected, name="campaign_rejected"),
    path("campaigns/<int:pk>/<str:action>/", views.campaign_act, name="campaign_act"),
    path("dibao/", views.dibao, name="dibao"),
    path("dibao/import/", views.dibao_import, name="dibao_import"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/files/", views.attach, name="attach"),
    path("<int:pk>/files/<int:file_pk>/", views.attachment, name="attachment"),
    path("<int:pk>/grant/", views.grant_create, name="grant_create"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
]
