"""User actions notify through the outbox, in their own transaction."""

from cases import services
from notifications.models import Notification, OutboxMessage
from tests.builders import report


def test_assign_notifies_the_assignee_and_escalation_the_officers_above(cast):
    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    services.case_assign(
        actor=cast.village_officer_a, case_id=case.id, assignee=cast.village_mediator_a
    )
    assert Notification.objects.filter(
        user=cast.village_mediator_a, case=case, kind="assigned"
    ).exists()
    services.case_escalate(actor=cast.village_mediator_a, case_id=case.id, reason="双方分歧大")
    arrived = Notification.objects.filter(case=case, kind="escalated")
    assert set(arrived.values_list("user__username", flat=True)) >= {"town_officer_a"}
    assert "town_officer_b" not in set(arrived.values_list("user__username", flat=True))
    assert "双方分歧大" in arrived.first().body
    assert OutboxMessage.objects.filter(recipient=cast.town_officer_a).exists()


def test_claiming_does_not_notify_oneself(cast):
    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    services.case_assign(
        actor=cast.village_mediator_a, case_id=case.id, assignee=cast.village_mediator_a
    )
    assert not Notification.objects.filter(kind="assigned").exists()
