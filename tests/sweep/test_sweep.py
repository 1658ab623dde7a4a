from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import Breach, Case, CaseEvent, HandlingPeriod, PeriodCursor
from cases.sweep import ESCALATE_REASON, sweep_run
from notifications.models import Notification, OutboxMessage

from .conftest import MONDAY, at, copied_cases, report


def _notified(kind, case=None):
    rows = Notification.objects.filter(kind=kind)
    if case is not None:
        rows = rows.filter(case=case)
    return sorted(rows.values_list("user__username", flat=True))


def _open_period(case):
    return HandlingPeriod.objects.get(case=case, ended_at__isnull=True)


def test_assign_overdue_reminds_the_officers_and_sends_a_notice_above(cast):
    case = report(cast)
    period = _open_period(case)
    assert period.next_deadline == period.assign_due == at(3)  # 1 working day
    assert sweep_run(now=at(3) - timedelta(minutes=1)).breaches == 0

    result = sweep_run(now=at(3, 9, 1))
    assert (result.breaches, result.reminded) == (1, 1)
    breach = Breach.objects.get()
    assert (breach.kind, breach.action, breach.period_id) == ("assign", "remind", period.pk)
    assert _notified("reminder", case) == ["village_officer_a"]
    assert _notified("notice", case) == ["town_officer_a"]
    event = CaseEvent.objects.get(case=case, kind="remind")
    assert event.actor is None and "分派超期" in event.note
    # In the app at once, and in the outbox for e-mail, in the sweep's transaction.
    reminders = {"notification__kind__in": ["reminder", "notice"]}
    outbox = OutboxMessage.objects.filter(notification__case=case, **reminders)
    assert list(outbox.values_list("channel", flat=True)) == ["email", "email"]
    notices = Notification.objects.filter(case=case, kind__in=["reminder", "notice"])
    assert not notices.filter(delivered_at__isnull=True).exists()
    # The sweep's cursor goes to the next unmet deadline: respond (2 working days from
    # arrival). The period's own next deadline, the earliest not met, is still the passed one.
    period.refresh_from_db()
    assert (period.cursor.next_deadline, period.cursor.next_deadline_kind) == (at(4), "respond")
    assert (period.next_deadline, period.next_deadline_kind) == (at(3), "assign")

    again = sweep_run(now=at(3, 9, 2))
    assert (again.periods, again.breaches) == (0, 0)
    assert Breach.objects.count() == 1
    assert Notification.objects.filter(kind__in=["reminder", "notice"]).count() == 2


def test_respond_overdue_reminds_the_assignee_and_notices_the_town(cast):
    from cases import services

    case = report(cast)
    services.case_assign(
        actor=cast.village_officer_a,
        case_id=case.pk,
        assignee=cast.village_mediator_a,
        at=at(2, 10),
    )
    result = sweep_run(now=at(4, 9, 1))
    assert (result.breaches, result.reminded) == (1, 1)
    assert Breach.objects.get().kind == "respond"
    assert _notified("reminder", case) == ["village_mediator_a"]
    assert _notified("notice", case) == ["town_officer_a"]
    period = _open_period(case)
    assert period.cursor.next_deadline_kind == "resolve"
    assert sweep_run(now=at(4, 9, 2)).breaches == 0


def test_both_assign_and_respond_overdue_are_each_acted_on_once(cast):
    case = report(cast)
    result = sweep_run(now=at(5))
    assert (result.breaches, result.reminded) == (2, 2)
    assert sorted(Breach.objects.values_list("kind", flat=True)) == ["assign", "respond"]
    assert CaseEvent.objects.filter(case=case, kind="remind").count() == 2
    assert _open_period(case).cursor.next_deadline_kind == "resolve"
    # Assigning later resets the clock to what is unmet; the respond breach is not repeated.
    from cases import services

    services.case_assign(
        actor=cast.village_officer_a, case_id=case.pk, assignee=cast.village_mediator_a, at=at(5)
    )
    assert sweep_run(now=at(5, 10)).breaches == 0
    assert Breach.objects.count() == 2


