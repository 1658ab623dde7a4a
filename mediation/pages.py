"""Routes of the mediation web pages (the API's routes are in urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("inspections/", views.inspections, name="inspections"),
    path("inspections/submit/", views.inspection_submit, name="inspection-submit"),
]
