"""With the national division list loaded, the nightly roll-up does not write a snapshot of
zeros for every village of every county that has not switched the system on: the towns and
villages of a county with no case and no grid are left out; every county and every area above
one keeps its snapshot; and a reader of an idle county computes its subtree when asked."""

from django.core.management import call_command

from assessment import selectors, services
from assessment.models import KpiSnapshot
from assessment.periods import parse_period
from grids.models import Area
from tests.builders import report


def test_idle_counties_get_their_own_snapshot_but_not_their_villages(cast, on_postgres):
    # 宜君县 is the cast's county (it has grids and a case); 耀州区 of the same city is idle.
    call_command("import_areas", "--division", "610204")
    report(cast.grid_worker_a, cast.areas.grid_a1, title="邻里纠纷")
    idle = Area.objects.get(code="610204000000")
    idle_villages = Area.objects.filter(code__startswith="610204", level__in=["town", "village"])
    assert idle_villages.count() > 100

    period = parse_period("2026-11")
    written = services.snapshot_period(period)

    stored = KpiSnapshot.objects.filter(period_key=period.key)
    assert stored.filter(area=idle).exists()
    assert not stored.filter(area__in=idle_villages).exists()
    used = Area.objects.filter(
        code__startswith=cast.areas.county.prefix, level__in=["town", "village"]
    )
    assert stored.filter(area__in=used).count() == used.count()
    assert written == stored.count()
    county = stored.get(area=cast.areas.county)
    city = stored.get(area=cast.areas.city)
    assert county.metrics["intake"] == city.metrics["intake"] == 1

    # Opening the idle county's dashboard computes its towns on demand.
    towns = selectors.children_snapshots(idle, period)
    assert len(towns) == Area.objects.filter(parent=idle, level="town").count() > 0
    assert all(s.metrics["intake"] == 0 for s in towns)