def test_resolve_overdue_at_village_escalates_to_town_as_the_system(cast):
    from cases import services

    case = report(cast)
    services.case_assign(
        actor=cast.village_officer_a,
        case_id=case.pk,
        assignee=cast.village_mediator_a,
        at=at(2, 10),
    )
    services.case_respond(actor=cast.village_mediator_a, case_id=case.pk, at=at(2, 11))
    village_period = _open_period(case)
    due = village_period.resolve_due
    result = sweep_run(now=due + timedelta(minutes=1))
    assert (result.breaches, result.escalated) == (1, 1)
    case.refresh_from_db()
    assert (case.level, case.status, case.holder_id) == ("town", "pending", cast.areas.town_a.id)
    assert case.peak_level == "town" and case.assignee_id is None
    event = CaseEvent.objects.get(case=case, kind="escalate")
    assert event.actor is None and event.note == ESCALATE_REASON
    assert (event.from_level, event.to_level) == ("village", "town")
    village_period.refresh_from_db()
    assert village_period.end_reason == "escalated"
    town_period = _open_period(case)
    assert town_period.level == "town" and town_period.entered_by == "escalate"
    assert town_period.next_deadline > due
    assert town_period.cursor.next_deadline == town_period.next_deadline
    assert not PeriodCursor.objects.filter(period=village_period).exists()
    assert _notified("reminder", case) == ["village_mediator_a"]
    assert _notified("escalated", case) == ["town_officer_a"]
    breach = Breach.objects.get()
    assert (breach.kind, breach.action, breach.period_id) == (
        "resolve",
        "escalate",
        village_period.pk,
    )

    again = sweep_run(now=due + timedelta(minutes=2))
    assert again.breaches == 0
    assert CaseEvent.objects.filter(case=case, kind="escalate").count() == 1


def test_resolve_overdue_at_county_supervises_and_notifies_county_leaders(cast):
    from cases import services

    case = report(cast)
    services.case_escalate(actor=cast.county_officer, case_id=case.pk, reason="重大", at=at(2, 10))
    services.case_assign(
        actor=cast.county_officer, case_id=case.pk, assignee=cast.county_mediator, at=at(2, 11)
    )
    services.case_respond(actor=cast.county_mediator, case_id=case.pk, at=at(2, 12))
    period = _open_period(case)
    assert period.level == "county"
    result = sweep_run(now=period.resolve_due + timedelta(seconds=1))
    assert (result.breaches, result.supervised) == (1, 1)
    case.refresh_from_db()
    assert case.supervised and case.level == "county" and case.status == "in_progress"
    event = CaseEvent.objects.get(case=case, kind="supervise")
    assert event.actor is None
    assert _notified("supervise", case) == ["county_mediator", "county_officer", "county_viewer"]
    period.refresh_from_db()
    # Still overdue (the overdue list shows it), but the sweep does not pick it up again.
    assert (period.next_deadline, period.next_deadline_kind) == (period.resolve_due, "resolve")
    cursor = period.cursor
    assert (cursor.next_deadline, cursor.acted_due) == (period.resolve_due, period.resolve_due)
    later = sweep_run(now=period.resolve_due + timedelta(days=3))
    assert (later.periods, later.breaches) == (0, 0)


