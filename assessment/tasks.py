"""Thin Celery tasks for assessment."""

from celery import shared_task
from django.utils import timezone

from config.celery import DB_RETRY

from .periods import month_of, quarter_of, year_of
from .services import snapshot_period


@shared_task(
    name="assessment.tasks.recompute_recent", soft_time_limit=1800, time_limit=2000, **DB_RETRY
)
def recompute_recent() -> dict:
    """Nightly: the current and previous month, and the current quarter and year (a period
    already closed is left as it is: `snapshot_period`)."""
    now = timezone.now()
    periods = [month_of(now), month_of(now, offset=-1), quarter_of(now), year_of(now)]
    return {period.key: snapshot_period(period, now=now) for period in periods}


@shared_task(
    name="assessment.tasks.close_periods", soft_time_limit=3600, time_limit=3700, **DB_RETRY
)
def close_periods(now: str | None = None) -> dict:
    """Just after midnight: close (mark final) the month, quarter and year that ended, with the
    year's grade, and recompute the open periods (assessment/closing.py). `now` (ISO 8601) is
    for catching up at a given moment."""
    from .closing import close_periods as close
    from .closing import parse_moment

    return {key: list(value) for key, value in close(parse_moment(now)).items()}


@shared_task(
    name="assessment.tasks.recompute_period", soft_time_limit=1800, time_limit=2000, **DB_RETRY
)
def recompute_period(period_key: str) -> int:
    """Recompute one period (e.g. after editing the index weights)."""
    from .periods import parse_period

    return snapshot_period(parse_period(period_key))


@shared_task(
    name="assessment.tasks.rate_villages", soft_time_limit=1800, time_limit=2000, **DB_RETRY
)
def rate_villages(now: str | None = None) -> dict:
    """Monthly (the 1st): every village's risk rating of the month that ended and of the new one
    (assessment/risk.py). `now` (ISO 8601) is for catching up at a given moment."""
    from datetime import datetime

    from .risk import compute_month

    moment = datetime.fromisoformat(now) if now else timezone.now()
    months = [month_of(moment, offset=-1), month_of(moment)]
    return {period.key: compute_month(period, now=moment) for period in months}
