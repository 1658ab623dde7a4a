"""The API's documentation pages under the site's CSP: Swagger UI with its start-up script
served as a file (no inline script), ReDoc from the project's template (no outside fonts, see
templates/drf_spectacular/redoc.html). OPTIONS answers the allowed methods: the pages are
templates and have no JSON metadata to render."""

from django.http import HttpResponse
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class _PageOptions:
    def options(self, request, *args, **kwargs):
        response = HttpResponse(status=200)
        response["Allow"] = ", ".join(self.allowed_methods)
        return response


class SwaggerView(_PageOptions, SpectacularSwaggerSplitView):
    pass


class RedocView(_PageOptions, SpectacularRedocView):
    pass
