from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import APIRootView

from config.docs import RedocView, SwaggerView
from config.health import healthz
from config.offline import service_worker
from config.throttling import login_throttled

# The API root lists the collections of every app (each app's urls.py holds its API routes,
# its pages.py its web pages).
api_root = APIRootView.as_view(
    api_root_dict={
        "areas": "area-list",
        "users": "user-list",
        "cases": "case-list",
        "notifications": "notification-list",
        "committees": "committee-list",
        "rewards": "reward-list",
        "inspections": "inspection-list",
        "consultation-days": "consultation-day-list",
        "volunteers": "volunteer-list",
        "duty-shifts": "duty-shift-list",
        "campaigns": "campaign-list",
        "supervisions": "supervision-list",
        "letters": "letter-list",
    }
)

api_v1 = [
    path("", api_root, name="api-root"),
    path("", include("accounts.urls")),
    path("", include("assessment.urls")),
    path("", include("supervision.urls")),
    # The mediation records' per-case routes come before the case actions, never shadowed.
    path("", include("mediation.urls")),
    path("", include("community.urls")),
    path("", include("cases.urls")),
    path("", include("notifications.urls")),
]

# The web pages (server-rendered, session login), in the "web" namespace: `web:case-list` and
# `web:case-detail` are pages, while the bare names belong to the API.
web_pages = [
    path("", include("accounts.pages")),
    path("", include("notifications.pages")),
    path("", include("cases.pages")),
    path("", include("mediation.pages")),
    path("", include("community.pages")),
    path("", include("assessment.pages")),
    path("", include("supervision.pages")),
]

admin.site.site_header = "矛盾纠纷调解案件管理系统"
admin.site.site_title = "调解案件管理"
admin.site.index_title = "系统管理"
# The admin's sign-in form counts against the same per-address limit as the others.
admin.site.login = login_throttled(admin.site.login)

# ReDoc builds its search index in a worker made from a blob.
api_docs = SwaggerView.as_view(url_name="schema")
api_redoc = csp_update({"worker-src": ["'self'", "blob:"]})(RedocView.as_view(url_name="schema"))

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("sw.js", service_worker, name="service-worker"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("api/redoc/", api_redoc, name="api-redoc"),
    path("", include((web_pages, "web"))),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
