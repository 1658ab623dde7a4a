"""Thin Celery tasks for cases."""

from celery import shared_task

from config.celery import DB_RETRY


@shared_task(name="cases.tasks.sweep", soft_time_limit=50, time_limit=58, **DB_RETRY)
def sweep() -> dict:
    """The SLA sweep (every minute from beat): act once on every breach due now."""
    from .sweep import sweep_run

    return sweep_run().as_dict()
