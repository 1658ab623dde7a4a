"""The demo county's area tree: 宜君县's towns from the statistical codes, generated villages
and communities (119), and grids (242, one per grid worker)."""

from pathlib import Path

from grids.choices import AreaLevel

DATA_DIR = Path(__file__).resolve().parent / "data"
COUNTY_CODE = "610222000000"
VILLAGE_COUNT = 119
GRID_COUNT = 242

# Villages per town, summing to 119; the street office (街道) holds the communities.
VILLAGES_PER_TOWN = [16, 15, 14, 13, 13, 12, 12, 12, 12]
COMMUNITIES_IN_STREET = 6

_FIRST = "东西南北前后上下高新大小中杨王李张刘马石柳槐桃杏松柏龙凤"
_SECOND = "坪塬沟庄湾峪河岭村坡台川寨堡洼梁"


def village_name(town_index, village_index):
    a = _FIRST[(town_index * 7 + village_index * 3) % len(_FIRST)]
    b = _FIRST[(town_index * 5 + village_index * 11 + 1) % len(_FIRST)]
    c = _SECOND[(town_index + village_index) % len(_SECOND)]
    return f"{a}{b}{c}村"


def demo_area_rows(town_rows):
    """CSV rows (code, name, level, parent_code) for villages and grids under the towns."""
    rows = []
    village_codes = []
    for t, town in enumerate(town_rows):
        town_prefix = town["code"][:9]
        count = VILLAGES_PER_TOWN[t % len(VILLAGES_PER_TOWN)]
        communities = COMMUNITIES_IN_STREET if town["name"].endswith("街道") else 0
        for v in range(count):
            if v < communities:
                code = f"{town_prefix}{v + 1:03d}"
                name = f"{town['name'][:2]}{'一二三四五六七八九十'[v]}社区"
            else:
                code = f"{town_prefix}{200 + v - communities:03d}"
                name = village_name(t, v)
            rows.append((code, name, AreaLevel.VILLAGE.value, town["code"]))
            village_codes.append(code)
    grids_per_village = [GRID_COUNT // len(village_codes)] * len(village_codes)
    for i in range(GRID_COUNT - sum(grids_per_village)):
        grids_per_village[i] += 1
    for code, count in zip(village_codes, grids_per_village, strict=True):
        for g in range(count):
            rows.append((f"{code}{g + 1:03d}", f"第{g + 1}网格", AreaLevel.GRID.value, code))
    return rows
