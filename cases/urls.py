"""Routes of the cases API (the web pages' routes are in pages.py)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from .api import CaseViewSet
from .police_api import PoliceReceiptView, PoliceReportView, RiskRaiseView
from .referral_api import AgencyListView, CaseReferView, ReferralViewSet
from .settings_api import CalendarOverrideDetailView, CalendarOverrideListView, SlaPolicyView

router = DefaultRouter()
router.include_root_view = False
router.register("cases", CaseViewSet, basename="case")
router.register("referrals", ReferralViewSet, basename="referral")

urlpatterns = [
    path("cases/export.xlsx", CaseViewSet.as_view({"get": "export"}), name="case-export-xlsx"),
    path("cases/<int:pk>/refer/", CaseReferView.as_view(), name="case-refer"),
    path("agencies/", AgencyListView.as_view(), name="agency-list"),
    path("settings/<int:county_id>/sla-policy/", SlaPolicyView.as_view(), name="sla-policy"),
    path("calendar-overrides/", CalendarOverrideListView.as_view(), name="calendar-override-list"),
    path(
        "calendar-overrides/<int:pk>/",
        CalendarOverrideDetailView.as_view(),
        name="calendar-override-detail",
    ),
    path(
        "cases/<int:case_id>/police-report/",
        PoliceReportView.as_view(),
        name="case-police-report",
    ),
    path(
        "cases/<int:case_id>/police-report/receipt/",
        PoliceReceiptView.as_view(),
        name="case-police-receipt",
    ),
    path("cases/<int:case_id>/risk/", RiskRaiseView.as_view(), name="case-risk"),
    *router.urls,
]
