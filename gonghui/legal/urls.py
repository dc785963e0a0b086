from __future__ import annotations

from django.urls import path

from . import views

app_name = "legal"
urlpatterns = [
    path("", views.cases, name="cases"),
    path("new/", views.apply, name="apply"),
    path("from-ticket/<int:ticket_pk>/", views.from_ticket, name="from_ticket"),
    path("consultations/", views.consultations, name="consultations"),
    path("consultations/<int:pk>/", views.consultation, name="consultation"),
    path("consultations/<int:pk>/reply/", views.consultation_reply, name="consultation_reply"),
    path("consultations/<int:pk>/assign/", views.consultation_assign, name="consultation_assign"),
    path("consultations/<int:pk>/close/", views.consultation_close, name="consultation_close"),
    path("stations/", views.stations, name="stations"),
    path("stations/save/", views.station_save, name="station_save"),
    path("stations/<int:pk>/", views.station, name="station"),
    path("stations/<int:pk>/edit/", views.station_edit, name="station_edit"),
    path("stations/<int:pk>/staff/", views.station_staff, name="station_staff"),
    path("registry/<str:sheet>/export.<str:fmt>", views.registry_export, name="registry_export"),
    path("registry/<str:sheet>/template.xlsx", views.registry_template, name="registry_template"),
    path("registry/<str:sheet>/import/", views.registry_import, name="registry_import"),
    path("<int:pk>/", views.case, name="case"),
    path("<int:pk>/stages/", views.stage, name="stage"),
    path("<int:pk>/files/", views.attach, name="attach"),
    path("<int:pk>/files/<int:file_pk>/", views.case_file, name="file"),
    path("<int:pk>/letter.pdf", views.letter, name="letter"),
    path("<int:pk>/summary.pdf", views.summary, name="summary"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
]
