from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api import MeView, TokenView, UserViewSet
from accounts.audit import AuditView
from assessment.api import KpiBulletinView, KpiExportView, KpiView, RankingView
from cases.api import CaseViewSet
from config.health import healthz
from grids.api import AreaViewSet
from notifications.api import NotificationViewSet

router = DefaultRouter()
router.register("areas", AreaViewSet, basename="area")
router.register("users", UserViewSet, basename="user")
router.register("cases", CaseViewSet, basename="case")
router.register("notifications", NotificationViewSet, basename="notification")

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("me/", MeView.as_view(), name="me"),
    path("audit/", AuditView.as_view(), name="audit"),
    path("cases/export.xlsx", CaseViewSet.as_view({"get": "export"}), name="case-export-xlsx"),
    path("kpis/", KpiView.as_view(), name="kpis"),
    path("kpis/export.xlsx", KpiExportView.as_view(), name="kpis-export"),
    path("kpis/bulletin.xlsx", KpiBulletinView.as_view(), name="kpis-bulletin"),
    path("rankings/", RankingView.as_view(), name="rankings"),
    path("", include("mediation.urls")),
    path("", include(router.urls)),
]

# The web pages (server-rendered, session login), in the "web" namespace: `web:case-list` and
# `web:case-detail` are pages, while the bare names belong to the API router.
web_pages = [
    path("", include("accounts.urls")),
    path("", include("cases.urls")),
    path("", include("mediation.page_urls")),
    path("", include("assessment.urls")),
]

admin.site.site_header = "矛盾纠纷调解案件管理系统"
admin.site.site_title = "调解案件管理"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("", include((web_pages, "web"))),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
