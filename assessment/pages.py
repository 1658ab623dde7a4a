"""Routes of the assessment web pages (the API's routes are in urls.py)."""

from django.urls import path

from . import settings_views, views
from .risk_pages import urlpatterns as risk_urlpatterns

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path(
        "settings/<int:county_id>/assessment/",
        settings_views.assessment_settings,
        name="settings-assessment",
    ),
]
urlpatterns += risk_urlpatterns
