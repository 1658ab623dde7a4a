"""Thin Celery tasks for village self-governance."""

from celery import shared_task

from config.celery import DB_RETRY


@shared_task(name="community.tasks.reminders", soft_time_limit=300, time_limit=330, **DB_RETRY)
def reminders() -> dict:
    """Send the consultation-day and campaign reminders that are due (hourly from beat;
    idempotent: each reminder once)."""
    from .deadlines import run_all

    return run_all()
