from datetime import timedelta

import pytest

from cases import sweep as sweep_module
from cases.models import Breach, Case, CaseEvent, HandlingPeriod
from cases.sweep import sweep_run
from tests.concurrency import sweeps_at_once

from .conftest import MONDAY, report


def _overdue_village_cases(cast, n):
    cases = [report(cast, serial=i + 1, when=MONDAY + timedelta(minutes=i)) for i in range(n)]
    latest_due = max(
        HandlingPeriod.objects.filter(case__in=cases).values_list("resolve_due", flat=True)
    )
    return cases, latest_due + timedelta(minutes=1)


def _assert_each_acted_once(cases):
    ids = [c.pk for c in cases]
    assert Case.objects.filter(pk__in=ids, level="town", status="pending").count() == len(ids)
    # One system escalation, one assign and one respond reminder per case: nothing doubled.
    for kind, per_case in (("escalate", 1), ("remind", 2)):
        counts = {
            case_id: CaseEvent.objects.filter(case_id=case_id, kind=kind, actor=None).count()
            for case_id in ids
        }
        assert set(counts.values()) == {per_case}, (kind, counts)
    assert Breach.objects.filter(case_id__in=ids).count() == 3 * len(ids)
    assert sorted(set(Breach.objects.values_list("kind", flat=True))) == [
        "assign",
        "resolve",
        "respond",
    ]
    # Every village period ended by the escalation; every case has one open period (at town).
    assert HandlingPeriod.objects.filter(case_id__in=ids, ended_at__isnull=True).count() == len(ids)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_each_overdue_case_exactly_once(cast, on_postgres):
    cases, now = _overdue_village_cases(cast, 12)
    reports = sweeps_at_once(now, batch_size=2)
    assert sum(r.escalated for r in reports) == 12
    assert sum(r.breaches for r in reports) == 36
    assert not any(r.failed for r in reports)
    _assert_each_acted_once(cases)
    # A third sweep finds nothing.
    assert sweep_run(now=now).breaches == 0


@pytest.mark.django_db(transaction=True)
def test_a_sweep_killed_half_way_loses_and_doubles_nothing(cast, on_postgres, monkeypatch):
    cases, now = _overdue_village_cases(cast, 5)
    handled = []

    def crash_on_third(period):
        handled.append(period.pk)
        if len(handled) == 3:
            raise KeyboardInterrupt("worker killed")

    monkeypatch.setattr(sweep_module, "after_period_hook", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        sweep_run(now=now, batch_size=2, lanes=1)  # one lane: the batches in order
    # The first batch (two cases) committed; the batch in flight rolled back entirely.
    assert Case.objects.filter(level="town").count() == 2
    assert Breach.objects.count() == 6
    assert CaseEvent.objects.filter(kind="escalate").count() == 2

    monkeypatch.setattr(sweep_module, "after_period_hook", lambda period: None)
    again = sweep_run(now=now, batch_size=2)
    assert (again.escalated, again.breaches) == (3, 9)
    _assert_each_acted_once(cases)


def test_one_broken_case_does_not_stop_the_sweep(cast, monkeypatch):
    cases, now = _overdue_village_cases(cast, 3)
    # Its escalation's notice breaks (in the batch, then alone: the same rule on both paths).
    real = sweep_module._escalation_notice
    broken_case = cases[1].pk

    def flaky(case, period, **kwargs):
        if case.pk == broken_case:
            raise RuntimeError("boom")
        return real(case, period, **kwargs)

    monkeypatch.setattr(sweep_module, "_escalation_notice", flaky)
    result = sweep_run(now=now)
    assert result.escalated == 2 and len(result.failed) == 1
    # Its breaches rolled back with it: the next sweep acts on it in full.
    assert not Breach.objects.filter(case_id=broken_case).exists()
    monkeypatch.setattr(sweep_module, "_escalation_notice", real)
    assert sweep_run(now=now).escalated == 1
    _assert_each_acted_once(cases)


def test_the_collector_is_paused_while_a_sweep_works_and_resumed_after(cast, monkeypatch):
    import gc

    cases, now = _overdue_village_cases(cast, 3)
    seen = []
    monkeypatch.setattr(sweep_module, "after_period_hook", lambda p: seen.append(gc.isenabled()))
    assert gc.isenabled()
    assert sweep_run(now=now, batch_size=2).escalated == 3
    assert seen == [False, False, False]
    assert gc.isenabled()
    # Killed half-way, the worker's collector is resumed all the same.
    later = now + timedelta(days=30)

    def killed(period):
        raise KeyboardInterrupt("worker killed")

    report(cast, serial=99, when=now)
    monkeypatch.setattr(sweep_module, "after_period_hook", killed)
    with pytest.raises(KeyboardInterrupt):
        sweep_run(now=later)
    assert gc.isenabled()
    # A collector switched off by its process stays off.
    gc.disable()
    try:
        monkeypatch.setattr(sweep_module, "after_period_hook", lambda p: None)
        sweep_run(now=later)
        assert not gc.isenabled()
    finally:
        gc.enable()
