"""Writes for notifications: `notify` (inside the caller's transaction, no broker), the outbox
relay, and marking messages read.

In-app (站内消息) is delivered by the write itself: the 消息 page and the unread badge read the
notifications, so a notice in the app is there when its transaction commits (`delivered_at` is
written with it). Only the channels that leave the system (e-mail, SMS) get an outbox row for
the relay."""

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User

from . import sms
from .bulk_sql import insert_objects, pg_array
from .choices import Channel
from .models import Notification, OutboxMessage

logger = logging.getLogger(__name__)

# Retry backoff: 30 s doubling per attempt, at most an hour; a row is never given up unless
# its channel refuses it for good (sms.SmsRejected: `failed_at`, the reason in `last_error`).
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 3600


def _user_ids(users) -> list[int]:
    ids = []
    for user in users:
        user_id = user if isinstance(user, int) else user.pk
        if user_id is not None and user_id not in ids:
            ids.append(user_id)
    return ids


def notify(
    *,
    users: Iterable,
    kind: str,
    title: str,
    body: str = "",
    case=None,
    channels: Iterable[str] = (Channel.IN_APP, Channel.EMAIL),
    now: datetime | None = None,
) -> list[Notification]:
    """Write a notification for each user (users or ids, duplicates ignored), delivered in the
    app when `channels` has in-app, and one outbox row per channel that leaves the system
    (e-mail, SMS), in the caller's transaction; the relay sends those after commit.

    `now` dates them in the past (the demo's year replays history); a moment in the future (a
    drill's `sweep --now`) is never written: such rows would wait for that moment, undelivered,
    and sort above everything real, so they carry the real time."""
    return notify_many(
        [Message(users=users, kind=kind, title=title, body=body, case=case, channels=channels)],
        now=now,
    )


@dataclass(frozen=True)
class Message:
    """One notification to some users, as `notify_many` takes it (the arguments of `notify`)."""

    users: Iterable
    kind: str
    title: str
    body: str = ""
    case: object = None
    channels: Iterable[str] = (Channel.IN_APP, Channel.EMAIL)


@functools.lru_cache(maxsize=64)
def outbound(channels: tuple) -> tuple:
    """The channels of a notice that leave the system, each once: those the outbox relays (in-app
    is delivered by writing the notification)."""
    return tuple(c for c in _channels(channels) if c != Channel.IN_APP)


def notify_many(messages: Iterable[Message], *, now: datetime | None = None) -> list[Notification]:
    """`notify` for many messages at once (the sweep's batch): the notifications in one
    statement, their outbox rows in another, whatever the number of messages."""
    real = timezone.now()
    now = min(now, real) if now else real
    notifications, payloads = [], []
    for message in messages:
        user_ids = _user_ids(message.users)
        wanted = _channels(tuple(message.channels))
        if not user_ids or not wanted:
            continue
        channels = outbound(wanted)
        delivered = now if Channel.IN_APP in wanted else None
        case = message.case
        case_id = case if isinstance(case, int) or case is None else case.pk
        payload = {
            "kind": message.kind,
            "title": message.title,
            "body": message.body,
            "case_id": case_id,
        }
        for uid in user_ids:
            notifications.append(
                Notification(
                    user_id=uid,
                    kind=message.kind,
                    title=message.title,
                    body=message.body,
                    case_id=case_id,
                    created_at=now,
                    delivered_at=delivered,
                )
            )
            payloads.append((payload, channels))
    if not notifications:
        return []
    if connection.vendor == "postgresql":
        insert_objects(Notification, notifications, NOTIFICATION_COLUMNS)
        _outbox_rows([n.pk for n in notifications], [channels for _, channels in payloads], now)
        return notifications
    notifications = Notification.objects.bulk_create(notifications)
    rows = []
    for notification, (payload, channels) in zip(notifications, payloads, strict=True):
        for channel in channels:
            rows.append(
                OutboxMessage(
                    channel=channel,
                    recipient_id=notification.user_id,
                    notification=notification,
                    payload=payload,
                    created_at=now,
                    next_attempt_at=now,
                )
            )
    OutboxMessage.objects.bulk_create(rows)
    return notifications


