"""An unanswered 督办 past its deadline is overdue: the overdue rule of cases counts its case,
and the sweep reminds the unit and tells the opener once per deadline, even when two sweeps run
at once (PostgreSQL); a returned 督办 with a new deadline is reminded again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import overdue
from cases.models import Breach, CaseEvent
from cases.sweep import sweep_run
from notifications.models import Notification
from supervision import services
from supervision.models import Supervision
from tests.concurrency import sweeps_at_once

from .conftest import open_on_case, open_on_unit, village_case


def _reminders(supervision):
    return Notification.objects.filter(kind="reminder", title__startswith="督办反馈超期").filter(
        title__endswith=supervision.case.number if supervision.case_id else supervision.unit.name
    )


@pytest.mark.django_db
def test_an_unanswered_supervision_past_its_deadline_is_overdue_and_reminded_once(cast, api):
    case = village_case(cast)
    late = open_on_case(cast, case, days_ago=4, due_in_days=2)
    on_time = open_on_case(cast, village_case(cast, serial=2, title="另一起纠纷"))
    now = timezone.now()
    # The overdue rule: the case is overdue on the 督办 stage, with its deadline.
    assert case.pk in set(overdue.overdue_case_ids(now))
    items = overdue.late_items([case.pk, on_time.case_id], now)
    assert [(i.kind, i.label, i.due) for i in items[case.pk] if i.kind == "supervision"] == [
        ("supervision", "督办反馈", late.due_at)
    ]
    assert all(i.kind != "supervision" for i in items.get(on_time.case_id, []))

    first = sweep_run(now=now)
    assert first.supervision_reminders == 1
    assert sweep_run(now=now + timedelta(minutes=1)).supervision_reminders == 0
    assert set(_reminders(late).values_list("user_id", flat=True)) == {
        cast.village_mediator_a.pk,
        cast.village_officer_a.pk,
    }
    assert (
        Notification.objects.filter(
            user=cast.town_officer_a, title__startswith="督办超期未反馈"
        ).count()
        == 1
    )
    assert Breach.objects.filter(case=case, kind="supervision").count() == 1
    assert CaseEvent.objects.filter(case=case, kind="remind", note__startswith="督办").count() == 1
    # Over the API and on the counts: overdue; once answered (late), no longer.
    client = api(cast.town_officer_a)
    row = client.get(f"/api/v1/supervisions/{late.pk}/").json()
    assert row["overdue"] is True
    client_v = api(cast.village_mediator_a)
    assert (
        client_v.post(f"/api/v1/supervisions/{late.pk}/feedback/", {"text": "已办"}).json()[
            "on_time"
        ]
        is False
    )
    assert case.pk not in set(overdue.overdue_case_ids(timezone.now()))
    counts = client.get("/api/v1/supervisions/counts/", {"area": cast.areas.town_a.pk}).json()
    assert counts["totals"]["late"] == 1 and counts["totals"]["overdue"] == 0


@pytest.mark.django_db
def test_a_returned_supervision_with_a_new_deadline_is_reminded_again(cast):
    supervision = open_on_unit(cast, cast.areas.village_a1, days_ago=6, due_in_days=1)
    assert sweep_run().supervision_reminders == 1
    services.supervision_feedback(
        actor=cast.village_mediator_a, supervision_id=supervision.pk, text="已补报"
    )
    returned_at = timezone.now() - timedelta(days=3)
    Supervision.objects.filter(pk=supervision.pk).update(answered_at=returned_at)
    services.supervision_return(
        actor=cast.county_officer,
        supervision_id=supervision.pk,
        reason="补报不全",
        due_at=returned_at + timedelta(days=1),
        now=returned_at,
    )
    assert sweep_run().supervision_reminders == 1
    assert sweep_run().supervision_reminders == 0
    # Each deadline reminded the village's two people once.
    assert _reminders(supervision).count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_remind_each_overdue_supervision_exactly_once(cast, on_postgres):
    a = cast.areas
    rows = [open_on_unit(cast, a.village_a1, days_ago=5, due_in_days=1) for _ in range(6)]
    rows += [open_on_unit(cast, a.town_a, days_ago=5, due_in_days=2) for _ in range(4)]
    rows += [
        open_on_case(cast, village_case(cast, serial=i + 1), days_ago=5, due_in_days=1)
        for i in range(5)
    ]
    now = timezone.now()
    reports = sweeps_at_once(now)
    assert sum(r.supervision_reminders for r in reports) == len(rows)
    for row in rows:
        assert Supervision.objects.get(pk=row.pk).reminded_due == row.due_at
    # One reminder to each of the unit's two people, one notice to the opener: nothing doubled.
    assert Notification.objects.filter(title__startswith="督办反馈超期").count() == 2 * len(rows)
    assert Notification.objects.filter(title__startswith="督办超期未反馈").count() == len(rows)
    assert Breach.objects.filter(kind="supervision").count() == 5
    assert sweep_run(now=now).supervision_reminders == 0
