"""Races on PostgreSQL with real threads and their own connections: one case, many hands;
many intakes, one number sequence."""

import threading

import pytest
from django.db import connection

from cases import services
from cases.models import Case, CaseEvent, CaseNumberSequence, HandlingPeriod
from config.errors import Conflict
from tests.builders import party, report


def run_in_threads(count, work):
    """Start `count` threads at the same moment; each runs work(i) on its own connection."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def target(i):
        try:
            barrier.wait(timeout=30)
            results[i] = ("ok", work(i))
        except Exception as exc:  # collected and asserted by the test
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_twenty_conflicting_actions_on_one_case_one_wins(cast, on_postgres):
    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    officer, mediator = cast.village_officer_a, cast.village_mediator_a
    events_before = CaseEvent.objects.filter(case=case).count()

    def work(i):
        if i % 2:
            return services.case_assign(actor=officer, case_id=case.id, assignee=mediator)
        return services.case_assign(actor=mediator, case_id=case.id, assignee=mediator)

    results = run_in_threads(20, work)
    wins = [r for r in results if r[0] == "ok"]
    losses = [r[1] for r in results if r[0] == "error"]
    assert len(wins) == 1
    assert len(losses) == 19
    assert all(isinstance(exc, Conflict) for exc in losses), losses
    assert all(exc.extra == {"status": "assigned", "level": "village"} for exc in losses)
    assert CaseEvent.objects.filter(case=case).count() == events_before + 1
    assert CaseEvent.objects.filter(case=case, kind="assign").count() == 1
    case.refresh_from_db()
    assert (case.status, case.assignee_id) == ("assigned", mediator.id)
    period = HandlingPeriod.objects.get(case=case)
    assert period.assigned_at is not None and period.next_deadline_kind == "respond"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_intakes_get_fifty_consecutive_numbers(cast, on_postgres):
    reporters = [cast.grid_worker_a, cast.village_mediator_a, cast.village_mediator_b]
    origins = [cast.areas.grid_a1, cast.areas.village_a1, cast.areas.village_b1]

    def work(i):
        who = i % 3
        return report(
            reporters[who],
            origins[who],
            title=f"并发登记{i}",
            parties=[party("甲", "applicant", 100 + i), party("乙", "respondent", 200 + i)],
        ).number

    results = run_in_threads(50, work)
    errors = [r[1] for r in results if r[0] == "error"]
    assert not errors, errors
    numbers = sorted(r[1] for r in results)
    year = numbers[0].split("-")[1]
    assert numbers == [f"610222-{year}-{n:06d}" for n in range(1, 51)]
    assert Case.objects.count() == 50
    assert CaseNumberSequence.objects.get().last == 50
