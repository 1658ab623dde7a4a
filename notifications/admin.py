from django.contrib import admin

from .models import Notification, OutboxMessage


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "kind", "case", "created_at", "delivered_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "user__username", "user__display_name"]
    raw_id_fields = ["user", "case"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "channel",
        "recipient",
        "created_at",
        "sent_at",
        "failed_at",
        "attempts",
        "last_error",
    ]
    list_filter = ["channel"]
    raw_id_fields = ["recipient", "notification"]
    readonly_fields = ["created_at"]
