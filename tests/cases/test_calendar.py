"""The working-day calendar and the handling clocks across the 2026 National Day holiday
(Oct 1–7 off, make-up workdays Sunday Sep 20 and Saturday Oct 10), with concrete dates."""

import logging
from datetime import date, datetime

import pytest
from django.utils import timezone

from cases import clocks
from cases.calendar import add_hours, add_working_days, is_workday, working_days_between
from cases.models import CalendarOverride, HandlingPeriod, SlaPolicy
from tests.builders import report

pytestmark = pytest.mark.django_db


def local(*args):
    return timezone.make_aware(datetime(*args))


def test_2026_national_day_holidays_and_make_up_days():
    assert not any(is_workday(date(2026, 10, day)) for day in range(1, 8))
    assert is_workday(date(2026, 10, 8)) and is_workday(date(2026, 10, 9))
    assert is_workday(date(2026, 10, 10))  # Saturday, make-up workday (调休)
    assert not is_workday(date(2026, 10, 11))  # an ordinary Sunday
    assert is_workday(date(2026, 9, 20))  # Sunday, make-up workday
    assert not is_workday(date(2026, 9, 25))  # Mid-autumn Festival, a Friday


@pytest.mark.parametrize(
    "start,n,expected",
    [
        # The eve of the holiday: the next working day is Thursday Oct 8, same time.
        (local(2026, 9, 30, 10, 0), 1, local(2026, 10, 8, 10, 0)),
        (local(2026, 9, 30, 10, 0), 2, local(2026, 10, 9, 10, 0)),
        # The make-up Saturday counts.
        (local(2026, 9, 30, 10, 0), 3, local(2026, 10, 10, 10, 0)),
        (local(2026, 10, 9, 15, 30), 1, local(2026, 10, 10, 15, 30)),
        (local(2026, 10, 9, 15, 30), 2, local(2026, 10, 12, 15, 30)),
        # Reported during the holiday: the first working day after it.
        (local(2026, 10, 3, 20, 0), 1, local(2026, 10, 8, 20, 0)),
        # 15 working days from Sep 30 (village resolve): Oct 8, 9, 10, 12–16, 19–23, 26, 27.
        (local(2026, 9, 30, 10, 0), 15, local(2026, 10, 27, 10, 0)),
        # Friday before the make-up Sunday Sep 20: Sunday counts, Saturday does not.
        (local(2026, 9, 18, 9, 0), 1, local(2026, 9, 20, 9, 0)),
        # An ordinary week: Friday + 1 is Monday.
        (local(2026, 11, 20, 17, 0), 1, local(2026, 11, 23, 17, 0)),
        (local(2026, 11, 20, 17, 0), 0, local(2026, 11, 20, 17, 0)),
    ],
)
def test_add_working_days_lands_on_the_right_working_day(start, n, expected):
    result = add_working_days(start, n)
    assert result == expected
    assert timezone.localtime(result).time() == timezone.localtime(start).time()
    assert working_days_between(start, result) == n


def test_working_days_between_counts_after_a_up_to_b():
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 8)) == 1
    assert working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == 0
    assert working_days_between(date(2026, 10, 12), date(2026, 10, 9)) == -2
    assert working_days_between(date(2026, 10, 9), date(2026, 10, 9)) == 0


def test_red_hours_are_calendar_hours_through_the_holiday():
    assert add_hours(local(2026, 10, 1, 23, 0), 2) == local(2026, 10, 2, 1, 0)


def test_village_period_clocks_across_national_day(cast):
    case = report(cast.grid_worker_a, cast.areas.grid_a1, at=local(2026, 9, 30, 10, 0))
    period = HandlingPeriod.objects.get(case=case)
    assert period.arrived_at == local(2026, 9, 30, 10, 0)
    assert period.assign_due == local(2026, 10, 8, 10, 0)
    assert period.respond_due == local(2026, 10, 9, 10, 0)
    assert period.resolve_due == local(2026, 10, 27, 10, 0)
    assert period.next_deadline == period.assign_due


def test_red_case_clocks_are_hours_then_working_days(cast):
    case = report(cast.grid_worker_a, cast.areas.grid_a1, risk="red", at=local(2026, 10, 1, 9, 0))
    period = HandlingPeriod.objects.get(case=case)
    assert (period.level, period.red) == ("town", True)
    assert period.assign_due == local(2026, 10, 1, 11, 0)
    assert period.respond_due == local(2026, 10, 1, 15, 0)
    assert period.resolve_due == local(2026, 10, 13, 9, 0)  # 5 wd: Oct 8, 9, 10, 12, 13


def test_sla_policy_edits_apply_to_new_periods(cast):
    SlaPolicy.objects.filter(level="village", red=False).update(assign_value=3, resolve_value=5)
    case = report(cast.grid_worker_a, cast.areas.grid_a1, at=local(2026, 9, 30, 10, 0))
    period = HandlingPeriod.objects.get(case=case)
    assert period.assign_due == local(2026, 10, 10, 10, 0)
    assert period.resolve_due == local(2026, 10, 13, 10, 0)


def test_seeded_policy_matches_the_design():
    rows = {
        (p.level, p.red): (p.assign_value, p.assign_unit, p.resolve_value, p.resolve_unit)
        for p in SlaPolicy.objects.all()
    }
    assert rows[("village", False)] == (1, "working_days", 15, "working_days")
    assert rows[("village", True)] == (2, "hours", 3, "working_days")
    assert rows[("town", False)] == (1, "working_days", 20, "working_days")
    assert rows[("town", True)] == (2, "hours", 5, "working_days")
    assert rows[("county", False)] == (1, "working_days", 30, "working_days")
    assert clocks.limits_for("county", True).resolve == (30, "working_days")


def test_override_wins_over_the_library():
    assert is_workday(date(2026, 10, 12))
    CalendarOverride.objects.create(date=date(2026, 10, 12), is_workday=False, note="县里停电")
    assert not is_workday(date(2026, 10, 12))
    assert add_working_days(local(2026, 10, 10, 9, 0), 1) == local(2026, 10, 13, 9, 0)
    CalendarOverride.objects.create(date=date(2026, 10, 11), is_workday=True, note="补班")
    assert add_working_days(local(2026, 10, 10, 9, 0), 1) == local(2026, 10, 11, 9, 0)


def test_unknown_year_falls_back_to_weekdays_with_a_warning(caplog):
    from cases import calendar

    calendar._warned_years.discard(2031)
    with caplog.at_level(logging.WARNING, logger="cases.calendar"):
        assert is_workday(date(2031, 1, 1))  # a Wednesday; the library has no 2031 data
        assert not is_workday(date(2031, 1, 4))  # Saturday
    assert "2031" in caplog.text
    # Overrides fill in the year the library does not know.
    CalendarOverride.objects.create(date=date(2031, 1, 1), is_workday=False, note="元旦")
    assert not is_workday(date(2031, 1, 1))
