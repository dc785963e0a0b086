from __future__ import annotations

from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("places/", views.place_list, name="list"),
    path("places/map/", views.place_map, name="map"),
    path("places/new/", views.place_create, name="create"),
    path("places/export/", views.export_places, name="export"),
    path("places/import/", views.import_places, name="import"),
    path("places/import/template/", views.import_template, name="template"),
    path("places/import/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
    path("places/reviews/", views.review_list, name="reviews"),
    path("places/reviews/<int:pk>/", views.review_detail, name="review"),
    path("places/reviews/<int:pk>/assess/", views.review_assess, name="review_assess"),
    path("places/reviews/<int:pk>/evidence/", views.review_evidence, name="review_evidence"),
    path(
        "places/reviews/<int:pk>/evidence/<int:evidence_id>/",
        views.evidence_file,
        name="evidence_file",
    ),
    path("places/reviews/<int:pk>/<slug:action>/", views.review_step, name="review_step"),
    path("places/<int:pk>/", views.place_detail, name="detail"),
    path("places/<int:pk>/edit/", views.place_edit, name="edit"),
    path("places/<int:pk>/qr.svg", views.place_qr, name="qr"),
    path("places/<int:pk>/door.pdf", views.place_door, name="door"),
    path("places/<int:pk>/reviews/", views.review_start, name="review_start"),
    path("portal/places/", views.portal_find, name="portal_find"),
    path("portal/places/p/<str:place_code>/", views.portal_place, name="portal_place"),
]
