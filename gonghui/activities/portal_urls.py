from __future__ import annotations

from django.urls import path

from . import views

app_name = "activities_portal"
urlpatterns = [
    path("", views.portal_list, name="list"),
    path("<int:pk>/", views.portal_activity, name="activity"),
    path("checkin/<str:token>/", views.portal_checkin, name="checkin"),
]
