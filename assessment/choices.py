"""Code values and Chinese labels for assessment: period kinds, grades and the KPI names."""

from django.db import models


class PeriodKind(models.TextChoices):
    MONTH = "month", "月度"
    QUARTER = "quarter", "季度"
    YEAR = "year", "年度"


class Grade(models.TextChoices):
    GOLD = "gold", "金鼎"
    SILVER = "silver", "银鼎"
    BRONZE = "bronze", "铜鼎"


# Levels that get snapshots (everything above a grid), root first.
SNAPSHOT_LEVELS = ["province", "city", "county", "town", "village"]

# Every KPI in a snapshot, in the order of the export, with its Chinese label and whether it is a
# rate (shown as a percentage).
KPI_FIELDS = [
    ("intake", "受理数", False),
    ("concluded", "化解结案数", False),
    ("resolved", "调解成功数", False),
    ("resolution_rate", "化解率", True),
    ("village_retention", "小事不出村率", True),
    ("town_retention", "大事不出镇率", True),
    ("county_escalation_rate", "矛盾上交率", True),
    ("escalations", "上报流转数", False),
    ("flow_through_on_time_rate", "流转按期承接率", True),
    ("flow_through_median_hours", "流转承接时长中位数（小时）", False),
    ("assignment_on_time_rate", "按期分派率", True),
    ("assignment_median_hours", "分派时长中位数（小时）", False),
    ("response_on_time_rate", "按期响应率", True),
    ("response_median_hours", "响应时长中位数（小时）", False),
    ("closure_on_time_rate", "按期办结率", True),
    ("closure_median_working_days", "办结时长中位数（工作日）", False),
    ("follow_up_rate", "回访率", True),
    ("satisfaction_rate", "满意率", True),
    ("inspection_coverage", "排查报告覆盖率", True),
    ("referrals_in", "移入纠纷数（三调联动）", False),
    ("referrals_out", "移出纠纷数（三调联动）", False),
    ("referrals_answered", "移交答复数", False),
    ("referrals_mediated", "移交调解成功数", False),
    ("referral_on_time_rate", "移交按期答复率", True),
    ("safety_index", "平安指数", False),
]
KPI_LABELS = {name: label for name, label, _ in KPI_FIELDS}
RATE_FIELDS = {name for name, _, is_rate in KPI_FIELDS if is_rate}

# Rates that may carry a weight in the safety index, with the default weight.
INDEX_METRICS = [
    ("resolution_rate", 30),
    ("village_retention", 10),
    ("town_retention", 10),
    ("flow_through_on_time_rate", 5),
    ("assignment_on_time_rate", 10),
    ("response_on_time_rate", 10),
    ("closure_on_time_rate", 10),
    ("follow_up_rate", 5),
    ("satisfaction_rate", 5),
    ("inspection_coverage", 5),
    # 三调联动: weight 0 until a county gives it one in its settings (the weights add up to 100).
    ("referral_on_time_rate", 0),
]
DEFAULT_GRADE_THRESHOLDS = [(Grade.GOLD, 95), (Grade.SILVER, 90), (Grade.BRONZE, 85)]
