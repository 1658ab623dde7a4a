"""The KPIs of DESIGN.md §8, computed with SQL aggregation grouped by the ancestor columns
copied onto each case (`county_id`, `town_id`, `village_id`…): one query over cases and one
over handling periods per level, never a loop over cases.

Medians use PostgreSQL's percentile_cont; on SQLite they are null (KPIs need PostgreSQL for
medians; every count and rate works on both).

Definitions (for an area's subtree and a period, by the case's origin):
- intake: cases reported in the period.
- concluded: cases whose final outcome was reached in the period: resolved (agreement) or closed
  as failed/referred; withdrawn and rejected are left out. resolved: those with an agreement.
- resolution_rate = resolved / concluded; village_retention, town_retention,
  county_escalation_rate: concluded whose peak level was village / ≤ town / county, over concluded.
- Handling periods that arrived in the period: a deadline is *measured* once it was met or has
  passed (before the period ended unmet, or by the end of the assessment period).
  assignment: share of measured assign deadlines met; median hours arrival → assignment.
  response: share of measured respond deadlines met; median hours arrival → first response
  (every deadline of a period counts from its arrival).
  flow_through: escalations (periods entered by escalation); the same assignment measures on them.
- closure: concluded on time over the closures measured in the period: the concluded (on time
  when by the resolve deadline of their last handling period) plus the cases still open past a
  resolve deadline that fell in the period (`resolve_overdue_open`: a handling period whose
  resolve deadline fell in the period, passed by `as_of`, and still open then), which count as
  late, not as "on time because not concluded" (DESIGN.md §14); median working days from the
  reported day to the concluded day (official calendar). docs/kpis.md says each definition.
- follow_up_rate: of the resolved, share with at least one follow-up; satisfaction_rate:
  follow-ups in the period answered satisfied or basically satisfied, over follow-ups.
- inspection_coverage: grids with an inspection report (zero reports count) for a month of the
  period, over the grids of the area.
"""

from datetime import datetime, timedelta

from django.apps import apps
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Least, Substr, TruncDate
from django.utils import timezone

from cases.choices import Level, Outcome, PeriodEntry, Status
from cases.models import Case, HandlingPeriod
from grids.choices import LEVEL_RANK, AreaLevel
from grids.models import Area

from . import referral_kpis
from .calendar import ensure_calendar
from .choices import SNAPSHOT_LEVELS
from .models import WorkCalendarDay
from .periods import Period, local_tz


