"""Races on PostgreSQL with real threads and their own connections: one case, many hands;
many intakes, one number sequence."""

import pytest

from cases import services
from cases.models import Case, CaseEvent, CaseNumberSequence, HandlingPeriod
from config.errors import Conflict
from tests.builders import party, report
from tests.concurrency import run_in_threads


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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_mixed_escalations_over_http_one_wins_the_rest_are_409_or_403(cast, on_postgres):
    """The assignee (a village mediator) escalates while the town officer pulls the case up,
    ten of each at once, over the API, round after round. The officer's clients say which
    level they saw (`from_level`); the mediator's send the old body. Exactly one request wins;
    a lost race is 409 (the case moved) or 403 (the mediator may not act at the town), never a
    404 for a case the loser can see (the locked read joined `holder`, which the winner had
    changed) and never a 500."""
    from rest_framework.test import APIClient

    mediator, officer = cast.village_mediator_a, cast.town_officer_a
    for round_ in range(10):
        case = report(cast.grid_worker_a, cast.areas.grid_a1, title=f"并发上报{round_}")
        services.case_assign(actor=cast.village_officer_a, case_id=case.id, assignee=mediator)
        services.case_respond(actor=mediator, case_id=case.id)

        def work(i, case_id=case.id):
            client = APIClient()
            if i % 2:
                client.force_authenticate(officer)
                body = {"reason": "提级办理", "from_level": "village"}
            else:
                client.force_authenticate(mediator)
                body = {"reason": "本级难以化解"}
            response = client.post(f"/api/v1/cases/{case_id}/escalate/", body, format="json")
            return i % 2, response.status_code

        results = run_in_threads(20, work)
        assert all(kind == "ok" for kind, _ in results), results
        answers = [value for _, value in results]
        wins = [a for a in answers if a[1] == 200]
        assert len(wins) == 1, answers
        for by_officer, code in answers:
            if code == 200:
                continue
            # The officer's clients saw the village level; the case has moved: 409. The
            # mediator holds no role at the town: 403.
            assert code == (409 if by_officer else 403), answers
        case.refresh_from_db()
        assert (case.level, case.status, case.assignee_id) == ("town", "pending", None)
        assert CaseEvent.objects.filter(case=case, kind="escalate").count() == 1
        assert HandlingPeriod.objects.filter(case=case, ended_at__isnull=True).count() == 1
