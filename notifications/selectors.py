"""Reads for notifications: a user's own messages and their unread count."""

from .models import Notification


def notifications_for(user):
    """The user's own notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    """How many of the user's notifications are unread (partial index)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
