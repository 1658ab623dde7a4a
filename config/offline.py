"""The installable app's service worker, served from the site's root so that it may control
every page (the intake form and the queue, offline); its code is a static file
(static/js/sw.js), so no script is inline and the CSP holds."""

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def service_worker(request):
    """`/sw.js`: static/js/sw.js with the root scope allowed and no long caching (a new
    version reaches the phones at their next visit)."""
    path = finders.find("js/sw.js")
    if path is None:
        raise Http404
    with open(path, "rb") as handle:
        response = HttpResponse(handle.read(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
