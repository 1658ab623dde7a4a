"""Routes of the mediation web pages (the API's routes are in urls.py)."""

from django.urls import path

from . import settings_views, views

urlpatterns = [
    path("inspections/", views.inspections, name="inspections"),
    path("inspections/submit/", views.inspection_submit, name="inspection-submit"),
    path(
        "settings/<int:county_id>/rewards/", settings_views.reward_settings, name="settings-rewards"
    ),
]