class Median(Aggregate):
    """percentile_cont(0.5) over the expression (PostgreSQL); null on other databases."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def as_sqlite(self, compiler, connection, **extra_context):
        return "NULL", []


class HoursBetween(Func):
    """(later - earlier) in hours, as a float."""

    output_field = FloatField()
    arg_joiner = " - "
    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)"

    def __init__(self, later, earlier):
        super().__init__(F(later), F(earlier))

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 24.0)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def _ratio(numerator, denominator):
    return None if not denominator else numerator / denominator


def _concluded_q(start, end):
    return Q(concluded_at__gte=start, concluded_at__lt=end) & (
        Q(status=Status.RESOLVED)
        | Q(outcome__in=[Outcome.AGREEMENT, Outcome.FAILED, Outcome.REFERRED])
    )


def _case_aggregates(level: str, period: Period, root: Area | None):
    """Case KPIs per area of `level`, one GROUP BY query."""
    start, end = period.start, period.end
    tz = local_tz()
    concluded = _concluded_q(start, end)
    resolved = concluded & (Q(status=Status.RESOLVED) | Q(outcome=Outcome.AGREEMENT))
    last_resolve_due = Subquery(
        HandlingPeriod.objects.filter(
            case_id=OuterRef("pk"), arrived_at__lte=OuterRef("concluded_at")
        )
        .order_by("-arrived_at", "-id")
        .values("resolve_due")[:1]
    )

    def ordinal_at(column):
        local_day = TruncDate(
            ExpressionWrapper(OuterRef(column), output_field=DateTimeField()), tzinfo=tz
        )
        return Subquery(WorkCalendarDay.objects.filter(day=local_day).values("ordinal")[:1])

    queryset = Case.objects.filter(
        Q(reported_at__gte=start, reported_at__lt=end)
        | Q(concluded_at__gte=start, concluded_at__lt=end)
    )
    if root is not None:
        queryset = queryset.filter(**{f"{root.level}_id": root.id})
    group = f"{level}_id"
    return (
        queryset.exclude(**{f"{group}__isnull": True})
        .values(group)
        .annotate(
            intake=Count("pk", filter=Q(reported_at__gte=start, reported_at__lt=end)),
            concluded=Count("pk", filter=concluded),
            resolved=Count("pk", filter=resolved),
            peak_village=Count("pk", filter=concluded & Q(peak_level=Level.VILLAGE)),
            peak_town_or_below=Count(
                "pk", filter=concluded & Q(peak_level__in=[Level.VILLAGE, Level.TOWN])
            ),
            peak_county=Count("pk", filter=concluded & Q(peak_level=Level.COUNTY)),
            concluded_on_time=Count("pk", filter=concluded & Q(concluded_at__lte=last_resolve_due)),
            closure_median_working_days=Median(
                ordinal_at("concluded_at") - ordinal_at("reported_at"), filter=concluded
            ),
        )
        .order_by()
    )


def _period_aggregates(level: str, period: Period, root: Area | None, as_of: datetime):
    """Clock KPIs per area of `level` over handling periods joined to their case."""
    start, end = period.start, period.end
    horizon = Least(Coalesce("ended_at", Value(as_of)), Value(as_of))
    assign_measured = Q(assigned_at__isnull=False) | Q(assign_due__lte=horizon)
    assign_met = Q(assigned_at__isnull=False, assigned_at__lte=F("assign_due"))
    respond_measured = Q(responded_at__isnull=False) | Q(
        respond_due__isnull=False, respond_due__lte=horizon
    )
    respond_met = Q(responded_at__isnull=False, responded_at__lte=F("respond_due"))
    escalated = Q(entered_by=PeriodEntry.ESCALATE)
    assigned = Q(assigned_at__isnull=False)
    queryset = HandlingPeriod.objects.filter(arrived_at__gte=start, arrived_at__lt=end)
    if root is not None:
        queryset = queryset.filter(**{f"case__{root.level}_id": root.id})
    group = f"case__{level}_id"
    return (
        queryset.exclude(**{f"{group}__isnull": True})
        .values(group)
        .annotate(
            assign_measured=Count("pk", filter=assign_measured),
            assign_met=Count("pk", filter=assign_met),
            assignment_median_hours=Median(
                HoursBetween("assigned_at", "arrived_at"), filter=assigned
            ),
            respond_measured=Count("pk", filter=respond_measured),
            respond_met=Count("pk", filter=respond_met),
            response_median_hours=Median(
                HoursBetween("responded_at", "arrived_at"), filter=Q(responded_at__isnull=False)
            ),
            escalations=Count("pk", filter=escalated),
            escalations_measured=Count("pk", filter=escalated & assign_measured),
            escalations_met=Count("pk", filter=escalated & assign_met),
            flow_through_median_hours=Median(
                HoursBetween("assigned_at", "arrived_at"), filter=escalated & assigned
            ),
        )
        .order_by()
    )


def _closure_late_aggregates(level: str, period: Period, root: Area | None, as_of: datetime):
    """Cases still open past a resolve deadline that fell in the period, per area: handling
    periods whose resolve deadline is in [start, end) and passed by `as_of`, not ended by then
    (the partial indexes on resolve_due serve the range)."""
    fell = Q(resolve_due__gte=period.start, resolve_due__lt=period.end, resolve_due__lte=as_of)
    # Two arms, one per partial index (`period_resolve_late`, `period_resolve_due_ended`).
    queryset = HandlingPeriod.objects.filter(
        (Q(ended_at__isnull=True) & fell) | (Q(ended_at__gt=as_of) & fell)
    )
    if root is not None:
        queryset = queryset.filter(**{f"case__{root.level}_id": root.id})
    group = f"case__{level}_id"
    return (
        queryset.exclude(**{f"{group}__isnull": True})
        .values(group)
        .annotate(resolve_overdue_open=Count("pk"))
        .order_by()
    )


def _model(label):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _follow_up_aggregates(level: str, period: Period, root: Area | None):
    """Follow-up KPIs per area: resolved cases followed up, and satisfaction of follow-ups."""
    FollowUp = _model("mediation.FollowUp")
    if FollowUp is None:
        return [], []
    start, end = period.start, period.end
    concluded = _concluded_q(start, end)
    resolved = concluded & (Q(status=Status.RESOLVED) | Q(outcome=Outcome.AGREEMENT))
    cases = Case.objects.filter(resolved)
    follow_ups = FollowUp.objects.filter(
        performed_on__gte=period.start_date, performed_on__lt=period.end_date
    )
    if root is not None:
        cases = cases.filter(**{f"{root.level}_id": root.id})
        follow_ups = follow_ups.filter(**{f"case__{root.level}_id": root.id})
    followed = FollowUp.objects.filter(case_id=OuterRef("pk"))

    case_rows = (
        cases.exclude(**{f"{level}_id__isnull": True})
        .values(f"{level}_id")
        .annotate(
            resolved_for_follow_up=Count("pk"),
            followed_up=Count("pk", filter=Q(Exists(followed))),
        )
        .order_by()
    )
    satisfaction_rows = (
        follow_ups.exclude(**{f"case__{level}_id__isnull": True})
        .values(f"case__{level}_id")
        .annotate(
            follow_ups=Count("pk"),
            satisfied=Count("pk", filter=Q(satisfaction__in=["satisfied", "basically"])),
        )
        .order_by()
    )
    return case_rows, satisfaction_rows


def _inspection_aggregates(level: str, period: Period, root: Area | None, grids_only=False):
    """Grids with a report in the period per area, and the grids each area has."""
    InspectionReport = _model("mediation.InspectionReport")
    prefix_length = {"province": 2, "city": 4, "county": 6, "town": 9, "village": 12}[level]
    grids = Area.objects.filter(level="grid")
    if root is not None:
        grids = grids.filter(code__startswith=root.prefix)
    grid_counts = (
        grids.annotate(p=Substr("code", 1, prefix_length))
        .values("p")
        .annotate(n=Count("pk"))
        .order_by()
    )
    if InspectionReport is None or grids_only:
        return grid_counts, []
    reports = InspectionReport.objects.filter(
        period__gte=period.start_date, period__lt=period.end_date
    )
    if root is not None:
        reports = reports.filter(**{f"{root.level}_id": root.id})
    report_rows = (
        reports.values(f"{level}_id").annotate(n=Count("grid_id", distinct=True)).order_by()
    )
    return grid_counts, report_rows


EMPTY = {
    "intake": 0,
    "concluded": 0,
    "resolved": 0,
    "peak_village": 0,
    "peak_town_or_below": 0,
    "peak_county": 0,
    "concluded_on_time": 0,
    "resolve_overdue_open": 0,
    "closure_median_working_days": None,
    "assign_measured": 0,
    "assign_met": 0,
    "assignment_median_hours": None,
    "respond_measured": 0,
    "respond_met": 0,
    "response_median_hours": None,
    "escalations": 0,
    "escalations_measured": 0,
    "escalations_met": 0,
    "flow_through_median_hours": None,
    "resolved_for_follow_up": 0,
    "followed_up": 0,
    "follow_ups": 0,
    "satisfied": 0,
    "grids": 0,
    "grids_inspected": 0,
}


def _finish(raw: dict) -> dict:
    """The counts plus the rates derived from them."""
    metrics = dict(raw)
    concluded = raw["concluded"]
    metrics["resolution_rate"] = _ratio(raw["resolved"], concluded)
    metrics["village_retention"] = _ratio(raw["peak_village"], concluded)
    metrics["town_retention"] = _ratio(raw["peak_town_or_below"], concluded)
    metrics["county_escalation_rate"] = _ratio(raw["peak_county"], concluded)
    metrics["flow_through_on_time_rate"] = _ratio(
        raw["escalations_met"], raw["escalations_measured"]
    )
    metrics["assignment_on_time_rate"] = _ratio(raw["assign_met"], raw["assign_measured"])
    metrics["response_on_time_rate"] = _ratio(raw["respond_met"], raw["respond_measured"])
    metrics["closure_measured"] = concluded + raw["resolve_overdue_open"]
    metrics["closure_on_time_rate"] = _ratio(raw["concluded_on_time"], metrics["closure_measured"])
    metrics["follow_up_rate"] = _ratio(raw["followed_up"], raw["resolved_for_follow_up"])
    metrics["satisfaction_rate"] = _ratio(raw["satisfied"], raw["follow_ups"])
    metrics["inspection_coverage"] = _ratio(raw["grids_inspected"], raw["grids"])
    metrics["referral_on_time_rate"] = _ratio(
        raw.get("referral_answer_met", 0), raw.get("referral_answer_measured", 0)
    )
    return metrics


def compute_period(period: Period, *, root: Area | None = None, now=None) -> dict[int, dict]:
    """{area id: metrics} for every area (above grid level) in `root`'s subtree, or everywhere."""
    now = now or timezone.now()
    as_of = min(period.end, now)
    ensure_calendar(
        max(period.end_date, timezone.localtime(now, local_tz()).date()) + timedelta(days=1)
    )
    areas = Area.objects.filter(level__in=SNAPSHOT_LEVELS)
    if root is not None:
        areas = areas.filter(code__startswith=root.prefix)
    if root is None or LEVEL_RANK[root.level] < LEVEL_RANK[AreaLevel.COUNTY]:
        areas = _skip_towns_and_villages_of_idle_counties(areas)
    area_list = list(areas.values_list("id", "code", "level"))
    results = {area_id: dict(EMPTY) for area_id, _, _ in area_list}
    present = {level for _, _, level in area_list}
    levels = [lvl for lvl in SNAPSHOT_LEVELS if lvl in present]
    by_prefix = {
        (level, Area.prefix_of(code, level)): area_id for area_id, code, level in area_list
    }

    def merge(rows, key):
        for row in rows:
            area_id = row.pop(key)
            if area_id in results:
                results[area_id].update(row)

    grid_levels = levels
    if connection.vendor == "postgresql" and not PORTABLE_ONLY:
        from .kpis_pg import aggregate_rows

        mediation = _model("mediation.FollowUp") is not None
        rows = aggregate_rows(levels, period, root, as_of, str(local_tz()), mediation=mediation)
        merge(rows, "area_id")
        levels = []
    for level in grid_levels:
        grid_counts, _ = _inspection_aggregates(level, period, root, grids_only=True)
        for row in grid_counts:
            area_id = by_prefix.get((level, row["p"]))
            if area_id is not None:
                results[area_id]["grids"] = row["n"]
    for level in levels:
        merge(_case_aggregates(level, period, root), f"{level}_id")
        merge(_period_aggregates(level, period, root, as_of), f"case__{level}_id")
        merge(_closure_late_aggregates(level, period, root, as_of), f"case__{level}_id")
        case_rows, satisfaction_rows = _follow_up_aggregates(level, period, root)
        merge(case_rows, f"{level}_id")
        merge(satisfaction_rows, f"case__{level}_id")
        _, report_rows = _inspection_aggregates(level, period, root)
        for row in report_rows:
            area_id = row[f"{level}_id"]
            if area_id in results:
                results[area_id]["grids_inspected"] = row["n"]
    referral_kpis.add(results, grid_levels, period, root, as_of)  # both paths: one query/level
    return {area_id: _finish(raw) for area_id, raw in results.items()}


