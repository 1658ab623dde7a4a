"""The area tree: CSV import and scoped lookups."""

import pytest
from django.core.management import CommandError, call_command

from grids.models import Area
from grids.services import AreaImportError, areas_import

HEADER = "code,name,level,parent_code\n"
GOOD = (
    HEADER + "610000000000,陕西省,province,\n"
    "610200000000,铜川市,city,610000000000\n"
    "610222000000,宜君县,county,610200000000\n"
    "610222101000,彭镇,town,610222000000\n"
    "610222101200,彭村,village,610222101000\n"
    "610222101200001,第1网格,grid,610222101200\n"
)


def test_import_creates_the_tree_and_is_idempotent(db):
    result = areas_import(text=GOOD)
    assert result.created == 6
    village = Area.objects.get(code="610222101200")
    assert village.parent.code == "610222101000"
    again = areas_import(text=GOOD)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)


def test_import_rejects_a_bad_code_and_imports_nothing(db):
    text = GOOD + "61022210120X,坏村,village,610222101000\n"
    with pytest.raises(AreaImportError) as error:
        areas_import(text=text)
    assert [line for line, _ in error.value.errors] == [8]
    assert Area.objects.count() == 0


def test_import_rejects_an_unknown_parent_and_imports_nothing(db):
    text = GOOD + "610222102200,五里村,village,610222102000\n"
    with pytest.raises(AreaImportError) as error:
        areas_import(text=text)
    assert error.value.errors[0][0] == 8
    assert "610222102000" in error.value.errors[0][1]
    assert Area.objects.count() == 0


def test_import_rejects_a_code_outside_its_parent(db):
    text = GOOD + "610223101201,外县村,village,610222101000\n"
    with pytest.raises(AreaImportError) as error:
        areas_import(text=text)
    assert error.value.errors[0][0] == 8


def test_import_command_reports_bad_rows_by_line_number(db, tmp_path, capsys):
    path = tmp_path / "areas.csv"
    path.write_text(GOOD + "6102221012,短码,village,610222101000\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_areas", str(path))
    assert "line 8" in capsys.readouterr().err
    assert Area.objects.count() == 0


def test_subtree_is_a_prefix_match(areas):
    codes = set(Area.objects.subtree(areas.town_a).values_list("code", flat=True))
    assert "610222101200001" in codes
    assert "610222101000" in codes
    assert "610222102200" not in codes
    assert areas.grid_a1.is_under(areas.town_a)
    assert not areas.grid_b1.is_under(areas.town_a)


def test_town_officer_sees_their_town_and_ancestors_not_the_neighbour(cast, api):
    client = api(cast.town_officer_a)
    response = client.get("/api/v1/areas/?page_size=200")
    codes = {a["code"] for a in response.json()["results"]}
    assert "610222101200" in codes
    assert "610222000000" in codes
    assert "610222102200" not in codes
    assert client.get(f"/api/v1/areas/{cast.areas.village_b1.id}/").status_code == 404
    response = client.get(f"/api/v1/areas/?parent={cast.areas.town_a.id}&level=village")
    assert {a["code"] for a in response.json()["results"]} == {"610222101200", "610222101201"}
    assert client.get("/api/v1/areas/?level=bogus").status_code == 400
