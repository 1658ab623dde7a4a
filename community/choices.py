"""Code values and Chinese labels for village self-governance records (DESIGN.md §17)."""

from django.db import models


class ItemOutcome(models.TextChoices):
    """What the consultation day did with an item (民事民议)."""

    SETTLED = "settled", "当场议定"
    FOLLOW_UP = "follow_up", "会后落实"
    REFERRED = "referred", "转有关部门"
    PENDING = "pending", "待议"
    CASE = "case", "转为纠纷案件"


class LogKind(models.TextChoices):
    """What a duty log entry records."""

    PATROL = "patrol", "巡查记录"
    HAZARD = "hazard", "安全隐患"
    DISPUTE = "dispute", "矛盾纠纷"


class NoticeKind(models.TextChoices):
    """Notifications this app sends (the reminders kept once per key in SentReminder)."""

    CONSULTATION_DUE = "consultation_day_due", "说事日提醒"
    CAMPAIGN_CLOSING = "campaign_closing", "排查专项截止提醒"
    DUTY_DISPUTE = "duty_dispute", "值班发现矛盾纠纷"


# Generated rota: how many days each volunteer takes in turn (DESIGN.md §17).
DEFAULT_DAYS_PER_TURN = 1
# A village that has not held its consultation day by this day of the month is reminded.
CONSULTATION_REMINDER_DAY = 25
# Grids that have not reported are reminded this many days before a campaign window closes.
CAMPAIGN_REMINDER_DAYS = 3