def test_an_extended_deadline_that_passes_again_is_a_new_breach(cast):
    from cases import services

    case = report(cast)
    services.case_escalate(actor=cast.county_officer, case_id=case.pk, reason="重大", at=at(2, 10))
    services.case_assign(
        actor=cast.county_officer, case_id=case.pk, assignee=cast.county_mediator, at=at(2, 11)
    )
    services.case_respond(actor=cast.county_mediator, case_id=case.pk, at=at(2, 12))
    first_due = _open_period(case).resolve_due
    assert sweep_run(now=first_due + timedelta(minutes=1)).supervised == 1
    # Parked on its resolve deadline, acted on: out of the sweep's look (`cursor_to_act`).
    assert _open_period(case).cursor.acted_due == first_due
    assert sweep_run(now=first_due + timedelta(hours=1)).breaches == 0
    services.case_extend(
        actor=cast.county_mediator,
        case_id=case.pk,
        until=(first_due + timedelta(days=10)).date(),
        parties=list(case.parties.values_list("pk", flat=True)),
        agreed_on=timezone.localdate(first_due + timedelta(hours=1)),
        consent_note="双方当事人同意延期",
        at=first_due + timedelta(hours=1),
    )
    new_due = _open_period(case).resolve_due
    assert sweep_run(now=new_due - timedelta(minutes=1)).breaches == 0
    assert sweep_run(now=new_due + timedelta(minutes=1)).supervised == 1
    assert CaseEvent.objects.filter(case=case, kind="supervise").count() == 2


def test_a_sweep_with_nothing_due_is_a_few_indexed_queries(cast, django_assert_max_num_queries):
    for serial in range(5):
        report(cast, serial=serial + 1)
    from cases.sweep import deadline_sources

    # The periods' look, then one indexed look per registered kind of deadline (each app's
    # DeadlineSource): the count follows the kinds of deadline, never the cases.
    with django_assert_max_num_queries(1 + len(deadline_sources(hourly=False))):
        result = sweep_run(now=MONDAY + timedelta(hours=1))
    assert result.periods == 0


def test_the_period_query_uses_the_partial_index(cast, on_postgres):
    from cases.sweep import _due_periods
    from tests.plans import leave_only

    # Two hundred periods parked on a resolve deadline already acted on (supervised county
    # cases), which the look must never read, and one due.
    parked = copied_cases(cast, 200)
    PeriodCursor.objects.filter(period__case_id__in=parked).update(
        next_deadline=MONDAY - timedelta(days=1), acted_due=MONDAY - timedelta(days=1)
    )
    report(cast, serial=999)
    # With a handful of rows the planner would rather scan, or take the cursors' key, whose cost
    # ties; the point is that the look can be served by the partial index. (No ANALYZE: a
    # table's row count it sets outlives the test's transaction and would steer later plans.)
    leave_only("cursor_to_act")
    plan = (
        _due_periods(MONDAY).order_by("cursor__next_deadline", "cursor__period_id")[:500].explain()
    )
    # The cursors' index without the parked ones (a supervised county case): nothing of it
    # filtered out (each joins its open period). (Whether it is read in its order, unsorted,
    # depends on the sizes: the benchmark's plans are.)
    lines = plan.splitlines()
    at = next(i for i, line in enumerate(lines) if "cursor_to_act" in line)
    depth = len(lines[at]) - len(lines[at].lstrip())
    below = []
    for line in lines[at + 1 :]:
        if len(line) - len(line.lstrip()) <= depth:
            break
        below.append(line.strip())
    assert not [line for line in below if "Filter" in line], plan


def test_sweep_command_runs_with_a_pretended_clock(cast, capsys):
    report(cast)
    call_command("sweep", "--now", "2026-11-03T09:05")
    out = capsys.readouterr().out
    assert "1 new breaches (1 reminded" in out
    assert Breach.objects.count() == 1
    with pytest.raises(Exception, match="ISO"):
        call_command("sweep", "--now", "yesterday")


def test_many_due_are_taken_in_batches(cast):
    for serial in range(7):
        report(cast, serial=serial + 1)
    result = sweep_run(now=at(3, 9, 1), batch_size=3)
    assert (result.periods, result.breaches) == (7, 7)
    assert Case.objects.filter(level="village").count() == 7


def test_a_village_without_an_officer_has_its_mediators_reminded(cast):
    from accounts.models import Role

    Role.objects.filter(user=cast.village_officer_a).delete()
    case = report(cast)
    sweep_run(now=at(3, 9, 1))
    assert _notified("reminder", case) == ["village_mediator_a"]
