"""Village risk ratings (红/黄/绿, DESIGN.md §15): the thresholds a county sets, the monthly
rating of each village with its inputs and any override, and the visits of its officer."""

from django.conf import settings
from django.db import models


class RiskLevel(models.TextChoices):
    GREEN = "green", "绿"
    YELLOW = "yellow", "黄"
    RED = "red", "红"


class RiskSetting(models.Model):
    """One threshold or interval of the rating: the county's own, or the national default
    (county null)."""

    county = models.ForeignKey(
        "grids.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField("项目", max_length=32)
    value = models.PositiveIntegerField("数值")

    class Meta:
        verbose_name = "村风险评定标准"
        verbose_name_plural = "村风险评定标准"
        constraints = [
            models.UniqueConstraint(fields=["county", "key"], name="risk_setting_county_key"),
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(county__isnull=True), name="risk_setting_default"
            ),
        ]


class VillageRisk(models.Model):
    """A village's rating of one month: computed from its cases, perhaps overridden by a town
    officer with a reason."""

    village = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    # Copied so scoping is one indexed filter, like cases.
    town = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey(
        "grids.Area", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    month = models.DateField("月份")
    computed = models.CharField("计算等级", max_length=8, choices=RiskLevel.choices)
    inputs = models.JSONField("计算依据", default=dict)
    computed_at = models.DateTimeField("计算时间")
    override = models.CharField("调整后等级", max_length=8, choices=RiskLevel.choices, blank=True)
    reason = models.TextField("调整理由", blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    overridden_at = models.DateTimeField("调整时间", null=True, blank=True)
    # The rating in force (the override, else the computed one), kept so a filter is a column.
    rating = models.CharField("风险等级", max_length=8, choices=RiskLevel.choices)

    class Meta:
        verbose_name = "村风险等级"
        verbose_name_plural = "村风险等级"
        constraints = [
            models.UniqueConstraint(fields=["village", "month"], name="village_risk_month")
        ]
        indexes = [
            models.Index(fields=["county", "month", "rating"], name="village_risk_county"),
            models.Index(fields=["town", "month", "rating"], name="village_risk_town"),
        ]


class VillageVisit(models.Model):
    """A visit to a village by its officer (recorded by whoever visited)."""

    village = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField("走访日期")
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField("走访情况", max_length=2000, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "走访"
        verbose_name_plural = "走访"
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["village", "visited_on"], name="village_visit_day")]
