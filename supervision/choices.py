"""Code values and Chinese labels of supervision: a 督办's status, the kinds of issued letter."""

from django.db import models


class SupervisionStatus(models.TextChoices):
    OPEN = "open", "待反馈"
    CLOSED = "closed", "已反馈"


class LetterKind(models.TextChoices):
    REMINDER = "reminder", "提醒函"
    BULLETIN = "bulletin", "工作通报"


# A 督办's deadline lies in the future and no further than this many days ahead.
MAX_DEADLINE_DAYS = 90
REASON_MAX = 2000
FEEDBACK_MAX = 5000
# A feedback's attachment: at most this many bytes, of these types.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
