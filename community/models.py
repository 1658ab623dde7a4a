"""Village self-governance records (DESIGN.md §17): the monthly consultation day (说事日) and
its items, the 1+1+N duty team of each grid and its volunteers (红袖章), the village's duty
rota (轮值轮守) with check-ins and the duty log, and the county's or a town's inspection
campaigns (专项排查) with each grid's report. Every row carries its area's ancestors so scoping
and coverage are one indexed filter, as cases do."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import ItemOutcome, LogKind


def _area(label, **extra):
    return models.ForeignKey(
        "grids.Area", verbose_name=label, on_delete=models.PROTECT, related_name="+", **extra
    )


class ConsultationDay(models.Model):
    """A village's consultation day (说事日): when, who chaired, how many came."""

    village = _area("村（社区）")
    town = _area("乡镇")
    county = _area("县")
    held_on = models.DateField("日期")
    month = models.DateField("月份")  # the first day of held_on's month, for coverage
    chair = models.CharField("主持人", max_length=50)
    attendance = models.PositiveIntegerField("参加人数")
    note = models.TextField("会议情况", blank=True, max_length=5000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "说事日"
        verbose_name_plural = "说事日"
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["county", "month"], name="consult_county_month"),
            models.Index(fields=["town", "month"], name="consult_town_month"),
            models.Index(fields=["village", "month"], name="consult_village_month"),
        ]

    def __str__(self):
        return f"{self.village.name} {self.held_on:%Y-%m-%d} 说事日"


class ConsultationItem(models.Model):
    """One matter raised at a consultation day and what came of it; a dispute may become a
    case (source `consultation_day`), linked both ways through `case`."""

    day = models.ForeignKey(
        ConsultationDay, verbose_name="说事日", on_delete=models.CASCADE, related_name="items"
    )
    text = models.TextField("议题", max_length=5000)
    is_dispute = models.BooleanField("属矛盾纠纷", default=False)
    outcome = models.CharField(
        "处理结果", max_length=16, choices=ItemOutcome.choices, default=ItemOutcome.PENDING
    )
    outcome_note = models.CharField("结果说明", max_length=500, blank=True)
    # Names and sides only (no ID numbers or phones kept here: those go into the case,
    # encrypted, when it is opened).
    parties = models.JSONField("当事人", default=list, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name="纠纷案件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultation_item",
    )

    class Meta:
        verbose_name = "说事议题"
        verbose_name_plural = "说事议题"
        ordering = ["id"]

    def __str__(self):
        return self.text[:30]


class DutyTeam(models.Model):
    """A grid's 1+1+N duty team: one cadre (机关干部), one grid worker, and the grid's
    volunteers (the Volunteer rows of the grid)."""

    grid = models.OneToOneField(
        "grids.Area", verbose_name="网格", on_delete=models.PROTECT, related_name="duty_team"
    )
    village = _area("村（社区）")
    town = _area("乡镇")
    county = _area("县")
    cadre_name = models.CharField("包联干部", max_length=50, blank=True)
    cadre_unit = models.CharField("干部单位", max_length=100, blank=True)
    grid_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="网格员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "1+1+N 网格力量"
        verbose_name_plural = "1+1+N 网格力量"
        ordering = ["grid__code"]

    def __str__(self):
        return f"{self.grid.name} 网格力量"


class Volunteer(models.Model):
    """A 红袖章 safety volunteer of a grid: a person, not a user, unless given a light
    account (`user`, kind volunteer) to check in and log while on duty."""

    grid = _area("网格")
    village = _area("村（社区）")
    town = _area("乡镇")
    county = _area("县")
    name = models.CharField("姓名", max_length=50)
    phone_encrypted = models.BinaryField("手机号（加密）", null=True, blank=True, editable=False)
    phone_masked = models.CharField("手机号", max_length=20, blank=True)
    active = models.BooleanField("在岗", default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "平安志愿者"
        verbose_name_plural = "平安志愿者"
        ordering = ["grid__code", "id"]
        indexes = [models.Index(fields=["village", "active"], name="volunteer_village")]

    def __str__(self):
        return self.name


class DutyShift(models.Model):
    """One day of a village's duty rota (轮值轮守): who is on duty, and when they checked in.
    A past day without a check-in is a missed duty."""

    village = _area("村（社区）")
    town = _area("乡镇")
    county = _area("县")
    volunteer = models.ForeignKey(
        Volunteer, verbose_name="值班人", on_delete=models.PROTECT, related_name="shifts"
    )
    on_date = models.DateField("值班日期")
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)

    class Meta:
        verbose_name = "轮值排班"
        verbose_name_plural = "轮值排班"
        ordering = ["on_date"]
        constraints = [
            models.UniqueConstraint(fields=["village", "on_date"], name="shift_one_per_day")
        ]
        indexes = [
            models.Index(fields=["volunteer", "on_date"], name="shift_volunteer_day"),
            models.Index(
                fields=["town", "on_date"],
                name="shift_town_missed",
                condition=Q(checked_in_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.on_date} {self.volunteer}"


class DutyLogEntry(models.Model):
    """What the person on duty noted (patrol, hazard, dispute); a dispute may become a case."""

    shift = models.ForeignKey(
        DutyShift, verbose_name="值班", on_delete=models.PROTECT, related_name="log"
    )
    village = _area("村（社区）")
    town = _area("乡镇")
    county = _area("县")
    kind = models.CharField("类型", max_length=16, choices=LogKind.choices)
    text = models.TextField("情况", max_length=5000)
    parties = models.JSONField("当事人", default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间")
    case = models.OneToOneField(
        "cases.Case",
        verbose_name="纠纷案件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duty_log_entry",
    )

    class Meta:
        verbose_name = "值班日志"
        verbose_name_plural = "值班日志"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.text[:30]


class Campaign(models.Model):
    """A 专项排查 drive opened by the county or a town: every grid under `area` reports once
    within the window (a zero report counts)."""

    name = models.CharField("名称", max_length=100)
    area = _area("范围")
    county = _area("县")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("截止日期")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("发起时间")

    class Meta:
        verbose_name = "专项排查"
        verbose_name_plural = "专项排查"
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["ends_on"], name="campaign_ends_on")]

    def __str__(self):
        return self.name


class CampaignReport(models.Model):
    """A grid's report for a campaign: what was found, or a zero report (零上报)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="专项排查", on_delete=models.CASCADE, related_name="reports"
    )
    grid = _area("网格")
    village = _area("村（社区）")
    town = _area("乡镇")
    county = _area("县")
    zero = models.BooleanField("零上报", default=False)
    found = models.PositiveIntegerField("发现矛盾纠纷数", default=0)
    note = models.TextField("排查情况", blank=True, max_length=5000)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上报人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("上报时间")

    class Meta:
        verbose_name = "专项排查报告"
        verbose_name_plural = "专项排查报告"
        ordering = ["grid_id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "grid"], name="campaign_report_once")
        ]

    def __str__(self):
        return f"{self.campaign} {self.grid_id}"


class SentReminder(models.Model):
    """A reminder already sent, by key (e.g. `consultation:<village>:<month>`), so a deadline
    pass that runs again, or twice at once, never sends it twice."""

    key = models.CharField("键", max_length=100, unique=True)
    sent_at = models.DateTimeField("发送时间")

    class Meta:
        verbose_name = "已发提醒"
        verbose_name_plural = "已发提醒"

    def __str__(self):
        return self.key
