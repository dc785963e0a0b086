from __future__ import annotations

from django.urls import path

from . import views

app_name = "office"
urlpatterns = [
    path("", views.home, name="home"),
    path("documents/", views.documents, name="documents"),
    path("documents/new/", views.document_new, name="document_new"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/edit/", views.document_edit, name="document_edit"),
    path("documents/<int:pk>/attach/", views.document_attach, name="document_attach"),
    path("documents/<int:pk>/distribute/", views.document_distribute, name="document_distribute"),
    path("documents/<int:pk>/sign/", views.document_sign, name="document_sign"),
    path("documents/<int:pk>/remind/", views.document_remind, name="document_remind"),
    path("documents/<int:pk>/step/<slug:action>/", views.document_step, name="document_step"),
    path("documents/<int:pk>/files/<int:file_pk>/", views.document_file, name="document_file"),
    path("chains/", views.chains, name="chains"),
    path("incoming/", views.incoming, name="incoming"),
    path("incoming/<int:pk>/", views.incoming_detail, name="incoming_detail"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("calls/", views.calls, name="calls"),
    path("calls/<int:pk>/", views.call, name="call"),
    path("calls/<int:pk>/template.xlsx", views.call_template, name="call_template"),
    path("calls/<int:pk>/merged.xlsx", views.call_merged, name="call_merged"),
    path("calls/<int:pk>/remind/", views.call_remind, name="call_remind"),
    path("submissions/<int:pk>/", views.submission, name="submission"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/evidence/", views.task_evidence, name="task_evidence"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/qr.svg", views.meeting_qr, name="meeting_qr"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes_file, name="meeting_minutes"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
    path("portal/notices/", views.portal_notices, name="portal_notices"),
]
