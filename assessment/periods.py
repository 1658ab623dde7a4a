"""Assessment periods: "2026-10" (month), "2026-Q3" (quarter), "2026" (year), as local-time
half-open intervals."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from .choices import PeriodKind

PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4]))?$")


@dataclass(frozen=True)
class Period:
    """A month, quarter or year, with its local start and end dates."""

    key: str
    kind: str
    start_date: date
    end_date: date  # exclusive

    @property
    def start(self) -> datetime:
        return datetime.combine(self.start_date, datetime.min.time(), tzinfo=local_tz())

    @property
    def end(self) -> datetime:
        return datetime.combine(self.end_date, datetime.min.time(), tzinfo=local_tz())

    @property
    def label(self) -> str:
        year = self.start_date.year
        if self.kind == PeriodKind.MONTH:
            return f"{year}年{self.start_date.month}月"
        if self.kind == PeriodKind.QUARTER:
            return f"{year}年第{(self.start_date.month - 1) // 3 + 1}季度"
        return f"{year}年度"


def local_tz():
    return ZoneInfo(settings.TIME_ZONE)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_period(key: str) -> Period:
    """The period a key names; ValueError when it names none."""
    match = PERIOD_RE.match((key or "").strip())
    if not match:
        raise ValueError("周期格式应为 2026-10、2026-Q3 或 2026。")
    year = int(match.group(1))
    if year < 2000 or year > 2100:
        raise ValueError("年份超出范围。")
    if match.group(2):
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError("月份应为 01–12。")
        start = date(year, month, 1)
        return Period(f"{year}-{month:02d}", PeriodKind.MONTH, start, _add_months(start, 1))
    if match.group(3):
        quarter = int(match.group(3))
        start = date(year, 3 * (quarter - 1) + 1, 1)
        return Period(f"{year}-Q{quarter}", PeriodKind.QUARTER, start, _add_months(start, 3))
    return Period(str(year), PeriodKind.YEAR, date(year, 1, 1), date(year + 1, 1, 1))


def month_of(moment: datetime | None = None, *, offset: int = 0) -> Period:
    """The month containing `moment` (local time), shifted by `offset` months."""
    day = timezone.localtime(moment or timezone.now(), local_tz()).date()
    start = _add_months(day.replace(day=1), offset)
    return parse_period(f"{start.year}-{start.month:02d}")


def quarter_of(moment: datetime | None = None) -> Period:
    day = timezone.localtime(moment or timezone.now(), local_tz()).date()
    return parse_period(f"{day.year}-Q{(day.month - 1) // 3 + 1}")


def year_of(moment: datetime | None = None) -> Period:
    day = timezone.localtime(moment or timezone.now(), local_tz()).date()
    return parse_period(str(day.year))
