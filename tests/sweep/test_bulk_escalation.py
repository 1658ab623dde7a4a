"""The sweep escalates a batch's overdue cases set-based, by the rules of `case_escalate`: the
same rows as one case at a time through the service (levels, holders, periods and their
deadlines, events, notifications and their outbox rows, the ledger), in the same number of
statements for ten escalations as for a hundred, and exactly once under two sweeps at once and
a sweep process killed mid-batch."""

import json
from collections import Counter
from datetime import datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases import services
from cases import sweep as sweep_module
from cases.events import EVENT_COLUMNS
from cases.models import Breach, Case, CaseEvent, HandlingPeriod, PeriodCursor
from cases.sweep import People, SweepReport, sweep_run
from notifications.models import Notification, OutboxMessage
from tests.concurrency import sweep_killed_at, sweeps_at_once

from .conftest import MONDAY, TZ, at, bring_back, copied_cases, report, set_aside

# Tuesday 24 November 2026, 10:00: past the village periods' resolve deadlines (15 working
# days from 2 November) and the town period's (20 working days from 13 October).
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)


def _mixed(cast):
    """Cases the sweep escalates in every way, and one it supervises in the same batch."""
    cases = []
    # Unassigned at village: two reminders (assign, respond), then escalated to town.
    cases.append(report(cast, serial=1))
    # Assigned and responded: only escalated; its assignee is told.
    handled = report(cast, serial=2)
    services.case_assign(
        actor=cast.village_officer_a,
        case_id=handled.pk,
        assignee=cast.village_mediator_a,
        at=at(2, 10),
    )
    services.case_respond(actor=cast.village_mediator_a, case_id=handled.pk, at=at(2, 11))
    cases.append(handled)
    # Red risk in the other town: the red limits.
    cases.append(
        report(cast, area=cast.areas.grid_b1, actor=cast.grid_worker_b, risk="red", serial=3)
    )
    # Reported by the village's officer, who is also the one who let it pass (told once).
    cases.append(report(cast, actor=cast.village_officer_a, serial=4))
    # At town since October: escalated from town to county.
    at_town = report(cast, serial=5, when=datetime(2026, 10, 12, 9, 0, tzinfo=TZ))
    services.case_escalate(
        actor=cast.village_officer_a,
        case_id=at_town.pk,
        reason="村级调解不成",
        at=datetime(2026, 10, 13, 9, 0, tzinfo=TZ),
    )
    cases.append(at_town)
    # At county past its resolve deadline: supervised, in the same batch.
    at_county = report(cast, serial=6, when=datetime(2026, 9, 1, 9, 0, tzinfo=TZ))
    services.case_escalate(
        actor=cast.county_officer,
        case_id=at_county.pk,
        reason="重大",
        at=datetime(2026, 9, 2, 9, 0, tzinfo=TZ),
    )
    cases.append(at_county)
    return [case.pk for case in cases]


def _dumped(rows):
    return Counter(json.dumps(row, sort_keys=True, default=str) for row in rows)


def _rows(ids, first_event, first_notification):
    """What a sweep wrote for the cases `ids`, without ids of rows it created."""
    return {
        "cases": sorted(
            Case.objects.filter(pk__in=ids).values_list(
                "pk", "level", "peak_level", "holder_id", "status", "assignee_id", "supervised"
            )
        ),
        "periods": _dumped(
            HandlingPeriod.objects.filter(case_id__in=ids).values(
                "case_id",
                "level",
                "area_id",
                "entered_by",
                "red",
                "arrived_at",
                "assign_due",
                "assigned_at",
                "respond_due",
                "responded_at",
                "resolve_due",
                "ended_at",
                "end_reason",
                "next_deadline",
                "next_deadline_kind",
            )
        ),
        "cursors": _dumped(
            PeriodCursor.objects.filter(period__case_id__in=ids).values(
                "period__case_id",
                "period__level",
                "next_deadline",
                "next_deadline_kind",
                "acted_due",
            )
        ),
        "events": _dumped(
            CaseEvent.objects.filter(case_id__in=ids, pk__gte=first_event).values(*EVENT_COLUMNS)
        ),
        "notifications": _dumped(
            Notification.objects.filter(case_id__in=ids, pk__gte=first_notification).values(
                "user_id", "kind", "title", "body", "case_id", "created_at", "read_at"
            )
        ),
        "outbox": _dumped(
            OutboxMessage.objects.filter(
                notification__case_id__in=ids, notification_id__gte=first_notification
            ).values(
                "channel",
                "recipient_id",
                "notification__title",
                "payload",
                "created_at",
                "next_attempt_at",
                "attempts",
            )
        ),
        "breaches": _dumped(
            Breach.objects.filter(case_id__in=ids).values(
                "case_id", "period_id", "kind", "subject", "due_at", "detected_at", "action"
            )
        ),
    }


class _Undo(Exception):
    pass


def _written_by(run, ids):
    """The rows `run()` writes, then undone (the next path starts from the same state)."""
    first_event = (CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first()) + 1
    first_notification = (
        Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
    ) + 1
    try:
        with transaction.atomic():
            result = run()
            rows = _rows(ids, first_event, first_notification)
            raise _Undo
    except _Undo:
        pass
    return result, rows


def _one_at_a_time():
    """The single path: each due period through `_handle_period` (an escalation through
    `case_escalate` itself), as the sweep does a batch that failed."""
    report_ = SweepReport(now=NOW)
    people = People()
    due = sweep_module._due_periods(NOW).select_related("case", "cursor")
    due = due.order_by("cursor__next_deadline", "cursor__period_id")
    for period in list(due):
        sweep_module._one_period(period, now=NOW, report=report_, people=people)
    return report_


