"""Filter fields that turn any well-formed input into a value the database accepts."""

from datetime import UTC

import django_filters
from django import forms
from django.core.exceptions import ValidationError

MIN_YEAR, MAX_YEAR = 1900, 2200


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
