"""Thin Celery tasks for notifications."""

from celery import shared_task

from config.celery import DB_RETRY

from . import services


@shared_task(name="notifications.tasks.relay_outbox", soft_time_limit=25, time_limit=30, **DB_RETRY)
def relay_outbox() -> int:
    """Deliver what the outbox holds (runs every few seconds from beat)."""
    return services.relay_outbox()