def test_the_batch_escalates_as_case_escalate_does_one_case_at_a_time(cast, monkeypatch):
    ids = _mixed(cast)

    def not_alone(*args, **kwargs):
        raise AssertionError("the batch escalated a case through case_escalate")

    with monkeypatch.context() as patched:
        patched.setattr(sweep_module, "_escalate", not_alone)
        # The handling periods only (the red case also owes its report to the police).
        patched.setattr(sweep_module, "deadline_sources_run", lambda **kwargs: None)
        batch, in_batch = _written_by(lambda: sweep_run(now=NOW), ids)
    alone, one_by_one = _written_by(_one_at_a_time, ids)

    figures = ("periods", "breaches", "reminded", "escalated", "supervised", "already_recorded")
    assert [getattr(batch, name) for name in figures] == [getattr(alone, n) for n in figures]
    assert (batch.periods, batch.escalated, batch.supervised) == (6, 5, 1)
    assert batch.reminded >= 2 and not batch.failed and not alone.failed
    for table in in_batch:
        assert in_batch[table] == one_by_one[table], table
    levels = dict((row[0], row[1]) for row in in_batch["cases"])
    # (a red case is taken at town from intake: the sweep sends it on to county)
    assert [levels[pk] for pk in ids] == ["town", "town", "county", "town", "county", "county"]
    kinds = Counter(json.loads(row)["kind"] for row in in_batch["events"].elements())
    assert (kinds["escalate"], kinds["supervise"]) == (5, 1)
    # Each escalation: the receiving unit's queue keepers (in-app, email, SMS) and the
    # reporter are told by the event; the people who let it pass by the sweep's reminder.
    assert sum(in_batch["outbox"].values()) > sum(in_batch["notifications"].values())


# ---------------------------------------------------------------- many, at once, killed


# Past the copied cases' resolve deadlines (and their assign and respond deadlines).
ESCALATIONS_DUE = MONDAY + timedelta(days=21, minutes=1)  # 23 November, 09:01


def _assert_escalated_once_each(ids):
    n = len(ids)
    assert Case.objects.filter(pk__in=ids, level="town", status="pending").count() == n
    for kind, per_case in (("escalate", 1), ("remind", 2)):
        per = Counter(
            CaseEvent.objects.filter(case_id__in=ids, kind=kind, actor=None).values_list(
                "case_id", flat=True
            )
        )
        assert set(per) == set(ids) and set(per.values()) == {per_case}, kind
    assert Breach.objects.filter(case_id__in=ids).count() == 3 * n
    assert Breach.objects.filter(case_id__in=ids, action="escalate").count() == n
    open_periods = HandlingPeriod.objects.filter(case_id__in=ids, ended_at__isnull=True)
    assert open_periods.count() == n
    assert set(open_periods.values_list("level", "entered_by")) == {("town", "escalate")}
    assert HandlingPeriod.objects.filter(case_id__in=ids, end_reason="escalated").count() == n
    # Told once each: the town's officer of the new case (escalated), the reporter (progress).
    for kind, per_case in (("escalated", 1), ("progress", 1)):
        per = Counter(
            Notification.objects.filter(case_id__in=ids, kind=kind).values_list(
                "case_id", flat=True
            )
        )
        assert set(per) == set(ids) and set(per.values()) == {per_case}, kind


def test_a_batch_escalates_ten_cases_in_the_statements_of_a_hundred(
    cast, on_postgres, django_assert_max_num_queries
):
    ids = copied_cases(cast, 110)
    set_aside(ids[10:])
    with CaptureQueriesContext(connection) as queries:
        small = sweep_run(now=ESCALATIONS_DUE)
    assert (small.periods, small.escalated, small.reminded) == (10, 10, 20)
    # Reopen the hundred (the ten now have their town period open).
    bring_back(ids[10:])
    with django_assert_max_num_queries(len(queries)):
        large = sweep_run(now=ESCALATIONS_DUE)
    assert (large.periods, large.escalated, large.reminded) == (100, 100, 200)
    _assert_escalated_once_each(ids)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_four_hundred_cases_once_each(cast, on_postgres):
    ids = copied_cases(cast, 400)
    reports = sweeps_at_once(ESCALATIONS_DUE, batch_size=50)
    assert sum(r.escalated for r in reports) == 400
    assert sum(r.breaches for r in reports) == 1200
    assert not any(r.failed for r in reports)
    _assert_escalated_once_each(ids)
    assert sweep_run(now=ESCALATIONS_DUE).breaches == 0


@pytest.mark.django_db(transaction=True)
def test_a_sweep_killed_mid_batch_of_escalations_leaves_nothing_half_done(cast, on_postgres):
    ids = copied_cases(cast, 60)
    sweep_killed_at(45, ESCALATIONS_DUE, batch_size=25, lanes=1)  # one lane: batches in order
    # The first batch (25 cases) committed; nothing of the second.
    assert Case.objects.filter(pk__in=ids, level="town").count() == 25
    assert Breach.objects.count() == 75
    assert CaseEvent.objects.filter(kind="escalate").count() == 25
    assert HandlingPeriod.objects.filter(case_id__in=ids).count() == 60 + 25

    again = sweep_run(now=ESCALATIONS_DUE, batch_size=25)
    assert (again.periods, again.escalated, again.already_recorded) == (35, 35, 0)
    _assert_escalated_once_each(ids)
