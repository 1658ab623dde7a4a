"""Celery queues: each kind of work on its own queue, so a long report never delays a deadline.

The slow report is real: a KPI roll-up on a real worker, held up by a lock on the snapshot table
that the test keeps, while a real worker of the sweep queue escalates an overdue case."""

import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from datetime import timedelta

import psycopg
import pytest
from django.utils import timezone

from cases.models import Case
from config.celery import QUEUES
from config.celery import app as celery_app

from .conftest import report
from .test_worker import ROOT, _database_url, _redis_url, _wait


def test_each_kind_of_work_has_its_own_queue_and_a_bare_worker_takes_them_all():
    celery_app.loader.import_default_modules()
    queue = {
        name: celery_app.amqp.router.route({}, name)["queue"].name
        for name in (
            "cases.tasks.sweep",
            "cases.tasks.follow_up_reminders",
            "notifications.tasks.relay_outbox",
            "assessment.tasks.recompute_recent",
            "assessment.tasks.recompute_period",
        )
    }
    assert queue == {
        "cases.tasks.sweep": "sweep",
        "cases.tasks.follow_up_reminders": "sweep",
        "notifications.tasks.relay_outbox": "outbox",
        "assessment.tasks.recompute_recent": "reports",
        "assessment.tasks.recompute_period": "reports",
    }
    # Every beat entry lands on a queue some worker consumes.
    for entry in celery_app.conf.beat_schedule.values():
        assert celery_app.amqp.router.route({}, entry["task"])["queue"].name in QUEUES
    # `celery worker` without -Q (make run) consumes every declared queue.
    assert set(celery_app.amqp.queues) == set(QUEUES)


@contextmanager
def worker_of(tmp_path, name, queues=None):
    """`celery -A config worker [-Q queues]` in a subprocess on the test database; killed after."""
    redis_url = _redis_url()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "VAR_DIR": str(tmp_path / name),
    }
    (tmp_path / name).mkdir(exist_ok=True)
    command = [
        str(sys.executable.rsplit("/", 1)[0] + "/celery"),
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
        "-n",
        f"{name}@%h",
    ]
    if queues:
        command += ["-Q", ",".join(queues)]
    log_path = tmp_path / f"{name}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        assert _wait(lambda: "ready" in log_path.read_text(), timeout=90), log_path.read_text()
        yield log_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def snapshots_locked():
    """Hold the KPI snapshot table locked: a roll-up that reaches it waits until released."""
    with psycopg.connect(_database_url()) as conn:
        conn.execute("LOCK TABLE assessment_kpisnapshot IN ACCESS EXCLUSIVE MODE")
        yield conn
        conn.rollback()


def _roll_up_waiting(_lock=None) -> bool:
    """A worker's query on the snapshot table waits for the lock (a fresh look each time: the
    activity view is a snapshot per transaction)."""
    with psycopg.connect(_database_url(), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query ILIKE '%assessment_kpisnapshot%' AND pid <> pg_backend_pid()"
        ).fetchone()
    return row[0] > 0


def _purge():
    celery_app.conf.broker_url = _redis_url()
    with celery_app.connection_for_write() as conn:
        for queue in QUEUES:
            conn.default_channel.queue_purge(queue)


@pytest.mark.django_db(transaction=True)
def test_a_slow_report_does_not_delay_the_sweep(cast, on_postgres, tmp_path):
    from assessment.tasks import recompute_period
    from cases.tasks import sweep

    _purge()
    case = report(cast, when=timezone.now() - timedelta(days=42))
    with ExitStack() as stack:
        stack.enter_context(worker_of(tmp_path, "reports", ["reports"]))
        stack.enter_context(worker_of(tmp_path, "sweep", ["sweep"]))
        lock = stack.enter_context(snapshots_locked())
        recompute_period.delay(timezone.localdate().strftime("%Y-%m"))
        assert _wait(lambda: _roll_up_waiting(lock), timeout=60), "the roll-up never started"

        started = time.monotonic()
        sweep.delay()
        escalated = _wait(lambda: Case.objects.get(pk=case.pk).level == "town", timeout=30)
        took = time.monotonic() - started
        assert escalated, "the sweep waited behind the report"
        assert _roll_up_waiting(lock), "the report was meant to be still running"
        assert took < 30


@pytest.mark.django_db(transaction=True)
def test_one_worker_for_every_queue_would_make_the_sweep_wait(cast, on_postgres, tmp_path):
    """The control: the same slow report on a single worker holds the sweep up, which is what the
    queues prevent (and shows the test above can fail)."""
    from assessment.tasks import recompute_period
    from cases.tasks import sweep

    _purge()
    case = report(cast, when=timezone.now() - timedelta(days=42))
    with worker_of(tmp_path, "all") as log_path, snapshots_locked() as lock:
        recompute_period.delay(timezone.localdate().strftime("%Y-%m"))
        assert _wait(lambda: _roll_up_waiting(lock), timeout=60), log_path.read_text()[-2000:]
        sweep.delay()
        time.sleep(8)
        assert Case.objects.get(pk=case.pk).level == "village"
        lock.rollback()  # the report goes on, then the sweep
        assert _wait(lambda: Case.objects.get(pk=case.pk).level == "town", timeout=60)
