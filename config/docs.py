"""The API's documentation pages under the site's CSP: Swagger UI with its start-up script
served as a file (no inline script), ReDoc from the project's template (no outside fonts, see
templates/drf_spectacular/redoc.html). OPTIONS answers the allowed methods: the pages are
templates and have no JSON metadata to render."""

from functools import lru_cache

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
# The bundle's side menu shows the vendor's logo from its CDN, whatever the options: it is
# replaced by an empty image, so the page fetches nothing from outside (and the CSP has no
# violation to report).
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_IMAGE = "data:image/gif;base64,R0lGODlhAQABAAAAACw="


@lru_cache(maxsize=1)
def redoc_bundle() -> bytes:
    with open(finders.find(REDOC_BUNDLE), "rb") as bundle:
        return bundle.read().replace(REDOC_LOGO.encode(), EMPTY_IMAGE.encode())


class _PageOptions:
    def options(self, request, *args, **kwargs):
        response = HttpResponse(status=200)
        response["Allow"] = ", ".join(self.allowed_methods)
        return response


class SwaggerView(_PageOptions, SpectacularSwaggerSplitView):
    pass


class RedocView(_PageOptions, SpectacularRedocView):
    """The page, and at `?bundle` ReDoc's script with nothing in it that reaches outside."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if "bundle" in request.GET:
            response = HttpResponse(redoc_bundle(), content_type="application/javascript")
            response["Cache-Control"] = "public, max-age=86400"
            return response
        return super().get(request, *args, **kwargs)

    def _redoc_standalone(self):
        return f"{self.request.path}?bundle"
