from __future__ import annotations

from django.urls import path

from . import views

app_name = "ventures"
urlpatterns = [
    path("", views.home, name="home"),
    path("parks/<int:pk>/", views.park, name="park"),
    path("<int:pk>/", views.venture, name="venture"),
    path("<int:pk>/people/", views.person_add, name="person_add"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/nominate/", views.nominate, name="nominate"),
    path("people/<int:pk>/end/", views.person_end, name="person_end"),
    path("export/<str:table>.<str:fmt>", views.export, name="export"),
    path("template/<str:table>/", views.template, name="template"),
    path("import/<str:table>/", views.import_sheet, name="import"),
]
