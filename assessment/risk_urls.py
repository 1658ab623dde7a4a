"""API routes of the village risk ratings (added to assessment/urls.py)."""

from django.urls import path

from . import risk_api

urlpatterns = [
    path("village-risks/", risk_api.VillageRiskListView.as_view(), name="village-risk-list"),
    path(
        "village-risks/<int:pk>/override/",
        risk_api.VillageRiskOverrideView.as_view(),
        name="village-risk-override",
    ),
    path(
        "village-risks/<int:pk>/visits/",
        risk_api.VillageVisitsView.as_view(),
        name="village-visits",
    ),
    path(
        "settings/<int:county_id>/risk-settings/",
        risk_api.RiskSettingsView.as_view(),
        name="risk-settings",
    ),
]
