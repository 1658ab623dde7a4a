"""KPI snapshots on PostgreSQL go in a few statements of UPSERT_BATCH rows: with the whole
country's 665,000 areas one statement's document passed PostgreSQL's 1 GB limit on a value."""

from django.core.management import call_command

from assessment import services
from assessment.choices import SNAPSHOT_LEVELS
from assessment.models import KpiSnapshot
from assessment.periods import parse_period
from grids.models import Area


def test_every_area_gets_its_snapshot_whatever_the_batch(db, on_postgres, monkeypatch):
    call_command("import_areas", "--division", "610222")
    village = Area.objects.filter(level="village").order_by("code").first()
    # A grid: the county is in use, so all its towns and villages are rolled up.
    Area.objects.create(code=village.code + "001", name="一网格", level="grid", parent=village)
    areas = Area.objects.filter(level__in=SNAPSHOT_LEVELS).count()
    assert areas == 130
    monkeypatch.setattr(services, "UPSERT_BATCH", 7)  # 19 statements
    period = parse_period("2026-10")
    assert services.snapshot_period(period) == areas
    assert KpiSnapshot.objects.filter(period_key="2026-10").count() == areas
    assert services.snapshot_period(period) == areas  # again: replaced, not added
    assert KpiSnapshot.objects.filter(period_key="2026-10").count() == areas
