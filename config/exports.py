"""Spreadsheet downloads: one content type, one response shape, one schema entry, and the escape
every user-typed cell goes through."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# `responses=` of an endpoint that answers a workbook.
XLSX_RESPONSES = {(200, XLSX): OpenApiTypes.BINARY}


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """The workbook as an attachment named `filename`."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def safe_cell(value):
    """A user-typed value made safe for a cell: text starting with = + - @ (or a tab or carriage
    return) would run as a formula in a spreadsheet program, so it is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