def _skip_towns_and_villages_of_idle_counties(areas):
    """Leave out the towns and villages of counties that hold no case and no grid: with the
    national division list loaded (about 665,000 areas), a roll-up of every area would write a
    snapshot of zeros for each village of every county that has not switched the system on.
    Every county and every area above one keeps its snapshot (the rankings of counties stay
    whole); a town or village left out is computed with its county's subtree the first time
    anyone reads it (`assessment.selectors`), exactly as before."""
    counties = Area.objects.filter(level=AreaLevel.COUNTY)
    with_cases = counties.filter(Exists(Case.objects.filter(county_id=OuterRef("pk"))))
    used = {code[:6] for code in with_cases.values_list("code", flat=True)}
    used |= set(
        Area.objects.filter(level=AreaLevel.GRID)
        .annotate(county=Substr("code", 1, 6))
        .values_list("county", flat=True)
        .distinct()
    )
    if not counties.exclude(code__in=[prefix.ljust(12, "0") for prefix in used]).exists():
        return areas
    return areas.annotate(county_prefix=Substr("code", 1, 6)).filter(
        Q(level__in=[AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY])
        | Q(county_prefix__in=sorted(used))
    )


# Tests set this to check the portable queries against the PostgreSQL single-pass ones.
PORTABLE_ONLY = False


def medians_supported() -> bool:
    return connection.vendor == "postgresql"
