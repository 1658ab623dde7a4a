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
    """Nightly: the current and previous month, and the current quarter and year."""
    now = timezone.now()
    periods = [month_of(now), month_of(now, offset=-1), quarter_of(now), year_of(now)]
    return {period.key: snapshot_period(period, now=now) for period in periods}


@shared_task(
    name="assessment.tasks.recompute_period", soft_time_limit=1800, time_limit=2000, **DB_RETRY
)
def recompute_period(period_key: str) -> int:
    """Recompute one period (e.g. after editing the index weights)."""
    from .periods import parse_period

    return snapshot_period(parse_period(period_key))
