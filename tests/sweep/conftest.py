"""Helpers for sweep tests: cases reported and moved through the same services users call,
on a pretended clock (Monday 2 November 2026, 09:00 local, a plain working week)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F

from cases.clocks import new_cursor
from cases.models import Case, HandlingPeriod, PeriodCursor
from tests import builders

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)


def at(day, hour=9, minute=0):
    """A local time in November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def report(
    cast, *, area=None, when=MONDAY, risk="green", serial=1, title="宅基地边界纠纷", actor=None
):
    """A village case of village A1 (or `area`), reported by its grid worker at `when`."""
    return builders.report(
        actor or cast.grid_worker_a,
        area or cast.areas.grid_a1,
        title=title,
        risk=risk,
        parties=builders.two_parties(2 * serial),
        at=when,
    )


def copied_cases(cast, n):
    """`n` open village cases reported on Monday at 09:00 and left unassigned: two reported
    through the services, the rest copies of them (the same clocks). Their ids."""
    originals = [report(cast, serial=i + 1) for i in range(2)]
    copies = []
    for i in range(n - len(originals)):
        case = Case.objects.get(pk=originals[i % 2].pk)
        case.pk = case.id = None
        case.number = f"{case.number}-{i}"
        copies.append(case)
    copies = Case.objects.bulk_create(copies)
    period = HandlingPeriod.objects.get(case=originals[0], ended_at__isnull=True)
    clones = []
    for case in copies:
        clone = HandlingPeriod.objects.get(pk=period.pk)
        clone.pk = clone.id = None
        clone.case = case
        clones.append(clone)
    HandlingPeriod.objects.bulk_create(clones)
    PeriodCursor.objects.bulk_create([new_cursor(clone) for clone in clones])
    return [c.pk for c in originals] + [c.pk for c in copies]


AWAY = timedelta(days=3650)


def set_aside(case_ids):
    """The open periods of `case_ids` out of the sweep's way: ended, and their cursors ten
    years on (`bring_back` undoes it)."""
    HandlingPeriod.objects.filter(case_id__in=case_ids).update(ended_at=MONDAY)
    cursors = PeriodCursor.objects.filter(period__case_id__in=case_ids)
    cursors.update(next_deadline=F("next_deadline") + AWAY)


def bring_back(case_ids):
    """The periods `set_aside` put out of the sweep's way, open and due again."""
    HandlingPeriod.objects.filter(case_id__in=case_ids).update(ended_at=None)
    cursors = PeriodCursor.objects.filter(period__case_id__in=case_ids)
    cursors.update(next_deadline=F("next_deadline") - AWAY)


@pytest.fixture
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "locmem"
