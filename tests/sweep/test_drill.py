"""A drill's `sweep --now` in the future leaves nothing dated in the future: its notifications
and outbox rows carry the real time, so the relay delivers them now and they do not sort above
every real notification (the drill left 418 rows due in 2027)."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from notifications.models import Notification, OutboxMessage
from notifications.services import relay_outbox

from .conftest import report


def test_a_sweep_with_a_future_clock_writes_notifications_at_the_real_time(cast):
    before = timezone.now()
    case = report(cast, when=before)
    future = timezone.localtime(before + timedelta(days=60))
    call_command("sweep", "--now", future.replace(tzinfo=None).isoformat(timespec="minutes"))
    after = timezone.now()
    notifications = Notification.objects.filter(case=case)
    assert notifications.exists()
    for notification in notifications:
        assert before <= notification.created_at <= after
    outbox = OutboxMessage.objects.filter(notification__case=case)
    assert outbox.exists()
    assert all(row.next_attempt_at <= after for row in outbox)
    assert relay_outbox() == outbox.count()
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
