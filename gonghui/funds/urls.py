from __future__ import annotations

from django.urls import path

from . import views

app_name = "funds"
urlpatterns = [
    path("", views.home, name="home"),
    path("ledger/", views.ledger, name="ledger"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("sizes/", views.size_form, name="sizes"),
    path("sizes/template.xlsx", views.size_template, name="size_template"),
    path("sizes/export.<str:fmt>", views.size_export, name="size_export"),
    path("sizes/import/", views.size_import, name="size_import_new"),
    path("sizes/imports/<int:pk>/", views.size_import_detail, name="size_import"),
    path("sizes/imports/<int:pk>/rejected.xlsx", views.size_rejected, name="size_rejected"),
    path("ledger/<int:pk>/reverse/", views.line_reverse, name="line_reverse"),
    path("rounds/<int:pk>/", views.round_page, name="round"),
    path("rounds/<int:pk>/apply/", views.apply, name="apply"),
    path("rounds/<int:pk>/pay/", views.pay, name="pay"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/letter.pdf", views.letter, name="letter"),
    path("applications/<int:pk>/<str:action>/", views.application_act, name="act"),
]
