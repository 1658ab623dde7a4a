import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from notifications import sms
from notifications.models import Notification, OutboxMessage
from notifications.services import Message, notify, notify_batch, notify_many, relay_outbox
from tests.concurrency import at_once


@pytest.fixture(autouse=True)
def _locmem_backends(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "locmem"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_notify_writes_notifications_and_outbox_rows_in_two_queries(
    cast, django_assert_num_queries
):
    with django_assert_num_queries(2):
        notify(
            users=[cast.town_officer_a, cast.town_officer_a.pk, cast.county_officer],
            kind="reminder",
            title="案件超期提醒",
            body="请尽快分派",
            channels=("in_app", "email", "sms"),
        )
    assert Notification.objects.count() == 2
    # In the app by being written; the outbox holds what leaves the system.
    assert not Notification.objects.filter(delivered_at__isnull=True).exists()
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 4
    assert set(OutboxMessage.objects.values_list("channel", flat=True)) == {"email", "sms"}


@pytest.mark.parametrize("batch", [False, True], ids=["notify", "notify_batch"])
def test_an_in_app_only_notice_has_no_outbox_row_and_others_are_not_delivered_in_the_app(
    cast, batch
):
    messages = [
        Message(users=[cast.town_officer_a], kind="info", title="站内", channels=("in_app",)),
        Message(users=[cast.county_officer], kind="info", title="邮件", channels=("email",)),
    ]
    (notify_batch if batch else notify_many)(messages)
    in_app, by_mail = Notification.objects.order_by("id")
    assert in_app.title == "站内" and in_app.delivered_at == in_app.created_at
    assert by_mail.title == "邮件" and by_mail.delivered_at is None
    row = OutboxMessage.objects.get()
    assert (row.channel, row.notification_id, row.recipient_id) == (
        "email",
        by_mail.pk,
        cast.county_officer.pk,
    )
    assert relay_outbox() == 1
    assert Notification.objects.get(pk=by_mail.pk).delivered_at is None


def test_an_in_app_row_already_in_the_outbox_is_still_delivered(cast):
    notification = notify(users=[cast.town_officer_a], kind="info", title="旧", channels=("sms",))[
        0
    ]
    OutboxMessage.objects.create(
        channel="in_app",
        recipient=cast.town_officer_a,
        notification=notification,
        payload={"title": "旧"},
        created_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )
    relay_outbox()
    notification.refresh_from_db()
    assert notification.delivered_at is not None


def test_notify_rolls_back_with_the_action(cast):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(users=[cast.town_officer_a], kind="reminder", title="t")
        raise RuntimeError("the action failed")
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_relay_delivers_each_channel_once(cast):
    officer = cast.town_officer_a
    officer.email, officer.phone = "officer@example.cn", "13800138000"
    officer.save()
    notify(
        users=[officer],
        kind="reminder",
        title="超期提醒",
        body="正文",
        channels=("in_app", "email", "sms"),
    )
    assert relay_outbox() == 2  # e-mail and SMS; in the app already
    assert relay_outbox() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["officer@example.cn"]
    assert "超期提醒" in mail.outbox[0].subject
    assert sms.outbox == [("13800138000", "超期提醒\n正文")]
    assert Notification.objects.get().delivered_at is not None
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_relay_without_an_address_marks_the_row_done_with_a_note(cast):
    notify(users=[cast.county_viewer], kind="notice", title="提醒函", channels=("email",))
    relay_outbox()
    row = OutboxMessage.objects.get()
    assert row.sent_at is not None and row.last_error == "无邮箱地址，未发送"
    assert mail.outbox == []


def test_a_failing_channel_is_retried_with_backoff_and_never_lost(cast, monkeypatch):
    officer = cast.town_officer_a
    officer.phone = "13800138000"
    officer.save()
    notify(users=[officer], kind="reminder", title="超期提醒", channels=("sms",))

    def broken(self, phone, text, **kwargs):
        raise sms.SmsError("gateway down")

    monkeypatch.setattr(sms.LocmemSmsSender, "send", broken)
    now = timezone.now()
    assert relay_outbox(now=now) == 0
    row = OutboxMessage.objects.get()
    assert row.sent_at is None and row.attempts == 1 and "gateway down" in row.last_error
    assert row.next_attempt_at == now + timedelta(seconds=30)
    # Not due yet: nothing is tried.
    assert relay_outbox(now=now + timedelta(seconds=10)) == 0
    assert OutboxMessage.objects.get().attempts == 1
    assert relay_outbox(now=now + timedelta(seconds=31)) == 0
    row = OutboxMessage.objects.get()
    assert row.attempts == 2 and row.next_attempt_at == now + timedelta(seconds=31 + 60)

    monkeypatch.undo()
    assert relay_outbox(now=now + timedelta(minutes=5)) == 1
    row = OutboxMessage.objects.get()
    assert row.sent_at is not None and row.attempts == 3
    assert sms.outbox == [("13800138000", "超期提醒")]


@pytest.mark.django_db(transaction=True)
def test_two_relays_at_once_send_every_row_exactly_once(cast, on_postgres, monkeypatch):
    users = [cast.town_officer_a, cast.town_officer_b, cast.county_officer, cast.county_viewer]
    for user in users:
        user.phone = "13800138000"
        user.save()
    for i in range(30):
        notify(users=users, kind="reminder", title=f"提醒{i}", channels=("sms",))
    sent = []
    lock = threading.Lock()

    def slow_send(self, phone, text, **kwargs):
        with lock:
            sent.append(text)

    monkeypatch.setattr(sms.LocmemSmsSender, "send", slow_send)

    at_once(lambda: relay_outbox(batch_size=7))
    assert len(sent) == 120
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 0
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}


def _written():
    notifications = list(
        Notification.objects.order_by("id").values_list(
            "user_id", "kind", "title", "body", "case_id", "created_at"
        )
    )
    outbox = list(
        OutboxMessage.objects.order_by("id").values_list(
            "channel", "recipient_id", "notification__title", "payload", "created_at"
        )
    )
    return notifications, outbox


def test_notify_batch_writes_the_rows_of_notify_many_in_their_order(
    cast, django_assert_max_num_queries
):
    from notifications.services import Message, notify_batch, notify_many

    a, b, c = cast.town_officer_a, cast.town_officer_b, cast.county_officer
    at = timezone.now() - timedelta(hours=1)
    messages = [
        Message(users=[a, b.pk, a], kind="reminder", title="甲", body='「引号"」', case=None),
        Message(users=[], kind="reminder", title="无人"),
        Message(users=[c], kind="escalated", title="乙", channels=("in_app", "email", "sms")),
        Message(users=[b, c], kind="notice", title="丙", body="正文\\"),
        Message(users=[a], kind="notice", title="丁", channels=("sms", "sms")),
    ]
    notify_many(messages, now=at)
    expected = _written()
    Notification.objects.all().delete()
    # The notifications in one statement, then one per set of channels (three here).
    with django_assert_max_num_queries(4 if connection.vendor == "postgresql" else 50):
        assert notify_batch(messages, now=at) == 6
    assert _written() == expected
    assert notify_batch([Message(users=[], kind="reminder", title="无人")]) == 0
