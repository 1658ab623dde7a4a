from celery.schedules import crontab
from django.db import InterfaceError, OperationalError

from config.celery import app


def _interval_seconds(schedule):
    if isinstance(schedule, crontab):
        # An hourly job names its minute only; the nightly one its hour too.
        return 3600 if schedule.hour == set(range(24)) else 24 * 3600
    return float(schedule)


def test_messages_are_json_only_and_tasks_acknowledged_late():
    conf = app.conf
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit


def test_every_periodic_task_expires_before_its_next_run():
    schedule = app.conf.beat_schedule
    tasks = {entry["task"] for entry in schedule.values()}
    assert tasks == {
        "cases.tasks.sweep",
        "cases.tasks.follow_up_reminders",
        "notifications.tasks.relay_outbox",
        "assessment.tasks.recompute_recent",
        "assessment.tasks.close_periods",
        "assessment.tasks.rate_villages",
        "community.tasks.reminders",
    }
    for name, entry in schedule.items():
        interval = _interval_seconds(entry["schedule"])
        assert 0 < entry["options"]["expires"] < interval, name
    intervals = {e["task"]: _interval_seconds(e["schedule"]) for e in schedule.values()}
    assert intervals["cases.tasks.sweep"] == 60
    assert intervals["cases.tasks.follow_up_reminders"] == 3600
    assert 10 <= intervals["notifications.tasks.relay_outbox"] <= 15


def test_periodic_tasks_retry_only_transient_database_errors():
    app.loader.import_default_modules()
    for name in (
        "cases.tasks.sweep",
        "cases.tasks.follow_up_reminders",
        "notifications.tasks.relay_outbox",
        "assessment.tasks.recompute_recent",
        "assessment.tasks.close_periods",
    ):
        task = app.tasks[name]
        assert set(task.autoretry_for) == {OperationalError, InterfaceError}, name
        assert task.retry_backoff and task.max_retries
        assert task.acks_late and task.reject_on_worker_lost
        assert task.time_limit and task.soft_time_limit < task.time_limit


def test_a_transient_error_is_retried_and_a_bug_is_not(monkeypatch):
    from notifications import services
    from notifications.tasks import relay_outbox

    calls = []

    def lost_connection(**kwargs):
        calls.append("db")
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "relay_outbox", lost_connection)
    relay_outbox.apply()  # run inline: each retry runs at once
    assert len(calls) == 1 + relay_outbox.max_retries

    calls.clear()

    def bug(**kwargs):
        calls.append("bug")
        raise ValueError("a bug")

    monkeypatch.setattr(services, "relay_outbox", bug)
    assert relay_outbox.apply().state == "FAILURE"
    assert calls == ["bug"]
