"""Races on PostgreSQL with real threads: reminder passes run at once send each reminder once;
a rota generated twice at once fills each day once; a consultation item turned into a case by
two hands at once becomes one case."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case
from community import deadlines, services
from community.models import DutyShift
from notifications.models import Notification
from tests.cases.test_concurrency import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_reminder_passes_at_once_send_each_reminder_once(cast, on_postgres):
    a = cast.areas
    today = timezone.localdate()
    services.campaign_open(
        actor=cast.town_officer_a,
        name="汛期排查",
        area=a.town_a,
        starts_on=today - timedelta(days=3),
        ends_on=today + timedelta(days=1),
    )
    results = run_in_threads(4, lambda i: deadlines.campaign_closing_reminders())
    assert all(kind == "ok" for kind, _ in results), results
    assert sum(sent for _, sent in results) == 3  # three grids in town A, none reported
    # A1-1: its grid worker; A1-2 (no grid worker): the village's two; A2-1: its mediator.
    assert Notification.objects.filter(kind="campaign_closing").count() == 4


def test_two_rota_generations_at_once_fill_each_day_once(village, on_postgres):
    cast, a = village.cast, village.areas
    month = timezone.localdate().replace(day=1)
    results = run_in_threads(
        2,
        lambda i: len(
            services.rota_generate(actor=cast.village_mediator_a, village=a.village_a1, month=month)
        ),
    )
    assert all(kind == "ok" for kind, _ in results), results
    days = DutyShift.objects.filter(village=a.village_a1).count()
    assert sorted(n for _, n in results)[0] == 0 and sum(n for _, n in results) == days


def test_an_item_turned_into_a_case_by_two_hands_at_once_is_one_case(cast, on_postgres):
    a = cast.areas
    day = services.consultation_day_record(
        actor=cast.village_mediator_a,
        village=a.village_a1,
        held_on=timezone.localdate(),
        chair="主任",
        attendance=9,
        items=[{"text": "债务纠纷", "is_dispute": True, "parties": [{"name": "甲"}]}],
    )
    item = day.items.get()
    hands = [cast.village_mediator_a, cast.village_officer_a, cast.town_officer_a]
    results = run_in_threads(
        3,
        lambda i: (
            services.consultation_item_to_case(
                actor=hands[i], item_id=item.id, category="contract"
            ).case_id
        ),
    )
    won = [value for kind, value in results if kind == "ok"]
    lost = [value for kind, value in results if kind == "error"]
    assert len(won) == 1 and len(lost) == 2
    assert all(type(e).__name__ == "Conflict" for e in lost)
    assert Case.objects.count() == 1
