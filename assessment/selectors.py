"""Reads for assessment: an area's snapshot (computed on demand when missing), its children's,
and rankings ordered by the safety index with deterministic ties."""

from config.db_router import primary_reads
from grids.choices import LEVEL_RANK, PREFIX_LENGTH, AreaLevel
from grids.models import Area

from .choices import SNAPSHOT_LEVELS
from .models import KpiSnapshot
from .periods import Period
from .services import snapshot_period

# Which level a ranking of each level is also broken down by ("rank within their town").
RANK_PARENT = {
    AreaLevel.VILLAGE: AreaLevel.TOWN,
    AreaLevel.TOWN: AreaLevel.COUNTY,
    AreaLevel.COUNTY: AreaLevel.CITY,
}


def _snapshots(period: Period, areas_qs, root: Area) -> list[KpiSnapshot]:
    """Snapshots of these areas for the period, all of one moment (one `computed_at`, so every
    figure beside another agrees with it): missing ones, or a mix of moments, are computed for
    `root`'s subtree."""
    areas = list(areas_qs.only("id", "code", "name", "level", "parent_id"))
    wanted = {a.id for a in areas}
    found = {
        s.area_id: s for s in KpiSnapshot.objects.filter(period_key=period.key, area_id__in=wanted)
    }
    if len(found) < len(wanted) or len({s.computed_at for s in found.values()}) > 1:
        # Computed and read back on the primary: a replica would not have them yet.
        with primary_reads():
            snapshot_period(period, root=root)
            found = {
                s.area_id: s
                for s in KpiSnapshot.objects.filter(period_key=period.key, area_id__in=wanted)
            }
    by_id = {a.id: a for a in areas}
    for snapshot in found.values():
        snapshot.area = by_id[snapshot.area_id]
    return [found[a.id] for a in areas if a.id in found]


def area_snapshot(area: Area, period: Period) -> KpiSnapshot:
    """The area's snapshot for the period."""
    return _snapshots(period, Area.objects.filter(pk=area.pk), area)[0]


def children_snapshots(area: Area, period: Period) -> list[KpiSnapshot]:
    """Snapshots of the area's direct children (above grid level), ranked."""
    children = Area.objects.filter(parent=area, level__in=SNAPSHOT_LEVELS)
    return rank(_snapshots(period, children, area))


def area_and_children(area: Area, period: Period) -> tuple[KpiSnapshot, list[KpiSnapshot]]:
    """The area's snapshot and its children's, ranked, read together so they are of one
    moment (the children of a village: none)."""
    from django.db.models import Q

    areas = Area.objects.filter(Q(pk=area.pk) | Q(parent=area, level__in=SNAPSHOT_LEVELS)).order_by(
        "code"
    )
    snapshots = _snapshots(period, areas, area)
    own = next(s for s in snapshots if s.area_id == area.pk)
    return own, rank([s for s in snapshots if s.area_id != area.pk])


def ranking_key(snapshot: KpiSnapshot):
    """Higher safety index first, then higher resolution rate, then the division code; areas with
    nothing to measure come last."""
    index = snapshot.safety_index
    resolution = snapshot.metrics.get("resolution_rate")
    return (
        index is None,
        -(index or 0.0),
        resolution is None,
        -(resolution or 0.0),
        snapshot.area.code,
    )


def rank(snapshots: list[KpiSnapshot]) -> list[KpiSnapshot]:
    """Units with case work in the period ordered by `ranking_key` and numbered 1…n
    (`snapshot.rank`); then, ranked apart and unnumbered (rank None), units with inspection
    reports only (无案件) and units with nothing (无数据), by code. `snapshot.standing` says
    which."""
    from .figures import NO_CASES, NO_DATA, RANKED, standing

    for snapshot in snapshots:
        snapshot.standing = standing(snapshot)
    ranked = sorted((s for s in snapshots if s.standing == RANKED), key=ranking_key)
    for position, snapshot in enumerate(ranked, start=1):
        snapshot.rank = position
    apart = []
    for kind in (NO_CASES, NO_DATA):
        group = sorted((s for s in snapshots if s.standing == kind), key=lambda s: s.area.code)
        for snapshot in group:
            snapshot.rank = None
        apart += group
    return ranked + apart


def ranking(area: Area, level: str, period: Period) -> list[KpiSnapshot]:
    """Units of `level` under `area`, ranked; each also carries `rank_in_parent` (villages within
    their town, towns within their county, counties within their city)."""
    if LEVEL_RANK[level] <= LEVEL_RANK[area.level]:
        raise ValueError("排名层级须低于所选区划。")
    units = Area.objects.filter(level=level, code__startswith=area.prefix)
    ranked = rank(_snapshots(period, units, area))
    parent_level = RANK_PARENT.get(level)
    groups: dict[str, int] = {}
    for snapshot in ranked:
        if snapshot.rank is None:
            snapshot.rank_in_parent = None
            continue
        key = _parent_code(snapshot.area, parent_level)
        groups[key] = groups.get(key, 0) + 1
        snapshot.rank_in_parent = groups[key]
    return ranked


def _parent_code(area: Area, parent_level: str | None) -> str:
    if parent_level is None:
        return ""
    return area.code[: PREFIX_LENGTH[parent_level]]


def bulletin_cases(area: Area, *, limit: int = 2000):
    """Open cases under `area` that are overdue or supervised (督办), oldest report first: the
    one rule of `cases.selectors`, read now."""
    from django.utils import timezone

    from cases.models import Case
    from cases.selectors import overdue_under

    ids = overdue_under(area, now=timezone.now(), limit=limit)
    return (
        Case.objects.filter(pk__in=ids)
        .select_related("holder", "assignee")
        .order_by("reported_at", "id")
    )


def late_units(area: Area, period: Period) -> list[dict]:
    """Units (the handling area of each breached period) with the deadlines they missed in the
    period, most first: one GROUP BY over the breaches."""
    from django.db.models import Count, Q

    from cases.models import Breach

    rows = (
        Breach.objects.filter(
            **{f"case__{area.level}_id": area.id},
            detected_at__gte=period.start,
            detected_at__lt=period.end,
            period__isnull=False,
        )
        .values("period__area_id", "period__area__code", "period__area__name", "period__level")
        .annotate(
            assign=Count("pk", filter=Q(kind="assign")),
            respond=Count("pk", filter=Q(kind="respond")),
            resolve=Count("pk", filter=Q(kind="resolve")),
            total=Count("pk"),
        )
        .order_by("-total", "period__area__code")
    )
    return [
        {
            "area": {
                "id": row["period__area_id"],
                "code": row["period__area__code"],
                "name": row["period__area__name"],
                "level": row["period__level"],
            },
            "assign": row["assign"],
            "respond": row["respond"],
            "resolve": row["resolve"],
            "total": row["total"],
        }
        for row in rows
    ]
