"""Routes of the mediation records, included under /api/v1/ ahead of the main router so the
per-case record routes are never shadowed by case actions."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .api import committees, inspections, law, records, rewards, settings

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("committees", committees.CommitteeViewSet, basename="committee")
router.register("rewards", rewards.RewardViewSet, basename="reward")
router.register("inspections", inspections.InspectionViewSet, basename="inspection")

case = "cases/<int:case_id>/"

urlpatterns = [
    path(
        f"{case}sessions/",
        records.SessionViewSet.as_view({"get": "list", "post": "create"}),
        name="case-sessions",
    ),
    path(
        f"{case}sessions/<int:pk>/",
        records.SessionViewSet.as_view({"get": "retrieve"}),
        name="case-session-detail",
    ),
    path(
        f"{case}consultations/",
        records.ConsultationViewSet.as_view({"get": "list", "post": "create"}),
        name="case-consultations",
    ),
    path(
        f"{case}consultations/<int:pk>/",
        records.ConsultationViewSet.as_view({"get": "retrieve"}),
        name="case-consultation-detail",
    ),
    path(
        f"{case}consultations/<int:pk>/answer/",
        records.ConsultationViewSet.as_view({"post": "answer"}),
        name="case-consultation-answer",
    ),
    path(
        f"{case}agreement/",
        records.AgreementViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="case-agreement",
    ),
    path(
        f"{case}agreement/sign/",
        records.AgreementViewSet.as_view({"post": "sign"}),
        name="case-agreement-sign",
    ),
    path(
        f"{case}agreement.pdf",
        records.AgreementViewSet.as_view({"get": "pdf"}),
        name="case-agreement-pdf",
    ),
    path(
        f"{case}confirmation/",
        records.ConfirmationViewSet.as_view({"get": "retrieve"}),
        name="case-confirmation",
    ),
    path(
        f"{case}confirmation/apply/",
        records.ConfirmationViewSet.as_view({"post": "apply"}),
        name="case-confirmation-apply",
    ),
    path(
        f"{case}confirmation/result/",
        records.ConfirmationViewSet.as_view({"post": "result"}),
        name="case-confirmation-result",
    ),
    path(
        f"{case}confirmation/decline/",
        records.ConfirmationViewSet.as_view({"post": "decline"}),
        name="case-confirmation-decline",
    ),
    path(
        f"{case}follow-ups/",
        records.FollowUpViewSet.as_view({"get": "list", "post": "create"}),
        name="case-follow-ups",
    ),
    path(
        f"{case}follow-ups/route/",
        records.FollowUpViewSet.as_view({"post": "route"}),
        name="case-follow-ups-route",
    ),
    path(
        f"{case}file/",
        records.CaseFileViewSet.as_view({"get": "retrieve"}),
        name="case-file",
    ),
    path(
        f"{case}file/documents/",
        records.CaseFileViewSet.as_view({"post": "add_document"}),
        name="case-file-documents",
    ),
    path(
        f"{case}consents/",
        law.ConsentViewSet.as_view({"get": "list", "post": "create"}),
        name="case-consents",
    ),
    path("rewards/sheet.xlsx", rewards.RewardSheetExportView.as_view(), name="reward-sheet-xlsx"),
    path(
        "settings/<int:county_id>/reward-schedule/",
        settings.RewardScheduleView.as_view(),
        name="reward-schedule",
    ),
    path("", include(router.urls)),
]
