"""Agencies of the cast's county (宜君县) and one of a neighbouring county, each with a liaison:
the police station of town A (its officer 包联 village A1), 人社, the county court, and the
police station of 耀州区 next door."""

from types import SimpleNamespace

import pytest

from accounts.agencies import Agency
from accounts.agency_services import beat_assign, liaison_add
from tests.factories import AreaFactory


def agency(code, name, kind, area, county, department=""):
    return Agency.objects.create(
        code=code, name=name, kind=kind, area=area, county=county, department=department
    )


@pytest.fixture
def agencies(cast):
    areas = cast.areas
    other_county = AreaFactory(
        code="610204000000", name="耀州区", level="county", parent=areas.city
    )
    station_a = agency("A-PS-101", "彭镇派出所", "police", areas.town_a, areas.county)
    station_b = agency("A-PS-102", "五里镇派出所", "police", areas.town_b, areas.county)
    hr = agency(
        "A-HR", "宜君县人力资源和社会保障局", "administrative", areas.county, areas.county, "人社"
    )
    court = agency("A-COURT", "宜君县人民法院", "court", areas.county, areas.county)
    far = agency("B-PS", "耀州区派出所", "police", other_county, other_county)
    police_a = liaison_add(agency=station_a, username="police_a", display_name="彭镇民警")
    beat_assign(village=areas.village_a1, member=police_a)
    police_b = liaison_add(agency=station_b, username="police_b", display_name="五里镇民警")
    beat_assign(village=areas.village_b1, member=police_b)
    return SimpleNamespace(
        station_a=station_a,
        station_b=station_b,
        hr=hr,
        court=court,
        far=far,
        police_a=police_a.user,
        police_b=police_b.user,
        hr_liaison=liaison_add(agency=hr, username="hr_liaison", display_name="人社联络员").user,
        court_liaison=liaison_add(agency=court, username="court_liaison").user,
        far_liaison=liaison_add(agency=far, username="far_liaison").user,
    )
