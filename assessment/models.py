"""KPI snapshots per area and period, the editable weights of the safety index and the grade
thresholds of the annual assessment, and the working-day calendar the closure KPI counts on."""

from django.db import models

from .choices import INDEX_METRICS, Grade, PeriodKind


class KpiSnapshot(models.Model):
    """The KPIs of one area's subtree for one period; recomputing the period replaces it."""

    area = models.ForeignKey(
        "grids.Area", verbose_name="区划", on_delete=models.CASCADE, related_name="+"
    )
    period_kind = models.CharField("周期类型", max_length=8, choices=PeriodKind.choices)
    period_key = models.CharField("周期", max_length=8)
    metrics = models.JSONField("指标", default=dict)
    safety_index = models.FloatField("平安指数", null=True, blank=True)
    grade = models.CharField("创建等级", max_length=8, choices=Grade.choices, blank=True)
    computed_at = models.DateTimeField("计算时间")
    # Set when the period is closed (assessment/closing.py): recomputing no longer replaces it.
    final = models.BooleanField("已定稿", default=False)

    class Meta:
        verbose_name = "考核快照"
        verbose_name_plural = "考核快照"
        ordering = ["period_key", "area_id"]
        constraints = [
            models.UniqueConstraint(fields=["area", "period_key"], name="kpi_snapshot_unique")
        ]
        indexes = [models.Index(fields=["period_key", "area"], name="kpi_snapshot_period")]

    def __str__(self):
        return f"{self.area_id} {self.period_key}"


class IndexWeight(models.Model):
    """The weight of one rate in the safety index (平安指数), by default or for one county (its
    towns and villages are indexed with it)."""

    # Blank: the default every county starts from (Django admin); set: one county's own rows,
    # edited by its admins in the app's settings pages.
    county = models.ForeignKey(
        "grids.Area",
        verbose_name="所属县",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    metric = models.CharField("指标", max_length=40, choices=[(m, m) for m, _ in INDEX_METRICS])
    weight = models.DecimalField("权重", max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = "平安指数权重"
        verbose_name_plural = "平安指数权重"
        ordering = ["county_id", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric"],
                condition=models.Q(county__isnull=True),
                name="index_weight_unique_default",
            ),
            models.UniqueConstraint(
                fields=["county", "metric"],
                condition=models.Q(county__isnull=False),
                name="index_weight_unique_county",
            ),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="index_weight_nonneg"),
        ]

    def __str__(self):
        return f"{self.metric} {self.weight}"


class GradeThreshold(models.Model):
    """The lowest yearly safety index that earns a grade (金鼎/银鼎/铜鼎), by default or for one
    county (its towns and villages are graded with it)."""

    # Blank: the default every county starts from (Django admin); set: one county's own rows,
    # edited by its admins in the app's settings pages.
    county = models.ForeignKey(
        "grids.Area",
        verbose_name="所属县",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grade = models.CharField("等级", max_length=8, choices=Grade.choices)
    min_index = models.DecimalField("最低平安指数", max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = "平安创建等级标准"
        verbose_name_plural = "平安创建等级标准"
        ordering = ["county_id", "-min_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["grade"],
                condition=models.Q(county__isnull=True),
                name="grade_threshold_unique_default",
            ),
            models.UniqueConstraint(
                fields=["county", "grade"],
                condition=models.Q(county__isnull=False),
                name="grade_threshold_unique_county",
            ),
        ]

    def __str__(self):
        return f"{self.get_grade_display()} ≥ {self.min_index}"


class WorkCalendarDay(models.Model):
    """One day of the official calendar with the number of working days from the epoch up to
    and including it, so "working days between two dates" is a difference of two lookups."""

    day = models.DateField("日期", primary_key=True)
    workday = models.BooleanField("工作日")
    ordinal = models.PositiveIntegerField("累计工作日")

    class Meta:
        verbose_name = "工作日历"
        verbose_name_plural = "工作日历"
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {'班' if self.workday else '休'}"


from .risk_models import RiskSetting, VillageRisk, VillageVisit  # noqa: E402,F401