NOTIFICATION_COLUMNS = ("user_id", "kind", "title", "body", "case_id", "created_at", "delivered_at")


OUTBOX_FROM_NOTIFICATIONS = """
INSERT INTO {outbox} (channel, recipient_id, notification_id, payload, created_at, attempts,
                      last_error, next_attempt_at)
SELECT c.channel, n.user_id, n.id,
       jsonb_build_object('kind', n.kind, 'title', n.title, 'body', n.body, 'case_id', n.case_id),
       %s, 0, '', %s
FROM {notification} n, unnest(%s::varchar[]) WITH ORDINALITY AS c(channel, ord)
WHERE n.id = ANY(%s::bigint[])
ORDER BY n.id, c.ord
"""


def _outbox_rows(ids: list[int], channels: list, now) -> None:
    """The outbox rows of the notifications just written (their ids), on `channels` (each
    notification's channels that leave the system, `outbound`), built by the database from them
    (one statement per set of channels): the same rows as the Python path, without sending
    every title and body a second time."""
    by_channels = {}
    for pk, wanted in zip(ids, channels, strict=True):
        if wanted:
            by_channels.setdefault(tuple(wanted), []).append(pk)
    sql = OUTBOX_FROM_NOTIFICATIONS.format(
        outbox=connection.ops.quote_name(OutboxMessage._meta.db_table),
        notification=connection.ops.quote_name(Notification._meta.db_table),
    )
    with connection.cursor() as cursor:
        for wanted, group in by_channels.items():
            cursor.execute(sql, [now, now, pg_array(str(c) for c in wanted), pg_array(group)])


NOTIFICATIONS_FROM_MESSAGES = """
INSERT INTO {notification} (user_id, kind, title, body, case_id, created_at, delivered_at)
SELECT u.user_id, m.kind, m.title, m.body, m.case_id, %s, CASE WHEN m.in_app THEN %s END
FROM unnest(%s::bigint[], %s::bigint[]) WITH ORDINALITY AS u(user_id, msg, ord)
JOIN unnest(%s::varchar[], %s::varchar[], %s::text[], %s::bigint[], %s::boolean[])
     WITH ORDINALITY AS m(kind, title, body, case_id, in_app, ord) ON m.ord = u.msg
ORDER BY u.ord
RETURNING id
"""


@functools.lru_cache(maxsize=64)
def _channels(channels: tuple) -> tuple:
    """A message's channels, each once (a batch's messages share a few sets of them)."""
    return tuple(Channel(c) for c in dict.fromkeys(channels))


