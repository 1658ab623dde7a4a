from datetime import timedelta

from django.utils import timezone

from cases.models import Breach, CaseEvent
from cases.sweep import follow_up_run, sweep_all, sweep_run
from mediation.models import JudicialConfirmation
from notifications.models import Notification
from tests.builders import ask_consultation, record_follow_up, record_session

from .conftest import report


def _resolved_case_with_a_consultation(cast):
    """A village case resolved now with an oral agreement (effective at once), after asking the
    town's lawyer for an opinion due in two days."""
    from cases import services

    now = timezone.now()
    mediator = cast.village_mediator_a
    case = report(cast, when=now - timedelta(hours=3))
    services.case_assign(
        actor=cast.village_officer_a,
        case_id=case.pk,
        assignee=mediator,
        at=now - timedelta(hours=2),
    )
    services.case_respond(actor=mediator, case_id=case.pk, at=now - timedelta(hours=1))
    record_session(case, mediator, at=now - timedelta(minutes=30))
    consultation = ask_consultation(
        case,
        mediator,
        consultant_kind="lawyer",
        consultant_name="王律师",
        consultant=cast.town_officer_a,
        question="宅基地边界如何认定？",
        due_at=now + timedelta(days=2),
    )
    services.case_resolve(
        actor=mediator, case_id=case.pk, agreement={"form": "oral", "terms": "后退30公分"}, at=now
    )
    return case, consultation


def test_consultation_judicial_confirmation_and_follow_up_deadlines_remind_once(cast):
    case, consultation = _resolved_case_with_a_consultation(cast)
    confirmation = JudicialConfirmation.objects.get(case=case)

    # Day 3: only the consultation is overdue.
    first = sweep_all(now=consultation.due_at + timedelta(hours=1))
    assert (first.consultation_reminders, first.judicial_reminders) == (1, 0)
    assert first.follow_up_reminders == 0
    assert sorted(
        Notification.objects.filter(kind="consultation_due").values_list(
            "user__username", flat=True
        )
    ) == ["town_officer_a", "village_mediator_a"]

    # Day 20 of the confirmation window; by now the follow-up (10 working days) is due too.
    # The every-minute sweep reminds of the confirmation; the follow-up is the hourly pass's.
    later = confirmation.remind_at + timedelta(minutes=5)
    second = sweep_run(now=later)
    assert (second.judicial_reminders, second.follow_up_reminders) == (1, 0)
    assert second.consultation_reminders == 0
    assert follow_up_run(now=later).follow_up_reminders == 1
    assert list(
        Notification.objects.filter(kind__in=["judicial_due", "follow_up_due"]).values_list(
            "user__username", flat=True
        )
    ) == ["village_mediator_a", "village_mediator_a"]
    assert sorted(Breach.objects.values_list("kind", flat=True)) == [
        "consultation_due",
        "follow_up_due",
        "judicial_remind",
    ]
    assert CaseEvent.objects.filter(case=case, kind="remind", actor=None).count() == 3
    # Reminded of: the rows leave the sweep's looks (their partial indexes), not only through
    # the ledger.
    consultation.refresh_from_db()
    confirmation.refresh_from_db()
    assert consultation.reminded_at is not None
    assert confirmation.reminded_at is not None

    third = sweep_all(now=later + timedelta(hours=1))
    assert third.breaches == 0


def test_answered_applied_and_followed_up_cases_are_left_alone(cast):
    from mediation.services import consultation_answer

    case, consultation = _resolved_case_with_a_consultation(cast)
    consultation_answer(
        actor=cast.town_officer_a,
        case_id=case.pk,
        consultation_id=consultation.pk,
        answer="以确权证为准",
    )
    JudicialConfirmation.objects.filter(case=case).update(status="applied", court="宜君县人民法院")
    record_follow_up(case, cast.village_mediator_a)
    before = Notification.objects.count()
    result = sweep_all(now=timezone.now() + timedelta(days=25))
    assert result.breaches == 0
    assert Notification.objects.count() == before


def test_no_judicial_reminder_once_the_window_has_closed(cast):
    """A sweep that was down past day 30 does not remind about a window that is over."""
    case, _ = _resolved_case_with_a_consultation(cast)
    confirmation = JudicialConfirmation.objects.get(case=case)
    result = sweep_run(now=confirmation.due_at + timedelta(minutes=1))
    assert result.judicial_reminders == 0
    assert not Notification.objects.filter(kind="judicial_due").exists()
    assert not Breach.objects.filter(kind="judicial_remind").exists()


def test_follow_up_candidates_are_exactly_the_cases_due(cast):
    """The sweep reads only resolved cases whose first follow-up is due: an oral agreement 10
    working days after resolution at the same time of day (the National Day week does not
    count), a written one at the end of its performance date, so none is re-read every
    minute before then."""
    from datetime import datetime

    from cases.calendar import add_working_days
    from cases.models import Case
    from mediation.deadlines import follow_up_candidates as _follow_up_candidates
    from mediation.models import Agreement

    tz = timezone.get_current_timezone()
    case, _ = _resolved_case_with_a_consultation(cast)
    resolved = datetime(2026, 9, 28, 10, 0, tzinfo=tz)
    Case.objects.filter(pk=case.pk).update(resolved_at=resolved, concluded_at=resolved)
    due = add_working_days(resolved, 10)
    assert due.date() > datetime(2026, 10, 12).date()  # the holiday week is not counted
    assert not _follow_up_candidates(datetime(2026, 10, 8, 12, 0, tzinfo=tz)).exists()
    assert not _follow_up_candidates(due - timedelta(minutes=1)).exists()
    assert _follow_up_candidates(due).exists()
    assert _follow_up_candidates(due + timedelta(days=3)).exists()
    Agreement.objects.filter(case=case).update(perform_by=datetime(2026, 10, 30).date())
    assert not _follow_up_candidates(datetime(2026, 10, 30, 23, 0, tzinfo=tz)).exists()
    assert _follow_up_candidates(datetime(2026, 10, 31, 0, 1, tzinfo=tz)).exists()
