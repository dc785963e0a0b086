from __future__ import annotations

from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("new/", views.batch_new, name="new"),
    path("<int:pk>/", views.batch_detail, name="detail"),
    path("<int:pk>/lines/", views.line_add, name="line_add"),
    path("<int:pk>/bank-file.xlsx", views.bank_file, name="bank_file"),
    path("<int:pk>/confirmations/", views.confirmations, name="confirmations"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
    path("lines/<int:pk>/<str:action>/", views.line_act, name="line_act"),
]
