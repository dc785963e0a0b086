from __future__ import annotations

from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("card/", views.card, name="card"),
]
