from __future__ import annotations

from django.urls import path

from . import views

app_name = "bargaining"
urlpatterns = [
    path("", views.home, name="home"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("campaigns/<int:pk>/offer/", views.campaign_offer, name="campaign_offer"),
    path("campaigns/<int:pk>/codes/", views.campaign_codes, name="campaign_codes"),
    path("campaigns/<int:pk>/letters/", views.campaign_letters, name="campaign_letters"),
    path("campaigns/<int:pk>/export/", views.campaign_export, name="campaign_export"),
    path("letters/<int:pk>/", views.batch, name="batch"),
    path("letters/<int:pk>/download/", views.batch_download, name="batch_download"),
    path("threads/<int:pk>/", views.thread, name="thread"),
    path("threads/<int:pk>/letter.pdf", views.thread_letter, name="thread_letter"),
    path("threads/<int:pk>/<slug:action>/", views.thread_step, name="thread_step"),
    path("contracts/", views.contracts, name="contracts"),
    path("contracts/import/", views.contracts_import, name="contracts_import"),
    path("contracts/template.xlsx", views.contracts_template, name="contracts_template"),
    path("contracts/<int:pk>/", views.contract, name="contract"),
    path("request/", views.member_request, name="request"),
]
