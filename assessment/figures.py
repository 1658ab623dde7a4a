"""The figures a page or a file shows, all of one moment: an area's snapshot and its children's
computed together (one `computed_at`, said as 数据截至 on every page and file), the standing of
each unit in a ranking (ranked, 无案件, 无数据), the index's components with their weights, the
year's grade and the change against the previous period and the same period a year before."""

from datetime import datetime

from django.utils import timezone

from grids.choices import PREFIX_LENGTH, AreaLevel
from grids.models import Area

from .choices import INDEX_METRICS, PeriodKind
from .models import KpiSnapshot
from .periods import Period, local_tz, month_of, parse_period

# Counts that say a unit had case work in the period (any of them above zero).
CASE_WORK = (
    "intake",
    "concluded",
    "assign_measured",
    "respond_measured",
    "escalations",
    "resolved_for_follow_up",
    "follow_ups",
)

RANKED, NO_CASES, NO_DATA = "ranked", "no_cases", "no_data"
STANDING_LABELS = {RANKED: "", NO_CASES: "无案件", NO_DATA: "无数据"}

# The index's components as the ranking shows them: (metric, short header, full name).
COMPONENT_LABELS = {
    "resolution_rate": ("化解", "化解率"),
    "village_retention": ("不出村", "小事不出村率"),
    "town_retention": ("不出镇", "大事不出镇率"),
    "flow_through_on_time_rate": ("流转", "流转按期承接率"),
    "assignment_on_time_rate": ("分派", "按期分派率"),
    "response_on_time_rate": ("响应", "按期响应率"),
    "closure_on_time_rate": ("办结", "按期办结率"),
    "follow_up_rate": ("回访", "回访率"),
    "satisfaction_rate": ("满意", "满意率"),
    "inspection_coverage": ("排查", "排查报告覆盖率"),
    "referral_on_time_rate": ("移交", "移交按期答复率"),
}
COMPONENTS = [metric for metric, _ in INDEX_METRICS]


def standing(snapshot: KpiSnapshot) -> str:
    """ranked: the unit had case work in the period; 无案件: no case but inspection reports;
    无数据: neither. Only ranked units are numbered."""
    metrics = snapshot.metrics
    if any(metrics.get(name) for name in CASE_WORK):
        return RANKED
    if metrics.get("grids_inspected"):
        return NO_CASES
    return NO_DATA


def as_of(snapshots) -> datetime | None:
    """The one moment of these snapshots (they were computed together)."""
    moments = {s.computed_at for s in snapshots}
    return min(moments) if moments else None


def previous_period(period: Period) -> Period:
    """The month, quarter or year before."""
    if period.kind == PeriodKind.MONTH:
        return month_of(period.start, offset=-1)
    year = period.start_date.year
    if period.kind == PeriodKind.QUARTER:
        quarter = (period.start_date.month - 1) // 3 + 1
        return parse_period(f"{year}-Q{quarter - 1}" if quarter > 1 else f"{year - 1}-Q4")
    return parse_period(str(year - 1))


def same_period_last_year(period: Period) -> Period:
    return parse_period(str(int(period.key[:4]) - 1) + period.key[4:])


def year_of_period(period: Period) -> Period:
    return parse_period(period.key[:4])


def county_of(area: Area) -> int | None:
    """The id of the county whose weights index `area`'s children (None above a county)."""
    if area.level not in (AreaLevel.COUNTY, AreaLevel.TOWN, AreaLevel.VILLAGE):
        return None
    if area.level == AreaLevel.COUNTY:
        return area.pk
    code = area.code[: PREFIX_LENGTH[AreaLevel.COUNTY]].ljust(12, "0")
    return (
        Area.objects.filter(code=code, level=AreaLevel.COUNTY).values_list("pk", flat=True).first()
    )


def component_columns(area: Area) -> list[dict]:
    """The index's components as columns, each with the weight that indexes `area`'s children
    (a county's own weights for its towns and villages); weight 0 columns are still shown."""
    from .services import index_weights

    weights = index_weights(county_of(area))
    total = sum(w for w in weights.values() if w > 0) or 1.0
    return [
        {
            "name": metric,
            "short": COMPONENT_LABELS[metric][0],
            "label": COMPONENT_LABELS[metric][1],
            "weight": weights.get(metric, 0.0),
            "share": round(100 * weights.get(metric, 0.0) / total, 1),
        }
        for metric in COMPONENTS
    ]


def snapshots_of(periods: list[Period], area_ids: list[int], root: Area) -> dict[str, dict]:
    """{period key: {area id: snapshot}} for several periods in one read; a period with missing
    or mixed-moment snapshots is computed for `root`'s subtree first."""
    from config.db_router import primary_reads

    from .services import snapshot_period

    wanted = set(area_ids)
    keys = [p.key for p in periods]
    found: dict[str, dict] = {key: {} for key in keys}
    for snapshot in KpiSnapshot.objects.filter(period_key__in=keys, area_id__in=wanted):
        found[snapshot.period_key][snapshot.area_id] = snapshot
    stale = [
        p
        for p in periods
        if len(found[p.key]) < len(wanted)
        or len({s.computed_at for s in found[p.key].values()}) > 1
    ]
    if stale:
        with primary_reads():
            now = timezone.now()
            for period in stale:
                snapshot_period(period, root=root, now=now)
                found[period.key] = {
                    s.area_id: s
                    for s in KpiSnapshot.objects.filter(period_key=period.key, area_id__in=wanted)
                }
    return found


def change(current, before, *, rate: bool):
    """current − before (rates in percentage points, counts as counts), or None."""
    if current is None or before is None:
        return None
    if rate:
        return round(100 * (current - before), 1)
    return round(current - before, 1)


def stamp(moment: datetime | None) -> str:
    """数据截至 text: local time to the minute."""
    if moment is None:
        return ""
    return timezone.localtime(moment, local_tz()).strftime("%Y-%m-%d %H:%M")
