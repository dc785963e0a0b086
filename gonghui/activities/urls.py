from __future__ import annotations

from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("", views.home, name="home"),
    path("<int:pk>/", views.activity, name="activity"),
    path("<int:pk>/qr.svg", views.checkin_qr, name="checkin_qr"),
    path("import/template/", views.import_template, name="import_template"),
    path("<int:pk>/import/", views.import_signups, name="import"),
    path("<int:pk>/import/<int:job>/", views.import_job, name="import_job"),
    path("<int:pk>/import/<int:job>/errors.xlsx", views.import_errors, name="import_errors"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/photos/", views.photo_add, name="photo_add"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("signups/<int:pk>/<str:action>/", views.signup_act, name="signup_act"),
    path("teams/<int:pk>/", views.team, name="team"),
]
