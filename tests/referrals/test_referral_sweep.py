"""A referral left unanswered is reminded once by the sweep (exactly once under two concurrent
sweeps on PostgreSQL) and counted late by the one overdue rule."""

from datetime import timedelta

import pytest

from cases import overdue, referrals
from cases.models import Breach, CaseEvent
from cases.sweep import sweep_run
from notifications.models import Notification
from tests import builders
from tests.concurrency import sweeps_at_once
from tests.sweep.conftest import MONDAY, at


def _late(case, now):
    return {item.kind for item in overdue.late_items([case.id], now).get(case.id, [])}


def _referred(cast, agencies, when=MONDAY):
    case = builders.report(cast.grid_worker_a, cast.areas.grid_a1, at=when)
    referral = referrals.referral_send(
        actor=cast.village_officer_a,
        case_id=case.id,
        agency_id=agencies.hr.id,
        note="移交",
        at=when,
    )
    return case, referral


@pytest.mark.django_db
def test_an_unreceived_then_unanswered_referral_is_reminded_once_each_and_counted_late(
    cast, agencies
):
    case, referral = _referred(cast, agencies)
    # Due to be received on Tuesday 09:00 (1 working day).
    assert referral.receive_due == at(3, 9)
    assert "referral_receive" not in _late(case, at(3, 8, 59))
    assert "referral_receive" in _late(case, at(3, 9, 1))
    assert case.id in set(overdue.overdue_case_ids(at(3, 9, 1)))

    first = sweep_run(now=at(3, 9, 1))
    assert first.referral_reminders == 1
    assert Notification.objects.filter(user=agencies.hr_liaison, kind="reminder").count() == 1
    assert sweep_run(now=at(3, 10)).referral_reminders == 0

    referrals.referral_receive(actor=agencies.hr_liaison, referral_id=referral.id, at=at(3, 11))
    referral.refresh_from_db()
    assert referral.late  # received after its due
    assert not {"referral_receive", "referral_answer"} & _late(case, at(3, 12))
    late = referral.answer_due + timedelta(minutes=1)
    assert "referral_answer" in _late(case, late)
    assert "referral_answer" not in _late(case, referral.answer_due - timedelta(minutes=1))
    assert sweep_run(now=late).referral_reminders == 1
    assert sweep_run(now=late + timedelta(hours=1)).referral_reminders == 0
    assert Breach.objects.filter(subject=f"referral:{referral.id}").count() == 2
    assert (
        CaseEvent.objects.filter(case=case, kind="remind", data__referral=referral.id).count() == 2
    )


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_remind_each_late_referral_exactly_once(cast, agencies, on_postgres):
    made = [_referred(cast, agencies, when=MONDAY + timedelta(minutes=i)) for i in range(6)]
    now = at(4, 9)
    reports = sweeps_at_once(now)
    assert sum(r.referral_reminders for r in reports) == 6
    for case, referral in made:
        assert Breach.objects.filter(subject=f"referral:{referral.id}").count() == 1
        assert (
            CaseEvent.objects.filter(case=case, kind="remind", data__referral=referral.id).count()
            == 1
        )
    assert sweep_run(now=now).referral_reminders == 0
