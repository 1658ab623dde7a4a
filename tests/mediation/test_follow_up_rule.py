"""The first follow-up's due rule is written once (`mediation.deadlines`) in two forms: for a
case in hand (the case page, the API, the reminder) and as a query (which cases the hourly
pass reads). They must agree, to the microsecond, across holidays and make-up workdays."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from cases import services
from cases.models import Case
from mediation.deadlines import follow_up_due, follow_up_due_at, follow_up_due_q
from mediation.models import Agreement
from tests.builders import ORAL, record_session, report


def _resolved_case(cast):
    now = timezone.now()
    mediator = cast.village_mediator_a
    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    services.case_assign(actor=cast.village_officer_a, case_id=case.pk, assignee=mediator, at=now)
    services.case_respond(actor=mediator, case_id=case.pk, at=now)
    record_session(case, mediator, at=now)
    services.case_resolve(actor=mediator, case_id=case.pk, agreement=ORAL, at=now)
    return Case.objects.get(pk=case.pk)


def _due_by_query(case, now) -> bool:
    return Case.objects.filter(follow_up_due_q(now), pk=case.pk).exists()


def test_the_query_form_and_the_python_form_of_the_follow_up_rule_agree(cast):
    tz = timezone.get_current_timezone()
    case = _resolved_case(cast)
    # Resolutions around the 2026 National Day week (1–7 October off, Saturday 10 October a
    # make-up workday) and an ordinary week, at the start, middle and end of a day.
    resolutions = [
        datetime(2026, 9, day, hour, minute, tzinfo=tz)
        for day in (18, 25, 28, 30)
        for hour, minute in ((0, 0), (10, 30), (23, 59))
    ] + [datetime(2026, 10, day, 10, 30, tzinfo=tz) for day in (3, 9, 10, 16)]
    checked = due_seen = 0
    for resolved in resolutions:
        Case.objects.filter(pk=case.pk).update(resolved_at=resolved, concluded_at=resolved)
        case.refresh_from_db()
        due = follow_up_due_at(case)
        assert due == follow_up_due(case) and due > resolved
        moments = [
            due - timedelta(days=1),
            due - timedelta(microseconds=1),
            due,
            due + timedelta(microseconds=1),
            due + timedelta(hours=5),
            due + timedelta(days=3),
            resolved + timedelta(days=3),
        ]
        for now in moments:
            assert _due_by_query(case, now) == (due <= now), (resolved, now)
            checked += 1
            due_seen += due <= now
    assert checked == len(resolutions) * 7 and 0 < due_seen < checked


def test_with_a_performance_date_both_forms_fall_due_at_the_end_of_that_day(cast):
    tz = timezone.get_current_timezone()
    case = _resolved_case(cast)
    Agreement.objects.filter(case=case).update(perform_by=date(2026, 10, 30))
    assert follow_up_due(case) == date(2026, 10, 30)
    due = follow_up_due_at(case)
    assert due == datetime(2026, 10, 31, 0, 0, tzinfo=tz)
    for now in (
        datetime(2026, 10, 30, 0, 0, tzinfo=tz),
        datetime(2026, 10, 30, 23, 59, 59, tzinfo=tz),
        due,
        datetime(2026, 10, 31, 0, 1, tzinfo=tz),
        datetime(2026, 11, 20, 9, 0, tzinfo=tz),
    ):
        assert _due_by_query(case, now) == (due <= now), now


def test_an_unresolved_case_has_no_follow_up_due_in_either_form(cast):
    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    assert follow_up_due_at(case) is None
    assert not _due_by_query(case, timezone.now() + timedelta(days=400))
