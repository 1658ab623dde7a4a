"""Hand-built cases and handling periods for KPI tests: rows written straight through the ORM
so every timestamp is exactly what the test says."""

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from cases.models import Case, HandlingPeriod

TZ = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def t(month, day, hour=9, minute=0, year=2026):
    """A local (Asia/Shanghai) time."""
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def make_case(
    cast,
    village,
    *,
    reported_at,
    status="pending",
    level="village",
    peak_level=None,
    outcome="",
    concluded_at=None,
    periods=(),
):
    """A case originating in `village` with the given handling periods (dicts of clock fields)."""
    areas = cast.areas
    town = village.parent
    holder = {"village": village, "town": town, "county": areas.county}[level]
    case = Case.objects.create(
        number=f"610222-2026-{next(_numbers):06d}",
        title="测试纠纷",
        facts="事实",
        category="neighbour",
        source="walk_in",
        origin=village,
        province=areas.province,
        city=areas.city,
        county=areas.county,
        town=town,
        village=village,
        level=level,
        peak_level=peak_level or level,
        holder=holder,
        status=status,
        outcome=outcome,
        reported_by=cast.grid_worker_a,
        reported_at=reported_at,
        concluded_at=concluded_at,
        resolved_at=concluded_at if status == "resolved" or outcome == "agreement" else None,
        closed_at=concluded_at if status == "closed" else None,
    )
    for spec in periods:
        spec = dict(spec)
        period_level = spec.pop("level", "village")
        area = {"village": village, "town": town, "county": areas.county}[period_level]
        HandlingPeriod.objects.create(
            case=case,
            level=period_level,
            area=area,
            entered_by=spec.pop("entered_by", "report"),
            **spec,
        )
    return case