def notify_batch(messages: Iterable[Message], *, now: datetime | None = None) -> int:
    """`notify_many` when the caller needs no `Notification` back (the sweep's batch): on
    PostgreSQL the notifications in one statement, each message's text sent once whatever its
    number of users and no model built per row, then their outbox rows as `notify_many`
    writes them (one statement per set of channels that leave the system; none when every
    message is in-app only). The same rows, in the same order, as `notify_many`. Returns the
    number of notifications."""
    if connection.vendor != "postgresql":
        return len(notify_many(messages, now=now))
    real = timezone.now()
    now = min(now, real) if now else real
    columns = ([], [], [], [], [])  # kind, title, body, case_id, in-app: one per message
    user_ids, owners, channels = [], [], []  # one entry per notification
    for message in messages:
        users = _user_ids(message.users)
        wanted = _channels(tuple(message.channels))
        if not users or not wanted:
            continue
        case = message.case
        case_id = case if isinstance(case, int) or case is None else case.pk
        values = (message.kind, message.title, message.body, case_id, Channel.IN_APP in wanted)
        for column, value in zip(columns, values, strict=True):
            column.append(value)
        user_ids += users
        owners += [len(columns[0])] * len(users)
        channels += [outbound(wanted)] * len(users)
    if not user_ids:
        return 0
    sql = NOTIFICATIONS_FROM_MESSAGES.format(
        notification=connection.ops.quote_name(Notification._meta.db_table)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [now, now, pg_array(user_ids), pg_array(owners), *(pg_array(c) for c in columns)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    _outbox_rows(ids, channels, now)
    return len(ids)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait before attempt number `attempts + 1`."""
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS))


def _deliver(message: OutboxMessage, now: datetime) -> str:
    """Send one message on its channel; returns a note when nothing could be sent."""
    payload = message.payload or {}
    recipient: User = message.recipient
    if message.channel == Channel.IN_APP:  # a row written before in-app went without the outbox
        if message.notification_id:
            Notification.objects.filter(
                pk=message.notification_id, delivered_at__isnull=True
            ).update(delivered_at=now)
        return ""
    text = payload.get("title", "")
    if payload.get("body"):
        text = f"{text}\n{payload['body']}"
    if message.channel == Channel.EMAIL:
        if not recipient.email:
            return "无邮箱地址，未发送"
        send_mail(
            subject=f"【调解案件】{payload.get('title', '')}",
            message=payload.get("body", "") or payload.get("title", ""),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[recipient.email],
        )
        return ""
    if message.channel == Channel.SMS:
        if not recipient.phone:
            return "无手机号，未发送"
        sms.get_sender().send(recipient.phone, text, reference=f"outbox-{message.pk}")
        return ""
    raise ValueError(f"unknown channel {message.channel}")


def relay_outbox(*, batch_size: int = 100, max_batches: int = 20, now=None) -> int:
    """Deliver due, unsent outbox rows; rows are claimed with FOR UPDATE SKIP LOCKED so relays
    running at once never send one twice. A failure records the error and a later attempt."""
    delivered = 0
    for _ in range(max_batches):
        claimed = _relay_batch(batch_size=batch_size, now=now or timezone.now())
        delivered += claimed[0]
        if claimed[1] < batch_size:
            break
    return delivered


@transaction.atomic
def _relay_batch(*, batch_size: int, now: datetime) -> tuple[int, int]:
    rows = list(
        OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now)
        .select_related("recipient")
        .order_by("next_attempt_at", "id")[:batch_size]
    )
    delivered = 0
    gateway_down = False
    for message in rows:
        if gateway_down and message.channel == Channel.SMS:
            # The gateway just failed: the batch's other SMS wait for the next try instead of
            # each waiting out its timeout; not an attempt of theirs.
            message.next_attempt_at = now + retry_delay(1)
            continue
        message.attempts += 1
        try:
            note = _deliver(message, now)
        except sms.SmsRejected as exc:  # permanent: retrying cannot help; recorded, not lost
            logger.warning("outbox %s (%s) rejected: %s", message.pk, message.channel, exc)
            message.last_error = f"{exc}"[:2000]
            message.failed_at = now
        except Exception as exc:  # any other channel failure: keep the row, try again later
            logger.warning("outbox %s (%s) failed: %s", message.pk, message.channel, exc)
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            message.next_attempt_at = now + retry_delay(message.attempts)
            gateway_down = gateway_down or message.channel == Channel.SMS
        else:
            message.sent_at = now
            message.last_error = note
            delivered += 1
    OutboxMessage.objects.bulk_update(
        rows, ["attempts", "last_error", "next_attempt_at", "sent_at", "failed_at"]
    )
    return delivered, len(rows)


@transaction.atomic
def notification_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (idempotent); someone else's is absent."""
    notification = Notification.objects.select_for_update().get(pk=notification_id, user=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_read_all(*, user: User, among=None) -> int:
    """Mark the user's unread notifications read: all of them, or those of `among` (a filtered
    queryset of the user's notifications); returns how many changed."""
    queryset = Notification.objects.filter(user=user, read_at__isnull=True)
    if among is not None:
        queryset = queryset.filter(pk__in=among.values("pk"))
    return queryset.update(read_at=timezone.now())
