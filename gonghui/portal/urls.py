from __future__ import annotations

from django.urls import path

from gonghui.core import notice_views

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("card/", views.card, name="card"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:pk>/confirm/", views.transfer_confirm, name="transfer_confirm"),
    path("notices/", notice_views.portal_notices, name="notices"),
    path("notices/<int:pk>/", notice_views.portal_notice, name="notice"),
    path("hotline/", views.hotline, name="hotline"),
    path("hotline/new/", views.hotline_new, name="hotline_new"),
    path("hotline/<int:pk>/", views.hotline_detail, name="hotline_detail"),
    path("hotline/<int:pk>/rate/", views.hotline_rate, name="hotline_rate"),
]
