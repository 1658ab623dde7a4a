"""Hand-built cases and handling periods for KPI tests: rows written straight through the ORM
so every timestamp is exactly what the test says."""

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from cases.models import Case, HandlingPeriod
from mediation.models import InspectionReport

TZ = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def t(month, day, hour=9, minute=0, year=2026):
    """A local (Asia/Shanghai) time."""
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


LEVELS = ["village", "town", "county"]


def make_case(
    cast, village, *, reported_at, status="pending", outcome="", concluded_at=None, periods=()
):
    """A case originating in `village`, handled in `periods` (dicts of clock fields), each one
    level up from the one before.

    What follows from the case is filled in unless a period says otherwise: the first period opens
    at the village when the case is reported; a later one is entered by escalation when the one
    before it ends (its `ended_at`); the last ends when the case is concluded, resolved if the
    case was resolved or closed with an agreement, else closed. The case stands at the last
    period's level."""
    areas = cast.areas
    town = village.parent
    area_of = {"village": village, "town": town, "county": areas.county}
    resolved = status == "resolved" or outcome == "agreement"
    specs = [dict(spec) for spec in periods]
    for index, spec in enumerate(specs):
        spec.setdefault("level", LEVELS[index])
        if index == 0:
            spec.setdefault("entered_by", "report")
            spec.setdefault("arrived_at", reported_at)
        else:
            before = specs[index - 1]
            spec.setdefault("entered_by", "escalate")
            spec.setdefault("arrived_at", before["ended_at"])
            before.setdefault("end_reason", "escalated")
    if specs and concluded_at:
        specs[-1].setdefault("ended_at", concluded_at)
        specs[-1].setdefault("end_reason", "resolved" if resolved else "closed")
    level = specs[-1]["level"] if specs else "village"
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
        peak_level=max((spec["level"] for spec in specs), key=LEVELS.index, default=level),
        holder=area_of[level],
        status=status,
        outcome=outcome,
        reported_by=cast.grid_worker_a,
        reported_at=reported_at,
        concluded_at=concluded_at,
        resolved_at=concluded_at if resolved else None,
        closed_at=concluded_at if status == "closed" else None,
    )
    for spec in specs:
        HandlingPeriod.objects.create(case=case, area=area_of[spec["level"]], **spec)
    return case


def make_inspection(cast, grid, *, period, submitted_at, zero=False):
    """A grid's inspection report for the month of `period`, scoped to the grid's ancestors."""
    ids = grid.ancestor_ids_by_level()
    return InspectionReport.objects.create(
        grid=grid,
        period=period,
        zero=zero,
        reporter=cast.grid_worker_a,
        submitted_at=submitted_at,
        **{
            f"{level}_id": ids[level] for level in ("province", "city", "county", "town", "village")
        },
    )
