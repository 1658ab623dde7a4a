"""Code values and Chinese labels for notifications: delivery channels and kinds."""

from django.db import models


class Channel(models.TextChoices):
    IN_APP = "in_app", "站内消息"
    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", "案件分派"
    ESCALATED = "escalated", "案件上报"
    DELEGATED = "delegated", "案件交办"
    REMINDER = "reminder", "超期提醒"
    NOTICE = "notice", "提醒函"
    SUPERVISE = "supervise", "督办"
    FOLLOW_UP_DUE = "follow_up_due", "回访到期"
    JUDICIAL_DUE = "judicial_due", "司法确认申请期限"
    CONSULTATION_DUE = "consultation_due", "咨询答复期限"
    NEW_CASE = "new_case", "新登记案件"
    PROGRESS = "progress", "办理进展"
    INFO = "info", "通知"
