"""Page routes of the village risk ratings (added to assessment/pages.py)."""

from django.urls import path

from . import risk_views

urlpatterns = [
    path("risk/villages/", risk_views.village_risks, name="village-risks"),
    path("risk/villages/<int:pk>/", risk_views.village_risk, name="village-risk"),
    path("settings/<int:county_id>/risk/", risk_views.risk_settings, name="settings-risk"),
]
