"""The working-day calendar table behind the closure KPI: the Chinese official calendar (holidays
and make-up workdays), with the admins' calendar overrides from cases (工作日调整) applied, and
plain weekdays outside the years the calendar package knows. Editing an override empties the
table; the next KPI computation rebuilds it."""

from datetime import date, timedelta

import chinese_calendar
from django.apps import apps

from .models import WorkCalendarDay

EPOCH = date(2004, 1, 1)


def _overrides(start: date, end: date) -> dict[date, bool]:
    try:
        CalendarOverride = apps.get_model("cases", "CalendarOverride")
    except LookupError:
        return {}
    return dict(
        CalendarOverride.objects.filter(date__gte=start, date__lte=end).values_list(
            "date", "is_workday"
        )
    )


def is_workday(day: date, overrides: dict[date, bool] | None = None) -> bool:
    """True for a working day on the official calendar (with the given overrides)."""
    if overrides and day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def ensure_calendar(until: date) -> None:
    """Extend the table to cover every day from the epoch up to `until` (idempotent)."""
    last = WorkCalendarDay.objects.order_by("-day").first()
    if last is not None and last.day >= until:
        return
    day = EPOCH if last is None else last.day + timedelta(days=1)
    ordinal = 0 if last is None else last.ordinal
    overrides = _overrides(day, until)
    rows = []
    while day <= until:
        workday = is_workday(day, overrides)
        ordinal += int(workday)
        rows.append(WorkCalendarDay(day=day, workday=workday, ordinal=ordinal))
        day += timedelta(days=1)
    WorkCalendarDay.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def reset_calendar(**kwargs) -> None:
    """Forget the table (a calendar override changed); it is rebuilt when next needed."""
    WorkCalendarDay.objects.all().delete()
