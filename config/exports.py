"""Spreadsheet downloads: one content type, one response shape, one schema entry."""

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
