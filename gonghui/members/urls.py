from __future__ import annotations

from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.roster, name="roster"),
    path("export.<str:fmt>", views.export, name="export"),
    path("new/", views.create, name="create"),
    path("import/", views.import_page, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("import/<int:pk>/retry/", views.import_retry, name="import_retry"),
    path("import/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
    path("lookup/", views.lookup, name="lookup"),
    path("transfer/", views.transfer, name="transfer"),
    path("transfer/<int:pk>/<str:step>/", views.transfer_decide, name="transfer_decide"),
    path("applications/", views.applications, name="applications"),
    path("applications/<int:pk>/approve/", views.application_approve, name="approve"),
    path("applications/<int:pk>/reject/", views.application_reject, name="reject"),
    path("orgs/", views.org_options, name="org_options"),
    path("homes/", views.homes, name="homes"),
    path("qr/<str:code>/", views.qr, name="qr"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/account/", views.portal_account, name="account"),
]
