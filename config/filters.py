"""Filter fields that turn any well-formed input into a value the database accepts, and any
other input into a 400 with a field message (never a 500)."""

import re
from datetime import UTC

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from config.errors import InvalidInput

MIN_YEAR, MAX_YEAR = 1900, 2200
# Row ids are PostgreSQL bigints (and SQLite integers): 1 … 2**63 - 1.
MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"^\d+$")


class SaneDateTimeField(forms.DateTimeField):
    """An ISO date-time within 1900–2200, normalised to UTC (PostgreSQL refuses offsets beyond
    ±15:59, which Python accepts)."""

    def to_python(self, value):
        result = super().to_python(value)
        if result is None:
            return None
        if not MIN_YEAR <= result.year <= MAX_YEAR:
            raise ValidationError(f"年份须在 {MIN_YEAR}–{MAX_YEAR} 之间。", code="out_of_range")
        if result.tzinfo is not None:
            result = result.astimezone(UTC)
        return result


class SaneDateTimeFilter(django_filters.DateTimeFilter):
    field_class = SaneDateTimeField


class IdField(forms.Field):
    """A row id: digits only, 1 … 2**63 - 1 (no sign, exponent, fraction or overflow)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not _DIGITS.match(text):
            raise ValidationError("须为正整数编号。", code="invalid")
        number = int(text)
        if not 1 <= number <= MAX_ID:
            raise ValidationError(f"编号须在 1–{MAX_ID} 之间。", code="out_of_range")
        return number


@extend_schema_field(OpenApiTypes.INT64)
class IdFilter(django_filters.Filter):
    """The one filter for a row id (`?parent=`, `?area=`, `?grid=`…): a bad value is a 400
    with a field message, never a database overflow."""

    field_class = IdField


def id_param(value, field: str, missing: str) -> int:
    """A required id from a query parameter, or InvalidInput (400) naming the field."""
    try:
        number = IdField(required=False).clean(value)
    except ValidationError as error:
        raise InvalidInput(error.messages[0], fields={field: error.messages})
    if number is None:
        raise InvalidInput(missing, fields={field: [missing]})
    return number
