"""Levels of the area tree and the length of each level's significant code prefix."""

from django.db import models


class AreaLevel(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县(区)"
    TOWN = "town", "乡镇/街道"
    VILLAGE = "village", "村/社区"
    GRID = "grid", "网格"


# Position of each level in the tree, root first.
LEVEL_ORDER = [
    AreaLevel.PROVINCE,
    AreaLevel.CITY,
    AreaLevel.COUNTY,
    AreaLevel.TOWN,
    AreaLevel.VILLAGE,
    AreaLevel.GRID,
]
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVEL_ORDER)}

# Significant digits of the statistical division code at each level (GB/T 2260 + 统计用区划代码).
PREFIX_LENGTH = {
    AreaLevel.PROVINCE: 2,
    AreaLevel.CITY: 4,
    AreaLevel.COUNTY: 6,
    AreaLevel.TOWN: 9,
    AreaLevel.VILLAGE: 12,
    AreaLevel.GRID: 15,
}
# Stored code length: 12 digits for every administrative level, 15 for a grid.
CODE_LENGTH = {level: (15 if level == AreaLevel.GRID else 12) for level in LEVEL_ORDER}
