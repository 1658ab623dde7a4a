"""Routes of the village self-governance API, included under /api/v1/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("consultation-days", api.ConsultationDayViewSet, basename="consultation-day")
router.register("volunteers", api.VolunteerViewSet, basename="volunteer")
router.register("duty-shifts", api.DutyShiftViewSet, basename="duty-shift")
router.register("campaigns", api.CampaignViewSet, basename="campaign")

urlpatterns = [
    path(
        "consultation-items/<int:pk>/case/",
        api.ConsultationItemCaseView.as_view(),
        name="consultation-item-case",
    ),
    path("duty-log/<int:pk>/case/", api.DutyLogCaseView.as_view(), name="duty-log-case"),
    path("grids/<int:grid_id>/duty-team/", api.DutyTeamView.as_view(), name="grid-duty-team"),
    path("villages/<int:village_id>/rota/", api.RotaView.as_view(), name="village-rota"),
    path(
        "villages/<int:village_id>/rota/generate/",
        api.RotaGenerateView.as_view(),
        name="village-rota-generate",
    ),
    path("", include(router.urls)),
]
