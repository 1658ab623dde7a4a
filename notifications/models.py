"""In-app notifications (delivered by being written) and the outbox that relays the messages
that leave the system (email, SMS) from the database to their channel, so no web request ever
waits on a broker."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import Channel


class Notification(models.Model):
    """A message shown to one user in the app (站内消息), unread until they open it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
        # No index of its own: `notification_user_time` leads with the user.
        db_index=False,
    )
    kind = models.CharField("类型", max_length=32)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="案件",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField("时间")
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_time"),
            models.Index(
                fields=["user"], name="notification_unread", condition=Q(read_at__isnull=True)
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def kind_label(self) -> str:
        """The kind in words (kinds written by other apps are shown as they are)."""
        from .kinds import kind_label

        return kind_label(self.kind)


class OutboxMessage(models.Model):
    """One message to deliver on one channel; written in the action's transaction, relayed by
    a worker with retries. A row is never deleted by the relay: `sent_at` marks it done,
    `failed_at` a permanent refusal."""

    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="+"
    )
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="outbox"
    )
    payload = models.JSONField("内容", default=dict)
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    next_attempt_at = models.DateTimeField("下次尝试时间")
    # Refused for good by its channel (a bad number, a template the gateway refuses): never
    # retried; the reason is in `last_error`.
    failed_at = models.DateTimeField("发送失败时间", null=True, blank=True)

    class Meta:
        verbose_name = "待发消息"
        verbose_name_plural = "待发消息"
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="outbox_unsent",
                condition=Q(sent_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient_id}"
