"""The demo county's agencies (三调联动, DESIGN.md §15), loaded through the CSV import: one police
station per town (its officer 包联 the town's villages: 一村一警), the county court and a people's
tribunal, the procuratorate, the petition office, 人社, 市场监管, 住建, 自然资源 and a lawyers'
office, each with one liaison account."""

import csv
import io

from accounts.agency_services import agencies_import
from grids.models import Area

COLUMNS = [
    "code",
    "name",
    "kind",
    "department",
    "area_code",
    "phone",
    "liaison_username",
    "liaison_name",
    "liaison_phone",
    "villages",
]
# (code, name, kind, department, username, liaison's name) of the county's own agencies.
COUNTY_AGENCIES = [
    ("610222-court", "宜君县人民法院", "court", "", "court_liaison", "县法院立案庭·孙法官"),
    ("610222-procuratorate", "宜君县人民检察院（12309）", "procuratorate", "",
     "procuratorate_liaison", "县检察院·吴检察官"),
    ("610222-petition", "宜君县信访局", "petition", "", "petition_liaison", "县信访局·郑科长"),
    ("610222-hr", "宜君县人力资源和社会保障局", "administrative", "人社", "hr_liaison",
     "县人社局劳动监察·冯科长"),
    ("610222-market", "宜君县市场监督管理局", "administrative", "市场监管", "market_liaison",
     "县市场监管局·褚科长"),
    ("610222-housing", "宜君县住房和城乡建设局", "administrative", "住建", "housing_liaison",
     "县住建局·卫科长"),
    ("610222-land", "宜君县自然资源局", "administrative", "自然资源", "land_liaison",
     "县自然资源局·蒋科长"),
    ("610222-lawyers", "陕西宜君律师事务所", "law_firm", "", "lawyer_liaison", "韩律师"),
]  # fmt: skip


def _short(name: str) -> str:
    """宜阳街道 → 宜阳, 云梦乡 → 云梦; a one-character name keeps its suffix (彭镇)."""
    for suffix in ("街道", "镇", "乡"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name.removesuffix(suffix)
    return name


def demo_agencies_csv(county: Area) -> str:
    """The demo county's agencies as the import reads them."""
    towns = list(Area.objects.filter(parent=county, level="town").order_by("code"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for i, town in enumerate(towns):
        villages = Area.objects.filter(parent=town, level="village").order_by("code")
        short = _short(town.name)
        username = "police_liaison" if i == 0 else f"police_{town.code[:9]}"
        writer.writerow(
            [f"{town.code[:9]}-police", f"宜君县公安局{short}派出所", "police", "",
             town.code, "", username, f"{short}派出所·社区民警", "",
             ";".join(v.code for v in villages)]
        )  # fmt: skip
    for code, name, kind, department, username, person in COUNTY_AGENCIES:
        writer.writerow([code, name, kind, department, county.code, "", username, person, "", ""])
    if towns:
        tribunal = towns[min(1, len(towns) - 1)]
        short = _short(tribunal.name)
        writer.writerow(
            [f"{tribunal.code[:9]}-tribunal", f"宜君县人民法院{short}人民法庭", "tribunal", "",
             tribunal.code, "", "tribunal_liaison", f"{short}人民法庭·庭长", "", ""]
        )  # fmt: skip
    return out.getvalue()


def load_demo_agencies(county: Area, password_hash: str):
    """Load (or refresh) the demo county's agencies and their liaisons; safe to run again."""
    return agencies_import(text=demo_agencies_csv(county), password_hash=password_hash)
