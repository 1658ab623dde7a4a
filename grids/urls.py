"""Routes of the area API."""

from rest_framework.routers import DefaultRouter

from .api import AreaViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("areas", AreaViewSet, basename="area")

urlpatterns = router.urls
