"""Routes of the assessment API (the web pages' routes are in pages.py)."""

from django.urls import path

from .api import KpiBulletinView, KpiExportView, KpiView, RankingView

urlpatterns = [
    path("kpis/", KpiView.as_view(), name="kpis"),
    path("kpis/export.xlsx", KpiExportView.as_view(), name="kpis-export"),
    path("kpis/bulletin.xlsx", KpiBulletinView.as_view(), name="kpis-bulletin"),
    path("rankings/", RankingView.as_view(), name="rankings"),
]
