"""Routes of the assessment API (the web pages' routes are in pages.py)."""

from django.urls import path

from .api import KpiBulletinView, KpiExportView, KpiView, RankingView
from .risk_urls import urlpatterns as risk_urlpatterns
from .settings_api import GradeThresholdsView, IndexWeightsView

urlpatterns = [
    path("kpis/", KpiView.as_view(), name="kpis"),
    path("kpis/export.xlsx", KpiExportView.as_view(), name="kpis-export"),
    path("kpis/bulletin.xlsx", KpiBulletinView.as_view(), name="kpis-bulletin"),
    path("rankings/", RankingView.as_view(), name="rankings"),
    path(
        "settings/<int:county_id>/index-weights/", IndexWeightsView.as_view(), name="index-weights"
    ),
    path(
        "settings/<int:county_id>/grade-thresholds/",
        GradeThresholdsView.as_view(),
        name="grade-thresholds",
    ),
]
urlpatterns += risk_urlpatterns
