"""Routes of the supervision API, included under /api/v1/ (the pages' routes are in pages.py)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("supervisions", api.SupervisionViewSet, basename="supervision")
router.register("letters", api.LetterViewSet, basename="letter")

urlpatterns = [
    path(
        "letters/<int:pk>/file.pdf",
        api.LetterViewSet.as_view({"get": "file"}),
        name="letter-file",
    ),
    path("", include(router.urls)),
]
