"""Building cases for the mediation tests: through the cases services when they exist,
else a Case row written directly (only until the lifecycle lands)."""

import itertools

from django.utils import timezone

from cases.models import Case, Party

_serial = itertools.count(1)


def make_case(
    cast,
    *,
    origin=None,
    reporter=None,
    level="village",
    status="in_progress",
    assignee=None,
    parties=(("张三", "applicant"), ("李四", "respondent")),
    **extra,
):
    """A case at `origin` (default village A1's first grid) held at `level`."""
    origin = origin or cast.areas.grid_a1
    ids = origin.ancestor_ids_by_level()
    holder_id = ids[level]
    case = Case.objects.create(
        number=f"610222-2026-{next(_serial):06d}",
        title=extra.pop("title", "宅基地界址纠纷"),
        facts=extra.pop("facts", "两户因宅基地界址发生争执。"),
        category=extra.pop("category", "housing_homestead"),
        source="walk_in",
        origin=origin,
        province_id=ids["province"],
        city_id=ids["city"],
        county_id=ids["county"],
        town_id=ids["town"],
        village_id=ids["village"],
        grid_id=ids.get("grid"),
        level=level,
        peak_level=level,
        holder_id=holder_id,
        status=status,
        assignee=assignee,
        reported_by=reporter or cast.grid_worker_a,
        reported_at=timezone.now(),
        **extra,
    )
    for name, role in parties:
        Party.objects.create(case=case, name=name, role=role)
    return case
