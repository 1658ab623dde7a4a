"""The demo county is the real 宜君县: its 8 towns and 119 villages and communities by code and
name from the national division list, with 242 generated grids and their grid workers."""

import pytest
from django.core.management import call_command

from accounts.models import Role
from grids.models import Area

TOWNS = ["宜阳街道", "彭镇", "五里镇", "太安镇", "棋盘镇", "尧生镇", "哭泉镇", "云梦乡"]


@pytest.mark.django_db
def test_the_demo_county_has_its_real_towns_villages_and_242_grids():
    call_command("seed_demo", "--no-cases")
    county = Area.objects.get(code="610222000000")
    towns = Area.objects.filter(parent=county, level="town").order_by("code")
    assert [t.name for t in towns] == TOWNS
    villages = Area.objects.filter(code__startswith="610222", level="village")
    assert villages.count() == 119
    names = dict(villages.values_list("code", "name"))
    assert names["610222001001"] == "宜园社区"
    assert names["610222001200"] == "城关村"
    assert names["610222101200"] == "偏桥村"
    assert not [n for n in names.values() if n.endswith(("村村", "委会"))]
    grids = Area.objects.filter(code__startswith="610222", level="grid")
    assert grids.count() == 242
    assert set(grids.values_list("parent__level", flat=True)) == {"village"}
    assert not villages.filter(children__isnull=True).exists()  # every village has a grid

    def place(username):
        return Role.objects.get(user__username=username).area

    assert place("town_officer").name == "宜阳街道"
    assert place("town_officer_2").name == "彭镇"
    assert place("village_mediator").name == "宜园社区"
    assert place("village_mediator_2").name == "偏桥村"
    assert place("grid_worker").parent.name == "宜园社区"
    assert Role.objects.filter(kind="grid_worker", area__in=grids).count() == 242
