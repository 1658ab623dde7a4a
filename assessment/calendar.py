"""The working-day calendar table behind the closure KPI: one row per day with its running count
of working days, so SQL can count working days between two dates. Which days are working days
is `cases.calendar.is_workday` (the official calendar with the admins' overrides, 工作日调整);
editing an override empties the table; the next KPI computation rebuilds it."""

from datetime import date, timedelta

from cases.calendar import clear_override_cache, is_workday

from .models import WorkCalendarDay

EPOCH = date(2004, 1, 1)


def ensure_calendar(until: date) -> None:
    """Extend the table to cover every day from the epoch up to `until` (idempotent)."""
    last = WorkCalendarDay.objects.order_by("-day").first()
    if last is not None and last.day >= until:
        return
    day = EPOCH if last is None else last.day + timedelta(days=1)
    ordinal = 0 if last is None else last.ordinal
    # The table outlives the per-process override cache: read the overrides as they are now.
    clear_override_cache()
    rows = []
    while day <= until:
        workday = is_workday(day)
        ordinal += int(workday)
        rows.append(WorkCalendarDay(day=day, workday=workday, ordinal=ordinal))
        day += timedelta(days=1)
    WorkCalendarDay.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def reset_calendar(**kwargs) -> None:
    """Forget the table (a calendar override changed); it is rebuilt when next needed."""
    WorkCalendarDay.objects.all().delete()
