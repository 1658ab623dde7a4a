"""Routes of the mediation records, included under /api/v1/ ahead of the main router so the
per-case record routes are never shadowed by case actions."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("committees", api.CommitteeViewSet, basename="committee")
router.register("rewards", api.RewardViewSet, basename="reward")
router.register("inspections", api.InspectionViewSet, basename="inspection")

case = "cases/<int:case_id>/"

urlpatterns = [
    path(
        f"{case}sessions/",
        api.SessionViewSet.as_view({"get": "list", "post": "create"}),
        name="case-sessions",
    ),
    path(
        f"{case}sessions/<int:pk>/",
        api.SessionViewSet.as_view({"get": "retrieve"}),
        name="case-session-detail",
    ),
    path(
        f"{case}consultations/",
        api.ConsultationViewSet.as_view({"get": "list", "post": "create"}),
        name="case-consultations",
    ),
    path(
        f"{case}consultations/<int:pk>/",
        api.ConsultationViewSet.as_view({"get": "retrieve"}),
        name="case-consultation-detail",
    ),
    path(
        f"{case}consultations/<int:pk>/answer/",
        api.ConsultationViewSet.as_view({"post": "answer"}),
        name="case-consultation-answer",
    ),
    path(
        f"{case}agreement/",
        api.AgreementViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="case-agreement",
    ),
    path(
        f"{case}agreement/sign/",
        api.AgreementViewSet.as_view({"post": "sign"}),
        name="case-agreement-sign",
    ),
    path(
        f"{case}agreement.pdf",
        api.AgreementViewSet.as_view({"get": "pdf"}),
        name="case-agreement-pdf",
    ),
    path(
        f"{case}confirmation/",
        api.ConfirmationViewSet.as_view({"get": "retrieve"}),
        name="case-confirmation",
    ),
    path(
        f"{case}confirmation/apply/",
        api.ConfirmationViewSet.as_view({"post": "apply"}),
        name="case-confirmation-apply",
    ),
    path(
        f"{case}confirmation/result/",
        api.ConfirmationViewSet.as_view({"post": "result"}),
        name="case-confirmation-result",
    ),
    path(
        f"{case}confirmation/decline/",
        api.ConfirmationViewSet.as_view({"post": "decline"}),
        name="case-confirmation-decline",
    ),
    path(
        f"{case}follow-ups/",
        api.FollowUpViewSet.as_view({"get": "list", "post": "create"}),
        name="case-follow-ups",
    ),
    path(
        f"{case}file/",
        api.CaseFileViewSet.as_view({"get": "retrieve"}),
        name="case-file",
    ),
    path(
        f"{case}file/documents/",
        api.CaseFileViewSet.as_view({"post": "add_document"}),
        name="case-file-documents",
    ),
    path("rewards/sheet.xlsx", api.RewardSheetExportView.as_view(), name="reward-sheet-xlsx"),
    path("", include(router.urls)),
]
