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
    path("rounds/<int:pk>/", views.round_page, name="round"),
    path("rounds/<int:pk>/apply/", views.apply, name="apply"),
    path("rounds/<int:pk>/pay/", views.pay, name="pay"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/letter.pdf", views.letter, name="letter"),
    path("applications/<int:pk>/<str:action>/", views.application_act, name="act"),
]
