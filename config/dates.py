"""Bounded parsing of the month and date parameters every app takes, so an out-of-range value
(year 0, month 13, year 99999) is a 400 with a message, never a ValueError or a database
overflow further in."""

import re
from datetime import date

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
