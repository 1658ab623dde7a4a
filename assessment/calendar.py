"""The working-day calendar table behind the closure KPI (Chinese official calendar, with
holidays and make-up workdays; plain weekdays outside the years the calendar package knows)."""

from datetime import date, timedelta

import chinese_calendar

from .models import WorkCalendarDay

EPOCH = date(2004, 1, 1)


def is_workday(day: date) -> bool:
    """True for a working day on the official calendar."""
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
    rows = []
    while day <= until:
        workday = is_workday(day)
        ordinal += int(workday)
        rows.append(WorkCalendarDay(day=day, workday=workday, ordinal=ordinal))
        day += timedelta(days=1)
    WorkCalendarDay.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
