from __future__ import annotations

from django.urls import path

from . import views

app_name = "governance"
urlpatterns = [
    path("", views.index, name="index"),
    path("committees/new/", views.committee_new, name="committee_new"),
    path("committees/<int:pk>/", views.committee, name="committee"),
    path("committees/<int:pk>/seats/", views.seat_new, name="seat_new"),
    path("committees/<int:pk>/seats/<int:seat_pk>/end/", views.seat_end, name="seat_end"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("meetings/<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("meetings/<int:pk>/qr.svg", views.checkin_qr, name="checkin_qr"),
    path("meetings/<int:pk>/<str:action>/", views.meeting_act, name="meeting_act"),
    path("elections/<int:pk>/", views.election, name="election"),
    path("elections/<int:pk>/result.pdf", views.result_pdf, name="result_pdf"),
    path("rounds/<int:pk>/ballots.pdf", views.ballots_pdf, name="ballots_pdf"),
    path("elections/<int:pk>/<str:action>/", views.election_act, name="election_act"),
    # the member's phone: meetings to check in to, the QR target, the secret vote
    path("my/", views.portal_meetings, name="portal_meetings"),
    path("checkin/<str:token>/", views.portal_checkin, name="portal_checkin"),
    path("vote/<int:pk>/", views.portal_vote, name="portal_vote"),
]
