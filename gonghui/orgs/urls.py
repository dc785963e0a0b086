from __future__ import annotations

from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    # "_" never occurs in an org code, so this cannot shadow an org's page
    path("_search/", views.search, name="search"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/children/", views.children, name="children"),
    path("<str:code>/new/", views.create, name="create"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/move/", views.move, name="move"),
    path("<str:code>/deactivate/", views.deactivate, name="deactivate"),
    path("<str:code>/reactivate/", views.reactivate, name="reactivate"),
]
