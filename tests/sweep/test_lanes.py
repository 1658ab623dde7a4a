"""The sweep in lanes (issue #18): the due periods taken in two threads at once, each with its
own connection, so one lane's batch is built while the other's waits on the database. The
lanes share the work as two sweeps do: each period in one batch, each breach acted on once, a
lane killed half-way leaves whole batches and nothing half done."""

import threading

import pytest

from cases import sweep as sweep_module
from cases.models import Breach, CaseEvent, PeriodCursor
from cases.sweep import sweep_run
from notifications.models import Notification, OutboxMessage
from tests.concurrency import sweep_killed_at, sweeps_at_once

from .conftest import copied_cases
from .test_set_based import TWO_REMINDERS_DUE, _assert_two_reminders_each


def _whole_batches_only(batch_size):
    """What a sweep stopped half-way left: whole batches (two reminders per period, each with
    its two notices and their outbox rows, and the period's cursor moved on), nothing else."""
    breaches = Breach.objects.count()
    moved = PeriodCursor.objects.filter(next_deadline_kind="resolve").count()
    assert breaches == 2 * moved and moved % batch_size == 0, (breaches, moved)
    assert CaseEvent.objects.filter(kind="remind").count() == breaches
    assert Notification.objects.filter(title__contains="超期").count() == 2 * breaches
    assert (
        OutboxMessage.objects.filter(notification__title__contains="超期").count() == 2 * breaches
    )
    return moved


@pytest.mark.django_db(transaction=True)
def test_two_lanes_share_one_sweep_and_act_on_each_due_period_once(cast, on_postgres, monkeypatch):
    ids = copied_cases(cast, 600)
    lanes = set()
    monkeypatch.setattr(
        sweep_module, "after_period_hook", lambda p: lanes.add(threading.current_thread().name)
    )
    report = sweep_run(now=TWO_REMINDERS_DUE, batch_size=25, lanes=2)
    # Both lanes took batches, and the figures of both are the sweep's.
    assert lanes == {"sweep-lane-0", "sweep-lane-1"}
    assert (report.periods, report.breaches, report.reminded) == (600, 1200, 1200)
    assert not report.failed
    _assert_two_reminders_each(ids)
    assert sweep_run(now=TWO_REMINDERS_DUE, lanes=2).breaches == 0


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_of_two_lanes_each_act_on_each_due_period_once(cast, on_postgres):
    ids = copied_cases(cast, 400)
    reports = sweeps_at_once(TWO_REMINDERS_DUE, batch_size=20, lanes=2)
    assert sum(r.periods for r in reports) == 400
    assert sum(r.breaches for r in reports) == sum(r.reminded for r in reports) == 800
    _assert_two_reminders_each(ids)


@pytest.mark.django_db(transaction=True)
def test_a_lane_that_fails_stops_the_other_and_its_error_is_the_sweeps(
    cast, on_postgres, monkeypatch
):
    ids = copied_cases(cast, 200)
    handled = []

    def killed_at_the_thirty_fifth(period):
        handled.append(period.pk)
        if len(handled) == 35:
            raise KeyboardInterrupt("worker killed")

    monkeypatch.setattr(sweep_module, "after_period_hook", killed_at_the_thirty_fifth)
    with pytest.raises(KeyboardInterrupt):
        sweep_run(now=TWO_REMINDERS_DUE, batch_size=10, lanes=2)
    # The failed lane's batch rolled back; the other ended with the batch it had in hand.
    moved = _whole_batches_only(10)
    assert 10 <= moved < 200

    monkeypatch.setattr(sweep_module, "after_period_hook", lambda period: None)
    again = sweep_run(now=TWO_REMINDERS_DUE, batch_size=10, lanes=2)
    assert (again.periods, again.breaches, again.already_recorded) == (
        200 - moved,
        2 * (200 - moved),
        0,
    )
    _assert_two_reminders_each(ids)


@pytest.mark.django_db(transaction=True)
def test_a_sweep_of_two_lanes_killed_mid_batch_leaves_whole_batches(cast, on_postgres):
    ids = copied_cases(cast, 120)
    sweep_killed_at(70, TWO_REMINDERS_DUE, batch_size=25, lanes=2)
    moved = _whole_batches_only(25)
    assert moved < 120
    again = sweep_run(now=TWO_REMINDERS_DUE, batch_size=25, lanes=2)
    assert (again.periods, again.breaches, again.already_recorded) == (
        120 - moved,
        2 * (120 - moved),
        0,
    )
    _assert_two_reminders_each(ids)


@pytest.mark.django_db
def test_inside_a_transaction_the_sweep_takes_one_lane_in_the_callers_connection(cast, monkeypatch):
    # The lanes' own connections would not see what the caller has not committed (here: the
    # test's cases): the sweep keeps to the caller's.
    ids = copied_cases(cast, 30)
    seen = set()
    monkeypatch.setattr(
        sweep_module, "after_period_hook", lambda p: seen.add(threading.current_thread().name)
    )
    report = sweep_run(now=TWO_REMINDERS_DUE, batch_size=10, lanes=2)
    assert report.periods == 30 and seen == {threading.current_thread().name}
    _assert_two_reminders_each(ids)
