"""`import_agencies`: agencies with their liaisons and 一村一警 beats from CSV; all rows or
none, each bad row named with its column, safe to run again."""

import pytest
from django.core.management import CommandError, call_command

from accounts.agencies import Agency, AgencyMember, PoliceBeat
from accounts.agency_services import AgencyImportError, agencies_import
from accounts.models import Role

pytestmark = pytest.mark.django_db

HEADER = "code,name,kind,department,area_code,phone,liaison_username,liaison_name,liaison_phone,villages\n"
GOOD = HEADER + (
    "PS-101,彭镇派出所,police,,610222101000,0919-1,police_a,彭镇民警,,610222101200;610222101201\n"
    "PS-101,彭镇派出所,police,,610222101000,0919-1,police_a2,彭镇民警二,,\n"
    "HR,宜君县人社局,administrative,人社,610222000000,,hr,人社联络员,,\n"
    "LAW,宜君律师事务所,law_firm,,610222000000,,,,,\n"
)


def test_agencies_their_people_and_beats_are_imported_once(areas, tmp_path):
    result = agencies_import(text=GOOD, password="x-pass-2026")
    assert (result.created, result.people, result.beats) == (3, 3, 2)
    station = Agency.objects.get(code="PS-101")
    assert station.county == areas.county and station.area == areas.town_a
    assert AgencyMember.objects.filter(agency=station).count() == 2
    assert PoliceBeat.objects.get(village=areas.village_a2).member.user.username == "police_a"
    assert Role.objects.filter(kind="liaison", user__username="hr", area=areas.county).exists()
    again = agencies_import(text=GOOD)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert AgencyMember.objects.count() == 3 and PoliceBeat.objects.count() == 2
    # Through the command, from a file.
    path = tmp_path / "agencies.csv"
    path.write_text(GOOD.replace("宜君律师事务所", "陕西宜君律师事务所"), encoding="utf-8")
    call_command("import_agencies", str(path))
    assert Agency.objects.get(code="LAW").name == "陕西宜君律师事务所"


@pytest.mark.parametrize(
    "row, column",
    [
        ("X,某所,spaceship,,610222000000,,,,,", "kind"),
        ("X,某所,police,,999999000000,,,,,", "area_code"),
        ("X,,police,,610222000000,,,,,", "name"),
        ("X,某所,police,,610222101200,,,,,", "area_code"),  # a village: too low
        ("X,某所,court,,610222000000,,u1,某人,,610222101200", "villages"),  # not a station
        ("X,某所,police,,610222101000,,,,,610222101200", "villages"),  # no officer named
        ("X,某所,police,,610222101000,,u1,某人,,610222101000", "villages"),  # not a village
        ("X,某所,police,,610222101000,,u1", "row"),
    ],
)
def test_a_bad_row_names_its_column_and_nothing_is_imported(areas, row, column):
    with pytest.raises(AgencyImportError) as caught:
        agencies_import(text=GOOD + row + "\n")
    [(line, fields)] = caught.value.errors
    assert line == 6 and column in fields
    assert not Agency.objects.exists() and not AgencyMember.objects.exists()


def test_the_command_reports_bad_rows_and_imports_nothing(areas, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "X,某所,spaceship,,610222000000,,,,,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 bad row"):
        call_command("import_agencies", str(path))
    assert "line 2: kind" in capsys.readouterr().err
    assert not Agency.objects.exists()


def test_a_wrong_header_is_refused(areas):
    with pytest.raises(AgencyImportError) as caught:
        agencies_import(text="name,code\n")
    assert caught.value.errors[0][0] == 1
