"""Closed periods (assessment/closing.py): at each period's end the month, the quarter and the
year that ended are marked final (the year with its grade) and the open periods are recomputed;
crossing 2026-12-31 → 2027-01-01 closes 2026-12, 2026-Q4 and 2026. Once through the task as the
beat calls it, once through a real Celery worker."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from assessment import closing
from assessment.models import KpiSnapshot
from assessment.periods import parse_period
from assessment.services import snapshot_period
from assessment.tasks import close_periods

from .builders import make_inspection, t
from .test_kpis_late import assert_grades, year_of_grades

TZ = ZoneInfo("Asia/Shanghai")
NEW_YEARS_EVE = datetime(2026, 12, 31, 23, 55, tzinfo=TZ)
NEW_YEAR = datetime(2027, 1, 1, 0, 5, tzinfo=TZ)


def _final(key):
    rows = KpiSnapshot.objects.filter(period_key=key)
    return rows.exists() and not rows.filter(final=False).exists()


def test_the_periods_that_ended_at_new_year_are_the_month_the_quarter_and_the_year():
    keys = [p.key for p in closing.ended_periods(NEW_YEAR)]
    assert keys[-3:] == ["2026-12", "2026-Q4", "2026"]
    assert "2026" not in [p.key for p in closing.ended_periods(NEW_YEARS_EVE)]
    assert [p.key for p in closing.open_periods(NEW_YEAR)] == ["2027-01", "2027-Q1", "2027"]


def test_crossing_the_year_closes_q4_and_the_year_with_their_grades(cast):
    year_of_grades(cast)
    close_periods(now=NEW_YEARS_EVE.isoformat())
    assert not _final("2026") and not _final("2026-Q4") and not _final("2026-12")
    assert _final("2026-11") and _final("2026-Q3")

    result = close_periods(now=NEW_YEAR.isoformat())
    assert {key: state for key, (_, state) in result.items()} == {
        "2026-12": "final",
        "2026-Q4": "final",
        "2026": "final",
        "2027-01": "open",
        "2027-Q1": "open",
        "2027": "open",
    }
    assert _final("2026-12") and _final("2026-Q4") and _final("2026")
    assert not KpiSnapshot.objects.filter(period_key="2027-01", final=True).exists()
    assert_grades(cast)

    # Late data for a closed year changes nothing there (until recomputed on purpose) …
    make_inspection(cast, cast.areas.grid_a2, period=date(2026, 12, 1), submitted_at=t(12, 31))
    close_periods(now=datetime(2027, 1, 2, 0, 5, tzinfo=TZ).isoformat())
    assert_grades(cast)
    assert snapshot_period(parse_period("2026")) == 0
    # … and reaches an open period at the next run.
    a2 = cast.areas.village_a2
    january = KpiSnapshot.objects.get(period_key="2027-01", area=a2)
    assert january.metrics["inspection_coverage"] == 0.0
    make_inspection(
        cast, cast.areas.grid_a2, period=date(2027, 1, 1), submitted_at=t(1, 2, year=2027)
    )
    close_periods(now=datetime(2027, 1, 3, 0, 5, tzinfo=TZ).isoformat())
    january.refresh_from_db()
    assert january.metrics["inspection_coverage"] == 1.0 and not january.final
    # Recomputing a closed year on purpose (`force`) takes the late report in: 后村 is gold.
    snapshot_period(parse_period("2026"), now=NEW_YEAR, final=True, force=True)
    assert KpiSnapshot.objects.get(period_key="2026", area=a2).grade == "gold"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_closes_2026_at_new_year(cast, on_postgres, tmp_path):
    from tests.sweep.test_worker import _wait, running_worker

    year_of_grades(cast)
    with running_worker(tmp_path):
        close_periods.delay(now=NEW_YEAR.isoformat())
        assert _wait(lambda: _final("2026") and _final("2026-Q4"), timeout=120), "not closed"
    assert _final("2026-12")
    assert_grades(cast)
