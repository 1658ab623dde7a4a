"""Refuse NUL and other control characters in text parameters before any view sees them.

PostgreSQL cannot store NUL in text, and no form or filter of this system means a control
character; a query string or form field carrying one is a client error (400) on every page and
every API route, answered the same way everywhere.
"""

import re

from django.http import HttpResponse, JsonResponse

# C0 controls and DEL; tab, line feed and carriage return are ordinary in text areas.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MESSAGE = "参数含有不允许的控制字符。"


def bad_parameters(request) -> list[str]:
    """Names of the query and form parameters whose name or value holds a control character."""
    sources = [request.GET]
    if request.method == "POST" and request.content_type in FORM_TYPES:
        sources.append(request.POST)
    bad = []
    for source in sources:
        for name, values in source.lists():
            if CONTROL.search(name) or any(CONTROL.search(value) for value in values):
                bad.append(CONTROL.sub("?", name))
    return bad


class RefuseControlCharacters:
    """A 400 with the offending parameters named, JSON under /api/, a short page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = bad_parameters(request)
        if not bad:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {name: [MESSAGE] for name in bad} | {"detail": MESSAGE, "code": "invalid"},
                status=400,
            )
        return HttpResponse(
            "<!doctype html><html lang='zh-hans'><meta charset='utf-8'><title>请求无效</title>"
            f"<body><h1>请求无效</h1><p>{MESSAGE}</p></body></html>",
            status=400,
        )
