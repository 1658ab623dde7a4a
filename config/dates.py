"""Bounded parsing of the month and date parameters every app takes, so an out-of-range value
(year 0, month 13, year 99999) is a 400 with a message, never a ValueError or a database
overflow further in."""

import re
from datetime import date

from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from .filters import MAX_YEAR, MIN_YEAR

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
MONTH_MESSAGE = "月份格式应为 YYYY-MM。"


def parse_month(value) -> date:
    """`2026-11` → date(2026, 11, 1); ValueError (with a Chinese message) for anything else,
    a year outside MIN_YEAR–MAX_YEAR included."""
    if isinstance(value, date):
        day = value.replace(day=1)
    else:
        match = MONTH_RE.match(str(value or "").strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(MONTH_MESSAGE)
        day = date(int(match.group(1)), int(match.group(2)), 1)
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(f"年份须在 {MIN_YEAR}–{MAX_YEAR} 之间。")
    return day


class BoundedDateTimeField(serializers.DateTimeField):
    """DRF's date-time within MIN_YEAR–MAX_YEAR: a year 9999 with a -23:59 offset, or year 1,
    is a field error instead of an OverflowError in the time-zone arithmetic or the database."""

    default_error_messages = {"out_of_range": f"年份须在 {MIN_YEAR}–{MAX_YEAR} 之间。"}

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and not MIN_YEAR <= parsed.year <= MAX_YEAR:
                self.fail("out_of_range")
        try:
            result = super().to_internal_value(value)
        except OverflowError:
            self.fail("out_of_range")
        if not MIN_YEAR <= result.year <= MAX_YEAR:
            self.fail("out_of_range")
        return result
