"""The Celery application: JSON only, tasks take ids, the database is the truth.

Every periodic task lives in the one beat schedule below, each with an `expires` shorter than
its interval so a backlog of nudges (broker down, worker busy) is dropped, not replayed: the
next run finds the same work in the database anyway.
"""

import dbm.dumb  # noqa: F401  (the beat's shelve backend, imported at start-up: see below)
import logging
import os
import time
from pathlib import Path

from celery import Celery
from celery.beat import PersistentScheduler
from celery.schedules import crontab
from django.db import InterfaceError, OperationalError
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("mediation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Work is split into queues so that a long report never delays a deadline: the sweep and the
# follow-up pass on `sweep`, the outbox relay on `outbox`, the KPI roll-ups (and any report or
# export run in the background) on `reports`; anything unrouted on the default `celery`.
# A worker started without -Q takes every queue below (one machine, `make run`); in production
# each group has its own workers (docker-compose.yml: worker, worker-outbox, worker-reports).
QUEUES = ("sweep", "outbox", "reports", "celery")
app.conf.task_queues = [Queue(name) for name in QUEUES]
app.conf.task_default_queue = "celery"
app.conf.task_routes = {
    "cases.tasks.*": {"queue": "sweep"},
    "notifications.tasks.*": {"queue": "outbox"},
    "assessment.tasks.*": {"queue": "reports"},
}


# Options for idempotent tasks that read and lock rows: redelivered if the worker dies
# (acks_late + reject_on_worker_lost), retried with backoff on transient database errors only.
DB_RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
}

SWEEP_INTERVAL = 60.0
RELAY_INTERVAL = 10.0

app.conf.beat_schedule = {
    "sla-sweep": {
        "task": "cases.tasks.sweep",
        "schedule": SWEEP_INTERVAL,
        "options": {"expires": SWEEP_INTERVAL - 10},
    },
    "follow-up-reminders": {
        "task": "cases.tasks.follow_up_reminders",
        "schedule": crontab(minute=7),
        "options": {"expires": 3000},
    },
    "outbox-relay": {
        "task": "notifications.tasks.relay_outbox",
        "schedule": RELAY_INTERVAL,
        "options": {"expires": RELAY_INTERVAL - 2},
    },
    "community-reminders": {
        "task": "community.tasks.reminders",
        "schedule": crontab(minute=23),
        "options": {"expires": 3000},
    },
    # Just after midnight: the month (quarter, year) that ended is closed, the open ones
    # recomputed; before the 02:17 recompute so that one finds the closed periods final.
    "kpi-close-periods": {
        "task": "assessment.tasks.close_periods",
        "schedule": crontab(hour=0, minute=5),
        "options": {"expires": 6 * 3600},
    },
    "kpi-recompute-recent-months": {
        "task": "assessment.tasks.recompute_recent",
        "schedule": crontab(hour=2, minute=17),
        "options": {"expires": 6 * 3600},
    },
    # The 1st of each month: every village's risk rating of the month that ended (final) and
    # of the new one (assessment/risk.py).
    "village-risk-ratings": {
        "task": "assessment.tasks.rate_villages",
        "schedule": crontab(day_of_month=1, hour=1, minute=11),
        "options": {"expires": 6 * 3600},
    },
}


BEAT_HEARTBEAT_KEY = "beat:last-tick"
BEAT_HEARTBEAT_EVERY = 30.0


def beat_last_tick() -> float | None:
    """When the beat last ticked (epoch seconds), as it told the shared cache; None if never."""
    from django.core.cache import cache

    return cache.get(BEAT_HEARTBEAT_KEY)


class HeartbeatScheduler(PersistentScheduler):
    """The beat's scheduler: makes the schedule file's folder before opening it (a fresh clone
    has no var/), and writes a heartbeat to the shared cache every half minute that /healthz
    reads, so a beat that stopped is reported rather than silent."""

    _last_beat = 0.0

    def setup_schedule(self):
        # The schedule is a shelve, whose dbm module Python imports when it is first opened; a
        # Ctrl-C at that moment left it half-imported and a traceback on the way out, so it is
        # imported with this module instead.
        Path(self.schedule_filename).parent.mkdir(parents=True, exist_ok=True)
        super().setup_schedule()

    def tick(self, *args, **kwargs):
        delay = super().tick(*args, **kwargs)
        now = time.time()
        if now - self._last_beat >= BEAT_HEARTBEAT_EVERY:
            from django.core.cache import cache

            try:
                cache.set(BEAT_HEARTBEAT_KEY, now, timeout=None)
                self._last_beat = now
            except Exception:
                logging.getLogger(__name__).warning("beat heartbeat not written", exc_info=True)
        return min(delay, BEAT_HEARTBEAT_EVERY)
