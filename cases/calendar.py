"""The Chinese working-day calendar: official holidays and make-up workdays (调休).

Which days are working days, in order of precedence:

1. a `CalendarOverride` row (admin-edited: a year the library does not know yet, a local
   holiday);
2. the `chinese_calendar` package (the State Council's yearly notice);
3. Monday to Friday, with a logged warning, for a year the package does not cover.

Deadline arithmetic, in the local time zone (settings.TIME_ZONE, Asia/Shanghai):

- `add_working_days(start, n)`: the same local wall-clock time on the n-th working day after
  the local date of `start`. The start day itself never counts, whether or not it is a working
  day: reported Friday 10:00, 1 working day is Monday 10:00; reported Saturday 10:00, also
  Monday 10:00. n = 0 returns `start`.
- `working_days_between(a, b)`: the number of working days d with date(a) < d ≤ date(b)
  (negative when b is before a), so `working_days_between(a, add_working_days(a, n)) == n`.
- `add_hours(start, h)`: calendar hours, for red-risk deadlines.
"""

import logging
import threading
import time as time_module
from datetime import date, datetime, timedelta

import chinese_calendar
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

logger = logging.getLogger(__name__)

# Overrides are read per year and kept this long in each process; an edit in this process
# clears the cache at once (signal below), other processes see it within this time.
OVERRIDE_CACHE_SECONDS = 300

_lock = threading.Lock()
_overrides: dict[int, tuple[float, dict[date, bool]]] = {}
_warned_years: set[int] = set()


def _overrides_for_year(year: int) -> dict[date, bool]:
    now = time_module.monotonic()
    with _lock:
        cached = _overrides.get(year)
        if cached is not None and now - cached[0] < OVERRIDE_CACHE_SECONDS:
            return cached[1]
    from .models import CalendarOverride

    days = dict(CalendarOverride.objects.filter(date__year=year).values_list("date", "is_workday"))
    with _lock:
        _overrides[year] = (now, days)
    return days


def clear_override_cache(**kwargs):
    """Forget cached overrides (called when an override is saved or deleted)."""
    with _lock:
        _overrides.clear()


def _library_is_workday(day: date) -> bool | None:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning(
                "chinese_calendar has no data for %s: counting Monday–Friday as working days; "
                "add calendar overrides (工作日调整) for that year's holidays.",
                day.year,
            )
        return None


def is_workday(day: date) -> bool:
    """True when `day` is a working day on the official calendar (with overrides)."""
    override = _overrides_for_year(day.year).get(day)
    if override is not None:
        return override
    library = _library_is_workday(day)
    if library is not None:
        return library
    return day.weekday() < 5


def _local(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment)


def add_working_days(start: datetime, n: int) -> datetime:
    """The same local time on the n-th working day after the local date of `start`."""
    if n < 0:
        raise ValueError("n must not be negative")
    local = _local(start)
    if n == 0:
        return local
    day = local.date()
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if is_workday(day):
            counted += 1
    naive = datetime.combine(day, local.time().replace(tzinfo=None))
    return timezone.make_aware(naive)


def working_days_between(a: datetime | date, b: datetime | date) -> int:
    """Working days d with date(a) < d ≤ date(b); negative when b is before a."""
    day_a = _local(a).date() if isinstance(a, datetime) else a
    day_b = _local(b).date() if isinstance(b, datetime) else b
    sign = 1
    if day_b < day_a:
        day_a, day_b, sign = day_b, day_a, -1
    count = 0
    day = day_a
    while day < day_b:
        day += timedelta(days=1)
        if is_workday(day):
            count += 1
    return sign * count


def add_hours(start: datetime, hours: int) -> datetime:
    """Calendar hours (red-risk deadlines run through nights and holidays)."""
    return _local(start) + timedelta(hours=hours)


def _connect_signals():
    from .models import CalendarOverride

    post_save.connect(clear_override_cache, sender=CalendarOverride, dispatch_uid="cal_save")
    post_delete.connect(clear_override_cache, sender=CalendarOverride, dispatch_uid="cal_del")
