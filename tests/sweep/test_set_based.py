"""The sweep acts on a batch of due periods set-based (a constant number of statements per
batch) and still exactly once: two sweeps at once over 2,000 due items, a sweep killed half-way
(an exception in its transaction, a process killed with SIGKILL)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases import sweep as sweep_module
from cases.models import Breach, Case, CaseEvent, HandlingPeriod, PeriodCursor
from cases.sweep import sweep_run
from notifications.models import Notification, OutboxMessage
from tests.concurrency import sweep_killed_at, sweeps_at_once

from .conftest import at, bring_back, copied_cases, report, set_aside

# Reported on Monday at 09:00: assign due Tuesday 09:00, respond due Wednesday 09:00, resolve
# due three weeks later. On Wednesday at 09:01 a village case owes two reminders.
TWO_REMINDERS_DUE = at(4, 9, 1)


def _county_case_past_resolve(cast):
    case = report(cast, serial=90)
    services.case_escalate(actor=cast.county_officer, case_id=case.pk, reason="重大", at=at(2, 10))
    services.case_assign(
        actor=cast.county_officer, case_id=case.pk, assignee=cast.county_mediator, at=at(2, 11)
    )
    services.case_respond(actor=cast.county_mediator, case_id=case.pk, at=at(2, 12))
    return case


def _assert_two_reminders_each(ids):
    """Each case reminded of its assign and respond deadlines once, with its notices."""
    events = CaseEvent.objects.filter(case_id__in=ids, kind="remind", actor=None)
    per_case = {}
    for case_id in events.values_list("case_id", flat=True):
        per_case[case_id] = per_case.get(case_id, 0) + 1
    assert set(per_case) == set(ids) and set(per_case.values()) == {2}
    assert Breach.objects.filter(case_id__in=ids, action="remind").count() == 2 * len(ids)
    # Each reminder: the village officer (reminder) and the town officer (提醒函), in the app
    # (delivered by being written) and by e-mail (its outbox row, for the relay).
    # (the notices of intake, to the village's people, are not the sweep's: counted apart)
    notifications = Notification.objects.filter(case_id__in=ids, title__contains="超期")
    assert notifications.count() == 4 * len(ids)
    assert not notifications.filter(delivered_at__isnull=True).exists()
    outbox = OutboxMessage.objects.filter(
        notification__case_id__in=ids, notification__title__contains="超期"
    )
    assert outbox.count() == 4 * len(ids)
    assert set(outbox.values_list("channel", flat=True)) == {"email"}
    periods = HandlingPeriod.objects.filter(case_id__in=ids, ended_at__isnull=True)
    # The sweep's cursors moved past what it acted on; the periods' own next deadline (the
    # earliest not met, what the lists show) is still the passed one.
    assert set(periods.values_list("cursor__next_deadline_kind", flat=True)) == {"resolve"}
    assert set(periods.values_list("next_deadline_kind", flat=True)) == {"assign"}


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_over_two_thousand_due_items_act_on_each_once(cast, on_postgres):
    ids = copied_cases(cast, 1000)
    reports = sweeps_at_once(TWO_REMINDERS_DUE, batch_size=100)
    assert sum(r.reminded for r in reports) == sum(r.breaches for r in reports) == 2000
    assert sum(r.periods for r in reports) == 1000
    assert not any(r.failed for r in reports)
    _assert_two_reminders_each(ids)
    assert sweep_run(now=TWO_REMINDERS_DUE).breaches == 0


@pytest.mark.django_db(transaction=True)
def test_an_exception_inside_a_batch_rolls_the_whole_batch_back(cast, on_postgres, monkeypatch):
    ids = copied_cases(cast, 30)
    handled = []

    def killed_at_the_fifteenth(period):
        handled.append(period.pk)
        if len(handled) == 15:
            raise KeyboardInterrupt("worker killed")

    monkeypatch.setattr(sweep_module, "after_period_hook", killed_at_the_fifteenth)
    with pytest.raises(KeyboardInterrupt):
        sweep_run(now=TWO_REMINDERS_DUE, batch_size=10, lanes=1)  # one lane: batches in order
    # The first batch committed; the second, in flight, left nothing behind.
    assert Breach.objects.count() == 20
    assert CaseEvent.objects.filter(kind="remind").count() == 20
    assert Notification.objects.filter(title__contains="超期").count() == 40
    assert PeriodCursor.objects.filter(next_deadline_kind="resolve").count() == 10

    monkeypatch.setattr(sweep_module, "after_period_hook", lambda period: None)
    again = sweep_run(now=TWO_REMINDERS_DUE, batch_size=10)
    assert (again.periods, again.breaches) == (20, 40)
    _assert_two_reminders_each(ids)


@pytest.mark.django_db(transaction=True)
def test_a_sweep_process_killed_mid_batch_leaves_nothing_half_done(cast, on_postgres):
    ids = copied_cases(cast, 60)
    sweep_killed_at(45, TWO_REMINDERS_DUE, batch_size=25, lanes=1)
    # The first batch (25 periods) committed; nothing of the second.
    assert Breach.objects.count() == 50
    assert CaseEvent.objects.filter(kind="remind").count() == 50
    assert Notification.objects.filter(title__contains="超期").count() == 100
    assert OutboxMessage.objects.filter(notification__title__contains="超期").count() == 100
    assert PeriodCursor.objects.filter(next_deadline_kind="resolve").count() == 25

    again = sweep_run(now=TWO_REMINDERS_DUE, batch_size=25)
    assert (again.periods, again.breaches, again.already_recorded) == (35, 70, 0)
    _assert_two_reminders_each(ids)


def _sweep_queries(now, batch_size=500):
    with CaptureQueriesContext(connection) as queries:
        result = sweep_run(now=now, batch_size=batch_size)
    return result, len(queries)


def test_a_batch_costs_the_same_statements_for_ten_due_periods_as_for_two_hundred(
    cast, on_postgres, django_assert_max_num_queries
):
    # On PostgreSQL (SQLite, `make run`, splits a long insert into several statements).
    ids = copied_cases(cast, 210)
    county_case = _county_case_past_resolve(cast)
    set_aside(ids[10:])
    # Its resolve deadline moved before the village cases' reminders (an extension's reverse).
    HandlingPeriod.objects.filter(case=county_case, ended_at__isnull=True).update(
        resolve_due=at(4, 8), next_deadline=at(4, 8), next_deadline_kind="resolve"
    )
    PeriodCursor.objects.filter(period__case=county_case).update(
        next_deadline=at(4, 8), next_deadline_kind="resolve"
    )
    now = TWO_REMINDERS_DUE
    small, small_queries = _sweep_queries(now)
    assert (small.periods, small.reminded, small.supervised) == (11, 20, 1)

    bring_back(ids[10:])
    with django_assert_max_num_queries(small_queries):
        large = sweep_run(now=now, batch_size=500)
    assert (large.periods, large.reminded) == (200, 400)
    _assert_two_reminders_each(ids)
    assert Case.objects.get(pk=county_case.pk).supervised


def test_a_failed_batch_is_done_again_one_period_at_a_time(cast, monkeypatch):
    ids = copied_cases(cast, 6)
    real = sweep_module._reminder
    broken = ids[3]

    def flaky(case, period, **kwargs):
        if case.pk == broken:
            raise RuntimeError("boom")
        return real(case, period, **kwargs)

    monkeypatch.setattr(sweep_module, "_reminder", flaky)
    result = sweep_run(now=TWO_REMINDERS_DUE)
    assert (result.periods, result.reminded, result.failed) == (
        6,
        10,
        [HandlingPeriod.objects.get(case_id=broken).pk],
    )
    assert not Breach.objects.filter(case_id=broken).exists()
    monkeypatch.setattr(sweep_module, "_reminder", real)
    assert sweep_run(now=TWO_REMINDERS_DUE).reminded == 2
    _assert_two_reminders_each(ids)
