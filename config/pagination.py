"""Pagination that never counts the whole table: it fetches one row more than a page."""

from collections import OrderedDict

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class PageNumberNoCountPagination(BasePagination):
    """`?page=N&page_size=M`; answers `next`/`previous` links and the rows, no total count."""

    page_size = 20
    max_page_size = 200
    max_page = 10_000
    page_query_param = "page"
    page_size_query_param = "page_size"

    def _int_param(self, request, name, default, maximum):
        """The parameter as an integer in 1..maximum, its default when absent; anything else is
        a 400 naming it (the schema says the same bounds)."""
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or not 1 <= value <= maximum:
            raise ValidationError({name: [f"须为 1–{maximum} 之间的整数。"]})
        return value

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size_value = self._int_param(
            request, self.page_size_query_param, self.page_size, self.max_page_size
        )
        self.page_number = self._int_param(request, self.page_query_param, 1, self.max_page)
        offset = (self.page_number - 1) * self.page_size_value
        rows = list(queryset[offset : offset + self.page_size_value + 1])
        self.has_next = len(rows) > self.page_size_value
        return rows[: self.page_size_value]

    def get_next_link(self):
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.page_number + 1)

    def get_previous_link(self):
        if self.page_number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.page_number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.page_number - 1)

    def get_paginated_response(self, data):
        return Response(
            OrderedDict(
                [
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("page", self.page_number),
                    ("page_size", self.page_size_value),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "page": {"type": "integer"},
                "page_size": {"type": "integer"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
