"""Routes of the cases API (the web pages' routes are in pages.py)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from .api import CaseViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("cases", CaseViewSet, basename="case")

urlpatterns = [
    path("cases/export.xlsx", CaseViewSet.as_view({"get": "export"}), name="case-export-xlsx"),
    *router.urls,
]
