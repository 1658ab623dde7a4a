"""Thin Celery tasks for cases."""

from celery import shared_task

from config.celery import DB_RETRY


@shared_task(name="cases.tasks.sweep", soft_time_limit=50, time_limit=58, **DB_RETRY)
def sweep() -> dict:
    """The SLA sweep (every minute from beat): act once on every breach due now."""
    from .sweep import sweep_run

    return sweep_run().as_dict()


@shared_task(
    name="cases.tasks.follow_up_reminders", soft_time_limit=600, time_limit=660, **DB_RETRY
)
def follow_up_reminders() -> dict:
    """First follow-ups (回访) fallen due (hourly from beat)."""
    from .sweep import follow_up_run

    return follow_up_run().as_dict()
