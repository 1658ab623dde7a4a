"""Routes of the accounts API (the web pages' routes are in pages.py)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from .api import AreaViewSet, AuditView, MeView, TokenView, UserViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("users", UserViewSet, basename="user")
router.register("areas", AreaViewSet, basename="area")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("me/", MeView.as_view(), name="me"),
    path("audit/", AuditView.as_view(), name="audit"),
    *router.urls,
]
